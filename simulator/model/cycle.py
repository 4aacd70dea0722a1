"""The order management cycle of one order, top to bottom.

``OrderCycle.order`` is the story a teacher can put on a slide: one generator per order, one line
per step. Each step is a small helper; the bookkeeping (what waited, for whom, why) happens in
``World.work`` and the records, not here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..records import REASON_CODE
from ..scenario import STEPS

if TYPE_CHECKING:
    from .world import Order, World

(PLANNING, GENERATION, PRICING, ENTRY, SELECTION, SCHEDULING, FULFILLMENT, BILLING, RETURNS,
 SERVICE) = range(len(STEPS))


class OrderCycle:
    def __init__(self, world: World):
        self.w = world
        self.sc = world.scenario
        act = world.activities
        self.a = {name: act(name) for name in (
            "qualify inquiry", "quote", "order entry", "entry rework", "credit check",
            "credit hold", "schedule", "invoice", "invoice dispute", "invoice correction",
            "payment", "return in transit", "handle return", "wait for visit", "service visit",
        )}
        self.stock_activity = {b: act(f"stock at {b}") for b in world.stock}
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
        self.w.receive(o)
        yield from self.entry(o)
        yield from self.selection(o)
        if o.status == "rejected":
            return
        yield from self.scheduling(o)
        yield from self.fulfillment(o)
        self.w.deliver(o)
        if o.returned or o.visits:
            self.w.env.process(self.after_sales(o))
        yield from self.billing(o)

    # ------------------------------------------------------------------ the steps

    def generation(self, o):
        yield from self._task(o, GENERATION, "qualify inquiry", self.w.step_time["generation"]())

    def pricing(self, o):
        w = self.w
        yield from self._task(o, PRICING, "quote", w.quote_time())
        o.quote = w.quoted_lead_time(o)
        tolerance = self.sc.customers[o.customer_class].quote_tolerance
        if tolerance is not None and o.quote > tolerance * o.demand_lead_time:
            w.lose(o)

    def entry(self, o):
        w = self.w
        yield from self._task(o, ENTRY, "order entry", w.entry_time[o.channel]())
        while w.entry_error():
            yield from self._task(o, ENTRY, "entry rework", w.entry_time[o.channel](),
                                  REASON_CODE["entry rework"])

    def selection(self, o):
        w = self.w
        yield from self._task(o, SELECTION, "credit check", w.step_time["selection"]())
        if w.credit_rejected():
            w.reject(o)
            return
        if w.credit_held():
            yield from self._hold(o, SELECTION, "credit hold", w.credit_hold_time(),
                                  self.dept["selection"].code, REASON_CODE["credit hold"])

    def scheduling(self, o):
        yield from self._task(o, SCHEDULING, "schedule", self.w.step_time["scheduling"]())

    def fulfillment(self, o):
        """Allocate stock at the decoupling point (waiting as a backorder if there is none), then
        the stages downstream of it work on this order."""
        w = self.w
        sp = w.codp_stock
        if sp is not None:
            queued = w.env.now
            events = []
            for item, qty in w.codp_needs(o):
                event, served = sp.take(item, qty, o.priority)
                o.units_requested += qty
                o.units_from_stock += served
                if event is not None:
                    events.append(event)
            if events:
                yield w.env.all_of(events)
            w.order_log.add(o.id, FULFILLMENT, self.stock_activity[sp.name], w.buffer_codes[sp.name],
                            REASON_CODE["stock-out" if events else "none"], queued, w.env.now,
                            w.env.now)
        for stage, units, _ in w.order_plan(o.product, o.quantity):
            yield from w.work(w.order_log, o.id, FULFILLMENT, w.stage_activity[stage],
                              w.stages[stage], w.stage_time(stage, units), o.priority)

    def billing(self, o):
        w = self.w
        yield from self._task(o, BILLING, "invoice", w.step_time["billing"]())
        o.invoiced = w.env.now
        if o.invoice_error:
            yield from self._hold(o, BILLING, "invoice dispute", w.dispute_delay(),
                                  w.customer_code, REASON_CODE["invoice error"])
            yield from self._task(o, BILLING, "invoice correction", w.correction_time())
        yield from self._hold(o, BILLING, "payment", w.payment_wait(), w.customer_code,
                              REASON_CODE["payment terms"])
        w.pay(o)

    def after_sales(self, o):
        """Returns and claims (step 9) and postsales service (step 10), after delivery."""
        w = self.w
        if o.returned:
            yield from self._hold(o, RETURNS, "return in transit", w.return_delay(), w.customer_code,
                                  REASON_CODE["scheduled"])
            yield from self._task(o, RETURNS, "handle return", w.step_time["returns"]())
            w.settle_return(o)
        for _ in range(o.visits):
            yield from self._hold(o, SERVICE, "wait for visit", w.visit_delay(), w.customer_code,
                                  REASON_CODE["scheduled"])
            yield from self._task(o, SERVICE, "service visit", w.step_time["service"]())

    # ------------------------------------------------------------------ helpers

    def _task(self, o, step, activity, duration, reason=None):
        """Staff of the step's department work on the order for ``duration`` days."""
        return self.w.work(self.w.order_log, o.id, step, self.a[activity], self.dept[STEPS[step]],
                           duration, o.priority, reason)

    def _hold(self, o, step, activity, duration, resource, reason):
        """The order waits ``duration`` days, held by ``resource`` (the customer, a department)."""
        w = self.w
        queued = w.env.now
        if duration > 0:
            yield w.env.timeout(duration)
        w.order_log.add(o.id, step, self.a[activity], resource, reason, queued, w.env.now, w.env.now)
