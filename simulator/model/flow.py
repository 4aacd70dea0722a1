"""Step 7's physical flow: how an order or a replenishment job obtains units of an item at a site.

At a node (site, item) the plan says whether the case takes stock there (a stock point holds the
item and it is at or upstream of the order's decoupling point) or obtains it by its source: made
at a work centre from the inputs of its bill of materials (obtained in parallel), transferred from
another site along a lane, or bought from a supplier. Stock points release replenishment jobs
(cases of their own in the job log) that flow the same way, upstream of the decoupling point.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simpy.exceptions import Interrupt

from ..plan import How
from ..records import REASON_CODE
from .stations import REPAIR_PRIORITY, work

if TYPE_CHECKING:
    from .context import RunContext
    from .stock import StockPoint

FULFILLMENT = 6  # index of "fulfillment" in STEPS
SUPPLIER = REASON_CODE["supplier"]

JOB_KINDS = ("replenishment", "planning", "repair", "to_order", "line")
"""What a job (a case of the job log) is: kind codes index this tuple (a ``line`` job fulfils
one line of a multi-line order, beside the order's own case: model/lines.py)."""
REPLENISHMENT, PLANNING_RUN, REPAIR, TO_ORDER, LINE = range(len(JOB_KINDS))


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
        self._splits: dict[tuple, tuple] = {}  # (product, site, needs) -> (takes, branches)
        self._needs: dict[tuple, tuple] = {}  # (item, quantity) -> its inputs
        # (product, site, item, by source) -> the steps for one unit, or None if it branches
        self._lines: dict[tuple, list | None] = {}
        if world.changes is not None:  # orders may be cancelled: remember what they take
            self._issue = self._issue_held  # type: ignore[method-assign, assignment]

    def new_job(self, kind: int, stock_point: str | None = None, item: str | None = None,
                quantity: int = 0) -> int:
        self.jobs.append((JOB_KINDS[kind], stock_point, item, quantity, self.world.env.now))
        return len(self.jobs) - 1

    # ------------------------------------------------------------------ obtaining units

    def obtain(self, case, log, product, site, item, qty, priority, order=None):
        """``case`` obtains ``qty`` of ``item`` at ``site``: from stock, or by its source.
        ``product`` is the order's product (None for a replenishment job, which takes stock
        wherever a stock point replenishes the item). Returns the generator to run (these two
        are plain functions: a generator frame per level would cost every event a frame)."""
        return self._obtain(case, log, product, site, item, qty, priority, order, False)

    def _source(self, case, log, product, site, item, qty, priority, order):
        """The generator obtaining ``qty`` of ``item`` at ``site`` by its source."""
        return self._obtain(case, log, product, site, item, qty, priority, order, True)

    def _obtain(self, case, log, product, site, item, qty, priority, order, by_source):
        # The route of a node does not depend on the quantity (units scale with it), so it is
        # worked out once per node, for one unit, and run for ``qty``.
        key = (product, site, item, by_source)
        steps = self._lines.get(key, False)
        if steps is False:
            sp = None if by_source else self.plan.takes_stock(product, site, item)
            steps = self._lines[key] = (
                [(self.TAKE, ((self.world.stock[sp], ((item, 1),)),))] if sp is not None
                else self._line(product, site, item, 1))
        if steps is not None:  # no parallel branch: one flat sequence
            return self._run_line(case, log, steps, priority, order, qty)
        return self._tree(case, log, product, site, item, qty, priority, order)

    def _tree(self, case, log, product, site, item, qty, priority, order):
        """A route that branches: inputs obtained in parallel (:meth:`_inputs`)."""
        src = self.plan.sources[site, item]
        if src.how is How.MAKE:
            wc = src.work_center
            needs = self._needs.get((item, qty))
            if needs is None:
                needs = self._needs[item, qty] = self.plan.item_units(item, qty)
            yield from self._inputs(case, log, product, site, needs, wc, priority, order)
            yield from self._run_line(case, log, ((self.MAKE, site, item, qty, wc),), priority,
                                      order)
        elif src.how is How.TRANSFER:
            yield from self.obtain(case, log, product, src.source, item, qty, priority, order)
            assert src.station is not None  # a transfer always has its lane
            yield from self.carry(case, log, src.station, qty, priority)
        else:
            yield from self._buy(case, log, src, qty, priority)

    # A route without parallel branches (the chain's, most replenishment jobs) runs as one flat
    # sequence of steps in one generator: nested generators cost every event of the case a
    # frame each (0.1 ran an order's stages in one loop, and so does this).
    TAKE, MAKE, KIT, CARRY, BUY = range(5)

    def _line(self, product, site, item, qty) -> list | None:
        """The steps obtaining ``qty`` of ``item`` at ``site`` by its source, in order, or None
        if the route branches (inputs made in parallel). Whether it branches, and in which
        order its steps come, do not depend on ``qty``."""
        plan = self.plan
        src = plan.sources[site, item]
        if src.how is How.MAKE:
            before = self._line_inputs(product, site, plan.item_units(item, qty))
            return None if before is None else [*before, (self.MAKE, site, item, qty, src.work_center)]
        if src.how is How.TRANSFER:
            sp = plan.takes_stock(product, src.source, item)
            before = ([(self.TAKE, ((self.world.stock[sp], ((item, qty),)),))] if sp is not None
                      else self._line(product, src.source, item, qty))
            return None if before is None else [*before, (self.CARRY, src.station, qty)]
        return [(self.BUY, src, qty)]

    def _line_inputs(self, product, site, needs) -> list | None:
        takes, branches = self._split(product, site, tuple(needs))
        if len(branches) > 1:
            return None
        steps: list = [(self.TAKE, takes)] if takes else []
        if branches:
            wc, items = branches[0]
            if wc is None:
                below = self._line(product, site, items[0][0], items[0][1])
            else:
                below = self._line_inputs(product, site, self.plan.kit_needs(site, items))
                if below is not None:
                    below = [*below, (self.KIT, wc, sum(u for _, u in items))]
            if below is None:
                return None
            steps += below
        return steps

    def _run_line(self, case, log, steps, priority, order, scale=1):
        """Carry out ``steps`` in order, their quantities times ``scale``: the one place a step
        of the flow is done."""
        w = self.world
        env = w.env
        for step in steps:
            kind = step[0]
            if kind == self.TAKE:
                queued = env.now
                for sp, events in self._issue(step[1], priority, order, scale):
                    if events:
                        try:
                            yield env.all_of(events)
                        except Interrupt:  # cancelled: the wait so far is recorded
                            self._record(case, log, sp, events, queued, order)
                            raise
                    self._record(case, log, sp, events, queued, order)
            elif kind == self.MAKE:
                _, site, item, qty, wc = step
                yield from work(env, log, case, FULFILLMENT, self._station_activity[wc],
                                w.stations[wc], w.samplers.make_time(site, item, qty * scale),
                                priority)
            elif kind == self.KIT:
                _, wc, units = step
                yield from work(env, log, case, FULFILLMENT, self._station_activity[wc],
                                w.stations[wc], w.samplers.station_time(wc, units * scale),
                                priority)
            elif kind == self.CARRY:
                _, lane, qty = step
                qty *= scale
                station = w.stations[lane]
                transit = w.samplers.station_time(lane, qty)
                if w.disruptions is not None:  # a late event on the lane
                    transit += w.disruptions.transit_extra(lane, env.now)
                try:
                    start = yield from work(env, log, case, FULFILLMENT,
                                            self._station_activity[lane], station, transit,
                                            priority)
                except Interrupt as stop:  # cancelled: a shipment under way still arrives
                    if hasattr(stop, "finished"):
                        w.shipments.add(log is w.job_log, case, station.code, qty,
                                        stop.finished, env.now)
                    raise
                w.shipments.add(log is w.job_log, case, station.code, qty, start, env.now)
            else:
                yield from self._buy(case, log, step[1], step[2] * scale, priority)

    def take_in_parts(self, case, log, stock_point, item, qty, priority, order, first_part):
        """``case`` demands ``qty`` of ``item`` at ``stock_point`` as one demand, as
        :meth:`obtain` does where the item is taken from stock; if only part of it is on hand,
        ``first_part(units served)`` is called at once, before the wait for the rest (a line
        shipped in parts: model/lines.py)."""
        env = self.world.env
        queued = env.now
        before = order.units_from_stock
        for sp, events in self._issue(((stock_point, ((item, qty),)),), priority, order):
            if events:
                served = order.units_from_stock - before
                if served:
                    first_part(served)
                try:
                    yield env.all_of(events)
                except Interrupt:  # cancelled: the wait so far is recorded
                    self._record(case, log, sp, events, queued, order)
                    raise
            self._record(case, log, sp, events, queued, order)

    def carry(self, case, log, lane, qty, priority):
        """A lane carries ``qty`` units of the case (transit per shipment or per unit)."""
        return self._run_line(case, log, ((self.CARRY, lane, qty),), priority, None)

    def _buy(self, case, log, src, qty, priority):
        w = self.world
        env = w.env
        queued = env.now
        delay, reason = w.samplers.supplier_delay(src.source), SUPPLIER
        if w.disruptions is not None:  # an outage holds it, a late event adds to it
            delay, reason = w.disruptions.delivery(src.source, queued, delay)
        yield env.timeout(delay)
        log.add(case, FULFILLMENT, self._delivery_activity[src.source],
                w.supplier_codes[src.source], reason, queued, queued, env.now)
        if src.station is not None:
            yield from self.carry(case, log, src.station, qty, priority)

    def _inputs(self, case, log, product, site, needs, maker, priority, order):
        """Obtain ``needs`` [(item, units)] at ``site`` for work at ``maker``: stock is taken at
        once (one record per stock point); what is made or brought for the case comes in
        parallel branches (a kit work centre makes its items as one job): the branch with the
        longest expected path by the case itself (its records tile the case's time), the others
        as jobs of their own (kind ``to_order``), which the case then waits for ("inputs")."""
        w = self.world
        env = w.env
        key = (product, site, needs)
        split = self._splits.get(key)
        if split is None:
            split = self._splits[key] = self._split(product, site, needs)
        takes, branches = split
        side = []
        if len(branches) > 1:
            held = w.changes.held(order) if w.changes is not None else None
            for branch in branches[1:]:
                job = self.new_job(TO_ORDER, None, branch[1][0][0], branch[1][0][1])
                run = self._branch(job, w.job_log, product, site, branch, priority, order)
                side.append(env.process(run if held is None else self.side(run)))
            if held is not None:
                w.changes.side_jobs(order, side)
        if takes:
            yield from self._run_line(case, log, ((self.TAKE, takes),), priority, order)
        if branches:
            yield from self._branch(case, log, product, site, branches[0], priority, order)
        if side:
            queued = env.now
            running = [p for p in side if not p.triggered]
            if running:
                yield env.all_of(running)
            if env.now > queued:
                log.add(case, FULFILLMENT, w.activities("inputs made to order"),
                        w.stations[maker].code, REASON_CODE["inputs"], queued, env.now, env.now)

    @staticmethod
    def side(run):
        """A side job of an order that may be cancelled: it stops quietly when interrupted (its
        pieces of work finish, its stock waits are withdrawn by the cancellation)."""
        try:
            yield from run
        except Interrupt:
            return

    def _split(self, product, site, needs) -> tuple[tuple, tuple]:
        """The plan's split of ``needs`` for the run: stock points as objects, branches with the
        longest expected one first (a stable sort: the bill of materials' order breaks ties)."""
        plan = self.plan
        takes, branches = plan.split_inputs(product, site, needs)
        branches = sorted(branches, key=lambda b: -plan.branch_route(product, site, b)[0])
        return (tuple((self.world.stock[sp], tuple(got)) for sp, got in takes.items()),
                tuple((wc, tuple(items)) for wc, items in branches))

    def _branch(self, case, log, product, site, branch, priority, order):
        wc, items = branch
        if wc is None:
            item, units = items[0]
            yield from self._source(case, log, product, site, item, units, priority, order)
            return
        yield from self._inputs(case, log, product, site, tuple(self.plan.kit_needs(site, items)),
                                wc, priority, order)
        yield from self._run_line(case, log, ((self.KIT, wc, sum(u for _, u in items)),),
                                  priority, order)

    def _issue(self, takes, priority, order, scale=1, held=None) -> list[tuple[StockPoint, list]]:
        """Demand every unit at once (so no stock point waits for another): (stock point, events
        still to fire) for each. ``held``: a list to note (stock point, item, units, backorder
        event or None) in, for an order that may be cancelled."""
        pending = []
        for sp, needs in takes:
            events = []
            for item, qty in needs:
                qty *= scale
                event, served = sp.take(item, qty, priority)
                if order is not None:
                    order.units_requested += qty
                    order.units_from_stock += served
                if event is not None:
                    events.append(event)
                if held is not None:
                    held.append((sp, item, qty, event))
            pending.append((sp, events))
        return pending

    def _issue_held(self, takes, priority, order, scale=1) -> list[tuple[StockPoint, list]]:
        """:meth:`_issue` for a run where orders may be cancelled: what an order takes is
        remembered (:meth:`simulator.model.changes.Changes.held`) to be given back."""
        held = self.world.changes.held(order) if order is not None else None
        return Flow._issue(self, takes, priority, order, scale, held)

    def _record(self, case, log, sp, events, queued, order) -> None:
        """An order records each stock point it took from; a job only a wait for its inputs."""
        w = self.world
        now = w.env.now
        if order is not None:
            act = self._stock_activity.get(sp.name)
            if act is None:
                act = self._stock_activity[sp.name] = w.activities(f"stock at {sp.name}")
            log.add(case, FULFILLMENT, act, sp.code,
                    REASON_CODE["stock-out" if events else "none"], queued, now, now)
        elif events:
            act = self._inputs_activity.get(sp.name)
            if act is None:
                act = self._inputs_activity[sp.name] = w.activities(f"inputs from {sp.name}")
            log.add(case, FULFILLMENT, act, sp.code, REASON_CODE["inputs"], queued, now, now)

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
