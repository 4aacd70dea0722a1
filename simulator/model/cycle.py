"""The order management cycle of one order, top to bottom.

``OrderCycle.order`` is the story a teacher can put on a slide: one generator per order, one line
per step. Each step is a small helper; the bookkeeping (what waited, for whom, why) happens in
:func:`stations.work` and the records, not here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simpy.exceptions import Interrupt

from ..records import ACKNOWLEDGE, REASON_CODE
from ..scenario import STEPS
from .lines import LineFlow
from .orders import SHIPPING
from .stations import work

if TYPE_CHECKING:
    from .context import RunContext
    from .orders import Order

(PLANNING, GENERATION, PRICING, ENTRY, SELECTION, SCHEDULING, FULFILLMENT, BILLING, RETURNS,
 SERVICE) = range(len(STEPS))


class OrderCycle:
    def __init__(self, world: RunContext):
        self.w = world
        self.sc = world.scenario
        act = world.activities
        self.a = {name: act(name) for name in (
            "qualify inquiry", "quote", "order entry", "entry rework", "credit check",
            "credit hold", "schedule", "invoice", "invoice dispute", "invoice correction",
            "payment", "return in transit", "handle return", "wait for visit", "service visit",
            ACKNOWLEDGE,
            # Registered only where used, so that runs without them keep their activity codes.
            *(("card authorisation", "fraud check", "fraud review", "prepayment",
               "payment captured") if self.sc.pays else ()),
            *(("refund claim",) if any(world.plan.digital(p) for p in self.sc.products) else ()),
            *(("sourcing",) if world.sourcing is not None else ()),
            *(("customer collects",) if world.samplers.pickup else ()),
        )}
        self.sourcing = world.sourcing
        self.s = world.samplers
        self.demand = world.demand
        self.promise = world.promising
        self.flow = world.flow
        self.changes = world.changes
        self.plan = world.plan
        # Orders of several lines (docs/order-life.md): built only where some class has them.
        self.lines = LineFlow(world) if self.sc.multi_line else None
        d = world.departments
        steps = self.sc.steps
        self.dept = {s: d[getattr(steps, s).department] for s in STEPS if s != "fulfillment"}
        channels = steps.generation.channels
        self.method = {c: ch.method for c, ch in channels.items()}
        self.reviewer = {c: d[ch.fraud_check.review_department or steps.selection.department]
                         for c, ch in channels.items() if ch.fraud_check is not None}

    # ------------------------------------------------------------------ the story

    def order(self, o: Order):
        """One inquiry's journey through the ten steps (planning runs on its own clock)."""
        yield from self.generation(o)
        yield from self.pricing(o)
        if o.status == "lost":
            return
        self.demand.receive(o)
        self.promise.commit(o)
        if self.changes is not None:
            self.changes.watch(o)  # change requests, patience
        try:
            yield from self.entry(o)
            if o.status != "rejected":  # a declined card ends the order at entry
                yield from self.selection(o)
            if o.status == "rejected":
                return
            yield from self.scheduling(o)
            yield from self.fulfillment(o)
        except Interrupt:  # the customer cancelled it (changes.py): it ends here
            self.changes.cancelled(o)
            return
        self.demand.deliver(o)
        if o.returned or o.visits:
            self.w.env.process(self.after_sales(o))
        yield from self.billing(o)

    # ------------------------------------------------------------------ the steps

    def generation(self, o):
        yield from self._task(o, GENERATION, "qualify inquiry", self.s.step_time["generation"]())

    def pricing(self, o):
        yield from self._task(o, PRICING, "quote", self.s.quote_time[o.product]())
        digital = self.plan.digital
        if self.sourcing is not None and (not digital(o.product) or (o.lines is not None and any(
                not digital(ln.product) for ln in o.lines))):
            self.sourcing.prepare(o)  # pickup or not, and the site the quote assumes
        o.quote = self.promise.quote(o)  # model/promising.py
        tolerance = self.sc.customers[o.customer_class].quote_tolerance
        if tolerance is not None and o.quote > tolerance * o.demand_lead_time:
            o.status = "lost"

    def entry(self, o):
        s = self.s
        yield from self._task(o, ENTRY, "order entry", s.entry_time[o.channel]())
        while s.entry_error():
            yield from self._task(o, ENTRY, "entry rework", s.entry_time[o.channel](),
                                  REASON_CODE["entry rework"])
        if self.method[o.channel] == "card":
            yield from self._hold(o, ENTRY, "card authorisation", s.payment_hold[o.channel](),
                                  self.w.customer_code, REASON_CODE["card authorisation"])
            if s.card_declined[o.channel]():
                self._reject(o, "card declined")

    def selection(self, o):
        """The credit check for orders on terms (prepaid and card orders get no credit), the
        channel's fraud check, and the wait for a prepayment."""
        s = self.s
        method = self.method[o.channel]
        if method == "terms":
            yield from self._task(o, SELECTION, "credit check", s.step_time["selection"]())
            if s.credit_rejected():
                self._reject(o, "credit")
                return
            if s.credit_held():
                yield from self._hold(o, SELECTION, "credit hold", s.credit_hold_time(),
                                      self.dept["selection"].code, REASON_CODE["credit hold"])
        if o.channel in s.fraud:
            screen, reviewed, review_time, rejected = s.fraud[o.channel]
            yield from self._task(o, SELECTION, "fraud check", screen())
            if reviewed():
                yield from self._task(o, SELECTION, "fraud review", review_time(),
                                      REASON_CODE["fraud review"], self.reviewer[o.channel])
            if rejected():
                self._reject(o, "fraud")
                return
        if method == "prepayment":
            yield from self._hold(o, SELECTION, "prepayment", s.payment_hold[o.channel](),
                                  self.w.customer_code, REASON_CODE["prepayment"])
            o.paid = self.w.env.now

    def scheduling(self, o):
        """The order is slotted in, and acknowledged: its promised date goes to the customer
        (a record of no duration, held by the scheduling department)."""
        yield from self._task(o, SCHEDULING, "schedule", self.s.step_time["scheduling"]())
        now = self.w.env.now
        self.w.order_log.add(o.id, SCHEDULING, self.a[ACKNOWLEDGE], self.dept["scheduling"].code,
                             REASON_CODE["none"], now, now, now)

    def fulfillment(self, o):
        """Design it if it has no decoupling stock; take stock at its decoupling point (waiting as
        a backorder if there is none) and do the work downstream of it, at every site on its way;
        ship it on the lane to its region. With distributed order management the site is
        chosen first (model/sourcing.py; for an order of lines, a site per line), and an order
        collected in store goes to the region's store, where it waits for the customer."""
        w = self.w
        plan = self.plan
        o.stage = FULFILLMENT  # too late for a change request from now on
        if o.lines is not None:  # its lines in parallel, shipped complete or partial
            assert self.lines is not None  # built wherever a class orders lines
            if self.sourcing is not None:  # the site of each line, chosen now
                picked, o.sourced_by = self.sourcing.decide_lines(o)
                served = [(ln, opt) for ln, opt in zip(o.lines, picked, strict=True) if opt]
                if served:
                    o.cost_to_serve = sum(opt.cost_per_unit * ln.quantity for ln, opt in served)
                yield from self._hold(o, FULFILLMENT, "sourcing", 0.0, self.dept["scheduling"].code,
                                      REASON_CODE["sourcing"])
            self.promise.release(o)  # its lines take their stock now: allocations end
            yield from self.lines.fulfil(o)
            if o.pickup:  # every line is in the store: the cycle ends when the customer collects
                yield from self._collect(o)
            return
        if plan.digital(o.product):
            return  # a download: nothing to make, take or ship
        region = plan.regions[o.region]
        site, lane = region.site, region.lane
        if self.sourcing is not None:  # distributed order management: choose the site now
            option, o.sourced_by = self.sourcing.decide(o)
            site, lane = option.site, option.lane
            o.cost_to_serve = option.cost_per_unit * o.quantity
            yield from self._hold(o, FULFILLMENT, "sourcing", 0.0, self.dept["scheduling"].code,
                                  REASON_CODE["sourcing"])
        o.site = site
        if plan.designs(o.product):
            yield from self.flow.carry(o.id, w.order_log, plan.engineering, o.quantity, o.priority)
        self.promise.release(o)  # it takes its stock now: allocations end
        yield from self.flow.obtain(o.id, w.order_log, o.product, site, o.product,
                                    o.quantity, o.priority, o)
        o.shipments, o.first_shipment = 1, w.env.now  # handed to the lane
        o.stage = SHIPPING  # shipped: too late to cancel
        if lane is not None:  # None: collected from the stock of the store that holds it
            yield from self.flow.carry(o.id, w.order_log, lane, o.quantity, o.priority)
        if o.pickup:  # the cycle ends when the customer collects
            yield from self._collect(o)

    def _collect(self, o):
        yield from self._hold(o, FULFILLMENT, "customer collects", self.s.pickup[o.channel][1](),
                              self.w.customer_code, REASON_CODE["collection"])

    def billing(self, o):
        w, s = self.w, self.s
        yield from self._task(o, BILLING, "invoice", s.step_time["billing"]())
        o.invoiced = w.env.now
        terms = self.method[o.channel] == "terms"
        if not terms:  # the card is charged now; a prepayment is applied to the invoice
            yield from self._hold(o, BILLING, "payment captured", 0.0, w.customer_code,
                                  REASON_CODE["none"])
            if self.method[o.channel] == "card":
                o.paid = w.env.now
        if o.invoice_error:
            yield from self._hold(o, BILLING, "invoice dispute", s.dispute_delay(),
                                  w.customer_code, REASON_CODE["invoice error"])
            yield from self._task(o, BILLING, "invoice correction", s.correction_time())
        if terms:  # the customer pays later; the order's process ends here (see _Paid)
            wait = s.payment_wait()
            if wait > 0:
                w.env.timeout(wait).callbacks.append(_Paid(self, o, w.env.now))
            else:
                _Paid(self, o, w.env.now)(None)

    def after_sales(self, o):
        """Returns and claims (step 9) and postsales service (step 10), after delivery."""
        w, s = self.w, self.s
        if o.returned:
            # A download sends nothing back: the customer claims a refund after the delay.
            yield from self._hold(o, RETURNS, "refund claim" if self.plan.digital(o.product)
                                  else "return in transit", s.return_delay(), w.customer_code,
                                  REASON_CODE["scheduled"])
            yield from self._task(o, RETURNS, "handle return", s.step_time["returns"]())
            self.demand.settle_return(o)
        for _ in range(o.visits):
            yield from self._hold(o, SERVICE, "wait for visit", s.visit_delay(), w.customer_code,
                                  REASON_CODE["scheduled"])
            yield from self._task(o, SERVICE, "service visit", s.step_time["service"]())

    # ------------------------------------------------------------------ helpers

    def _task(self, o, step, activity, duration, reason=None, department=None):
        """Staff of the step's department (or ``department``) work on the order for
        ``duration`` days."""
        o.stage = step
        return work(self.w.env, self.w.order_log, o.id, step, self.a[activity],
                    department or self.dept[STEPS[step]], duration, o.priority, reason)

    def _reject(self, o, why):
        o.status = "rejected"
        o.rejected_for = why
        self.promise.release(o)

    def _hold(self, o, step, activity, duration, resource, reason):
        """The order waits ``duration`` days, held by ``resource`` (the customer, a department)."""
        w = self.w
        o.stage = step
        queued = w.env.now
        if duration > 0:
            yield w.env.timeout(duration)
        w.order_log.add(o.id, step, self.a[activity], resource, reason, queued, w.env.now, w.env.now)


class _Paid:
    """Payment on terms arriving, weeks after the invoice: recorded as a hold by the customer.
    A callback on the payment's timer rather than a step of the order's process, so that the
    many orders waiting to be paid (about 85% of the large network's orders in flight) hold a
    timer and this, not a suspended process and its three generators: the same events in the
    same order, the same records, a smaller working set (the large network's run held 70 MB at
    day 35, now 56 MB)."""

    __slots__ = ("cycle", "order", "queued")

    def __init__(self, cycle: OrderCycle, order: Order, queued: float):
        self.cycle, self.order, self.queued = cycle, order, queued

    def __call__(self, _event) -> None:
        w = self.cycle.w
        o = self.order
        now = w.env.now
        w.order_log.add(o.id, BILLING, self.cycle.a["payment"], w.customer_code,
                        REASON_CODE["payment terms"], self.queued, now, now)
        o.paid = now
