"""Stations: the departments and fulfilment stages that hold an order while they work on it.

A station is a SimPy PriorityResource (or nothing, for an unlimited one) plus what the records need:
its code, and when it was last down for repair (so a wait can be blamed on a breakdown).
"""

from __future__ import annotations

import simpy

# A repair jumps the queue of orders (it waits for the job in hand: failures are non-preemptive).
REPAIR_PRIORITY = -1e300


class Station:
    __slots__ = ("capacity", "code", "down", "kind", "last_repair_end", "name", "resource")

    def __init__(self, env: simpy.Environment, name: str, kind: str, capacity: int | None,
                 code: int):
        self.name = name
        self.kind = kind  # "department" or "stage"
        self.capacity = capacity  # None: unlimited
        self.code = code
        self.resource = simpy.PriorityResource(env, capacity) if capacity else None
        self.down = 0
        self.last_repair_end = -1.0

    def in_system(self) -> int:
        """Jobs queued or in service (0 for an unlimited station: nothing queues there)."""
        r = self.resource
        return 0 if r is None else r.count + len(r.queue)

    def broke_since(self, t: float) -> bool:
        return self.down > 0 or self.last_repair_end > t
