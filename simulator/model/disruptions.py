"""Disruptions: the scenario's ``events:`` applied to a run (docs/events.md).

Each event's occurrences are drawn once, when the run is built, from the event's own named
streams (``events.<name>.*``): a scenario without events draws exactly the numbers it drew
before, and with an event, everything before the event's first occurrence is as without it.

How each effect reaches the model, through a few small hooks:

- a stopped work centre or site, a lane outage and a closed calendar wrap the station's clock
  (:class:`StoppedClock`): work does not start, and work in hand pauses, while it is stopped,
  exactly as outside a calendar's hours; the wait's reason is "stopped", "outage" or "closed";
- a supplier outage holds every delivery falling due in it until it ends (reason "outage");
  a late supplier or lane adds ``extra_delay`` to each delivery or transit started in it;
- a demand surge adds inquiries (a Poisson stream of its own, at ``factor - 1`` times the
  rate); a drop keeps each matching inquiry with probability ``factor``;
- staff away are requests that jump every station's queue and hold servers until it ends
  (people finish the task in hand first, as a repair waits for the job in hand).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..distributions import batched
from ..events import target_kind
from ..plan import Kind
from ..records import REASON_CODE
from .stations import REPAIR_PRIORITY

if TYPE_CHECKING:
    from ..events import Event
    from .context import RunContext
    from .orders import Order

OUTAGE, SUPPLIER = REASON_CODE["outage"], REASON_CODE["supplier"]

WHY = {"stop": "stopped", "outage": "outage", "closed": "closed"}
"""The reason a wait at a stopped station is recorded with, by effect."""


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of an event: what the run records of it (``RunRecords.events``)."""

    name: str
    effect: str
    target: str
    start: float
    end: float

    def covers(self, t: float) -> bool:
        return self.start <= t < self.end


def occurrences(name: str, event: Event, end: float, streams) -> list[Occurrence]:
    """The occurrences of one event within [0, end), from its own streams."""
    duration = event.duration.sampler(streams(f"events.{name}.duration"))
    if event.start is not None:
        starts = [event.start] if event.start < end else []
    else:
        rng = streams(f"events.{name}.arrivals")
        assert event.rate_per_year is not None  # the format asks for a start or a rate
        mean_gap = 365.0 / event.rate_per_year
        starts, t = [], 0.0
        while True:
            t += float(rng.exponential(mean_gap))
            if t >= end:
                break
            starts.append(t)
    target = event.target if event.target is not None else ""
    return [Occurrence(name, event.effect, target, s, s + max(0.0, duration())) for s in starts]


class StoppedClock:
    """A station's clock with stops: closed in every window [start, end), and outside its
    calendar's hours (``base``; None: open around the clock). Work pauses while closed."""

    def __init__(self, base, windows: list[tuple[float, float, str]]):
        self.base = base
        self.windows = sorted(windows)

    def _stopped_until(self, t: float) -> float | None:
        for s, e, _ in self.windows:
            if s <= t < e:
                return e
        return None

    def next_open(self, t: float) -> float:
        while True:
            if self.base is not None:
                t = self.base.next_open(t)
            e = self._stopped_until(t)
            if e is None:
                return t
            t = e

    def finish(self, t: float, work: float) -> float:
        t = self.next_open(t)
        while True:
            nxt = min((s for s, _, _ in self.windows if s > t), default=math.inf)
            end = t + work if self.base is None else self.base.finish(t, work)
            if end <= nxt:
                return end
            work -= (nxt - t) if self.base is None else self.base.open_time(t, nxt)
            t = self.next_open(nxt)

    def closed_why(self, queued: float, opened: float) -> str:
        """The reason of a wait from ``queued`` to ``opened``: the stop it overlapped, else the
        calendar's hours."""
        for s, e, why in self.windows:
            if s < opened and e > queued:
                return why
        return "closed"


class Disruptions:
    def __init__(self, world: RunContext):
        self.world = world
        sc = world.scenario
        plan = world.plan
        streams = world.samplers.streams
        names = sc.event_targets()
        self.occurrences: list[Occurrence] = []
        for name, ev in sc.events.items():
            self.occurrences += occurrences(name, ev, plan.end, streams)
        self.occurrences.sort(key=lambda o: (o.start, o.name))
        events = sc.events

        # Stations that stop: (start, end, reason) windows per station.
        self._stops: dict[str, list[tuple[float, float, str]]] = {}
        self.prioritised: set[str] = set()
        for o in self.occurrences:
            ev = events[o.name]
            kind = target_kind(ev, names)
            hit: list[str] = []
            if o.effect == "stop" and kind == "site":
                hit = [n for n, st in plan.stations.items() if st.site == o.target
                       and st.kind in (Kind.WORK_CENTER, Kind.LANE)]
            elif o.effect == "closed":
                hit = [n for n, st in plan.stations.items() if st.calendar == o.target]
            elif o.effect in ("stop", "outage") and kind in ("work_center", "lane"):
                hit = [o.target]
            elif o.effect == "staff":
                self.prioritised.add(o.target)
            for station in hit:
                self._stops.setdefault(station, []).append((o.start, o.end, WHY[o.effect]))

        # Supplier outages and late deliveries; late lanes.
        self._outages: dict[str, list[Occurrence]] = {}
        self._late: dict[str, list[tuple[Occurrence, Callable[[], float]]]] = {}
        for o in self.occurrences:
            ev = events[o.name]
            kind = target_kind(ev, names)
            if o.effect == "outage" and kind == "supplier":
                self._outages.setdefault(o.target, []).append(o)
            elif o.effect == "late":
                draw = ev.extra_delay.sampler(streams(f"events.{o.name}.extra_delay"))
                self._late.setdefault(o.target, []).append((o, draw))

        # Demand: drops thin matching inquiries; surges add their own.
        self._drops: list[tuple[Occurrence, Callable, float, Callable[[], float]]] = []
        self._surges: list[tuple[Occurrence, Callable, float]] = []
        for o in self.occurrences:
            ev = events[o.name]
            if o.effect != "demand":
                continue
            match = _matcher(ev)
            factor = ev.factor
            assert factor is not None  # the format asks a demand event for its factor
            if factor < 1:
                rng = streams(f"events.{o.name}.keep")
                self._drops.append((o, match, factor, batched(rng.random)))
            elif factor > 1:
                self._surges.append((o, match, factor))
        self.drop = self._drop if self._drops else None

    # ------------------------------------------------------------------ hooks

    def clock(self, station: str, base):
        """The station's clock, with its stops if it has any."""
        windows = self._stops.get(station)
        return base if windows is None else StoppedClock(base, windows)

    def delivery(self, supplier: str, now: float, delay: float) -> tuple[float, int]:
        """(days until a delivery ordered now arrives, the reason to record)."""
        for o, draw in self._late.get(supplier, ()):
            if o.covers(now):
                delay += draw()
        arrival = now + delay
        reason = SUPPLIER
        moved = True
        while moved:
            moved = False
            for o in self._outages.get(supplier, ()):
                if o.covers(arrival):
                    arrival, reason, moved = o.end, OUTAGE, True
        return arrival - now, reason

    def transit_extra(self, lane: str, now: float) -> float:
        """Extra transit days of a shipment starting now on ``lane``."""
        late = self._late.get(lane)
        if not late:
            return 0.0
        return sum(draw() for o, draw in late if o.covers(now))

    def _drop(self, order: Order) -> bool:
        """Whether a demand drop takes this inquiry away (it never arrives)."""
        now = order.inquiry
        for o, match, factor, keep in self._drops:
            if o.covers(now) and match(order) and keep() >= factor:
                return True
        return False

    # ------------------------------------------------------------------ processes

    def start(self) -> None:
        w = self.world
        env = w.env
        sc = w.scenario
        for o in self.occurrences:
            ev = sc.events[o.name]
            if o.effect == "staff":
                assert ev.staff is not None  # the format asks a staff event for how many
                env.process(self._away(o, ev.staff))
        for k, (o, match, factor) in enumerate(self._surges):
            for channel, ch in sc.steps.generation.channels.items():
                rng = w.samplers.streams(f"events.{o.name}.{k}.surge.{channel}")
                env.process(self._surge(o, match, (factor - 1) * ch.rate_per_day, channel, rng))

    def _away(self, o: Occurrence, staff: int):
        """``staff`` servers of the target leave at the start (each after the task in hand)
        and come back at the end."""
        env = self.world.env
        resource = self.world.stations[o.target].resource
        assert resource is not None  # the format lets staff leave only stations with servers
        yield env.timeout(o.start)
        requests = [resource.request(priority=REPAIR_PRIORITY) for _ in range(staff)]
        yield env.timeout(o.end - o.start)
        for req in requests:
            resource.cancel(req)  # released if granted, else it leaves the queue

    def _surge(self, o: Occurrence, match, rate: float, channel: str, rng):
        """Extra inquiries through one channel while a surge lasts (seasonal as the rest)."""
        w = self.world
        env = w.env
        season = w.scenario.steps.generation.seasonality
        peak = rate * (1 + season.amplitude)
        demand = w.demand
        yield env.timeout(o.start)
        while True:
            yield env.timeout(float(rng.exponential(1 / peak)))
            if env.now >= o.end:
                return
            if season.amplitude > 0 and rng.random() * (1 + season.amplitude) > season.factor(env.now):
                continue
            order = demand.new_order(channel)
            if not match(order):
                demand.orders.pop()  # another segment's inquiry: not part of this surge
                continue
            env.process(w.cycle.order(order))


def _matcher(ev: Event):
    regions, products, classes = set(ev.regions), set(ev.products), set(ev.customer_classes)

    def match(order: Order) -> bool:
        # An order of several lines is in the event's products if any of its lines is: the
        # inquiry that would have asked for that product is the one the event thins or adds
        # (docs/events.md).
        return ((not regions or order.region in regions)
                and (not products or order.product in products
                     or (order.lines is not None
                         and any(line.product in products for line in order.lines)))
                and (not classes or order.customer_class in classes))
    return match


__all__ = ["Disruptions", "Occurrence", "StoppedClock"]
