"""The fulfilment chain: stock points and the replenishment jobs that refill them.

Every stocked buffer runs a base-stock policy per item: each demand lowers the inventory position
(on hand + on order - backordered) and a replenishment job for the gap to the target (rounded up
to whole lots of the buffer's ``lot_size``) is released to the stage that fills the buffer. That
job first takes its inputs from the buffer upstream (components by the bill of materials for
assembly, raw material for fabrication; procurement buys from suppliers), then queues for the
stage. Upstream of the decoupling point this is push: the
targets come from planning's forecasts. A demand that finds no stock waits as a backorder, served
in the order of the priority rule as replenishments arrive.
"""

from __future__ import annotations

import itertools
from heapq import heappop, heappush
from typing import TYPE_CHECKING

from ..records import REASON_CODE
from .stations import REPAIR_PRIORITY

if TYPE_CHECKING:
    from .world import World

FULFILLMENT = 6  # index of "fulfillment" in STEPS


class StockPoint:
    """One buffer: on-hand stock, backorders and the base-stock target of each item."""

    def __init__(self, world: World, name: str, items: list[str], targets: dict[str, int],
                 producer: str, upstream: StockPoint | None):
        self.world = world
        self.name = name
        self.producer = producer
        self.lot_size = world.scenario.buffer(name).lot_size
        self.upstream = upstream
        self.items = items
        self.target = dict(targets)
        self.on_hand = dict(targets)
        self.position = dict(targets)
        self.backordered = dict.fromkeys(items, 0)
        self.demand = dict.fromkeys(items, 0)  # units demanded since the last planning run
        # Running totals for the stock balance: initial + received - issued = on hand, and
        # demanded - issued = backordered.
        self.demanded = dict.fromkeys(items, 0)
        self.issued = dict.fromkeys(items, 0)
        self.received = dict.fromkeys(items, 0)
        self._waiting: dict[str, list] = {i: [] for i in items}
        self._seq = itertools.count()
        self._key = {i: world.levels.register(name, i) for i in items}
        self.initial = dict(targets)

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
        self._replenish(item)
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
        self.position[item] += qty
        self.put(item, qty)

    def set_target(self, item: str, target: int) -> None:
        self.target[item] = target
        self._replenish(item)

    def waiting_orders(self, item: str) -> int:
        return len(self._waiting[item])

    def _replenish(self, item: str) -> None:
        gap = self.target[item] - self.position[item]
        if gap > 0:
            qty = -(-gap // self.lot_size) * self.lot_size  # whole lots that cover the gap
            self.position[item] += qty
            self.world.env.process(self.world.chain.replenish(self, item, qty))

    def _log(self, item: str) -> None:
        self.world.levels.add(self.world.env.now, self._key[item], self.on_hand[item],
                              self.backordered[item], len(self._waiting[item]))


class Chain:
    """Runs replenishment jobs; each job is one case in the job log."""

    def __init__(self, world: World):
        self.world = world
        self.jobs: list[tuple] = []  # job id -> (buffer, item, quantity, released)
        self._inputs_activity = {}

    def inputs(self, sp: StockPoint, item: str, qty: int) -> list[tuple[str, int]]:
        """What one job making ``qty`` of ``item`` for ``sp`` takes from the upstream buffer."""
        if sp.name == "finished_goods":
            bom = self.world.scenario.products[item].bill_of_materials
            return [(comp, units * qty) for comp, units in bom.items()]
        return [(item, qty)]  # one raw material unit per component unit

    def replenish(self, sp: StockPoint, item: str, qty: int):
        w = self.world
        env = w.env
        job = len(self.jobs)
        self.jobs.append((sp.name, item, qty, env.now))
        stage = w.stages[sp.producer]
        if sp.upstream is not None:
            queued = env.now
            events = [ev for ev, _ in (sp.upstream.take(i, q, 0) for i, q in self.inputs(sp, item, qty))
                      if ev is not None]
            if events:
                yield env.all_of(events)
                act = self._inputs_activity.get(sp.upstream.name)
                if act is None:
                    act = self._inputs_activity[sp.upstream.name] = w.activities(
                        f"inputs from {sp.upstream.name}")
                w.job_log.add(job, FULFILLMENT, act, w.buffer_codes[sp.upstream.name],
                              REASON_CODE["inputs"], queued, env.now, env.now)
        duration = w.stage_time(sp.producer, qty)
        yield from w.work(w.job_log, job, FULFILLMENT, w.stage_activity[sp.producer], stage,
                          duration, 0)
        sp.put(item, qty)

    def breakdowns(self, stage, time_between_failures, repair_time):
        """One server of ``stage`` fails now and then; a repair takes it out of service."""
        w = self.world
        env = w.env
        resource = stage.resource
        activity = w.activities("repair")
        while True:
            yield env.timeout(time_between_failures())
            queued = env.now
            req = resource.request(priority=REPAIR_PRIORITY)
            yield req
            start = env.now
            stage.down += 1
            yield env.timeout(repair_time())
            resource.release(req)
            stage.down -= 1
            stage.last_repair_end = env.now
            w.job_log.add(-1, FULFILLMENT, activity, stage.code, REASON_CODE["breakdown"],
                          queued, start, env.now)
