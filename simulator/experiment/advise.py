"""The decoupling-point advisor: for each demand lead time D, the cheapest decoupling point whose
OTIF meets a target with 95% confidence, and why each other one is not chosen.

"Meets with confidence c" means the one-sided lower c confidence bound of mean OTIF over the
replications is at least the target. Among those, the cheapest is the one with the lowest mean
total cost (holding, backorder penalty, lost sales, labour). Cells share random numbers, so the
cost difference to the recommendation is a paired interval.

An unstable decoupling point (a department or stage offered load >= 1, or work piling up: the
warnings of :data:`~simulator.experiment.runwarnings.UNSTABLE`) is never recommended, whatever
its OTIF: its queues grow without bound, so every KPI it has depends on the run length.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..format import format_interval, format_value
from ..scenario import Scenario
from .plan import PRECISION_KPIS, optional_text
from .runners import ExperimentError, Runner
from .runwarnings import in_words, unstable, warning_table
from .stats import interval, lower_bound, paired_difference
from .sweep import STRATEGY_ORDER, SweepResult, sweep

VERDICTS = {
    "recommended": "the cheapest decoupling point that meets the target",
    "overloaded": "unstable: a department or stage is offered more work than it can do (offered "
                  "load >= 1) or work piles up, so its numbers depend on the run length",
    "too much stock": "meets the target, but holds more inventory and costs more",
    "costlier": "meets the target, but costs more",
    "too slow": "OTIF is below the target (or every inquiry was lost)",
    "not proven": "OTIF may meet the target, but not with the required confidence",
    "no estimate": "fewer than 2 successful runs, or OTIF undefined (no order due in the window)",
}


@dataclass
class Advice:
    """``table``: one row per (D, decoupling point) with the estimates, the warnings of its runs
    in words, a verdict (see :data:`VERDICTS`) and the reason in words; ``recommendations``:
    one row per D with the recommended strategy (None when no decoupling point meets the
    target); ``sweep``: the runs and summary behind it."""

    table: pd.DataFrame
    recommendations: pd.DataFrame
    target_otif: float
    confidence: float
    sweep: SweepResult


def advise(
    scenario: Scenario,
    target_otif: float = 0.95,
    pd_ratios: Sequence[float] | None = None,
    *,
    lead_times: Sequence[float] | None = None,
    strategies: str | Iterable[str] = "all",
    reps: int = 10,
    seed: int = 1,
    confidence: float = 0.95,
    out: str | Path | None = None,
    workers: int | None = None,
    dask: str | None = None,
    runner: Runner | None = None,
    precision: float | None = None,
    precision_kpis: Sequence[str] = PRECISION_KPIS,
    max_reps: int = 100,
    progress: bool = False,
) -> Advice:
    """Sweep the decoupling points over the given P:D ratios or demand lead times (default:
    the scenario's own D) and assess each cell against ``target_otif``."""
    if not 0 < target_otif <= 1:
        raise ExperimentError(f"target OTIF: expected a share in (0, 1], got {target_otif}")
    if not 0.5 <= confidence < 1:
        raise ExperimentError(f"confidence: expected a level in [0.5, 1), got {confidence}")
    result = sweep(scenario, pd_ratios, lead_times=lead_times, strategies=strategies, reps=reps,
                   seed=seed, out=out, workers=workers, dask=dask, runner=runner,
                   precision=precision, precision_kpis=precision_kpis, max_reps=max_reps,
                   progress=progress)
    table, recommendations = assess(result.runs, target_otif, confidence)
    return Advice(table, recommendations, target_otif, confidence, result)


def assess(runs: pd.DataFrame, target_otif: float,
           confidence: float = 0.95) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The advisor's verdicts from a sweep's runs table (see :class:`Advice`)."""
    rows, recs = [], []
    for (pd_ratio, d), column in runs.groupby(["pd", "demand_lead_time"], sort=False):
        cells = {s: g[g["error"].isna()].set_index("replication")
                 for s, g in column.groupby("strategy", sort=False)}
        order = sorted(cells, key=STRATEGY_ORDER.index)
        est = {s: _estimates(cells[s], target_otif, confidence) for s in order}
        warned = warning_table(column, ["strategy"])
        texts = {s: "; ".join(in_words(r) for _, r in g.iterrows())
                 for s, g in warned.groupby("strategy", sort=False)}
        overloaded = {s: _overload(g) for s, g in unstable(warned).groupby("strategy", sort=False)}
        stable = [s for s in order if s not in overloaded]
        meeting = [s for s in stable if est[s]["meets"]]
        best = min(meeting, key=lambda s: est[s]["cost_mean"]) if meeting else None
        for s in order:
            verdict, reason = (("overloaded", overloaded[s]) if s in overloaded and est[s]["n"]
                               else _verdict(s, est, best, cells, target_otif, confidence))
            diff = (paired_difference(*_aligned(cells[s], cells[best], "cost_total"), confidence)
                    if best is not None and s != best else
                    {"mean": float("nan"), "half_width": float("nan")})
            rows.append({"pd": pd_ratio, "demand_lead_time": d, "strategy": s,
                         "decoupling_point": column.loc[column["strategy"] == s,
                                                        "decoupling_point"].iloc[0],
                         **{k: v for k, v in est[s].items() if k != "meets"},
                         "meets_target": est[s]["meets"],
                         "cost_diff": diff["mean"], "cost_diff_half_width": diff["half_width"],
                         "warnings": texts.get(s, ""), "verdict": verdict, "reason": reason})
        if best is not None:
            e = est[best]
            why = (f"{best}: {_otif(e)}, at least {_share(e['otif_lower'])} with "
                   f"{confidence:.0%} confidence; the cheapest of {len(meeting)} meeting "
                   f"{_share(target_otif)}")
        elif stable:
            top = max(stable, key=lambda s: np.nan_to_num(est[s]["otif_mean"], nan=-1))
            why = (f"no decoupling point meets OTIF {_share(target_otif)} with {confidence:.0%} "
                   f"confidence; the best is {top} at {_share(est[top]['otif_mean'])}"
                   + (" (leaving out the overloaded)" if overloaded else ""))
        else:
            why = "every decoupling point is overloaded: " + "; ".join(overloaded.values())
        recs.append({"pd": pd_ratio, "demand_lead_time": d, "recommended": best,
                     "otif_mean": est[best]["otif_mean"] if best else float("nan"),
                     "otif_lower": est[best]["otif_lower"] if best else float("nan"),
                     "cost_mean": est[best]["cost_mean"] if best else float("nan"),
                     "reason": why})
    recommendations = pd.DataFrame(recs)
    recommendations["recommended"] = optional_text(recommendations["recommended"])
    return pd.DataFrame(rows), recommendations


def _aligned(a: pd.DataFrame, b: pd.DataFrame, kpi: str) -> tuple[pd.Series, pd.Series]:
    both = a.index.intersection(b.index)
    return a.loc[both, kpi], b.loc[both, kpi]


def _estimates(g: pd.DataFrame, target: float, confidence: float) -> dict:
    otif = interval(g["otif"]) if len(g) else {"mean": np.nan, "half_width": np.nan, "n": 0}
    cost = interval(g["cost_total"]) if len(g) else {"mean": np.nan, "half_width": np.nan}
    lower = lower_bound(g["otif"], confidence) if len(g) else np.nan
    inquiries = g["inquiries"].sum() if len(g) else 0
    return {
        "n": len(g),
        "otif_mean": otif["mean"], "otif_half_width": otif["half_width"], "otif_lower": lower,
        "lost_share": float(g["orders_lost"].sum() / inquiries) if inquiries else np.nan,
        "cycle_time_mean": float(g["cycle_time_mean"].mean()) if len(g) else np.nan,
        "inventory_value_mean": float(g["inventory_value_mean"].mean()) if len(g) else np.nan,
        "cost_holding": float(g["cost_holding"].mean()) if len(g) else np.nan,
        "cost_mean": cost["mean"], "cost_half_width": cost["half_width"],
        "meets": bool(np.isfinite(lower) and lower >= target),
    }


def _share(value: float) -> str:
    return format_value("otif", value)


def _otif(e: dict) -> str:
    """``OTIF 92.4 ± 3.8%``: a cell's mean OTIF and its half-width, as every table writes it."""
    return f"OTIF {format_interval('otif', e['otif_mean'], e['otif_half_width'])}"


def _overload(rows: pd.DataFrame) -> str:
    """Why a decoupling point is unstable: what is overloaded and by how much, in how many runs
    (the worst run's figure)."""
    parts = [r["message"] + (f" (in {r['runs']} of {r['of']} runs)" if r["runs"] < r["of"] else "")
             for _, r in rows.iterrows()]
    return "; ".join(parts) + "; its queues grow without bound, so its KPIs depend on the run length"


def _verdict(s: str, est: dict, best: str | None, cells: dict, target: float,
             confidence: float) -> tuple[str, str]:
    e = est[s]
    if e["n"] < 2:
        return "no estimate", f"only {e['n']} successful run(s); see the runs' errors"
    otif = _otif(e)
    lost = (f"; {e['lost_share']:.0%} of inquiries lost to quotes longer than customers accept"
            if e["lost_share"] >= 0.005 else "")
    if not np.isfinite(e["otif_mean"]):
        if e["lost_share"] >= 1:
            return "too slow", "every inquiry was lost: quotes longer than customers accept"
        return "no estimate", f"OTIF undefined: no order was due in the window{lost}"
    if s == best:
        return "recommended", (f"{otif} meets {_share(target)} (lower {confidence:.0%} bound "
                               f"{_share(e['otif_lower'])}); cost "
                               f"{format_value('cost_total', e['cost_mean'])}{lost}")
    if not e["meets"]:
        if e["otif_mean"] + e["otif_half_width"] < target:
            return "too slow", (f"{otif} is below {_share(target)}; mean cycle time "
                                f"{format_value('cycle_time_mean', e['cycle_time_mean'])}{lost}")
        return "not proven", (f"{otif} may reach {_share(target)} but its lower {confidence:.0%} "
                              f"bound is {_share(e['otif_lower'])}; more replications may settle "
                              "it")
    b = est[best]
    diff = paired_difference(*_aligned(cells[s], cells[best], "cost_total"))
    extra = (f"costs {format_interval('cost_total', diff['mean'], diff['half_width'], signed=True)}"
             f" vs {best}")
    if diff["mean"] - diff["half_width"] <= 0:
        extra += " (not a significant difference)"
    if e["inventory_value_mean"] > b["inventory_value_mean"]:
        stock = [format_value("inventory_value_mean", x["inventory_value_mean"]) for x in (e, b)]
        return "too much stock", (f"meets the target but holds {stock[0]} of stock on average vs "
                                  f"{stock[1]} at {best}; {extra}{lost}")
    return "costlier", f"meets the target; {extra}{lost}"
