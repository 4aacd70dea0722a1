"""What the network costs: events/s of the shipped scenarios against the hand-written SimPy
ten-station flow, and how run time grows with the horizon and the size of the network.

    .venv/bin/python benchmarks/bench_network.py [--rounds 3]

1. Events/s of the model (the run alone: ``World`` and ``env.run``) on ``default`` (one site,
   3 products, assemble-to-order; its year after its warm-up), ``multi-site`` (2 plants, 3 DCs,
   24 products, calendars; 90 days after 20) and ``large`` (4 plants, 8 DCs, 240 products, ten
   times multi-site's demand; 30 days after 10): runs of a few hundred thousand events or more,
   so building the world weighs little. Against the hand-written ten-station flow of
   bench_speed.py measured in the same rounds. Goals (issue 11): default >= 0.45 x hand-written
   (0.6 aimed at); large's events/s >= 0.8 x default's (cost per event does not grow with the
   network).
2. Horizon: large for 10, 20 and 40 days: CPU time per simulated day should stay flat.
3. Size or volume: the large network (240 products, 12 sites) at a tenth and at all of its
   demand, against default in the same rounds: whether cost per event follows the network's
   size or the number of orders in flight.
4. Sites: multi-site with each of its three distribution centres (their stock points, routings,
   lanes and regions) copied k times, k = 1, 2, 4, 8 (3 to 24 DCs), at the same total demand:
   CPU time per order should stay flat, plus a term per stock point (planning, stock logs).
5. Volume on one network: default's own network at large's order rate (its demand, staff and
   servers all times k, for 30 days after 10, as large) against default as shipped and against
   large, in the same rounds: what the orders in flight cost per event with the network fixed,
   and what large's network costs per event at the same volume. With them, the hand-written
   flow at its own order rate and at k times it (servers too, over large's window): what
   SimPy itself loses per event to k times the orders in flight, and each model run against
   the hand-written flow at the same order rate. These runs have the cycle collector off, as
   the model's run has it.

Ratios are medians over the rounds of ratios measured back to back (others share the machine);
CPU seconds are the best of the rounds.
"""

from __future__ import annotations

import argparse
import copy
import gc
import statistics
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from bench_speed import network, run_reference

from simulator import load_scenario
from simulator.model.world import World
from simulator.scenario import parse_scenario, read_yaml, resolve_path

HERE = Path(__file__).parent
SCENARIOS = {"default": None, "multi-site": {"horizon_days": 90, "warmup_days": 20},
             "large": {"horizon_days": 30, "warmup_days": 10}}


def run_model(scenario, seed: int = 1) -> tuple[float, int, int]:
    """(CPU seconds, SimPy events, inquiries) of one run of the model alone. The previous run's
    world is collected first, untimed: its cycles would otherwise be freed by a collection
    during this run's build and charged to it (a large run after default x107 lost a quarter
    of its events/s to it)."""
    gc.collect()
    start = time.process_time()
    world = World(scenario, seed)
    world.start()
    world.run()
    return time.process_time() - start, world.events_processed(), len(world.demand.orders)


def events_per_second(rounds: int) -> None:
    ten = load_scenario(HERE / "ten_stations.yaml")
    rate, stations = network(ten)
    scenarios = {n: load_scenario(n, changes) for n, changes in SCENARIOS.items()}
    ref_days = 400.0
    rates: dict[str, list[float]] = {n: [] for n in (*SCENARIOS, "hand-written")}
    best: dict[str, tuple[float, int, int]] = {}
    for _ in range(rounds):
        start = time.process_time()
        _, ref_events = run_reference(rate, stations, ref_days, 1)
        rates["hand-written"].append(ref_events / (time.process_time() - start))
        for name, sc in scenarios.items():
            cpu, events, inquiries = run_model(sc)
            rates[name].append(events / cpu)
            if name not in best or cpu < best[name][0]:
                best[name] = (cpu, events, inquiries)
    print(f"1. Events/s, {rounds} rounds (seed 1)")
    print(f"   {'scenario':<14}{'inquiries':>10}{'events':>11}{'CPU s':>8}{'events/s':>11}"
          f"{'/ hand-written':>16}{'/ default':>11}")
    ref = rates["hand-written"]
    for name in SCENARIOS:
        cpu, events, inquiries = best[name]
        vs_ref = statistics.median(a / b for a, b in zip(rates[name], ref, strict=True))
        vs_default = statistics.median(
            a / b for a, b in zip(rates[name], rates["default"], strict=True))
        print(f"   {name:<14}{inquiries:>10,}{events:>11,}{cpu:>8.2f}{events / cpu:>11,.0f}"
              f"{vs_ref:>16.2f}{vs_default:>11.2f}")
    print(f"   {'hand-written':<14}{'':>10}{'':>11}{'':>8}{max(ref):>11,.0f}   "
          "(ten stations, bench_speed.py)")


def horizon(rounds: int, days_list) -> None:
    print("\n2. large: CPU time against the horizon (after a 10-day warm-up)")
    runs = {days: load_scenario("large", {"horizon_days": days, "warmup_days": 10})
            for days in days_list}
    cpus: dict[float, list[float]] = {days: [] for days in days_list}
    for _ in range(rounds):  # horizons interleaved, so that a slow spell hits them all alike
        for days, sc in runs.items():
            cpus[days].append(run_model(sc)[0])
    per_day = []
    for days in days_list:
        cpu = min(cpus[days])
        per_day.append(cpu / (days + 10))
        print(f"   {days:>4g} days: {cpu:7.2f} s CPU, {cpu / (days + 10) * 1000:6.1f} ms per day")
    spread = (max(per_day) - min(per_day)) / float(np.mean(per_day))
    print(f"   CPU per simulated day varies by {spread:.0%} across horizons (flat = linear)")


def volume(rounds: int, factors=(0.1, 1.0)) -> None:
    print("\n3. large at a share of its demand (30 days' worth of orders after 10), against default")
    channels = load_scenario("large").steps.generation.channels
    default = load_scenario("default")
    for f in factors:
        changes = {"horizon_days": 30 / f, "warmup_days": 10}
        changes.update({f"steps.generation.channels.{c}.rate_per_day": ch.rate_per_day * f
                        for c, ch in channels.items()})
        sc = load_scenario("large", changes)
        ratios, best = [], None
        for _ in range(rounds):
            d_cpu, d_events, _ = run_model(default)
            cpu, events, inquiries = run_model(sc)
            ratios.append((events / cpu) / (d_events / d_cpu))
            best = min(best or (cpu, events, inquiries), (cpu, events, inquiries))
        cpu, events, inquiries = best
        print(f"   demand x{f:<4g} {inquiries:>8,} inquiries {events:>10,} events "
              f"{events / cpu:>9,.0f} events/s  {statistics.median(ratios):.2f} of default's")


def more_dcs(k: int, changes: dict):
    """multi-site with each distribution centre k times over: DC ``d`` and copies ``d~2`` ...
    ``d~k``, each with the original's routing, stock points and lanes, and each region ``r``
    split into ``r~1`` ... ``r~k`` served by the i-th copies of its DCs (the regions' shares
    are weights, so the total demand stays the same)."""
    path = resolve_path("multi-site")
    data = read_yaml(path.read_text(encoding="utf-8"), str(path))
    data.update(changes)
    net = data["network"]
    dcs = [name for name, site in net["sites"].items() if site.get("kind") == "dc"]

    def name(x: str, i: int) -> str:
        return x if i == 1 or x not in dcs else f"{x}~{i}"

    for d in dcs:
        for i in range(2, k + 1):
            net["sites"][name(d, i)] = copy.deepcopy(net["sites"][d])
            net["routings"][name(d, i)] = copy.deepcopy(net["routings"][d])
    for sp_name, sp in list(net["stock_points"].items()):
        if sp["site"] in dcs:
            for i in range(2, k + 1):
                net["stock_points"][f"{sp_name}~{i}"] = {**copy.deepcopy(sp),
                                                          "site": name(sp["site"], i)}
    regions = net["regions"]
    net["regions"] = {f"{r}~{i}": {**spec, "served_from": [name(d, i) for d in spec["served_from"]]}
                      for r, spec in regions.items() for i in range(1, k + 1)}
    lanes = {}
    for lane, spec in net["lanes"].items():
        if spec["from"] not in dcs and spec["to"] not in dcs:
            lanes[lane] = spec
            continue
        for i in range(1, k + 1):
            to = f"{spec['to']}~{i}" if spec["to"] in regions else name(spec["to"], i)
            lanes[f"{lane}~{i}"] = {**spec, "from": name(spec["from"], i), "to": to}
    net["lanes"] = lanes
    return parse_scenario(data, source=f"multi-site with {len(dcs) * k} DCs")


def sites(rounds: int, copies=(1, 2, 4, 8)) -> None:
    print("\n4. multi-site with its DCs copied k times, same demand (60 days after 20)")
    print(f"   {'DCs':>5}{'stock points':>14}{'inquiries':>11}{'events':>10}{'ev/inq':>8}"
          f"{'CPU s':>8}{'ms/inquiry':>12}")
    per_inquiry = []
    for k in copies:
        sc = more_dcs(k, {"horizon_days": 60, "warmup_days": 20})
        cpu, events, inquiries = min(run_model(sc) for _ in range(rounds))
        per_inquiry.append(cpu / inquiries)
        print(f"   {3 * k:>5}{len(sc.network.stock_points):>14}{inquiries:>11,}{events:>10,}"
              f"{events / inquiries:>8.1f}{cpu:>8.2f}{cpu / inquiries * 1000:>12.3f}")
    print(f"   CPU per inquiry: x{per_inquiry[-1] / per_inquiry[0]:.2f} from {3 * copies[0]} to "
          f"{3 * copies[-1]} DCs")


def scaled_default(k: float, changes: dict):
    """default with k times its demand, its department staff and its stage servers (unlimited
    ones stay unlimited): the same network and loads at k times the orders in flight."""
    base = load_scenario("default")
    scaled = dict(changes)
    for name, dept in base.departments.items():
        if dept.staff:
            scaled[f"departments.{name}.staff"] = round(dept.staff * k)
    for c, channel in base.steps.generation.channels.items():
        scaled[f"steps.generation.channels.{c}.rate_per_day"] = channel.rate_per_day * k
    assert base.chain is not None
    for name, stage in base.chain.stages.items():
        if stage.servers:
            scaled[f"chain.stages.{name}.servers"] = round(stage.servers * k)
    return load_scenario("default", scaled)


def run_hand_written(rate: float, stations, days: float) -> tuple[float, int, int]:
    """(CPU seconds, events, orders done) of the hand-written ten-station flow, timed as
    :func:`run_model` times the model: the previous run collected first, the cycle collector off
    while it runs."""
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.process_time()
        done, events = run_reference(rate, stations, days, 1)
        return time.process_time() - start, events, done
    finally:
        if enabled:
            gc.enable()


def same_volume(rounds: int) -> None:
    large = load_scenario("large", SCENARIOS["large"])

    def rate(sc) -> float:
        return sum(c.rate_per_day for c in sc.steps.generation.channels.values())

    default = load_scenario("default")
    k = rate(large) / rate(default)
    scaled_name = f"default x{k:.0f}"
    runs = {"default": default, scaled_name: scaled_default(k, SCENARIOS["large"]), "large": large}
    # SimPy's own cost of volume: the hand-written flow at its own order rate (400 days) and at
    # k times it, servers too, over large's window: the same factor between the two rates.
    ref_rate, stations = network(load_scenario(HERE / "ten_stations.yaml"))
    refs = {"hand-written": (ref_rate, stations, 400.0),
            f"hand-written x{k:.0f}": (ref_rate * k, [(round(n * k), m) for n, m in stations],
                                       large.warmup_days + large.horizon_days)}
    # Each model run is set against the hand-written flow at its own order rate.
    against = {"default": "hand-written", scaled_name: f"hand-written x{k:.0f}",
               "large": f"hand-written x{k:.0f}"}
    print(f"\n5. Volume: default's network at large's order rate (x{k:.0f}: demand, staff, "
          "servers), and the hand-written flow at both rates, same rounds")
    timed = {**{n: partial(run_hand_written, *args) for n, args in refs.items()},
             **{n: partial(run_model, sc) for n, sc in runs.items()}}
    rates: dict[str, list[float]] = {n: [] for n in timed}
    best: dict[str, tuple[float, int, int]] = {}
    for _ in range(rounds):
        for name, run in timed.items():
            cpu, events, count = run()
            rates[name].append(events / cpu)
            best[name] = min(best.get(name, (cpu, events, count)), (cpu, events, count))

    def vs(name: str, ref: str) -> str:
        return f"{statistics.median(a / b for a, b in zip(rates[name], rates[ref], strict=True)):.2f}"

    print(f"   {'run':<18}{'inquiries':>10}{'events':>11}{'events/s':>11}{'/ x1 run':>10}"
          f"{'/ ' + scaled_name:>16}{'/ hand-written, same rate':>27}")
    for name in runs:
        cpu, events, inquiries = best[name]
        print(f"   {name:<18}{inquiries:>10,}{events:>11,}{events / cpu:>11,.0f}"
              f"{vs(name, 'default'):>10}{vs(name, scaled_name):>16}{vs(name, against[name]):>27}")
    for name in refs:
        cpu, events, _ = best[name]
        print(f"   {name:<18}{'':>10}{events:>11,}{events / cpu:>11,.0f}{vs(name, 'hand-written'):>10}")
    print("   (x1 run: default, or the hand-written flow at its own rate)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    events_per_second(args.rounds)
    horizon(max(1, args.rounds - 1), (10, 20, 40))
    volume(max(1, args.rounds - 1))
    sites(max(1, args.rounds - 1))
    same_volume(args.rounds)


if __name__ == "__main__":
    main()
