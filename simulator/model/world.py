"""One run of the model: builds the stations, stock points and samplers from the compiled plan,
starts the processes, runs, and returns plain :class:`simulator.records.RunRecords`.

What each piece does lives in its own module: sampling.py (every random source), stations.py
(resources, calendars, the work primitive), stock.py (stock points and policies), flow.py (how
orders and jobs obtain items: make, buy, transfer), planning.py (step 1), orders.py (demand and
order milestones), promising.py (quotes and promises), cycle.py (the ten steps of one order).
"""

from __future__ import annotations

import gc
import time
from contextlib import contextmanager

from ..plan import Kind, Plan, compile_plan
from ..records import LevelLog, RunRecords, ShipmentLog, StepLog, Vocabulary
from ..scenario import STEPS, Scenario
from ..streams import Seed, Streams
from .changes import Changes
from .cycle import OrderCycle
from .disruptions import Disruptions
from .environment import Environment, width
from .flow import Flow
from .orders import Demand
from .planning import Planner
from .promising import Promiser
from .sampling import Samplers
from .sourcing import Sourcing
from .stations import Station
from .stock import StockPoint


class World:
    def __init__(self, scenario: Scenario, seed: Seed):
        plan = self.plan = compile_plan(scenario)
        self.scenario = scenario
        self.seed = seed
        # Buckets of the event queue narrow as orders arrive faster (environment.width).
        env = self.env = Environment(width=width(sum(
            ch.rate_per_day for ch in scenario.steps.generation.channels.values())))
        self.samplers = Samplers(plan, Streams(seed))
        self.end = plan.end

        self.activities = Vocabulary()
        self.resources = Vocabulary()
        self.resource_kinds: list[str] = []
        self.order_log = StepLog(STEPS, self.activities, self.resources)
        self.job_log = StepLog(STEPS, self.activities, self.resources)
        self.levels = LevelLog()
        self.shipments = ShipmentLog()

        # Who holds an order: departments, work centres, lanes, stock points, suppliers, the
        # customer. Under fcfs every request has priority 0 (repairs excepted): FIFO queues suffice.
        prioritised = scenario.priority_rule != "fcfs"
        # The scenario's events (none: nothing of them is built, nothing drawn).
        self.disruptions = Disruptions(self) if scenario.events else None
        self.stations: dict[str, Station] = {}
        for name, st in plan.stations.items():
            clock = plan.clocks[st.calendar] if st.calendar is not None else None
            queue = prioritised or st.breakdowns is not None
            if self.disruptions is not None:
                clock = self.disruptions.clock(name, clock)
                queue = queue or name in self.disruptions.prioritised
            self.stations[name] = Station(env, name, st.servers, self._resource(name, st.kind),
                                          queue, clock)
        self.departments = {n: s for n, s in self.stations.items()
                            if plan.stations[n].kind is Kind.DEPARTMENT}
        self.planner = Planner(self)
        self.stock: dict[str, StockPoint] = {}
        for name, spec in plan.stock_points.items():
            if spec.active:
                self.stock[name] = StockPoint(self, spec, self._resource(name, Kind.STOCK_POINT),
                                              *self.planner.initial_levels(spec))
        self.supplier_codes = {s: self._resource(s, Kind.SUPPLIER) for s in plan.suppliers}
        self.customer_code = self._resource("customer", Kind.CUSTOMER)
        # Change requests and patience (none: nothing of them is built, nothing drawn).
        self.changes = Changes(self) if scenario.changes_orders else None
        self.flow = Flow(self)
        # Distributed order management (none: every order is fulfilled at its region's site).
        self.sourcing = Sourcing(self) if scenario.distributes else None
        self.demand = Demand(self)
        self.promising = Promiser(self)
        self.cycle = OrderCycle(self)

    def _resource(self, name: str, kind: Kind) -> int:
        code = self.resources(name)
        self.resource_kinds.append(kind.value)
        return code

    def start(self) -> None:
        env = self.env
        env.process(self.planner.run())
        for channel in self.scenario.steps.generation.channels:
            env.process(self.demand.inquiries(channel))
        for sp in self.stock.values():
            if sp.spec.review_period is not None:  # (T, S)
                env.process(sp.periodic_review(sp.spec.review_period))
        for name, st in self.plan.stations.items():
            if st.breakdowns is not None and st.servers is not None:
                for server in range(st.servers):
                    env.process(self.flow.breakdowns(
                        self.stations[name], *self.samplers.breakdown_samplers(name, server,
                                                                               st.breakdowns)))
        if self.disruptions is not None:
            self.disruptions.start()

    def run(self, until: float | None = None) -> None:
        """Run the model to ``until`` (default: the end of its window), the cycle collector off."""
        with _no_cycle_collection():
            self.env.run(until=self.end if until is None else until)

    def open_work(self) -> dict[str, int]:
        """Cases queued or in work at each department, work centre and lane now (at the end)."""
        return {name: st.in_system() for name, st in self.stations.items()}

    def events_processed(self) -> int:
        # Exact in simpy 4.1.x (pinned): every scheduled event took an id; those still pending
        # were not processed. _eid is private, read once after the run.
        return next(self.env._eid) - self.env.pending()

    def records(self, sim_events: int, wall_seconds: float) -> RunRecords:
        return RunRecords(
            scenario=self.scenario, seed=self.seed, orders=self.demand.columns(),
            order_log=self.order_log, job_log=self.job_log, levels=self.levels,
            shipments=self.shipments,
            resource_kinds=list(self.resource_kinds),
            initial_stock={n: dict(sp.initial) for n, sp in self.stock.items()},
            planning_rows=self.planner.rows, jobs=self.flow.jobs, open_work=self.open_work(),
            sim_events=sim_events, wall_seconds=wall_seconds,
            events=[] if self.disruptions is None else [
                (o.name, o.effect, o.target, o.start, o.end)
                for o in self.disruptions.occurrences],
            lines=self.demand.line_columns())


@contextmanager
def _no_cycle_collection():
    """Python's cycle collector off while the model runs: each full collection walks every live
    object, and a backlog that grows without bound (an overloaded station) made the run's cost
    per day grow with it (x3 over 180 days at ten times the default demand). The running model
    leaves no cyclic garbage (SimPy's events and processes are freed by reference counting);
    the collector is restored as it was, whatever happens. Re-enabled as is, the collector keeps
    its own count of the run's objects, so a process that runs many models (an experiment, a
    test worker) frees each finished world in time (moving them to the oldest generation with
    freeze/unfreeze hid them from that count: 12 multi-site runs held 721 MB instead of 380 MB,
    at the same speed)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def run(scenario: Scenario, seed: Seed = 1, progress: bool = False) -> RunRecords:
    """Run ``scenario`` once with ``seed`` (a pure function of the two): the plain records."""
    wall = time.perf_counter()
    world = World(scenario, seed)
    world.start()
    chunks = 100
    if progress:
        from tqdm import tqdm

        with tqdm(total=chunks, desc=f"{scenario.name} (seed {seed})", unit="%", leave=False,
                  disable=None) as bar:
            for k in range(1, chunks + 1):
                world.run(world.end * k / chunks)
                bar.update(1)
    else:
        world.run()
    # Each run(until=...) call takes two event ids of its own (simpy 4.1); leave out the extra
    # calls' so the count is the model's, with or without a progress bar.
    sim_events = world.events_processed() - (2 * (chunks - 1) if progress else 0)
    return world.records(sim_events, time.perf_counter() - wall)


__all__ = ["Plan", "World", "run"]
