"""Same runs whatever the engine: serial, local processes, Dask. Failures are recorded."""

import os

import pandas as pd
import pytest
from experiment_helpers import without_timing

from simulator.experiment import (
    DaskRunner,
    ProcessRunner,
    SerialRunner,
    Task,
    replicate,
    run_once,
    summarize,
    sweep,
)


def kpis_and_pid(scenario, seed):
    """run_once plus the worker's process id, to prove the work really was spread."""
    return {**run_once(scenario, seed), "pid": os.getpid()}


def fails_on_mto_replication_1(scenario, seed):
    if scenario.codp == "raw_material" and seed[1] == 1:
        raise RuntimeError("deliberate failure")
    return run_once(scenario, seed)


def small_sweep(scenario, **engine):
    return sweep(scenario, [1, 4], strategies="ato,mto", reps=3, **engine)


def test_processes_give_the_serial_runs(small):
    serial = small_sweep(small, workers=1, measure=kpis_and_pid)
    parallel = small_sweep(small, workers=2, measure=kpis_and_pid)
    assert set(serial.runs["pid"]) == {os.getpid()}
    pids = set(parallel.runs["pid"])
    assert len(pids) == 2 and os.getpid() not in pids
    pd.testing.assert_frame_equal(without_timing(serial.runs), without_timing(parallel.runs))
    timing = serial.summary["kpi"].isin(["wall_seconds", "pid"])
    pd.testing.assert_frame_equal(serial.summary[~timing], parallel.summary[~timing])
    assert serial.runs["error"].isna().all()
    # Replication r of every cell ran with the seed (1, r).
    assert list(serial.runs["seed"]) == ["1:0", "1:1", "1:2"] * 4


def test_replicate_keeps_its_contract(small):
    a = replicate(small, 4, seed=3)
    b = replicate(small, 4, seed=3, workers=2)
    assert list(a["replication"]) == [0, 1, 2, 3]
    pd.testing.assert_frame_equal(without_timing(a), without_timing(b))
    assert set(summarize(a, ["otif"])["n"]) == {4}


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failing_run_does_not_lose_the_others(small, workers):
    result = small_sweep(small, workers=workers, measure=fails_on_mto_replication_1)
    runs = result.runs
    failed = runs[runs["error"].notna()]
    assert len(failed) == 2  # mto at both P:D, replication 1
    assert set(failed["strategy"]) == {"mto"} and set(failed["replication"]) == {1}
    assert failed["error"].str.contains("RuntimeError: deliberate failure").all()
    assert failed["otif"].isna().all()
    good = runs[runs["error"].isna()]
    assert len(good) == 10 and good["otif"].notna().all()
    s = result.summary[result.summary["kpi"] == "otif"].set_index(["strategy", "pd"])
    assert s.loc[("mto", 1.0), "n"] == 2 and s.loc[("mto", 1.0), "failed"] == 1
    assert s.loc[("ato", 1.0), "n"] == 3 and s.loc[("ato", 1.0), "failed"] == 0


def test_runners_report_outcomes_as_they_finish(small):
    tasks = [Task(r, small, (1, r)) for r in range(4)]
    with SerialRunner() as serial:
        a = {o.key: o for o in serial.imap(tasks, run_once)}
    with ProcessRunner(2) as pool:
        b = {o.key: o for o in pool.imap(tasks, run_once)}
    assert set(a) == set(b) == {0, 1, 2, 3}
    for k in a:
        assert a[k].ok and b[k].ok
        assert without_timing(pd.DataFrame([a[k].value])).equals(
            without_timing(pd.DataFrame([b[k].value])))


@pytest.mark.dask
def test_dask_gives_the_serial_runs_and_records_failures(small):
    serial = small_sweep(small, workers=1)
    # One real LocalCluster (what --dask local starts), then the same cluster by address
    # (what --dask tcp://host:port does).
    with DaskRunner("local", workers=2) as runner:
        assert runner.scheduler_address.startswith("tcp://127.0.0.1:")
        local = small_sweep(small, runner=runner)
        remote = small_sweep(small, dask=runner.scheduler_address,
                             measure=fails_on_mto_replication_1)
    pd.testing.assert_frame_equal(without_timing(serial.runs), without_timing(local.runs))
    failed = remote.runs["error"].notna()
    assert failed.sum() == 2
    # Counts turn float where a failed run left a gap; the values are the same.
    pd.testing.assert_frame_equal(without_timing(serial.runs[~failed]),
                                  without_timing(remote.runs[~failed]), check_dtype=False)
