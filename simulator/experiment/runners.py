"""Where runs execute: in this process, in local worker processes, or on a Dask cluster.

A runner takes tasks (a key, a scenario, a seed) and yields one :class:`Outcome` per task as
runs finish, in whatever order they finish. The seed travels with the task, so a run's result
never depends on which worker ran it; callers sort outcomes by key. A run that raises is
reported as an outcome with its error, and the other runs go on. A worker process that dies
(the OOM killer, a segfault) loses only the run it held: the pool is replaced and the others
carry on. Workers end with the process that started them, so killing a sweep leaves none behind.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import select
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..scenario import Scenario
from ..streams import Seed

if TYPE_CHECKING:
    from multiprocessing.context import ForkContext, ForkServerContext, SpawnContext

    from distributed import Client, LocalCluster

Measure = Callable[[Scenario, Seed], Any]
"""What a task computes from (scenario, seed): a top-level function, so workers can import it."""

DASK_CONNECT_TIMEOUT = "10s"
PARENT_POLL_SECONDS = 1.0
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


class ExperimentError(ValueError):
    """An experiment cannot start (unreachable cluster, nothing to run...): a readable message."""


@dataclass(frozen=True)
class Task:
    key: Any  # the caller's (hashable) key, handed back unchanged in the Outcome
    scenario: Scenario
    seed: Seed


@dataclass(frozen=True)
class Outcome:
    key: Any  # the Task's key
    value: Any
    error: str | None
    seconds: float

    @property
    def ok(self) -> bool:
        return self.error is None


def execute(task: Task, measure: Measure) -> Outcome:
    """Run one task, turning an exception into a recorded error (the other runs go on)."""
    start = time.perf_counter()
    try:
        value = measure(task.scenario, task.seed)
    except Exception as err:  # any failure of one run is data, not the end of the experiment
        return Outcome(task.key, None, f"{type(err).__name__}: {err}",
                       time.perf_counter() - start)
    return Outcome(task.key, value, None, time.perf_counter() - start)


def watch_runner(runner: int) -> None:
    """End this worker as soon as the process that runs the experiment (pid ``runner``) dies: a
    ``kill -9`` of a sweep would otherwise leave its workers running, forever.

    A worker forked by the runner asks Linux for SIGKILL at its parent's death (prctl
    PR_SET_PDEATHSIG). A worker started by a fork server (the start method when the runner
    has threads) has the fork server for parent, which lives as long as any worker does: a
    thread waits for the runner itself to end (a pidfd; elsewhere, polling)."""
    if os.getppid() == runner and sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
        if armed:
            if os.getppid() != runner:  # it died before the signal was armed
                os._exit(1)
            return
    try:
        pidfd = os.pidfd_open(runner)
    except ProcessLookupError:  # already gone
        os._exit(1)
    except (AttributeError, OSError):  # not Linux >= 5.3
        pidfd = None

    def wait() -> None:
        if pidfd is not None:
            select.select([pidfd], [], [])  # readable once the runner has ended
        else:
            while _alive(runner):
                time.sleep(PARENT_POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=wait, name="omcsim-watch-runner", daemon=True).start()


def _alive(pid: int) -> bool:
    if os.getppid() == pid:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def death_message(exitcode: int | None) -> str:
    """Why a worker process ended without a result, from its exit code."""
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        how = f"was killed by {name}"
    else:
        how = f"exited with code {exitcode}"
    return f"WorkerDied: the worker process running this run {how} (out of memory? a crash?)"


def _execute_alone(task: Task, measure: Measure, send, runner: int) -> None:
    watch_runner(runner)
    send.send(execute(task, measure))
    send.close()


def available_cores() -> int:
    """Cores this process may use (the affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no affinity mask
        return os.cpu_count() or 1


class SerialRunner:
    """Every run in this process, one after the other."""

    name = "serial"
    workers = 1

    def __enter__(self) -> SerialRunner:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def imap(self, tasks: Iterable[Task], measure: Measure) -> Iterator[Outcome]:
        for task in tasks:
            yield execute(task, measure)


class ProcessRunner:
    """Runs in ``workers`` local processes (a process pool started once, reused across calls).

    A worker that dies breaks the whole pool (``concurrent.futures``) and with it the runs of
    the healthy workers. The runs that were in the pool then are suspects: the pool is replaced
    and each suspect runs again alone in a process of its own, so only the one that dies again
    is recorded as failed, with the signal that ended it. At most twice ``workers`` runs are
    in the pool at a time: enough to keep every worker busy, few suspects to rerun.
    """

    name = "processes"

    def __init__(self, workers: int | None = None):
        self.workers = workers or available_cores()
        self._pool: ProcessPoolExecutor | None = None
        self._ctx: ForkContext | ForkServerContext | SpawnContext | None = None

    def __enter__(self) -> ProcessRunner:
        # fork starts a worker in milliseconds (spawn and forkserver re-import numpy, pandas and
        # simpy: 1.4-1.9 s); it is only unsafe when other threads hold locks, so a process with
        # threads (a notebook kernel, the dashboard) gets forkserver.
        methods = multiprocessing.get_all_start_methods()
        if "fork" in methods and threading.active_count() == 1:
            self._ctx = multiprocessing.get_context("fork")
        elif "forkserver" in methods:
            self._ctx = multiprocessing.get_context("forkserver")
            self._ctx.set_forkserver_preload(["simulator.experiment"])
        else:
            self._ctx = multiprocessing.get_context("spawn")
        self._pool = self._new_pool()
        return self

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=self._ctx, initializer=watch_runner,
                                   initargs=(os.getpid(),))

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def imap(self, tasks: Iterable[Task], measure: Measure) -> Iterator[Outcome]:
        if self._pool is None:
            raise RuntimeError("use the runner in a with block")
        todo = deque(tasks)
        running: dict = {}
        try:
            while todo or running:
                while todo and len(running) < 2 * self.workers:
                    task = todo.popleft()
                    running[self._pool.submit(execute, task, measure)] = task
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                if any(isinstance(f.exception(), BrokenProcessPool) for f in done):
                    # A worker died: the pool fails every run in it; wait for them all.
                    done, _ = wait(running, return_when=ALL_COMPLETED)
                suspects = []
                for future in [f for f in running if f in done]:  # in the order submitted
                    task = running.pop(future)
                    try:
                        outcome = future.result()
                    except BrokenProcessPool:
                        suspects.append(task)
                        continue
                    except Exception as err:  # the task or its result could not be sent
                        outcome = Outcome(task.key, None, f"{type(err).__name__}: {err}", 0.0)
                    yield outcome
                if suspects:
                    self._pool.shutdown(wait=True)
                    self._pool = self._new_pool()
                    for task in suspects:
                        yield self._alone(task, measure)
        finally:
            for future in running:
                future.cancel()

    def _alone(self, task: Task, measure: Measure) -> Outcome:
        """Run ``task`` in a process of its own: its result, or how that process died."""
        start = time.perf_counter()
        ctx = self._ctx
        if ctx is None:
            raise RuntimeError("use the runner in a with block")
        receive, send = ctx.Pipe(duplex=False)
        process = ctx.Process(target=_execute_alone, args=(task, measure, send, os.getpid()),
                              daemon=True)
        process.start()
        send.close()
        try:
            outcome = receive.recv()
        except EOFError:  # it died before sending its result
            outcome = None
        finally:
            receive.close()
            process.join()
        if outcome is None:
            return Outcome(task.key, None, death_message(process.exitcode),
                           time.perf_counter() - start)
        return outcome


class DaskRunner:
    """Runs as tasks of a Dask cluster: a new LocalCluster (``address`` None or "local") with one
    single-threaded worker process per core, or an existing scheduler at ``address``."""

    name = "dask"

    def __init__(self, address: str | None = None, workers: int | None = None):
        self.address = None if address in (None, "local") else address
        self.workers = workers or available_cores()
        self.scheduler_address: str | None = None
        self._cluster: LocalCluster | None = None
        self._client: Client | None = None

    def __enter__(self) -> DaskRunner:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ExperimentError("Dask is not installed: pip install 'omcsim[distributed]'") \
                from None
        if self.address is None:
            import logging

            self._cluster = LocalCluster(
                n_workers=self.workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                # The scheduler serves HTTP even without a dashboard, on 8787 by default: a free
                # loopback port instead, so a second cluster (another sweep, a parallel test)
                # never collides. CRITICAL: workers log a heartbeat error when the cluster
                # closes under them.
                dashboard_address="127.0.0.1:0", silence_logs=logging.CRITICAL)
            self._client = Client(self._cluster, set_as_default=False)
        else:
            try:
                self._client = Client(self.address, timeout=DASK_CONNECT_TIMEOUT,
                                      set_as_default=False)
            except (OSError, TimeoutError, ValueError) as err:
                raise ExperimentError(
                    f"--dask {self.address}: cannot reach a Dask scheduler there ({err})") from None
            self.workers = max(1, sum(
                w["nthreads"] for w in self._client.scheduler_info()["workers"].values()))
        assert self._client.scheduler is not None  # a connected client has one
        self.scheduler_address = self._client.scheduler.address
        return self

    def __exit__(self, *exc) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = None

    def imap(self, tasks: Iterable[Task], measure: Measure) -> Iterator[Outcome]:
        if self._client is None:
            raise RuntimeError("use the runner in a with block")
        from distributed import as_completed

        tasks = list(tasks)
        if not tasks:
            return
        futures = self._client.map(execute, tasks, measure=measure, pure=False)
        by_key = {f.key: t for f, t in zip(futures, tasks, strict=True)}
        try:
            # The client's own loop: it is not the default client (set_as_default=False).
            for future in as_completed(futures, loop=self._client.loop):
                try:
                    yield future.result()
                except Exception as err:  # a worker died, or the task could not be sent
                    yield Outcome(by_key[future.key].key, None,
                                  f"{type(err).__name__}: {err}", 0.0)
        finally:
            self._client.cancel([f for f in futures if not f.done()])


Runner = SerialRunner | ProcessRunner | DaskRunner


def make_runner(workers: int | None = None, dask: str | None = None) -> Runner:
    """``dask`` ("local" or a scheduler address) picks Dask; else ``workers`` processes
    (None: every core; 1: this process, no pool)."""
    if dask is not None:
        return DaskRunner(dask, workers)
    n = workers or available_cores()
    if n < 1:
        raise ExperimentError(f"workers: expected at least 1, got {workers}")
    return SerialRunner() if n == 1 else ProcessRunner(n)
