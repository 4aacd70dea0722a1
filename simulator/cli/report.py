"""``omcsim report``: a run, or a comparison of alternatives, as one self-contained HTML page."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..result import simulate
from ..scenario import ScenarioError, parse_alternative
from ..trace import TraceError
from .common import (
    UsageError,
    add_scenario_arguments,
    check_output_file,
    scenario_from_args,
    show_progress,
)


def register(sub) -> None:
    p = sub.add_parser(
        "report", help="write a run (or a comparison) as a self-contained HTML report",
        description="Simulate a scenario and write one HTML page to hand out: the KPIs with "
        "their definitions, the run's warnings, interactive charts (hover for values), the "
        "traces of chosen orders and the provenance (resolved scenario, seed, version). The "
        "page carries its own JavaScript: it opens offline and makes no request. With --alt, "
        "each alternative runs with the same seed and the KPI table shows it beside the base.")
    add_scenario_arguments(p)
    p.add_argument("--out", metavar="FILE", required=True, help="the report to write (.html)")
    p.add_argument("--order", metavar="ID", action="append", type=_order_id, default=[],
                   help="trace this order (repeatable; default: a late one and a typical one)")
    p.add_argument("--alt", action="append", default=[], metavar="NAME:PATH=VALUE[;...]",
                   help="an alternative to compare, as omcsim compare takes it, e.g. "
                   "'mts: decoupling_point=mts' (repeatable)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=handle)


def _order_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"an order id is a whole number >= 0, got {text!r}")
    return value


def handle(args: argparse.Namespace) -> int:
    check_output_file(args.out, "--out", (".html",))
    alternatives = {}
    for text in args.alt:
        name, changes = parse_alternative(text)
        if name in alternatives:
            raise UsageError(f"--alt: alternative {name!r} is given twice")
        alternatives[name] = changes
    scenario = scenario_from_args(args)
    alt_scenarios = {}
    for name, changes in alternatives.items():
        try:
            alt_scenarios[name] = scenario.with_overrides(**changes)
        except ScenarioError as err:
            raise ScenarioError(f"--alt {name}: {err}") from None
    progress = show_progress(args)
    result = simulate(scenario, args.seed, progress=progress)
    try:
        from ..report import report_orders, run_report  # Altair loads in seconds: only here

        orders = report_orders(result, args.order)
    except TraceError as err:
        raise UsageError(f"--order: {err}") from None
    runs = {name: simulate(sc, args.seed, progress=progress) for name, sc in alt_scenarios.items()}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(run_report(result, orders, runs), encoding="utf-8")
    print(f"report written to {out} ({out.stat().st_size / 1e6:.1f} MB; opens offline)")
    return 0
