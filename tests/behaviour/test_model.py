"""Behaviour the model must show whatever the parameters: determinism, monotone responses to
capacity, decoupling point and lead time, and the bookkeeping contracts of a run."""

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulator import load_scenario, simulate
from simulator.plan import compile_plan

SEEDS = (1, 2, 3)
ROOT = Path(__file__).parents[2]


def kpis_without_timing(result):
    k = dict(result.kpis)
    k.pop("wall_seconds")
    return json.dumps(k, sort_keys=True, default=str)


@pytest.fixture(scope="module")
def classroom():
    return load_scenario("classroom")


def test_same_seed_gives_identical_results(classroom):
    a, b = simulate(classroom, 11), simulate(classroom, 11)
    assert kpis_without_timing(a) == kpis_without_timing(b)
    pd.testing.assert_frame_equal(a.orders, b.orders)
    pd.testing.assert_frame_equal(a.steps, b.steps)


def test_different_seed_gives_different_results(classroom):
    assert kpis_without_timing(simulate(classroom, 1)) != kpis_without_timing(simulate(classroom, 2))


def test_progress_bar_does_not_change_results(classroom):
    assert kpis_without_timing(simulate(classroom, 4, progress=True)) == kpis_without_timing(
        simulate(classroom, 4))


def test_every_inquiry_ends_in_exactly_one_state(classroom):
    k = simulate(classroom, 3).kpis
    assert k["orders_lost"] + k["orders_rejected"] + k["orders_delivered"] + k["orders_open"] == \
        k["inquiries"]


def mean_wait(result, resource):
    s = result.steps
    return s.loc[s["resource"] == resource, "wait"].mean()


@pytest.mark.parametrize("seed", SEEDS)
def test_more_capacity_never_lengthens_waits(classroom, seed):
    one = simulate(classroom.with_overrides(**{"chain.stages.fabrication.servers": 1}), seed)
    two = simulate(classroom.with_overrides(**{"chain.stages.fabrication.servers": 2}), seed)
    assert mean_wait(two, "fabrication") <= mean_wait(one, "fabrication")
    assert two.kpis["cycle_time_mean"] <= one.kpis["cycle_time_mean"]
    staffed = simulate(classroom.with_overrides(**{"departments.office.staff": 2}), seed)
    assert mean_wait(staffed, "office") <= mean_wait(simulate(classroom, seed), "office")


def test_unlimited_capacity_and_no_stock_outs_give_zero_waits(classroom):
    sc = classroom.with_overrides(**{
        "departments.office.staff": None, "departments.service.staff": None,
        "chain.stages.fabrication.servers": None, "chain.stages.assembly.servers": None,
        "chain.buffers.raw_material.target": 10_000,
        "steps.selection.credit_hold_rate": 0, "steps.entry.error_rate": 0,
    })
    r = simulate(sc, 1)
    delivered = r.orders.loc[r.orders["status"] == "delivered", "id"]
    waits = r.steps[r.steps["order"].isin(delivered) & (r.steps["step"] != "billing")]
    waits = waits[~waits["step"].isin(["returns", "service"])]
    assert (waits["wait"] == 0).all()
    assert r.kpis["fill_rate"] == 1.0


def test_decoupling_point_upstream_lengthens_cycle_time():
    # With ample stock at every buffer the work after the decoupling point is what remains; with
    # the default's planned targets an MTS stock-out can cost more than ATO's assembly time.
    base = load_scenario("default", {"horizon_days": 200, "chain.buffers.*.target": 400})
    means = {}
    for strategy in ("mts", "ato", "mto", "eto"):
        sc = base.with_overrides(decoupling_point=strategy)
        means[strategy] = np.mean([simulate(sc, s).kpis["cycle_time_mean"] for s in SEEDS])
    assert means["mts"] < means["ato"] < means["mto"] < means["eto"]


def test_longer_demand_lead_time_raises_otif_under_mto(classroom):
    otif = {}
    for d in (1.5, 3, 6):
        sc = classroom.with_overrides(**{"customers.*.demand_lead_time": d,
                                         "customers.*.quote_tolerance": None})
        otif[d] = np.mean([simulate(sc, s).kpis["otif"] for s in SEEDS])
    assert otif[1.5] < otif[3] < otif[6]


def test_tighter_quote_tolerance_loses_more_inquiries(classroom):
    lost = {}
    for tol in (1.0, 3.0):
        sc = classroom.with_overrides(**{"customers.*.quote_tolerance": tol,
                                         "customers.*.demand_lead_time": 2})
        lost[tol] = simulate(sc, 5).kpis["orders_lost"]
    assert lost[1.0] > lost[3.0]


def test_credit_reject_all_rejects_every_order(classroom):
    k = simulate(classroom.with_overrides(**{"steps.selection.credit_reject_rate": 1.0}), 1).kpis
    assert k["orders_delivered"] == 0
    assert k["orders_rejected"] == k["inquiries"] - k["orders_lost"] - k["orders_open"]


def test_eto_has_no_decoupling_stock(classroom):
    k = simulate(classroom.with_overrides(decoupling_point="eto"), 1).kpis
    assert math.isnan(k["fill_rate"])
    assert k["inventory_mean"] == 0 and k["backorders_mean"] == 0


def test_warmup_excludes_early_inquiries(classroom):
    r = simulate(classroom, 2)
    expected = int((r.orders["inquiry"] >= classroom.warmup_days).sum())
    assert r.kpis["inquiries"] == expected < len(r.orders)


def test_same_seed_same_demand_across_strategies(classroom):
    """Common random numbers: the inquiries (time, product, size, D) do not depend on the
    decoupling point."""
    cols = ["inquiry", "product", "quantity", "demand_lead_time", "customer"]
    a = simulate(classroom, 9).orders[cols]
    b = simulate(classroom.with_overrides(decoupling_point="ato"), 9).orders[cols]
    pd.testing.assert_frame_equal(a, b)


def test_step_records_use_the_ten_step_ids(classroom):
    steps = set(simulate(classroom, 1).steps["step"].astype(str))
    assert steps <= {"planning", "generation", "pricing", "entry", "selection", "scheduling",
                     "fulfillment", "billing", "returns", "service"}
    assert {"generation", "pricing", "entry", "selection", "scheduling", "fulfillment",
            "billing"} <= steps


def test_utilisation_is_a_share_for_every_department_and_stage(classroom):
    util = simulate(classroom, 1).kpis["utilization"]
    assert set(util) == set(classroom.departments) | set(classroom.chain.stages)
    for name, u in util.items():
        assert (math.isnan(u) if classroom.chain.stages.get(name) and
                classroom.chain.stages[name].servers is None else 0 <= u <= 1), name


JSON_KEYS = {"inquiries", "orders_lost", "orders_rejected", "orders_delivered", "orders_open",
             "fill_rate", "order_fill_rate", "otif", "cycle_time_mean", "cycle_time_p50",
             "cycle_time_p95", "order_to_cash_mean", "backorders_mean", "backorders_max",
             "inventory_mean", "cost_total", "pd_ratio", "utilization", "sim_events",
             "wall_seconds"}


def test_cli_json_contract_and_out_dir(tmp_path):
    out = tmp_path / "run"
    p = subprocess.run(
        [sys.executable, "-m", "simulator.cli", "run", "classroom", "--json", "--seed", "3",
         "--days", "60", "--out", str(out)], capture_output=True, text=True, cwd=ROOT, check=True)
    k = json.loads(p.stdout)
    assert set(k) >= JSON_KEYS
    assert k["orders_lost"] + k["orders_rejected"] + k["orders_delivered"] + k["orders_open"] == \
        k["inquiries"]
    assert k["sim_events"] > 0
    for name in ("kpis.json", "orders.parquet", "steps.parquet", "timeseries.parquet",
                 "scenario.yaml", "run.json"):
        assert (out / name).is_file(), name
    # The folder alone reproduces the run.
    again = subprocess.run(
        [sys.executable, "-m", "simulator.cli", "run", str(out / "scenario.yaml"), "--json",
         "--seed", "3"], capture_output=True, text=True, cwd=ROOT, check=True)
    k2 = json.loads(again.stdout)
    for key in ("wall_seconds",):
        k.pop(key), k2.pop(key)
    k2["scenario"] = k["scenario"]
    assert k == k2


def test_a_result_survives_pickling(classroom):
    """Results travel between processes (parallel runs, dashboard caches)."""
    import pickle

    r = simulate(classroom, 2)
    back = pickle.loads(pickle.dumps(r))
    pd.testing.assert_frame_equal(back.steps, r.steps)
    assert kpis_without_timing(back) == kpis_without_timing(r)
    back._step_log.add(0, 0, 0, 0, 0, 0.0, 0.0, 0.0)
    assert len(back._step_log) == len(r._step_log) + 1


def test_longer_runs_trade_set_up_time_for_stock(classroom):
    """Sales wants quick turnaround, manufacturing efficient runs: with a set-up per job, lots of
    8 make fewer assembly jobs and keep assembly less busy than one-for-one, at the price of more
    finished goods on hand."""
    mts = classroom.with_overrides(**{
        "decoupling_point": "mts", "chain.stages.assembly.setup_time": 0.3,
        "chain.buffers.finished_goods.target": 4, "chain.buffers.components.target": 40})
    results = {lot: [simulate(mts.with_overrides(**{"chain.buffers.finished_goods.lot_size": lot}), s)
                     for s in SEEDS] for lot in (1, 8)}

    def jobs(r):
        j = r.jobs
        return int(((j["activity"] == "assembly") & (j["buffer"] == "finished_goods")).sum())

    for one, eight in zip(results[1], results[8], strict=True):
        assert jobs(eight) < jobs(one)
        assert eight.kpis["utilization"]["assembly"] < one.kpis["utilization"]["assembly"]
        assert eight.kpis["inventory_codp_mean"] > one.kpis["inventory_codp_mean"]
    assert all(q % 8 == 0 for q in results[8][0].jobs.dropna(subset=["quantity"])
               .query("buffer == 'finished_goods'")["quantity"])


def test_set_up_time_counts_in_p(classroom):
    with_setup = classroom.with_overrides(**{"chain.stages.fabrication.setup_time": 0.5})
    assert compile_plan(with_setup).production_lead_time == pytest.approx(
        compile_plan(classroom).production_lead_time + 0.5)
