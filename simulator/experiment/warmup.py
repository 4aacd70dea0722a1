"""Warm-up analysis: how long the model takes to forget its empty, idle start.

The scenario is run from time 0 with no warm-up for its whole length (warm-up + horizon). For
each main daily series, the replications are averaged day by day (Welch's procedure, with his
centred moving average for the plot) and the MSER-5 rule picks the truncation point of the
averaged series. The recommended warm-up is the largest truncation over the series.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..result import simulate
from ..scenario import Scenario
from ..streams import Seed
from .plan import WARNINGS, run_cells, warnings_text
from .runners import ExperimentError, Runner, make_runner
from .runwarnings import unstable, warning_table
from .stats import interval, mser, welch_moving_average

WARMUP_SERIES = {
    "wip": "orders in progress (end of day)",
    "backorders": "units backordered at the decoupling point (end of day)",
    "inventory_codp": "units on hand at the decoupling point (end of day)",
    "cycle_time": "mean cycle time of the orders delivered that day (days)",
}


@dataclass
class WarmupResult:
    """``series``: one row per (kpi, day): mean over replications and Welch's moving average.
    ``truncation``: one row per kpi: MSER-5 truncation day, ``settled`` (False: the minimum is
    at the half-way limit, run longer), and the mean after truncation with its half-width over
    replications (how precise a run of this length is). ``notes``: caveats in words.
    ``warnings``: the runs' warnings, one row per code and resource (see
    :func:`~simulator.experiment.runwarnings.warning_table`)."""

    series: pd.DataFrame
    truncation: pd.DataFrame
    recommended_days: float
    scenario_warmup_days: float
    days: float
    reps: int
    window: int
    notes: list[str]
    warnings: pd.DataFrame


def daily_series(scenario: Scenario, seed: Seed) -> dict[str, list[float]]:
    """The :data:`WARMUP_SERIES` of one run, one value per day (NaN for a cycle time on a day
    without deliveries), and its warnings; runs in a worker, so it returns plain lists."""
    result = simulate(scenario, seed)
    ts = result.timeseries
    days = len(ts)
    out = {"wip": ts["wip"].tolist(), WARNINGS: warnings_text(result.warnings)}
    if result.plan.codp_points:  # there is decoupling stock
        out["backorders"] = ts["backorders"].tolist()
        out["inventory_codp"] = ts["on_hand_codp"].tolist()
    o = result.orders
    done = o[o["status"] == "delivered"]
    # The delivery day indexes the series: the first days only see the quick orders, which is
    # the start-up bias to detect (by receipt day, the last days would be censored instead).
    day = np.floor(done["delivered"].to_numpy()).astype(int)
    keep = day < days
    ct = (done["delivered"] - done["received"]).to_numpy()[keep]
    total = np.bincount(day[keep], weights=ct, minlength=days)
    count = np.bincount(day[keep], minlength=days)
    out["cycle_time"] = np.where(count > 0, total / np.maximum(count, 1), np.nan).tolist()
    return out


def warmup(
    scenario: Scenario,
    reps: int = 5,
    seed: int = 1,
    *,
    days: float | None = None,
    window: int = 7,
    batch: int = 5,
    workers: int | None = None,
    dask: str | None = None,
    runner: Runner | None = None,
    progress: bool = False,
) -> WarmupResult:
    """Welch data and MSER-``batch`` truncation for ``reps`` runs of ``days`` days (default:
    the scenario's warm-up + horizon), started empty with no warm-up."""
    if reps < 1 or window < 1 or batch < 1:
        raise ExperimentError("reps, window and batch must be at least 1")
    length = days if days is not None else scenario.warmup_days + scenario.horizon_days
    if length < 4 * batch:
        raise ExperimentError(f"days: {length:g} is too short for MSER-{batch}; give at least "
                              f"{4 * batch} days")
    cold = scenario.with_overrides(warmup_days=0, horizon_days=length)

    def go(active: Runner):
        return run_cells({None: cold}, reps, seed, runner=active, measure=daily_series,
                         progress=progress, desc="warm-up")

    if runner is not None:
        outcomes, _ = go(runner)
    else:
        with make_runner(workers, dask) as active:
            outcomes, _ = go(active)
    failed = [o for o in outcomes.values() if not o.ok]
    if failed:
        raise ExperimentError(f"{len(failed)} of {reps} warm-up runs failed: {failed[0].error}")
    runs = [outcomes[(None, r)].value for r in range(reps)]
    series_rows, trunc_rows = [], []
    for kpi in (k for k in WARMUP_SERIES if k in runs[0]):
        data = np.array([run[kpi] for run in runs], dtype=float)  # reps x days
        defined = np.isfinite(data)
        count = defined.sum(axis=0)
        mean = np.where(count > 0, np.where(defined, data, 0).sum(axis=0) / np.maximum(count, 1),
                        np.nan)
        if not np.isfinite(mean).any() or np.nanmax(mean) == np.nanmin(mean):
            # A constant series (no backorders ever) has no transient to find, an empty one
            # (no order delivered: an overloaded chain) nothing to look at.
            continue
        cut, settled = mser(mean, batch)
        after = [np.nanmean(row[cut:]) if np.isfinite(row[cut:]).any() else np.nan
                 for row in data]
        trunc_rows.append({"kpi": kpi, "truncation_day": float(cut), "settled": settled,
                           **{f"{k}_after": v for k, v in interval(after).items()}})
        day = np.arange(1, data.shape[1] + 1, dtype=float)
        series_rows.append(pd.DataFrame({"kpi": kpi, "day": day, "mean": mean,
                                         "welch": welch_moving_average(mean, window)}))
    truncation = pd.DataFrame(trunc_rows, columns=["kpi", "truncation_day", "settled",
                                                   "mean_after", "half_width_after", "n_after"])
    series = (pd.concat(series_rows, ignore_index=True) if series_rows
              else pd.DataFrame(columns=["kpi", "day", "mean", "welch"]))
    recommended = float(truncation["truncation_day"].max()) if len(truncation) else 0.0
    warnings = warning_table(pd.DataFrame({WARNINGS: [run[WARNINGS] for run in runs]}), [])
    notes = []
    over = unstable(warnings)
    if len(over):
        where = ", ".join(dict.fromkeys(over["resource"].dropna()))
        notes.append(f"the scenario is overloaded ({where}; see its warnings): its queues grow "
                     "without bound, so the series never settle and no warm-up makes its "
                     "numbers steady")
    season = scenario.steps.generation.seasonality
    if season.amplitude > 0:
        notes.append(
            f"demand is seasonal (amplitude {season.amplitude:g}, period "
            f"{season.period_days:g} days), so the series are not stationary and a truncation "
            "point may mark the season rather than the end of the start-up; for the warm-up "
            "alone, analyse with steps.generation.seasonality.amplitude=0")
    if not truncation["settled"].all():
        notes.append("a truncation at the half-way limit means the series had not settled: "
                     "analyse a longer run (--days)")
    return WarmupResult(series, truncation, recommended, scenario.warmup_days, length, reps,
                        window, notes, warnings)

