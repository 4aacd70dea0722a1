"""Experiments: replications with confidence intervals.

Replication ``r`` of an experiment with base seed ``s`` runs with the seed ``(s, r)``, whatever
the alternative, the worker or the engine: so alternatives share random streams (common random
numbers) and results are identical serial or parallel.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import stats

from .model.world import simulate
from .scenario import Scenario


def flat_kpis(kpis: dict) -> dict:
    """KPIs as one flat row: nested mappings become ``name.key`` columns."""
    row = {}
    for name, value in kpis.items():
        if isinstance(value, dict):
            for sub, v in value.items():
                row[f"{name}.{sub}"] = v
        elif isinstance(value, (list, tuple)):
            row[name] = str(value)
        else:
            row[name] = value
    return row


def run_once(scenario: Scenario, seed) -> dict:
    """One run's KPIs as a flat row."""
    return flat_kpis(simulate(scenario, seed).kpis)


def replication_seed(base_seed: int, replication: int) -> tuple[int, int]:
    return (int(base_seed), int(replication))


def replicate(scenario: Scenario, reps: int, seed: int = 1, workers: int = 1) -> pd.DataFrame:
    """``reps`` independent runs; one row per replication with ``replication`` and every KPI."""
    seeds = [replication_seed(seed, r) for r in range(reps)]
    if workers > 1 and reps > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(workers, reps)) as pool:
            rows = list(pool.map(run_once, [scenario] * reps, seeds))
    else:
        rows = [run_once(scenario, s) for s in seeds]
    df = pd.DataFrame(rows)
    df.insert(0, "replication", range(reps))
    return df


def t_half_width(values: Iterable[float], confidence: float = 0.95) -> float:
    """Half-width of the Student t confidence interval of the mean (NaN with fewer than 2)."""
    x = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=float)
    n = len(x)
    if n < 2:
        return float("nan")
    return float(stats.t.ppf((1 + confidence) / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))


def summarize(runs: pd.DataFrame, kpis: Iterable[str] | None = None,
              confidence: float = 0.95) -> pd.DataFrame:
    """Mean and confidence half-width per KPI: columns kpi, mean, half_width, n."""
    numeric = [c for c in runs.columns if c != "replication"
               and pd.api.types.is_numeric_dtype(runs[c])]
    names = list(kpis) if kpis is not None else numeric
    rows = []
    for name in names:
        col = pd.to_numeric(runs[name], errors="coerce").dropna()
        rows.append({"kpi": name, "mean": float(col.mean()) if len(col) else float("nan"),
                     "half_width": t_half_width(col, confidence), "n": int(len(col))})
    return pd.DataFrame(rows)
