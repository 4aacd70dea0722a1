"""Stations: the departments and fulfilment stages that hold an order while they work on it.

A station is a SimPy resource (or nothing, for an unlimited one) plus what the records need:
its code, and when it was last down for repair (so a wait can be blamed on a breakdown).
"""

from __future__ import annotations

import simpy
from simpy.core import BoundClass
from simpy.resources.resource import Request

# A repair jumps the queue of orders (it waits for the job in hand: failures are non-preemptive).
REPAIR_PRIORITY = -1e300


class _FifoRequest(Request):
    """A request that takes (and ignores) a priority, so callers need not know the queue kind."""

    def __init__(self, resource, priority=0, preempt=True):
        super().__init__(resource)


class FifoResource(simpy.Resource):
    """First come first served. Where every request has the same priority this serves in the
    same order as a PriorityResource (its sort is stable) without re-sorting the queue at every
    request: 10-15% of a run's time on the ten-station benchmark."""

    request = BoundClass(_FifoRequest)


class Station:
    __slots__ = ("capacity", "code", "down", "last_repair_end", "name", "resource")

    def __init__(self, env: simpy.Environment, name: str, capacity: int | None,
                 code: int, prioritised: bool = True):
        self.name = name
        self.capacity = capacity  # None: unlimited
        self.code = code
        queue = simpy.PriorityResource if prioritised else FifoResource
        self.resource = queue(env, capacity) if capacity else None
        self.down = 0
        self.last_repair_end = -1.0

    def in_system(self) -> int:
        """Jobs queued or in service (0 for an unlimited station: nothing queues there)."""
        r = self.resource
        return 0 if r is None else r.count + len(r.queue)
