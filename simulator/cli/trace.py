"""``omcsim trace``: staple yourself to an order, or see where time goes for all orders."""

from __future__ import annotations

import argparse
import json

from ..result import simulate
from ..trace import PICKS, TraceError, pick_order
from .common import (
    CHART_FORMATS,
    UsageError,
    add_scenario_arguments,
    check_output_file,
    scenario_from_args,
)


def register(sub) -> None:
    p = sub.add_parser(
        "trace", help="follow one order through the cycle (or: where time goes)",
        description="Simulate a scenario and follow one order through the ten steps: who held "
        "it, when it was queued, started and finished, how long it waited and was worked on, "
        "and why it waited. With --all: mean waiting vs working per step and department, and "
        "the top delay causes, over all delivered orders.")
    add_scenario_arguments(p)
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--order", metavar="ID", help="the order's id (row of the orders table)")
    which.add_argument("--pick", choices=PICKS,
                       help="slowest: longest cycle time; late: latest against its due date; "
                       "random: a delivered order drawn from the run's seed")
    which.add_argument("--all", action="store_true",
                       help="where time goes for all delivered orders of the measured window")
    p.add_argument("--scope", choices=("cycle", "cash"), default="cycle",
                   help="with --all: receipt to delivery (cycle, default) or to payment (cash)")
    p.add_argument("--json", action="store_true",
                   help='print JSON: {"order": {...}, "steps": [...]} (or the --all tables)')
    p.add_argument("--plot", metavar="FILE",
                   help="save a chart (.png, .svg, .pdf, or .html: interactive): the order's "
                   "timeline, or with --all the waiting-vs-working breakdown")
    p.add_argument("--war-room", metavar="FILE",
                   help="save the war-room chart (.png, .svg, .pdf, or .html: interactive): "
                   "holders as swimlanes, orders as lines, late ones highlighted (and the traced "
                   "order in bold)")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    check_output_file(args.plot, "--plot", CHART_FORMATS)
    check_output_file(args.war_room, "--war-room", CHART_FORMATS)
    if args.order is not None:
        try:
            wanted = int(args.order)
        except ValueError:
            raise UsageError(f"--order {args.order!r}: an order id is a whole number") from None
    scenario = scenario_from_args(args)
    result = simulate(scenario, args.seed)
    try:
        if args.all:
            return _all_orders(result, args)
        order_id = pick_order(result, args.pick) if args.pick else wanted
        t = result.trace(order_id)
    except TraceError as err:
        raise UsageError(str(err)) from None
    if args.json:
        print(json.dumps(t.as_dict(), indent=2))
    else:
        print(t.narrative())
    if args.plot:
        from ..charts import order_timeline, save  # Altair loads in seconds: only when drawing

        save(order_timeline(t), args.plot)
    if args.war_room:
        from ..charts import save, war_room

        save(war_room(result, highlight=order_id), args.war_room)
    return 0


def _all_orders(result, args) -> int:
    w = result.where_time_goes(args.scope)
    if args.json:
        print(json.dumps(w.as_dict(), indent=2))
    else:
        print(w.render())
    if args.plot:
        from ..charts import save, time_breakdown

        save(time_breakdown(w), args.plot)
    if args.war_room:
        from ..charts import save, war_room

        save(war_room(result), args.war_room)
    return 0

