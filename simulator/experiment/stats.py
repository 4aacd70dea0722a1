"""Output analysis: Student t intervals over replications, paired differences, the number of
replications a relative precision needs, and MSER-5 / Welch warm-up detection.

Replications are independent and identically distributed, so the t interval over their means is
the textbook one (Law, Simulation Modeling and Analysis, ch. 9). Values that are undefined in a
run (NaN, e.g. the fill rate without decoupling stock) are left out, and ``n`` says how many
values an estimate rests on.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats


def _finite(values: Iterable[float]) -> np.ndarray:
    x = np.asarray([np.nan if v is None else v for v in values], dtype=float)
    return x[np.isfinite(x)]


def t_half_width(values: Iterable[float], confidence: float = 0.95) -> float:
    """Half-width of the Student t confidence interval of the mean (NaN with fewer than 2)."""
    x = _finite(values)
    n = len(x)
    if n < 2:
        return float("nan")
    return float(stats.t.ppf((1 + confidence) / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))


def lower_bound(values: Iterable[float], confidence: float = 0.95) -> float:
    """One-sided lower confidence bound of the mean: the mean is above it with ``confidence``."""
    x = _finite(values)
    n = len(x)
    if n < 2:
        return float("nan")
    return float(x.mean() - stats.t.ppf(confidence, n - 1) * x.std(ddof=1) / math.sqrt(n))


def interval(values: Iterable[float], confidence: float = 0.95) -> dict:
    """Mean, half-width and number of finite values, as one row."""
    x = _finite(values)
    return {"mean": float(x.mean()) if len(x) else float("nan"),
            "half_width": t_half_width(x, confidence), "n": len(x)}


def kpi_columns(runs: pd.DataFrame, exclude: Iterable[str] = ()) -> list[str]:
    """The numeric columns of a runs table that are KPIs (not replication or cell keys)."""
    skip = {"replication", *exclude}
    return [c for c in runs.columns
            if c not in skip and pd.api.types.is_numeric_dtype(runs[c])
            and not pd.api.types.is_bool_dtype(runs[c])]


def summarize(runs: pd.DataFrame, kpis: Iterable[str] | None = None,
              confidence: float = 0.95) -> pd.DataFrame:
    """Mean and confidence half-width per KPI: columns kpi, mean, half_width, n."""
    names = list(kpis) if kpis is not None else kpi_columns(runs)
    rows = [{"kpi": name, **interval(pd.to_numeric(runs[name], errors="coerce"), confidence)}
            for name in names]
    return pd.DataFrame(rows, columns=["kpi", "mean", "half_width", "n"])


def paired_difference(a: Sequence[float], b: Sequence[float],
                      confidence: float = 0.95) -> dict:
    """Mean and t half-width of ``a[r] - b[r]`` over replications where both are defined.

    With common random numbers, replication r of both alternatives saw the same demand, so the
    differences vary less than the alternatives themselves (the covariance cancels).
    """
    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    return interval(d, confidence)


def welch_difference(a: Iterable[float], b: Iterable[float], confidence: float = 0.95) -> dict:
    """Difference of means of two independent samples, ``mean(a) - mean(b)``, with Welch's
    unequal-variance t interval and its Welch-Satterthwaite degrees of freedom ``df``; ``n`` is
    the smaller sample's size. Only for samples drawn with independent random numbers: with
    common ones, :func:`paired_difference` is the valid (and sharper) interval."""
    x, y = _finite(a), _finite(b)
    if len(x) < 2 or len(y) < 2:
        return {"mean": float("nan"), "half_width": float("nan"), "n": min(len(x), len(y)),
                "df": float("nan")}
    vx, vy = x.var(ddof=1) / len(x), y.var(ddof=1) / len(y)
    se2 = vx + vy
    # Both samples constant: the half-width is 0 whatever the degrees of freedom.
    df = se2**2 / (vx**2 / (len(x) - 1) + vy**2 / (len(y) - 1)) if se2 > 0 else 1.0
    hw = stats.t.ppf((1 + confidence) / 2, df) * math.sqrt(se2)
    return {"mean": float(x.mean() - y.mean()), "half_width": float(hw),
            "n": min(len(x), len(y)), "df": float(df)}


def replications_needed(values: Iterable[float], precision: float,
                        confidence: float = 0.95) -> int:
    """Replications for the half-width to reach ``precision`` x |mean| (Law's approximation
    n * (relative half-width / precision)^2). Returns the current count when it is reached,
    when the values are constant, or when fewer than 2 are defined (nothing to go on);
    a sys.maxsize when the mean is 0 but the values vary (no relative precision exists)."""
    x = _finite(values)
    n = len(x)
    if n < 2:
        return n
    hw = t_half_width(x, confidence)
    if hw == 0:
        return n
    mean = abs(float(x.mean()))
    if mean == 0:
        return sys.maxsize
    relative = hw / mean
    if relative <= precision:
        return n
    return max(n + 1, math.ceil(n * (relative / precision) ** 2))


def format_interval(mean: float, half_width: float, signed: bool = False) -> str:
    """'mean ± half-width' with the digits the half-width justifies ('-' when undefined)."""
    if mean is None or not math.isfinite(mean):
        return "-"
    sign = "+" if signed else ""
    if half_width is None or not math.isfinite(half_width):
        return _number(mean, 3, sign)
    if half_width == 0:
        digits = 3 if abs(mean) < 10 else 1 if abs(mean) < 1000 else 0
    else:
        digits = min(4, max(0, 1 - math.floor(math.log10(half_width))))
    return f"{_number(mean, digits, sign)} ± {half_width:,.{digits}f}"


def _number(x: float, digits: int, sign: str) -> str:
    if abs(x) >= 1000:
        digits = 0
    return f"{x:{sign},.{digits}f}"


# ---------------------------------------------------------------- warm-up


def welch_moving_average(y: ArrayLike, window: int) -> np.ndarray:
    """Welch's centred moving average: the mean of y[i-w..i+w], shrinking the window near the
    start (y[0..2i]) so the transient is not smeared; NaN for the last w points."""
    x = np.asarray(y, dtype=float)
    n = len(x)
    ok = np.isfinite(x)
    # Prefix sums of the defined values and of their count: each window's mean in O(1).
    total = np.concatenate([[0.0], np.cumsum(np.where(ok, x, 0.0))])
    count = np.concatenate([[0], np.cumsum(ok)])
    out = np.full(n, np.nan)
    for i in range(max(0, n - window)):
        half = min(i, window)
        c = count[i + half + 1] - count[i - half]
        if c:
            out[i] = (total[i + half + 1] - total[i - half]) / c
    return out


def mser(y: ArrayLike, batch: int = 5) -> tuple[int, bool]:
    """MSER-``batch`` truncation point (White 1997; MSER-5 with ``batch=5``).

    Batch means z_1..z_k of ``batch`` observations each; the truncation d (in batches) minimises
    the marginal standard error sum_{j>d} (z_j - mean(z_{d+1..k}))^2 / (k - d)^2 over d < k/2.
    Returns (observations to delete, settled): ``settled`` is False when the minimum lies at
    the k/2 limit, the sign that the run is too short to reach steady state.
    """
    x = np.asarray(y, dtype=float)
    k = len(x) // batch
    rows = x[: k * batch].reshape(k, batch)
    defined = np.isfinite(rows).any(axis=1)
    # Batches without a single value (no order that day) are skipped, positions kept.
    start = np.flatnonzero(defined)
    z = np.array([np.nanmean(r) for r in rows[defined]])
    k = len(z)
    if k < 4:
        return 0, False
    # Tail sums from the end give every truncation's mean and squared deviation in O(k).
    tail_sum = np.cumsum(z[::-1])[::-1]
    tail_sq = np.cumsum((z**2)[::-1])[::-1]
    m = np.arange(k, 0, -1, dtype=float)
    limit = k // 2
    sse = tail_sq[: limit + 1] - tail_sum[: limit + 1] ** 2 / m[: limit + 1]
    stat = sse / m[: limit + 1] ** 2
    d = int(np.argmin(stat))
    return int(start[d]) * batch, d < limit
