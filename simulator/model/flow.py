"""Step 7's physical flow: how an order or a replenishment job obtains units of an item at a site.

At a node (site, item) the plan says whether the case takes stock there (a stock point holds the
item and it is at or upstream of the order's decoupling point) or obtains it by its source: made
at a work centre from the inputs of its bill of materials (obtained in parallel), transferred from
another site along a lane, or bought from a supplier. Stock points release replenishment jobs
(cases of their own in the job log) that flow the same way, upstream of the decoupling point.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..plan import How
from ..records import REASON_CODE
from .stations import REPAIR_PRIORITY, work

if TYPE_CHECKING:
    from .context import RunContext
    from .stock import StockPoint

FULFILLMENT = 6  # index of "fulfillment" in STEPS

JOB_KINDS = ("replenishment", "planning", "repair")
"""What a job (a case of the job log) is: kind codes index this tuple."""
REPLENISHMENT, PLANNING_RUN, REPAIR = range(len(JOB_KINDS))


class Flow:
    def __init__(self, world: RunContext):
        self.world = world
        self.plan = world.plan
        self.jobs: list[tuple] = []  # job id -> (kind, stock point, item, quantity, released)
        act = world.activities
        self._station_activity = {name: act(name) for name in world.stations}
        self._stock_activity: dict[str, int] = {}
        self._inputs_activity: dict[str, int] = {}
        self._delivery_activity = {s: act(f"delivery from {s}") for s in self.plan.suppliers}

    def new_job(self, kind: int, stock_point: str | None = None, item: str | None = None,
                quantity: int = 0) -> int:
        self.jobs.append((JOB_KINDS[kind], stock_point, item, quantity, self.world.env.now))
        return len(self.jobs) - 1

    # ------------------------------------------------------------------ obtaining units

    def obtain(self, case, log, product, site, item, qty, priority, order=None):
        """``case`` obtains ``qty`` of ``item`` at ``site``: from stock, or by its source.
        ``product`` is the order's product (None for a replenishment job, which takes stock
        wherever a stock point replenishes the item)."""
        sp = self.plan.takes_stock(product, site, item)
        if sp is not None:
            yield from self._take(case, log, {sp: [(item, qty)]}, priority, order)
            return
        yield from self._source(case, log, product, site, item, qty, priority, order)

    def _source(self, case, log, product, site, item, qty, priority, order):
        w = self.world
        src = self.plan.source(site, item)
        if src.how is How.MAKE:
            yield from self._inputs(case, log, product, site, item, qty, priority, order)
            yield from work(w.env, log, case, FULFILLMENT, self._station_activity[src.work_center],
                            w.stations[src.work_center], w.samplers.make_time(site, item, qty),
                            priority)
        elif src.how is How.TRANSFER:
            yield from self.obtain(case, log, product, src.source, item, qty, priority, order)
            assert src.station is not None  # a transfer always has its lane
            yield from self.carry(case, log, src.station, qty, priority)
        else:
            yield from self._buy(case, log, src, qty, priority)

    def carry(self, case, log, lane, qty, priority):
        """A lane carries ``qty`` units of the case (transit per shipment or per unit)."""
        w = self.world
        yield from work(w.env, log, case, FULFILLMENT, self._station_activity[lane],
                        w.stations[lane], w.samplers.station_time(lane, qty), priority)

    def _buy(self, case, log, src, qty, priority):
        w = self.world
        env = w.env
        queued = env.now
        yield env.timeout(w.samplers.supplier_delay(src.source))
        log.add(case, FULFILLMENT, self._delivery_activity[src.source],
                w.supplier_codes[src.source], REASON_CODE["supplier"], queued, queued, env.now, qty)
        if src.station is not None:
            yield from self.carry(case, log, src.station, qty, priority)

    def _inputs(self, case, log, product, site, item, qty, priority, order):
        """The inputs of ``qty`` of ``item`` made at ``site``: stock is taken at once (one record
        per stock point), the rest is obtained in parallel."""
        env = self.world.env
        takes: dict[str, list] = {}
        made = []
        for inp, units in self.plan.item_units(item, qty):
            sp = self.plan.takes_stock(product, site, inp)
            if sp is not None:
                takes.setdefault(sp, []).append((inp, units))
            else:
                made.append(env.process(self._source(case, log, product, site, inp, units,
                                                     priority, order)))
        if takes:
            yield from self._take(case, log, takes, priority, order)
        if made:
            yield env.all_of(made)

    def _take(self, case, log, takes, priority, order):
        """Take stock: an order records each stock point it took from (waiting there as a
        backorder if short); a job records only a wait for its inputs."""
        w = self.world
        env = w.env
        queued = env.now
        pending = []
        for sp_name, needs in takes.items():
            sp = w.stock[sp_name]
            events = []
            for item, qty in needs:
                event, served = sp.take(item, qty, priority)
                if order is not None:
                    order.units_requested += qty
                    order.units_from_stock += served
                if event is not None:
                    events.append(event)
            pending.append((sp, events))
        for sp, events in pending:
            if events:
                yield env.all_of(events)
            if order is not None:
                act = self._stock_activity.get(sp.name)
                if act is None:
                    act = self._stock_activity[sp.name] = w.activities(f"stock at {sp.name}")
                log.add(case, FULFILLMENT, act, sp.code,
                        REASON_CODE["stock-out" if events else "none"], queued, env.now, env.now)
            elif events:
                act = self._inputs_activity.get(sp.name)
                if act is None:
                    act = self._inputs_activity[sp.name] = w.activities(f"inputs from {sp.name}")
                log.add(case, FULFILLMENT, act, sp.code, REASON_CODE["inputs"], queued, env.now,
                        env.now)

    # ------------------------------------------------------------------ replenishment

    def release(self, sp: StockPoint, item: str, qty: int) -> None:
        self.world.env.process(self.replenish(sp, item, qty))

    def replenish(self, sp: StockPoint, item: str, qty: int):
        """One replenishment job: obtain ``qty`` of ``item`` by its source, then put it away."""
        w = self.world
        job = self.new_job(REPLENISHMENT, sp.name, item, qty)
        yield from self._source(job, w.job_log, None, sp.site, item, qty, 0, None)
        sp.put(item, qty)

    # ------------------------------------------------------------------ breakdowns

    def breakdowns(self, station, time_between_failures, repair_time):
        """One server of ``station`` fails now and then; a repair takes it out of service."""
        w = self.world
        env = w.env
        resource = station.resource
        activity = w.activities("repair")
        while True:
            yield env.timeout(time_between_failures())
            queued = env.now
            req = resource.request(priority=REPAIR_PRIORITY)
            yield req
            start = env.now
            station.down += 1
            yield env.timeout(repair_time())
            resource.release(req)
            station.down -= 1
            station.last_repair_end = env.now
            w.job_log.add(self.new_job(REPAIR), FULFILLMENT, activity, station.code,
                          REASON_CODE["breakdown"], queued, start, env.now)
