"""A real cluster: ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1, started
and stopped by the test as an operator would, and omcsim pointed at it by address
(``--dask tcp://127.0.0.1:PORT``). Sweeps and optimisations give the serial results."""

import json
import os

import pandas as pd
import pytest
from experiment_helpers import dask_cluster, without_timing

from simulator.cli import main
from simulator.experiment import optimize, run_once, sweep

pytestmark = pytest.mark.dask


def kpis_and_pid(scenario, seed):
    return {**run_once(scenario, seed), "pid": os.getpid()}


@pytest.fixture(scope="module")
def cluster():
    with dask_cluster(workers=2) as address:
        yield address


def test_a_sweep_on_the_cluster_gives_the_serial_runs(small, cluster):
    serial = sweep(small, [1, 4], strategies="ato,mto", reps=3, workers=1)
    remote = sweep(small, [1, 4], strategies="ato,mto", reps=3, dask=cluster,
                   measure=kpis_and_pid)
    # Both worker processes ran some of it, and neither is this one.
    pids = set(remote.runs["pid"])
    assert len(pids) == 2 and os.getpid() not in pids
    pd.testing.assert_frame_equal(without_timing(serial.runs), without_timing(remote.runs))


def test_an_optimisation_on_the_cluster_gives_the_serial_answer(small, cluster, tmp_path,
                                                                 capsys):
    args = (["departments.office.staff=1..3"], ["cost_total"], ["otif>=0.5"])
    serial = optimize(small, *args, reps=3, max_reps=9, workers=1)
    remote = optimize(small, *args, reps=3, max_reps=9, dask=cluster)
    pd.testing.assert_frame_equal(without_timing(serial.runs), without_timing(remote.runs))
    pd.testing.assert_frame_equal(serial.designs, remote.designs)
    # The command line, as a planner points it at the cluster.
    code = main(["optimize", "classroom", "--days", "40", "--set", "warmup_days=10",
                 "--vary", "departments.office.staff=1..3", "--objective", "cost_total",
                 "--constraint", "otif>=0.5", "--reps", "3", "--max-reps", "9",
                 "--dask", cluster, "--json", "--out", str(tmp_path)])
    assert code in (0, 1)
    assert json.loads(capsys.readouterr().out)["selected"] == serial.selected
