"""Validation against theory: the full model, reduced by a scenario to a textbook system, must
reproduce the closed forms of ``shared/DOMAIN.md`` ("Theory the model must reproduce").

A :class:`Case` is one parameter point of one family: a scenario file from
``scenarios/validation/`` (or any named scenario), dotted-path overrides, and the checks to
make (:class:`Check`: a measured quantity and its theoretical value, computed from the closed
forms of :mod:`simulator.theory`). :func:`run_case` runs independent replications (seeds ``(seed, r)``), and
:func:`evaluate` decides each check.

The decision rule
-----------------
Each check has ``n`` replication values. The table reports their mean with the Student t 95%
confidence interval. A check **passes when its theoretical value lies inside the simultaneous
95% interval of the whole catalogue**: the t interval at confidence ``1 - 0.05 / m``, where ``m``
is the number of checks in :data:`CASES` (Bonferroni). With ``m`` independent 95% intervals about
``m * 5%`` of correct checks would fail by chance; the simultaneous interval keeps the chance of
*any* false failure in a full run below 5%, whichever subset is run. A theory value that is wrong
by more than the interval fails; ``tests/validation`` shows it with deliberately wrong values.
The intervals come only from the replications; there are no hand-set tolerances.

Known sources of bias are kept far below the interval widths by the run lengths: the warm-up
removes the empty-and-idle start; orders still open at the end of the horizon are not in the
order averages (a relative bias of about E[W^2] / (E[W] T), under 0.5% here).
"""

from __future__ import annotations

import fnmatch
import json
import math
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field

import numpy as np
from pydantic import TypeAdapter
from scipy import stats

from .distributions import Distribution
from .records import time_average
from .result import RunResult, simulate
from .scenario import Scenario, load_scenario
from .theory import (
    base_stock_poisson,
    calendar_busy_share,
    calendar_sojourn,
    calendar_wait_fast,
    erlang_a,
    mg1_wait,
    mm1_base_stock,
    mm1_within,
    mmc_wait,
    rq_poisson,
    ss_poisson,
    ts_poisson,
    two_echelon_poisson,
)

CONFIDENCE = 0.95
QUICK_FACTOR = 0.2
"""``quick`` runs simulate this share of each case's horizon (intervals about twice as wide)."""


# ---------------------------------------------------------------- measured quantities


def _cohort_mask(r: RunResult, cases: np.ndarray) -> np.ndarray:
    """Rows whose order's inquiry arrived after the warm-up (the KPI cohort)."""
    inquiry = r.orders["inquiry"].to_numpy()
    return inquiry[cases] >= r.scenario.warmup_days


def queue_wait(r: RunResult, stage: str) -> float:
    """Mean wait in queue (start - queued) of the cohort's orders at one stage."""
    c = r.step_columns
    rows = c["activity"] == r.activity_names.index(stage)
    rows[rows] = _cohort_mask(r, c["case"][rows])
    return float(np.mean(c["start"][rows] - c["queued"][rows]))


def _window(r: RunResult) -> tuple[float, float]:
    sc = r.scenario
    return sc.warmup_days, sc.warmup_days + sc.horizon_days


def little_wip(r: RunResult) -> float:
    """Little's law for orders, L / (lambda W); 1 in theory.

    Between the reported KPIs themselves: ``wip_mean`` / (``throughput_per_day`` x
    ``cycle_time_mean``), all on the basis of the orders delivered inside the window (see
    :mod:`simulator.kpis`); the edge terms (time before the window of orders delivered in it, time
    in it of orders still open at its end) cancel in expectation when the window starts and ends
    in the same state (steady state, or the same season)."""
    k = r.kpis
    return k["wip_mean"] / (k["throughput_per_day"] * k["cycle_time_mean"])


def little_backorders(r: RunResult) -> float:
    """Little's law at the decoupling buffer, L / (lambda W); 1 in theory: the model's time-average
    orders waiting for stock (``backorder_orders_mean``) against the stock waits that ended inside
    the window, from the step records (edge terms as in :func:`little_wip`). Orders of one item
    only: an order waiting for several items counts once per item in the level."""
    t0, t1 = _window(r)
    c = r.step_columns
    codp = [r.resource_names.index(sp) for sp in r.plan.codp_points]
    rows = np.isin(c["resource"], codp)
    rows &= (c["start"] >= t0) & (c["start"] <= t1)
    total = float(np.sum(c["start"][rows] - c["queued"][rows]))
    return r.kpis["backorder_orders_mean"] * (t1 - t0) / total


def abandoned_share(r: RunResult) -> float:
    """Share of the window's received orders cancelled while they waited (in a queue, for
    stock, on hold), not while a piece of work on them was in hand: Erlang A's abandonments."""
    o = r.orders[r.orders["inquiry"] >= r.scenario.warmup_days]
    received = int(o["received"].notna().sum())
    cancelled = o.loc[o["status"] == "cancelled", ["id", "cancelled"]].to_numpy()
    c = r.step_columns
    at = np.full(len(r.orders), np.nan)
    at[cancelled[:, 0].astype(int)] = cancelled[:, 1]
    when = at[c["case"]]
    in_work = (c["start"] < when) & (when < c["end"])
    worked = np.unique(c["case"][in_work])
    return (len(cancelled) - len(worked)) / received if received else float("nan")


METRICS: dict[str, tuple[str, Callable[[RunResult], float]]] = {
    # name: (what it is, how to measure it in one run)
    "cycle_time_mean": ("W, mean cycle time (days)", lambda r: r.kpis["cycle_time_mean"]),
    "otif": ("share delivered within D", lambda r: r.kpis["otif"]),
    "fill_rate": ("unit fill rate", lambda r: r.kpis["fill_rate"]),
    "backorders_mean": ("E[B], backorders (units)", lambda r: r.kpis["backorders_mean"]),
    "inventory_codp_mean": ("E[on hand] (units)", lambda r: r.kpis["inventory_codp_mean"]),
    "backorder_delay_mean": ("mean backorder delay (days)",
                             lambda r: r.kpis["backorder_delay_mean"]),
    "queue_wait.distribution": ("Wq, wait at distribution (days)",
                                lambda r: queue_wait(r, "distribution")),
    "little_wip": ("Little: L / (lambda W), orders", little_wip),
    "little_backorders": ("Little: L / (lambda W), backorders", little_backorders),
    "abandoned_share": ("share cancelled while waiting (abandoned)", abandoned_share),
    "cancellation_rate": ("share of orders cancelled", lambda r: r.kpis["cancellation_rate"]),
}


def stock_point_figures(r: RunResult, point: str) -> dict[str, float]:
    """Unit fill rate, time-average backorders and on hand at one stock point (all its items)
    in the KPI window, from the level log. Only a demand lowers on hand, so the units a demand
    got at once are the falls of on hand and the units it had to wait for the rises of backorders
    (a receipt lowers backorders or raises on hand). Customer orders and replenishment jobs of
    stock points downstream are both demand here."""
    t0, t1 = _window(r)
    lv = r.level_columns
    served = short = on_hand = backorders = 0.0
    for key, (buffer, item) in enumerate(r.level_keys):
        if buffer != point:
            continue
        sel = lv["key"] == key
        times, held, back = lv["time"][sel], lv["on_hand"][sel], lv["backordered"][sel]
        initial = r.initial_stock[buffer][item]
        inside = (times >= t0) & (times <= t1)
        served += float(np.sum(np.maximum(-np.diff(held, prepend=initial), 0)[inside]))
        short += float(np.sum(np.maximum(np.diff(back, prepend=0.0), 0)[inside]))
        on_hand += time_average(times, held, initial, t0, t1)[0]
        backorders += time_average(times, back, 0.0, t0, t1)[0]
    demanded = served + short
    return {"fill_rate": served / demanded if demanded else float("nan"),
            "backorders_mean": backorders, "on_hand_mean": on_hand}


def open_utilization(r: RunResult, station: str) -> float:
    """Busy share of a department's or work centre's open time (the ``utilization`` KPI)."""
    return r.kpis["utilization"][station]


STOCK_POINT_KPIS = {"fill_rate": "unit fill rate", "backorders_mean": "E[B] (units)",
                    "on_hand_mean": "E[on hand] (units)"}
FAMILIES: dict[str, Callable[[str], tuple[str, Callable[[RunResult], float]]]] = {
    # "family.argument" metrics, e.g. "stock_point.fg.fill_rate", "queue_wait.credit check"
    "stock_point": lambda arg: (
        f"{STOCK_POINT_KPIS[arg.rsplit('.', 1)[1]]} at {arg.rsplit('.', 1)[0]}",
        lambda r: stock_point_figures(r, arg.rsplit(".", 1)[0])[arg.rsplit(".", 1)[1]]),
    "queue_wait": lambda arg: (f"Wq, wait at {arg} (days)", lambda r: queue_wait(r, arg)),
    "open_utilization": lambda arg: (f"busy share of open time, {arg}",
                                     lambda r: open_utilization(r, arg)),
}


def metric(name: str) -> tuple[str, Callable[[RunResult], float]]:
    """(what it is, how to measure it in one run) for a name of METRICS or a family metric."""
    if name in METRICS:
        return METRICS[name]
    family, _, arg = name.partition(".")
    if family not in FAMILIES or not arg:
        raise KeyError(f"no metric {name!r}; metrics: {', '.join(METRICS)}, or "
                       f"{', '.join(f + '.<name>' for f in FAMILIES)}")
    return FAMILIES[family](arg)


def measure(r: RunResult, metrics: Iterable[str]) -> dict[str, float]:
    return {m: float(metric(m)[1](r)) for m in metrics}


# ---------------------------------------------------------------- cases


@dataclass(frozen=True)
class Check:
    metric: str  # a key of METRICS
    theory: float

    @property
    def label(self) -> str:
        return metric(self.metric)[0]


@dataclass(frozen=True)
class Case:
    """One parameter point of one family of textbook systems."""

    name: str
    family: str
    system: str  # the textbook system, e.g. "M/M/1 rho=0.9"
    scenario: str  # a scenario name or file (see simulator.scenario.resolve_path)
    overrides: dict = field(default_factory=dict)
    checks: tuple[Check, ...] = ()
    reps: int = 20
    horizon_days: float = 20000.0
    warmup_days: float | None = None  # None: the scenario file's

    def build(self, quick: bool = False) -> Scenario:
        """The reduced scenario; ``quick`` shortens the horizon, never the warm-up."""
        changes = {**self.overrides,
                   "horizon_days": self.horizon_days * (QUICK_FACTOR if quick else 1.0)}
        if self.warmup_days is not None:
            changes["warmup_days"] = self.warmup_days
        return load_scenario(self.scenario, changes)

    def command(self, quick: bool = False) -> str:
        """The ``omcsim run`` command that simulates one replication of this case."""
        changes = dict(self.overrides)
        if self.warmup_days is not None:
            changes["warmup_days"] = self.warmup_days
        sets = " ".join(f"--set '{k}={json.dumps(v)}'" if isinstance(v, dict | list) or v is None
                        or " " in str(v) else f"--set {k}={v}" for k, v in changes.items())
        days = self.horizon_days * (QUICK_FACTOR if quick else 1.0)
        return f"omcsim run {self.scenario} --days {days:g} {sets}".rstrip()


def _exp(mean: float) -> dict:
    return {"dist": "exponential", "mean": mean}


def _queue_case(family: str, name: str, arrival_rate: float, servers: int, service: dict | float,
                service_mean: float, wait: float, horizon: float, warmup: float | None = None,
                little: bool = False) -> Case:
    """A single queue at the distribution stage of a scenario with nothing else taking time."""
    checks = [Check("queue_wait.distribution", wait),
              Check("cycle_time_mean", wait + service_mean)]
    if little:
        checks.append(Check("little_wip", 1.0))
    rho = arrival_rate * service_mean / servers
    return Case(
        name=name, family=family, system=f"{family} c={servers} lambda={arrival_rate:g} "
        f"E[S]={service_mean:g} rho={rho:.2f}",
        scenario=f"validation/{family.lower().replace('/', '')}",
        overrides={"steps.generation.channels.web.rate_per_day": arrival_rate,
                   "chain.stages.distribution.servers": servers,
                   "chain.stages.distribution.time": service},
        checks=tuple(checks), horizon_days=horizon, warmup_days=warmup,
    )


def _mmc(name: str, arrival_rate: float, servers: int, horizon: float, **kw) -> Case:
    family = "M/M/1" if servers == 1 else "M/M/c"
    return _queue_case(family, name, arrival_rate, servers, _exp(1.0), 1.0,
                       mmc_wait(arrival_rate, 1.0, servers), horizon, **kw)


def _mg1(name: str, arrival_rate: float, service: dict | float, horizon: float,
         warmup: float | None = None) -> Case:
    spec = TypeAdapter(Distribution).validate_python(service)
    family = "M/D/1" if spec.variance() == 0 else "M/G/1"
    return _queue_case(family, name, arrival_rate, 1, service, spec.mean(),
                       mg1_wait(arrival_rate, spec.mean(), spec.cv() ** 2), horizon, warmup)


def _base_stock(name: str, arrival_rate: float, lead_time: float, s: int,
                horizon: float) -> Case:
    theory = base_stock_poisson(arrival_rate, lead_time, s)
    return Case(
        name=name, family="base stock",
        system=f"base stock S={s} lambda={arrival_rate:g} L={lead_time:g}",
        scenario="validation/base_stock",
        overrides={"steps.generation.channels.web.rate_per_day": arrival_rate,
                   "chain.stages.assembly.time": lead_time,
                   "chain.buffers.finished_goods.target": s},
        checks=tuple(Check(m, v) for m, v in theory.items()), horizon_days=horizon,
    )


def _mto(name: str, arrival_rate: float, d: float, horizon: float,
         warmup: float | None = None) -> Case:
    return Case(
        name=name, family="MTO stage",
        system=f"MTO M/M/1 rho={arrival_rate:g} D={d:g}",
        scenario="validation/mto_single_stage",
        overrides={"steps.generation.channels.web.rate_per_day": arrival_rate,
                   "customers.all.demand_lead_time": d},
        checks=(Check("otif", mm1_within(arrival_rate, 1.0, d)),
                Check("cycle_time_mean", 1 / (1.0 - arrival_rate))),
        horizon_days=horizon, warmup_days=warmup,
    )


def _mts(name: str, arrival_rate: float, s: int, d: float, horizon: float,
         warmup: float | None = None, little: bool = False) -> Case:
    theory = mm1_base_stock(arrival_rate, 1.0, s, d)
    checks = [Check(m, v) for m, v in theory.items()]
    if little:
        checks.append(Check("little_backorders", 1.0))
    return Case(
        name=name, family="MTS stage",
        system=f"MTS M/M/1 rho={arrival_rate:g} S={s} D={d:g}",
        scenario="validation/mts_single_stage",
        overrides={"steps.generation.channels.web.rate_per_day": arrival_rate,
                   "chain.buffers.finished_goods.target": s,
                   "customers.all.demand_lead_time": d},
        checks=tuple(checks), horizon_days=horizon, warmup_days=warmup,
    )


def _stock_checks(point: str, theory: dict[str, float], prefix: str = "") -> tuple[Check, ...]:
    return tuple(Check(f"stock_point.{point}.{k}", theory[prefix + k]) for k in STOCK_POINT_KPIS)


def _policy(family: str, name: str, arrival_rate: float, lead_time: float, policy: dict,
            theory: dict[str, float], horizon: float) -> Case:
    """A depot stock point ``fg`` under ``policy``, bought from a supplier with constant lead time."""
    return Case(
        name=name, family=family,
        system=f"{family} {' '.join(f'{k}={v:g}' for k, v in policy.items())} "
        f"lambda={arrival_rate:g} L={lead_time:g}",
        scenario=f"validation/{family.strip('()').replace(',', '').lower()}",
        overrides={"steps.generation.channels.web.rate_per_day": arrival_rate,
                   "network.sites.vendor.lead_time": lead_time,
                   **{f"network.stock_points.fg.{k}": v for k, v in policy.items()}},
        checks=_stock_checks("fg", theory), horizon_days=horizon,
    )


def _rq(name: str, arrival_rate: float, lead_time: float, r: int, q: int, horizon: float) -> Case:
    return _policy("(R,Q)", name, arrival_rate, lead_time, {"reorder_point": r, "order_quantity": q},
                   rq_poisson(arrival_rate, lead_time, r, q), horizon)


def _ss(name: str, arrival_rate: float, lead_time: float, s: int, big_s: int, horizon: float) -> Case:
    return _policy("(s,S)", name, arrival_rate, lead_time,
                   {"reorder_point": s, "order_quantity": big_s - s},  # target auto: S = s + Q
                   ss_poisson(arrival_rate, lead_time, s, big_s), horizon)


def _ts(name: str, arrival_rate: float, lead_time: float, period: float, big_s: int,
        horizon: float) -> Case:
    return _policy("(T,S)", name, arrival_rate, lead_time, {"review_period": period, "target": big_s},
                   ts_poisson(arrival_rate, lead_time, period, big_s), horizon)


def _two_echelon(name: str, arrival_rate: float, plant_lead_time: float, s0: int, transit: float,
                 s1: int, horizon: float) -> Case:
    theory = two_echelon_poisson(arrival_rate, plant_lead_time, s0, transit, s1)
    return Case(
        name=name, family="two-echelon",
        system=f"DC S1={s1} L1={transit:g} fed by plant S0={s0} L0={plant_lead_time:g} "
        f"lambda={arrival_rate:g}",
        scenario="validation/two_echelon",
        overrides={"steps.generation.channels.web.rate_per_day": arrival_rate,
                   "network.sites.vendor.lead_time": plant_lead_time,
                   "network.lanes.plant_to_dc.transit": transit,
                   "network.stock_points.plant_stock.target": s0,
                   "network.stock_points.dc_stock.target": s1},
        checks=_stock_checks("dc_stock", theory) + _stock_checks("plant_stock", theory, "plant_"),
        horizon_days=horizon,
    )


# The calendars of scenarios/validation/calendar.yaml as open intervals of their cycle (days from
# time 0, a Monday 00:00), the form simulator.theory takes.
CALENDARS = {
    "half_days": ([(0.0, 0.5)], 1.0),
    "office": ([(8 / 24, 12 / 24), (13 / 24, 17 / 24)], 1.0),
    "working_week": ([(d + 8 / 24, d + 17 / 24) for d in range(5)], 7.0),
}


def _calendar_desk(name: str, arrival_rate: float, work_mean: float, calendar: str,
                   horizon: float, warmup: float) -> Case:
    """One person working to ``calendar``: exact busy share, fast-alternation wait."""
    f = sum(b - a for a, b in CALENDARS[calendar][0]) / CALENDARS[calendar][1]
    return Case(
        name=name, family="calendar",
        system=f"M/M/1 open f={f:.3g} ({calendar}) lambda={arrival_rate:g} E[S]={work_mean:g}",
        scenario="validation/calendar",
        overrides={"steps.generation.channels.web.rate_per_day": arrival_rate,
                   "steps.selection.time": _exp(work_mean), "departments.desk.calendar": calendar},
        checks=(Check("open_utilization.desk", calendar_busy_share(arrival_rate, work_mean, f)),
                Check("queue_wait.credit check",
                      calendar_wait_fast(arrival_rate, work_mean, 1.0, f))),
        horizon_days=horizon, warmup_days=warmup,
    )


def _calendar_unlimited(name: str, work: dict, calendar: str, horizon: float) -> Case:
    """Unlimited staff working to ``calendar``: the exact mean time at the desk."""
    spec = TypeAdapter(Distribution).validate_python(work)
    shape = 1 / spec.cv() ** 2  # exponential (cv 1) or gamma: the survival function of the work
    sojourn = calendar_sojourn(spec.mean(),
                               lambda x: stats.gamma.sf(x, shape, scale=spec.mean() / shape),
                               *CALENDARS[calendar])
    return Case(
        name=name, family="calendar",
        system=f"M/G/inf {calendar} E[S]={spec.mean():g} cv={spec.cv():g}",
        scenario="validation/calendar",
        overrides={"steps.generation.channels.web.rate_per_day": 1.0, "steps.selection.time": work,
                   "departments.desk.staff": None, "departments.desk.calendar": calendar},
        checks=(Check("cycle_time_mean", sojourn),), horizon_days=horizon, warmup_days=50,
    )


def _erlang_a(name: str, arrival_rate: float, servers: int, patience: float,
              horizon: float) -> Case:
    """M/M/c+M at the scheduling desk (mean work 1 day): abandonments from the queue are Erlang
    A's; an order whose patience runs out in work is cancelled after it, with chance
    theta / (theta + mu) by memorylessness (docs/order-life.md)."""
    theta = 1 / patience
    abandoned = erlang_a(arrival_rate, 1.0, servers, theta)
    return Case(
        name=name, family="Erlang A",
        system=f"M/M/{servers}+M lambda={arrival_rate:g} E[S]=1 E[patience]={patience:g}",
        scenario="validation/erlang_a",
        overrides={"steps.generation.channels.web.rate_per_day": arrival_rate,
                   "departments.desk.staff": servers,
                   "customers.all.patience": _exp(patience)},
        checks=(Check("abandoned_share", abandoned),
                Check("cancellation_rate", abandoned + (1 - abandoned) * theta / (theta + 1.0))),
        horizon_days=horizon,
    )


def _catalogue() -> tuple[Case, ...]:
    # Heavier load needs longer runs: the variance of a queue's averages grows like 1/(1-rho)^4
    # and its relaxation time (the warm-up) like 1/(c (1-sqrt(rho))^2) mean services, 380 for
    # M/M/1 at rho = 0.9 (Morse); every case warms up for about eight of those or more.
    return (
        _mmc("mm1-rho0.5", 0.5, 1, horizon=10000),
        _mmc("mm1-rho0.8", 0.8, 1, horizon=20000, warmup=800),
        _mmc("mm1-rho0.9", 0.9, 1, horizon=32000, warmup=3000, little=True),
        _mmc("mm2-rho0.7", 1.4, 2, horizon=10000, warmup=300),
        _mmc("mm5-rho0.8", 4.0, 5, horizon=4000, warmup=200),
        _mmc("mm3-rho0.9", 2.7, 3, horizon=10000, warmup=1000),
        _mg1("md1-rho0.5", 0.5, 1.0, horizon=10000, warmup=300),
        _mg1("md1-rho0.9", 0.9, 1.0, horizon=24000, warmup=3000),
        _mg1("mg1-gamma-rho0.8", 0.8, {"dist": "gamma", "mean": 1.0, "cv": 0.5}, horizon=20000),
        _mg1("mg1-lognormal-rho0.7", 0.7, {"dist": "lognormal", "mean": 1.0, "cv": 1.5},
             horizon=36000),
        _base_stock("base-stock-S3", 1.0, 5.0, 3, horizon=5000),
        _base_stock("base-stock-S6", 1.0, 5.0, 6, horizon=5000),
        _base_stock("base-stock-S10", 2.0, 4.0, 10, horizon=5000),
        _mto("mto-rho0.5", 0.5, 3.0, horizon=10000),
        _mto("mto-rho0.8", 0.8, 5.0, horizon=20000, warmup=800),
        _mto("mto-rho0.9", 0.9, 20.0, horizon=24000, warmup=3000),
        _mts("mts-rho0.5-S2", 0.5, 2, 1.0, horizon=10000),
        _mts("mts-rho0.8-S5", 0.8, 5, 2.0, horizon=20000, warmup=800, little=True),
        _mts("mts-rho0.9-S10", 0.9, 10, 5.0, horizon=24000, warmup=3000),
        _rq("rq-R3-Q4", 1.0, 5.0, 3, 4, horizon=5000),
        _rq("rq-R8-Q10", 2.0, 3.0, 8, 10, horizon=5000),
        _ss("ss-s4-S9", 1.0, 5.0, 4, 9, horizon=5000),
        _ss("ss-s1-S8", 1.5, 2.0, 1, 8, horizon=5000),
        _ts("ts-T7-S12", 1.0, 5.0, 7.0, 12, horizon=5000),
        _ts("ts-T0.5-S5", 2.0, 1.5, 0.5, 5, horizon=5000),
        _two_echelon("two-echelon-S0-3-S1-4", 1.0, 5.0, 3, 2.0, 4, horizon=5000),
        _two_echelon("two-echelon-S0-8-S1-3", 2.0, 3.0, 8, 1.0, 3, horizon=5000),
        # E[S] = 5 days of open time, five daily cycles: the fast-alternation limit is within 0.3%.
        _calendar_desk("calendar-desk-f0.5", 0.06, 5.0, "half_days", horizon=36000, warmup=1000),
        _calendar_unlimited("calendar-inf-office", _exp(0.5), "office", horizon=5000),
        _calendar_unlimited("calendar-inf-week", {"dist": "gamma", "mean": 2.0, "cv": 0.5},
                            "working_week", horizon=5000),
        _erlang_a("erlang-a-c2", 1.8, 2, 1.0, horizon=3000),
        _erlang_a("erlang-a-c1-overload", 1.5, 1, 4.0, horizon=3000),
        # Whole years, also in quick runs: the (seasonal) window starts and ends in one season.
        Case(name="little-default", family="Little",
             system="default scenario (ATO, all ten steps)", scenario="default",
             checks=(Check("little_wip", 1.0),), reps=10, horizon_days=5 * 365),
    )


CASES: tuple[Case, ...] = _catalogue()
FAMILY_SIZE = sum(len(c.checks) for c in CASES)
"""m, the number of checks the simultaneous (Bonferroni) interval covers."""


def select(patterns: Sequence[str] | None) -> list[Case]:
    """Cases whose name or family matches any of the shell-style ``patterns`` (all if none)."""
    if not patterns:
        return list(CASES)
    return [c for c in CASES if any(fnmatch.fnmatch(c.name, p)
                                    or fnmatch.fnmatch(c.family.lower(), p.lower())
                                    for p in patterns)]


def case(name: str) -> Case:
    for c in CASES:
        if c.name == name:
            return c
    raise KeyError(f"no validation case {name!r}; cases: {', '.join(c.name for c in CASES)}")


# ---------------------------------------------------------------- running and deciding


def _replication(scenario: Scenario, metrics: list[str], seed: tuple[int, int]) -> dict:
    return measure(simulate(scenario, seed), metrics)


def run_case(c: Case, reps: int | None = None, seed: int = 1, quick: bool = False,
             pool: Executor | None = None) -> list[dict[str, float]]:
    """Replication ``r`` runs with seed ``(seed, r)``; one dict of measured values per run.
    ``pool`` (e.g. a ProcessPoolExecutor) runs replications in parallel, same results."""
    scenario = c.build(quick)
    metrics = [k.metric for k in c.checks]
    n = reps or c.reps
    seeds = [(seed, r) for r in range(n)]
    if pool is not None:
        return list(pool.map(_replication, [scenario] * n, [metrics] * n, seeds))
    return [_replication(scenario, metrics, s) for s in seeds]


def t_half_width(values: np.ndarray, confidence: float) -> float:
    """Half-width of the Student t interval of the mean; NaN (so the check fails) if fewer than
    two values or any value is not finite: a validation run must measure every replication."""
    n = len(values)
    if n < 2 or not np.all(np.isfinite(values)):
        return float("nan")
    return float(stats.t.ppf((1 + confidence) / 2, n - 1) * values.std(ddof=1) / math.sqrt(n))


@dataclass(frozen=True)
class Verdict:
    case: str
    quantity: str
    theory: float
    mean: float
    half_width: float  # of the 95% t interval of the mean
    decision_half_width: float  # of the simultaneous 95% interval (Bonferroni)
    n: int

    @property
    def passed(self) -> bool:
        return abs(self.mean - self.theory) <= self.decision_half_width  # False if NaN


def decide(values: Sequence[float], theory: float, family_size: int = FAMILY_SIZE, *,
           case: str = "", quantity: str = "") -> Verdict:
    """The decision rule of the module docstring for one check's replication values."""
    x = np.asarray(values, dtype=float)
    simultaneous = 1 - (1 - CONFIDENCE) / family_size
    return Verdict(case, quantity, float(theory), float(x.mean()) if len(x) else float("nan"),
                   t_half_width(x, CONFIDENCE), t_half_width(x, simultaneous), len(x))


def evaluate(c: Case, runs: list[dict[str, float]], family_size: int = FAMILY_SIZE,
             theory: dict[str, float] | None = None) -> list[Verdict]:
    """Decide every check of ``c`` from its runs; ``theory`` replaces theoretical values (by
    metric), which is how the tests show that a wrong value fails."""
    out = []
    for k in c.checks:
        value = (theory or {}).get(k.metric, k.theory)
        out.append(decide([r[k.metric] for r in runs], value, family_size,
                          case=c.name, quantity=k.label))
    return out
