"""Stock points: on-hand stock, backorders and the replenishment policy of each item they hold.

Each demand lowers the inventory position (on hand + on order - backordered); a demand that finds
no stock waits as a backorder, served in the order of the priority rule as units arrive. The
policy decides when to release a replenishment job and of what size:

- ``base_stock``: after every demand, order up to the target S, in whole lots;
- ``sS``: when the position is at or below s, order up to S;
- ``RQ``: when the position is at or below R, order Q (as many Q as bring it above R);
- ``TS``: every review period T (a process of its own), order up to S.
"""

from __future__ import annotations

import itertools
from heapq import heapify, heappop, heappush
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..plan import StockPointPlan
    from .context import RunContext


def initial_stock(policy: str, target: int, reorder_point: int, quantity: int | None) -> int:
    """Units on hand at time 0: the order-up-to level, or R + Q under (R, Q)."""
    return reorder_point + quantity if quantity is not None and policy == "RQ" else target


class StockPoint:
    def __init__(self, world: RunContext, spec: StockPointPlan, code: int,
                 targets: dict[str, int], reorder_points: dict[str, int]):
        self.world = world
        self.spec = spec
        self.name = spec.name
        self.code = code
        self.site = spec.site
        self.policy = spec.policy
        self.lot_size = spec.lot_size
        self.quantity = {i: q or 1 for i, q in spec.order_quantity.items()}
        items = self.items = list(spec.active)
        self.target = dict(targets)
        self.reorder = dict(reorder_points)
        start = {i: initial_stock(self.policy, targets.get(i, 0), reorder_points.get(i, 0),
                                  self.quantity[i]) for i in items}
        self.on_hand = dict(start)
        self.position = dict(start)
        self.initial = dict(start)
        self.backordered = dict.fromkeys(items, 0)
        self.demand = dict.fromkeys(items, 0)  # units demanded since the last planning run
        # Running totals for the stock balance: initial + received - issued = on hand, and
        # demanded - issued = backordered.
        self.demanded = dict.fromkeys(items, 0)
        self.issued = dict.fromkeys(items, 0)
        self.received = dict.fromkeys(items, 0)
        self.returned = dict.fromkeys(items, 0)  # of the received: returned goods restocked
        self._waiting: dict[str, list] = {i: [] for i in items}
        self._seq = itertools.count()
        self._key = {i: world.levels.register(self.name, i) for i in items}
        self._continuous = self.policy != "TS"

    def take(self, item: str, qty: int, priority: float):
        """Demand ``qty`` units: serve what is on hand now, backorder the rest.

        Returns (event fired when the whole quantity is allocated or None, units served now).
        """
        self.demand[item] += qty
        self.demanded[item] += qty
        self.position[item] -= qty
        served = 0
        waiting = self._waiting[item]
        if not waiting:  # no one is ahead in the backorder queue
            served = min(self.on_hand[item], qty)
            self.on_hand[item] -= served
            self.issued[item] += served
        event = None
        if served < qty:
            event = self.world.env.event()
            heappush(waiting, [priority, next(self._seq), qty - served, event])
            self.backordered[item] += qty - served
        self._log(item)
        if self._continuous:
            self.review(item)
        return event, served

    def put(self, item: str, qty: int) -> None:
        """Units arrive: allocate them to backorders in priority order, the rest goes on hand."""
        on_hand = self.on_hand[item] + qty
        self.received[item] += qty
        waiting = self._waiting[item]
        while waiting and on_hand > 0:
            head = waiting[0]
            give = min(head[2], on_hand)
            head[2] -= give
            on_hand -= give
            self.issued[item] += give
            self.backordered[item] -= give
            if head[2] == 0:
                heappop(waiting)
                head[3].succeed()
        self.on_hand[item] = on_hand
        self._log(item)

    def restock(self, item: str, qty: int) -> None:
        """Returned goods put back into stock: they count against the target like a receipt."""
        self.returned[item] += qty
        self.position[item] += qty
        self.put(item, qty)

    def withdraw(self, item: str, event) -> int:
        """A cancelled order's backorder (``event``, from :meth:`take`) leaves the queue: the
        units it still waited for are no longer demanded (nor backordered, nor counted against
        the position). Returns those units (0 if it was served in full meanwhile); the units it
        did get go back with :meth:`restock`."""
        waiting = self._waiting[item]
        for entry in waiting:
            if entry[3] is event:
                break
        else:
            return 0
        waiting.remove(entry)  # O(n), rare: entries differ in their sequence number
        heapify(waiting)
        short = entry[2]
        self.demanded[item] -= short
        self.backordered[item] -= short
        self.position[item] += short
        self._log(item)
        return short

    def set_levels(self, item: str, target: int | None, reorder_point: int | None) -> None:
        """Planning sets new levels; a continuous policy reviews at once."""
        if target is not None:
            self.target[item] = target
        if reorder_point is not None:
            self.reorder[item] = reorder_point
        if self._continuous:
            self.review(item)

    def waiting_orders(self, item: str) -> int:
        return len(self._waiting[item])

    def review(self, item: str) -> None:
        """Release a replenishment job if the policy says so."""
        position = self.position[item]
        policy = self.policy
        if policy == "base_stock":
            gap = self.target[item] - position
            if gap <= 0:
                return
            qty = -(-gap // self.lot_size) * self.lot_size  # whole lots that cover the gap
        elif policy == "RQ":
            r = self.reorder[item]
            if position > r:
                return
            q = self.quantity[item]
            qty = ((r - position) // q + 1) * q  # as many Q as bring the position above R
        elif policy == "sS":
            if position > self.reorder[item]:
                return
            qty = self.target[item] - position
            if qty <= 0:
                return
        else:  # TS, at a review
            qty = self.target[item] - position
            if qty <= 0:
                return
        self.position[item] += qty
        self.world.flow.release(self, item, qty)

    def periodic_review(self, period: float):
        """(T, S): every ``period`` days review every item."""
        env = self.world.env
        while True:
            yield env.timeout(period)
            for item in self.items:
                self.review(item)

    def _log(self, item: str) -> None:
        self.world.levels.add(self.world.env.now, self._key[item], self.on_hand[item],
                              self.backordered[item], len(self._waiting[item]))
