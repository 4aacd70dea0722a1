"""Offered load from the scenario alone (simulator/load.py): routing by hand for small cases,
and against the measured utilisation of stable runs (tolerance from the runs' own spread)."""

import math

import numpy as np
import pytest

from simulator import load_scenario, simulate
from simulator.kpis import load_warnings, quote_acceptance
from simulator.load import offered_load, quantity_pmf


@pytest.fixture(scope="module")
def classroom():
    return load_scenario("classroom")


def test_eto_quotes_need_engineering_time_at_sales(default_scenario):
    eto = default_scenario.with_overrides(decoupling_point="eto")
    rate = default_scenario.inquiry_rate
    steps = default_scenario.steps
    sales = offered_load(eto)["sales"]
    want = rate * (steps.generation.time.mean() + steps.pricing.engineering_time.mean()) / 3
    assert math.isclose(sales.load, want)
    assert sales.load > 1
    # Under ATO a quote is a catalogue quote: the engineering time is not used.
    ato = offered_load(default_scenario)["sales"]
    assert math.isclose(ato.load, rate * (steps.generation.time.mean() + steps.pricing.time.mean()) / 3)


def test_entry_rework_and_credit_rejects_route_work(classroom):
    base = offered_load(classroom)
    rework = offered_load(classroom.with_overrides(**{"steps.entry.error_rate": 0.5}))
    entry = {f.what: f for f in base["office"].flows}
    entry2 = {f.what: f for f in rework["office"].flows}
    # 1 / (1 - e) entries per order: 1/0.9 before, 2 after.
    assert math.isclose(entry2["phone order entries"].rate / entry["phone order entries"].rate, 2 * 0.9)
    # Orders rejected at credit never reach the stages.
    sc = classroom.with_overrides(**{"steps.selection.credit_reject_rate": 0.5})
    assert math.isclose(offered_load(sc)["assembly"].work_per_day,
                        base["assembly"].work_per_day * 0.5 / 0.95)


def test_unlimited_resources_have_no_load_limit(classroom):
    load = offered_load(classroom)
    assert not load["procurement"].limited and math.isnan(load["procurement"].load)
    assert load["procurement"].work_per_day > 0  # it still has work
    huge = classroom.with_overrides(**{"chain.stages.procurement.time": 1e6})
    assert not [w for w in load_warnings(huge) if w["resource"] == "procurement"]


def test_peak_load_scales_demand_but_not_planning(classroom):
    sc = classroom.with_overrides(**{"steps.generation.seasonality.amplitude": 0.5})
    office = offered_load(sc)["office"]
    planning = sum(f.work_per_day for f in office.flows if not f.seasonal)
    assert planning > 0
    assert math.isclose(office.peak_work_per_day, 1.5 * office.work_per_day - 0.5 * planning)
    assert math.isclose(offered_load(sc)["assembly"].peak_load, 1.5 * offered_load(sc)["assembly"].load)


def test_lot_sizes_and_setups_count_per_job(default_scenario):
    # MTS with lots of 10 at finished goods and a set-up per job at assembly: one set-up per lot.
    sc = default_scenario.with_overrides(**{
        "decoupling_point": "mts", "chain.buffers.finished_goods.lot_size": 10,
        "chain.stages.assembly.setup_time": 0.5})
    assembly = offered_load(sc)["assembly"]
    units = sum(default_scenario.product_shares()[p] * sum(q * w for q, w in
                quantity_pmf(default_scenario.products[p].order_size)) for p in default_scenario.products)
    orders = default_scenario.inquiry_rate * (1 - default_scenario.steps.selection.credit_reject_rate)
    units_per_day = orders * units * (1 - 0.03 * 0.5)  # restocked returns replace production
    want = units_per_day * 0.2 + units_per_day / 10 * 0.5
    assert math.isclose(assembly.work_per_day, want, rel_tol=1e-9)


def test_breakdowns_reduce_the_capacity_available(default_scenario):
    fab = offered_load(default_scenario)["fabrication"]
    assert math.isclose(fab.availability, 20 / 20.5)
    assert math.isclose(fab.load, fab.utilization / fab.availability)


def test_quantity_pmf_matches_the_model_rounding():
    from simulator.distributions import Constant, Empirical, Exponential

    assert quantity_pmf(Constant(value=0.2)) == [(1, 1.0)]
    assert quantity_pmf(Empirical(values=[1, 2, 2.6], weights=[1, 1, 2])) == [(1, 0.25), (2, 0.25),
                                                                             (3, 0.5)]
    pmf = dict(quantity_pmf(Exponential(mean=2.0)))
    # P(max(1, round(X)) = 1) = P(X < 1.5) for X ~ Exp(mean 2).
    assert abs(pmf[1] - (1 - math.exp(-0.75))) < 0.01


STABLE = ("classroom", "default", "mts-retailer", "ato-pc-maker", "mto-machine-builder",
          "eto-project-shop")


@pytest.mark.parametrize("name", STABLE)
def test_offered_load_predicts_measured_utilisation(name):
    """Per run, predicted utilisation at the run's quote acceptance minus measured; over seeds
    the mean difference must be 0 within 4 standard errors, plus 2% of the load for what the
    prediction approximates (lot sizes, planning's changing targets, work open at the ends)."""
    sc = load_scenario(name)
    diffs: dict[str, list[float]] = {}
    for seed in range(1, 6):
        r = simulate(sc, seed)
        for res, ld in offered_load(sc, quote_acceptance(r)).items():
            if ld.limited and ld.work_per_day > 0:
                diffs.setdefault(res, []).append(ld.utilization - r.kpis["utilization"][res])
    bad = []
    for res, d in diffs.items():
        d = np.asarray(d)
        se = d.std(ddof=1) / math.sqrt(len(d))
        pred = offered_load(sc)[res].utilization
        if abs(d.mean()) > 4 * se + 0.02 * pred + 1e-3:
            bad.append(f"{res}: mean difference {d.mean():+.4f}, se {se:.4f}, load {pred:.3f}")
    assert not bad, "\n".join(bad)
