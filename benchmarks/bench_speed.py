"""How fast the model runs: SimPy events/s and orders/s against a minimal hand-written SimPy
ten-station flow and against Ciw, on the same open network, measured in the same process.

    .venv/bin/python benchmarks/bench_speed.py [--days 2000] [--rounds 5] [--seed 1]

The network is ``benchmarks/ten_stations.yaml``: Poisson orders pass ten stations in series
(five departments for the admin steps, the five chain stages), each a pool of servers with
exponential times. The hand-written SimPy flow and the Ciw network are built from the same
file (servers, mean times, arrival rate), so all three simulate the same system:

- omcsim: the full model (``World``: every step of the cycle, records, stock logic), timed
  for the run alone and for ``simulate()`` including the KPIs and tables;
- hand-written SimPy: one process per order, ``with resource.request()``, ``random``
  exponential draws (PERFORMANCE.md's reference flow);
- Ciw: ``ciw.create_network`` with the ten nodes in series.

Engines run back to back in each of ``--rounds`` rounds; the table shows each engine's best CPU
time, the ratios are medians of the per-round ratios (others share the machine, and engines
that ran under the same load compare best). Goals (issues 2 and 7): model events/s >= 0.6 x
hand-written SimPy; more orders/s than Ciw.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

import ciw
import simpy

from simulator import load_scenario, simulate
from simulator.model.world import World
from simulator.plan import compile_plan

SCENARIO = Path(__file__).with_name("ten_stations.yaml")
ADMIN_STEPS = ("generation", "pricing", "entry", "selection", "scheduling")
GOAL_RATIO = 0.6


def network(scenario) -> tuple[float, list[tuple[int, float]]]:
    """(arrival rate, [(servers, mean time)] of the ten stations) read from the scenario."""
    steps = scenario.steps
    (channel,) = steps.generation.channels.values()
    stations = []
    for step in ADMIN_STEPS:
        time_spec = channel.entry_time if step == "entry" else getattr(steps, step).time
        stations.append((scenario.departments[getattr(steps, step).department].staff,
                         time_spec.mean()))
    plan = compile_plan(scenario)
    for stage, _ in plan.order_route(next(iter(scenario.products)), "customers", 1)[1]:
        spec = plan.stations[stage]
        stations.append((spec.servers, spec.time.mean()))
    return channel.rate_per_day, stations


def events_processed(env: simpy.Environment) -> int:
    # As World.events_processed: exact in simpy 4.1.x, every scheduled event took an id.
    return next(env._eid) - len(env._queue)


def run_reference(rate: float, stations, days: float, seed: int) -> tuple[int, int]:
    """The minimal hand-written SimPy flow: (orders completed, events processed)."""
    env = simpy.Environment()
    rng = random.Random(seed)
    resources = [(simpy.Resource(env, servers), 1 / mean) for servers, mean in stations]
    done = 0

    def order():
        nonlocal done
        for resource, service_rate in resources:
            with resource.request() as req:
                yield req
                yield env.timeout(rng.expovariate(service_rate))
        done += 1

    def source():
        while True:
            yield env.timeout(rng.expovariate(rate))
            env.process(order())

    env.process(source())
    env.run(until=days)
    return done, events_processed(env)


def run_model(scenario, seed: int) -> tuple[int, int]:
    """The model's run alone (World and env.run): (orders delivered, events processed)."""
    world = World(scenario, seed)
    world.start()
    world.run()
    return sum(o.status == "delivered" for o in world.demand.orders), world.events_processed()


def run_simulate(scenario, seed: int) -> tuple[int, int]:
    """``simulate()``: the run plus KPIs and tables."""
    result = simulate(scenario, seed)
    return result.kpis["orders_delivered"], result.kpis["sim_events"]


def run_ciw(rate: float, stations, days: float, seed: int) -> tuple[int, None]:
    n = len(stations)
    net = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=rate)] + [None] * (n - 1),
        service_distributions=[ciw.dists.Exponential(rate=1 / mean) for _, mean in stations],
        routing=[[1.0 if j == i + 1 else 0.0 for j in range(n)] for i in range(n)],
        number_of_servers=[servers for servers, _ in stations],
    )
    ciw.seed(seed)  # Ciw draws from the global random module; this script owns the process
    sim = ciw.Simulation(net)
    sim.simulate_until_max_time(days)
    return sum(r.node == n for r in sim.get_all_records()), None


def timed(fn, *args) -> tuple[float, int, int | None]:
    start = time.process_time()
    orders, events = fn(*args)
    return time.process_time() - start, orders, events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=2000.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    scenario = load_scenario(SCENARIO, {"horizon_days": args.days})
    rate, stations = network(scenario)
    engines = {
        "hand-written SimPy": (run_reference, rate, stations, args.days, args.seed),
        "omcsim model (run)": (run_model, scenario, args.seed),
        "omcsim simulate() + KPIs": (run_simulate, scenario, args.seed),
        f"Ciw {ciw.__version__}": (run_ciw, rate, stations, args.days, args.seed),
    }
    best: dict[str, tuple[float, int, int | None]] = {}
    ratios: dict[str, list[float]] = {"events": [], "ciw": []}
    model_name, ciw_name = "omcsim model (run)", f"Ciw {ciw.__version__}"
    for _ in range(args.rounds):
        this_round = {}
        for name, (fn, *fn_args) in engines.items():
            this_round[name] = result = timed(fn, *fn_args)
            if name not in best or result[0] < best[name][0]:
                best[name] = result
        # Ratios within a round, where the engines ran back to back under the same load.
        ref, model, other = (this_round[k] for k in ("hand-written SimPy", model_name, ciw_name))
        ratios["events"].append((model[2] / model[0]) / (ref[2] / ref[0]))
        ratios["ciw"].append((model[1] / model[0]) / (other[1] / other[0]))

    print(f"Ten stations in series, {rate:g} orders/day, {args.days:g} days, seed {args.seed}; "
          f"best CPU time of {args.rounds} rounds (simpy {simpy.__version__})\n")
    print(f"{'engine':<26}{'orders':>9}{'events':>11}{'ev/order':>10}{'CPU s':>8}"
          f"{'events/s':>11}{'orders/s':>10}")
    for name, (cpu, orders, events) in best.items():
        ev = f"{events:>11,}{events / orders:>10.1f}" if events else f"{'-':>11}{'-':>10}"
        ev_rate = f"{events / cpu:>11,.0f}" if events else f"{'-':>11}"
        print(f"{name:<26}{orders:>9,}{ev}{cpu:>8.2f}{ev_rate}{orders / cpu:>10,.0f}")

    ref, full = best["hand-written SimPy"], best["omcsim simulate() + KPIs"]
    print(f"\nmodel / hand-written SimPy, events/s: median {_spread(ratios['events'])} "
          f"(goal >= {GOAL_RATIO}); with KPIs and tables, best times: "
          f"{(full[2] / full[0]) / (ref[2] / ref[0]):.2f}")
    print(f"model / Ciw, orders/s: median {_spread(ratios['ciw'])} (goal > 1)")


def _spread(values: list[float]) -> str:
    """Median and range of per-round ratios."""
    return (f"{statistics.median(values):.2f} of {len(values)} rounds "
            f"(range {min(values):.2f}-{max(values):.2f})")


if __name__ == "__main__":
    main()
