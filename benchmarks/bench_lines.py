"""What multi-line orders cost: events/s and CPU per order of the multi-site scenario (24
products) with every order of 1, 2 and 4 lines, shipped complete and shipped partial, against
the same scenario with one line an order (nothing of lines built), measured in the same rounds.

    .venv/bin/python benchmarks/bench_lines.py [--days 60] [--rounds 3]

Demand is 72 / lines inquiries a day, so the plants make about the same units in every variant
(four lines an order at the full rate would overload them, and an overloaded run measures its
backlog, not its lines). Reported per variant: inquiries, SimPy events, events per order,
events/s and CPU ms per order and per line; ratios to the one-line reference are medians over
the rounds of ratios measured back to back (others share the machine), CPU figures the best
round.
"""

from __future__ import annotations

import argparse
import statistics

from bench_network import run_model  # the one timing of a model run (same folder)

from simulator import load_scenario

CLASSES = ("wholesalers", "installers", "oem_projects")
RATES = {"web": 28, "phone": 14, "edi": 22, "sales_rep": 8}  # 72 a day


def variant(lines: int, shipping: str, days: float):
    changes: dict = {"horizon_days": days, "warmup_days": 10}
    for ch, rate in RATES.items():
        changes[f"steps.generation.channels.{ch}.rate_per_day"] = rate / lines
    for c in CLASSES:
        changes[f"customers.{c}.lines"] = lines
        changes[f"customers.{c}.shipping"] = shipping
    return load_scenario("multi-site", changes)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=float, default=60)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    variants = {"1 line": variant(1, "complete", args.days)}
    for n in (2, 4):
        for shipping in ("complete", "partial"):
            variants[f"{n} lines {shipping}"] = variant(n, shipping, args.days)
    rate: dict[str, list[float]] = {n: [] for n in variants}
    per_order: dict[str, list[float]] = {n: [] for n in variants}
    best: dict[str, tuple[float, int, int]] = {}
    for _ in range(args.rounds):
        for name, sc in variants.items():
            cpu, events, inquiries = run_model(sc)
            rate[name].append(events / cpu)
            per_order[name].append(cpu / inquiries)
            if name not in best or cpu < best[name][0]:
                best[name] = (cpu, events, inquiries)
    print(f"Multi-line orders, multi-site, {args.days:g} days after 10, {args.rounds} rounds "
          "(seed 1); ratios against 1 line")
    print(f"  {'variant':<20}{'inquiries':>10}{'events':>10}{'ev/order':>9}{'events/s':>10}"
          f"{'/ 1 line':>10}{'ms/order':>9}{'/ 1 line':>10}{'ms/line':>9}")
    for name in variants:
        cpu, events, inquiries = best[name]
        lines = int(name[0])
        vs_rate = statistics.median(a / b for a, b in zip(rate[name], rate["1 line"], strict=True))
        vs_order = statistics.median(
            a / b for a, b in zip(per_order[name], per_order["1 line"], strict=True))
        ms = 1000 * cpu / inquiries
        print(f"  {name:<20}{inquiries:>10,}{events:>10,}{events / inquiries:>9.1f}"
              f"{events / cpu:>10,.0f}{vs_rate:>10.2f}{ms:>9.3f}{vs_order:>10.2f}"
              f"{ms / lines:>9.3f}")


if __name__ == "__main__":
    main()
