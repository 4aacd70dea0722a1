"""Stations: the departments, work centres and lanes that hold an order while they work on it.

A station is a SimPy resource (or nothing, for an unlimited one) plus what the records need:
its code, its calendar's clock (if it keeps office hours or shifts), and when it was last down for
repair (so a wait can be blamed on a breakdown). :func:`work` is the one primitive by which a
station works on a case and the step log records it.

Servers (:class:`Servers`) keep SimPy's ``Resource`` / ``PriorityResource`` semantics event for
event (a grant is an event at the time it is made, a release an event that grants the next
request) without SimPy's generic put/get machinery, which cost more per task than the task's
own bookkeeping; and their queue is a heap or a deque, so a request costs O(log n) however long
an overloaded station's backlog grows (SimPy's PriorityResource re-sorts its whole queue at
every request, and a list pops its head in O(n)).
"""

from __future__ import annotations

import itertools
from collections import deque
from heapq import heapify, heappop, heappush
from typing import Any

import simpy
from simpy.events import Event
from simpy.exceptions import Interrupt

from ..records import REASON_CODE, StepLog

NO_WAIT, QUEUE, BREAKDOWN, CLOSED = (REASON_CODE[r] for r in ("none", "queue", "breakdown", "closed"))

# A repair jumps the queue of orders (it waits for the job in hand: failures are non-preemptive).
REPAIR_PRIORITY = -1e300


class Servers:
    """``capacity`` servers and the queue of requests waiting for one.

    ``request(priority)`` returns an event that fires when a server is granted: at once if one
    is free, else when it reaches the head of the queue (lowest priority first, ties first come;
    FIFO if not ``prioritised``). ``release(request)`` frees the server with a release event at
    the current time that grants the next request: the order of events is exactly that of a
    ``simpy.PriorityResource`` (or ``simpy.Resource``), so results are too."""

    __slots__ = ("_arrivals", "_env", "_prioritised", "capacity", "count", "queue")

    def __init__(self, env: simpy.Environment, capacity: int, prioritised: bool = True):
        self._env = env
        self.capacity = capacity
        self.count = 0  # servers in use
        self._prioritised = prioritised
        # A heap of (priority, time requested, arrival, request), or a deque of requests.
        self.queue: Any = [] if prioritised else deque()
        self._arrivals = itertools.count()

    def request(self, priority: float = 0) -> Event:
        env = self._env
        req = Event(env)
        if self._prioritised:
            heappush(self.queue, (priority, env.now, next(self._arrivals), req))
        else:
            self.queue.append(req)
        if self.count < self.capacity:
            self._grant()
        return req

    def release(self, request: Event) -> None:
        self.count -= 1
        done = Event(self._env)
        done.callbacks.append(self._next)
        done._ok = True
        done._value = None
        self._env.schedule(done)

    def cancel(self, request: Event) -> None:
        """A request that stops waiting leaves the queue (rare: O(n)); a granted one is released."""
        if request.triggered:
            self.release(request)
            return
        if self._prioritised:
            self.queue = [e for e in self.queue if e[3] is not request]
            heapify(self.queue)
        else:
            self.queue.remove(request)

    def _next(self, _event) -> None:
        if self.queue and self.count < self.capacity:
            self._grant()

    def _grant(self) -> None:
        req = heappop(self.queue)[3] if self._prioritised else self.queue.popleft()
        self.count += 1
        req._ok = True
        req._value = None
        self._env.schedule(req)


class Station:
    __slots__ = ("capacity", "clock", "code", "down", "last_repair_end", "name", "resource")

    def __init__(self, env: simpy.Environment, name: str, capacity: int | None,
                 code: int, prioritised: bool = True, clock=None):
        self.name = name
        self.capacity = capacity  # None: unlimited
        self.code = code
        self.clock = clock  # a plan.Clock, or None: open around the clock
        self.resource = Servers(env, capacity, prioritised) if capacity else None
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
                done = env.timeout(duration)
                try:
                    yield done
                except Interrupt as stop:
                    yield from _finish(env, log, case, step, activity, station, None, None, done,
                                       queued, start)
                    stop.finished = start  # type: ignore[attr-defined]
                    raise
        else:
            req = resource.request(priority)
            try:
                yield req
            except Interrupt:
                _leave(env, log, case, step, activity, station, req, queued)
                raise
            start = env.now
            done = env.timeout(duration)
            try:
                yield done
            except Interrupt as stop:
                yield from _finish(env, log, case, step, activity, station, resource, req, done,
                                   queued, start)
                stop.finished = start  # type: ignore[attr-defined]
                raise
            resource.release(req)
        if reason is None:
            reason = NO_WAIT if start == queued else (
                BREAKDOWN if station.down or station.last_repair_end > queued else QUEUE)
        log.add(case, step, activity, station.code, reason, queued, start, env.now)
        return start
    opened = clock.next_open(queued)
    if opened > queued:
        try:
            yield env.timeout(opened - queued)
        except Interrupt:
            _leave(env, log, case, step, activity, station, None, queued)
            raise
    req = None
    if resource is not None:
        req = resource.request(priority)
        try:
            yield req
        except Interrupt:
            _leave(env, log, case, step, activity, station, req, queued)
            raise
    start = env.now
    end = clock.finish(start, duration)
    if end > start:
        done = env.timeout(end - start)
        try:
            yield done
        except Interrupt as stop:
            yield from _finish(env, log, case, step, activity, station, resource, req, done,
                               queued, start)
            stop.finished = start  # type: ignore[attr-defined]
            raise
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


# A case stopped by an interrupt (a cancelled order, docs/order-life.md): the try blocks above
# cost nothing until one is raised (Python 3.11's zero-cost exceptions).


def _leave(env, log, case, step, activity, station, req, queued) -> None:
    """The case stops waiting: its request leaves the queue (or, granted, frees the server);
    the wait so far is recorded, with no work."""
    if req is not None:
        station.resource.cancel(req)
    log.add(case, step, activity, station.code, QUEUE if req is not None else CLOSED, queued,
            env.now, env.now)


def _finish(env, log, case, step, activity, station, resource, req, done, queued, start):
    """The case stops after the piece of work in hand: it is finished (``done`` fires), the
    server freed and the work recorded (then the caller re-raises the interrupt, with the
    piece's start as its ``finished``, so that a lane records the shipment it carried)."""
    if not done.processed:
        yield done
    if resource is not None:
        resource.release(req)
    log.add(case, step, activity, station.code, NO_WAIT if start == queued else QUEUE, queued,
            start, env.now)
