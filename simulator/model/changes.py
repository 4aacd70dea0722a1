"""Change requests and patience (docs/order-life.md): a customer may ask to cancel an order, or
to change its quantity or date, before fulfilment starts; a customer whose order is late cancels
it once their patience runs out, unless it has shipped.

Built only when some customer class has ``changes`` or ``patience`` (nothing of it runs, nothing
is drawn otherwise). A cancellation interrupts the order's process wherever it waits (SimPy's
``Process.interrupt``): a queue at a department, work centre or lane is left
(:func:`stations.work`), a piece of work in hand is finished first, a backorder is withdrawn
from its stock point; side jobs making inputs for the order stop the same way. Every unit the
order (or a side job of it) took from a stock point goes back there, so stock balances hold;
the work already done on those units is written off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..fields import MAX_UNITS
from ..records import REASON_CODE, REQUOTE
from ..scenario import STEPS
from .orders import SHIPPING

if TYPE_CHECKING:
    from .context import RunContext
    from .orders import Order

FULFILLMENT = STEPS.index("fulfillment")
CUSTOMER, PATIENCE, QUOTE = "customer", "patience", "quote"
"""Why an order was cancelled (``Order.cancelled_for``): the customer's request, their patience,
or the customer refused the quote the firm worked out again after a change."""


class Changes:
    def __init__(self, world: RunContext):
        self.world = world
        self.env = world.env
        s = world.samplers
        self._request = s.change_request
        self._patience = s.patience
        self._spec = {c: spec.changes for c, spec in world.scenario.customers.items()
                      if spec.changes is not None}
        self._edd = world.scenario.priority_rule == "edd"
        act = world.activities
        self._act = {name: act(name) for name in (
            "cancelled", "change quantity", "change date", "change refused", REQUOTE)}
        self._pricing = world.departments[world.scenario.steps.pricing.department].code
        self._tolerance = {c: spec.quote_tolerance for c, spec in world.scenario.customers.items()}
        self._process: dict[int, object] = {}  # order id -> its process
        self._held: dict[int, list] = {}  # order id -> [(stock point, item, units, event)]
        self._sides: dict[int, list] = {}  # order id -> its side jobs' processes
        self._waits: dict[int, float] = {}  # order id -> days of patience beyond the due date

    # ------------------------------------------------------------------ called by the model

    def watch(self, o: Order) -> None:
        """At receipt, from the order's own process: draw its change request (when it comes,
        what it asks) and its patience, and set their timers."""
        cls = o.customer_class
        request = self._request.get(cls)
        patience = self._patience.get(cls)
        if request is None and patience is None:
            return
        env = self.env
        self._process[o.id] = env.active_process
        self._held[o.id] = []
        if request is not None:
            kind, delay, factor, lead_time = request
            # Every draw is made for every order (common random numbers across designs).
            u, after, f = kind(), delay(), factor()
            new_d = lead_time() if lead_time is not None else None
            spec = self._spec[cls]
            what = ("cancel" if u < spec.cancel else
                    "quantity" if u < spec.cancel + spec.quantity else
                    "date" if u < spec.cancel + spec.quantity + spec.date else None)
            if what is not None:
                self._at(after, lambda: self._change(o, what, f, new_d))
        if patience is not None:
            self._waits[o.id] = patience()
            self._at(o.due + self._waits[o.id] - env.now, lambda: self._run_out(o))

    def held(self, order: Order) -> list | None:
        """The list of stock an order that may be cancelled took (None for other orders)."""
        return self._held.get(order.id)

    def side_jobs(self, order: Order, processes: list) -> None:
        self._sides.setdefault(order.id, []).extend(processes)

    def cancelled(self, o: Order) -> None:
        """The order's process stopped (the interrupt reached its story): record the
        cancellation."""
        w = self.world
        reason = REASON_CODE["patience" if o.cancelled_for == PATIENCE else "customer cancel"]
        w.order_log.add(o.id, min(o.stage, FULFILLMENT), self._act["cancelled"], w.customer_code,
                        reason, o.cancelled, o.cancelled, o.cancelled)
        self._forget(o)

    # ------------------------------------------------------------------ the timers

    def _at(self, delay: float, then) -> None:
        """Call ``then()`` after ``delay`` days (one event, no process)."""
        self.env.timeout(max(0.0, delay)).callbacks.append(lambda _: then())

    def _change(self, o: Order, what: str, factor: float, new_d: float | None) -> None:
        if o.status != "open":
            self._forget(o)
            return
        if o.stage >= FULFILLMENT:  # too late: fulfilment has started
            self._record(o, "change refused", "customer cancel" if what == "cancel" else "change")
            return
        if what == "cancel":
            self._cancel(o, CUSTOMER)
            return
        o.changed = True
        if what == "quantity":
            o.quantity = min(MAX_UNITS, max(1, round(o.quantity * factor)))
            if o.lines is None:
                o.units = o.quantity
            else:  # every line changes by the same factor (the first is the order's own)
                o.lines[0].quantity = o.quantity
                for line in o.lines[1:]:
                    line.quantity = min(MAX_UNITS, max(1, round(line.quantity * factor)))
                o.units = sum(line.quantity for line in o.lines)
            self._record(o, "change quantity", "change")
            self._requote(o)
            return
        assert new_d is not None  # the format asks a date change for its lead time
        o.demand_lead_time = new_d
        o.due = o.received + new_d
        if self._edd:
            o.priority = o.due  # requests made from now on; those queued keep their place
        self._record(o, "change date", "change")
        if not self._requote(o):
            return
        if o.id in self._waits:  # the patience clock counts from the new due date
            self._at(o.due + self._waits[o.id] - self.env.now, lambda: self._run_out(o))

    def _requote(self, o: Order) -> bool:
        """The changed order is quoted again now by the same promise policy (its allocations
        released and, atp/ctp, the stock its new promise counts on allocated) and recorded (a
        ``re-quote`` record held by pricing). A quote the customer would refuse at pricing
        (above ``quote_tolerance`` x D) they refuse now: the order is cancelled (``quote``).
        Returns whether the order goes on."""
        w = self.world
        promising = w.promising
        o.quote = promising.requote(o)
        now = self.env.now
        tolerance = self._tolerance[o.customer_class]
        refused = tolerance is not None and o.quote > tolerance * o.demand_lead_time
        w.order_log.add(o.id, min(o.stage, FULFILLMENT), self._act[REQUOTE], self._pricing,
                        REASON_CODE["change"], now, now, now)
        if refused:
            self._cancel(o, QUOTE)
            return False
        promising.commit(o)  # the new promise (the requested date without a policy)
        return True

    def _run_out(self, o: Order) -> None:
        if o.status != "open" or o.stage == SHIPPING:
            self._forget(o)
            return
        deadline = o.due + self._waits[o.id]
        if self.env.now < deadline - 1e-9:  # the date was changed to a later one
            return
        self._cancel(o, PATIENCE)

    def _cancel(self, o: Order, why: str) -> None:
        """Stop the order: interrupt its process and its side jobs wherever they wait."""
        o.status = "cancelled"
        o.cancelled_for = why
        o.cancelled = self.env.now
        self.world.promising.release(o)  # its allocations end (model/promising.py)
        # Every unit it took goes back at once (a backorder still waiting is withdrawn), before
        # a unit arriving now could be allocated to it.
        for sp, item, units, event in self._held.pop(o.id, ()):
            short = sp.withdraw(item, event) if event is not None else 0
            if units > short:
                sp.restock(item, units - short)
        self._process[o.id].interrupt(why)  # type: ignore[attr-defined]
        for p in self._sides.pop(o.id, ()):
            if p.is_alive:
                p.interrupt(why)

    def _record(self, o: Order, activity: str, reason: str) -> None:
        w = self.world
        now = self.env.now
        w.order_log.add(o.id, min(o.stage, FULFILLMENT), self._act[activity], w.customer_code,
                        REASON_CODE[reason], now, now, now)

    def _forget(self, o: Order) -> None:
        for table in (self._process, self._held, self._sides, self._waits):
            table.pop(o.id, None)
