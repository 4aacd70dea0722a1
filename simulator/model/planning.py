"""Step 1, order planning: forecast demand at each stocked buffer and set its base-stock target.

Runs every ``period_days``. For each item of a buffer whose target is ``auto``:

- the observed demand rate of the last period updates the forecast (moving average of the last
  ``window`` periods, or exponential smoothing with ``alpha``), multiplied by (1 + forecast_bias);
- the forecast error is the observed rate minus the forecast made before it was seen; its root mean
  square over the recent periods gives the uncertainty of lead-time demand,
  sd_L = rmse * sqrt(period * L); until three errors are known the compound-Poisson prior is used;
- the target is S = ceil(forecast * L + z * sd_L), with z the normal quantile of the service target
  and L the planned replenishment lead time (expected stage time, no queueing: what the textbook
  rule assumes and the simulation then tests).
"""

from __future__ import annotations

import math
from collections import deque
from statistics import NormalDist
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..scenario import Scenario
    from .chain import StockPoint
    from .world import World

PLANNING = 0  # index of "planning" in STEPS
MIN_ERRORS = 3


def demand_prior(scenario: Scenario, buffer: str) -> dict[str, tuple[float, float]]:
    """Expected (rate, variance rate) of units demanded per day of each item of ``buffer``, from
    the scenario (inquiries x product mix x order size x bill of materials), as compound Poisson."""
    acceptance = 1 - scenario.steps.selection.credit_reject_rate
    rate = scenario.inquiry_rate * acceptance
    out = dict.fromkeys(scenario.items(buffer), (0.0, 0.0))
    for pname, share in scenario.product_shares().items():
        size = scenario.products[pname].order_size
        m = max(1.0, size.mean())
        second = size.variance() + m * m
        per_item = ({pname: 1} if buffer == "finished_goods"
                    else scenario.products[pname].bill_of_materials)
        for item, units in per_item.items():
            mean, var = out[item]
            out[item] = (mean + rate * share * units * m, var + rate * share * units**2 * second)
    return out


def planned_lead_time(scenario: Scenario, buffer: str, item: str) -> float:
    """Expected replenishment lead time of one job for ``item`` at ``buffer`` (no queueing).

    One job replaces one demand, so a job's size is the units of ``item`` in an order that
    contains it."""
    from ..scenario import BUFFER_FILLED_BY

    planned = scenario.buffer(buffer).planned_lead_time
    if planned is not None:
        return planned
    units = share = 0.0
    for pname, p_share in scenario.product_shares().items():
        per = 1 if buffer == "finished_goods" and pname == item else (
            0 if buffer == "finished_goods" else scenario.products[pname].bill_of_materials.get(item, 0))
        if per:
            units += p_share * per * scenario.mean_order_size(pname)
            share += p_share
    units_per_job = max(units / share if share else 1.0, scenario.buffer(buffer).lot_size)
    return scenario.expected_stage_time(BUFFER_FILLED_BY[buffer], units_per_job)


def initial_targets(scenario: Scenario, buffer: str) -> dict[str, int]:
    """Targets in force at time 0: fixed ones from the scenario, automatic ones from the prior."""
    spec = scenario.buffer(buffer).target
    if spec == "auto":
        z = NormalDist().inv_cdf(scenario.steps.planning.service_target)
        out = {}
        for item, (mean, var) in demand_prior(scenario, buffer).items():
            lead = planned_lead_time(scenario, buffer, item)
            out[item] = max(0, math.ceil(mean * lead + z * math.sqrt(var * lead)))
        return out
    if isinstance(spec, dict):
        return {i: math.ceil(spec.get(i, 0)) for i in scenario.items(buffer)}
    return dict.fromkeys(scenario.items(buffer), math.ceil(spec))


class Planner:
    def __init__(self, world: World):
        self.world = world
        sc = world.scenario
        self.cfg = sc.steps.planning
        self.z = NormalDist().inv_cdf(self.cfg.service_target)
        self.auto: list[StockPoint] = [
            world.stock[b] for b in sc.stocked_buffers if sc.buffer(b).target == "auto"
        ]
        self.state = {}
        for sp in self.auto:
            prior = demand_prior(sc, sp.name)
            for item in sp.items:
                mean, var = prior[item]
                self.state[sp.name, item] = {
                    "base": mean,
                    "forecast": mean * (1 + self.cfg.forecast_bias),
                    "prior_var": var,
                    "history": deque(maxlen=self.cfg.window),
                    "errors": deque(maxlen=max(8, self.cfg.window)),
                    "lead": planned_lead_time(sc, sp.name, item),
                }
        self.rows: list[tuple] = []  # (time, buffer, item, forecast per day, target, lead time)
        self._last = 0.0
        for sp in self.auto:
            for item in sp.items:
                st = self.state[sp.name, item]
                self.rows.append((0.0, sp.name, item, st["forecast"], sp.target[item], st["lead"]))

    def run(self):
        """The planning department's periodic process."""
        w = self.world
        env = w.env
        station = w.departments[self.cfg.department]
        time = w.step_time["planning"]
        activity = w.activities("forecast and stock targets")
        run = 0
        while True:
            due = run * self.cfg.period_days
            if env.now < due:
                yield env.timeout(due - env.now)
            if run > 0:
                yield from w.work(w.job_log, -2 - run, PLANNING, activity, station, time(), 0)
                self.plan()
            run += 1

    def plan(self) -> None:
        now = self.world.env.now
        elapsed = now - self._last
        self._last = now
        if elapsed <= 0:
            return
        cfg = self.cfg
        for sp in self.auto:
            for item in sp.items:
                st = self.state[sp.name, item]
                observed = sp.demand[item] / elapsed
                sp.demand[item] = 0
                st["errors"].append(observed - st["forecast"])
                st["history"].append(observed)
                if cfg.method == "moving_average":
                    st["base"] = sum(st["history"]) / len(st["history"])
                else:
                    st["base"] = cfg.alpha * observed + (1 - cfg.alpha) * st["base"]
                forecast = st["forecast"] = st["base"] * (1 + cfg.forecast_bias)
                lead = st["lead"]
                errors = st["errors"]
                if len(errors) >= MIN_ERRORS:
                    rmse = math.sqrt(sum(e * e for e in errors) / len(errors))
                    sd = rmse * math.sqrt(cfg.period_days * lead)
                else:
                    sd = math.sqrt(st["prior_var"] * lead)
                target = max(0, math.ceil(forecast * lead + self.z * sd))
                sp.set_target(item, target)
                self.rows.append((now, sp.name, item, forecast, target, lead))
