"""``omcsim run``: simulate a scenario once and report its KPIs."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from ..eventlog import EventLogError, event_format, write_event_log
from ..kpis import KPI_DEFINITIONS
from ..result import simulate
from ..streams import format_seed
from .common import (
    UsageError,
    add_scenario_arguments,
    check_output_dir,
    check_output_file,
    scenario_from_args,
    show_progress,
)


def register(sub) -> None:
    p = sub.add_parser("run", help="simulate a scenario and print its KPIs",
                       description="Simulate a scenario once and print its KPIs.")
    add_scenario_arguments(p)
    p.add_argument("--json", action="store_true", help="print the KPIs as one JSON object")
    p.add_argument("--out", metavar="DIR",
                   help="write KPIs, tables (Parquet), resolved scenario, seed and version to DIR")
    p.add_argument("--events", metavar="FILE",
                   help="write every event of every order for process mining; format by "
                   "extension: .csv, .parquet (tidy), .xes (IEEE 1849), .jsonocel (OCEL 2.0)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if args.events:
        try:
            event_format(args.events)  # a bad extension fails before the run, not after
        except EventLogError as err:
            raise UsageError(f"--events {err}") from None
    check_output_dir(args.out, "--out")
    check_output_file(args.events, "--events")
    scenario = scenario_from_args(args)
    result = simulate(scenario, args.seed, progress=show_progress(args))
    if args.out:
        result.save(args.out)
    if args.events:
        Path(args.events).parent.mkdir(parents=True, exist_ok=True)
        write_event_log(result, args.events)
    if args.json:
        print(result.kpis_json())
    else:
        print(format_kpis(result.kpis))
        if args.out:
            print(f"\nresults written to {args.out}/")
        if args.events:
            print(f"event log written to {args.events}")
    return 0


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 1000 else f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def format_warnings(warnings: list[dict]) -> list[str]:
    """One line per warning, code first (the codes: ``simulator.kpis.WARNING_CODES``)."""
    return [f"WARNING [{w['code']}] {w['message']}" for w in warnings]


def format_kpis(k: dict) -> str:
    """The run's warnings first (what makes its numbers doubtful), then the KPI table."""
    head = (f"{k['scenario']}  strategy={k['strategy']}  decoupling point={k['decoupling_point']}"
            f"  seed={format_seed(k['seed'])}  P:D={_fmt(k['pd_ratio'])}")
    lines = format_warnings(k.get("warnings", []))
    if lines:
        lines.append("")
    lines += [head, "-" * len(head)]
    for name, (unit, _) in KPI_DEFINITIONS.items():
        value = k.get(name)
        if isinstance(value, dict):
            lines.append(f"{name}:")
            for sub, v in value.items():
                lines.append(f"  {sub:<28}{_fmt(v):>14}  {unit}")
        else:
            lines.append(f"{name:<30}{_fmt(value):>14}  {unit}")
    return "\n".join(lines)
