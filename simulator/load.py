"""Offered load of every department and fulfilment stage, from the scenario alone, before a run.

Offered load = arrival rate x routing x mean work / servers: the share of its capacity a resource
must spend to keep up with demand. At 1 or above its queue grows without bound, whatever the run
length. Routing follows the model (``model/cycle.py``, ``model/chain.py``):

- every inquiry is qualified (generation) and quoted (pricing; engineering time under ETO);
- a share ``acceptance`` of quotes is accepted (1 before a run: losses are not known yet); those
  orders are entered (with rework: 1 / (1 - error rate) entries each) and credit-checked; the
  ones not rejected are scheduled, pass the stages after the decoupling point, are billed (with
  corrections), and some are returned or visited by field service;
- planning runs once per period;
- stocked buffers replace what is taken from them with replenishment jobs in whole lots: a take
  of s units releases a job with probability min(1, s / lot) of max(s, lot) units (units are
  conserved; exact for lot 1), and each job takes its inputs from the buffer upstream (the bill
  of materials for assembly);
- stage work per job or order is set-up + time (per unit: x units); a stage with breakdowns
  loses the share of time its servers are under repair (availability = MTBF / (MTBF + MTTR)).

Unlimited resources (staff or servers ``null``) have no load limit. Seasonality scales every
demand-driven flow by 1 + amplitude at its peak. This module depends on the scenario only: the
model, the results and the dashboard all use it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from .distributions import Constant, Empirical
from .plan import How, Kind, compile_plan
from .scenario import Scenario

_QUANTITY_SAMPLE = 1 << 16  # draws that estimate the order-size distribution of other families


@dataclass(frozen=True)
class Flow:
    """One stream of work at a resource: ``rate`` cases a day, each needing ``work`` days."""

    what: str
    rate: float
    work: float
    seasonal: bool = True  # scales with the demand rate (planning runs do not)

    @property
    def work_per_day(self) -> float:
        return self.rate * self.work


@dataclass(frozen=True)
class Load:
    """The offered load of one department or stage."""

    resource: str
    kind: str  # "department" or "stage"
    servers: int | None  # None: unlimited
    availability: float  # share of server time not under repair
    amplitude: float  # seasonal amplitude of the demand rate
    flows: tuple[Flow, ...]

    @property
    def work_per_day(self) -> float:
        """Server-days of work offered per day at the mean demand rate."""
        return sum(f.work_per_day for f in self.flows)

    @property
    def peak_work_per_day(self) -> float:
        return sum(f.work_per_day * (1 + self.amplitude if f.seasonal else 1) for f in self.flows)

    @property
    def limited(self) -> bool:
        return self.servers is not None

    @property
    def utilization(self) -> float:
        """Expected busy share of the servers (repairs excluded, as the ``utilization`` KPI)."""
        return self.work_per_day / self.servers if self.servers is not None else math.nan

    @property
    def load(self) -> float:
        """Offered load: work / available server capacity; NaN for unlimited resources."""
        return (self.work_per_day / (self.servers * self.availability) if self.servers is not None
                else math.nan)

    @property
    def peak_load(self) -> float:
        return (self.peak_work_per_day / (self.servers * self.availability)
                if self.servers is not None else math.nan)

    @property
    def main_flow(self) -> Flow | None:
        return max(self.flows, key=lambda f: f.work_per_day, default=None)

    def describe(self) -> str:
        """Why it is loaded: its main flow of work and its servers, e.g. 'quotes with
        engineering: 5.5/day x 2 d each; 3 staff'."""
        unit = "staff" if self.kind == "department" else ("server" if self.servers == 1 else "servers")
        parts = []
        main = self.main_flow
        if main is not None and main.work_per_day > 0:
            parts.append(f"{main.what}: {main.rate:.3g}/day x {main.work:.3g} d each")
        parts.append(f"{self.servers if self.limited else 'unlimited'} {unit}")
        if self.availability < 1:
            parts.append(f"{self.availability:.0%} available between repairs")
        return "; ".join(parts)


def offered_load(scenario: Scenario, acceptance: float = 1.0) -> dict[str, Load]:
    """The load of every department and stage, keyed by name (departments first).

    ``acceptance`` is the share of quotes customers accept: 1 before a run (every quote is
    accepted, the most work that can arrive); a run's observed share gives the load it faced.
    """
    sc = scenario
    steps = sc.steps
    flows: dict[str, list[Flow]] = defaultdict(list)

    def dept(step: str) -> list[Flow]:
        return flows[getattr(steps, step).department]

    inquiries = sc.inquiry_rate
    dept("planning").append(Flow("planning runs", 1 / steps.planning.period_days,
                                 steps.planning.time.mean(), seasonal=False))
    dept("generation").append(Flow("inquiries", inquiries, steps.generation.time.mean()))
    eng = steps.pricing.engineering_time
    if eng is not None and sc.codp == "none":
        dept("pricing").append(Flow("quotes with engineering", inquiries, eng.mean()))
    else:
        dept("pricing").append(Flow("quotes", inquiries, steps.pricing.time.mean()))

    received = acceptance
    entries = 1 / (1 - steps.entry.error_rate)
    for name, ch in steps.generation.channels.items():
        dept("entry").append(Flow(f"{name} order entries", ch.rate_per_day * received * entries,
                                  ch.entry_time.mean()))
    plan = compile_plan(sc)
    if sc.pays:  # card declines at entry and fraud rejections at selection thin the flow
        checked = 0.0
        passed = 0.0
        for name, ch in steps.generation.channels.items():
            declined = ch.payment.decline_rate if ch.payment is not None else 0.0
            rate = ch.rate_per_day * received * (1 - declined)
            checked += rate
            passed += ch.rate_per_day * received * plan.passes[name]
            fraud = ch.fraud_check
            if fraud is not None:
                dept("selection").append(Flow(f"{name} fraud checks", rate, fraud.time.mean()))
                flows[fraud.review_department or steps.selection.department].append(
                    Flow(f"{name} fraud reviews", rate * fraud.review_rate, fraud.review_time.mean()))
        dept("selection").append(Flow("credit checks", checked, steps.selection.time.mean()))
        orders = passed * (1 - steps.selection.credit_reject_rate)
    else:
        dept("selection").append(Flow("credit checks", inquiries * received,
                                      steps.selection.time.mean()))
        orders = inquiries * received * (1 - steps.selection.credit_reject_rate)
    dept("scheduling").append(Flow("orders to schedule", orders, steps.scheduling.time.mean()))
    billing = steps.billing
    dept("billing").append(Flow("invoices", orders, billing.time.mean()))
    dept("billing").append(Flow("invoice corrections", orders * billing.error_rate,
                                billing.correction_time.mean()))
    dept("returns").append(Flow("returns", orders * steps.returns.rate, steps.returns.time.mean()))
    dept("service").append(Flow("service visits", orders * steps.service.rate * steps.service.visits,
                                steps.service.time.mean()))

    # Orders along their routing after the decoupling point, and what they take from it.
    takes: dict[tuple[str, str, float], float] = defaultdict(float)  # (sp, item, units) -> rate
    region_share = {n: r.share / sum(x.share for x in plan.regions.values())
                    for n, r in plan.regions.items()}

    def walk(product, site, item, units, rate, what, by_source=False):
        """Work for ``rate`` cases a day obtaining ``units`` of ``item`` at ``site`` (from stock,
        or ``by_source``: a replenishment job making it)."""
        sp = None if by_source else plan.takes_stock(product, site, item)
        if sp is not None:
            takes[sp, item, units] += rate
            return
        src = plan.source(site, item)
        if src.how is How.MAKE:
            made(product, site, plan.item_units(item, units), rate, what)
        elif src.how is How.TRANSFER:
            walk(product, src.source, item, units, rate, what)
        if src.station is not None:  # working time: the calendar is in the availability
            flows[src.station].append(Flow(what, rate, plan.stations[src.station].work_time(
                units, src.time)))

    def made(product, site, needs, rate, what):
        """The inputs of work at ``site``: stock taken, items made or brought (kits as one job)."""
        stock, branches = plan.split_inputs(product, site, needs)
        for sp, got in stock.items():
            for item, units in got:
                takes[sp, item, units] += rate
        for wc, items in branches:
            if wc is None:
                walk(product, site, items[0][0], items[0][1], rate, what)
            else:
                made(product, site, plan.kit_needs(site, items), rate, what)
                flows[wc].append(Flow(what, rate,
                                      plan.stations[wc].work_time(sum(u for _, u in items))))

    # Lines of each product per inquiry (one a shipment on the lane: an upper bound of the lane's
    # work when an order ships complete).
    for pname, share in sc.product_lines().items():
        if plan.digital(pname):
            continue  # downloaded: no work after the office steps
        for q, p in quantity_pmf(sc.products[pname].order_size):
            for rname, region in plan.regions.items():
                rate = orders * share * p * region_share[rname]
                if plan.engineering is not None and plan.designs(pname):
                    flows[plan.engineering].append(
                        Flow("orders", rate, plan.stations[plan.engineering].work_time(q)))
                walk(pname, region.site, pname, q, rate, "orders")
                flows[region.lane].append(Flow("orders", rate,
                                               plan.stations[region.lane].work_time(q)))

    # Replenishment jobs, from the decoupling stock upstream (restocked returns replace what
    # the product's own stock would have made).
    restock = steps.returns.rate * steps.returns.restock_share
    while takes:
        (sp_name, item, size), rate = takes.popitem()
        sp = plan.stock_points[sp_name]
        if item in sc.products:
            rate *= 1 - restock
        if sp.review_period is not None:  # TS
            jobs, job_size = 1 / sp.review_period, rate * size * sp.review_period
        else:
            qty = sp.order_quantity.get(item)
            lot = float(qty or sp.lot_size)
            s_, big_s = sp.reorder_point.get(item), sp.target.get(item)
            if sp.policy == "sS" and qty is None and isinstance(s_, (int, float)) \
                    and isinstance(big_s, (int, float)):
                lot = max(1.0, big_s - s_)  # fixed levels: each order is about S - s
            jobs, job_size = rate * min(1.0, size / lot), max(size, lot)
        if jobs <= 0 or job_size <= 0:
            continue
        walk(None, sp.site, item, job_size, jobs, f"replenishment jobs for {sp_name}", True)

    amplitude = steps.generation.seasonality.amplitude
    out = {}
    for name, d in sc.departments.items():
        open_share = 1.0 if d.calendar is None else plan.clocks[d.calendar].open_share
        out[name] = Load(name, "department", d.staff, open_share, amplitude, _merged(flows[name]))
    for name, st in plan.stations.items():
        if st.kind is Kind.DEPARTMENT:
            continue
        availability = 1.0
        if st.breakdowns is not None:
            up, down = st.breakdowns.time_between_failures.mean(), st.breakdowns.repair_time.mean()
            availability = up / (up + down) if up + down > 0 else 1.0
        if st.calendar is not None:
            availability *= plan.clocks[st.calendar].open_share
        kind = "stage" if sc.chain is not None else st.kind.value.replace("_", " ")
        out[name] = Load(name, kind, st.servers, availability, amplitude, _merged(flows[name]))
    return out


def _merged(flows: list[Flow]) -> tuple[Flow, ...]:
    """One flow per kind of work (orders of every product and size together): rates add up,
    work is their rate-weighted mean."""
    rate: dict[tuple[str, bool], float] = defaultdict(float)
    work: dict[tuple[str, bool], float] = defaultdict(float)
    for f in flows:
        rate[f.what, f.seasonal] += f.rate
        work[f.what, f.seasonal] += f.work_per_day
    return tuple(Flow(what, r, work[what, seasonal] / r if r > 0 else 0.0, seasonal)
                 for (what, seasonal), r in rate.items())


def quantity_pmf(order_size) -> list[tuple[int, float]]:
    """Distribution of an order's quantity, max(1, round(size)), as the model draws it."""
    if isinstance(order_size, Constant):
        return [(max(1, round(order_size.value)), 1.0)]
    if isinstance(order_size, Empirical):
        values = order_size.values
        weights = order_size.weights or [1.0] * len(values)
        p = [w / sum(weights) for w in weights]
    else:
        # No closed form for the rounding of every family: a fixed-seed sample keeps this a pure
        # function of the scenario.
        values = order_size.sample(np.random.default_rng(0), _QUANTITY_SAMPLE)
        p = [1 / len(values)] * len(values)
    pmf: dict[int, float] = defaultdict(float)
    for v, w in zip(values, p, strict=True):
        pmf[max(1, round(v))] += float(w)
    return sorted((q, w) for q, w in pmf.items() if w > 0)

