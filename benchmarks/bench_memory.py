"""Memory per recorded step: what the per-order-per-step trace costs.

    .venv/bin/python benchmarks/bench_memory.py [--days 730] [--records 1000000]

1. Bytes per recorded step in real runs (default and ten-station scenarios): the record
   storage ``RunResult.record_bytes`` over ``RunResult.recorded_steps``.
2. Bytes per step allocated, measured with tracemalloc while a ``StepLog`` takes --records
   records (includes the storage's growth margin).
3. For scale: peak and retained memory of a whole run per recorded step (events, orders,
   stock logs and the result's tables included).

Goal (issue 7): 50 bytes or less per recorded step.
"""

from __future__ import annotations

import argparse
import gc
import tracemalloc
from pathlib import Path

from simulator import STEPS, load_scenario, simulate
from simulator.records import StepLog, Vocabulary

GOAL_BYTES = 50
SCENARIOS = ("default", str(Path(__file__).with_name("ten_stations.yaml")))


def stored_per_step(days: float) -> None:
    print(f"1. Record storage in real runs ({days:g} days, seed 1)")
    print(f"   {'scenario':<16}{'recorded steps':>16}{'bytes':>14}{'bytes/step':>12}")
    for name in SCENARIOS:
        result = simulate(load_scenario(name, {"horizon_days": days}), 1)
        steps, size = result.recorded_steps, result.record_bytes
        print(f"   {result.scenario.name:<16}{steps:>16,}{size:>14,}{size / steps:>12.1f}")


def allocated_per_step(records: int) -> float:
    log = StepLog(STEPS, Vocabulary(), Vocabulary())
    gc.collect()
    tracemalloc.start()
    for i in range(records):
        log.add(i, 6, 3, 2, 1, i * 0.5, i * 0.5 + 0.25, i * 0.5 + 1.0)
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    per_step = current / records
    print(f"\n2. Allocated while a StepLog takes {records:,} records: {current:,} bytes, "
          f"{per_step:.1f} bytes/step (goal <= {GOAL_BYTES})")
    return per_step


def whole_run(days: float) -> None:
    sc = load_scenario("default", {"horizon_days": days})
    gc.collect()
    tracemalloc.start()
    result = simulate(sc, 1)
    _ = result.steps  # the tidy per-step DataFrame, built once on demand
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    n = result.recorded_steps
    print(f"\n3. Whole default run ({days:g} days): {n:,} recorded steps, "
          f"{result.kpis['inquiries']:,} inquiries; peak {peak / 2**20:.1f} MiB "
          f"({peak / n:,.0f} bytes/step), kept with the steps DataFrame "
          f"{current / 2**20:.1f} MiB ({current / n:,.0f} bytes/step)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=730.0)
    parser.add_argument("--records", type=int, default=1_000_000)
    args = parser.parse_args()
    stored_per_step(args.days)
    allocated_per_step(args.records)
    whole_run(args.days)


if __name__ == "__main__":
    main()
