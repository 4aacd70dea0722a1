"""Stations: the departments, work centres and lanes that hold an order while they work on it.

A station is a SimPy resource (or nothing, for an unlimited one) plus what the records need:
its code, its calendar's clock (if it keeps office hours or shifts), and when it was last down for
repair (so a wait can be blamed on a breakdown). :func:`work` is the one primitive by which a
station works on a case and the step log records it.

Queues cost O(log n) per request however long they grow (an overloaded station's backlog
grows without bound): SimPy's PriorityResource re-sorts its whole queue at every request and
a list pops its head in O(n), which made a run quadratic in its backlog. SimPy lets a
resource choose its queue type (``PutQueue``); it only appends, reads and pops the head, and
removes a cancelled request.
"""

from __future__ import annotations

import itertools
from collections import deque
from heapq import heapify, heappop, heappush

import simpy
from simpy.core import BoundClass
from simpy.resources.resource import Request

from ..records import REASON_CODE, StepLog

NO_WAIT, QUEUE, BREAKDOWN, CLOSED = (REASON_CODE[r] for r in ("none", "queue", "breakdown", "closed"))

# A repair jumps the queue of orders (it waits for the job in hand: failures are non-preemptive).
REPAIR_PRIORITY = -1e300


class HeapQueue:
    """Pending requests of a :class:`PriorityQueueResource`, as a binary heap.

    Served in the order of SimPy's ``SortedQueue``: by ``PriorityRequest.key`` (priority, time
    requested, not preempt), ties in order of arrival (its sort is stable; here an arrival
    counter), so results are identical to a ``simpy.PriorityResource``."""

    __slots__ = ("_arrivals", "_heap")

    def __init__(self):
        self._heap: list[tuple[tuple, int, Request]] = []
        self._arrivals = itertools.count()

    def append(self, request) -> None:
        heappush(self._heap, (request.key, next(self._arrivals), request))

    def __len__(self) -> int:
        return len(self._heap)

    def __bool__(self) -> bool:
        return bool(self._heap)

    def __getitem__(self, idx: int):
        if idx == 0 and self._heap:
            return self._heap[0][2]
        return sorted(self._heap)[idx][2]  # any other position: rare, so sort a copy

    def __iter__(self):
        return (entry[2] for entry in sorted(self._heap))

    def pop(self, idx: int = -1):
        if idx == 0 and self._heap:
            return heappop(self._heap)[2]
        entry = sorted(self._heap)[idx]
        self._drop(entry)
        return entry[2]

    def remove(self, request) -> None:
        """A cancelled request leaves the queue (rare: O(n))."""
        for entry in self._heap:
            if entry[2] is request:
                self._drop(entry)
                return
        raise ValueError("request not in the queue")

    def _drop(self, entry) -> None:
        self._heap.remove(entry)
        heapify(self._heap)


class FifoQueue(deque):
    """Pending requests of a :class:`FifoResource`: a deque pops its head in O(1)."""

    def pop(self, idx: int = -1):
        if idx == 0:
            return self.popleft()
        if idx == -1:
            return super().pop()
        item = self[idx]
        del self[idx]
        return item


class PriorityQueueResource(simpy.PriorityResource):
    """A ``simpy.PriorityResource`` whose queue is a heap: same service order, O(log n)."""

    PutQueue = HeapQueue


class _FifoRequest(Request):
    """A request that takes (and ignores) a priority, so callers need not know the queue kind."""

    def __init__(self, resource, priority=0, preempt=True):
        super().__init__(resource)


class FifoResource(simpy.Resource):
    """First come first served. Where every request has the same priority this serves in the
    same order as a priority queue (ties go first come) without keeping one."""

    PutQueue = FifoQueue
    request = BoundClass(_FifoRequest)


class Station:
    __slots__ = ("capacity", "clock", "code", "down", "last_repair_end", "name", "resource")

    def __init__(self, env: simpy.Environment, name: str, capacity: int | None,
                 code: int, prioritised: bool = True, clock=None):
        self.name = name
        self.capacity = capacity  # None: unlimited
        self.code = code
        self.clock = clock  # a plan.Clock, or None: open around the clock
        queue = PriorityQueueResource if prioritised else FifoResource
        self.resource = queue(env, capacity) if capacity else None
        self.down = 0
        self.last_repair_end = -1.0

    def in_system(self) -> int:
        """Jobs queued or in service (0 for an unlimited station: nothing queues there)."""
        r = self.resource
        return 0 if r is None else r.count + len(r.queue)


def work(env: simpy.Environment, log: StepLog, case: int, step: int, activity: int,
         station: Station, duration: float, priority: float, reason: int | None = None):
    """``station`` works on ``case`` for ``duration`` days, after waiting for it to open (if it
    keeps a calendar) and queueing for a server by ``priority`` (lower first, ties first come);
    work pauses while it is closed. Appends one record when done; returns when work started."""
    queued = env.now
    resource = station.resource
    clock = station.clock
    if clock is None:  # open around the clock: the common case, kept short (it runs per task)
        if resource is None:
            start = queued
            if duration > 0:
                yield env.timeout(duration)
        else:
            req = resource.request(priority)
            yield req
            start = env.now
            yield env.timeout(duration)
            resource.release(req)
        if reason is None:
            reason = NO_WAIT if start == queued else (
                BREAKDOWN if station.down or station.last_repair_end > queued else QUEUE)
        log.add(case, step, activity, station.code, reason, queued, start, env.now)
        return start
    opened = clock.next_open(queued)
    if opened > queued:
        yield env.timeout(opened - queued)
    req = None
    if resource is not None:
        req = resource.request(priority)
        yield req
    start = env.now
    end = clock.finish(start, duration)
    if end > start:
        yield env.timeout(end - start)
    if resource is not None and req is not None:
        resource.release(req)
    if reason is None:  # the longer of the two waits names the reason
        if opened - queued >= start - opened > 0 or start == opened > queued:
            reason = REASON_CODE[clock.closed_why(queued, opened)]  # hours, or a stop
        elif start > opened:
            reason = BREAKDOWN if station.down or station.last_repair_end > queued else QUEUE
        else:
            reason = NO_WAIT
    log.add(case, step, activity, station.code, reason, queued, start, env.now)
    return start
