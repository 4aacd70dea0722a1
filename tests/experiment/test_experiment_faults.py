"""Faults survived, nothing lost: a worker that dies, a sweep killed with SIGKILL, a journal
line torn by a kill, a sweep run twice."""

import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest
from experiment_helpers import without_timing

from simulator.experiment import ProcessRunner, Task, run_once, sweep
from simulator.experiment.store import JOURNAL
from simulator.plan import compile_plan


def dies_on_mto_replication_1(scenario, seed):
    """run_once, except that the worker running mto replication 1 at P:D 4 kills itself (as the
    OOM killer would) while the file named in the scenario's description exists. (Not an
    environment variable: a forkserver started by an earlier test would not see it.)"""
    mark = Path(scenario.description)
    if mark.is_file() and scenario.codp == "raw_material" and seed[1] == 1 \
            and compile_plan(scenario).pd_ratio > 2:
        os.kill(os.getpid(), signal.SIGKILL)
    return run_once(scenario, seed)


def test_a_dead_worker_loses_only_its_own_run(small, tmp_path):
    mark = tmp_path / "kill"
    mark.touch()
    scenario = small.with_overrides(description=str(mark))
    kwargs = {"strategies": "mts,ato,mto", "reps": 3, "out": tmp_path / "sweep", "workers": 2,
              "measure": dies_on_mto_replication_1}
    first = sweep(scenario, [1, 4], **kwargs)
    runs = first.runs
    failed = runs[runs["error"].notna()]
    assert len(runs) == 18 and len(failed) == 1, runs[["strategy", "pd", "replication", "error"]]
    row = failed.iloc[0]
    assert (row["strategy"], row["pd"], row["replication"]) == ("mto", 4, 1)
    assert "worker process" in row["error"] and "SIGKILL" in row["error"]

    # The other 17 are the runs a healthy engine gives.
    reference = sweep(scenario, [1, 4], strategies="mts,ato,mto", reps=3, workers=1)
    ok = runs["error"].isna()
    pd.testing.assert_frame_equal(without_timing(runs[ok]),
                                  without_timing(reference.runs[ok.to_numpy()]),
                                  check_dtype=False)

    # Resumed (the fault gone), the dead run is retried and the 17 others reused.
    mark.unlink()
    second = sweep(scenario, [1, 4], **kwargs)
    assert second.reused == 17 and second.runs["error"].isna().all()


# The same sweep from a process with a second thread: its workers come from a fork server (as
# in the dashboard), whose children outlive their grandparent unless they watch it.
THREADED_SWEEP = """
import sys, threading, time
from simulator.cli import main
if __name__ == "__main__":
    threading.Thread(target=time.sleep, args=(600,), daemon=True).start()
    sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("start", ["fork", "forkserver"])
def test_killing_a_parallel_sweep_leaves_no_workers(tmp_path, start):
    out = tmp_path / "sweep"
    args = ["sweep", "classroom", "--pd", "1,2,4", "--reps", "20", "--days", "150",
            "--workers", "2", "--out", str(out), "--quiet"]
    command = ([str(Path(sys.executable).with_name("omcsim"))] if start == "fork"
               else [sys.executable, "-c", THREADED_SWEEP])
    err = tmp_path / "stderr.txt"
    with err.open("wb") as stderr:
        proc = subprocess.Popen([*command, *args], stdout=subprocess.DEVNULL, stderr=stderr)
    journal = out / JOURNAL
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if journal.exists() and journal.read_bytes().count(b"\n") >= 2:
            break  # the workers are running
        time.sleep(0.05)
    workers = psutil.Process(proc.pid).children(recursive=True)
    assert proc.poll() is None and len(workers) >= 2, err.read_text()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)

    def alive(p):
        try:
            return p.status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(alive(p) for p in workers):
        time.sleep(0.05)
    left = [p for p in workers if alive(p)]
    for p in left:  # do not leave them to the next test
        p.kill()
    assert not left, f"{len(left)} of {len(workers)} processes outlived their sweep"


def test_running_a_finished_sweep_again_changes_nothing(small, tmp_path):
    out = tmp_path / "sweep"
    first = sweep(small, [1, 4], strategies="ato,mto", reps=2, out=out, workers=1)
    runs = pd.read_parquet(out / "runs.parquet")
    summary = pd.read_parquet(out / "summary.parquet")
    # KPIs undefined in every run (NaN) are in both files, as numbers.
    empty = [c for c in runs.columns if c != "error" and runs[c].isna().all()]
    assert empty, "this check needs a KPI that is undefined in every run"
    assert all(runs[c].dtype == float for c in empty)
    assert set(empty) <= set(summary["kpi"])

    again = sweep(small, [1, 4], strategies="ato,mto", reps=2, out=out, workers=1)
    assert again.reused == len(first.runs)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), runs)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "summary.parquet"), summary)
    pd.testing.assert_frame_equal(again.runs, first.runs)
    pd.testing.assert_frame_equal(again.summary, first.summary)


def test_a_torn_journal_line_is_dropped_and_not_appended_to(small, tmp_path, caplog):
    out = tmp_path / "sweep"
    kwargs = {"strategies": "mto", "reps": 3, "out": out, "workers": 1}
    reference = sweep(small, [2], **kwargs)
    journal = out / JOURNAL
    lines = journal.read_text().splitlines(keepends=True)
    assert len(lines) == 3
    # Killed while writing the third line: half of it is on disk, without its newline.
    journal.write_text(lines[0] + lines[1] + lines[2][: len(lines[2]) // 2])

    with caplog.at_level(logging.WARNING, logger="simulator.experiment.store"):
        resumed = sweep(small, [2], **kwargs)
    assert resumed.reused == 2
    assert any("dropped its last line" in r.getMessage() for r in caplog.records)
    pd.testing.assert_frame_equal(without_timing(resumed.runs), without_timing(reference.runs))
    # The torn half is gone: every line of the journal is a whole record.
    records = [json.loads(line) for line in journal.read_text().splitlines()]
    assert len(records) == 3 and journal.read_text().endswith("\n")
    assert sorted(r["replication"] for r in records) == [0, 1, 2]


def unsendable(scenario, seed):
    """A measure whose value cannot be pickled back from a worker."""
    return {"f": lambda: seed}


def test_a_result_that_cannot_be_sent_back_is_a_failed_run(small):
    tasks = [Task(r, small, (1, r)) for r in range(3)]
    with ProcessRunner(2) as pool:
        outcomes = list(pool.imap(tasks, unsendable))
    assert sorted(o.key for o in outcomes) == [0, 1, 2]
    assert all(not o.ok and "pickle" in o.error.lower() for o in outcomes)
