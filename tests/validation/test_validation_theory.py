"""The closed forms of simulator.theory against independent computations, and the catalogue."""

import math

import numpy as np
import pytest
from scipy import stats

from simulator import theory
from simulator import validation as v


def test_erlang_c_reduces_to_mm1_and_matches_a_hand_computed_value():
    assert theory.erlang_c(1, 0.7) == pytest.approx(0.7)  # M/M/1: an arrival waits with prob. rho
    # c = 2, a = 1: a^c/(c!(1-rho)) = 1, sum_{k<2} a^k/k! = 2, so C = 1/3.
    assert theory.erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert theory.mmc_wait(0.9, 1.0, 1) == pytest.approx(0.9 / (1.0 - 0.9))


def test_erlang_c_against_erlang_b_recursion():
    # Erlang C from Erlang B: C = c B / (c - a (1 - B)), B by the standard recursion.
    for c, a in [(3, 2.7), (5, 4.0), (10, 7.5)]:
        b = 1.0
        for k in range(1, c + 1):
            b = a * b / (k + a * b)
        assert theory.erlang_c(c, a) == pytest.approx(c * b / (c - a * (1 - b)))


def test_pollaczek_khinchine_special_cases():
    assert theory.mg1_wait(0.8, 1.0, 1.0) == pytest.approx(theory.mmc_wait(0.8, 1.0, 1))  # exponential
    assert theory.mg1_wait(0.8, 1.0, 0.0) == pytest.approx(theory.mmc_wait(0.8, 1.0, 1) / 2)  # M/D/1


@pytest.mark.parametrize(("lam", "lead", "s"), [(1.0, 5.0, 3), (1.0, 5.0, 6), (2.0, 4.0, 10)])
def test_base_stock_against_direct_sums(lam, lead, s):
    k = np.arange(400)
    p = stats.poisson.pmf(k, lam * lead)
    t = theory.base_stock_poisson(lam, lead, s)
    assert t["fill_rate"] == pytest.approx(p[:s].sum())
    assert t["backorders_mean"] == pytest.approx(np.sum(np.maximum(k - s, 0) * p))
    assert t["inventory_codp_mean"] == pytest.approx(np.sum(np.maximum(s - k, 0) * p))
    assert t["inventory_codp_mean"] - t["backorders_mean"] == pytest.approx(s - lam * lead)
    assert t["backorder_delay_mean"] == pytest.approx(t["backorders_mean"] / lam)


@pytest.mark.parametrize(("lam", "s", "d"), [(0.5, 2, 1.0), (0.8, 5, 2.0), (0.9, 10, 5.0)])
def test_mm1_base_stock_against_the_geometric_queue(lam, s, d):
    n = np.arange(3000)
    p = (1 - lam) * lam**n  # jobs at the stage, mu = 1
    t = theory.mm1_base_stock(lam, 1.0, s, d)
    assert t["fill_rate"] == pytest.approx(p[n < s].sum())  # stock on hand iff N < S
    assert t["backorders_mean"] == pytest.approx(np.sum(np.maximum(n - s, 0) * p))
    assert t["inventory_codp_mean"] == pytest.approx(np.sum(np.maximum(s - n, 0) * p))
    # An arrival finding n >= S jobs (n - S backorders ahead) gets the (n - S + 1)-th completion
    # of the busy stage: its delay is Erlang(n - S + 1, mu).
    wait_late = sum(p[m] * stats.gamma.sf(d, m - s + 1) for m in range(s, 3000))
    assert t["otif"] == pytest.approx(1 - wait_late)


def test_mto_share_within_d_is_the_exponential_sojourn():
    assert theory.mm1_within(0.8, 1.0, 5.0) == pytest.approx(stats.expon.cdf(5.0, scale=1 / 0.2))


def test_unstable_systems_are_refused():
    for call in (lambda: theory.erlang_c(2, 2.0), lambda: theory.mg1_wait(1.0, 1.0, 1.0),
                 lambda: theory.mm1_base_stock(1.0, 1.0, 3, 1.0), lambda: theory.mm1_within(1.2, 1.0, 1)):
        with pytest.raises(ValueError, match=r"rho|lambda"):
            call()


def test_catalogue_covers_every_family_with_several_points_and_heavy_load():
    families = {}
    for c in v.CASES:
        families.setdefault(c.family, []).append(c)
    assert {"M/M/1", "M/M/c", "M/D/1", "M/G/1", "base stock", "MTO stage", "MTS stage",
            "Little", "(R,Q)", "(s,S)", "(T,S)", "two-echelon", "calendar"} <= set(families)
    for family, cases in families.items():
        assert len(cases) >= 2 or family == "Little", family
    for family in ("M/M/1", "M/M/c", "M/D/1", "MTO stage", "MTS stage"):
        assert any("rho0.9" in c.name for c in families[family]), family  # heavy load
    assert len({c.name for c in v.CASES}) == len(v.CASES)
    assert sum(len(c.checks) for c in v.CASES) == v.FAMILY_SIZE
    little = [k for c in v.CASES for k in c.checks if k.metric.startswith("little")]
    assert len(little) >= 3


@pytest.mark.parametrize("case", v.CASES, ids=lambda c: c.name)
def test_each_case_builds_its_reduced_scenario(case):
    sc = case.build(quick=True)
    assert sc.horizon_days == pytest.approx(case.horizon_days * v.QUICK_FACTOR)
    assert case.build().horizon_days == case.horizon_days  # the full run is within the bounds too
    for check in case.checks:
        assert v.metric(check.metric)[0]  # a known metric, with a label
        assert math.isfinite(check.theory)


def test_little_default_window_spans_whole_years_in_full_and_quick_runs():
    # Little's law with edge terms that cancel needs the window to start and end in one season.
    case = v.case("little-default")
    for quick in (False, True):
        assert case.build(quick).horizon_days % 365 == pytest.approx(0)


def test_policy_cases_check_every_stock_point_figure_against_its_closed_form():
    rq = v.case("rq-R3-Q4")
    assert {k.metric: k.theory for k in rq.checks} == {
        f"stock_point.fg.{m}": theory.rq_poisson(1.0, 5.0, 3, 4)[m]
        for m in ("fill_rate", "backorders_mean", "on_hand_mean")}
    two = {k.metric: k.theory for k in v.case("two-echelon-S0-3-S1-4").checks}
    exact = theory.two_echelon_poisson(1.0, 5.0, 3, 2.0, 4)
    assert two["stock_point.dc_stock.fill_rate"] == exact["fill_rate"]
    assert two["stock_point.plant_stock.backorders_mean"] == exact["plant_backorders_mean"]


def test_unknown_metric_is_refused_with_the_choices():
    with pytest.raises(KeyError, match=r"stock_point\.<name>"):
        v.metric("stock_level.fg")


def test_calendar_intervals_match_the_calendars_of_the_scenario():
    # simulator.theory takes a calendar as open intervals of its cycle: they must be when the
    # model's clock (from the scenario's days, hours and start_date) is open.
    from simulator.plan import compile_plan

    clocks = compile_plan(v.case("calendar-desk-f0.5").build(quick=True)).clocks
    rng = np.random.default_rng(5)
    for name, (intervals, cycle) in v.CALENDARS.items():
        def open_time(a, b, intervals=intervals, cycle=cycle):
            return sum(max(0.0, min(b, k * cycle + hi) - max(a, k * cycle + lo))
                       for k in range(int(b // cycle) + 1) for lo, hi in intervals)
        for a, b in np.sort(rng.uniform(0, 21, (50, 2)), axis=1):
            assert clocks[name].open_time(a, b) == pytest.approx(open_time(a, b), abs=1e-12), name
