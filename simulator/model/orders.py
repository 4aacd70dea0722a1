"""Demand and orders: inquiries arriving (step 2), what each one is, and the milestones an order
passes (received, due, promised, delivered, paid); its quote and promise (step 3) are
model/promising.py's."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from ..distributions import batched

if TYPE_CHECKING:
    from .context import RunContext

NAN = float("nan")


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
    units_requested: int = 0
    units_from_stock: int = 0
    invoice_error: bool
    returned: bool
    visits: int


ORDER_COLUMNS = tuple(f.name for f in fields(Order))
"""The columns of ``RunResult.orders``, one per attribute of an order, in this order."""


class Demand:
    def __init__(self, world: RunContext):
        self.world = world
        self.plan = world.plan
        self.orders: list[Order] = []

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
                  visits=visits, priority=priority)
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
        """A returned order is restocked where the product is held at its region's site, if it
        is held there (the decoupling stock of a make-to-stock product); else it leaves the model."""
        w = self.world
        site = self.plan.regions[o.region].site
        sp = self.plan.takes_stock(o.product, site, o.product)
        if w.samplers.restocked() and sp is not None:
            w.stock[sp].restock(o.product, o.quantity)

    def columns(self) -> dict[str, list]:
        orders = self.orders
        return {c: [getattr(o, c) for o in orders] for c in ORDER_COLUMNS}


__all__ = ["ORDER_COLUMNS", "Demand", "Order"]
