"""omcsim optimize: the procedure finds a design whose optimum theory knows, common random
numbers save replications, infeasible designs are never selected, the front holds only
non-dominated designs, and engines, resumes and failures change nothing."""

import json

import numpy as np
import pandas as pd
import pytest
from experiment_helpers import without_timing
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from simulator import load_scenario
from simulator.cli import main
from simulator.experiment import optimize, run_once
from simulator.experiment.selection import (
    MAX,
    MIN,
    Constraint,
    feasibility,
    kn_h2,
    kn_screen,
    non_dominated,
)
from simulator.theory import base_stock_poisson

RATE, LEAD, HOLDING, PENALTY = 1.0, 5.0, 1.0, 4.0
DAYS = 200
TARGET = "chain.buffers.finished_goods.target"


@pytest.fixture(scope="module")
def newsvendor():
    """Base stock S with Poisson demand 1/day and a 5-day lead time; holding 1 and backorder
    penalty 4 per unit-day: cost per day = h E[on hand] + b E[backorders]."""
    return load_scenario("scenarios/validation/base_stock.yaml", {
        "horizon_days": DAYS, "warmup_days": 20,
        "chain.buffers.finished_goods.holding_cost": HOLDING,
        "costs.backorder_per_unit_day": PENALTY})


def critical_ratio_optimum() -> int:
    """The newsvendor-type optimum of base stock (DOMAIN.md): the smallest S with
    P(D_L <= S) >= b / (b + h), D_L ~ Poisson(lambda L)."""
    ratio = PENALTY / (PENALTY + HOLDING)
    s = 0
    while stats.poisson.cdf(s, RATE * LEAD) < ratio:
        s += 1
    return s


def name(s: int) -> str:
    return f"{TARGET}={s}"


def test_the_critical_ratio_is_the_cost_minimum_of_the_closed_form():
    def cost(s):
        f = base_stock_poisson(RATE, LEAD, s)
        return HOLDING * f["inventory_codp_mean"] + PENALTY * f["backorders_mean"]

    best = min(range(1, 15), key=cost)
    assert best == critical_ratio_optimum() == 7


def test_selects_the_newsvendor_optimum(newsvendor):
    result = optimize(newsvendor, [f"{TARGET}=5..9"], ["cost_total"], reps=8, workers=1,
                      delta="1%")
    assert result.selected == name(critical_ratio_optimum())
    d = result.designs.set_index("design")
    assert d.loc[result.selected, "status"] == "selected"
    assert set(d["status"]) == {"selected", "eliminated"}
    # Every elimination is in the trail, by a design that was still in contention then.
    eliminated = result.trail[result.trail["event"] == "eliminated"]
    assert set(eliminated["design"]) == set(d.index) - {result.selected}
    assert "confidence at least 95%" in result.statement


def test_common_random_numbers_need_fewer_replications(newsvendor):
    space = [f"{TARGET}=7,8"]
    crn = optimize(newsvendor, space, ["cost_total"], reps=5, max_reps=30, workers=1,
                   delta="1%")
    independent = optimize(newsvendor, space, ["cost_total"], reps=5, max_reps=30, workers=1,
                           delta="1%", common_random_numbers=False)
    assert crn.selected == name(7)
    assert len(crn.runs) < len(independent.runs)
    # Independent streams: replication r of design i ran with its own seed.
    assert independent.runs["seed"].nunique() == len(independent.runs)
    assert crn.runs.groupby("replication")["seed"].nunique().eq(1).all()


def test_the_statement_says_plainly_when_max_reps_stopped_kn(newsvendor):
    """Two replications and a tiny delta cannot separate S = 6 from S = 7: the design is
    selected by its mean, and the statement claims no guarantee."""
    result = optimize(newsvendor, [f"{TARGET}=6,7"], ["cost_total"], reps=2, max_reps=2,
                      workers=1, delta="0.01%")
    assert result.selected is not None
    assert result.statement.startswith(f"selected {result.selected} by its mean")
    assert "No guarantee: after max_reps = 2 replications 2 feasible designs were still in " \
        "contention" in result.statement
    assert "confidence at least" not in result.statement


def test_an_infeasible_design_is_never_selected(newsvendor):
    # Fill rate P(D_L <= S - 1): 0.762 at S = 7 (the cost optimum), 0.867 at S = 8.
    fill = {s: base_stock_poisson(RATE, LEAD, s)["fill_rate"] for s in (7, 8)}
    assert fill[7] < 0.8 < fill[8]
    result = optimize(newsvendor, [f"{TARGET}=5..9"], ["cost_total"], ["fill_rate>=0.8"],
                      reps=10, max_reps=40, workers=1)
    d = result.designs.set_index("design")
    assert result.selected == name(8)
    assert d.loc[name(5), "feasibility"] == "infeasible"
    assert d.loc[result.selected, "feasibility"] == "feasible"
    assert (d["status"] == "selected").sum() == 1
    assert "designs that meet fill rate at least 80.0%, or within" in result.statement
    # Nothing infeasible or unclear ever eliminated another design.
    by = result.trail.loc[result.trail["event"] == "eliminated", "by"]
    assert (d.loc[by, "feasibility"] == "feasible").all()


def test_no_design_qualifies_when_none_is_feasible(newsvendor):
    result = optimize(newsvendor, [f"{TARGET}=3,4"], ["cost_total"], ["fill_rate>=0.99"],
                      reps=5, max_reps=10, workers=1)
    assert result.selected is None
    assert set(result.designs["status"]) <= {"infeasible", "unclear"}
    assert result.statement.startswith("no design qualifies")
    assert result.statement.endswith("was proven to meet fill rate at least 99.0%")


def test_serial_and_two_workers_agree_and_a_rerun_resumes(newsvendor, tmp_path):
    args = ([f"{TARGET}=6..8"], ["cost_total"], ["fill_rate>=0.7"])
    serial = optimize(newsvendor, *args, reps=5, max_reps=30, workers=1)
    parallel = optimize(newsvendor, *args, reps=5, max_reps=30, workers=2, out=tmp_path)
    pd.testing.assert_frame_equal(without_timing(serial.runs), without_timing(parallel.runs))
    pd.testing.assert_frame_equal(serial.designs, parallel.designs)
    pd.testing.assert_frame_equal(serial.trail, parallel.trail)
    again = optimize(newsvendor, *args, reps=5, max_reps=30, workers=1, out=tmp_path)
    assert again.reused == len(again.runs) == len(serial.runs)
    pd.testing.assert_frame_equal(again.designs, serial.designs)
    manifest = json.loads((tmp_path / "optimize.json").read_text())
    assert manifest["selected"] == serial.selected and "KN++" in manifest["method"]
    for f in ("runs.parquet", "designs.parquet", "trail.parquet", "front.parquet",
              "scenario.yaml", "selected.yaml"):
        assert (tmp_path / f).exists()
    assert len(pd.read_parquet(tmp_path / "runs.parquet")) == len(serial.runs)


def fails_at_s6(scenario, seed):
    if scenario.chain.buffers["finished_goods"].target == 6 and seed[1] == 2:
        raise RuntimeError("deliberate failure")
    return run_once(scenario, seed)


def test_a_failing_run_is_data_and_loses_nothing_else(newsvendor):
    result = optimize(newsvendor, [f"{TARGET}=6..8"], ["cost_total"], reps=5, workers=1,
                      measure=fails_at_s6)
    d = result.designs.set_index("design")
    assert d.loc[name(6), "status"] == "failed"
    assert result.runs["error"].notna().sum() == 1
    assert result.selected == name(7)


def test_two_objectives_give_the_non_dominated_designs(newsvendor):
    result = optimize(newsvendor, [f"{TARGET}=3..9"], ["cost_total", "fill_rate"], reps=4,
                      workers=1)
    d = result.designs
    assert result.selected is None
    front = d[d["status"] == "front"]
    assert set(result.front["design"]) == set(front["design"])
    points = d[["cost_total_mean", "fill_rate_mean"]].to_numpy()
    expected = non_dominated(points, [MIN, MAX])
    assert list(d["status"] == "front") == list(expected)
    # More stock past the cost optimum buys fill rate: those designs are all on the front.
    assert {name(7), name(8), name(9)} <= set(front["design"])


def test_optuna_search_is_reproducible(newsvendor):
    kwargs = dict(search="optuna", trials=8, batch=4, candidates=3, reps=3, max_reps=12,
                  workers=1, seed=5)
    a = optimize(newsvendor, [f"{TARGET}=0..20"], ["cost_total"], **kwargs)
    b = optimize(newsvendor, [f"{TARGET}=0..20"], ["cost_total"], **kwargs)
    assert a.search == "optuna"
    pd.testing.assert_frame_equal(a.designs, b.designs)
    assert (a.trail["event"] == "proposed").sum() == 8
    assert (a.designs["status"] != "not a candidate").sum() <= 3


# ---------------------------------------------------------------- the statistics


def test_kn_h2_is_kim_and_nelson_eta():
    # k = 2, alpha = 0.05, n0 = 10: eta = ((2 * 0.05)^(-2/9) - 1) / 2, h2 = 2 eta 9.
    eta = 0.5 * (0.1 ** (-2 / 9) - 1)
    assert kn_h2(0.05, 2, 10) == pytest.approx(2 * eta * 9)


def test_kn_screen_eliminates_only_by_a_clear_margin():
    rng = np.random.default_rng(1)
    values = {d: m + rng.normal(0, 1, 30) for d, m in (("a", 10), ("b", 12), ("c", 10.05))}
    gone, settled = kn_screen(values, ["a", "b", "c"], ["a", "b", "c"], 30, k=3, delta=0.2,
                              alpha=0.05, sense=MIN)
    assert gone == {"b": "a"} or gone == {"b": "c"}
    assert not settled  # a and c are closer than the slack: more replications needed
    # Only a design proven feasible eliminates: with "a" and "c" unproven, "b" stays.
    assert kn_screen(values, ["a", "b", "c"], ["b"], 30, k=3, delta=0.2, alpha=0.05,
                     sense=MIN)[0] == {}
    # Identical paired values (variance 0): the means alone decide at once.
    same = {"a": values["a"], "c": values["a"] + 0.05}
    assert kn_screen(same, ["a", "c"], ["a", "c"], 30, k=2, delta=0.2, alpha=0.05,
                     sense=MIN) == ({"c": "a"}, True)


def test_feasibility_needs_the_bound_not_the_mean():
    values = [0.96, 0.90, 0.99, 0.97]  # mean 0.955: above 0.95, but not with confidence
    assert feasibility({"otif": values}, [Constraint("otif", ">=", 0.95)], 0.95)[0] == "unclear"
    assert feasibility({"otif": values}, [Constraint("otif", ">=", 0.8)], 0.95)[0] == "feasible"
    assert feasibility({"otif": values}, [Constraint("otif", "<=", 0.8)], 0.95)[0] == "infeasible"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 8), st.integers(0, 8)), min_size=1, max_size=25),
       st.sampled_from([(MIN, MIN), (MIN, MAX), (MAX, MAX)]))
def test_the_front_holds_exactly_the_non_dominated_points(raw, senses):
    points = np.array(raw, dtype=float)
    mask = non_dominated(points, senses)
    sign = np.array([1 if s == MIN else -1 for s in senses])
    q = points * sign

    def dominates(a, b):
        return (a <= b).all() and (a < b).any()

    for i in range(len(q)):
        beaten = any(dominates(q[j], q[i]) for j in range(len(q)) if j != i)
        assert mask[i] == (not beaten)
    assert mask.any()


# ---------------------------------------------------------------- the command


def test_the_command_selects_and_writes(tmp_path, capsys):
    code = main(["optimize", "scenarios/validation/base_stock.yaml", "--days", str(DAYS),
                 "--set", "warmup_days=20", "--set", "chain.buffers.finished_goods.holding_cost=1",
                 "--set", "costs.backorder_per_unit_day=4", "--objective", "cost_total",
                 "--vary", f"{TARGET}=5,7,9", "--reps", "5", "--workers", "1", "--json",
                 "--out", str(tmp_path)])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["selected"] == name(7)
    assert (tmp_path / "optimize.png").stat().st_size > 0


def test_a_study_file_gives_the_same_settings(tmp_path, capsys):
    study = tmp_path / "study.yaml"
    study.write_text(f"objectives: [cost_total]\nvary:\n  {TARGET}: [5, 7, 9]\nreps: 5\n")
    code = main(["optimize", "scenarios/validation/base_stock.yaml", "--days", str(DAYS),
                 "--set", "warmup_days=20", "--set", "chain.buffers.finished_goods.holding_cost=1",
                 "--set", "costs.backorder_per_unit_day=4", "--study", str(study), "--workers",
                 "1", "--json"])
    assert code == 0
    assert json.loads(capsys.readouterr().out)["selected"] == name(7)


@pytest.mark.parametrize(("args", "message"), [
    (["--vary", "departments.salez.staff=1..3"],
     "--vary departments.salez.staff: the scenario has no 'salez'"),
    (["--vary", "departments.office.staff=5..2"], "the range is empty"),
    (["--vary", "departments.office.staff=1..3", "--constraint", "otif=>0.9"],
     "--constraint 'otif=>0.9': expected KPI>=NUMBER"),
    (["--vary", "departments.office.staff=1..3", "--constraint", "otiff>=0.9"],
     "unknown KPI 'otiff'"),
    (["--vary", "departments.office.staff=1..3", "--objective", "speed"],
     "--objective 'speed': not a KPI with a better direction"),
    (["--vary", "departments.office.staff=x,2"], "--vary departments.office.staff=x"),
    (["--vary", "priority_rule=all"], "'all' is for decoupling_point only"),
])
def test_bad_input_is_one_message_and_exit_2(args, message, capsys):
    base = ["optimize", "classroom", "--days", "20", "--workers", "1"]
    objective = [] if "--objective" in args else ["--objective", "cost_total"]
    code = main([*base, *objective, *args])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(("text", "message"), [
    ("objectivs: [otif]\n", "objectivs: Extra inputs are not permitted"),
    ("vary: x: 1\n", "not YAML at line 1"),
    ("- cost_total\n", "expected a mapping"),
])
def test_a_bad_study_file_is_one_message_and_exit_2(tmp_path, capsys, text, message):
    study = tmp_path / "study.yaml"
    study.write_text(text)
    assert main(["optimize", "classroom", "--study", str(study)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
