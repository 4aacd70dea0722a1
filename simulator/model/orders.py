"""Demand and orders: inquiries arriving (step 2), what each one is, and the milestones an order
passes (received, due, promised, delivered, paid); its quote and promise (step 3) are
model/promising.py's."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

from ..distributions import batched
from ..records import LINE_COLUMNS

if TYPE_CHECKING:
    from .context import RunContext

NAN = float("nan")


@dataclass(slots=True)
class Line:
    """One line of a multi-line order (docs/order-life.md): a product and its quantity, the site
    fulfilling it, the units it demanded at its decoupling point and got from stock at once, and when it was
    ready, shipped (handed to the lane) and delivered (days)."""

    product: str
    quantity: int
    job: int = -1  # the job (kind "line") that fulfils it; -1: the order's own case
    units_requested: int = 0
    units_from_stock: int = 0
    ready: float = NAN
    shipped: float = NAN
    delivered: float = NAN
    order: int = -1  # the order's id
    site: str = ""  # the site that fulfils it: the region's, or sourcing's choice for the line
    part_job: int = -1  # the job (kind "line") that shipped the part on hand of a split line

    @property
    def id(self) -> int:
        """The order's id: a line stands for its order in the flow (what it takes from stock is
        its order's, given back if the order is cancelled: model/changes.py)."""
        return self.order


@dataclass(slots=True, kw_only=True)
class Order:
    """One inquiry and, if it becomes one, the order: its attributes and milestones (days)."""

    id: int
    inquiry: float
    channel: str
    customer_class: str
    customer: str
    region: str
    product: str
    quantity: int
    demand_lead_time: float
    priority: float
    quote: float = NAN
    received: float = NAN
    due: float = NAN  # requested: receipt + D
    promised: float = NAN  # committed (model/promising.py)
    delivered: float = NAN
    invoiced: float = NAN
    paid: float = NAN
    status: str = "open"
    rejected_for: str = ""  # why a rejected order was: credit, card declined, fraud
    cancelled: float = NAN  # when a cancelled order was cancelled
    cancelled_for: str = ""  # who cancelled it: customer (a request) or patience (it was late)
    changed: bool = False  # the customer changed its quantity or date
    units_requested: int = 0
    units_from_stock: int = 0
    site: str = ""  # the site that fulfilled it (distributed order management: the one chosen)
    pickup: bool = False  # collected by the customer in the region's store
    sourced_by: str = ""  # why that site, in words (distributed order management only)
    cost_to_serve: float = NAN  # transport on its last leg + handling at the site
    invoice_error: bool
    returned: bool
    visits: int
    units: int  # all lines' units (the quantity of a single-line order)
    line_count: int = 1
    shipments: int = 0  # shipments to the customer
    first_shipment: float = NAN  # when the first one was handed to the lane
    # The lines of a multi-line order (the first is ``product`` x ``quantity``); None for an
    # order of one line, which keeps its line in the fields above. Not a column.
    lines: list[Line] | None = field(default=None, metadata={"column": False})
    # Where the order is (not a column): the index of the step it is in, or SHIPPING once the
    # lane carries it (its first shipment); what a change request or the customer's patience
    # may still stop (docs/order-life.md).
    stage: int = field(default=0, metadata={"column": False})


SHIPPING = 100
"""``Order.stage`` once the order is on its way to the customer (past every step's index)."""

ORDER_COLUMNS = tuple(f.name for f in fields(Order) if f.metadata.get("column", True))
"""The columns of ``RunResult.orders``, one per attribute of an order, in this order."""


class Demand:
    def __init__(self, world: RunContext):
        self.world = world
        self.plan = world.plan
        self.orders: list[Order] = []
        steps = world.scenario.steps
        self._to_store = {c: ch.returns_to == "store"
                          for c, ch in steps.generation.channels.items()}
        # Classes whose lines may ship in parts: their orders of one line are lines too.
        self._split = {c for c, spec in world.scenario.customers.items() if spec.split_quantities}

    # ------------------------------------------------------------------ step 2

    def inquiries(self, channel: str):
        """Step 2: a (seasonal) Poisson stream of inquiries through one channel, by thinning."""
        w = self.world
        env = w.env
        sc = w.scenario
        season = sc.steps.generation.seasonality
        rate = sc.steps.generation.channels[channel].rate_per_day
        peak = rate * (1 + season.amplitude)
        rng = w.samplers.streams(f"demand.arrivals.{channel}")
        gap = batched(lambda n: rng.exponential(1 / peak, n))
        thinning_rng = w.samplers.streams(f"demand.thinning.{channel}")
        keep = batched(lambda n: thinning_rng.random(n))
        drop = w.disruptions.drop if w.disruptions is not None else None  # a demand drop
        while True:
            yield env.timeout(gap())
            if season.amplitude > 0 and keep() * (1 + season.amplitude) > season.factor(env.now):
                continue
            order = self.new_order(channel)
            if drop is not None and drop(order):
                self.orders.pop()  # it never arrived (its draws are made, as without the drop)
                continue
            env.process(w.cycle.order(order))

    def new_order(self, channel: str) -> Order:
        w = self.world
        sc = w.scenario
        s = w.samplers
        cls = s.customer_class()
        spec = sc.customers[cls]
        product = s.product()
        quantity = max(1, round(s.size[product]()))
        lead = s.lead_time[cls]()
        customer = f"{cls}-{int(s.customer_index() * spec.count):03d}"
        # A digital copy needs no installation (the draw is made all the same: common numbers).
        visits = sc.steps.service.visits if s.serviced() and not w.plan.digital(product) else 0
        now = w.env.now
        rule = sc.priority_rule
        priority = now + lead if rule == "edd" else (spec.priority if rule == "priority" else 0)
        o = Order(id=len(self.orders), inquiry=now, channel=channel, customer_class=cls,
                  customer=customer, region=s.region(), product=product, quantity=quantity,
                  demand_lead_time=lead, invoice_error=s.invoice_error(), returned=s.returned(),
                  visits=visits, priority=priority, units=quantity)
        if cls in s.line_count:  # the class orders lines: draw the others
            extra = s.extra_lines(cls, product)
            if extra:
                o.lines = [Line(product, quantity, order=o.id),
                           *(Line(p, q, order=o.id) for p, q in extra)]
                o.line_count = len(o.lines)
                o.units = quantity + sum(q for _, q in extra)
        if self._split and o.lines is None and cls in self._split:  # fulfilled as a line
            o.lines = [Line(product, quantity, order=o.id)]
        self.orders.append(o)
        return o

    # ------------------------------------------------------------------ milestones

    def receive(self, o: Order) -> None:
        o.received = self.world.env.now
        o.due = o.received + o.demand_lead_time
        if self.world.scenario.priority_rule == "edd":
            o.priority = o.due

    def deliver(self, o: Order) -> None:
        o.status = "delivered"
        o.delivered = self.world.env.now

    def settle_return(self, o: Order) -> None:
        """A returned order is restocked where the product is held at the site that shipped it
        (or, returned to a store, at the region's store), if it is held there (the decoupling
        stock of a make-to-stock product); else it leaves the model."""
        w = self.world
        region = self.plan.regions[o.region]
        store = region.store if self._to_store.get(o.channel) else None
        if not w.samplers.restocked():
            return
        lines = ((o.product, o.quantity, o.site),) if o.lines is None else (
            (line.product, line.quantity, line.site) for line in o.lines)
        for product, quantity, shipped_from in lines:  # the whole order comes back
            site = store or shipped_from or region.site  # each line to the site that shipped it
            sp = self.plan.takes_stock(product, site, product)
            if sp is not None:
                w.stock[sp].restock(product, quantity)

    def columns(self) -> dict[str, list]:
        orders = self.orders
        for o in orders:  # a multi-line order's units at its decoupling points: its lines'
            if o.lines is not None:
                o.units_requested = sum(line.units_requested for line in o.lines)
                o.units_from_stock = sum(line.units_from_stock for line in o.lines)
        return {c: [getattr(o, c) for o in orders] for c in ORDER_COLUMNS}

    def line_columns(self) -> dict[str, list]:
        """One row per line of every order (:data:`LINE_COLUMNS`); an order of one line is its
        own line 0. Empty unless some customer class orders lines."""
        if not self.world.scenario.multi_line:
            return {}
        rows = []
        for o in self.orders:
            lines = o.lines if o.lines is not None else (
                Line(o.product, o.quantity, -1, o.units_requested, o.units_from_stock,
                     o.first_shipment, o.first_shipment, o.delivered, o.id, o.site),)
            for k, line in enumerate(lines):
                rows.append((o.id, k, line.job, line.product, line.quantity, line.site,
                             line.units_requested, line.units_from_stock, line.ready,
                             line.shipped, line.delivered, line_status(o.status, line),
                             line.part_job))
        return {c: [r[i] for r in rows] for i, c in enumerate(LINE_COLUMNS)}


def line_status(order_status: str, line: Line) -> str:
    """The one state a line ends a run in: lost, rejected or cancelled with its order, else
    delivered, shipped (on its way), ready (waiting to ship with the order's other lines) or
    open."""
    if order_status in ("lost", "rejected", "cancelled"):
        return order_status
    for status, when in (("delivered", line.delivered), ("shipped", line.shipped),
                         ("ready", line.ready)):
        if when == when:  # not NaN
            return status
    return "open"


__all__ = ["ORDER_COLUMNS", "SHIPPING", "Demand", "Line", "Order", "line_status"]
