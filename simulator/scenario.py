"""Scenarios: validated, documented descriptions of one company's order management cycle.

A scenario is YAML validated by the pydantic models below (unknown keys are refused, fields are
checked against each other). All times are in **days**; rates are per day; costs are in the
scenario's currency. ``omcsim schema`` prints the JSON schema generated from these models, so the
docstrings and ``Field(description=...)`` texts here are the reference documentation of the format.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import re
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import yaml
from pydantic import (
    Field,
    ValidationError,
    model_validator,
)
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from .distributions import LARGEST, Constant, Distribution
from .events import Event, check_events
from .fields import (
    MAX_DAYS,
    MAX_FAILURES,
    MAX_FILE_BYTES,
    MAX_INQUIRIES,
    MAX_LINES,
    MAX_MONEY,
    MAX_PLANNING_RUNS,
    MAX_SERVERS,
    MAX_UNITS,
    MAX_YAML_DEPTH,
    MAX_YAML_NODES,
    MIN_HORIZON,
    ScenarioError,
    SpecModel,
    Stage,
    StockLevel,
)
from .network import LEVELS, SOURCING_RULES, Calendar, Network, check_network

CHAIN_SITE = "plant"
"""The one site of the ``chain:`` shorthand."""
CHAIN_REGION = "customers"
LINE_SAMPLE = 4096  # orders drawn to estimate the lines of each product (Scenario.product_lines)
LINE_SEED = 12  # their fixed seed: the estimate is a function of the scenario
"""The one region of the ``chain:`` shorthand, served by the lane ``distribution``."""

STEPS = (
    "planning",
    "generation",
    "pricing",
    "entry",
    "selection",
    "scheduling",
    "fulfillment",
    "billing",
    "returns",
    "service",
)
"""The ten steps of the order management cycle (Shapiro, Rangan and Sviokla 1992), in order."""

STAGES = ("engineering", "procurement", "fabrication", "assembly", "distribution")
"""The fulfilment chain, upstream to downstream."""

BUFFERS = ("raw_material", "components", "finished_goods")
"""Stock points of the chain, upstream to downstream; each is filled by the stage before it."""

BUFFER_FILLED_BY = {"raw_material": "procurement", "components": "fabrication",
                    "finished_goods": "assembly"}

DIGITAL = "digital"
"""The decoupling point of a digital copy: no stock and no fulfilment work (P = D = 0)."""

STRATEGIES = {"eto": "none", "mto": "raw_material", "ato": "components", "mts": "finished_goods",
              "dc": DIGITAL}
"""Strategy presets: the buffer that is the customer order decoupling point (``none``: no stock;
``digital``: every product is a digital copy, delivered as a download after the office steps)."""

PAYMENT_METHODS = ("terms", "prepayment", "card")

PROMISE_METHODS = ("atp", "ctp", "request")


PRIORITY_RULES = ("fcfs", "edd", "priority")


def _scenario_dir() -> Path:
    """The named scenarios: package data in an installed wheel (pyproject's force-include copies
    the repository's scenarios/ to simulator/scenarios), else the source checkout's scenarios/."""
    package = Path(__file__).resolve().parent
    installed = package / "scenarios"
    return installed if installed.is_dir() else package.parent / "scenarios"


SCENARIO_DIR = _scenario_dir()
EVENTS_DIR = SCENARIO_DIR / "events"

# ---------------------------------------------------------------- organisation


class Department(SpecModel):
    """A department: staff who work the steps it owns, one task at a time each."""

    staff: int | None = Field(
        1, ge=1, le=MAX_SERVERS,
        description="People working in parallel; null = unlimited (a pure delay).",
    )
    cost_per_hour: float = Field(0.0, ge=0, le=MAX_MONEY, description="Labour cost per staff-hour.")
    calendar: str | None = Field(
        None, description="The calendar (network.calendars) of its office hours: tasks wait for "
        "the next opening and pause while closed; null = around the clock.")


class _Step(SpecModel):
    department: str = Field(description="The department that owns (works) this step.")
    time: Distribution = Field(0.0, description="Staff time per task, days.")


class Planning(_Step):
    """Step 1: a periodic run that forecasts demand at every stocked buffer and sets its target."""

    period_days: float = Field(7.0, gt=0, le=MAX_DAYS, description="Days between planning runs.")
    method: Literal["moving_average", "exponential_smoothing"] = "exponential_smoothing"
    window: int = Field(4, ge=1, le=1000, description="Periods averaged by the moving average.")
    alpha: float = Field(0.3, gt=0, le=1, description="Smoothing constant of exponential smoothing.")
    service_target: float = Field(
        0.95, gt=0, lt=1,
        description="Cycle service level the automatic stock targets aim at (sets z).",
    )
    forecast_bias: float = Field(
        0.0, ge=-0.9, le=5,
        description="Systematic forecast error: the forecast is multiplied by (1 + bias).",
    )


class Payment(SpecModel):
    """How a channel's customers pay (docs/order-life.md): ``terms`` (invoiced after shipment,
    paid after the billing step's terms), ``prepayment`` (paid before fulfilment starts: the
    order waits for the customer at selection) or ``card`` (authorised at entry, captured at
    billing)."""

    method: Literal[PAYMENT_METHODS] = Field(description="terms, prepayment or card.")
    hold_time: Distribution = Field(
        0.0, description="prepayment: days until the customer pays; card: days the "
        "authorisation takes. Not used on terms.")
    decline_rate: float = Field(
        0.0, ge=0, le=1, description="card: share of authorisations declined (the order is "
        "rejected).")

    @model_validator(mode="after")
    def _fits_method(self):
        if self.method != "card" and self.decline_rate > 0:
            raise ValueError(f"decline_rate: only card payments are declined (method "
                             f"{self.method!r}); use method: card or leave decline_rate out")
        if self.method == "terms" and not self.hold_time.is_zero():
            raise ValueError("hold_time: payment on terms has no hold (it waits for the billing "
                             "step's payment_terms_days); use prepayment or card, or leave it out")
        return self


class FraudCheck(SpecModel):
    """A fraud check at selection, beside the credit check: every order is screened (``time``,
    by the selection department), a share is reviewed by hand, a share is rejected."""

    time: Distribution = Field(0.0, description="Screening staff time per order, days.")
    review_rate: float = Field(0.0, ge=0, le=1, description="Share of orders reviewed by hand.")
    review_time: Distribution = Field(0.0, description="Staff time of one review, days.")
    review_department: str | None = Field(
        None, description="The department that reviews; null = the selection step's.")
    reject_rate: float = Field(0.0, ge=0, le=1, description="Share of orders rejected as fraud.")


class Pickup(SpecModel):
    """Pickup in store (buy online, pick up in store): the order is taken from the region's store
    or carried there from the site that sources it; its cycle ends when the customer collects."""

    share: float = Field(1.0, gt=0, le=1,
                         description="Share of the channel's orders collected in store.")
    collect_delay: Distribution = Field(
        1.0, description="Days from the order being ready in the store to the customer "
        "collecting it (a hold by the customer).")


class Channel(SpecModel):
    rate_per_day: float = Field(
        gt=0, le=MAX_INQUIRIES, description="Poisson rate of inquiries through this channel.")
    entry_time: Distribution = Field(0.0, description="Order entry staff time, days.")
    payment: Payment | None = Field(
        None, description="How this channel's customers pay; null = on terms (the billing step).")
    fraud_check: FraudCheck | None = Field(
        None, description="A fraud check at selection for this channel's orders; null = none.")
    sourcing: Literal[SOURCING_RULES] | None = Field(
        None, description="This channel's sourcing rule (network); null = network.sourcing.")
    pickup: Pickup | None = Field(
        None, description="Pickup in store at the region's store (the first store among its "
        "served_from sites); null = shipped to the customer.")
    returns_to: Literal["site", "store"] = Field(
        "site", description="Where returned orders go back to stock: the site that shipped "
        "them, or the region's store (returns to store); either restocks only an item held "
        "there.")

    @property
    def method(self) -> str:
        """The payment method: terms unless the channel says otherwise."""
        return "terms" if self.payment is None else self.payment.method


class Seasonality(SpecModel):
    """Demand rate multiplied by 1 + amplitude * sin(2 pi (t - phase) / period)."""

    amplitude: float = Field(0.0, ge=0, lt=1)
    period_days: float = Field(365.0, ge=0.01, le=MAX_DAYS)
    phase_days: float = Field(0.0, ge=-MAX_DAYS, le=MAX_DAYS)

    def factor(self, t: float) -> float:
        """The multiplier of the demand rate at day ``t``."""
        return 1 + self.amplitude * math.sin(2 * math.pi * (t - self.phase_days) / self.period_days)


class Generation(_Step):
    """Step 2: inquiries arrive through channels; sales qualifies each one (``time``)."""

    channels: dict[str, Channel] = Field(min_length=1)
    seasonality: Seasonality = Seasonality()


class Promising(SpecModel):
    """How the firm promises a delivery date at pricing (step 3; docs/order-life.md,
    "Promises"). The quote the customer accepts or refuses is this promise; an accepted order
    keeps its promised date beside its requested date (receipt + D)."""

    method: Literal[PROMISE_METHODS] = Field(
        "ctp", description="atp: available-to-promise, stock at the decoupling point net of "
        "earlier allocations (a shortfall falls back on the replenishment lead time), then the "
        "expected work downstream without queues; ctp: capable-to-promise, the same with the "
        "work downstream at the load queued there; request: promise the requested date.")
    buffer_days: float = Field(
        0.0, ge=0, le=MAX_DAYS, description="Safety added to every promise (atp and ctp).")
    tolerance_days: float = Field(
        1.0, ge=0, le=MAX_DAYS, description="Promise accuracy: a delivery within this many "
        "days either side of the promised date is accurate.")

    @model_validator(mode="after")
    def _buffer_needs_an_estimate(self):
        if self.method == "request" and self.buffer_days > 0:
            raise ValueError("buffer_days: method 'request' promises the requested date itself; "
                             "use atp or ctp for a buffered promise, or leave buffer_days out")
        return self


class Pricing(_Step):
    """Step 3: a quote with a promised lead time; quotes a customer will not accept are lost."""

    engineering_time: Distribution | None = Field(
        None, description="Quoting time when the decoupling point is 'none' (engineer-to-order); "
        "null = same as time.",
    )
    quote_margin_days: float = Field(0.0, ge=0, le=MAX_DAYS, description="Safety added to every quote.")
    promising: Promising | None = Field(
        None, description="The promise policy (atp, ctp or request); null = the quote (stock on "
        "hand, queues downstream) only screens the inquiry and the firm commits to the requested "
        "date.")


class Entry(_Step):
    """Step 4: entry time comes from the channel; a share of entries has errors and is reworked."""

    error_rate: float = Field(
        0.0, ge=0, le=0.99,
        description="Probability an entry must be redone (at most 0.99: each redo can fail again).")


class Selection(_Step):
    """Step 5: credit check (``time``), credit holds, rejections; the priority rule is global."""

    credit_reject_rate: float = Field(0.0, ge=0, le=1)
    credit_hold_rate: float = Field(0.0, ge=0, le=1, description="Share put on credit hold.")
    credit_hold_time: Distribution = Field(0.0, description="How long a hold lasts, days.")


class Scheduling(_Step):
    """Step 6: the order is slotted into production or allocated stock at the decoupling point."""


class Billing(_Step):
    """Step 8: invoice after shipment; wrong invoices are corrected; payment after terms + delay."""

    error_rate: float = Field(0.0, ge=0, lt=1, description="Share of invoices that are wrong.")
    correction_time: Distribution = Field(0.0, description="Staff time to correct one, days.")
    dispute_delay: Distribution = Field(0.0, description="Days before a wrong invoice is noticed.")
    payment_terms_days: float = Field(30.0, ge=0, le=MAX_DAYS)
    payment_delay: Distribution = Field(0.0, description="Days paid after the terms.")


class Returns(_Step):
    """Step 9: a share of delivered orders is returned or claimed and handled by staff."""

    rate: float = Field(0.0, ge=0, le=1)
    delay: Distribution = Field(7.0, description="Days from delivery to the return or claim.")
    restock_share: float = Field(
        0.5, ge=0, le=1,
        description="Share of returns restocked (into finished goods when that is the decoupling "
        "point; otherwise sold off outside the model); the rest is scrapped.",
    )


class Service(_Step):
    """Step 10: installation and service visits by field service after delivery."""

    rate: float = Field(0.0, ge=0, le=1, description="Share of orders that need service visits.")
    visits: int = Field(1, ge=1, le=100)
    delay: Distribution = Field(1.0, description="Days from delivery (or last visit) to a visit.")


class Steps(SpecModel):
    """The ten steps; fulfilment (step 7) is the chain, configured under ``chain``."""

    planning: Planning
    generation: Generation
    pricing: Pricing
    entry: Entry
    selection: Selection
    scheduling: Scheduling
    billing: Billing
    returns: Returns = Returns(department="customer_service")
    service: Service = Service(department="field_service")


# ---------------------------------------------------------------- customers and products


class ChangeRequests(SpecModel):
    """What customers of a class ask to change before fulfilment starts (docs/order-life.md):
    each order gets at most one request, of one kind, ``delay`` days after its receipt."""

    cancel: float = Field(0.0, ge=0, le=1, description="Probability that the customer asks to "
                          "cancel the order.")
    quantity: float = Field(0.0, ge=0, le=1, description="Probability that the customer asks "
                            "for another quantity.")
    quantity_factor: Distribution = Field(
        1.0, description="The new quantity is max(1, round(quantity x factor)), at most "
        f"{MAX_UNITS:,}; the factor is drawn from this distribution.")
    date: float = Field(0.0, ge=0, le=1, description="Probability that the customer asks for "
                        "another date.")
    lead_time: Distribution | None = Field(
        None, description="The new demand lead time D (days from receipt: due = receipt + D) "
        "of a date change; needed when date > 0.")
    delay: Distribution = Field(description="Days from the order's receipt to the request; a "
                                "request that comes after fulfilment started is refused.")

    @model_validator(mode="after")
    def _one_request(self):
        total = self.cancel + self.quantity + self.date
        if total > 1 + 1e-12:
            raise ValueError(f"cancel + quantity + date: at most one request per order, so the "
                             f"probabilities add up to at most 1 (got {total:g})")
        if self.date > 0 and self.lead_time is None:
            raise ValueError("lead_time: a date change (date > 0) needs the new D's distribution")
        if self.quantity_factor.mean() > MAX_UNITS:
            raise ValueError(f"quantity_factor: mean at most {MAX_UNITS:,} (got "
                             f"{self.quantity_factor.mean():g})")
        return self


class CustomerClass(SpecModel):
    share: float = Field(gt=0, le=LARGEST, description="Relative share of inquiries.")
    count: int = Field(20, ge=1, le=1_000_000,
                         description="Customers in the class (inquiries pick one at random).")
    priority: int = Field(0, ge=-1_000_000, le=1_000_000,
                            description="Priority class; lower is served first (rule 'priority').")
    demand_lead_time: Distribution = Field(description="D: days the customer gives; due = receipt + D.")
    quote_tolerance: float | None = Field(
        None, gt=0, le=LARGEST,
        description="Accepts a quote up to tolerance * D; null = accepts any quote.",
    )
    # Lines and shipping (docs/order-life.md): the defaults keep one line per order.
    lines: Distribution = Field(
        1.0, description=f"Lines per order (rounded, at least 1, at most {MAX_LINES}; never "
        "more than the products the class can order). The first line is the order's product "
        "and size as drawn without lines; each further line is a product not yet in the order "
        "(drawn without replacement), its quantity from the product's order_size.")
    line_mix: dict[str, Annotated[float, Field(ge=0, le=LARGEST)]] | None = Field(
        None, description="Product -> relative weight for the lines after the first; "
        "null = the products' shares. A product left out (or weighted 0) is never an extra line.")
    shipping: Literal["complete", "partial", "partial_units"] = Field(
        "complete", description="complete: the order ships once, when its last line is ready; "
        "partial: each line ships as soon as it is ready (the order is delivered with its "
        "last line); partial_units: as partial, and a line taken from finished goods only part "
        "of which is on hand ships that part at once and the rest when it arrives (with "
        "distributed order management both leave from the line's own site).")
    changes: ChangeRequests | None = Field(
        None, description="Change requests (cancel, quantity, date) before fulfilment; null = "
        "none (docs/order-life.md).")
    patience: Distribution | None = Field(
        None, description="Days the customer waits beyond the due date before cancelling a "
        "late order that has not shipped; null = waits forever.")

    @model_validator(mode="after")
    def _tolerance_needs_d(self):
        if self.quote_tolerance is not None and self.demand_lead_time.mean() <= 0:
            raise ValueError("quote_tolerance needs a demand_lead_time above 0 (with D = 0 "
                             "every quote would be refused); use null to accept any quote")
        if self.lines.mean() > MAX_LINES:
            raise ValueError(f"lines: mean {self.lines.mean():g} lines is above the limit of "
                             f"{MAX_LINES}")
        if self.line_mix is not None and not any(w > 0 for w in self.line_mix.values()):
            raise ValueError("line_mix: give at least one product a weight above 0 (or leave "
                             "line_mix out to use the products' shares)")
        return self

    @property
    def multi_line(self) -> bool:
        """Orders of the class may have more than one line (anything but the constant 1)."""
        lines = self.lines
        return not (isinstance(lines, Constant) and round(lines.value) <= 1)

    @property
    def split_quantities(self) -> bool:
        """A line's quantity may ship in two parts (``shipping: partial_units``)."""
        return self.shipping == "partial_units"


class Product(SpecModel):
    share: float = Field(gt=0, le=LARGEST, description="Relative share of the product mix.")
    price: float = Field(0.0, ge=0, le=MAX_MONEY)
    bill_of_materials: dict[str, Annotated[int, Field(ge=1, le=MAX_UNITS)]] = Field(
        default_factory=dict, description="Component -> units per product unit; a physical "
        "product needs at least one, a digital one none."
    )
    delivery: Literal["physical", "digital"] = Field(
        "physical", description="physical: made, stocked and shipped; digital: a copy "
        "downloaded at once after the office steps (no stock, no fulfilment work, P = 0).")
    order_size: Distribution = Field(
        1.0, description=f"Units per order (rounded, at least 1); mean at most {MAX_UNITS:,}.")
    decoupling_point: str | None = Field(
        None, description="This product's decoupling point (a strategy, a level, a stock point "
        "of the network, or none); null = the scenario's.")

    @model_validator(mode="after")
    def _bounded_order_size(self):
        if self.delivery == "physical" and not self.bill_of_materials:
            raise ValueError("bill_of_materials: a physical product needs at least one component "
                             "(or delivery: digital)")
        if self.delivery == "digital" and self.decoupling_point not in (None, "dc", DIGITAL):
            raise ValueError(f"decoupling_point: a digital product has no stock to decouple at "
                             f"(got {self.decoupling_point!r}); leave it out")
        if self.order_size.mean() > MAX_UNITS:
            raise ValueError(f"order_size: mean {self.order_size.mean():g} units is above the "
                             f"limit of {MAX_UNITS:,} (stages working per unit draw a time per unit)")
        return self


class Buffer(SpecModel):
    target: StockLevel = Field(
        "auto",
        description="Base-stock target: 'auto' (set by planning from forecast and service target), "
        "one number for every item, or item -> number.",
    )
    lot_size: int = Field(
        1, ge=1, le=MAX_UNITS, description="Replenish in whole lots of this many units (a "
        "production run or a purchase lot); 1 = one-for-one.",
    )
    holding_cost: float = Field(0.0, ge=0, le=MAX_MONEY, description="Cost per unit-day on hand.")
    unit_value: float = Field(0.0, ge=0, le=MAX_MONEY,
                             description="Value of one unit, for inventory value.")
    planned_lead_time: float | None = Field(
        None, gt=0, le=MAX_DAYS,
        description="Replenishment lead time planning assumes for 'auto' targets, days; null = "
        "the filling stage's expected time without queueing (the textbook assumption).",
    )


class Chain(SpecModel):
    stages: dict[Literal[STAGES], Stage]
    buffers: dict[Literal[BUFFERS], Buffer] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _all_stages(self):
        missing = [s for s in STAGES if s not in self.stages]
        if missing:
            raise ValueError(f"chain.stages needs all of {list(STAGES)}; missing {missing}")
        return self


class Costs(SpecModel):
    backorder_per_unit_day: float = Field(0.0, ge=0, le=MAX_MONEY)
    lost_sale_per_unit: float = Field(0.0, ge=0, le=MAX_MONEY)
    hours_per_day: float = Field(8.0, gt=0, le=24, description="Paid hours per staff per day.")
    supplier_payment_days: float = Field(
        30.0, ge=0, le=MAX_DAYS, description="Days payable outstanding, for cash-to-cash (suppliers are not "
        "modelled in detail).",
    )


# ---------------------------------------------------------------- the scenario


class Scenario(SpecModel):
    """One company's order management cycle and fulfilment chain."""

    name: str = "scenario"
    description: str = ""
    horizon_days: float = Field(365.0, ge=MIN_HORIZON, le=MAX_DAYS,
                                description="Simulated days after warm-up.")
    warmup_days: float = Field(0.0, ge=0, le=MAX_DAYS,
                              description="Days simulated first and left out of KPIs.")
    start_date: dt.date = Field(dt.date(2026, 1, 5), description="Calendar date of time 0.")
    decoupling_point: str = Field(
        "mto",
        description="A strategy (mts, ato, mto, eto, dc) or a buffer (finished_goods, components, "
        "raw_material) or 'none': the customer order decoupling point; dc (digital copy): every "
        "product is downloaded after the office steps.",
    )
    priority_rule: Literal[PRIORITY_RULES] = Field(
        "fcfs", description="fcfs: first come first served; edd: earliest due date; "
        "priority: priority class first, then first come.",
    )
    departments: dict[str, Department]
    steps: Steps
    customers: dict[str, CustomerClass] = Field(min_length=1)
    products: dict[str, Product] = Field(min_length=1)
    components: dict[str, Annotated[float, Field(ge=0, le=MAX_MONEY)]] = Field(
        default_factory=dict, description="Optional component -> unit value (defaults to 0)."
    )
    calendars: dict[str, Calendar] = Field(
        default_factory=dict, description="Named calendars: office hours of departments, shifts "
        "of work centres and stages.")
    chain: Chain | None = Field(None, description="The one-site, five-stage chain (shorthand for "
                                "a network); give chain or network.")
    network: Network | None = Field(None, description="Sites, work centres, items, routings, "
                                    "lanes, regions, stock points (docs/network.md).")
    costs: Costs = Costs()
    events: dict[str, Event] = Field(
        default_factory=dict, description="Disruptions, scheduled or random: outages, delays, "
        "stops, demand surges or drops, staff away, closures (docs/events.md).")

    @model_validator(mode="after")
    def _cross_checks(self):
        if (self.chain is None) == (self.network is None):
            raise ValueError("chain, network: give exactly one (chain: the five-stage shorthand; "
                             "network: sites, routings and stock points)")
        errors: list[str] = []
        allowed = self.decoupling_points()
        for where, value in [("decoupling_point", self.decoupling_point)] + [
                (f"products.{p}.decoupling_point", spec.decoupling_point)
                for p, spec in self.products.items() if spec.decoupling_point is not None]:
            if value not in allowed:
                errors.append(f"{where}: {value!r} is not one of {allowed}")
        names = {"customer": "reserved"}
        if self.chain is not None:
            names.update({s: "a stage" for s in STAGES})
            names.update({b: "a buffer" for b in BUFFERS})
        else:
            for kind, group in (("a work centre", self.network.work_centers),
                                ("a lane", self.network.lanes),
                                ("a stock point", self.network.stock_points)):
                for n in group:
                    if n in names:
                        errors.append(f"network: {n!r} names both {names[n]} and {kind}; "
                                      "give each a name of its own")
                    names.setdefault(n, kind)
        for n in self.departments:
            if n in names:
                errors.append(f"departments.{n}: is also {names[n]}; choose another "
                              "department name")
        for step in STEPS:
            if step == "fulfillment":
                continue
            dep = getattr(self.steps, step).department
            if dep not in self.departments:
                errors.append(f"steps.{step}.department: {dep!r} is not a department; "
                              f"defined: {sorted(self.departments)}")
        for c, ch in self.steps.generation.channels.items():
            review = ch.fraud_check.review_department if ch.fraud_check is not None else None
            if review is not None and review not in self.departments:
                errors.append(f"steps.generation.channels.{c}.fraud_check.review_department: "
                              f"{review!r} is not a department; defined: {sorted(self.departments)}")
        for c, cls in self.customers.items():
            unknown = set(cls.line_mix or ()) - set(self.products)
            if unknown:
                errors.append(f"customers.{c}.line_mix: unknown products {sorted(unknown)}; "
                              f"allowed: {sorted(self.products)}")
        errors += self._omnichannel_errors()
        for n, d in self.departments.items():
            if d.calendar is not None and d.calendar not in self.calendars:
                errors.append(f"departments.{n}.calendar: {d.calendar!r} is not defined; "
                              f"defined: {sorted(self.calendars)}")
        if self.chain is not None:
            unknown = set(self.components) - self.component_names
            if unknown:
                errors.append(f"components: {sorted(unknown)} are in no bill of materials")
            for n, st in self.chain.stages.items():
                if st.calendar is not None and st.calendar not in self.calendars:
                    errors.append(f"chain.stages.{n}.calendar: {st.calendar!r} is not defined; "
                                  f"defined: {sorted(self.calendars)}")
            for bname, buf in self.chain.buffers.items():
                if isinstance(buf.target, dict):
                    items = self.component_names if bname != "finished_goods" else set(self.products)
                    bad = set(buf.target) - items
                    if bad:
                        errors.append(f"chain.buffers.{bname}.target: unknown items {sorted(bad)}; "
                                      f"allowed: {sorted(items)}")
        else:
            if self.components:
                errors.append("components: only with chain; give item values under network.items")
            physical = {p: spec for p, spec in self.products.items() if spec.delivery == "physical"}
            errors += check_network(self.network, physical, self.calendars)
        if self.events and not errors:
            errors += check_events(self.events, self.event_targets(), self._servers(),
                                   {"regions": set(self.event_targets()["region"]),
                                    "products": set(self.products),
                                    "customer_classes": set(self.customers)})
        if errors:
            raise ValueError(errors[0] if len(errors) == 1 else
                             f"{len(errors)} problems:\n  " + "\n  ".join(errors))
        return self

    def _omnichannel_errors(self) -> list[str]:
        """Sourcing rules, pickup and returns to store need a network whose regions have a
        store (and, for pickup, a lane from every other candidate site to that store)."""
        errors: list[str] = []
        for c, ch in self.steps.generation.channels.items():
            path = f"steps.generation.channels.{c}"
            used = [f for f, on in (("sourcing", ch.sourcing is not None),
                                    ("pickup", ch.pickup is not None),
                                    ("returns_to", ch.returns_to == "store")) if on]
            if not used:
                continue
            if self.network is None:
                errors.append(f"{path}.{used[0]}: needs a network (sites, regions and lanes), "
                              "not the chain shorthand")
                continue
            if ch.pickup is None and ch.returns_to != "store":
                continue
            net = self.network
            lanes = {(ln.source, ln.to) for ln in net.lanes.values()}
            for r, region in net.regions.items():
                stores = [s for s in region.sites
                          if s in net.sites and net.sites[s].kind == "store"]
                if not stores:
                    what = "pickup" if ch.pickup is not None else "returns_to"
                    errors.append(f"network.regions.{r}.served_from: channel {c} has {what} in "
                                  f"store, but no store is among {region.sites}; add one")
                    continue
                if ch.pickup is not None:
                    for site in region.sites:
                        if site != stores[0] and (site, stores[0]) not in lanes:
                            errors.append(f"network.regions.{r}.served_from: {site} has no lane "
                                          f"to the store {stores[0]} where channel {c}'s "
                                          "customers collect; add one under network.lanes")
        return errors

    @property
    def distributes(self) -> bool:
        """Distributed order management is on: some region has several candidate sites, or a
        channel picks up in store or returns to a store (docs/order-life.md)."""
        if self.network is None:
            return False
        return (any(len(r.sites) > 1 for r in self.network.regions.values())
                or any(ch.pickup is not None or ch.returns_to == "store"
                       for ch in self.steps.generation.channels.values()))

    def event_targets(self) -> dict[str, set[str]]:
        """What events may hit, by kind: suppliers, lanes, work centres, sites (plants, DCs,
        stores), departments, calendars, regions; the chain's are its stages, one site and one
        lane."""
        out = {"department": set(self.departments), "calendar": set(self.calendars)}
        if self.network is None:
            out.update(supplier=set(), lane={"distribution"}, site={CHAIN_SITE},
                       work_center=set(STAGES) - {"distribution"}, region={CHAIN_REGION})
        else:
            net = self.network
            out.update(supplier={s for s, site in net.sites.items() if site.kind == "supplier"},
                       lane=set(net.lanes), work_center=set(net.work_centers),
                       site={s for s, site in net.sites.items() if site.kind != "supplier"},
                       region=set(net.regions))
        return out

    def _servers(self) -> dict[str, int | None]:
        out: dict[str, int | None] = {n: d.staff for n, d in self.departments.items()}
        stages = self.chain.stages if self.network is None else self.network.work_centers
        out.update({n: st.servers for n, st in stages.items()})
        return out

    def decoupling_points(self) -> list[str]:
        """What a decoupling point may be here: a strategy, a level, or (network) a stock point."""
        points = [*STRATEGIES, *LEVELS, DIGITAL]
        if self.network is not None:
            points += list(self.network.stock_points)
        return points

    @model_validator(mode="after")
    def _bounded_run(self):
        """Refuse runs that could not end in reasonable time, or whose dates overflow."""
        days = self.warmup_days + self.horizon_days
        season = self.steps.generation.seasonality
        inquiries = self.inquiry_rate * (1 + season.amplitude) * days
        if inquiries > MAX_INQUIRIES:
            raise ValueError(
                f"steps.generation.channels.*.rate_per_day: {self.inquiry_rate:g} inquiries a "
                f"day over {days:g} days (warmup_days + horizon_days) would be {inquiries:,.0f} "
                f"inquiries; at most {MAX_INQUIRIES:,} per run (shorten the horizon or the rates)")
        runs = days / self.steps.planning.period_days
        if runs > MAX_PLANNING_RUNS:
            raise ValueError(
                f"steps.planning.period_days: {self.steps.planning.period_days:g} days over "
                f"{days:g} days would be {runs:,.0f} planning runs; at most "
                f"{MAX_PLANNING_RUNS:,} per run")
        processes = ({f"chain.stages.{n}": st for n, st in self.chain.stages.items()}
                     if self.chain is not None else
                     {**{f"network.work_centers.{n}": w for n, w in self.network.work_centers.items()},
                      **{f"network.lanes.{n}": ln for n, ln in self.network.lanes.items()}})
        for name, stage in processes.items():
            b = stage.breakdowns
            if b is None or stage.servers is None:  # breakdowns need servers (a Stage check)
                continue
            cycle = b.time_between_failures.mean() + b.repair_time.mean()
            failures = stage.servers * days / cycle if cycle > 0 else float("inf")
            if failures > MAX_FAILURES:
                raise ValueError(
                    f"{name}.breakdowns: a failure every {cycle:g} days on "
                    f"{stage.servers} servers over {days:g} days would be {failures:,.0f} "
                    f"breakdowns; at most {MAX_FAILURES:,} per run (time_between_failures + "
                    "repair_time too short)")
        last = dt.date.max - dt.timedelta(days=math.ceil(days) + 1)
        if self.start_date > last:
            raise ValueError(f"start_date: {self.start_date} plus warmup_days + horizon_days "
                             f"({days:g} days) passes the last calendar date (9999-12-31); "
                             f"allowed: up to {last}")
        return self

    # ---- derived facts, computed once

    @property
    def codp(self) -> str:
        """The decoupling buffer: finished_goods, components, raw_material or none."""
        return STRATEGIES.get(self.decoupling_point, self.decoupling_point)

    @property
    def strategy(self) -> str | None:
        """The preset name of the decoupling point (mts/ato/mto/eto/dc); None for a stock point."""
        return {v: k for k, v in STRATEGIES.items()}.get(self.codp)

    @property
    def multi_line(self) -> bool:
        """Some customer class orders more than one line or splits a line's quantity: orders
        are fulfilled line by line (docs/order-life.md)."""
        return any(c.multi_line or c.split_quantities for c in self.customers.values())

    @property
    def pays(self) -> bool:
        """Some channel has a payment method or a fraud check (docs/order-life.md)."""
        return any(ch.payment is not None or ch.fraud_check is not None
                   for ch in self.steps.generation.channels.values())

    @property
    def changes_orders(self) -> bool:
        """Some customer class changes or cancels orders, or has a patience (docs/order-life.md)."""
        return any(c.changes is not None or c.patience is not None
                   for c in self.customers.values())

    @cached_property
    def component_names(self) -> set[str]:
        return {c for p in self.products.values() for c in p.bill_of_materials}

    # ---- demand facts

    @property
    def inquiry_rate(self) -> float:
        return sum(c.rate_per_day for c in self.steps.generation.channels.values())

    def product_shares(self) -> dict[str, float]:
        total = sum(p.share for p in self.products.values())
        return {n: p.share / total for n, p in self.products.items()}

    def product_lines(self) -> dict[str, float]:
        """Product -> lines of it per inquiry, on average: its share of the product mix when
        every order has one line (exactly, so single-line plans are as they were); with lines,
        the first line's share plus the further lines of it each class draws, estimated from
        LINE_SAMPLE orders drawn as the model draws them (without replacement, by the line mix)
        from a fixed seed, so the estimate is a function of the scenario alone."""
        shares = self.product_shares()
        if not any(c.multi_line for c in self.customers.values()):
            return shares
        return dict(self._product_lines)

    @cached_property
    def _product_lines(self) -> dict[str, float]:
        shares = self.product_shares()
        out = dict(shares)
        total = sum(c.share for c in self.customers.values())
        rng = np.random.default_rng(LINE_SEED)
        for c in self.customers.values():
            if not c.multi_line:
                continue
            mix = {p: w for p, w in (c.line_mix or {p: x.share for p, x in
                                                   self.products.items()}).items() if w > 0}
            names = list(shares)
            first = rng.choice(len(names), LINE_SAMPLE, p=list(shares.values())).tolist()
            u = rng.random(LINE_SAMPLE * len(mix)).tolist()
            counts = iter(c.lines.sample(rng, LINE_SAMPLE))  # exactly as many as used
            extra = dict.fromkeys(shares, 0)
            for k in first:
                n = min(MAX_LINES, max(1, round(next(counts)))) - 1
                left = {p: w for p, w in mix.items() if p != names[k]}
                while n > 0 and left:
                    target = u.pop() * sum(left.values())
                    for p in left:  # the last product takes any rounding remainder
                        target -= left[p]
                        if target < 0:
                            break
                    extra[p] += 1
                    del left[p]
                    n -= 1
            for p in out:
                out[p] += c.share / total * extra[p] / LINE_SAMPLE
        return out

    def mean_order_size(self, product: str) -> float:
        return max(1.0, self.products[product].order_size.mean())

    @property
    def mean_demand_lead_time(self) -> float:
        total = sum(c.share for c in self.customers.values())
        return sum(c.share * c.demand_lead_time.mean() for c in self.customers.values()) / total

    # ---- overrides

    def with_overrides(self, **changes: Any) -> Scenario:
        """A new validated scenario with dotted-path changes (never mutates this one)."""
        data = self.model_dump(mode="json", by_alias=True)
        for path, value in changes.items():
            _set_path(data, path, value)
        return parse_scenario(data, source=f"{self.name} with overrides")

    def to_yaml(self) -> str:
        return yaml.safe_dump(
            self.model_dump(mode="json", by_alias=True), sort_keys=False, allow_unicode=True
        )


# ---------------------------------------------------------------- loading and errors


def _set_path(data: dict, path: str, value: Any) -> None:
    """Set ``value`` at a dotted ``path``; a ``*`` segment means every existing key there
    (``customers.*.demand_lead_time=5`` sets every customer class)."""
    keys = path.split(".")
    node = data
    for i, key in enumerate(keys[:-1]):
        if key == "*":
            if not isinstance(node, dict) or not node:
                raise ScenarioError(f"{'.'.join(keys[:i]) or '(top level)'}: nothing to match '*'")
            for sub in node.values():
                if not isinstance(sub, dict):
                    raise ScenarioError(f"{path}: '*' must match sections, not values")
                _set_path(sub, ".".join(keys[i + 1:]), value)
            return
        nxt = node.get(key) if isinstance(node, dict) else None
        if nxt is None:
            nxt = node[key] = {}
        if not isinstance(nxt, dict):
            raise ScenarioError(
                f"{'.'.join(keys[: i + 1])}: is a value, not a section; cannot set {path}"
            )
        node = nxt
    # A copy: later overrides under this path must not write into the caller's value.
    node[keys[-1]] = copy.deepcopy(value)


def format_validation_error(err: ValidationError, source: str) -> str:
    """One readable message: each problem as 'field.path: what is wrong (got value)'."""
    problems: dict[str, list[str]] = {}
    for e in err.errors():
        # Drop the union-member tags pydantic adds for discriminated unions.
        loc = ".".join(
            str(p) for p in e["loc"]
            if not (isinstance(p, str) and (p in _DIST_TAGS or p.startswith("function-")))
        )
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling; `omcsim schema` lists the fields)"
        elif e["type"] == "union_tag_invalid":
            msg = f"unknown distribution; allowed: {', '.join(_DIST_TAGS)}"
        got = e.get("input")
        shown = "" if isinstance(got, (dict, list)) or e["type"] == "missing" else f" (got {got!r})"
        problems.setdefault(f"{msg}{shown}", []).append(loc)
    # One problem at several paths (a '*' override) is one line naming them all. A check of the
    # whole input (such as refuse_booleans) names the path in its message: loc is empty.
    lines = [f"  {', '.join(p for p in locs if p)}: {what}" if any(locs) else f"  {what}"
             for what, locs in problems.items()]
    if len(lines) == 1:
        return f"{source}: {lines[0].strip()}"
    return f"{source}: {len(lines)} problems\n" + "\n".join(lines)


_DIST_TAGS = ("constant", "exponential", "uniform", "triangular", "normal", "lognormal",
              "gamma", "empirical")


def parse_scenario(data: Any, source: str = "scenario") -> Scenario:
    if not isinstance(data, dict):
        raise ScenarioError(f"{source}: a scenario is a YAML mapping of fields, got {type(data).__name__}")
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(format_validation_error(err, source)) from None


def resolve_path(name: str | Path) -> Path:
    """A scenario file: a path, or the name of a file in scenarios/ (``default``, ``mts-retailer``)."""
    path = Path(name)
    if path.is_file():
        return path
    for candidate in (SCENARIO_DIR / f"{name}.yaml", SCENARIO_DIR / str(name)):
        if candidate.is_file():
            return candidate
    known = ", ".join(available_scenarios())
    raise ScenarioError(f"scenario {str(name)!r}: no such file; named scenarios: {known}")


def available_scenarios() -> list[str]:
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))


if yaml.__with_libyaml__:
    from yaml.cyaml import CParser

    class _SafeLoader(Composer, CParser, SafeConstructor, Resolver):
        """SafeLoader with libyaml's parser (six times faster) and Python's composer, whose
        compose_node the loader below extends."""

        def __init__(self, stream):
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
else:  # pragma: no cover (PyYAML built without libyaml)
    _SafeLoader = yaml.SafeLoader


class _Loader(_SafeLoader):
    """YAML as people write scenarios: ``1e-3`` is a number (YAML 1.1 wants ``1.0e-3``), a key
    given twice is an error, and nesting and alias expansion are bounded."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0
        self._sizes: dict[int, int] = {}

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            anchor = self.peek_event().anchor
            if anchor in self.anchors:
                self._count(self._size(self.anchors[anchor]), self.peek_event().start_mark)
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_YAML_DEPTH:
            mark = self.peek_event().start_mark
            raise ScenarioError(f"line {mark.line + 1}: nested more than {MAX_YAML_DEPTH} levels "
                                "deep; a scenario needs fewer than 10")
        self._count(1, self.peek_event().start_mark)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def _count(self, n: int, mark) -> None:
        self._nodes += n
        if self._nodes > MAX_YAML_NODES:
            raise ScenarioError(f"line {mark.line + 1}: more than {MAX_YAML_NODES:,} values once "
                                "aliases (*name) are expanded; a scenario needs a few hundred")

    def _size(self, node) -> int:
        # Nodes in the subtree an alias repeats, aliases inside it included (memoised).
        key = id(node)
        if key not in self._sizes:
            self._sizes[key] = 0  # a recursive alias counts once
            if isinstance(node, yaml.MappingNode):
                kids = [n for pair in node.value for n in pair]
            elif isinstance(node, yaml.SequenceNode):
                kids = node.value
            else:
                kids = []
            self._sizes[key] = 1 + sum(self._size(k) for k in kids)
        return self._sizes[key]

    def construct_mapping(self, node, deep=False):
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise ScenarioError(f"line {line}: key {key!r} is given twice (first at line "
                                    f"{seen[key]}); give each key once")
            seen[key] = line
        return super().construct_mapping(node, deep)


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."),
)


def read_yaml(text: str, source: str) -> Any:
    """Parse scenario YAML; raise ScenarioError naming ``source`` and the line on any problem."""
    try:
        return yaml.load(text, Loader=_Loader)  # a SafeLoader: builds plain data only
    except ScenarioError as err:
        raise ScenarioError(f"{source}: {err}") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        if not mark and getattr(err, "position", None) is not None:  # a ReaderError
            where = f" at character {err.position + 1}"
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ScenarioError(f"{source}: not valid YAML{where}: {problem}") from None
    except RecursionError:
        raise ScenarioError(f"{source}: nested too deeply") from None


def parse_override(text: str) -> tuple[str, Any]:
    """'dotted.path=value' -> (path, value); the value is read as YAML (numbers, lists, maps)."""
    path, sep, raw = text.partition("=")
    if not sep or not path.strip():
        raise ScenarioError(f"--set {text!r}: expected dotted.path=value, e.g. steps.entry.error_rate=0.1")
    value = read_yaml(raw, f"--set {text!r}") if raw.strip() else None
    return path.strip(), value


def parse_alternative(text: str) -> tuple[str, dict[str, Any]]:
    """An alternative as ``--alt`` gives it: 'NAME: PATH=VALUE[; PATH=VALUE...]' -> (name,
    overrides). Raises ScenarioError."""
    name, sep, rest = text.partition(":")
    if not sep or not name.strip() or not rest.strip():
        raise ScenarioError(f"--alt {text!r}: expected NAME:PATH=VALUE[;PATH=VALUE...]")
    return name.strip(), dict(parse_override(part) for part in rest.split(";") if part.strip())


def load_scenario(
    name: str | Path, overrides: dict[str, Any] | None = None
) -> Scenario:
    """Read, override and validate a scenario file. Raises ScenarioError with a readable message."""
    if Path(name).is_dir():
        raise ScenarioError(f"scenario {str(name)!r}: is a folder; give a scenario file (.yaml)")
    path = resolve_path(name)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScenarioError(f"{path}: {size:,} bytes; a scenario file may have at most "
                                f"{MAX_FILE_BYTES:,} bytes (the shipped ones have under 10,000)")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(f"{path}: cannot read as UTF-8 text ({err})") from None
    data = read_yaml(text, str(path))
    if data is None:
        raise ScenarioError(f"{path}: the file is empty; a scenario is a YAML mapping of fields "
                            "(see `omcsim schema` or scenarios/default.yaml)")
    if isinstance(data, dict):
        for dotted, value in (overrides or {}).items():
            _set_path(data, dotted, value)
    return parse_scenario(data, source=str(path))


def available_events() -> list[str]:
    """The shipped disruptions (scenarios/events/NAME.yaml), by name."""
    return sorted(p.stem for p in EVENTS_DIR.glob("*.yaml"))


def load_events(path: str | Path) -> dict:
    """The ``events:`` mapping of a YAML file (an events file, or a scenario), to add to a
    scenario; validated with it. Raises ScenarioError naming the file."""
    p = Path(path)
    try:
        if p.stat().st_size > MAX_FILE_BYTES:
            raise ScenarioError(f"{p}: larger than {MAX_FILE_BYTES:,} bytes")
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(f"--disruptions {p}: cannot read as UTF-8 text ({err})") from None
    return events_from_text(text, f"--disruptions {p}")


def events_from_text(text: str, source: str) -> dict:
    """The ``events:`` mapping of an events file's text (``source`` names it in errors)."""
    data = read_yaml(text, source)
    if not isinstance(data, dict) or not isinstance(data.get("events"), dict):
        raise ScenarioError(f"{source}: expected a YAML mapping with an 'events:' mapping of "
                            "named events (see docs/events.md)")
    return data["events"]


def json_schema() -> str:
    return json.dumps(Scenario.model_json_schema(by_alias=True), indent=2)
