"""Step 3's promise: the lead time the firm quotes and the date it commits to (docs/order-life.md,
"Promises").

A promise is worked out per piece of an order, a (product, quantity) it must deliver from a site,
and an order's promise is its latest piece's: an order of one product is one piece; an order of
several lines is one piece per line, each from its own site (distributed order management may
source siblings at different sites). The quote the customer accepts or refuses is the promise.

- No policy (the default, 0.1's model): the quote is planned admin time, a replenishment lead
  time if the decoupling stock on hand cannot cover the order now, and each station's time on the
  order's longest path scaled by the work queued there; it only screens the inquiry: the firm
  commits to the requested date (promised = due = receipt + D). No ledger is kept.
- ``atp``: available-to-promise. Stock at the decoupling point net of backorders and of earlier
  allocations (units promised from stock to orders that have not taken them yet) covers a piece
  or the piece waits a replenishment lead time; the work downstream at its expected time, no
  queue. The units it covers are allocated to the order until it takes them (or is rejected).
- ``ctp``: capable-to-promise. As ``atp``, with each station's time scaled by its queue (the
  load of the work downstream, as the default quote does).
- ``request``: the requested date is promised (the quote is D).
``atp`` and ``ctp`` add the policy's ``buffer_days``; promised = receipt + quote.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .context import RunContext
    from .orders import Order


def pieces(o: Order) -> tuple[tuple[str, int, str], ...]:
    """What the order must deliver, as (product, quantity, site) pieces: its lines, each from
    its own site (distributed order management's choice; "" = the region's)."""
    if o.lines is None:
        return ((o.product, o.quantity, o.site),)
    return tuple((line.product, line.quantity, line.site) for line in o.lines)


class Promiser:
    def __init__(self, world: RunContext):
        self.world = world
        self.plan = world.plan
        steps = world.scenario.steps
        self._admin_lead_time = sum(
            getattr(steps, s).time.mean() for s in ("entry", "selection", "scheduling")
        ) + steps.pricing.quote_margin_days
        policy = steps.pricing.promising
        self.method = None if policy is None else policy.method
        self.buffer = 0.0 if policy is None else policy.buffer_days
        self.nets = self.method in ("atp", "ctp")  # keeps the allocation ledger
        self.ledger: dict[tuple[str, str], float] = {}
        """(stock point, item) -> units allocated: promised from stock, not yet taken."""
        self._held: dict[int, list[tuple[tuple[str, str], float]]] = {}
        self._offer: tuple[int, dict[tuple[str, str], float]] = (-1, {})
        self._routes: dict[tuple, tuple] = {}

    def route(self, product: str, region: str, quantity: int, site: str = "",
              pickup: bool = False) -> tuple:
        """(takes, ops) of a piece of ``quantity`` units of ``product`` for ``region``, from
        ``site`` (distributed order management's choice; "" = the region's own) and to a store
        for ``pickup``, memoised: the stock it takes at its decoupling point as (stock point,
        item, units), and the work done for it along the longest expected path as (station,
        expected days)."""
        key = (product, region, quantity, site, pickup)
        route = self._routes.get(key)
        if route is None:
            route = self._routes[key] = self.plan.order_route(product, region, quantity,
                                                               site or None, pickup)
        return route

    # ------------------------------------------------------------------ the quote

    def quote(self, o: Order) -> float:
        """The lead time quoted for order ``o`` now, in days: its promise (see the module)."""
        method = self.method
        if method == "request":
            return o.demand_lead_time
        wants: dict[tuple[str, str], float] = {}
        loaded = method != "atp"
        lead = 0.0  # the latest piece's (a plain loop: no generator frame per order)
        for product, quantity, site in pieces(o):
            piece = self._piece(product, quantity, site, o, loaded, wants)
            if piece > lead:
                lead = piece
        if self.nets:
            self._offer = (o.id, wants)  # allocated if the customer accepts (commit)
            return lead + self.buffer
        return lead

    def _piece(self, product: str, quantity: int, site: str, o: Order, loaded: bool,
               wants: dict[tuple[str, str], float]) -> float:
        """Admin time, a replenishment lead time if the decoupling stock cannot cover the piece
        now, and each station's expected time on its longest path (scaled by the work queued
        there if ``loaded``). ``wants``: the units the stock covers, added to it (atp, ctp)."""
        w = self.world
        takes, ops = self.route(product, o.region, quantity, site, o.pickup)
        lead = self._admin_lead_time
        short = 0.0
        nets = self.nets
        for sp_name, item, units in takes:
            sp = w.stock[sp_name]
            if nets:
                key = (sp_name, item)
                if self.available(sp_name, item) - wants.get(key, 0) >= units:
                    wants[key] = wants.get(key, 0) + units
                    continue
            elif sp.on_hand[item] >= units and not sp.waiting_orders(item):
                continue
            short = max(short, self.plan.source_time(sp.site, item, quantity))
        lead += short
        for station_name, mean in ops:
            if station_name is None or not loaded:  # a supplier's lead time: no queue of ours
                lead += mean
                continue
            station = w.stations[station_name]
            c = station.capacity
            queued_ahead = max(0, station.in_system() - c + 1) if c else 0
            lead += mean * (1 + (queued_ahead / c if c else 0))
        return lead

    # ------------------------------------------------------------------ the commitment

    def commit(self, o: Order) -> None:
        """The customer accepted the quote and the order is received: its promised date, and
        (atp, ctp) the stock its promise counted on allocated to it."""
        if not self.nets:
            o.promised = o.due  # the requested date (no policy, or request)
            return
        o.promised = o.received + o.quote
        oid, wants = self._offer
        assert oid == o.id, "commit follows the order's own quote at once"
        if wants:
            ledger = self.ledger
            for key, units in wants.items():
                ledger[key] = ledger.get(key, 0) + units
            self._held[o.id] = list(wants.items())
        self._offer = (-1, {})

    def requote(self, o: Order) -> float:
        """The order's quantity or date changed before fulfilment: its quote worked out again
        now by the same policy, its allocations released first (so it is not netted against
        itself). Returns the new quote; :meth:`commit` makes it the promise."""
        self.release(o)
        return self.quote(o)

    def release(self, o: Order) -> None:
        """The order takes its stock now, or was rejected: its allocations end."""
        held = self._held.pop(o.id, None)
        if held is not None:
            ledger = self.ledger
            for key, units in held:
                ledger[key] -= units

    def available(self, stock_point: str, item: str) -> float:
        """Available-to-promise at (stock point, item) now: on hand net of backorders and of
        allocations."""
        sp = self.world.stock[stock_point]
        return sp.on_hand[item] - sp.backordered[item] - self.ledger.get((stock_point, item), 0)


__all__ = ["Promiser", "pieces"]
