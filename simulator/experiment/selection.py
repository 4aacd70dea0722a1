"""Ranking and selection: the statistics behind ``optimize``, as pure functions of replication
values (no simulation here).

* **KN++** (Kim, S.-H. and Nelson, B. L. (2006), "On the asymptotic validity of fully sequential
  selection procedures for steady-state simulation", Operations Research 54(3): 475-488; also
  Kim and Nelson (2006), "Selecting the best system", Handbooks in OR & MS 13, ch. 17). A fully
  sequential indifference-zone procedure: after replication r of every design still in
  contention, design i is eliminated when another design l beats it by more than
  W_il(r) = max(0, delta / (2r) * (h^2 S_il^2 / delta^2 - r)), where S_il^2 is the variance of
  the paired differences X_i - X_l over replications 1..r (updated at every stage: the "++"),
  h^2 = 2 eta (r - 1) and eta = ((2 alpha / (k - 1))^(-2 / (r - 1)) - 1) / 2 (c = 1). It selects
  the best design, or one within ``delta`` of it, with probability at least 1 - alpha. The paired
  differences make it exploit common random numbers: the smaller S_il^2, the sooner i or l goes.
* **Feasibility with confidence**: a design meets a constraint ``kpi >= b`` when the one-sided
  lower confidence bound of the mean is at least b, fails it when the upper bound is below b
  (``<=`` mirrors this), and is *unclear* otherwise. The levels are Bonferroni-split over the
  constraints, so a design declared feasible meets all of them with the stated confidence.
  As in Andradottir and Kim (2010, "Fully sequential procedures for comparing constrained
  systems via simulation", Naval Research Logistics 57: 403-421), only a design proven
  feasible may eliminate another.
* **Pareto front** of two objectives on the means.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from scipy import stats

D = TypeVar("D", bound=Hashable)
"""A design, however the caller names it."""

MIN, MAX = "min", "max"

FEASIBLE, INFEASIBLE, UNCLEAR = "feasible", "infeasible", "unclear"
"""A design's standing against the constraints: proven, disproven, or not (yet) either."""


@dataclass(frozen=True)
class Constraint:
    """``kpi >= bound`` or ``kpi <= bound`` on the mean of the KPI."""

    kpi: str
    op: str
    bound: float

    def __str__(self) -> str:
        return f"{self.kpi}{self.op}{self.bound:g}"


def kn_h2(alpha: float, k: int, r: int) -> float:
    """KN++'s h^2 with r replications (r - 1 degrees of freedom) among k designs, c = 1."""
    if k < 2 or r < 2:
        return math.inf
    eta = 0.5 * ((2 * alpha / (k - 1)) ** (-2 / (r - 1)) - 1)
    return 2 * eta * (r - 1)


def kn_slack(h2: float, variance: float, delta: float, r: int) -> float:
    """W_il(r): how far design i's mean may trail design l's before i is eliminated."""
    return max(0.0, delta / (2 * r) * (h2 * variance / delta**2 - r))


def kn_screen(values: Mapping[D, np.ndarray], contenders: Sequence[D],
              eliminators: Sequence[D], r: int, *, k: int, delta: float, alpha: float,
              sense: str) -> tuple[dict[D, D], bool]:
    """One KN++ screening at stage r, on each design's first r replications.

    Returns ({eliminated design: the design that beat it}, settled): ``settled`` is True when
    every slack W_il(r) among the contenders left is 0 (KN's truncation point: from here on the
    sample means alone decide). Only ``eliminators`` (designs proven feasible) eliminate.
    """
    sign = 1.0 if sense == MAX else -1.0
    x = {d: sign * np.asarray(values[d][:r], dtype=float) for d in contenders}
    means = {d: float(v.mean()) for d, v in x.items()}
    h2 = kn_h2(alpha, k, r)
    out: dict[D, D] = {}
    settled = True
    for i in contenders:
        for l in contenders:  # noqa: E741 (the procedure's own name for the other design)
            if l == i:
                continue
            variance = float(np.var(x[i] - x[l], ddof=1)) if r > 1 else math.inf
            w = kn_slack(h2, variance, delta, r)
            if w > 0:
                settled = False
            if l in eliminators and i not in out and means[i] < means[l] - w:
                out[i] = l
    left = [d for d in contenders if d not in out]
    settled = settled or len(left) <= 1
    return out, settled


def one_sided(values: Sequence[float] | np.ndarray, confidence: float) -> tuple[float, float, float]:
    """Mean and the one-sided lower and upper confidence bounds of the mean (each holds with
    ``confidence``); NaN bounds with fewer than 2 values."""
    x = np.asarray(values, dtype=float)
    n = len(x)
    mean = float(x.mean()) if n else math.nan
    if n < 2:
        return mean, math.nan, math.nan
    half = float(stats.t.ppf(confidence, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return mean, mean - half, mean + half


def feasibility(columns: Mapping[str, Sequence[float] | np.ndarray], constraints: Sequence[Constraint],
                confidence: float) -> tuple[str, str]:
    """(FEASIBLE | INFEASIBLE | UNCLEAR, why in words) for one design from its replications of
    each constrained KPI; each constraint is judged at level 1 - (1 - confidence) / m."""
    if not constraints:
        return FEASIBLE, "no constraints"
    level = 1 - (1 - confidence) / len(constraints)
    unclear = []
    for c in constraints:
        mean, low, high = one_sided(columns[c.kpi], level)
        if not math.isfinite(low):
            unclear.append(f"{c.kpi}: fewer than 2 values")
            continue
        proven = low >= c.bound if c.op == ">=" else high <= c.bound
        disproven = high < c.bound if c.op == ">=" else low > c.bound
        bound = low if c.op == ">=" else high
        if disproven:
            other = high if c.op == ">=" else low
            return INFEASIBLE, (f"{c.kpi} {mean:.4g}: its {level:.1%} "
                                f"{'upper' if c.op == '>=' else 'lower'} bound {other:.4g} "
                                f"fails {c}")
        if not proven:
            unclear.append(f"{c.kpi} {mean:.4g}, {level:.1%} "
                           f"{'lower' if c.op == '>=' else 'upper'} bound {bound:.4g}: {c} "
                           "not proven")
    if unclear:
        return UNCLEAR, "; ".join(unclear)
    return FEASIBLE, f"every constraint met at {level:.1%} each"


def non_dominated(points: np.ndarray, senses: Sequence[str]) -> np.ndarray:
    """Mask of the rows of ``points`` (n x m) that no other row dominates: at least as good on
    every objective and better on one (``senses``: MIN or MAX per column). Rows with a NaN are
    never on the front; equal rows are all on it."""
    p = np.asarray(points, dtype=float)
    if p.ndim != 2 or p.shape[1] != len(senses):
        raise ValueError("points: one column per objective")
    q = p * np.array([1.0 if s == MIN else -1.0 for s in senses])  # all minimised
    finite = np.isfinite(q).all(axis=1)
    mask = finite.copy()
    for i in np.flatnonzero(finite):
        others = q[finite]
        dominated = ((others <= q[i]).all(axis=1) & (others < q[i]).any(axis=1)).any()
        mask[i] = not dominated
    return mask
