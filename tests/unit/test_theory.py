"""The closed forms of simulator.theory against independent numpy Monte Carlo simulations of the
inventory and calendar processes (not the omcsim model), and against each other's reductions.

Each Monte Carlo runs independent replications; a closed form passes when it lies inside the
99.9% Student t interval of the replication means (seeds fixed, so a run is reproducible).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from simulator import theory as t

REPS = 12
CONFIDENCE = 0.999


def assert_in_interval(values, theory, what=""):
    x = np.asarray(values, dtype=float)
    half = stats.t.ppf((1 + CONFIDENCE) / 2, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    assert abs(x.mean() - theory) <= half, f"{what}: theory {theory:.5f}, MC {x.mean():.5f} +- {half:.5f}"


# ---------------------------------------------------------------- Monte Carlo of a stock point


def _demands(rng, lam, horizon):
    return np.sort(rng.uniform(0, horizon, rng.poisson(lam * horizon)))


def _stock_figures(demands, receipts, quantities, start, t0, t1):
    """Fill rate, time-average on hand and backorders in [t0, t1] of a stock point starting with
    ``start`` on hand, losing one unit per demand and gaining ``quantities`` at ``receipts``."""
    order = np.argsort(receipts, kind="stable")
    receipts, quantities = receipts[order], quantities[order]
    got = np.concatenate(([0], np.cumsum(quantities)))
    # Net inventory just before each demand: a demand is filled from stock iff it is >= 1.
    before = start - np.arange(len(demands)) + got[np.searchsorted(receipts, demands, side="right")]
    counted = demands >= t0
    fill = float(np.mean(before[counted] >= 1))
    times = np.concatenate((demands, receipts))
    steps = np.concatenate((-np.ones(len(demands)), quantities))
    order = np.argsort(times, kind="stable")
    times, level = times[order], start + np.cumsum(steps[order])
    # The level after event i holds on [times[i], times[i+1]); clip to the window.
    edges = np.clip(np.append(times, t1), t0, t1)
    level_at_t0 = np.concatenate(([start], level))[np.searchsorted(times, t0, side="right")]
    spans = np.diff(edges)
    on_hand = np.sum(np.maximum(level, 0) * spans) + max(level_at_t0, 0) * (edges[0] - t0)
    backorders = np.sum(np.maximum(-level, 0) * spans) + max(-level_at_t0, 0) * (edges[0] - t0)
    return fill, on_hand / (t1 - t0), backorders / (t1 - t0)


def continuous_review_mc(seed, lam, lead, policy, a, b, horizon=4000.0, warmup=200.0):
    """Continuous review, one replication: policy "RQ" (R=a, Q=b) or "sS" (s=a, S=b)."""
    rng = np.random.default_rng(seed)
    demands = _demands(rng, lam, horizon)
    position = a + b if policy == "RQ" else b  # start with that much on hand, nothing on order
    start = position
    placed, sizes = [], []
    for when in demands:
        position -= 1
        if policy == "RQ":
            while position <= a:
                placed.append(when)
                sizes.append(b)
                position += b
        elif position <= a:
            placed.append(when)
            sizes.append(b - position)
            position = b
    return _stock_figures(demands, np.asarray(placed) + lead, np.asarray(sizes, dtype=float),
                          start, warmup, horizon)


def periodic_review_mc(seed, lam, lead, period, target, horizon=4000.0, warmup=200.0):
    rng = np.random.default_rng(seed)
    demands = _demands(rng, lam, horizon)
    reviews = np.arange(period, horizon, period)
    since_last = np.diff(np.concatenate(([0], np.searchsorted(demands, reviews, side="right"))))
    return _stock_figures(demands, reviews + lead, since_last.astype(float), target, warmup, horizon)


def two_echelon_mc(seed, lam, plant_lead, plant_stock, transit, dc_stock, horizon=4000.0,
                   warmup=200.0):
    """The DC orders one unit per demand; the plant ships order n at once if it has stock, else
    when the replenishment of order n - S0 arrives (first come, first served)."""
    rng = np.random.default_rng(seed)
    demands = _demands(rng, lam, horizon)
    n = np.arange(len(demands))
    ship = demands.copy()
    late = n >= plant_stock
    ship[late] = np.maximum(demands[late], demands[n[late] - plant_stock] + plant_lead)
    ones = np.ones(len(demands))
    dc = _stock_figures(demands, ship + transit, ones, dc_stock, warmup, horizon)
    plant = _stock_figures(demands, demands + plant_lead, ones, plant_stock, warmup, horizon)
    return dc + plant


def _check_stock(runs, theory, what):
    runs = np.asarray(runs)
    for column, key in enumerate(("fill_rate", "on_hand_mean", "backorders_mean")):
        assert_in_interval(runs[:, column], theory[key], f"{what} {key}")


# ---------------------------------------------------------------- inventory closed forms


@pytest.mark.parametrize(("lam", "lead", "r", "q"), [(1.0, 5.0, 3, 4), (2.0, 3.0, 4, 10), (1.0, 4.0, -2, 5)])
def test_rq_against_monte_carlo(lam, lead, r, q):
    runs = [continuous_review_mc(s, lam, lead, "RQ", r, q) for s in range(REPS)]
    _check_stock(runs, t.rq_poisson(lam, lead, r, q), f"(R,Q) R={r} Q={q}")


@pytest.mark.parametrize(("lam", "lead", "s", "big_s"), [(1.0, 5.0, 4, 9), (1.5, 2.0, 1, 8)])
def test_ss_against_monte_carlo(lam, lead, s, big_s):
    runs = [continuous_review_mc(10 + k, lam, lead, "sS", s, big_s) for k in range(REPS)]
    _check_stock(runs, t.ss_poisson(lam, lead, s, big_s), f"(s,S) s={s} S={big_s}")


@pytest.mark.parametrize(("lam", "lead", "period", "target"), [(1.0, 5.0, 7.0, 12), (2.0, 1.5, 0.5, 5)])
def test_ts_against_monte_carlo(lam, lead, period, target):
    runs = [periodic_review_mc(20 + k, lam, lead, period, target) for k in range(REPS)]
    _check_stock(runs, t.ts_poisson(lam, lead, period, target), f"(T,S) T={period} S={target}")


@pytest.mark.parametrize(("lam", "l0", "s0", "l1", "s1"), [(1.0, 5.0, 3, 2.0, 4), (2.0, 3.0, 8, 1.0, 3)])
def test_two_echelon_against_monte_carlo(lam, l0, s0, l1, s1):
    runs = np.asarray([two_echelon_mc(30 + k, lam, l0, s0, l1, s1) for k in range(REPS)])
    theory = t.two_echelon_poisson(lam, l0, s0, l1, s1)
    _check_stock(runs[:, :3], theory, "DC")
    _check_stock(runs[:, 3:], {"fill_rate": theory["plant_fill_rate"],
                               "on_hand_mean": theory["plant_on_hand_mean"],
                               "backorders_mean": theory["plant_backorders_mean"]}, "plant")


def test_ss_is_rq_with_r_s_and_q_the_difference():
    assert t.ss_poisson(1.0, 5.0, 4, 9) == t.rq_poisson(1.0, 5.0, 4, 5)


@pytest.mark.parametrize(("lam", "lead", "s"), [(1.0, 5.0, 3), (1.0, 5.0, 6), (2.0, 4.0, 10), (0.5, 1.0, 0)])
def test_base_stock_is_rq_with_q_1(lam, lead, s):
    base, rq = t.base_stock_poisson(lam, lead, s), t.rq_poisson(lam, lead, s - 1, 1)
    base["on_hand_mean"] = base.pop("inventory_codp_mean")
    assert rq == pytest.approx(base, abs=1e-12)


def test_ts_tends_to_base_stock_as_the_review_period_vanishes():
    base = t.base_stock_poisson(1.0, 5.0, 6)
    base["on_hand_mean"] = base.pop("inventory_codp_mean")
    assert t.ts_poisson(1.0, 5.0, 1e-7, 6) == pytest.approx(base, abs=1e-6)
    # ... and moves away from it linearly in T: a longer period covers more demand.
    assert t.ts_poisson(1.0, 5.0, 1.0, 6)["fill_rate"] < base["fill_rate"] - 0.03


def test_ts_integral_against_the_exact_gamma_antiderivative():
    # The integral over m = lambda (L + t) of pmf(j; m) = e^-m m^j / j! from a to b is
    # P(a < Gamma(j + 1) <= b), so the average fill rate has a closed form (no quadrature).
    lam, lead, period, target = 1.3, 4.0, 6.0, 9
    a, b = lam * lead, lam * (lead + period)
    j = np.arange(target)  # P(D <= S - 1) = sum of pmf(j) for j < S
    fill = np.sum(stats.gamma.cdf(b, j + 1) - stats.gamma.cdf(a, j + 1)) / (b - a)
    assert t.ts_poisson(lam, lead, period, target)["fill_rate"] == pytest.approx(fill, abs=1e-9)


def test_two_echelon_with_ample_plant_stock_is_one_echelon_with_the_transit_time():
    single = t.base_stock_poisson(1.0, 2.0, 4)
    two = t.two_echelon_poisson(1.0, 5.0, 200, 2.0, 4)
    assert two["fill_rate"] == pytest.approx(single["fill_rate"], abs=1e-12)
    assert two["backorders_mean"] == pytest.approx(single["backorders_mean"], abs=1e-12)
    assert two["on_hand_mean"] == pytest.approx(single["inventory_codp_mean"], abs=1e-12)
    assert two["dc_lead_time_mean"] == pytest.approx(2.0, abs=1e-12)


def test_two_echelon_with_no_plant_stock_adds_the_plant_lead_time():
    # S0 = 0: every DC order waits the full plant lead time, a single echelon with L0 + L1.
    single = t.base_stock_poisson(1.0, 7.0, 6)
    two = t.two_echelon_poisson(1.0, 5.0, 0, 2.0, 6)
    assert two["fill_rate"] == pytest.approx(single["fill_rate"], abs=1e-12)
    assert two["backorders_mean"] == pytest.approx(single["backorders_mean"], abs=1e-12)


def test_inventory_balance_holds_for_every_policy():
    # E[on hand] - E[B] = E[IN] = E[position] - lambda L.
    rq = t.rq_poisson(1.0, 5.0, 3, 4)
    assert rq["on_hand_mean"] - rq["backorders_mean"] == pytest.approx(3 + 2.5 - 5)
    ts = t.ts_poisson(1.0, 5.0, 7.0, 12)
    assert ts["on_hand_mean"] - ts["backorders_mean"] == pytest.approx(12 - 1.0 * (5 + 3.5))


def test_bad_parameters_are_refused():
    for call in (lambda: t.rq_poisson(1.0, 5.0, -6, 5), lambda: t.rq_poisson(1.0, 5.0, 3, 0),
                 lambda: t.ss_poisson(1.0, 5.0, 4, 4), lambda: t.ts_poisson(1.0, 5.0, 0.0, 6),
                 lambda: t.rq_poisson(0.0, 5.0, 3, 4), lambda: t.two_echelon_poisson(1, 1, -1, 1, 1)):
        with pytest.raises(ValueError, match=r"needs|must"):
            call()


# ---------------------------------------------------------------- calendars


def _open_clock(intervals, cycle):
    starts = np.array([a for a, _ in intervals])
    lengths = np.array([b - a for a, b in intervals])
    ends = np.cumsum(lengths)  # open time from the cycle's start to the end of each interval
    total = ends[-1]

    def to_open(real):  # open time worked by time ``real`` (flat while closed)
        k = np.floor(real / cycle)
        u = real - k * cycle
        worked = np.clip(u[:, None] - starts[None, :], 0, lengths[None, :]).sum(axis=1)
        return k * total + worked

    def to_real(work, side):  # when the open clock shows ``work``: "left" ends, "right" starts
        k = np.floor(work / total)
        x = work - k * total
        j = np.searchsorted(ends, x, side=side)
        k = np.where(j == len(ends), k + 1, k)
        j = np.where(j == len(ends), 0, j)
        return k * cycle + starts[j] + x - (ends[j] - lengths[j])

    return to_open, to_real


def calendar_queue_mc(seed, lam, service_mean, intervals, cycle, n=400_000, warmup=20_000):
    """FIFO single server with exponential work; waits and busy share of open time."""
    rng = np.random.default_rng(seed)
    to_open, to_real = _open_clock(intervals, cycle)
    arrive = np.cumsum(rng.exponential(1 / lam, n))
    work = rng.exponential(service_mean, n)
    a = to_open(arrive)  # in the open clock the server is an ordinary one
    done = np.cumsum(work)
    done = done + np.maximum.accumulate(a - (done - work))  # Lindley: d_n = max(a_n, d_n-1) + S_n
    start = to_real(done - work, "right")
    busy = work[warmup:].sum() / (done[-1] - done[warmup - 1])
    return float(np.mean((start - arrive)[warmup:])), float(busy)


def calendar_sojourn_mc(seed, service, intervals, cycle, n=400_000):
    rng = np.random.default_rng(seed)
    to_open, to_real = _open_clock(intervals, cycle)
    arrive = rng.uniform(0, 50 * cycle, n)
    return float(np.mean(to_real(to_open(arrive) + service(rng, n), "left") - arrive))


OFFICE = [(8 / 24, 12 / 24), (13 / 24, 17 / 24)]  # 8 hours a day in two blocks
WEEK = [(d + 8 / 24, d + 17 / 24) for d in range(5)]  # 9 hours, five days a week


@pytest.mark.parametrize(("intervals", "cycle", "service", "mean", "sf"), [
    (OFFICE, 1.0, lambda rng, n: rng.exponential(0.5, n), 0.5, lambda x: np.exp(-x / 0.5)),
    (OFFICE, 1.0, lambda rng, n: np.full(n, 0.4), 0.4, lambda x: (x < 0.4) * 1.0),
    (WEEK, 7.0, lambda rng, n: rng.gamma(4, 0.5, n), 2.0, lambda x: stats.gamma.sf(x, 4, scale=0.5)),
    ([(0.0, 0.5)], 1.0, lambda rng, n: rng.exponential(3.0, n), 3.0, lambda x: np.exp(-x / 3.0)),
])
def test_calendar_sojourn_against_monte_carlo(intervals, cycle, service, mean, sf):
    runs = [calendar_sojourn_mc(40 + k, service, intervals, cycle) for k in range(REPS)]
    assert_in_interval(runs, t.calendar_sojourn(mean, sf, intervals, cycle), "sojourn")


def test_calendar_sojourn_tends_to_work_over_open_share_with_a_fast_calendar():
    sf = lambda x: np.exp(-x / 2.0)  # noqa: E731
    constant = lambda x: (x < 2.0) * 1.0  # noqa: E731
    # A daily calendar: a job of exactly 2 days of work that starts at an opening passes six
    # closures, not 2 / 0.3 of them; the mean is off the limit 6.667 (6.585 exactly).
    assert t.calendar_sojourn(2.0, constant, [(0.0, 0.3)], 1.0) == pytest.approx(
        1.7 * 2.0 + 0.7**2 / 2 + 0.7**2 * 6)
    assert t.calendar_sojourn(2.0, sf, [(0.0, 3e-5)], 1e-4) == pytest.approx(2.0 / 0.3, rel=1e-4)
    assert t.calendar_sojourn(2.0, sf, [(0.0, 1.0)], 1.0) == pytest.approx(2.0)  # always open


def test_calendar_busy_share_and_fast_alternation_against_monte_carlo():
    # Mean work 1, open half of every 0.05: jobs span 20 cycles, the fast-alternation regime.
    runs = np.asarray([calendar_queue_mc(60 + k, 0.3, 1.0, [(0.0, 0.025)], 0.05) for k in range(REPS)])
    assert_in_interval(runs[:, 1], t.calendar_busy_share(0.3, 1.0, 0.5), "busy share of open time")
    assert_in_interval(runs[:, 0], t.calendar_wait_fast(0.3, 1.0, 1.0, 0.5), "wait")


def test_fast_alternation_is_a_limit_not_exact():
    # With a daily calendar and work of one day the wait is measurably above the limit (~2%).
    runs = np.asarray([calendar_queue_mc(80 + k, 0.3, 1.0, [(0.0, 0.5)], 1.0) for k in range(REPS)])
    x = runs[:, 0]
    half = stats.t.ppf((1 + CONFIDENCE) / 2, REPS - 1) * x.std(ddof=1) / np.sqrt(REPS)
    assert x.mean() - half > t.calendar_wait_fast(0.3, 1.0, 1.0, 0.5)


def test_fluid_limit_with_a_long_cycle():
    # Closed 500 of every 1000 (work of mean 1): the closed-hours backlog dominates; the rest of
    # the wait is O(E[S]), under 1% of the fluid value 178.6 here.
    cycle = 1000.0
    runs = [calendar_queue_mc(90 + k, 0.3, 1.0, [(0.0, 500.0)], cycle, n=600_000)[0] for k in range(REPS)]
    assert np.mean(runs) == pytest.approx(t.calendar_wait_fluid(0.3, 1.0, 0.5, cycle), rel=0.01)


def test_calendar_stability_is_lambda_es_below_f():
    assert t.open_share(OFFICE, 1.0) == pytest.approx(1 / 3)
    assert t.open_share(WEEK, 7.0) == pytest.approx(45 / 168)
    assert t.calendar_busy_share(0.3, 1.0, 0.5) == pytest.approx(0.6)
    assert t.calendar_busy_share(1.0, 1.0, 0.5, servers=3) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="lambda E"):
        t.calendar_busy_share(0.5, 1.0, 0.5)
    with pytest.raises(ValueError, match="open intervals"):
        t.open_share([(0.5, 0.2)], 1.0)


def test_erlang_a_limits():
    # lambda = mu = theta at one server: deaths k in state k, so N ~ Poisson(1) and
    # P(abandon) = E[(N - 1)+] = e^-1.
    assert t.erlang_a(1.0, 1.0, 1, 1.0) == pytest.approx(np.exp(-1), rel=1e-12)
    # Patient customers: abandonments ~ theta Wq of M/M/c.
    theta = 1e-6
    assert t.erlang_a(2.7, 1.0, 3, theta) == pytest.approx(theta * t.mmc_wait(2.7, 1.0, 3),
                                                           rel=1e-3)
    # Stable in overload, and more patience means fewer abandonments.
    shares = [t.erlang_a(3.0, 1.0, 2, theta) for theta in (4.0, 1.0, 0.25)]
    assert shares[0] > shares[1] > shares[2] > 1 / 3  # at least the excess load leaves
    with pytest.raises(ValueError, match="theta"):
        t.erlang_a(1.0, 1.0, 1, 0.0)
