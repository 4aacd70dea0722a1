"""Sweeps: the cells, the files, precision stopping, failures and resuming."""

import json

import pandas as pd
import pytest
from experiment_helpers import without_timing

import simulator.experiment.plan as plan
import simulator.experiment.store as store
from simulator.experiment import ExperimentError, strategy_list, sweep
from simulator.plan import compile_plan


def test_cells_reach_the_requested_pd(small, tmp_path):
    result = sweep(small, [0.5, 2], strategies="all", reps=2, out=tmp_path, workers=1)
    runs = result.runs
    assert len(runs) == 4 * 2 * 2
    assert list(runs.columns[:7]) == ["strategy", "decoupling_point", "pd", "demand_lead_time",
                                      "replication", "seed", "error"]
    assert list(dict.fromkeys(runs["strategy"])) == ["mts", "ato", "mto", "eto"]
    p = compile_plan(small).production_lead_time
    for ratio in (0.5, 2):
        cell = runs[runs["pd"] == ratio]
        assert cell["demand_lead_time"].to_numpy() == pytest.approx(p / ratio)
        # The runs themselves report the P:D they ran at.
        assert cell["pd_ratio"].to_numpy() == pytest.approx(ratio)
    assert set(runs["decoupling_point"]) == {"finished_goods", "components", "raw_material",
                                             "none"}
    for name in ("runs.parquet", "summary.parquet", "scenario.yaml", "sweep.json",
                 "runs.journal.jsonl"):
        assert (tmp_path / name).is_file(), name
    on_disk = pd.read_parquet(tmp_path / "runs.parquet")
    assert len(on_disk) == len(runs)
    summary = pd.read_parquet(tmp_path / "summary.parquet")
    assert {"strategy", "pd", "kpi", "mean", "half_width", "n", "failed"} <= set(summary.columns)
    assert len(summary[summary["kpi"] == "otif"]) == 8
    provenance = json.loads((tmp_path / "sweep.json").read_text())
    assert provenance["seed"] == 1 and provenance["runs"] == 16


def test_lead_times_instead_of_ratios(small):
    result = sweep(small, lead_times=[3, 6], strategies="mto", reps=2, workers=1)
    assert sorted(set(result.runs["demand_lead_time"])) == [3, 6]
    assert result.runs["pd"].to_numpy() == pytest.approx(
        compile_plan(small).production_lead_time / result.runs["demand_lead_time"].to_numpy())


def test_precision_is_the_same_serial_or_parallel(small):
    kwargs = {"strategies": "mts,mto", "reps": 2, "precision": 0.02,
              "precision_kpis": ["cost_total"], "max_reps": 8}
    a = sweep(small, [1, 4], workers=1, **kwargs)
    b = sweep(small, [1, 4], workers=2, **kwargs)
    assert a.reps == b.reps
    assert max(a.reps.values()) > 2
    pd.testing.assert_frame_equal(without_timing(a.runs), without_timing(b.runs))


def test_resume_after_an_interruption(small, tmp_path, monkeypatch):
    args = ([1, 4],)
    kwargs = {"strategies": "ato,mto", "reps": 3, "workers": 1}
    reference = sweep(small, *args, **kwargs)

    real = plan.simulate
    calls = []

    def interrupted(scenario, seed, progress=False):
        if len(calls) == 5:
            raise KeyboardInterrupt  # Ctrl-C during the sixth run
        calls.append(seed)
        return real(scenario, seed)

    monkeypatch.setattr(plan, "simulate", interrupted)
    with pytest.raises(KeyboardInterrupt):
        sweep(small, *args, out=tmp_path, **kwargs)
    # The five finished runs are on disk: in the journal and in runs.parquet.
    assert len((tmp_path / "runs.journal.jsonl").read_text().splitlines()) == 5
    assert len(pd.read_parquet(tmp_path / "runs.parquet")) == 5

    calls.clear()
    monkeypatch.setattr(plan, "simulate", lambda sc, seed, progress=False: (
        calls.append(seed), real(sc, seed))[1])
    resumed = sweep(small, *args, out=tmp_path, **kwargs)
    assert resumed.reused == 5
    assert len(calls) == 12 - 5
    pd.testing.assert_frame_equal(without_timing(resumed.runs), without_timing(reference.runs))
    assert len(pd.read_parquet(tmp_path / "runs.parquet")) == 12

    # A sweep of another horizon in the same folder reuses nothing (another scenario).
    calls.clear()
    longer = sweep(small.with_overrides(horizon_days=45), *args, out=tmp_path, **kwargs)
    assert longer.reused == 0 and len(calls) == 12
    # More replications of the first sweep reuse its 12 runs.
    calls.clear()
    more = sweep(small, *args, out=tmp_path, **{**kwargs, "reps": 4})
    assert more.reused == 12 and len(calls) == 4
    # Runs recorded by other model code are not reused.
    monkeypatch.setattr(store, "code_digest", lambda: "another model")
    calls.clear()
    assert sweep(small, *args, out=tmp_path, **kwargs).reused == 0 and len(calls) == 12


def test_failed_runs_are_retried_on_resume(small, tmp_path, monkeypatch):
    real = plan.simulate

    def flaky(scenario, seed, progress=False):
        if seed == (1, 1):
            raise OSError("disk hiccup")
        return real(scenario, seed)

    monkeypatch.setattr(plan, "simulate", flaky)
    first = sweep(small, [2], strategies="mto", reps=3, out=tmp_path, workers=1)
    assert list(first.runs["error"].notna()) == [False, True, False]
    assert "OSError: disk hiccup" in first.runs["error"].iloc[1]
    assert first.summary.set_index("kpi").loc["otif", "failed"] == 1
    monkeypatch.setattr(plan, "simulate", real)
    second = sweep(small, [2], strategies="mto", reps=3, out=tmp_path, workers=1)
    assert second.reused == 2 and second.runs["error"].isna().all()


def test_bad_cells(small):
    with pytest.raises(ExperimentError, match="P:D ratios"):
        sweep(small, [0, 1], reps=1)
    with pytest.raises(ExperimentError, match="not both"):
        sweep(small, [1], lead_times=[2], reps=1)
    with pytest.raises(ExperimentError, match="'bogus'"):
        strategy_list("mto,bogus")
    assert strategy_list("raw_material,mts,none,mto") == ["mts", "mto", "eto"]
    assert strategy_list("all") == ["mts", "ato", "mto", "eto"]
