"""Step 1, order planning: forecast demand at each replenished stock point and set its levels.

Runs every ``period_days``. For each item of a stock point whose levels are ``auto``:

- the observed demand rate of the last period updates the forecast (moving average of the last
  ``window`` periods, or exponential smoothing with ``alpha``), multiplied by (1 + forecast_bias);
- the forecast error is the observed rate minus the forecast made before it was seen; its root mean
  square over the recent periods gives the uncertainty of demand over a horizon H,
  sd_H = rmse * sqrt(period * H); until three errors are known the compound-Poisson prior is used;
- the level covering demand over H at the service target is ceil(forecast * H + z * sd_H), with z
  the normal quantile of the service target and L the planned replenishment lead time (expected
  source time, no queueing: what the textbook rule assumes and the simulation then tests):
  base_stock: S over H = L; TS: S over H = T + L; RQ: R = that level over L, minus one; sS: s
  likewise and S = s + Q (unless S is given).

The prior, the planned lead times and the demand facts come from the compiled plan.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from functools import partial
from statistics import NormalDist
from typing import TYPE_CHECKING

from .flow import PLANNING_RUN
from .stations import work

if TYPE_CHECKING:
    from ..plan import StockPointPlan
    from .context import RunContext

PLANNING = 0  # index of "planning" in STEPS
MIN_ERRORS = 3


def _sd_from_prior(variance_rate: float, days: float) -> float:
    """Standard deviation of compound-Poisson demand over ``days``."""
    return math.sqrt(variance_rate * days)


def _sd_from_errors(rmse: float, period: float, days: float) -> float:
    """Standard deviation of demand over ``days`` from the forecast errors' root mean square
    (of rates per day, measured over periods of ``period`` days)."""
    return rmse * math.sqrt(period * days)


class Planner:
    def __init__(self, world: RunContext):
        self.world = world
        self.plan = plan = world.plan
        self.cfg = world.scenario.steps.planning
        self.z = NormalDist().inv_cdf(self.cfg.service_target)
        self.state: dict[tuple[str, str], dict] = {}
        self.rows: list[tuple] = []  # (time, stock point, item, forecast per day, target, lead time)
        self._last = 0.0
        for spec in plan.stock_points.values():
            for item in spec.active:
                if not self._auto(spec, item):
                    continue
                mean, var, _ = plan.node_demand.get((spec.site, item), (0.0, 0.0, 1.0))
                self.state[spec.name, item] = {
                    "base": mean,
                    "forecast": mean * (1 + self.cfg.forecast_bias),
                    "prior_var": var,
                    "history": deque(maxlen=self.cfg.window),
                    "errors": deque(maxlen=max(8, self.cfg.window)),
                    "lead": plan.planned_lead_time(spec.name, item),
                }

    @staticmethod
    def _auto(spec: StockPointPlan, item: str) -> bool:
        return spec.target.get(item) == "auto" or spec.reorder_point.get(item) == "auto"

    def _levels(self, spec: StockPointPlan, item: str, forecast: float,
                sd_over: Callable[[float], float], lead: float) -> tuple[int | None, int | None]:
        """(target, reorder point) for ``item``: automatic ones from the forecast and the
        standard deviation of demand over a horizon (``sd_over(days)``), fixed ones kept."""
        h = lead + (spec.review_period or 0.0)  # TS covers a review period too
        level = max(0, math.ceil(forecast * h + self.z * sd_over(h)))
        given_target, given_reorder = spec.target.get(item), spec.reorder_point.get(item)
        reorder: int | None = None
        if given_reorder == "auto":
            reorder = max(0, level - 1)
        elif given_reorder is not None:
            reorder = math.ceil(given_reorder)
        target: int | None = None
        if given_target not in (None, "auto"):
            target = math.ceil(given_target)
        elif spec.policy in ("base_stock", "TS"):
            target = level
        elif spec.policy == "sS" and reorder is not None and spec.order_quantity[item] is not None:
            target = reorder + spec.order_quantity[item]  # S = s + Q
        return target, reorder

    def initial_levels(self, spec: StockPointPlan) -> tuple[dict[str, int], dict[str, int]]:
        """Levels in force at time 0: fixed ones from the scenario, automatic ones from the prior."""
        targets, reorders = {}, {}
        for item in spec.active:
            st = self.state.get((spec.name, item))
            if st is None:
                t, r = self._levels(spec, item, 0.0, partial(_sd_from_prior, 0.0), 0.0)
            else:
                t, r = self._levels(spec, item, st["base"], partial(_sd_from_prior, st["prior_var"]),
                                    st["lead"])
            targets[item] = 0 if t is None else t
            reorders[item] = 0 if r is None else r
        for item in spec.active:
            st = self.state.get((spec.name, item))
            if st is not None:
                self.rows.append((0.0, spec.name, item, st["forecast"], targets[item], st["lead"]))
        return targets, reorders

    def run(self):
        """The planning department's periodic process."""
        w = self.world
        env = w.env
        station = w.departments[self.cfg.department]
        time = w.samplers.step_time["planning"]
        activity = w.activities("forecast and stock targets")
        run = 0
        while True:
            due = run * self.cfg.period_days
            if env.now < due:
                yield env.timeout(due - env.now)
            if run > 0:
                yield from work(env, w.job_log, w.flow.new_job(PLANNING_RUN), PLANNING, activity,
                                station, time(), 0)
                self.plan_levels()
            run += 1

    def plan_levels(self) -> None:
        now = self.world.env.now
        elapsed = now - self._last
        self._last = now
        if elapsed <= 0:
            return
        cfg = self.cfg
        for (sp_name, item), st in self.state.items():
            sp = self.world.stock[sp_name]
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
                sd_over = partial(_sd_from_errors, rmse, cfg.period_days)
            else:
                sd_over = partial(_sd_from_prior, st["prior_var"])
            target, reorder = self._levels(sp.spec, item, forecast, sd_over, lead)
            sp.set_levels(item, target, reorder)
            self.rows.append((now, sp_name, item, forecast, target if target is not None
                              else reorder, lead))
