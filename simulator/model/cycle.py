"""The order management cycle of one order, top to bottom.

``OrderCycle.order`` is the story a teacher can put on a slide: one generator per order, one line
per step. Each step is a small helper; the bookkeeping (what waited, for whom, why) happens in
:func:`stations.work` and the records, not here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..records import REASON_CODE
from ..scenario import STEPS
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
        )}
        self.s = world.samplers
        self.demand = world.demand
        self.flow = world.flow
        self.plan = world.plan
        d = world.departments
        steps = self.sc.steps
        self.dept = {s: d[getattr(steps, s).department] for s in STEPS if s != "fulfillment"}

    # ------------------------------------------------------------------ the story

    def order(self, o: Order):
        """One inquiry's journey through the ten steps (planning runs on its own clock)."""
        yield from self.generation(o)
        yield from self.pricing(o)
        if o.status == "lost":
            return
        self.demand.receive(o)
        yield from self.entry(o)
        yield from self.selection(o)
        if o.status == "rejected":
            return
        yield from self.scheduling(o)
        yield from self.fulfillment(o)
        self.demand.deliver(o)
        if o.returned or o.visits:
            self.w.env.process(self.after_sales(o))
        yield from self.billing(o)

    # ------------------------------------------------------------------ the steps

    def generation(self, o):
        yield from self._task(o, GENERATION, "qualify inquiry", self.s.step_time["generation"]())

    def pricing(self, o):
        yield from self._task(o, PRICING, "quote", self.s.quote_time[o.product]())
        o.quote = self.demand.quoted_lead_time(o)
        tolerance = self.sc.customers[o.customer_class].quote_tolerance
        if tolerance is not None and o.quote > tolerance * o.demand_lead_time:
            o.status = "lost"

    def entry(self, o):
        s = self.s
        yield from self._task(o, ENTRY, "order entry", s.entry_time[o.channel]())
        while s.entry_error():
            yield from self._task(o, ENTRY, "entry rework", s.entry_time[o.channel](),
                                  REASON_CODE["entry rework"])

    def selection(self, o):
        s = self.s
        yield from self._task(o, SELECTION, "credit check", s.step_time["selection"]())
        if s.credit_rejected():
            o.status = "rejected"
            return
        if s.credit_held():
            yield from self._hold(o, SELECTION, "credit hold", s.credit_hold_time(),
                                  self.dept["selection"].code, REASON_CODE["credit hold"])

    def scheduling(self, o):
        yield from self._task(o, SCHEDULING, "schedule", self.s.step_time["scheduling"]())

    def fulfillment(self, o):
        """Design it if it has no decoupling stock; take stock at its decoupling point (waiting as
        a backorder if there is none) and do the work downstream of it, at every site on its way;
        ship it on the lane to its region."""
        w = self.w
        plan = self.plan
        region = plan.regions[o.region]
        if plan.designs(o.product):
            yield from self.flow.carry(o.id, w.order_log, plan.engineering, o.quantity, o.priority)
        yield from self.flow.obtain(o.id, w.order_log, o.product, region.site, o.product,
                                    o.quantity, o.priority, o)
        yield from self.flow.carry(o.id, w.order_log, region.lane, o.quantity, o.priority)

    def billing(self, o):
        w, s = self.w, self.s
        yield from self._task(o, BILLING, "invoice", s.step_time["billing"]())
        o.invoiced = w.env.now
        if o.invoice_error:
            yield from self._hold(o, BILLING, "invoice dispute", s.dispute_delay(),
                                  w.customer_code, REASON_CODE["invoice error"])
            yield from self._task(o, BILLING, "invoice correction", s.correction_time())
        yield from self._hold(o, BILLING, "payment", s.payment_wait(), w.customer_code,
                              REASON_CODE["payment terms"])
        o.paid = w.env.now

    def after_sales(self, o):
        """Returns and claims (step 9) and postsales service (step 10), after delivery."""
        w, s = self.w, self.s
        if o.returned:
            yield from self._hold(o, RETURNS, "return in transit", s.return_delay(), w.customer_code,
                                  REASON_CODE["scheduled"])
            yield from self._task(o, RETURNS, "handle return", s.step_time["returns"]())
            self.demand.settle_return(o)
        for _ in range(o.visits):
            yield from self._hold(o, SERVICE, "wait for visit", s.visit_delay(), w.customer_code,
                                  REASON_CODE["scheduled"])
            yield from self._task(o, SERVICE, "service visit", s.step_time["service"]())

    # ------------------------------------------------------------------ helpers

    def _task(self, o, step, activity, duration, reason=None):
        """Staff of the step's department work on the order for ``duration`` days."""
        return work(self.w.env, self.w.order_log, o.id, step, self.a[activity],
                    self.dept[STEPS[step]], duration, o.priority, reason)

    def _hold(self, o, step, activity, duration, resource, reason):
        """The order waits ``duration`` days, held by ``resource`` (the customer, a department)."""
        w = self.w
        queued = w.env.now
        if duration > 0:
            yield w.env.timeout(duration)
        w.order_log.add(o.id, step, self.a[activity], resource, reason, queued, w.env.now, w.env.now)
