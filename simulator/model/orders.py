"""Demand and orders: inquiries arriving (step 2), what each one is, its quote (step 3), and the
milestones an order passes (received, due, delivered, paid)."""

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
    due: float = NAN
    delivered: float = NAN
    invoiced: float = NAN
    paid: float = NAN
    status: str = "open"
    rejected_for: str = ""  # why a rejected order was: credit, card declined, fraud
    units_requested: int = 0
    units_from_stock: int = 0
    site: str = ""  # the site that fulfilled it (distributed order management: the one chosen)
    pickup: bool = False  # collected by the customer in the region's store
    sourced_by: str = ""  # why that site, in words (distributed order management only)
    cost_to_serve: float = NAN  # transport on its last leg + handling at the site
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
        steps = world.scenario.steps
        self._admin_lead_time = sum(
            getattr(steps, s).time.mean() for s in ("entry", "selection", "scheduling")
        ) + steps.pricing.quote_margin_days
        self._routes: dict[tuple, tuple] = {}
        self._to_store = {c: ch.returns_to == "store"
                          for c, ch in steps.generation.channels.items()}

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

    # ------------------------------------------------------------------ step 3

    def route(self, o: Order) -> tuple:
        """(takes, ops) of an order of its product and size from its region, memoised: the
        stock it takes at its decoupling point as (stock point, item, units), and the work done
        for it along the longest expected path as (station, expected days)."""
        key = (o.product, o.region, o.quantity, o.site, o.pickup)
        route = self._routes.get(key)
        if route is None:
            route = self._routes[key] = self.plan.order_route(*key[:3], o.site or None, o.pickup)
        return route

    def quoted_lead_time(self, o: Order) -> float:
        """Step 3's promise: planned admin time, a replenishment lead time if the decoupling stock
        cannot cover the order now, and each station's time on the order's longest path given
        the work queued there."""
        w = self.world
        quote = self._admin_lead_time
        takes, ops = self.route(o)
        short = 0.0
        for sp_name, item, units in takes:
            sp = w.stock[sp_name]
            if sp.on_hand[item] < units or sp.waiting_orders(item):
                short = max(short, self.plan.source_time(sp.site, item, o.quantity))
        quote += short
        for station_name, mean in ops:
            if station_name is None:  # a supplier's lead time: no queue of ours
                quote += mean
                continue
            station = w.stations[station_name]
            c = station.capacity
            queued_ahead = max(0, station.in_system() - c + 1) if c else 0
            quote += mean * (1 + (queued_ahead / c if c else 0))
        return quote

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
        site = (region.store if self._to_store.get(o.channel) else None) or o.site or region.site
        sp = self.plan.takes_stock(o.product, site, o.product)
        if w.samplers.restocked() and sp is not None:
            w.stock[sp].restock(o.product, o.quantity)

    def columns(self) -> dict[str, list]:
        orders = self.orders
        return {c: [getattr(o, c) for o in orders] for c in ORDER_COLUMNS}


__all__ = ["ORDER_COLUMNS", "Demand", "Order"]
