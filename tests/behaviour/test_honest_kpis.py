"""KPIs that agree with the run and with themselves: open work counts against OTIF and cost
under overload; Little's law holds between wip_mean, throughput_per_day and cycle_time_mean."""


import math

import numpy as np
import pytest

from simulator import load_scenario, simulate


@pytest.fixture(scope="module")
def eto_run():
    return simulate(load_scenario("default", {"decoupling_point": "eto", "horizon_days": 120}), 1)


def test_inquiries_stuck_before_receipt_count_as_late(eto_run):
    k, o = eto_run.kpis, eto_run.orders
    sc = eto_run.scenario
    t0, t1 = sc.warmup_days, sc.warmup_days + sc.horizon_days
    cohort = o[o["inquiry"] >= t0]
    stuck = cohort[cohort["received"].isna() & (cohort["status"] == "open")
                   & (cohort["inquiry"] + cohort["demand_lead_time"] <= t1)]
    assert len(stuck) > 500  # the quote queue at sales
    judged = cohort[cohort["status"].isin(["delivered", "open"])
                    & (cohort["due"].fillna(cohort["inquiry"] + cohort["demand_lead_time"]) <= t1)]
    assert set(stuck["id"]) <= set(judged["id"])
    on_time = (judged["status"] == "delivered") & (judged["delivered"] <= judged["due"] + 1e-9)
    assert k["otif"] == pytest.approx(on_time.sum() / len(judged))
    assert k["otif"] < 0.1


def test_overdue_open_work_carries_the_backorder_penalty(eto_run):
    k = eto_run.kpis
    o = eto_run.orders
    sc = eto_run.scenario
    t0, t1 = sc.warmup_days, sc.warmup_days + sc.horizon_days
    open_ = o[o["status"] == "open"]
    requested = open_["due"].fillna(open_["inquiry"] + open_["demand_lead_time"])
    # ETO: no decoupling stock, so every overdue day of open work is charged.
    unit_days = (np.clip(t1 - np.maximum(requested, t0), 0, None) * open_["quantity"]).sum()
    assert k["cost_overdue"] == pytest.approx(unit_days * sc.costs.backorder_per_unit_day)
    assert k["cost_overdue"] > k["cost_labour"]
    parts = ("cost_holding", "cost_backorder", "cost_overdue", "cost_lost_sales", "cost_labour")
    assert k["cost_total"] == pytest.approx(sum(k[p] for p in parts))


def test_days_waiting_for_decoupling_stock_are_not_charged_twice():
    # No raw material stock and a 60-day purchase: orders wait for stock (backorder cost).
    sc = load_scenario("classroom", {"chain.buffers.raw_material.target": 0,
                                     "chain.stages.procurement.time": 60,
                                     "customers.*.quote_tolerance": None})
    r = simulate(sc, 1)
    k, o, steps = r.kpis, r.orders, r.steps
    t0, t1 = sc.warmup_days, sc.warmup_days + sc.horizon_days
    open_ = o[o["status"] == "open"].set_index("id")
    assert len(open_) > 50 and k["cost_backorder"] > 0
    requested = open_["due"].fillna(open_["inquiry"] + open_["demand_lead_time"])
    scheduled = steps[steps["activity"] == "schedule"].set_index("order")["end"]
    stocked = set(steps.loc[steps["activity"] == "stock at raw_material", "order"])
    stop = [min(scheduled[i], t1) if i in scheduled.index and i not in stocked else t1
            for i in open_.index]
    days = np.clip(np.asarray(stop) - np.maximum(requested.to_numpy(), t0), 0, None)
    assert k["cost_overdue"] == pytest.approx(float(np.dot(days, open_["quantity"]))
                                              * sc.costs.backorder_per_unit_day)
    # Charged to the end instead, the same orders would cost many times more.
    naive = np.clip(t1 - np.maximum(requested.to_numpy(), t0), 0, None) @ open_["quantity"].to_numpy()
    assert k["cost_overdue"] < 0.2 * naive * sc.costs.backorder_per_unit_day


def _edges(r):
    """Little's law on a finite window, exactly: L T = lambda W T + (time inside the window of
    orders open at its end) - (time before the window of orders delivered in it)."""
    sc = r.scenario
    t0, t1 = sc.warmup_days, sc.warmup_days + sc.horizon_days
    o = r.orders[r.orders["received"].notna() & (r.orders["status"] != "rejected")]
    open_ = o[o["status"] == "open"]
    done = o[(o["status"] == "delivered") & (o["delivered"] >= t0) & (o["delivered"] <= t1)]
    tail = (t1 - np.maximum(open_["received"], t0)).clip(lower=0).sum()
    head = (t0 - done["received"]).clip(lower=0).sum()
    return tail, head, t1 - t0


@pytest.mark.parametrize("name", ["classroom", "default", "mts-retailer"])
def test_littles_law_holds_between_the_reported_kpis(name):
    """wip_mean = throughput_per_day x cycle_time_mean: exactly up to the two edge terms, and those
    cancel in expectation, so over seeds the relative gap is 0 within a 99% t interval."""
    sc = load_scenario(name)
    gaps = []
    for seed in range(1, 9):
        k = (r := simulate(sc, seed)).kpis
        lam_w = k["throughput_per_day"] * k["cycle_time_mean"]
        tail, head, length = _edges(r)
        assert k["wip_mean"] == pytest.approx(lam_w + (tail - head) / length, rel=1e-9)
        gaps.append(k["wip_mean"] / lam_w - 1)
    gaps = np.asarray(gaps)
    half_width = 3.499 * gaps.std(ddof=1) / math.sqrt(len(gaps))  # t(0.995, 7 df)
    assert abs(gaps.mean()) <= half_width, f"mean gap {gaps.mean():+.4f} +- {half_width:.4f}"
