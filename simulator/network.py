"""The ``network:`` section of a scenario: sites, work centres, items with a multi-level bill of
materials, routings, lanes, regions and stock points under their policies (docs/network.md).

These are the validated *descriptions*; :mod:`simulator.plan` compiles a scenario (a network, or
the ``chain:`` shorthand) into the facts the model runs on. :func:`check_network` checks the
pieces against each other and names the path of every problem.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from .distributions import LARGEST, Distribution
from .fields import MAX_DAYS, MAX_MONEY, MAX_SERVERS, MAX_UNITS, SpecModel, Stage, StockLevel

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SITE_KINDS = ("plant", "dc", "store", "supplier")
POLICIES = ("base_stock", "sS", "RQ", "TS")
LEVELS = ("finished_goods", "components", "raw_material", "none")
SOURCING_RULES = ("fixed", "priority", "nearest_with_stock", "lowest_cost", "fewest_splits")
"""How distributed order management picks the site that fulfils an order (docs/order-life.md)."""
"""Decoupling levels: the product itself, its direct inputs, bought items, nothing."""


class Calendar(SpecModel):
    """When a department or work centre works: open hours on working days, minus holidays."""

    days: list[Literal[WEEKDAYS]] = Field(
        default_factory=lambda: list(WEEKDAYS), min_length=1,
        description="Working weekdays (time 0 is start_date at 00:00).")
    hours: list[tuple[float, float]] = Field(
        default_factory=lambda: [(0.0, 24.0)], min_length=1, max_length=24,
        description="Open intervals [start, end) in clock hours, 0-24, in order, not overlapping.")
    holidays: list[dt.date] = Field(default_factory=list, max_length=10_000,
                                    description="Dates closed all day.")

    @model_validator(mode="after")
    def _hours_in_order(self):
        if len(set(self.days)) != len(self.days):
            raise ValueError(f"days: each weekday once, got {self.days}")
        last = 0.0
        for start, end in self.hours:
            if not (0 <= start < end <= 24):
                raise ValueError(f"hours: [{start:g}, {end:g}] must be 0 <= start < end <= 24")
            if start < last:
                raise ValueError(f"hours: [{start:g}, {end:g}] overlaps or comes before the "
                                 "interval before it; give open intervals in order")
            last = end
        return self


class Site(SpecModel):
    """A plant, distribution centre, store, or a supplier (which only delivers what is bought)."""

    kind: Literal[SITE_KINDS]
    calendar: str | None = Field(None, description="Default calendar of its work centres.")
    lead_time: Distribution | None = Field(
        None, description="Supplier: days from a purchase order to delivery, transport included.")
    reliability: float = Field(1.0, ge=0, le=1,
                               description="Supplier: share of deliveries on time.")
    late_by: Distribution = Field(0.0, description="Supplier: extra days of a late delivery.")
    handling_cost: float = Field(
        0.0, ge=0, le=MAX_MONEY, description="Cost per unit of picking and packing an order "
        "shipped from this site (part of the cost to serve; a store's is usually higher).")

    @model_validator(mode="after")
    def _supplier_fields(self):
        if self.kind == "supplier":
            if self.lead_time is None:
                raise ValueError("lead_time: a supplier needs a lead time (days to deliver)")
            if self.handling_cost:
                raise ValueError("handling_cost: a supplier ships no customer orders")
        elif self.lead_time is not None or self.reliability != 1.0 or not self.late_by.is_zero():
            raise ValueError(f"lead_time, reliability, late_by: only a supplier has them, this "
                             f"site is a {self.kind}")
        return self


class WorkCenter(Stage):
    """Servers at a site that make items (time per job or per unit, set-up, breakdowns)."""

    site: str
    jobs: Literal["per_item", "kit"] = Field(
        "per_item", description="per_item: one job per item a case needs made to order here; "
        "kit: all of them as one job (one set-up, the units together, the work centre's time).")


class Item(SpecModel):
    """Anything below the products: a sub-assembly, a component, a bought part or material."""

    value: float = Field(0.0, ge=0, le=MAX_MONEY, description="Value of one unit.")
    bill_of_materials: dict[str, int] = Field(
        default_factory=dict,
        description="Input item -> units per unit of this one (empty: nothing below it).")

    @model_validator(mode="after")
    def _quantities(self):
        for name, units in self.bill_of_materials.items():
            if not 1 <= units <= MAX_UNITS:
                raise ValueError(f"bill_of_materials.{name}: {units} units; allowed 1 to {MAX_UNITS:,}")
        return self


class Make(SpecModel):
    work_center: str
    time: Distribution | None = Field(None, description="This item's time there; null = the "
                                      "work centre's.")


class SiteRouting(SpecModel):
    """How a site obtains each item it needs."""

    make: dict[str, str | Make] = Field(
        default_factory=dict, description="Item -> work centre here (or {work_center, time}): "
        "made from its bill of materials.")
    buy: dict[str, str] = Field(default_factory=dict, description="Item -> supplier site.")
    transfer: dict[str, str] = Field(
        default_factory=dict, description="Item -> the site it comes from, on the lane from there.")


class Lane(Stage):
    """Transport from a site to a site or a region; the lane holds what it carries."""

    source: str = Field(alias="from")
    to: str
    time: Distribution = Field(0.0, alias="transit", description="Transit time, days.")
    servers: int | None = Field(
        None, ge=1, le=MAX_SERVERS, alias="capacity",
        description="Shipments in transit at once; null = unlimited.")
    cost_per_unit: float = Field(0.0, ge=0, le=MAX_MONEY, description="Transport cost per unit.")


class Region(SpecModel):
    share: float = Field(gt=0, le=LARGEST, description="Relative share of inquiries.")
    served_from: str | list[str] = Field(
        description="The site that fulfils this region's orders, or the candidate sites in "
        "order of preference (the first is the fixed one); each needs a lane to the region. "
        "Network.sourcing picks among them.")

    @property
    def sites(self) -> list[str]:
        """The candidate sites, the fixed one first."""
        return [self.served_from] if isinstance(self.served_from, str) else self.served_from

    @field_validator("served_from")
    @classmethod
    def _candidates(cls, sites):
        if isinstance(sites, list):
            if not sites:
                raise ValueError("give at least one site")
            if len(set(sites)) != len(sites):
                raise ValueError(f"each site once, got {sites}")
        return sites


class StockPoint(SpecModel):
    """Items held at one site under one replenishment policy."""

    site: str
    items: list[str] = Field(min_length=1)
    policy: Literal[POLICIES] = Field(
        "base_stock", description="base_stock (order up to target after each demand), sS "
        "(at or below reorder_point order up to target), RQ (at or below reorder_point order "
        "order_quantity), "
        "TS (every review_period order up to target).")
    target: StockLevel | None = Field(
        None, description="Order-up-to level S (base_stock, sS, TS); default auto (sS: "
        "reorder_point + order_quantity).")
    reorder_point: StockLevel | None = Field(
        None, description="s (sS) or R (RQ); default auto.")
    order_quantity: (Annotated[int, Field(ge=1, le=MAX_UNITS)]
                     | dict[str, Annotated[int, Field(ge=1, le=MAX_UNITS)]] | None) = Field(
        None, description="Q (RQ; sS with an automatic target: S = s + Q): one number of units "
        "for every item, or item -> units (every item then needs one).")
    review_period: float | None = Field(None, gt=0, le=MAX_DAYS, description="T (TS), days.")
    lot_size: int = Field(1, ge=1, le=MAX_UNITS, description="base_stock: replenish in whole lots.")
    holding_cost: float = Field(0.0, ge=0, le=MAX_MONEY, description="Cost per unit-day on hand.")
    unit_value: float | None = Field(None, ge=0, le=MAX_MONEY,
                                     description="Value of one unit; null = the item's value.")
    planned_lead_time: float | None = Field(
        None, gt=0, le=MAX_DAYS, description="Replenishment lead time planning assumes; null = "
        "the source's expected time without queueing.")

    @model_validator(mode="after")
    def _policy_fields(self):
        p = self.policy
        given = {f for f in ("reorder_point", "order_quantity", "review_period")
                 if getattr(self, f) is not None}
        allowed = {"base_stock": set(), "sS": {"reorder_point", "order_quantity"},
                   "RQ": {"reorder_point", "order_quantity"}, "TS": {"review_period"}}[p]
        if given - allowed:
            raise ValueError(f"{', '.join(sorted(given - allowed))}: not a field of policy {p}")
        if p != "base_stock" and self.lot_size != 1:
            raise ValueError(f"lot_size: only base_stock replenishes in lots (policy {p})")
        if p == "RQ":
            if self.order_quantity is None:
                raise ValueError("order_quantity: policy RQ needs Q")
            if self.target is not None:
                raise ValueError("target: policy RQ has no order-up-to level (give reorder_point "
                                 "and order_quantity)")
        if p == "TS" and self.review_period is None:
            raise ValueError("review_period: policy TS needs T (days between reviews)")
        if p == "sS" and self.order_quantity is None and self.target in (None, "auto"):
            raise ValueError("order_quantity: policy sS with an automatic target needs Q "
                             "(S = s + Q), or give target as numbers")
        if len(set(self.items)) != len(self.items):
            raise ValueError(f"items: each item once, got {self.items}")
        for field in ("target", "reorder_point", "order_quantity"):
            level = getattr(self, field)
            if isinstance(level, dict) and set(level) - set(self.items):
                raise ValueError(f"{field}: unknown items {sorted(set(level) - set(self.items))}; "
                                 f"allowed: {self.items}")
        q = self.order_quantity
        if isinstance(q, dict) and set(self.items) - set(q):
            raise ValueError(f"order_quantity: no Q for {sorted(set(self.items) - set(q))}; "
                             "give one for every item (or one number for all)")
        return self


class Engineering(SpecModel):
    work_center: str = Field(description="Where orders with no decoupling stock are designed.")


class Network(SpecModel):
    """Sites, their work centres, items, routings, lanes, regions and stock points."""

    sites: dict[str, Site] = Field(min_length=1)
    work_centers: dict[str, WorkCenter] = Field(default_factory=dict)
    items: dict[str, Item] = Field(default_factory=dict)
    routings: dict[str, SiteRouting] = Field(default_factory=dict)
    lanes: dict[str, Lane] = Field(default_factory=dict)
    regions: dict[str, Region] = Field(min_length=1)
    stock_points: dict[str, StockPoint] = Field(default_factory=dict)
    engineering: Engineering | None = None
    sourcing: Literal[SOURCING_RULES] = Field(
        "fixed", description="Which candidate site of a region fulfils an order: fixed (the "
        "first), priority (the first holding the stock now), nearest_with_stock (the shortest "
        "expected transit among those holding it, else the first), lowest_cost (transport + "
        "handling + expected cost of waiting), fewest_splits (a site holding every line of the "
        "order, else the fewest sites; single-line orders: as priority). Orders of several "
        "lines are sourced line by line (fewest_splits: the lines together). A channel may "
        "override it.")


def check_network(net: Network, products: dict, calendars: dict) -> list[str]:
    """Every inconsistency between the pieces, each as 'path: what is wrong; allowed ...'."""
    errors: list[str] = []
    sites, items, lanes = net.sites, net.items, net.lanes
    suppliers = {s for s, site in sites.items() if site.kind == "supplier"}
    facilities = sorted(set(sites) - suppliers)
    known_items = set(products) | set(items)

    def calendar(path: str, name: str | None) -> None:
        if name is not None and name not in calendars:
            errors.append(f"{path}: calendar {name!r} is not defined; defined: {sorted(calendars)}")

    for name in set(products) & set(items):
        errors.append(f"network.items.{name}: is a product; a name is a product or an item")
    for name in set(sites) & set(net.regions):
        errors.append(f"network.regions.{name}: is also a site; lanes need distinct names")
    for s, site in sites.items():
        calendar(f"network.sites.{s}.calendar", site.calendar)
    for w, wc in net.work_centers.items():
        if wc.site not in sites or wc.site in suppliers:
            errors.append(f"network.work_centers.{w}.site: {wc.site!r} is not a plant, dc or store; "
                          f"allowed: {facilities}")
        calendar(f"network.work_centers.{w}.calendar", wc.calendar)

    # Bills of materials: known inputs, no cycle.
    def bom(name: str) -> dict[str, int]:
        return products[name].bill_of_materials if name in products else items[name].bill_of_materials

    for name in known_items:
        where = "products" if name in products else "network.items"
        for inp in bom(name):
            if inp not in items:
                errors.append(f"{where}.{name}.bill_of_materials: {inp!r} is not in network.items")
    state: dict[str, int] = {}

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for inp in bom(name):
            if inp not in items:
                continue
            if state.get(inp) == 1:
                cycle = " -> ".join([*path[path.index(inp):], inp]) if inp in path else inp
                errors.append(f"network.items.{inp}.bill_of_materials: a cycle ({cycle})")
            elif inp not in state:
                visit(inp, [*path, inp])
        state[name] = 2

    for name in sorted(known_items):
        if name not in state:
            visit(name, [name])

    # Lanes and regions.
    ends = set(sites) | set(net.regions)
    for ln, lane in lanes.items():
        if lane.source not in sites:
            errors.append(f"network.lanes.{ln}.from: {lane.source!r} is not a site; "
                          f"allowed: {sorted(sites)}")
        if lane.to not in ends:
            errors.append(f"network.lanes.{ln}.to: {lane.to!r} is not a site or region; "
                          f"allowed: {sorted(ends)}")
        calendar(f"network.lanes.{ln}.calendar", lane.calendar)
    pairs: dict[tuple[str, str], str] = {}
    for ln, lane in lanes.items():
        if (lane.source, lane.to) in pairs:
            errors.append(f"network.lanes.{ln}: a second lane from {lane.source} to {lane.to} "
                          f"(first: {pairs[lane.source, lane.to]}); give one lane per pair")
        pairs[lane.source, lane.to] = ln
    for r, region in net.regions.items():
        many = not isinstance(region.served_from, str)
        for i, site in enumerate(region.sites):
            path = f"network.regions.{r}.served_from" + (f".{i}" if many else "")
            if site not in sites or site in suppliers:
                errors.append(f"{path}: {site!r} is not a plant, dc or store; allowed: {facilities}")
            elif (site, r) not in pairs:
                errors.append(f"{path}: no lane from {site} to {r}; add one under network.lanes")

    # Routings: each names real things.
    for s, routing in net.routings.items():
        if s not in sites or s in suppliers:
            errors.append(f"network.routings.{s}: not a plant, dc or store; allowed: {facilities}")
            continue
        seen: dict[str, str] = {}
        for how in ("make", "buy", "transfer"):
            for item, source in getattr(routing, how).items():
                path = f"network.routings.{s}.{how}.{item}"
                if item not in known_items:
                    errors.append(f"{path}: {item!r} is not a product or item")
                if item in seen:
                    errors.append(f"{path}: {item} is already obtained by {seen[item]} at {s}; "
                                  "one routing per item and site")
                seen[item] = how
                if how == "make":
                    work_center = source if isinstance(source, str) else source.work_center
                    if work_center not in net.work_centers:
                        errors.append(f"{path}: work centre {work_center!r} is not defined; defined: "
                                      f"{sorted(net.work_centers)}")
                    elif net.work_centers[work_center].site != s:
                        errors.append(f"{path}: work centre {work_center} is at "
                                      f"{net.work_centers[work_center].site}, not at {s}")
                elif how == "buy" and source not in suppliers:
                    errors.append(f"{path}: {source!r} is not a supplier; suppliers: {sorted(suppliers)}")
                elif how == "transfer":
                    if source not in sites or source in suppliers or source == s:
                        errors.append(f"{path}: {source!r} is not another plant, dc or store")
                    elif (source, s) not in pairs:
                        errors.append(f"{path}: no lane from {source} to {s}; add one under "
                                      "network.lanes")

    # Stock points: a real site, known items, each (site, item) held once.
    held: dict[tuple[str, str], str] = {}
    for sp_name, sp in net.stock_points.items():
        if sp.site not in sites or sp.site in suppliers:
            errors.append(f"network.stock_points.{sp_name}.site: {sp.site!r} is not a plant, dc or "
                          f"store; allowed: {facilities}")
        for item in sp.items:
            if item not in known_items:
                errors.append(f"network.stock_points.{sp_name}.items: {item!r} is not a product or item")
            if (sp.site, item) in held:
                errors.append(f"network.stock_points.{sp_name}.items: {item} at {sp.site} is already "
                              f"held by {held[sp.site, item]}; one stock point per item and site")
            held[sp.site, item] = sp_name
    if net.engineering is not None and net.engineering.work_center not in net.work_centers:
        errors.append(f"network.engineering.work_center: {net.engineering.work_center!r} is not "
                      f"defined; defined: {sorted(net.work_centers)}")
    if errors:
        return errors

    # Every item needed at a site has a routing there: what regions order, what makes it, what
    # stock points hold.
    def routing_of(site: str, item: str) -> tuple[str, object] | None:
        r = net.routings.get(site)
        if r is None:
            return None
        for how in ("make", "buy", "transfer"):
            if item in getattr(r, how):
                return how, getattr(r, how)[item]
        return None

    needed: list[tuple[str, str, str]] = [
        (site, p, f"ordered by region {r}")
        for r, region in net.regions.items() for site in region.sites for p in products]
    needed += [(sp.site, i, f"held by stock point {n}")
               for n, sp in net.stock_points.items() for i in sp.items]
    done: set[tuple[str, str]] = set()
    while needed:
        at, item, why = needed.pop()
        if (at, item) in done:
            continue
        done.add((at, item))
        route = routing_of(at, item)
        if route is None:
            errors.append(f"network.routings.{at}: {item} is needed there ({why}) but has no "
                          "routing (make, buy or transfer)")
            continue
        how, source = route
        if how == "make":
            needed += [(at, inp, f"an input of {item}, made there") for inp in bom(item)]
        elif how == "transfer":
            needed.append((str(source), item, f"transferred to {at}"))
    return errors
