"""How run time grows with the simulated horizon and with the number of products.

    .venv/bin/python benchmarks/bench_scaling.py [--rounds 2] [--quick]

1. Horizon: the default scenario for 1, 2, 4 and 8 years after its warm-up. Time should grow
   linearly: CPU time per simulated day (and per order) stays flat.
2. Products: the default scenario with n = 1, 2, 4, 8, 16, 32 end products at the same total
   demand, each built from its own housing plus the shared motor and controller (so the
   components buffer holds n + 2 items and planning forecasts each). Time should grow at most
   linearly in n: the events per order stay flat and the per-item work (planning, stock logs)
   adds a term proportional to n.

3. Overload: the default scenario made to stock (mts) at ten times its demand, for 60, 120
   and 240 days. Assembly cannot keep up and its backlog of replenishment jobs grows without
   bound (tens of thousands queued), yet CPU time per simulated day should stay flat: queues
   cost O(log n) per request. Before the heap queues, 120 days took 4x as long per day as 60.

Each point is the best CPU time of --rounds runs (seed 1). A least-squares line through the
points and its largest relative deviation say how linear the growth is.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from simulator import load_scenario, simulate

HORIZON_YEARS = (1, 2, 4, 8)
PRODUCTS = (1, 2, 4, 8, 16, 32)
OVERLOAD_DAYS = (60, 120, 240)
OVERLOAD_DEMAND = 10


def best_run(sc, rounds: int):
    best, result = float("inf"), None
    for _ in range(rounds):
        start = time.process_time()
        result = simulate(sc, 1)
        best = min(best, time.process_time() - start)
    return best, result


def linearity(x, y, unit: str) -> str:
    slope, intercept = np.polyfit(x, y, 1)
    fitted = slope * np.asarray(x) + intercept
    worst = float(np.max(np.abs(np.asarray(y) - fitted) / fitted))
    return (f"least-squares line: {1000 * slope:.3g} ms per {unit} + {intercept:.2f} s; "
            f"largest deviation from it {worst:.1%}")


def product_variant(base, n: int):
    """The default scenario with ``n`` products sharing motor and controller."""
    products = {
        f"P{i:02d}": {"share": 1, "order_size": {"dist": "empirical", "values": [1, 2, 3],
                                                  "weights": [6, 3, 1]},
                      "bill_of_materials": {f"housing_{i:02d}": 1, "motor": 1, "controller": 1}}
        for i in range(n)
    }
    return base.with_overrides(products=products, components={})


def horizon(rounds: int, years) -> None:
    print(f"1. Horizon (default scenario, best of {rounds})")
    print(f"   {'days':>6}{'orders':>9}{'events':>12}{'CPU s':>8}{'ms/day':>8}{'ms/order':>10}")
    days, cpu = [], []
    for y in years:
        sc = load_scenario("default", {"horizon_days": 365 * y})
        t, r = best_run(sc, rounds)
        k = r.kpis
        days.append(sc.horizon_days)
        cpu.append(t)
        print(f"   {sc.horizon_days:>6g}{k['inquiries']:>9,}{k['sim_events']:>12,}{t:>8.2f}"
              f"{1000 * t / sc.horizon_days:>8.2f}{1000 * t / k['inquiries']:>10.3f}")
    print(f"   {linearity(days, cpu, 'day')}")


def products(rounds: int, counts) -> None:
    print(f"\n2. Number of products (default scenario, 2 years, same demand, best of {rounds})")
    print(f"   {'products':>8}{'items':>7}{'orders':>8}{'events':>11}{'ev/order':>9}{'CPU s':>8}")
    base = load_scenario("default", {"horizon_days": 730})
    cpu = []
    for n in counts:
        sc = product_variant(base, n)
        t, r = best_run(sc, rounds)
        k = r.kpis
        cpu.append(t)
        items = len(sc.products) + len(sc.component_names)
        print(f"   {n:>8}{items:>7}{k['inquiries']:>8,}{k['sim_events']:>11,}"
              f"{k['sim_events'] / k['inquiries']:>9.1f}{t:>8.2f}")
    print(f"   {linearity(counts, cpu, 'product')}")


def overloaded(days: int):
    """The default scenario, made to stock, at OVERLOAD_DEMAND times its demand."""
    sc = load_scenario("default", {"horizon_days": days, "decoupling_point": "mts"})
    return sc.with_overrides(**{
        f"steps.generation.channels.{name}.rate_per_day": OVERLOAD_DEMAND * channel.rate_per_day
        for name, channel in sc.steps.generation.channels.items()})


def overload(rounds: int, horizons) -> None:
    print(f"\n3. Overload (default scenario, mts, {OVERLOAD_DEMAND}x demand, best of {rounds})")
    print(f"   {'days':>6}{'orders':>9}{'open':>8}{'events':>11}{'CPU s':>8}{'ms/day':>8}"
          f"{'vs first':>9}")
    first = None
    for days in horizons:
        sc = overloaded(days)
        t, r = best_run(sc, rounds)
        k = r.kpis
        per_day = t / (sc.warmup_days + sc.horizon_days)  # the warm-up is simulated too
        first = first or per_day
        print(f"   {days:>6}{k['inquiries']:>9,}{k['orders_open']:>8,}{k['sim_events']:>11,}"
              f"{t:>8.2f}{1000 * per_day:>8.2f}{per_day / first:>9.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="fewer, shorter points")
    args = parser.parse_args()
    horizon(args.rounds, HORIZON_YEARS[:3] if args.quick else HORIZON_YEARS)
    products(args.rounds, PRODUCTS[:4] if args.quick else PRODUCTS)
    overload(args.rounds, OVERLOAD_DAYS[:2] if args.quick else OVERLOAD_DAYS)


if __name__ == "__main__":
    main()
