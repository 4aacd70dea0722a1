"""Helpers the experiment tests import (a module of its own: several test folders have a
conftest.py, so ``from conftest import ...`` picks whichever came first on sys.path)."""

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def without_timing(df):
    """Everything a run computes except its wall-clock time, which measures the machine."""
    return df.drop(columns=[c for c in ("wall_seconds", "pid") if c in df.columns])


@contextlib.contextmanager
def dask_cluster(workers: int = 2, timeout: float = 60.0):
    """A real Dask cluster of separate processes on 127.0.0.1, as an operator starts one:
    ``dask scheduler`` (a free port, announced in a scheduler file) and ``workers`` x ``dask
    worker`` (one single-threaded process each). Yields the scheduler's address once every
    worker has joined; stops every process on the way out, whatever happened."""
    from distributed import Client

    folder = Path(tempfile.mkdtemp(prefix="omcsim-cluster-"))
    file = folder / "scheduler.json"
    dask = [sys.executable, "-m", "dask"]
    # The workers import what the client imports (omcsim, a test's measure), as the workers of
    # a real cluster run the same installation.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
    processes = []
    try:
        processes.append(subprocess.Popen(
            [*dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--scheduler-file", str(file)], **quiet))
        deadline = time.monotonic() + timeout
        while not file.exists() or not file.read_text().strip():
            if processes[0].poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("dask scheduler did not start")
            time.sleep(0.1)
        address = json.loads(file.read_text())["address"]
        for _ in range(workers):
            processes.append(subprocess.Popen(
                [*dask, "worker", address, "--nthreads", "1", "--nworkers", "1",
                 "--no-dashboard", "--host", "127.0.0.1", "--local-directory", str(folder)],
                **quiet))
        with Client(address, timeout="30s", set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=timeout)
        yield address
    finally:
        for p in reversed(processes):
            p.terminate()
        for p in reversed(processes):
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        shutil.rmtree(folder, ignore_errors=True)
