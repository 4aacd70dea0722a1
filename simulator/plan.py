"""The compiled plan of a scenario: every fact derived from it, computed once, in one place.

A scenario describes its fulfilment side as a ``network:`` or as the ``chain:`` shorthand; both
compile here into the same plan: stations (departments, work centres, lanes) with their calendars,
the source of every (site, item) node (make, buy, transfer), stock points and which of their items
are replenished, each product's decoupling point and the nodes its orders take stock from, the
expected times behind quotes and planning, P and the run window. The model, planning, quoting,
the load check, KPIs, traces and notebooks read these facts; none re-derives them.

Everything here is a pure function of the scenario (:func:`compile_plan` is memoised per scenario).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from itertools import pairwise

from .distributions import Distribution
from .fields import Breakdowns, Stage
from .network import (
    LEVELS,
    WEEKDAYS,
    Calendar,
    Engineering,
    Item,
    Lane,
    Network,
    Region,
    Site,
    SiteRouting,
    StockPoint,
    WorkCenter,
)
from .scenario import (
    BUFFERS,
    CHAIN_REGION,
    CHAIN_SITE,
    DIGITAL,
    STAGES,
    STRATEGIES,
    Buffer,
    Scenario,
)


class Kind(str, Enum):
    """What holds an order or a job (a record's resource)."""

    DEPARTMENT = "department"
    WORK_CENTER = "work_center"
    LANE = "lane"
    STOCK_POINT = "stock_point"
    SUPPLIER = "supplier"
    CUSTOMER = "customer"


class How(str, Enum):
    MAKE = "make"
    BUY = "buy"
    TRANSFER = "transfer"


def raw_item(component: str) -> str:
    """The chain's raw material for one component (one unit per component unit)."""
    return f"{component}.raw"


# ---------------------------------------------------------------- calendars


class Clock:
    """Open hours of a calendar, as time in days from time 0 (start_date at 00:00).

    The open intervals are laid out once, in order, as arrays (extended a year at a time as
    the run goes on): finding the next opening is a binary search, not a walk over days (it
    runs at every task of a station with a calendar)."""

    _CHUNK = 371  # days laid out at a time (53 weeks)
    _NEVER = 3700  # any calendar opens within ten years (holidays are finite)

    def __init__(self, calendar: Calendar, start_date: dt.date):
        first = start_date.weekday()
        working = {WEEKDAYS.index(d) for d in calendar.days}
        self._working_weekday = [((first + k) % 7) in working for k in range(7)]
        self._holidays = {(h - start_date).days for h in calendar.holidays}
        self._hours = [(a / 24, b / 24) for a, b in calendar.hours]
        week = sum(b - a for a, b in self._hours) * len(working) / 7
        self.open_share = week  # long-run share of time open (holidays aside)
        self._starts: list[float] = []
        self._ends: list[float] = []
        self._before: list[float] = []  # open days before each interval
        self._days = 0  # days laid out so far: [0, _days)
        # The open interval found last: most calls fall inside it.
        self._interval = (0.0, 0.0)

    def _open_day(self, day: int) -> bool:
        return self._working_weekday[day % 7] and day not in self._holidays

    def _lay_out(self, upto: float) -> None:
        """Lay out the open intervals until one ends after ``upto``."""
        while not self._ends or self._ends[-1] <= upto:
            if self._days > upto + self._NEVER:
                raise ValueError("calendar never opens")
            total = self._before[-1] + self._ends[-1] - self._starts[-1] if self._ends else 0.0
            for day in range(self._days, self._days + self._CHUNK):
                if self._open_day(day):
                    for a, b in self._hours:
                        self._starts.append(day + a)
                        self._ends.append(day + b)
                        self._before.append(total)
                        total += b - a
            self._days += self._CHUNK

    def _index(self, t: float) -> int:
        """The first open interval ending after ``t``."""
        if not self._ends or self._ends[-1] <= t:
            self._lay_out(t)
        return bisect_right(self._ends, t)

    def next_open(self, t: float) -> float:
        """The first open instant at or after ``t``."""
        lo, hi = self._interval
        if lo <= t < hi:
            return t
        i = self._index(t)
        self._interval = (self._starts[i], self._ends[i])
        return max(t, self._starts[i])

    @property
    def longest_closure(self) -> float:
        """The longest stretch closed in a week of the calendar (a weekend, a night), days;
        holidays aside."""
        opens = [(day + a, day + b) for day in range(14) if self._working_weekday[day % 7]
                 for a, b in self._hours]
        gaps = [nxt[0] - cur[1] for cur, nxt in pairwise(opens)]
        return max(gaps, default=0.0)

    def closed_why(self, queued: float, opened: float) -> str:
        """Why a wait from ``queued`` to ``opened`` was closed time (a records reason): the
        calendar's hours (a disruption's clock also names its stops)."""
        return "closed"

    def _open_before(self, t: float) -> float:
        """Open days in [0, t)."""
        i = self._index(t)
        return self._before[i] + max(0.0, t - self._starts[i])

    def open_time(self, a: float, b: float) -> float:
        """Open days between ``a`` and ``b``."""
        return max(0.0, self._open_before(b) - self._open_before(a)) if b > a else 0.0

    def finish(self, t: float, work: float) -> float:
        """When ``work`` days of open time started at ``t`` are done (work pauses while closed)."""
        lo, hi = self._interval
        if lo <= t and t + work <= hi:
            return t + work
        i = self._index(t)
        starts, ends = self._starts, self._ends
        while True:
            t = max(t, starts[i])
            if t + work <= ends[i]:
                self._interval = (starts[i], ends[i])
                return t + work
            work -= ends[i] - t
            t = ends[i]
            i += 1
            if i == len(ends):
                self._lay_out(t)


# ---------------------------------------------------------------- the compiled facts


@dataclass(frozen=True)
class Station:
    """A department, work centre or lane: servers doing timed work on one case at a time."""

    name: str
    kind: Kind
    site: str | None
    servers: int | None
    time: Distribution | None  # None for a department: its steps bring their own times
    per_unit: bool = False
    setup_time: Distribution | None = None
    breakdowns: Breakdowns | None = None
    cost_per_hour: float = 0.0
    calendar: str | None = None
    cost_per_unit: float = 0.0
    kit: bool = False  # a work centre making one case's to-order items as one job
    open_share: float = 1.0  # share of time its calendar is open: work takes 1 / that longer

    def work_time(self, units: float = 1.0, time: Distribution | None = None) -> float:
        """Expected working days of one job: set-up and work (``time``: an item's own)."""
        time = self.time if time is None else time
        if time is None:  # a department: its steps bring their own times
            return 0.0
        setup = 0.0 if self.setup_time is None else self.setup_time.mean()
        return setup + time.mean() * (units if self.per_unit else 1.0)

    def expected_time(self, units: float = 1.0) -> float:
        """Expected elapsed days of one job (no queueing): its work, stretched by the hours its
        calendar is closed."""
        return self.work_time(units) / self.open_share


@dataclass(frozen=True)
class Source:
    """How a site obtains an item: made at a work centre from inputs, bought from a supplier,
    or transferred from another site."""

    how: How
    station: str | None  # where the work happens: the work centre (make), the lane (transfer;
    #                      buy, if a lane from the supplier is given)
    source: str = ""  # the supplier (buy) or the site it comes from (transfer)
    inputs: tuple[tuple[str, int], ...] = ()  # (item, units per unit) for make
    time: Distribution | None = None  # make: this item's time, if not the work centre's
    work_center: str = ""  # make: the station, typed as always there


@dataclass(frozen=True)
class StockPointPlan:
    name: str
    site: str
    items: tuple[str, ...]  # every item it holds
    active: tuple[str, ...]  # the items replenished in this run (at or upstream of a decoupling point)
    policy: str
    target: dict  # item -> units or "auto" (None where the policy has none)
    reorder_point: dict
    order_quantity: dict  # item -> Q (None where the policy has none)
    review_period: float | None
    lot_size: int
    holding_cost: float
    unit_value: dict  # item -> value
    planned_lead_time: float | None


@dataclass(frozen=True)
class Supplier:
    name: str
    lead_time: Distribution
    reliability: float
    late_by: Distribution


@dataclass(frozen=True)
class RegionPlan:
    name: str
    share: float
    site: str  # the fixed site: the first candidate
    lane: str  # its lane to the region
    sites: tuple[str, ...] = ()  # the candidate sites, the fixed one first
    lanes: tuple[str, ...] = ()  # each candidate's lane to the region
    store: str | None = None  # where customers collect and return in store: the first store


@dataclass(frozen=True)
class SiteOption:
    """A site that could fulfil an order (distributed order management): what it would take
    from stock, and what serving the order from there is expected to cost in time and money."""

    site: str
    lane: str | None  # the last leg: to the region, or to the pickup store (None: the store itself)
    transit: float  # expected days on that lane, no queueing
    cost_per_unit: float  # the lane's transport cost + the site's handling cost, per unit
    takes: tuple[tuple[str, str, float], ...]  # (stock point, item, units) at its decoupling stock
    wait: float  # expected days to replenish its decoupling stock if it falls short


@dataclass
class Plan:
    scenario: Scenario
    network: Network
    stations: dict[str, Station]
    sources: dict[tuple[str, str], Source]
    stock_points: dict[str, StockPointPlan]
    holder: dict[tuple[str, str], str]  # (site, item) -> stock point, active items only
    suppliers: dict[str, Supplier]
    regions: dict[str, RegionPlan]
    engineering: str | None
    bom: dict[str, tuple[tuple[str, int], ...]]  # product or item -> inputs
    codp: dict[str, str]  # product -> its decoupling point (level or stock point)
    closure: dict[str, frozenset[str]]  # product -> items its orders may take from stock
    clocks: dict[str, Clock] = field(default_factory=dict)
    lanes: dict[tuple[str, str], str] = field(default_factory=dict)  # (from, to) -> lane
    sourcing: dict[str, str] = field(default_factory=dict)  # channel -> its sourcing rule

    # ---- the run window

    @property
    def start(self) -> float:
        return self.scenario.warmup_days

    @property
    def end(self) -> float:
        return self.scenario.warmup_days + self.scenario.horizon_days

    # ---- nodes

    def takes_stock(self, product: str | None, site: str, item: str) -> str | None:
        """The stock point an order of ``product`` (None: a replenishment job) takes ``item`` from
        at ``site``, or None if it is obtained by its source."""
        sp = self.holder.get((site, item))
        if sp is None or (product is not None and item not in self.closure[product]):
            return None
        return sp

    def source(self, site: str, item: str) -> Source:
        return self.sources[site, item]

    def item_units(self, item: str, quantity: float) -> tuple[tuple[str, float], ...]:
        return tuple((i, u * quantity) for i, u in self.bom.get(item, ()))

    # ---- expected times (no queueing): quotes, planning, P

    def source_time(self, site: str, item: str, units: float) -> float:
        """Expected time of the source operation of (site, item) for ``units`` (no inputs)."""
        src = self.sources[site, item]
        if src.how is How.MAKE:
            st = self.stations[src.work_center]
            return st.work_time(units, src.time) / st.open_share
        lane = 0.0 if src.station is None else self.stations[src.station].expected_time(units)
        if src.how is How.BUY:
            sup = self.suppliers[src.source]
            return sup.lead_time.mean() + (1 - sup.reliability) * sup.late_by.mean() + lane
        return lane

    def split_inputs(self, product: str | None, site: str, needs,
                     whole: bool = False) -> tuple[dict, list]:
        """How a case obtains ``needs`` [(item, units)] at ``site``: (takes, branches). ``takes``:
        stock point -> [(item, units)] taken from stock; ``branches``: what is made or brought
        for the case, each (kit work centre, [(item, units)]) or (None, [(item, units)]) for one
        item by its own source. Order of the bill of materials throughout. ``whole``: as if no
        stock were held (the whole routing, for P)."""
        takes: dict[str, list] = {}
        branches: list[tuple[str | None, list]] = []
        kits: dict[str, list] = {}
        for inp, units in needs:
            sp = None if whole else self.takes_stock(product, site, inp)
            if sp is not None:
                takes.setdefault(sp, []).append((inp, units))
                continue
            src = self.sources[site, inp]
            if src.how is How.MAKE and self.stations[src.work_center].kit:
                if src.work_center not in kits:
                    kits[src.work_center] = []
                    branches.append((src.work_center, kits[src.work_center]))
                kits[src.work_center].append((inp, units))
            else:
                branches.append((None, [(inp, units)]))
        return takes, branches

    def kit_needs(self, site: str, items) -> list[tuple[str, float]]:
        """The inputs of a kit: every item's bill of materials, in order."""
        return [need for item, units in items for need in self.item_units(item, units)]

    def branch_route(self, product: str | None, site: str, branch, takes=None,
                     whole: bool = False) -> tuple[float, list]:
        """(longest expected days, [(station, days)] along it) of one branch; stock it takes is
        appended to ``takes`` as (stock point, item, units)."""
        wc, items = branch
        if wc is None:
            item, units = items[0]
            return self.node_route(product, site, item, units, takes, whole)
        own = (wc, self.stations[wc].expected_time(sum(u for _, u in items)))
        return self._made_route(product, site, self.kit_needs(site, items), own, takes, whole)

    def node_route(self, product: str | None, site: str, item: str, units: float, takes=None,
                   whole: bool = False) -> tuple[float, list]:
        """(longest expected days, [(station, days)]) to obtain ``units`` of ``item`` at ``site``
        (no queueing): an order of ``product`` stops at its decoupling stock, a replenishment job
        (None) at any stock, ``whole`` at none (the whole routing)."""
        sp = None if whole else self.takes_stock(product, site, item)
        if sp is not None:
            if takes is not None:
                takes.append((sp, item, units))
            return 0.0, []
        src = self.sources[site, item]
        own = (src.station, self.source_time(site, item, units))
        if src.how is How.MAKE:
            return self._made_route(product, site, self.item_units(item, units), own, takes, whole)
        if src.how is How.TRANSFER:
            below, ops = self.node_route(product, src.source, item, units, takes, whole)
            return below + own[1], [*ops, own]
        return own[1], [own]  # bought: the supplier (station None) and its lane, if any

    def _made_route(self, product, site, needs, own, takes, whole) -> tuple[float, list]:
        stock, branches = self.split_inputs(product, site, needs, whole)
        if takes is not None:
            takes += [(sp, item, units) for sp, got in stock.items() for item, units in got]
        routes = [self.branch_route(product, site, b, takes, whole) for b in branches]
        below, ops = max(routes, key=lambda r: r[0], default=(0.0, []))
        return below + own[1], [*ops, own]

    def path_time(self, product: str | None, site: str, item: str, units: float) -> float:
        """Longest expected path to obtain ``units`` of ``item`` at ``site`` (no queueing),
        stopping where an order of ``product`` (None: a replenishment job) takes stock."""
        return self.node_route(product, site, item, units)[0]

    def digital(self, product: str) -> bool:
        """``product`` is a digital copy: downloaded after the office steps, no stock, no work."""
        return self.codp[product] == DIGITAL

    def ship_lane(self, region: str, site: str, pickup: bool = False) -> str | None:
        """The last leg of an order fulfilled at ``site``: the lane to its region, or for pickup
        in store the lane to the region's store (None when the store itself fulfils it)."""
        reg = self.regions[region]
        if pickup:
            store = reg.store
            assert store is not None  # validated: a region whose customers collect has a store
            return None if site == store else self.lanes[site, store]
        return reg.lanes[reg.sites.index(site)] if site != reg.site else reg.lane

    def order_route(self, product: str, region: str, quantity: float, site: str | None = None,
                    pickup: bool = False) -> tuple[tuple, tuple]:
        """What an order of ``quantity`` units of ``product`` from ``region`` takes and passes:
        (takes, ops). ``takes``: (stock point, item, units) at its decoupling stock; ``ops``:
        (station, expected days) along its longest expected path, design and shipping included
        (a digital copy: neither). ``site``: the site fulfilling it (None: the region's fixed
        site); ``pickup``: shipped to the region's store instead."""
        if self.digital(product):
            return (), ()
        site = self.regions[region].site if site is None else site
        takes: list[tuple[str, str, float]] = []
        _, ops = self.node_route(product, site, product, quantity, takes)
        lane = self.ship_lane(region, site, pickup)
        if lane is not None:
            ops = [*ops, (lane, self.stations[lane].expected_time(quantity))]
        if self.engineering is not None and self.designs(product):
            ops.insert(0, (self.engineering, self.stations[self.engineering].expected_time(quantity)))
        return tuple(takes), tuple(ops)

    def site_options(self, product: str, region: str, quantity: float,
                     pickup: bool = False) -> tuple[SiteOption, ...]:
        """The candidate sites for an order (distributed order management), the fixed one first
        (for pickup in store: the store, then the region's other sites)."""
        reg = self.regions[region]
        sites = ((reg.store, *(s for s in reg.sites if s != reg.store)) if pickup
                 else reg.sites)
        out = []
        for site in sites:
            assert site is not None  # validated: a region with pickup has a store
            takes, _ = self.order_route(product, region, quantity, site, pickup)
            lane = self.ship_lane(region, site, pickup)
            transit = 0.0 if lane is None else self.stations[lane].expected_time(quantity)
            cost = ((0.0 if lane is None else self.stations[lane].cost_per_unit)
                    + self.network.sites[site].handling_cost)
            wait = max((self.source_time(self.stock_points[sp].site, item, units)
                        for sp, item, units in takes), default=0.0)
            out.append(SiteOption(site, lane, transit, cost, takes, wait))
        return tuple(out)

    def downstream_lead_time(self) -> float:
        """Expected time of the work after the decoupling point (design and shipping included)
        for an average order, no queueing: what the textbook rule compares with D; averaged over
        the product mix and the regions."""
        sc = self.scenario
        share_of = {n: r.share / sum(x.share for x in self.regions.values())
                    for n, r in self.regions.items()}
        return sum(share * share_of[region] * sum(days for _, days in self.order_route(
                       pname, region, sc.mean_order_size(pname))[1])
                   for pname, share in sc.product_shares().items() for region in self.regions)

    @cached_property
    def production_lead_time(self) -> float:
        """P: the longest expected path through each product's routing and bill of materials,
        transport to the customer included, without queueing; averaged over the product mix,
        regions and order sizes at their means."""
        sc = self.scenario
        total = 0.0
        for pname, share in sc.product_shares().items():
            if self.digital(pname):
                continue  # P = 0: nothing is made or shipped
            q = sc.mean_order_size(pname)
            for region in self.regions.values():
                eng = (self.stations[self.engineering].expected_time(q)
                       if self.engineering is not None else 0.0)
                p = (eng + self.node_route(None, region.site, pname, q, whole=True)[0]
                     + self.stations[region.lane].expected_time(q))
                total += share * region.share * p
        return total / sum(r.share for r in self.regions.values())

    @property
    def pd_ratio(self) -> float:
        """P / D: infinite when D = 0 < P; undefined (NaN) when P = D = 0 (digital copies
        wanted at once: nothing to compare); 0 when P = 0 < D."""
        d = self.scenario.mean_demand_lead_time
        p = self.production_lead_time
        if d > 0:
            return p / d
        return float("inf") if p > 0 else float("nan")

    @cached_property
    def passes(self) -> dict[str, float]:
        """Channel -> share of its entered orders not declined by the card authorisation nor
        rejected by the fraud check (the credit check aside)."""
        out = {}
        for c, ch in self.scenario.steps.generation.channels.items():
            declined = ch.payment.decline_rate if ch.payment is not None else 0.0
            fraud = ch.fraud_check.reject_rate if ch.fraud_check is not None else 0.0
            out[c] = (1 - declined) * (1 - fraud)
        return out

    @cached_property
    def codp_points(self) -> dict[str, tuple[str, ...]]:
        """Stock point -> the items orders take from it: the decoupling stock."""
        out: dict[str, set[str]] = {}
        for pname in self.scenario.products:
            if self.digital(pname):
                continue
            for region in self.regions.values():
                for site in region.sites:
                    takes: list = []
                    self.node_route(pname, site, pname, 1, takes)
                    for sp, item, _ in takes:
                        out.setdefault(sp, set()).add(item)
        return {sp: tuple(sorted(items)) for sp, items in out.items()}

    @cached_property
    def node_demand(self) -> dict[tuple[str, str], tuple[float, float, float]]:
        """(site, item) -> (rate, variance rate, units per order) of units that orders pull
        through the node, as compound Poisson: inquiries x acceptance x product mix x region x
        order size x bill of materials, along every routing down to the bought items (whatever is
        stocked on the way: one demand upstream replaces one demand downstream)."""
        sc = self.scenario
        rate = (sum(ch.rate_per_day * self.passes[c]
                    for c, ch in sc.steps.generation.channels.items()) if sc.pays
                else sc.inquiry_rate) * (1 - sc.steps.selection.credit_reject_rate)
        total_share = sum(r.share for r in self.regions.values())
        acc: dict[tuple[str, str], list[float]] = {}

        def walk(site, item, mult, r, m, second):
            a = acc.setdefault((site, item), [0.0, 0.0, 0.0])
            a[0] += r * mult * m
            a[1] += r * mult * mult * second
            a[2] += r
            src = self.sources[site, item]
            if src.how is How.MAKE:
                for i, u in src.inputs:
                    walk(site, i, mult * u, r, m, second)
            elif src.how is How.TRANSFER:
                walk(src.source, item, mult, r, m, second)

        for pname, share in sc.product_lines().items():  # lines of it per inquiry
            if self.digital(pname):
                continue
            size = sc.products[pname].order_size
            m = max(1.0, size.mean())
            second = size.variance() + m * m
            for region in self.regions.values():
                # With several candidate sites planning's prior spreads the region's demand
                # evenly over them (the forecasts then follow the demand each one sees).
                sites = region.sites if sc.distributes else (region.site,)
                for site in sites:
                    walk(site, pname, 1, rate * share * region.share / total_share / len(sites),
                         m, second)
        return {k: (a[0], a[1], a[0] / a[2] if a[2] else 1.0) for k, a in acc.items()}

    def planned_lead_time(self, stock_point: str, item: str) -> float:
        """The replenishment lead time planning assumes at a stock point: given, or the source's
        expected time (no queueing) for a typical job: the units an order pulls through, or
        the policy's lot if larger."""
        sp = self.stock_points[stock_point]
        if sp.planned_lead_time is not None:
            return sp.planned_lead_time
        rate, _, units = self.node_demand.get((sp.site, item), (0.0, 0.0, 1.0))
        lot = {"base_stock": sp.lot_size, "RQ": sp.order_quantity[item] or 1,
               "sS": sp.order_quantity[item] or 1,
               "TS": rate * (sp.review_period or 0.0)}[sp.policy]
        return self.source_time(sp.site, item, max(units, lot))

    def designs(self, product: str) -> bool:
        """Orders of ``product`` are engineered first (no decoupling stock, a design station)."""
        return self.engineering is not None and self.codp[product] == "none"

    def item_value(self, stock_point: str, item: str) -> float:
        return self.stock_points[stock_point].unit_value[item]


# ---------------------------------------------------------------- compiling


def chain_network(sc: Scenario) -> Network:
    """The ``chain:`` shorthand as a network: one site ``plant``; work centres named after the
    stages; raw material ``<component>.raw`` made at procurement, components at fabrication, products
    at assembly; stock points raw_material, components, finished_goods; the lane ``distribution``
    from the plant to the region ``customers``; engineering designs orders with no stock."""
    chain = sc.chain
    assert chain is not None
    comps = sorted(sc.component_names)

    def wc(name: str) -> WorkCenter:
        # 0.1's stages work all of an order's to-order items as one job: kits.
        return WorkCenter(site=CHAIN_SITE, jobs="kit", **chain.stages[name].model_dump())

    dist = chain.stages["distribution"].model_dump()
    dist["source"], dist["to"] = CHAIN_SITE, CHAIN_REGION
    lanes = {"distribution": Lane(**dist)}
    # A component's value: `components:`, else its buffer's unit_value (0.1's valuation).
    own = chain.buffers.get("components", Buffer()).unit_value
    items = {c: Item(value=sc.components.get(c, own), bill_of_materials={raw_item(c): 1})
             for c in comps}
    items.update({raw_item(c): Item() for c in comps})
    routing = SiteRouting(
        make={**dict.fromkeys(sc.products, "assembly"), **dict.fromkeys(comps, "fabrication"),
              **{raw_item(c): "procurement" for c in comps}})

    def stock_point(buffer: str, held: list[str], rename=lambda i: i) -> StockPoint:
        b = chain.buffers.get(buffer, Buffer())
        target = ({rename(i): v for i, v in b.target.items()} if isinstance(b.target, dict)
                  else b.target)
        return StockPoint(site=CHAIN_SITE, items=held, policy="base_stock", target=target,
                          lot_size=b.lot_size, holding_cost=b.holding_cost,
                          unit_value=None if buffer == "components" else b.unit_value,
                          planned_lead_time=b.planned_lead_time)

    return Network(
        sites={CHAIN_SITE: Site(kind="plant")},
        work_centers={s: wc(s) for s in STAGES if s != "distribution"},
        items=items,
        routings={CHAIN_SITE: routing},
        lanes=lanes,
        regions={CHAIN_REGION: Region(share=1, served_from=CHAIN_SITE)},
        stock_points={
            "raw_material": stock_point("raw_material", [raw_item(c) for c in comps], raw_item),
            "components": stock_point("components", comps),
            "finished_goods": stock_point("finished_goods", list(sc.products)),
        },
        engineering=Engineering(work_center="engineering"),
    )


def _station(name: str, kind: Kind, site: str | None, spec: Stage, cost_per_unit: float = 0.0,
             kit: bool = False, open_share: float = 1.0) -> Station:
    return Station(name=name, kind=kind, site=site, servers=spec.servers, time=spec.time,
                   per_unit=spec.per == "unit",
                   setup_time=None if spec.setup_time.is_zero() else spec.setup_time,
                   breakdowns=spec.breakdowns, cost_per_hour=spec.cost_per_hour,
                   calendar=spec.calendar, cost_per_unit=cost_per_unit, kit=kit,
                   open_share=open_share)


def _frontier(level: str, product: str, bom, held_by: dict[str, set[str]]) -> set[str]:
    """The items an order of ``product`` takes stock of, at its decoupling point ``level``."""
    def tree(item):
        out = {item}
        for i, _ in bom.get(item, ()):
            out |= tree(i)
        return out

    level = STRATEGIES.get(level, level)
    if level in ("none", DIGITAL):
        return set()
    if level == "finished_goods":
        return {product}
    if level == "components":
        return {i for i, _ in bom[product]}
    if level == "raw_material":
        return {i for i in tree(product) if not bom.get(i)}
    return held_by[level] & tree(product)  # a stock point: the product's items held there


def _closure(items: set[str], bom) -> frozenset[str]:
    out = set()
    stack = list(items)
    while stack:
        i = stack.pop()
        if i not in out:
            out.add(i)
            stack += [j for j, _ in bom.get(i, ())]
    return frozenset(out)


_PLANS: OrderedDict[int, Plan] = OrderedDict()


def compile_plan(sc: Scenario) -> Plan:
    """Compile ``sc`` into its plan, memoised: a scenario is immutable (the plan keeps its
    scenario alive, so an id is never reused while it is cached)."""
    plan = _PLANS.get(id(sc))
    if plan is None or plan.scenario is not sc:
        plan = _PLANS[id(sc)] = _compile(sc)
        if len(_PLANS) > 64:
            _PLANS.popitem(last=False)
    return plan


def _compile(sc: Scenario) -> Plan:
    net = sc.network if sc.network is not None else chain_network(sc)
    bom: dict[str, tuple[tuple[str, int], ...]] = {
        p: tuple(spec.bill_of_materials.items()) for p, spec in sc.products.items()}
    bom.update({i: tuple(spec.bill_of_materials.items()) for i, spec in net.items.items()})

    clocks = {n: Clock(c, sc.start_date) for n, c in sc.calendars.items()}

    def open_share(calendar: str | None) -> float:
        return 1.0 if calendar is None else clocks[calendar].open_share

    stations: dict[str, Station] = {}
    for name, d in sc.departments.items():
        stations[name] = Station(name=name, kind=Kind.DEPARTMENT, site=None, servers=d.staff,
                                 time=None,
                                 cost_per_hour=d.cost_per_hour, calendar=d.calendar,
                                 open_share=open_share(d.calendar))
    for name, w in net.work_centers.items():
        spec = w if w.calendar is not None else w.model_copy(
            update={"calendar": net.sites[w.site].calendar})
        stations[name] = _station(name, Kind.WORK_CENTER, w.site, spec, kit=w.jobs == "kit",
                                  open_share=open_share(spec.calendar))
    for name, ln in net.lanes.items():
        stations[name] = _station(name, Kind.LANE, ln.source, ln, ln.cost_per_unit,
                                  open_share=open_share(ln.calendar))

    lane_of = {(ln.source, ln.to): name for name, ln in net.lanes.items()}
    sources: dict[tuple[str, str], Source] = {}
    for site, routing in net.routings.items():
        for item, how in routing.make.items():
            wc = how if isinstance(how, str) else how.work_center
            sources[site, item] = Source(How.MAKE, wc, inputs=bom.get(item, ()),
                                         time=None if isinstance(how, str) else how.time,
                                         work_center=wc)
        for item, supplier in routing.buy.items():
            sources[site, item] = Source(How.BUY, lane_of.get((supplier, site)), source=supplier)
        for item, src in routing.transfer.items():
            sources[site, item] = Source(How.TRANSFER, lane_of[src, site], source=src)

    held_by = {n: set(sp.items) for n, sp in net.stock_points.items()}
    codp = {p: DIGITAL if spec.delivery == DIGITAL else STRATEGIES.get(v, v) for p, spec, v in
            ((p, spec, spec.decoupling_point or sc.decoupling_point)
             for p, spec in sc.products.items())}
    closure = {p: _closure(_frontier(codp[p], p, bom, held_by), bom) for p in sc.products}
    used = set().union(*closure.values())

    stock_points: dict[str, StockPointPlan] = {}
    holder: dict[tuple[str, str], str] = {}
    for name, sp in net.stock_points.items():
        active = tuple(i for i in sp.items if i in used)
        for i in active:
            holder[sp.site, i] = name

        def per_item(level, default, items=sp.items):
            level = default if level is None else level
            if isinstance(level, dict):
                return {i: level.get(i, 0) for i in items}
            return dict.fromkeys(items, level)

        target_default = {"base_stock": "auto", "TS": "auto", "sS": "auto", "RQ": None}[sp.policy]
        reorder_default = "auto" if sp.policy in ("sS", "RQ") else None
        values: dict[str, float] = {
            i: (sp.unit_value if sp.unit_value is not None
                else (net.items[i].value if i in net.items else sc.products[i].price))
            for i in sp.items}
        stock_points[name] = StockPointPlan(
            name=name, site=sp.site, items=tuple(sp.items), active=active, policy=sp.policy,
            target=per_item(sp.target, target_default),
            reorder_point=per_item(sp.reorder_point, reorder_default),
            order_quantity=per_item(sp.order_quantity, None), review_period=sp.review_period,
            lot_size=sp.lot_size,
            holding_cost=sp.holding_cost, unit_value=values, planned_lead_time=sp.planned_lead_time)

    suppliers = {n: Supplier(n, s.lead_time, s.reliability, s.late_by)
                 for n, s in net.sites.items() if s.lead_time is not None}  # suppliers have one
    regions = {n: RegionPlan(n, r.share, r.sites[0], lane_of[r.sites[0], n], tuple(r.sites),
                             tuple(lane_of[s, n] for s in r.sites),
                             next((s for s in r.sites if net.sites[s].kind == "store"), None))
               for n, r in net.regions.items()}
    sourcing = {c: ch.sourcing or net.sourcing for c, ch in sc.steps.generation.channels.items()}
    return Plan(scenario=sc, network=net, stations=stations, sources=sources,
                stock_points=stock_points, holder=holder, suppliers=suppliers, regions=regions,
                engineering=None if net.engineering is None else net.engineering.work_center,
                bom=bom, codp=codp, closure=closure, clocks=clocks, lanes=lane_of,
                sourcing=sourcing)


__all__ = ["BUFFERS", "LEVELS", "Clock", "Kind", "Plan", "SiteOption", "Station", "compile_plan"]
