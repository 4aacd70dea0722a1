"""Output analysis helpers against scipy and against their definitions."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simulator.experiment import (
    interval,
    lower_bound,
    mser,
    paired_difference,
    replications_needed,
    summarize,
    t_half_width,
    welch_difference,
    welch_moving_average,
)


def test_t_half_width_matches_scipy_and_skips_undefined():
    x = [3.1, 2.7, 3.9, 3.3, 2.8, 3.6]
    lo, hi = stats.t.interval(0.95, len(x) - 1, loc=np.mean(x), scale=stats.sem(x))
    assert t_half_width(x) == pytest.approx((hi - lo) / 2)
    assert t_half_width([*x, float("nan"), None]) == pytest.approx((hi - lo) / 2)
    assert math.isnan(t_half_width([1.0]))
    assert t_half_width([2.0, 2.0, 2.0]) == 0


def test_t_interval_covers_the_mean_95_percent_of_the_time():
    rng = np.random.default_rng(7)
    trials, n = 4000, 5
    samples = rng.exponential(1.0, (trials, n)) ** 0.3  # skewed, mean known by integration
    true_mean = math.gamma(1.3)
    covered = sum(abs(s.mean() - true_mean) <= t_half_width(s) for s in samples)
    # 99.9% binomial band around 0.95 (small samples of a skewed law under-cover a little).
    band = 3.3 * math.sqrt(0.95 * 0.05 / trials)
    assert 0.95 - band - 0.01 <= covered / trials <= 0.95 + band


def test_lower_bound_is_one_sided():
    x = np.array([0.91, 0.95, 0.97, 0.93, 0.96])
    expected = x.mean() - stats.t.ppf(0.95, 4) * x.std(ddof=1) / math.sqrt(5)
    assert lower_bound(x) == pytest.approx(expected)
    assert x.mean() - t_half_width(x) < lower_bound(x) < x.mean()


def test_paired_and_welch_differences():
    a = np.array([10.0, 12.0, 11.5, 13.0, 9.5])
    b = np.array([9.0, 11.5, 10.0, 12.0, 9.0])
    assert paired_difference(a, b) == interval(a - b)
    ref = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    w = welch_difference(a, b)
    assert w["mean"] == pytest.approx((ref.low + ref.high) / 2)
    assert w["half_width"] == pytest.approx((ref.high - ref.low) / 2)
    # The pairs move together, so pairing gives the narrower interval.
    assert paired_difference(a, b)["half_width"] < w["half_width"]


@pytest.mark.parametrize(("nx", "ny", "sx", "sy"), [(5, 9, 1, 4), (12, 3, 0.1, 2), (4, 4, 1, 1),
                                                    (30, 7, 5, 0.5)])
def test_welch_difference_matches_scipy(nx, ny, sx, sy):
    """Unequal sizes and variances: mean, half-width and the Welch-Satterthwaite degrees of
    freedom are scipy's; undefined values are left out."""
    rng = np.random.default_rng(nx * 100 + ny)
    a, b = rng.normal(10, sx, nx), rng.normal(9, sy, ny)
    ref = stats.ttest_ind(a, b, equal_var=False)
    ci = ref.confidence_interval(0.9)
    w = welch_difference([*a, np.nan], [None, *b], confidence=0.9)
    assert w["df"] == pytest.approx(ref.df)
    assert w["mean"] == pytest.approx((ci.low + ci.high) / 2)
    assert w["half_width"] == pytest.approx((ci.high - ci.low) / 2)
    assert w["n"] == min(nx, ny)


def test_replications_needed():
    rng = np.random.default_rng(3)
    x = rng.normal(100, 10, 10)
    rel = t_half_width(x) / abs(x.mean())
    assert replications_needed(x, rel * 2) == 10
    assert replications_needed(x, rel / 2) == math.ceil(10 * 4)
    assert replications_needed([5.0, 5.0, 5.0], 0.01) == 3
    assert replications_needed([1.0], 0.01) == 1
    assert replications_needed([-1.0, 1.0], 0.5) > 10**9  # mean 0: no relative precision


def test_summarize_columns():
    runs = pd.DataFrame({"replication": [0, 1, 2], "otif": [0.9, 0.95, np.nan],
                         "label": ["a", "b", "c"]})
    s = summarize(runs)
    assert list(s.columns) == ["kpi", "mean", "half_width", "n"]
    assert s.set_index("kpi").loc["otif", "n"] == 2


def test_mser5_finds_a_step_transient():
    rng = np.random.default_rng(11)
    y = rng.normal(0, 1, 400)
    y[:100] += 8  # a start-up bias lasting 100 observations
    cut, settled = mser(y, 5)
    assert 95 <= cut <= 105
    assert settled


def test_mser5_flags_a_run_too_short():
    y = np.linspace(10, 0, 200)  # still drifting at the end: no steady state in sight
    cut, settled = mser(y, 5)
    assert not settled
    assert cut == 100


def test_mser5_skips_empty_batches_keeping_positions():
    rng = np.random.default_rng(5)
    y = rng.normal(0, 1, 300)
    y[:60] += 6
    y[100:110] = np.nan  # two batches without a value
    cut, _ = mser(y, 5)
    assert 55 <= cut <= 65


def test_welch_moving_average():
    y = np.arange(50, dtype=float)
    w = welch_moving_average(y, 5)
    # A centred mean of a straight line is the line; the last w points have no full window.
    assert np.allclose(w[:45], y[:45])
    assert np.isnan(w[45:]).all()
    y[10] = np.nan
    assert np.isfinite(welch_moving_average(y, 5)[:45]).all()
