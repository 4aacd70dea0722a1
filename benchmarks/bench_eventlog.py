"""What tracing every order costs: run time with and without writing a full event log, and bytes
per recorded event.

    .venv/bin/python benchmarks/bench_eventlog.py [--scenario default] [--rounds 5]

Each round simulates the scenario once (a new seed per round) and then writes the run's event
log in every format, each from a cold start (the tidy step table rebuilt); rounds interleave so
machine load hits all columns alike. Reported: medians over rounds of this process's CPU time
(``time.process_time``, all its threads: what other processes on a shared machine do barely
moves it) and of wall time, and the overhead ratios taken within each round.

Goals (issue 3): a full event log adds under 15% to the run's time, and a recorded event takes
under 50 bytes in memory (``RunResult.record_bytes / recorded_steps``: the records a run keeps
anyway, from which every format is written).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from simulator import load_scenario, simulate
from simulator.eventlog import write_event_log

FORMATS = ("csv", "parquet", "xes", "xes.gz", "jsonocel")
GOAL_FORMATS = ("csv", "parquet", "xes", "jsonocel")  # the formats; .xes.gz: information
GOAL_OVERHEAD = 0.15
GOAL_BYTES = 50


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scenario", default="default")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--days", type=float, help="horizon in days (default: the scenario's)")
    args = p.parse_args(argv)
    sc = load_scenario(args.scenario, {"horizon_days": args.days} if args.days else None)

    cpu = {"run": [], **{f: [] for f in FORMATS}}
    wall = {"run": [], **{f: [] for f in FORMATS}}
    ratio_cpu, ratio_wall = {f: [] for f in FORMATS}, {f: [] for f in FORMATS}
    size = {}
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.rounds):
            w, c = time.perf_counter(), time.process_time()
            r = simulate(sc, k + 1)
            run_w, run_c = time.perf_counter() - w, time.process_time() - c
            wall["run"].append(run_w)
            cpu["run"].append(run_c)
            for fmt in FORMATS:
                r.__dict__.pop("steps", None)  # cold: the tidy table is rebuilt for each format
                path = Path(tmp) / f"events.{fmt}"
                w, c = time.perf_counter(), time.process_time()
                write_event_log(r, path)
                ew, ec = time.perf_counter() - w, time.process_time() - c
                wall[fmt].append(ew)
                cpu[fmt].append(ec)
                ratio_wall[fmt].append(ew / run_w)
                ratio_cpu[fmt].append(ec / run_c)
                size[fmt] = path.stat().st_size / len(r.steps)
            records = r.recorded_steps
            order_records = len(r.steps)
            in_memory = r.record_bytes / records

    med = statistics.median
    print(f"Event-log cost: scenario {sc.name}, {sc.warmup_days + sc.horizon_days:g} days, "
          f"{args.rounds} rounds (seeds 1-{args.rounds}), medians")
    print(f"last run: {order_records:,} order records (x2 events: start, complete) of "
          f"{records:,} recorded steps (orders and replenishment jobs)\n")
    head = (f"{'event log':<11}{'CPU s':>8}{'more CPU':>10}{'wall s':>8}{'more wall':>11}"
            f"{'file B/record':>15}{'file B/event':>14}")
    print(head)
    print("-" * len(head))
    print(f"{'run only':<11}{med(cpu['run']):>8.3f}{'-':>10}{med(wall['run']):>8.3f}{'-':>11}"
          f"{'-':>15}{'-':>14}")
    worst = 0.0
    for fmt in FORMATS:
        over = med(ratio_cpu[fmt])
        if fmt in GOAL_FORMATS:
            worst = max(worst, over)
        print(f"{'+ .' + fmt:<11}{med(cpu['run']) + med(cpu[fmt]):>8.3f}{over:>+10.1%}"
              f"{med(wall['run']) + med(wall[fmt]):>8.3f}{med(ratio_wall[fmt]):>+11.1%}"
              f"{size[fmt]:>15.0f}{size[fmt] / 2:>14.0f}")
    print(f"\nin memory: {in_memory:.1f} bytes per recorded event "
          f"(record_bytes / recorded_steps; goal < {GOAL_BYTES})")
    ok_time = worst < GOAL_OVERHEAD
    ok_bytes = in_memory < GOAL_BYTES
    print(f"goal: a full event log adds < {GOAL_OVERHEAD:.0%} CPU time: "
          f"{'met' if ok_time else 'NOT met'} (worst of .{', .'.join(GOAL_FORMATS)}: "
          f"{worst:+.1%}; .xes.gz adds gzip's time on top of .xes)")
    print(f"goal: < {GOAL_BYTES} bytes per recorded event: {'met' if ok_bytes else 'NOT met'}")
    return 0 if ok_time and ok_bytes else 1


if __name__ == "__main__":
    sys.exit(main())
