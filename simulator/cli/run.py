"""``omcsim run``: simulate a scenario once and report its KPIs."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..eventlog import EventLogError, event_format, write_event_log
from ..format import NA, format_value, na_reason, own_reason, pd_note
from ..kpis import kpi_table
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


def format_warnings(warnings: list[dict]) -> list[str]:
    """One line per warning, code first (the codes: ``simulator.kpis.WARNING_CODES``)."""
    return [f"WARNING [{w['code']}] {w['message']}" for w in warnings]


def format_kpis(k: dict) -> str:
    """The run's warnings first (what makes its numbers doubtful), then the KPI table: every
    registry KPI in its unit (:mod:`simulator.format`), an undefined one saying why."""
    head = (f"{k['scenario']}  strategy={k['strategy']}  decoupling point={k['decoupling_point']}"
            f"  seed={format_seed(k['seed'])}  P:D={format_value('pd_ratio', k['pd_ratio'])}"
            f"{pd_note(k['production_lead_time'], k['demand_lead_time'])}")
    lines = format_warnings(k.get("warnings", []))
    if lines:
        lines.append("")
    lines += [head, "-" * len(head)]
    table = kpi_table(k)
    width = max(30, *(len(name) + 2 for name in table["kpi"]))  # time_to_survive.<stock point>
    for row in table.itertuples(index=False):
        value = format_value(row.kpi, row.value)
        note = f"  ({na_reason(row.kpi, own_reason(k, row.kpi), 'undefined')})" \
            if value == NA else ""
        lines.append(f"{row.kpi:<{width}}{value:>16}{note}")
    sites = k.get("by_site", {})
    if len(sites) > 1:  # a network: where the stock, the work and the transport are
        # Distributed order management: each site's share of the orders it fulfilled.
        shares = all("share_fulfilled" in s for s in sites.values())
        lines += ["", f"{'site':<16}{'stock (units)':>15}{'stock value':>14}{'work centres':>14}"
                  f"{'transport':>12}{'orders shipped':>16}" + (f"{'share':>8}" if shares else "")]
        for site, s in sites.items():
            share = f"{format_value('pickup_share', s['share_fulfilled']):>8}" if shares else ""
            lines.append(
                f"{site:<16}{format_value('inventory_mean', s['inventory_mean']):>15}"
                f"{format_value('inventory_value_mean', s['inventory_value_mean']):>14}"
                f"{format_value('utilization', s['utilization']):>14}"
                f"{format_value('cost_transport', s['cost_transport']):>12}"
                f"{s['orders_shipped']:>16,}{share}")
    return "\n".join(lines)
