"""A real Dask cluster of separate processes (``dask scheduler`` + ``dask worker`` on
127.0.0.1, reached by address as ``--dask tcp://HOST:PORT`` does): the scheduler's overhead per
task, and how a sweep scales from one worker to two.

    unset PYTHONDONTWRITEBYTECODE
    .venv/bin/python benchmarks/bench_cluster.py [--scenario default] [--days 60] [--quick]

1. Overhead per task: --tasks tasks that do nothing, through the cluster (1 and 2 workers)
   and, for scale, through 2 local processes; wall time per task after a warm-up batch.
2. Scaling: one sweep (every decoupling point x 2 P:D x --reps) on a 1-worker and a 2-worker
   cluster, alternating over --rounds rounds; medians of wall time; speedup = 1 worker / 2.

The cluster is started by the same helper the CI test uses (tests/experiment/
experiment_helpers.py: dask_cluster), and its start is timed apart. Wall times on a shared
machine move with others' load, printed with the results.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "experiment"))

from experiment_helpers import dask_cluster

from simulator import load_scenario
from simulator.experiment import DaskRunner, Task, make_runner, sweep


def noop(scenario, seed) -> dict:
    """A task that does nothing: what is left is the engine's cost per task."""
    return {}


def per_task(runner, sc, tasks: int) -> float:
    work = [Task(i, sc, (1, i)) for i in range(tasks)]
    list(runner.imap(work[:8], noop))  # warm: workers have imported omcsim
    start = time.perf_counter()
    list(runner.imap(work, noop))
    return (time.perf_counter() - start) / tasks


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scenario", default="default")
    p.add_argument("--days", type=float, default=60, help="horizon per run (default 60)")
    p.add_argument("--reps", type=int, default=4, help="replications per sweep cell")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--tasks", type=int, default=400)
    p.add_argument("--quick", action="store_true", help="one round, fewer tasks and runs")
    args = p.parse_args(argv)
    if args.quick:
        args.rounds, args.reps, args.tasks = 1, 1, 40
    sc = load_scenario(args.scenario, {"horizon_days": args.days})
    load = os.getloadavg()[0]
    print(f"bench_cluster: {args.scenario}, horizon {args.days:g} days; {os.cpu_count()} cores; "
          f"load average {load:.1f} at start")

    print(f"\n1. overhead per task ({args.tasks} tasks that do nothing)")
    print(f"{'engine':<28}{'ms/task':>9}{'start s':>9}")
    with make_runner(2) as runner:
        print(f"{'2 local processes':<28}{per_task(runner, sc, args.tasks) * 1000:>9.3f}{'':>9}")
    clusters = {}
    for workers in (1, 2):
        start = time.perf_counter()
        cm = dask_cluster(workers)
        address = cm.__enter__()
        clusters[workers] = (cm, address)
        started = time.perf_counter() - start
        with DaskRunner(address) as runner:
            ms = per_task(runner, sc, args.tasks) * 1000
        print(f"{f'cluster, {workers} worker(s)':<28}{ms:>9.3f}{started:>9.2f}")
    try:
        runs = 4 * 2 * args.reps
        print(f"\n2. scaling: sweep of 4 decoupling points x 2 P:D x {args.reps} replications "
              f"({runs} runs), median of {args.rounds} rounds")
        walls: dict[int, list[float]] = {1: [], 2: []}
        busy: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(args.rounds):
            for workers, (_, address) in clusters.items():
                with DaskRunner(address) as runner:
                    start = time.perf_counter()
                    result = sweep(sc, [1, 4], reps=args.reps, runner=runner)
                    wall = time.perf_counter() - start
                walls[workers].append(wall)
                busy[workers].append(float(result.runs["wall_seconds"].sum()) / (wall * workers))
        print(f"{'cluster':<28}{'wall s':>9}{'s/run':>8}{'busy':>7}")
        for workers in (1, 2):
            w = statistics.median(walls[workers])
            print(f"{f'{workers} worker(s)':<28}{w:>9.2f}{w / runs:>8.3f}"
                  f"{statistics.median(busy[workers]):>7.2f}")
        print(f"speedup 2 workers / 1: "
              f"{statistics.median(walls[1]) / statistics.median(walls[2]):.2f}")
    finally:
        for cm, _ in clusters.values():
            cm.__exit__(None, None, None)
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
