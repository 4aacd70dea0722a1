"""An experiment folder: every finished run is appended to ``runs.journal.jsonl`` at once, so an
interrupted experiment resumes where it stopped.

A run is identified by what determines its result: a digest of the fully resolved scenario, the
seed, the measure, the omcsim version and a digest of the model's code. A later experiment in
the same folder reuses every recorded successful run it needs (more replications, more cells)
and reruns failed ones; a changed scenario (another horizon, another override) or changed model
code simply matches nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import pandas as pd

from .._version import __version__
from ..kpis import finite_or_none
from ..provenance import code_digest
from ..scenario import Scenario
from .plan import CellKey, outcomes_frame, run_cells, run_once
from .runners import ExperimentError, Measure, Outcome, Runner, make_runner

JOURNAL = "runs.journal.jsonl"

log = logging.getLogger(__name__)


def scenario_digest(scenario: Scenario) -> str:
    return hashlib.sha256(scenario.to_yaml().encode()).hexdigest()[:20]


def measure_name(measure: Measure) -> str:
    return f"{measure.__module__}.{measure.__qualname__}"


class RunStore:
    def __init__(self, directory: str | Path, measure: Measure):
        self.directory = Path(directory)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise ExperimentError(f"--out {directory}: cannot create the folder ({err})") from None
        self.path = self.directory / JOURNAL
        self.measure = measure_name(measure)
        self._index: dict[tuple[str, tuple], dict] = {}
        # Bytes of whole lines: a line cut off by a kill is dropped, and cut from the file
        # before the next append (which would otherwise continue it).
        self._whole: int | None = None
        if self.path.exists():
            data = self.path.read_bytes()
            self._whole = data.rfind(b"\n") + 1
            for number, line in enumerate(data[:self._whole].splitlines(), 1):
                self._read(line, number)
            if self._whole < len(data):
                log.warning("%s: dropped its last line, cut off by a kill while it was written "
                            "(%d bytes); that run will be run again", self.path,
                            len(data) - self._whole)
        self._file: IO[str] | None = None

    def _read(self, line: bytes, number: int) -> None:
        try:
            rec = json.loads(line)
            key = (rec["scenario_digest"], tuple(rec["seed"]))
        except (ValueError, KeyError, TypeError):
            log.warning("%s: line %d is not a run record; skipped", self.path, number)
            return
        if (rec.get("error") is None and rec.get("measure") == self.measure
                and rec.get("version") == __version__ and rec.get("code") == code_digest()):
            self._index[key] = rec

    @property
    def recorded(self) -> int:
        return len(self._index)

    def lookup(self, digest: str, seed: Sequence[int]) -> Outcome | None:
        rec = self._index.get((digest, tuple(seed)))
        if rec is None:
            return None
        return Outcome(None, rec["value"], None, rec["seconds"])

    def append(self, digest: str, seed: Sequence[int], cell: dict[str, Any], replication: int,
               outcome: Outcome) -> None:
        rec = {"scenario_digest": digest, "seed": list(seed), "measure": self.measure,
               "version": __version__, "code": code_digest(), "cell": finite_or_none(cell),
               "replication": replication,
               "error": outcome.error, "seconds": round(outcome.seconds, 4),
               "value": finite_or_none(outcome.value) if outcome.ok else None}
        if self._file is None:
            if self._whole is not None and self.path.stat().st_size > self._whole:
                os.truncate(self.path, self._whole)
            self._file = self.path.open("a", encoding="utf-8")
        # One line per run, flushed at once: a killed process loses at most the line it wrote.
        self._file.write(json.dumps(rec) + "\n")
        self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    """Replace ``path`` atomically: a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    df.to_parquet(tmp, index=False)
    os.replace(tmp, path)


def collect(
    cells: Mapping[CellKey, Scenario],
    cell_columns: Callable[[CellKey], dict],
    reps: int,
    seed: int,
    *,
    # A replication's seed as a sequence: the journal keys runs by it.
    seed_of: Callable[[CellKey, int], Sequence[int]],
    out: str | Path | None = None,
    runner: Runner | None = None,
    workers: int | None = None,
    dask: str | None = None,
    measure: Measure = run_once,
    progress: bool = False,
    desc: str = "runs",
    flush_seconds: float = 2.0,
    cache: dict[tuple[CellKey, int], Outcome] | None = None,
    **plan: Any,
) -> tuple[pd.DataFrame, dict[CellKey, int], int]:
    """Run the cells (see :func:`run_cells`, whose options ``plan`` passes on) and return the
    runs table, the replications per cell and how many runs were reused from ``out``.

    With ``out``, each run is appended to the folder's journal as it finishes, runs recorded
    there before are reused, and ``out/runs.parquet`` is rewritten every ``flush_seconds``
    and when the experiment ends or is interrupted. ``cache`` holds outcomes at hand from
    earlier calls (an experiment that adds replications round after round, as optimize does):
    they are reused without running or reading the journal again, and new ones are added.
    """
    store = RunStore(out, measure) if out is not None else None
    digests = {cell: scenario_digest(sc) for cell, sc in cells.items()} if store else {}
    finished: dict[tuple[CellKey, int], Outcome] = {}
    reused = 0
    last_flush = time.monotonic()

    # flush is used only with a journal (``out``); known and on_outcome with it or a cache.
    def flush() -> None:
        assert store is not None
        have = {cell: {r for (c, r) in finished if c == cell} for cell in cells}
        frame = outcomes_frame(finished, cells, have, cell_columns, seed_of)
        write_parquet(frame, store.directory / "runs.parquet")

    def known(cell, r):
        nonlocal reused
        if cache is not None and (cell, r) in cache:
            finished[(cell, r)] = cache[(cell, r)]
            return cache[(cell, r)]
        if store is None:
            return None
        earlier = store.lookup(digests[cell], seed_of(cell, r))
        if earlier is not None:
            reused += 1
            finished[(cell, r)] = earlier
            if cache is not None:
                cache[(cell, r)] = earlier
        return earlier

    def on_outcome(outcome: Outcome) -> None:
        nonlocal last_flush
        cell, r = outcome.key
        finished[outcome.key] = outcome
        if cache is not None:
            cache[outcome.key] = outcome
        if store is None:
            return
        store.append(digests[cell], seed_of(cell, r), cell_columns(cell), r, outcome)
        if time.monotonic() - last_flush >= flush_seconds:
            flush()
            last_flush = time.monotonic()

    def go(active: Runner):
        return run_cells(cells, reps, seed, runner=active, measure=measure, seed_of=seed_of,
                         known=known if store or cache is not None else None,
                         on_outcome=on_outcome if store or cache is not None else None,
                         progress=progress, desc=desc, **plan)

    try:
        if runner is not None:
            outcomes, done_reps = go(runner)
        else:
            with make_runner(workers, dask) as active:
                outcomes, done_reps = go(active)
    finally:
        if store is not None:
            store.close()
            if finished:
                flush()
    runs = outcomes_frame(outcomes, cells, {c: range(n) for c, n in done_reps.items()},
                          cell_columns, seed_of)
    if store is not None:
        write_parquet(runs, store.directory / "runs.parquet")
    return runs, done_reps, reused
