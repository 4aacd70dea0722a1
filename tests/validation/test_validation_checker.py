"""The checker decides from confidence intervals, and a wrong theory value fails."""

import dataclasses

import numpy as np
import pytest
from scipy import stats

from simulator import theory
from simulator import validation as v


def test_decision_interval_is_the_simultaneous_one():
    x = np.random.default_rng(3).normal(10.0, 1.0, 20)
    verdict = v.decide(x, 10.0)
    se = x.std(ddof=1) / np.sqrt(len(x))
    assert verdict.half_width == pytest.approx(2.093 * se, rel=1e-3)  # t(0.975, 19)
    assert verdict.decision_half_width > verdict.half_width
    # Bonferroni over m checks at 95% jointly: t(1 - 0.025 / m, 19).
    expected = stats.t.ppf(1 - 0.025 / v.FAMILY_SIZE, 19) * se
    assert verdict.decision_half_width == pytest.approx(expected)


def test_checker_passes_the_true_mean_and_fails_a_distant_one():
    x = np.random.default_rng(4).normal(5.0, 0.5, 20)
    verdict = v.decide(x, 5.0)
    assert verdict.passed
    far = x.mean() + 1.01 * verdict.decision_half_width
    assert not v.decide(x, far).passed
    near = x.mean() + 0.99 * verdict.decision_half_width
    assert v.decide(x, near).passed


def test_checker_fails_without_a_usable_interval():
    assert not v.decide([1.0], 1.0).passed  # one replication: no interval
    assert not v.decide([1.0, float("nan"), 1.2], 1.1).passed  # a replication measured nothing
    assert not v.decide([], 1.0).passed


@pytest.fixture(scope="module")
def base_stock_runs():
    case = v.case("base-stock-S6")
    return case, v.run_case(case, quick=True)


def test_base_stock_passes_with_the_fill_rate_and_fails_with_the_no_backorder_probability(
        base_stock_runs):
    case, runs = base_stock_runs
    assert all(verdict.passed for verdict in v.evaluate(case, runs))
    # DOMAIN.md's warning: P(D_L <= S) is the share of time without backorders, not the fill
    # rate P(D_L <= S - 1). Using it must fail; so must on hand that forgets the backorders
    # (S - lambda L) and backorders and delay off by one unit of base stock.
    off_by_one = v.base_stock_poisson(1.0, 5.0, 5)
    wrong = {"fill_rate": stats.poisson.cdf(6, 5.0), "inventory_codp_mean": 6 - 5.0,
             "backorders_mean": off_by_one["backorders_mean"],
             "backorder_delay_mean": off_by_one["backorder_delay_mean"]}
    verdicts = v.evaluate(case, runs, theory=wrong)
    assert not any(verdict.passed for verdict in verdicts)


def test_md1_fails_against_the_mm1_formula():
    case = v.case("md1-rho0.5")
    runs = v.run_case(case, quick=True)
    assert all(verdict.passed for verdict in v.evaluate(case, runs))
    mm1 = v.mmc_wait(0.5, 1.0, 1)  # exponential service: twice the M/D/1 wait
    wrong = v.evaluate(case, runs, theory={"queue_wait.distribution": mm1,
                                           "cycle_time_mean": mm1 + 1.0})
    assert not any(verdict.passed for verdict in wrong)


def test_replications_are_reproducible_and_independent():
    case = dataclasses.replace(v.case("base-stock-S3"), horizon_days=400)
    a = v.run_case(case, reps=3)
    assert a == v.run_case(case, reps=3)  # same seeds, same values
    assert a[0] != a[1]  # replications use different seeds
    assert a != v.run_case(case, reps=3, seed=2)


@pytest.fixture(scope="module")
def rq_runs():
    case = v.case("rq-R3-Q4")
    return case, v.run_case(case, quick=True)


def _at(point: str, figures: dict) -> dict:
    return {f"stock_point.{point}.{k}": figures[k] for k in v.STOCK_POINT_KPIS}


def test_rq_passes_and_fails_with_the_position_one_unit_low(rq_runs):
    case, runs = rq_runs
    assert all(verdict.passed for verdict in v.evaluate(case, runs))
    # Ordering when the position falls *below* R puts it on R, ..., R+Q-1: (R-1, Q).
    wrong = v.evaluate(case, runs, theory=_at("fg", theory.rq_poisson(1.0, 5.0, 2, 4)))
    assert not any(verdict.passed for verdict in wrong)


def test_ts_fails_when_the_review_period_is_forgotten():
    case = v.case("ts-T7-S12")
    runs = v.run_case(case, quick=True)
    assert all(verdict.passed for verdict in v.evaluate(case, runs))
    # Continuous review with the same S: covers demand over L only, not L + t.
    base = theory.base_stock_poisson(1.0, 5.0, 12)
    base["on_hand_mean"] = base.pop("inventory_codp_mean")
    assert not any(verdict.passed for verdict in v.evaluate(case, runs, theory=_at("fg", base)))


def test_two_echelon_fails_when_the_plant_delay_is_forgotten():
    case = v.case("two-echelon-S0-3-S1-4")
    runs = v.run_case(case, quick=True)
    assert all(verdict.passed for verdict in v.evaluate(case, runs))
    # The DC as one echelon with the transit time alone (as if the plant never ran out).
    single = theory.base_stock_poisson(1.0, 2.0, 4)
    single["on_hand_mean"] = single.pop("inventory_codp_mean")
    wrong = v.evaluate(case, runs, theory=_at("dc_stock", single))
    assert not any(verdict.passed for verdict in wrong[:3])


def test_calendar_desk_fails_as_if_it_were_always_open():
    case = v.case("calendar-desk-f0.5")
    runs = v.run_case(case, quick=True)
    assert all(verdict.passed for verdict in v.evaluate(case, runs))
    # Utilisation over all hours, and the M/M/1 wait of a desk that never closes.
    wrong = v.evaluate(case, runs, theory={"open_utilization.desk": 0.06 * 5.0,
                                           "queue_wait.credit check": theory.mmc_wait(0.06, 0.2, 1)})
    assert not any(verdict.passed for verdict in wrong)
