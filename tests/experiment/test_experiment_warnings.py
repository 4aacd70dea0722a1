"""Run warnings carried through experiments: the runs table and its files, the summaries per
alternative and cell, the advisor (never recommends an unstable alternative) and warm-up."""

import json

import numpy as np
import pandas as pd
import pytest

from simulator import load_scenario
from simulator.experiment import advise, assess, compare, sweep, warmup
from simulator.experiment.plan import read_warnings, warnings_text
from simulator.experiment.runwarnings import summaries, warning_table


@pytest.fixture(scope="module")
def strained(small):
    """The small classroom scenario with assembly slowed to an offered load of about 1.05: some
    runs warn of overload at assembly, some do not (their quote acceptance differs)."""
    return small.with_overrides(**{"chain.stages.assembly.time.mean": 0.9})


@pytest.fixture(scope="module")
def strategies():
    """mts, ato, mto and eto on the default scenario, 60 days, 2 replications."""
    return compare(load_scenario("default", {"horizon_days": 60}), ["mts", "ato", "mto", "eto"],
                   reps=2, workers=2)


def test_compare_says_eto_overloads_sales(strategies):
    table = strategies.warnings
    sales = table[(table["alternative"] == "eto") & (table["code"] == "overload")
                  & (table["resource"] == "sales")]
    assert len(sales) == 1
    row = sales.iloc[0]
    assert row["runs"] == row["of"] == 2 and row["worst"] > 1
    assert "sales: offered load" in row["message"]
    assert set(table["alternative"]) == {"eto"}  # no false alarm for the stocked strategies
    said = strategies.summary.drop_duplicates("alternative").set_index("alternative")["warnings"]
    assert said["eto"].startswith("overload: sales ") and "in 2/2 runs" in said["eto"]
    assert said[["mts", "ato", "mto"]].eq("").all()
    # Each run's warnings are data in the runs table: JSON the library reads back.
    eto = strategies.runs[strategies.runs["alternative"] == "eto"]
    assert all({"overload", "backlog"} <= {w["code"] for w in read_warnings(t)}
               for t in eto["warnings"])


def test_summary_counts_runs_and_keeps_the_worst_figure():
    runs = pd.DataFrame({
        "alternative": ["a", "a", "a", "b"], "error": [None, None, "boom", None],
        "warnings": [warnings_text([{"code": "overload", "resource": "sales", "figure": 1.2,
                                     "message": "sales: 1.2"}]),
                     warnings_text([{"code": "overload", "resource": "sales", "figure": 1.9,
                                     "message": "sales: 1.9"},
                                    {"code": "run_too_short", "resource": None, "figure": 30.0,
                                     "message": "short"}]),
                     None, "[]"]})
    table = warning_table(runs, ["alternative"])
    assert table[["code", "resource", "runs", "of", "worst", "message"]].values.tolist() == [
        ["overload", "sales", 2, 2, 1.9, "sales: 1.9"],
        ["run_too_short", None, 1, 2, 30.0, "short"]]
    assert summaries(runs, ["alternative"]) == {
        "a": "overload: sales 1.90 in 2/2 runs; run_too_short: horizon 30 d in 1/2 runs"}


def test_runs_parquet_warnings_column_is_stable_through_resume(strained, tmp_path):
    kwargs = {"strategies": "ato,mto", "workers": 1}
    fresh = sweep(strained, [2], reps=3, out=tmp_path / "fresh", **kwargs)
    assert fresh.warnings["code"].eq("overload").any()
    assert (fresh.warnings["runs"] < fresh.warnings["of"]).any()  # some runs warn, some not
    first = pd.read_parquet(tmp_path / "fresh" / "runs.parquet")
    # The same folder again: every run comes from the journal.
    again = sweep(strained, [2], reps=3, out=tmp_path / "fresh", **kwargs)
    assert again.reused == 6
    # Another folder built in two goes: 2 replications, then 3 (2 reused per cell).
    sweep(strained, [2], reps=2, out=tmp_path / "resumed", **kwargs)
    resumed = sweep(strained, [2], reps=3, out=tmp_path / "resumed", **kwargs)
    assert resumed.reused == 4
    for folder in ("fresh", "resumed"):
        runs = pd.read_parquet(tmp_path / folder / "runs.parquet")
        assert runs["warnings"].dtype == first["warnings"].dtype
        assert list(runs["warnings"]) == list(first["warnings"])
    for result in (again, resumed):
        assert result.runs["warnings"].dtype == fresh.runs["warnings"].dtype
        assert list(result.runs["warnings"]) == list(fresh.runs["warnings"])
    assert all(isinstance(json.loads(t), list) for t in first["warnings"])
    summary = pd.read_parquet(tmp_path / "fresh" / "summary.parquet")
    assert summary["warnings"].str.contains("overload: assembly").any()


def made_up(otif: dict, cost: dict, lost: dict | None = None, warned: tuple = ()) -> pd.DataFrame:
    """Runs of one D column; strategies in ``warned`` warn of overload at sales every run."""
    buffers = {"mts": "finished_goods", "ato": "components", "mto": "raw_material",
               "eto": "none"}
    over = warnings_text([{"code": "overload", "resource": "sales", "figure": 1.93,
                           "message": "sales: offered load 1.93 (quotes with engineering)"}])
    spread = np.linspace(-1, 1, 6)
    return pd.DataFrame([
        {"strategy": s, "decoupling_point": buffers[s], "pd": 2.0, "demand_lead_time": 5.0,
         "replication": r, "error": None, "warnings": over if s in warned else "[]",
         "otif": otif[s] + 0.001 * spread[r], "cost_total": cost[s] + spread[r],
         "inventory_value_mean": 0.0, "cost_holding": 0.0, "orders_lost": (lost or {}).get(s, 0),
         "inquiries": 100, "cycle_time_mean": 3.0}
        for s in otif for r in range(6)])


def test_advisor_never_recommends_an_overloaded_alternative():
    # eto looks best on every number, but sales cannot keep up: its numbers mean nothing.
    runs = made_up(otif={"ato": 0.97, "eto": 0.99}, cost={"ato": 1000, "eto": 500},
                   warned=("eto",))
    table, recs = assess(runs, 0.95)
    eto = table.set_index("strategy").loc["eto"]
    assert eto["verdict"] == "overloaded"
    assert "sales: offered load 1.93" in eto["reason"] and "lost" not in eto["reason"]
    assert eto["warnings"] == "overload: sales 1.93 in 6/6 runs"
    assert recs.iloc[0]["recommended"] == "ato"
    # Nothing stable: nothing recommended, and the reason says why.
    table, recs = assess(runs[runs["strategy"] == "eto"], 0.95)
    assert recs.iloc[0]["recommended"] is None
    assert "overloaded" in recs.iloc[0]["reason"]


def test_advisor_says_lost_only_when_orders_were_lost():
    nan = float("nan")
    runs = made_up(otif={"ato": 0.97, "mto": nan, "eto": nan}, cost={"ato": 1, "mto": 1, "eto": 1},
                   lost={"eto": 100})
    verdict = assess(runs, 0.95)[0].set_index("strategy")
    assert verdict.loc["mto", "verdict"] == "no estimate"
    assert "lost" not in verdict.loc["mto", "reason"]
    assert verdict.loc["eto", "verdict"] == "too slow"
    assert "every inquiry was lost" in verdict.loc["eto", "reason"]


def test_advise_on_the_default_scenario_calls_eto_overloaded():
    advice = advise(load_scenario("default", {"horizon_days": 60}), 0.5, strategies="ato,eto",
                    reps=2, workers=2)
    eto = advice.table.set_index("strategy").loc["eto"]
    assert eto["verdict"] == "overloaded"
    assert eto["reason"].startswith("sales: offered load") and "lost" not in eto["reason"]
    assert set(advice.recommendations["recommended"]) == {"ato"}


def test_warmup_carries_the_warnings(small):
    result = warmup(small.with_overrides(**{"chain.stages.assembly.time.mean": 2}), reps=2,
                    workers=1)
    assert "overload" in set(result.warnings["code"])
    assert any("overloaded" in note for note in result.notes)
    assert warmup(small, reps=2, workers=1).warnings.empty
