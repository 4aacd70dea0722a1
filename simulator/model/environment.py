"""SimPy's environment with a two-level event queue: the same events in the same order, cheaper.

An order holds a timer far ahead (payment on terms, a return in transit, a service visit weeks
away) for most of its life, so SimPy's one heap grows with the order rate times the longest of
those delays, and every event pays log(n) of it: the large network's heap passed 20,000 entries
and its cost per simulated day grew with the horizon. Here events due before ``boundary`` (the
end of the current day) sit in SimPy's heap; later ones wait in a bucket per day and enter the
heap, heapified, when it runs dry. Every event keeps SimPy's key (time, priority, id), and the
heap holds all events due before any bucket's, so events are processed in exactly SimPy's order:
results and event counts are identical.
"""

from __future__ import annotations

from heapq import heapify, heappop, heappush

import simpy
from simpy.core import EmptySchedule, Infinity, StopSimulation
from simpy.events import NORMAL

WIDTH = 1.0  # days per bucket: the heap holds about a day of events
_FAR = 1e15  # beyond any horizon: one bucket holds these (a timer that never fires)


class Environment(simpy.Environment):
    def __init__(self, initial_time: float = 0):
        super().__init__(initial_time)
        self._buckets: dict[int, list] = {}
        self._days: list[int] = []  # bucket keys, a heap
        self._boundary = (initial_time // WIDTH + 1) * WIDTH

    def schedule(self, event, priority=NORMAL, delay=0) -> None:
        at = self._now + delay
        if at < self._boundary:
            heappush(self._queue, (at, priority, next(self._eid), event))
            return
        day = int(min(at, _FAR) // WIDTH)
        bucket = self._buckets.get(day)
        if bucket is None:
            bucket = self._buckets[day] = []
            heappush(self._days, day)
        bucket.append((at, priority, next(self._eid), event))

    def _refill(self) -> bool:
        """The heap ran dry: the earliest bucket becomes the heap (False: nothing is left)."""
        if not self._days:
            return False
        day = heappop(self._days)
        queue = self._buckets.pop(day)
        heapify(queue)
        self._queue = queue
        self._boundary = (day + 1) * WIDTH
        return True

    def pending(self) -> int:
        """Events scheduled and not yet processed."""
        return len(self._queue) + sum(len(b) for b in self._buckets.values())

    def peek(self) -> float:
        if not self._queue and not self._refill():
            return Infinity
        return self._queue[0][0]

    def step(self) -> None:
        # SimPy 4.1's step (pinned), reading the heap after a refill.
        if not self._queue and not self._refill():
            raise EmptySchedule
        self._now, _, _, event = heappop(self._queue)
        callbacks, event.callbacks = event.callbacks, None  # type: ignore[assignment]
        try:
            for callback in callbacks:
                callback(event)
        except StopSimulation:
            event.callbacks = callbacks[callbacks.index(callback) + 1:]
            self.schedule(event, -1)  # as SimPy: before anything else at this time
            raise
        if not event._ok and not hasattr(event, "_defused"):
            exc = type(event._value)(*event._value.args)
            exc.__cause__ = event._value
            raise exc


__all__ = ["WIDTH", "Environment"]
