"""SimPy's environment with a two-level event queue: the same events in the same order, cheaper.

An order holds a timer far ahead (payment on terms, a return in transit, a service visit weeks
away) for most of its life, so SimPy's one heap grows with the order rate times the longest of
those delays, and every event pays log(n) of it: the large network's heap passed 20,000 entries
and its cost per simulated day grew with the horizon. Here events due before ``boundary`` (the
end of the current bucket: a day, or a fraction of one as orders arrive faster, see
:func:`width`) sit in SimPy's heap; later ones wait in a bucket each and enter the heap,
heapified, when it runs dry. Every event keeps SimPy's key (time, priority, id), and the
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
from operator import attrgetter

import simpy
from simpy.core import EmptySchedule, Infinity, StopSimulation
from simpy.events import NORMAL, URGENT, Event

WIDTH = 1.0  # days per bucket by default: the heap holds about a day of events
_FAR = 1e15  # beyond any horizon: one bucket holds these (a timer that never fires)
_PER_BUCKET = 20.0  # orders arriving per bucket that keep the heap short (measured, see width())


def width(orders_per_day: float) -> float:
    """Days per bucket for a model whose orders arrive at ``orders_per_day``: a day, halved
    until about ``_PER_BUCKET`` orders arrive per bucket. The heap holds the events due within
    a bucket, so a day's worth grows with the order rate (about 850 events in the large
    network, 23 in default); a narrower bucket keeps each event's push and pop short. A power
    of two, so bucket boundaries are exact; any width gives the same order of events."""
    w = WIDTH
    while orders_per_day * w > _PER_BUCKET and w > 2.0 ** -10:
        w /= 2
    return w


class Environment(simpy.Environment):
    # Read per event (1.6 reads each in default): a C getter, not SimPy's Python property.
    now = property(attrgetter("_now"))

    def __init__(self, initial_time: float = 0, width: float = WIDTH):
        super().__init__(initial_time)
        # SimPy binds env.timeout, env.process... to the instance only for its own class
        # (BoundClass.bind_early reads the class's own __dict__): a subclass made a new bound
        # method at every env.timeout. Bound once here.
        for name, attr in vars(simpy.Environment).items():
            if isinstance(attr, simpy.core.BoundClass):
                setattr(self, name, getattr(self, name))
        self._width = width
        self._buckets: dict[int, list] = {}
        self._days: list[int] = []  # bucket keys, a heap
        self._boundary = (initial_time // width + 1) * width
        self._due_now: deque = deque()  # (now, NORMAL, id, event), in key order

    def schedule(self, event, priority=NORMAL, delay=0) -> None:
        if not delay and priority == NORMAL:
            self._due_now.append((self._now, NORMAL, next(self._eid), event))
            return
        at = self._now + delay
        if at < self._boundary:
            heappush(self._queue, (at, priority, next(self._eid), event))
            return
        day = int(min(at, _FAR) // self._width)
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
        queue = self._queue
        queue += self._buckets.pop(day)  # in place: run() holds the heap in a local
        heapify(queue)
        self._boundary = (day + 1) * self._width
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
        """Process the next event (SimPy's step)."""
        self._loop(once=True)

    def run(self, until: float | Event | None = None):
        """SimPy 4.1's run (pinned), its loop of ``step()`` calls replaced by :meth:`_loop`:
        one call per run instead of one per event (a call and its local set-up cost about 5%
        of an event's time)."""
        if until is not None:
            if not isinstance(until, Event):
                at = until if isinstance(until, int) else float(until)
                if at <= self._now:
                    raise ValueError(f"until ({at}) must be greater than the current simulation time")
                until = Event(self)
                until._ok = True
                until._value = None
                self.schedule(until, URGENT, at - self._now)
            elif until.callbacks is None:
                return until.value
            until.callbacks.append(StopSimulation.callback)
        try:
            self._loop()
        except StopSimulation as exc:
            return exc.args[0]
        except EmptySchedule:
            if until is not None:
                assert not until.triggered
                raise RuntimeError(f'No scheduled events left but "until" event was not '
                                   f"triggered: {until}") from None
        return None

    def _loop(self, once: bool = False) -> None:
        # SimPy 4.1's step, repeated: the next event by SimPy's key, from the FIFO of events due
        # now or the heap (refilled in place from the next bucket when it runs dry), its
        # callbacks run. Ends by StopSimulation or EmptySchedule, or after one event if ``once``.
        due_now = self._due_now
        popleft = due_now.popleft
        queue = self._queue  # refilled in place, never rebound
        while True:
            if due_now:
                if queue and queue[0] < due_now[0]:  # ids differ: events are never compared
                    self._now, _, _, event = heappop(queue)
                else:
                    event = popleft()[3]
            else:
                if not queue and not self._refill():
                    raise EmptySchedule
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
            if once:
                return


__all__ = ["WIDTH", "Environment", "width"]
