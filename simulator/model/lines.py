"""Step 7 for an order of several lines (docs/order-life.md, "Lines and shipping").

The lines are obtained in parallel, each by the flow of its product at its own site: the
region's, or the one distributed order management chose for the line (model/sourcing.py). The
order's own case follows the line with the longest expected route (so its records still tile the
order's time); every other line runs as a job of kind ``line`` in the job log, and the order then
waits for them ("other lines"). Ship partial: each line ships on its site's lane as soon as it is
ready; the order is delivered with its last line. Ship complete: once the last line is ready,
one shipment per site the lines came from, all handed over at once, each on its site's lane (the
order's own case carries its own line's, a side job each other one); the order is delivered when
the last of them arrives. With ``split_quantities`` a line taken from finished goods that are
only partly on hand ships that part at once and the rest when it arrives, both from the line's
own site on that site's lane (for pickup in store: to the store, collected once both are in).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..records import REASON_CODE
from .flow import FULFILLMENT, LINE
from .orders import SHIPPING

if TYPE_CHECKING:
    from .context import RunContext
    from .orders import Line, Order


class LineFlow:
    def __init__(self, world: RunContext):
        self.w = world
        self.plan = world.plan
        self.flow = world.flow
        self.partial = {c: spec.shipping != "complete" for c, spec in world.scenario.customers.items()}
        self.split = {c: spec.split_quantities for c, spec in world.scenario.customers.items()}
        self._parts: dict[int, list] = {}  # order id -> the processes shipping parts of lines
        self.wait_activity = world.activities("other lines")
        self._expected: dict[tuple, float] = {}

    def expected(self, product: str, region: str, quantity: int, site: str = "") -> float:
        """Expected days of work on a line's longest path from ``site`` ("" = the region's), no
        queueing (0 for a download)."""
        key = (product, region, quantity, site)
        days = self._expected.get(key)
        if days is None:
            days = self._expected[key] = (0.0 if self.plan.digital(product) else sum(
                mean for _, mean in self.w.promising.route(product, region, quantity, site)[1]))
        return days

    def fulfil(self, o: Order):
        """The order's lines in parallel, then its shipments (ship complete) or its last line's
        arrival (ship partial). Each physical line is fulfilled at its ``site`` (set by
        distributed order management; else the region's)."""
        w = self.w
        env = w.env
        plan = self.plan
        assert o.lines is not None
        partial = self.partial[o.customer_class]
        region = plan.regions[o.region]
        lane = region.lane  # holds the order's wait for its other lines
        for line in o.lines:
            if not line.site and not plan.digital(line.product):
                line.site = region.site
        # Longest expected line first (a stable sort: the order's own product breaks ties).
        lines = sorted(o.lines, key=lambda ln: -self.expected(ln.product, o.region, ln.quantity,
                                                              ln.site))
        side = []
        cancellable = w.changes is not None and w.changes.held(o) is not None
        for line in lines[1:]:
            line.job = self.flow.new_job(LINE, None, line.product, line.quantity)
            run = self._line(line.job, w.job_log, o, line, partial)
            side.append(env.process(self.flow.side(run) if cancellable else run))
        if cancellable and side:  # a cancellation stops them too (model/changes.py)
            w.changes.side_jobs(o, side)
        yield from self._line(o.id, w.order_log, o, lines[0], partial)
        queued = env.now
        running = [p for p in side if not p.triggered]
        if running:
            yield env.all_of(running)
        parts = [p for p in self._parts.pop(o.id, ()) if not p.triggered]
        if parts:  # the parts of split lines shipped first are still on their way
            yield env.all_of(parts)
        if env.now > queued:
            w.order_log.add(o.id, FULFILLMENT, self.wait_activity, w.stations[lane].code,
                            REASON_CODE["other lines"], queued, env.now, env.now)
        if partial:
            return
        # Ship complete: one shipment per site's lane, all handed over now.
        groups: dict[str | None, list[Line]] = {}
        for line in lines:
            if not plan.digital(line.product):
                groups.setdefault(plan.ship_lane(o.region, line.site, o.pickup), []).append(line)
        if not groups:
            return
        shipments = list(groups.items())
        for _, group in shipments:
            self._ship(o, group)
        others = [env.process(self._deliver(group[0].job, w.job_log, o, leg, group))
                  for leg, group in shipments[1:]]
        yield from self._deliver(o.id, w.order_log, o, *shipments[0])
        queued = env.now
        running = [p for p in others if not p.triggered]
        if running:  # the order is delivered with its last shipment
            yield env.all_of(running)
        if env.now > queued:
            w.order_log.add(o.id, FULFILLMENT, self.wait_activity, w.stations[lane].code,
                            REASON_CODE["other lines"], queued, env.now, env.now)

    def _deliver(self, case: int, log, o: Order, leg: str | None, group: list[Line]):
        """One shipment of ``group`` on the lane ``leg`` (None: collected where it is, in the
        store), recorded under ``case``."""
        if leg is not None:
            yield from self.flow.carry(case, log, leg, sum(ln.quantity for ln in group),
                                       o.priority)
        now = self.w.env.now
        for line in group:
            line.delivered = now

    def _line(self, case: int, log, o: Order, line: Line, partial: bool):
        """One line: designed if it has no decoupling stock, obtained at its site and, under
        ship partial, shipped at once on that site's lane. ``line`` stands for the order in the flow (it
        counts the units taken from stock)."""
        plan = self.plan
        env = self.w.env
        if plan.digital(line.product):  # a download: delivered as soon as the office is done
            line.ready = line.delivered = env.now
            return
        if plan.designs(line.product):
            yield from self.flow.carry(case, log, plan.engineering, line.quantity, o.priority)
        site = line.site
        if self.split[o.customer_class]:
            stock_point = plan.takes_stock(line.product, site, line.product)
            if stock_point is not None:  # finished goods: the line may ship in parts
                yield from self._split(case, log, o, line, stock_point)
                return
        yield from self.flow.obtain(case, log, line.product, site, line.product, line.quantity,
                                    o.priority, line)
        line.ready = env.now
        if partial:
            self._ship(o, (line,))
            leg = plan.ship_lane(o.region, line.site, o.pickup)
            if leg is not None:  # None: collected from the stock of the store that holds it
                yield from self.flow.carry(case, log, leg, line.quantity, o.priority)
            line.delivered = env.now

    def _split(self, case: int, log, o: Order, line: Line, stock_point: str):
        """A line of a ``partial_units`` class taken from finished goods (``stock_point``): its
        units are demanded at once, as one demand; if only part is on hand, that part is handed
        to the lane at once by a job of its own (kind ``line``, ``Line.part_job``) while the
        case waits for the rest (a backorder, in the priority rule's order) and ships it when
        it arrives. The line is ready when all its units are, shipped at its first shipment and
        delivered when its last part arrives."""
        flow = self.flow
        env = self.w.env
        # Both parts leave from the line's own site on its lane to the region (or to the store
        # the customer collects from; None: that store holds the stock, nothing to carry).
        lane = self.plan.ship_lane(o.region, line.site, o.pickup)
        arrived: list[float] = []
        shipped = [0]

        def first_part(units: int) -> None:
            shipped[0] = units
            self._ship(o, (line,))
            line.part_job = flow.new_job(LINE, None, line.product, units)
            self._parts.setdefault(o.id, []).append(
                env.process(self._carry_part(line, lane, units, o.priority, arrived)))

        yield from flow.take_in_parts(case, log, self.w.stock[stock_point], line.product,
                                      line.quantity, o.priority, line, first_part)
        line.ready = env.now
        self._ship(o, (line,))
        if lane is not None:
            yield from flow.carry(case, log, lane, line.quantity - shipped[0], o.priority)
        if shipped[0]:
            self._arrived(line, arrived)
        else:  # all on hand, or none: it shipped whole
            line.delivered = env.now

    def _carry_part(self, line: Line, lane: str | None, units: int, priority: float,
                    arrived: list[float]):
        if lane is not None:
            yield from self.flow.carry(line.part_job, self.w.job_log, lane, units, priority)
        else:  # a generator all the same: the order waits for this process
            yield self.w.env.timeout(0)
        self._arrived(line, arrived)

    def _arrived(self, line: Line, arrived: list[float]) -> None:
        """One of a split line's two shipments arrived: with the second, the line is
        delivered."""
        arrived.append(self.w.env.now)
        if len(arrived) == 2:
            line.delivered = self.w.env.now

    def _ship(self, o: Order, lines) -> None:
        """``lines`` are handed to the lane now, as one shipment (a line's ``shipped`` is its
        first)."""
        now = self.w.env.now
        if not o.shipments:
            o.first_shipment = now
            o.stage = SHIPPING  # on its way: too late to cancel
        o.shipments += 1
        for line in lines:
            if line.shipped != line.shipped:  # NaN: not shipped before
                line.shipped = now
