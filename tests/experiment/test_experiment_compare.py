"""Comparisons: intervals shrink with replications, common random numbers sharpen differences."""

import math

import numpy as np
import pytest
from scipy import stats

from simulator.experiment import (
    ExperimentError,
    compare,
    paired_difference,
    replicate,
    summarize,
    welch_difference,
)

KPIS = ["cycle_time_mean", "wip_mean", "cost_total", "fill_rate"]


def test_half_widths_shrink_with_more_replications(small):
    runs = replicate(small, 40, seed=5, workers=2)
    many = summarize(runs, KPIS).set_index("kpi")
    assert (many["n"] == 40).all()
    # Eight independent experiments of 5 replications each, against one of 40.
    blocks = [summarize(runs.iloc[i:i + 5], KPIS).set_index("kpi") for i in range(0, 40, 5)]
    for kpi in KPIS:
        few = np.array([b.loc[kpi, "half_width"] for b in blocks])
        # t(39)/sqrt(40) against t(4) c4(5)/sqrt(5): about 0.28 of the 5-run half-width.
        assert many.loc[kpi, "half_width"] < 0.5 * few.mean(), kpi
        # The 5-run intervals estimate the same mean: most of them cover the 40-run mean.
        covered = sum(abs(b.loc[kpi, "mean"] - many.loc[kpi, "mean"]) <= b.loc[kpi, "half_width"]
                      for b in blocks)
        assert covered >= 5, kpi


def test_common_random_numbers_sharpen_paired_differences(small):
    alternatives = {"base": {}, "faster assembly": {"chain.stages.assembly.time.mean": 0.2}}
    crn = compare(small, alternatives, 8, seed=2, workers=2)
    independent = compare(small, alternatives, 8, seed=2, workers=2,
                          common_random_numbers=False)
    a = crn.summary.set_index(["alternative", "kpi"])
    b = independent.summary.set_index(["alternative", "kpi"])
    # The baseline ran with the same seeds both times.
    assert a.loc[("base", "cost_total"), "mean"] == b.loc[("base", "cost_total"), "mean"]
    # Same demand in replication r of both alternatives: identical inquiries, zero variance.
    assert a.loc[("faster assembly", "inquiries"), "diff_half_width"] == 0
    assert b.loc[("faster assembly", "inquiries"), "diff_half_width"] > 0
    for kpi in ["cycle_time_mean", "wip_mean", "cost_total"]:
        key = ("faster assembly", kpi)
        assert a.loc[key, "diff_half_width"] < b.loc[key, "diff_half_width"], kpi
    # Why: under CRN the alternatives' replications are positively correlated.
    runs = crn.runs.pivot(index="replication", columns="alternative", values="wip_mean")
    assert stats.pearsonr(runs["base"], runs["faster assembly"]).statistic > 0


def test_summary_rows_and_differences(small):
    result = compare(small, ["mto", "ato", "mts"], 4, workers=1, kpis=["otif", "cost_total"])
    s = result.summary
    assert list(s["alternative"]) == ["mto", "mto", "ato", "ato", "mts", "mts"]
    assert list(s.columns) == ["alternative", "kpi", "mean", "half_width", "n", "why", "diff",
                               "diff_half_width", "diff_n", "diff_method", "warnings"]
    assert (s["why"] == "").all()  # every mean defined: no reason to give
    assert set(s["diff_method"]) == {"paired"}
    assert s.loc[s["alternative"] == "mto", "diff"].isna().all()
    runs = result.runs.set_index(["alternative", "replication"])
    d = runs.loc["ato", "cost_total"] - runs.loc["mto", "cost_total"]
    row = s[(s["alternative"] == "ato") & (s["kpi"] == "cost_total")].iloc[0]
    assert row["diff"] == pytest.approx(d.mean())
    assert row["diff_half_width"] == pytest.approx(
        stats.t.ppf(0.975, 3) * d.std(ddof=1) / math.sqrt(4))


def test_independent_alternatives_get_welch_intervals(small):
    """Independent streams: the differences are Welch intervals over each alternative's runs
    (scipy's), not paired ones over replications that share nothing."""
    alternatives = {"base": {}, "faster assembly": {"chain.stages.assembly.time.mean": 0.2}}
    kpis = ["cycle_time_mean", "wip_mean", "cost_total"]
    result = compare(small, alternatives, 6, seed=3, workers=1, kpis=kpis,
                     common_random_numbers=False)
    assert result.difference_method == "welch"
    s = result.summary.set_index(["alternative", "kpi"])
    runs = result.runs.pivot(index="replication", columns="alternative")
    for kpi in kpis:
        a, b = runs[(kpi, "faster assembly")], runs[(kpi, "base")]
        ci = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
        row = s.loc[("faster assembly", kpi)]
        assert row["diff_method"] == "welch"
        assert row["diff"] == pytest.approx((ci.low + ci.high) / 2), kpi
        assert row["diff_half_width"] == pytest.approx((ci.high - ci.low) / 2), kpi
        assert row["diff_half_width"] == pytest.approx(welch_difference(a, b)["half_width"])
        assert row["diff_half_width"] != pytest.approx(paired_difference(a, b)["half_width"])


def test_precision_adds_replications_until_reached(small):
    result = compare(small, ["mto", "mts"], 3, seed=1, workers=1, precision=0.01,
                     precision_kpis=["cost_total"], max_reps=40)
    s = result.summary[result.summary["kpi"] == "cost_total"].set_index("alternative")
    for alt, n in result.reps.items():
        assert n > 3
        assert s.loc[alt, "n"] == n
        reached = s.loc[alt, "half_width"] <= 0.01 * abs(s.loc[alt, "mean"])
        assert reached or n == 40
    # The first round alone was not precise enough (else no replication would be added).
    first = result.runs[result.runs["replication"] < 3].groupby("alternative")["cost_total"]
    assert (first.apply(lambda v: stats.t.ppf(0.975, 2) * v.std(ddof=1) / math.sqrt(3))
            > 0.01 * first.mean().abs()).any()


def test_bad_alternatives(small):
    with pytest.raises(ExperimentError, match="at least one"):
        compare(small, [], 2)
    with pytest.raises(ExperimentError, match="unknown"):
        compare(small, ["mto"], 2, workers=1, kpis=["no_such_kpi"])
    with pytest.raises(ValueError, match="decoupling_point"):
        compare(small, ["mto", "bogus"], 2, workers=1)


def test_failed_runs_leave_pairs_out(small):
    def fail_ato_r0(scenario, seed):
        from simulator.experiment import run_once

        if scenario.codp == "components" and seed[1] == 0:
            raise ValueError("boom")
        return run_once(scenario, seed)

    result = compare(small, ["mto", "ato"], 4, workers=1, measure=fail_ato_r0)
    assert len(result.failed) == 1
    row = result.summary.set_index(["alternative", "kpi"]).loc[("ato", "otif")]
    assert row["n"] == 3 and row["diff_n"] == 3
    assert np.isfinite(row["diff"])
