"""The SimPy world of one run: builds stations, stock points and random streams, starts the
processes, runs, and hands the raw records to :class:`simulator.result.RunResult`."""

from __future__ import annotations

import gc
import math
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np
import simpy

from ..distributions import batched
from ..records import REASON_CODE, LevelLog, StepLog, Vocabulary
from ..scenario import BUFFER_FILLED_BY, STAGES, STEPS, Scenario
from ..streams import Seed, Streams
from .chain import Chain, StockPoint
from .cycle import OrderCycle
from .planning import Planner, initial_targets
from .stations import Station

if TYPE_CHECKING:
    from ..result import RunResult


NO_WAIT, QUEUE, BREAKDOWN = REASON_CODE["none"], REASON_CODE["queue"], REASON_CODE["breakdown"]


class Order:
    """One inquiry and, if it becomes one, the order: its attributes and milestones (days)."""

    __slots__ = (
        "channel", "customer", "customer_class", "delivered", "demand_lead_time", "due", "id",
        "inquiry", "invoice_error", "invoiced", "paid", "priority", "product", "quantity",
        "quote", "received", "returned", "status", "units_from_stock", "units_requested",
        "visits",
    )
    NAN = float("nan")

    def __init__(self, id, inquiry, channel, customer_class, customer, product, quantity,
                 demand_lead_time, invoice_error, returned, visits, priority):
        self.id = id
        self.inquiry = inquiry
        self.channel = channel
        self.customer_class = customer_class
        self.customer = customer
        self.product = product
        self.quantity = quantity
        self.demand_lead_time = demand_lead_time
        self.invoice_error = invoice_error
        self.returned = returned
        self.visits = visits
        self.priority = priority
        self.status = "open"
        self.quote = self.received = self.due = self.delivered = self.NAN
        self.invoiced = self.paid = self.NAN
        self.units_requested = 0
        self.units_from_stock = 0


def _bernoulli(rng: np.random.Generator, p: float):
    if p <= 0:
        return lambda: False
    return batched(lambda n: rng.random(n) < p)


def _choice(rng: np.random.Generator, names: list[str], weights: list[float]):
    p = np.asarray(weights, dtype=float) / sum(weights)
    draw = batched(lambda n: rng.choice(len(names), n, p=p))
    return lambda: names[draw()]


class World:
    def __init__(self, scenario: Scenario, seed: Seed):
        sc = self.scenario = scenario
        self.seed = seed
        env = self.env = simpy.Environment()
        streams = self.streams = Streams(seed)
        self.end = scenario.warmup_days + scenario.horizon_days

        self.activities = Vocabulary()
        self.resources = Vocabulary()
        self.order_log = StepLog(STEPS, self.activities, self.resources)
        self.job_log = StepLog(STEPS, self.activities, self.resources)
        self.levels = LevelLog()

        # Who holds an order: departments, stages, buffers (a stock wait) and the customer.
        # Under fcfs every request has priority 0 (repairs excepted): plain FIFO queues suffice.
        prioritised = sc.priority_rule != "fcfs"
        self.departments = {
            name: Station(env, name, d.staff, self.resources(name), prioritised)
            for name, d in sc.departments.items()
        }
        self.stages = {
            name: Station(env, name, sc.chain.stages[name].servers, self.resources(name),
                          prioritised or sc.chain.stages[name].breakdowns is not None)
            for name in STAGES
        }
        self.buffer_codes = {b: self.resources(b) for b in BUFFER_FILLED_BY}
        self.customer_code = self.resources("customer")
        self.stage_activity = {s: self.activities(s) for s in STAGES}

        # One stream per source of randomness, named (see streams.py).
        steps = sc.steps
        self.step_time = {
            s: getattr(steps, s).time.sampler(streams(f"time.{s}"))
            for s in STEPS if s != "fulfillment"
        }
        self._stage_time = {s: sc.chain.stages[s].time.sampler(streams(f"stage.{s}")) for s in STAGES}
        self._per_unit = {s: sc.chain.stages[s].per == "unit" for s in STAGES}
        self._setup_time = {
            s: None if sc.chain.stages[s].setup_time.is_zero()
            else sc.chain.stages[s].setup_time.sampler(streams(f"stage.{s}.setup"))
            for s in STAGES
        }
        self._order_plans: dict[tuple[str, int], tuple] = {}
        eng = steps.pricing.engineering_time
        self.quote_time = (eng.sampler(streams("time.pricing.engineering"))
                           if eng is not None and sc.codp == "none" else self.step_time["pricing"])
        self.entry_time = {
            c: ch.entry_time.sampler(streams(f"time.entry.{c}"))
            for c, ch in steps.generation.channels.items()
        }
        self.entry_error = _bernoulli(streams("entry.errors"), steps.entry.error_rate)
        self.credit_rejected = _bernoulli(streams("credit.reject"), steps.selection.credit_reject_rate)
        self.credit_held = _bernoulli(streams("credit.hold"), steps.selection.credit_hold_rate)
        self.credit_hold_time = steps.selection.credit_hold_time.sampler(streams("credit.hold.time"))
        self.dispute_delay = steps.billing.dispute_delay.sampler(streams("billing.dispute"))
        self.correction_time = steps.billing.correction_time.sampler(streams("billing.correction"))
        payment_delay = steps.billing.payment_delay.sampler(streams("billing.payment"))
        terms = steps.billing.payment_terms_days
        self.payment_wait = lambda: terms + payment_delay()
        self.return_delay = steps.returns.delay.sampler(streams("returns.delay"))
        self.restocked = _bernoulli(streams("returns.restock"), steps.returns.restock_share)
        self.visit_delay = steps.service.delay.sampler(streams("service.delay"))

        # Demand: everything an inquiry is, decided when it arrives (common random numbers).
        self._customer_class = _choice(streams("demand.class"), list(sc.customers),
                                       [c.share for c in sc.customers.values()])
        customer_rng = streams("demand.customer")
        self._customer_index = batched(lambda n: customer_rng.random(n))
        self._product = _choice(streams("demand.product"), list(sc.products),
                                [p.share for p in sc.products.values()])
        self._size = {p: spec.order_size.sampler(streams(f"demand.size.{p}"))
                      for p, spec in sc.products.items()}
        self._lead_time = {c: spec.demand_lead_time.sampler(streams(f"demand.lead_time.{c}"))
                           for c, spec in sc.customers.items()}
        self._invoice_error = _bernoulli(streams("billing.errors"), steps.billing.error_rate)
        self._returned = _bernoulli(streams("returns.rate"), steps.returns.rate)
        self._serviced = _bernoulli(streams("service.rate"), steps.service.rate)

        # The chain: stock points up to the decoupling point, upstream first.
        self.stock: dict[str, StockPoint] = {}
        upstream = None
        for b in sc.stocked_buffers:
            upstream = self.stock[b] = StockPoint(self, b, sc.items(b), initial_targets(sc, b),
                                                  BUFFER_FILLED_BY[b], upstream)
        self.codp_stock = self.stock.get(sc.codp)
        self.chain = Chain(self)
        self.planner = Planner(self)
        self.cycle = OrderCycle(self)
        self.orders: list[Order] = []
        self._admin_lead_time = sum(
            getattr(steps, s).time.mean() for s in ("entry", "selection", "scheduling")
        ) + steps.pricing.quote_margin_days

    # ------------------------------------------------------------------ the work primitive

    def work(self, log: StepLog, case: int, step: int, activity: int, station: Station,
             duration: float, priority: float, reason: int | None = None):
        """``station`` works on ``case`` for ``duration`` days, after queueing for a server by
        ``priority`` (lower first, ties first come). Appends one record when done."""
        env = self.env
        queued = env.now
        resource = station.resource
        if resource is None:
            start = queued
            if duration > 0:
                yield env.timeout(duration)
        else:
            req = resource.request(priority)
            yield req
            start = env.now
            yield env.timeout(duration)
            resource.release(req)
        if reason is None:
            reason = NO_WAIT if start == queued else (
                BREAKDOWN if station.down or station.last_repair_end > queued else QUEUE)
        log.add(case, step, activity, station.code, reason, queued, start, env.now)

    def stage_time(self, stage: str, units: float) -> float:
        """A job's time at ``stage``: its set-up, if any, and processing per job or per unit."""
        draw = self._stage_time[stage]
        t = sum(draw() for _ in range(max(1, round(units)))) if self._per_unit[stage] else draw()
        setup = self._setup_time[stage]
        return t if setup is None else setup() + t

    def order_plan(self, product: str, quantity: int) -> tuple[tuple[str, float, float], ...]:
        """(stage, units it works on, expected time) for each stage an order passes after the
        decoupling point; memoised, as orders repeat a few (product, quantity) pairs."""
        key = (product, quantity)
        plan = self._order_plans.get(key)
        if plan is None:
            sc = self.scenario
            steps = []
            for stage in sc.order_stages:
                units = sc.stage_units(stage, product, quantity)
                steps.append((stage, units, sc.expected_stage_time(stage, units)))
            plan = self._order_plans[key] = tuple(steps)
        return plan

    # ------------------------------------------------------------------ demand

    def inquiries(self, channel: str):
        """Step 2: a (seasonal) Poisson stream of inquiries through one channel, by thinning."""
        env = self.env
        sc = self.scenario
        season = sc.steps.generation.seasonality
        rate = sc.steps.generation.channels[channel].rate_per_day
        peak = rate * (1 + season.amplitude)
        rng = self.streams(f"demand.arrivals.{channel}")
        gap = batched(lambda n: rng.exponential(1 / peak, n))
        thinning_rng = self.streams(f"demand.thinning.{channel}")
        keep = batched(lambda n: thinning_rng.random(n))
        two_pi = 2 * math.pi
        while True:
            yield env.timeout(gap())
            if season.amplitude > 0:
                factor = 1 + season.amplitude * math.sin(
                    two_pi * (env.now - season.phase_days) / season.period_days)
                if keep() * (1 + season.amplitude) > factor:
                    continue
            order = self.new_order(channel)
            env.process(self.cycle.order(order))

    def new_order(self, channel: str) -> Order:
        sc = self.scenario
        cls = self._customer_class()
        spec = sc.customers[cls]
        product = self._product()
        quantity = max(1, round(self._size[product]()))
        lead = self._lead_time[cls]()
        customer = f"{cls}-{int(self._customer_index() * spec.count):03d}"
        visits = sc.steps.service.visits if self._serviced() else 0
        now = self.env.now
        rule = sc.priority_rule
        priority = now + lead if rule == "edd" else (spec.priority if rule == "priority" else 0)
        o = Order(len(self.orders), now, channel, cls, customer, product, quantity, lead,
                  self._invoice_error(), self._returned(), visits, priority)
        self.orders.append(o)
        return o

    def quoted_lead_time(self, o: Order) -> float:
        """Step 3's promise: planned admin time, a replenishment lead time if the decoupling stock
        cannot cover the order now, and each downstream stage's time given the work queued there."""
        sc = self.scenario
        quote = self._admin_lead_time
        sp = self.codp_stock
        if sp is not None:
            short = [item for item, qty in self.codp_needs(o)
                     if sp.on_hand[item] < qty or sp.waiting_orders(item)]
            if short:
                quote += sc.expected_stage_time(sp.producer, o.quantity)
        for stage, _, mean in self.order_plan(o.product, o.quantity):
            station = self.stages[stage]
            c = station.capacity
            queued_ahead = max(0, station.in_system() - c + 1) if c else 0
            quote += mean * (1 + (queued_ahead / c if c else 0))
        return quote

    def codp_needs(self, o: Order) -> list[tuple[str, int]]:
        if self.scenario.codp == "finished_goods":
            return [(o.product, o.quantity)]
        bom = self.scenario.products[o.product].bill_of_materials
        return [(comp, units * o.quantity) for comp, units in bom.items()]

    # ------------------------------------------------------------------ milestones

    def receive(self, o: Order) -> None:
        o.received = self.env.now
        o.due = o.received + o.demand_lead_time
        if self.scenario.priority_rule == "edd":
            o.priority = o.due

    def lose(self, o: Order) -> None:
        o.status = "lost"

    def reject(self, o: Order) -> None:
        o.status = "rejected"

    def deliver(self, o: Order) -> None:
        o.status = "delivered"
        o.delivered = self.env.now

    def pay(self, o: Order) -> None:
        o.paid = self.env.now

    def settle_return(self, o: Order) -> None:
        fg = self.stock.get("finished_goods")
        if self.restocked() and fg is not None and self.codp_stock is fg:
            fg.restock(o.product, o.quantity)

    # ------------------------------------------------------------------ run

    def start(self) -> None:
        env = self.env
        env.process(self.planner.run())
        for channel in self.scenario.steps.generation.channels:
            env.process(self.inquiries(channel))
        for name, stage in self.scenario.chain.stages.items():
            if stage.breakdowns is not None:
                for server in range(stage.servers):
                    env.process(self.chain.breakdowns(
                        self.stages[name],
                        stage.breakdowns.time_between_failures.sampler(
                            self.streams(f"breakdowns.{name}.{server}.ttf")),
                        stage.breakdowns.repair_time.sampler(
                            self.streams(f"breakdowns.{name}.{server}.repair")),
                    ))

    def open_work(self) -> dict[str, int]:
        """Cases queued or in work at each department and stage now (read at the run's end)."""
        return {name: st.in_system() for name, st in (*self.departments.items(), *self.stages.items())}

    def events_processed(self) -> int:
        # Exact in simpy 4.1.x (pinned): every scheduled event took an id; those still queued
        # were not processed. _eid and _queue are private, read once after the run.
        return next(self.env._eid) - len(self.env._queue)


@contextmanager
def _no_cycle_collection():
    """Python's cycle collector off while the model runs: each full collection walks every live
    object, and a backlog that grows without bound (an overloaded station) made the run's cost
    per day grow with it (x3 over 180 days at ten times the default demand). The running model
    leaves no cyclic garbage (SimPy's events and processes are freed by reference counting);
    the collector is restored as it was, whatever happens."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def simulate(scenario: Scenario, seed: Seed = 1, progress: bool = False) -> RunResult:
    """Run ``scenario`` once with ``seed``: a pure function of the two."""
    from ..result import RunResult

    wall = time.perf_counter()
    world = World(scenario, seed)
    world.start()
    env = world.env
    chunks = 100
    if progress:
        from tqdm import tqdm

        with tqdm(total=chunks, desc=f"{scenario.name} (seed {seed})", unit="%", leave=False,
                  disable=None) as bar, _no_cycle_collection():
            for k in range(1, chunks + 1):
                env.run(until=world.end * k / chunks)
                bar.update(1)
    else:
        with _no_cycle_collection():
            env.run(until=world.end)
    # Each run(until=...) call takes two event ids of its own (simpy 4.1); leave out the extra
    # calls' so the count is the model's, with or without a progress bar.
    sim_events = world.events_processed() - (2 * (chunks - 1) if progress else 0)
    return RunResult.from_world(world, sim_events, time.perf_counter() - wall)
