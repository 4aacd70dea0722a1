"""SimPy's environment with a two-level event queue: the same events in the same order, cheaper.

An order holds a timer far ahead (payment on terms, a return in transit, a service visit weeks
away) for most of its life, so SimPy's one heap grows with the order rate times the longest of
those delays, and every event pays log(n) of it: the large network's heap passed 20,000 entries
and its cost per simulated day grew with the horizon. Here events due before ``boundary`` (the
end of the current day) sit in SimPy's heap; later ones wait in a bucket per day and enter the
heap, heapified, when it runs dry. Every event keeps SimPy's key (time, priority, id), and the
heap holds all events due before any bucket's, so events are processed in exactly SimPy's order:
results and event counts are identical.

Half the events or more are due at once, at normal priority: a grant, a release, a triggered
event, a process ending. Each such event's key (now, NORMAL, id) is larger than any key so keyed
before it (the same time and priority, a smaller id), so they wait in a FIFO, in key order,
instead of the heap: O(1) each instead of a push and a pop of log(n) comparisons, n being the
events due within the day, which grows with the orders in flight. ``step`` takes the smaller
head of the heap and the FIFO; the FIFO empties before time advances (all its events are due
now).
"""

from __future__ import annotations

from collections import deque
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
        self._due_now: deque = deque()  # (now, NORMAL, id, event), in key order

    def schedule(self, event, priority=NORMAL, delay=0) -> None:
        if not delay and priority == NORMAL:
            self._due_now.append((self._now, NORMAL, next(self._eid), event))
            return
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
        return (len(self._queue) + len(self._due_now)
                + sum(len(b) for b in self._buckets.values()))

    def peek(self) -> float:
        if self._due_now:
            return self._now
        if not self._queue and not self._refill():
            return Infinity
        return self._queue[0][0]

    def step(self) -> None:
        # SimPy 4.1's step (pinned): the next event by SimPy's key, from the FIFO of events due
        # now or the heap (refilled from the next bucket when it runs dry).
        due_now = self._due_now
        queue = self._queue
        if due_now:
            if queue and queue[0] < due_now[0]:  # ids differ: events are never compared
                self._now, _, _, event = heappop(queue)
            else:
                event = due_now.popleft()[3]
        else:
            if not queue:
                if not self._refill():
                    raise EmptySchedule
                queue = self._queue
            self._now, _, _, event = heappop(queue)
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
