"""How fast experiments run: sweep speedup with 2 workers, Dask overhead per task, and how a
sweep's time grows with cells and replications.

    unset PYTHONDONTWRITEBYTECODE   # else every new worker process recompiles pandas
    .venv/bin/python benchmarks/bench_sweep.py [--scenario default] [--days 120] [--quick]

1. Speedup: one sweep (every decoupling point x 2 P:D ratios x --reps) serially, with 2 local
   processes and on a 2-worker Dask LocalCluster (its start-up timed apart). Runs alternate
   engines over --rounds rounds; medians of wall time. Goal (issue 4): >= 1.8 with 2 processes
   on 2 cores. "busy" is the run time summed over runs / (wall x workers): below 1, workers
   waited (start-up, the last runs, other processes on the machine).
2. Overhead per task: 200 tasks that do nothing, through each engine; per-task wall time.
3. Growth: sweeps of 1, 2, 4, 8 cells x 4 replications and 4 cells x 2, 4, 8 replications with 2
   processes; time per run should stay flat (the time grows linearly with runs).

Wall times on a shared machine move with others' load, printed with the results.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from simulator import load_scenario
from simulator.experiment import DaskRunner, Task, make_runner, sweep
from simulator.experiment.runners import available_cores

GOAL_SPEEDUP = 1.8


def noop(scenario, seed) -> dict:
    """A task that does nothing: what is left is the engine's cost per task."""
    return {}


def timed_sweep(sc, ratios, strategies, reps, runner) -> tuple[float, float]:
    start = time.perf_counter()
    result = sweep(sc, ratios, strategies=strategies, reps=reps, runner=runner)
    wall = time.perf_counter() - start
    return wall, float(result.runs["wall_seconds"].sum())


def speedup(sc, reps: int, rounds: int) -> None:
    print(f"\n1. sweep of 4 decoupling points x 2 P:D x {reps} replications "
          f"({8 * reps} runs), median of {rounds} rounds")
    ratios, strategies = [1, 4], "all"
    walls: dict[str, list[float]] = {"serial": [], "2 processes": [], "Dask, 2 workers": []}
    busy: dict[str, list[float]] = {k: [] for k in walls}
    start = time.perf_counter()
    with DaskRunner("local", 2) as dask_runner:
        dask_start = time.perf_counter() - start
        timed_sweep(sc, ratios, "mts", 1, dask_runner)  # workers import the model once
        for _ in range(rounds):
            for name, workers in (("serial", 1), ("2 processes", 2)):
                with make_runner(workers) as runner:  # the pool start is part of the cost
                    wall, work = timed_sweep(sc, ratios, strategies, reps, runner)
                walls[name].append(wall)
                busy[name].append(work / (wall * workers))
            wall, work = timed_sweep(sc, ratios, strategies, reps, dask_runner)
            walls["Dask, 2 workers"].append(wall)
            busy["Dask, 2 workers"].append(work / (wall * 2))
    serial = statistics.median(walls["serial"])
    print(f"{'engine':<18}{'wall s':>9}{'speedup':>9}{'busy':>7}")
    for name, values in walls.items():
        w = statistics.median(values)
        print(f"{name:<18}{w:>9.2f}{serial / w:>9.2f}{statistics.median(busy[name]):>7.2f}")
    print(f"Dask LocalCluster start: {dask_start:.2f} s (not in the Dask row)")
    got = serial / statistics.median(walls["2 processes"])
    verdict = "met" if got >= GOAL_SPEEDUP else "NOT met"
    print(f"goal: 2 processes >= {GOAL_SPEEDUP} x serial: {got:.3f} ({verdict})")


def overhead(sc, tasks: int) -> None:
    print(f"\n2. engine cost per task ({tasks} tasks that do nothing)")
    print(f"{'engine':<18}{'ms/task':>9}")
    work = [Task(i, sc, (1, i)) for i in range(tasks)]
    for name, make in (("serial", lambda: make_runner(1)),
                       ("2 processes", lambda: make_runner(2)),
                       ("Dask, 2 workers", lambda: DaskRunner("local", 2))):
        with make() as runner:
            list(runner.imap(work[:4], noop))  # warm: workers started and importing done
            start = time.perf_counter()
            list(runner.imap(work, noop))
            per_task = (time.perf_counter() - start) / tasks
        print(f"{name:<18}{per_task * 1000:>9.3f}")


def growth(sc, quick: bool) -> None:
    print("\n3. growth with cells and replications (2 processes)")
    print(f"{'cells':>6}{'reps':>6}{'runs':>6}{'wall s':>9}{'s/run':>8}")
    ratios = [0.5, 1, 2, 4]
    plans = [(["mto"], [1], 4), (["mto"], [1, 4], 4), (["mts", "mto"], [1, 4], 4),
             (["mts", "ato", "mto", "eto"], [1, 4], 4)]
    plans += [(["mts", "mto"], [1, 4], 2), (["mts", "mto"], [1, 4], 8)]
    if not quick:
        plans.append((["mts", "ato", "mto", "eto"], ratios, 4))
    with make_runner(2) as runner:
        timed_sweep(sc, [1], "mto", 2, runner)  # start the pool
        for strategies, pds, reps in plans:
            wall, _ = timed_sweep(sc, pds, strategies, reps, runner)
            cells = len(strategies) * len(pds)
            print(f"{cells:>6}{reps:>6}{cells * reps:>6}{wall:>9.2f}"
                  f"{wall / (cells * reps):>8.3f}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scenario", default="default")
    p.add_argument("--days", type=float, default=120, help="horizon per run (default 120)")
    p.add_argument("--reps", type=int, default=4, help="replications in the speedup sweep")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--quick", action="store_true", help="fewer rounds and tasks")
    args = p.parse_args(argv)
    if args.quick:
        args.rounds, args.reps = 1, 2
    sc = load_scenario(args.scenario, {"horizon_days": args.days})
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"bench_sweep: {args.scenario}, horizon {args.days:g} days; {available_cores()} "
          f"cores; load average {load:.1f} at start; "
          f"PYTHONDONTWRITEBYTECODE={'set' if os.environ.get('PYTHONDONTWRITEBYTECODE') else 'unset'}")
    speedup(sc, args.reps, args.rounds)
    overhead(sc, 50 if args.quick else 200)
    growth(sc, args.quick)
    if hasattr(os, "getloadavg"):
        print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
