"""The ``events:`` section of a scenario: disruptions, scheduled or random (docs/events.md).

An event has a name (its key), *when* (a scheduled ``start``, or a random ``rate_per_year``),
a ``duration`` and an ``effect`` on a ``target``:

- ``outage``: a supplier or lane delivers nothing while it lasts;
- ``late``: a supplier's deliveries or a lane's shipments started while it lasts take
  ``extra_delay`` days longer;
- ``stop``: a work centre, or a whole site (its work centres and the lanes leaving it), stops;
- ``demand``: inquiries arrive ``factor`` times as often (optionally only those of some regions,
  products or customer classes);
- ``staff``: a department (or a work centre) has ``staff`` fewer people (servers);
- ``closed``: a calendar is closed (every department, work centre and lane keeping it stops).

These are the validated descriptions; :mod:`simulator.model.disruptions` applies them.
:func:`check_events` checks targets against the rest of the scenario and names the path of
every problem.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .distributions import Distribution
from .fields import MAX_DAYS, MAX_SERVERS, SpecModel

EFFECTS = ("outage", "late", "stop", "demand", "staff", "closed")

MAX_EVENTS_PER_YEAR = 365.0
"""Highest rate of a random event: one a day (more is a calendar, not a disruption)."""
MAX_FACTOR = 100.0
"""Largest demand factor: a hundredfold surge."""

TARGET_KINDS: dict[str, tuple[str, ...]] = {
    "outage": ("supplier", "lane"),
    "late": ("supplier", "lane"),
    "stop": ("work_center", "site"),
    "staff": ("department", "work_center"),
    "closed": ("calendar",),
    "demand": (),
}
"""What each effect may target, in the order a name is looked up."""


class Event(SpecModel):
    """One disruption: when it happens, how long it lasts, what it does to what."""

    effect: Literal[EFFECTS] = Field(
        description="outage (a supplier or lane delivers nothing), late (deliveries or "
        "shipments take extra_delay longer), stop (a work centre or site stops), demand "
        "(inquiries x factor), staff (a department or work centre loses staff servers), "
        "closed (a calendar closes).")
    target: str | None = Field(
        None, description="What it hits: a supplier or lane (outage, late), a work centre or "
        "site (stop), a department or work centre (staff), a calendar (closed); none for "
        "demand. With chain: the site is 'plant', the lane 'distribution', the stages are "
        "work centres.")
    start: float | None = Field(None, ge=0, le=MAX_DAYS,
                                description="Scheduled: day it starts (time 0 = start_date).")
    rate_per_year: float | None = Field(
        None, gt=0, le=MAX_EVENTS_PER_YEAR,
        description="Random: expected occurrences per 365 days (a Poisson process from the "
        "event's own random stream, over the whole run).")
    duration: Distribution = Field(description="Days it lasts (drawn per occurrence from the "
                                   "event's own stream if not a constant).")
    extra_delay: Distribution = Field(0.0, description="late: days added to each delivery or "
                                      "shipment started while it lasts.")
    factor: float | None = Field(None, ge=0, le=MAX_FACTOR,
                                 description="demand: inquiries arrive factor times as often "
                                 "(0.5 halves, 2 doubles).")
    regions: list[str] = Field(default_factory=list, description="demand: only these regions "
                               "(empty: all).")
    products: list[str] = Field(default_factory=list, description="demand: only these products "
                                "(empty: all).")
    customer_classes: list[str] = Field(default_factory=list, description="demand: only these "
                                        "customer classes (empty: all).")
    staff: int | None = Field(None, ge=1, le=MAX_SERVERS,
                              description="staff: people (servers) away while it lasts.")

    @model_validator(mode="after")
    def _fields_of_effect(self):
        e = self.effect
        if (self.start is None) == (self.rate_per_year is None):
            raise ValueError("start, rate_per_year: give exactly one (start: a scheduled event; "
                             "rate_per_year: a random one)")
        if e == "demand":
            if self.target is not None:
                raise ValueError("target: a demand event has none; narrow it with regions, "
                                 "products or customer_classes")
            if self.factor is None:
                raise ValueError("factor: a demand event needs one (0.5 halves demand, 2 doubles it)")
        else:
            if self.target is None:
                raise ValueError(f"target: a {e} event needs one: a "
                                 f"{' or '.join(TARGET_KINDS[e]).replace('_', ' ')}")
            given = [f for f in ("factor",) if getattr(self, f) is not None]
            given += [f for f in ("regions", "products", "customer_classes") if getattr(self, f)]
            if given:
                raise ValueError(f"{', '.join(given)}: only a demand event has them")
        if e == "late" and self.extra_delay.is_zero():
            raise ValueError("extra_delay: a late event needs days of delay (> 0)")
        if e != "late" and not self.extra_delay.is_zero():
            raise ValueError(f"extra_delay: only a late event has it (this is {e})")
        if (e == "staff") != (self.staff is not None):
            raise ValueError("staff: a staff event needs it (people away), and only it has it")
        return self


Events = dict[str, Event]


def check_events(events: Events, names: dict[str, set[str]], servers: dict[str, int | None],
                 demand: dict[str, set[str]]) -> list[str]:
    """Every event whose target or filter names nothing of its kind, as 'path: what is wrong;
    allowed ...'. ``names``: kind (supplier, lane, work_center, site, department, calendar) ->
    the names of that kind; ``servers``: department or work centre -> its staff or servers
    (None: unlimited); ``demand``: regions, products, customer_classes -> the names."""
    errors: list[str] = []
    for name, ev in events.items():
        path = f"events.{name}"
        if ev.target is not None:
            kinds = [k for k in TARGET_KINDS[ev.effect] if ev.target in names[k]]
            if not kinds:
                allowed = sorted(set().union(*(names[k] for k in TARGET_KINDS[ev.effect])))
                what = " or ".join(TARGET_KINDS[ev.effect]).replace("_", " ")
                errors.append(f"{path}.target: {ev.target!r} is not a {what}; allowed for "
                              f"{ev.effect}: {allowed}")
            elif len(kinds) > 1:
                errors.append(f"{path}.target: {ev.target!r} names both a {kinds[0]} and a "
                              f"{kinds[1]}; rename one")
            elif ev.effect == "staff":
                have = servers[ev.target]
                if have is None:
                    errors.append(f"{path}.target: {ev.target} has unlimited staff (null); a "
                                  "staff event needs a number of staff")
                elif ev.staff is not None and ev.staff > have:
                    errors.append(f"{path}.staff: {ev.staff} away, but {ev.target} has "
                                  f"{have}; allowed: 1 to {have}")
        for field, known in demand.items():
            unknown = sorted(set(getattr(ev, field)) - known)
            if unknown:
                errors.append(f"{path}.{field}: {unknown} not defined; defined: {sorted(known)}")
    return errors


def target_kind(event: Event, names: dict[str, set[str]]) -> str | None:
    """The kind of thing a validated event's target is (None for demand)."""
    if event.target is None:
        return None
    return next(k for k in TARGET_KINDS[event.effect] if event.target in names[k])


__all__ = ["EFFECTS", "TARGET_KINDS", "Event", "Events", "check_events", "target_kind"]
