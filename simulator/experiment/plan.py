"""Replications of cells: the engine under replicate, compare, sweep and advise.

A *cell* is one scenario (an alternative, or a (decoupling point, P:D) pair). Replication ``r``
of every cell runs with the seed ``(base, r)``: the seed depends on the replication only, never
on the worker or the engine, so results are identical serial or parallel, and every cell of an
experiment sees the same demand in replication r (common random numbers), which sharpens the
differences between cells.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import pandas as pd
from tqdm import tqdm

from ..kpis import finite_or_none
from ..result import simulate
from ..scenario import Scenario
from ..streams import Seed, format_seed
from .runners import ExperimentError, Measure, Outcome, Runner, Task, make_runner
from .stats import replications_needed

CellKey = TypeVar("CellKey", bound=Hashable)
"""What names a cell of an experiment: an alternative's name, a sweep's Cell, None."""

PRECISION_KPIS = ("otif", "cycle_time_mean", "cost_total")
"""KPIs whose relative half-width ``precision`` stopping watches by default."""


class ProgressBar(tqdm):
    """Runs done, rate and ETA on stderr. No monitor thread: a process with a live thread
    would have to start its workers with forkserver instead of the much faster fork."""

    monitor_interval = 0


WARNINGS = "warnings"
"""The runs-table column of each run's warnings: see :func:`warnings_text`."""


def warnings_text(warnings: Sequence[Mapping[str, Any]]) -> str:
    """A run's warnings as they are stored in the runs table, the journal and ``runs.parquet``:
    JSON text of ``[{"code", "resource", "figure", "message"}, ...]`` ("[]" when all is well),
    so the column is text whether a run is fresh or read back from the journal."""
    return json.dumps([{k: finite_or_none(w.get(k)) for k in ("code", "resource", "figure",
                                                                "message")} for w in warnings])


def read_warnings(text: str | None) -> list[dict]:
    """The warnings of one runs-table row (none for a failed run, whose value is missing)."""
    return json.loads(text) if isinstance(text, str) else []


def flat_kpis(kpis: dict) -> dict:
    """KPIs as one flat row: nested mappings become ``name.key`` columns, the warnings JSON
    text (:func:`warnings_text`)."""
    row = {}
    for name, value in kpis.items():
        if name == WARNINGS:
            row[name] = warnings_text(value)
        elif isinstance(value, dict):
            for sub, v in value.items():
                row[f"{name}.{sub}"] = v
        else:
            row[name] = value
    return row


def run_once(scenario: Scenario, seed: Seed) -> dict:
    """One run's KPIs as a flat row."""
    return flat_kpis(simulate(scenario, seed).kpis)


def replication_seed(base_seed: int, replication: int) -> tuple[int, int]:
    """The seed of replication r: (base, r), which ``omcsim run --seed BASE:R`` reruns alone."""
    return (int(base_seed), int(replication))


def run_cells(
    cells: Mapping[CellKey, Scenario],
    reps: int,
    seed: int = 1,
    *,
    runner: Runner,
    measure: Measure = run_once,
    seed_of: Callable[[CellKey, int], Seed] | None = None,
    precision: float | None = None,
    precision_kpis: Sequence[str] = PRECISION_KPIS,
    max_reps: int = 100,
    confidence: float = 0.95,
    known: Callable[[CellKey, int], Outcome | None] | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
    progress: bool = False,
    desc: str = "runs",
) -> tuple[dict[tuple[CellKey, int], Outcome], dict[CellKey, int]]:
    """Run ``reps`` replications of every cell; returns outcomes by (cell, replication) and the
    number of replications each cell ended with.

    With ``precision`` (e.g. 0.05), cells whose half-width of any ``precision_kpis`` is above
    precision x |mean| get more replications, round after round, up to ``max_reps``. Every
    decision uses replications 0..n-1 only, so the result is the same whatever the engine.
    ``known(cell, r)`` returns an outcome recorded earlier (resume); it is not run again.
    ``on_outcome`` sees each new outcome as it finishes (to write it at once).
    """
    if reps < 1:
        raise ExperimentError(f"reps: expected at least 1, got {reps}")
    if precision is not None and not precision > 0:
        raise ExperimentError(f"precision: expected a relative half-width > 0, got {precision}")
    seed_of = seed_of or (lambda cell, r: replication_seed(seed, r))
    target = dict.fromkeys(cells, reps)
    outcomes: dict[tuple[CellKey, int], Outcome] = {}
    with ProgressBar(total=0, unit="run", desc=desc, disable=None if progress else True,
                     file=sys.stderr, dynamic_ncols=True, smoothing=0.05) as bar:
        while True:
            # Replication-major order: every cell gets its first runs early (a fair ETA, and an
            # interrupted sweep has a bit of every cell).
            todo = []
            for r in range(max(target.values(), default=0)):
                for cell, scenario in cells.items():
                    if r >= target[cell] or (cell, r) in outcomes:
                        continue
                    earlier = known(cell, r) if known else None
                    if earlier is not None:
                        outcomes[(cell, r)] = earlier
                        bar.total = (bar.total or 0) + 1
                        bar.update(1)
                    else:
                        todo.append(Task((cell, r), scenario, seed_of(cell, r)))
            bar.total = (bar.total or 0) + len(todo)
            bar.refresh()
            for outcome in runner.imap(todo, measure):
                outcomes[outcome.key] = outcome
                if on_outcome is not None:
                    on_outcome(outcome)
                bar.update(1)
            if precision is None:
                break
            more = {cell: _needed(cell, target[cell], outcomes, precision, precision_kpis,
                                  confidence, max_reps) for cell in cells}
            if all(more[c] <= target[c] for c in cells):
                break
            target = {c: max(target[c], more[c]) for c in cells}
    return outcomes, target


def _needed(cell, n: int, outcomes, precision, kpis, confidence, max_reps) -> int:
    rows = [outcomes[(cell, r)].value for r in range(n) if outcomes[(cell, r)].ok]
    if not rows:
        return n
    need = n
    for kpi in kpis:
        if kpi not in rows[0]:
            raise ExperimentError(f"precision_kpis: unknown {kpi!r}; known: {sorted(rows[0])}")
        values = [row.get(kpi) for row in rows]
        need = max(need, replications_needed(values, precision, confidence))
    return min(need, max(max_reps, n))


def outcomes_frame(outcomes: Mapping[tuple[CellKey, int], Outcome], cells: Iterable[CellKey],
                   replications: Mapping[CellKey, Iterable[int]],
                   cell_columns: Callable[[CellKey], dict],
                   seed_of: Callable[[CellKey, int], Seed]) -> pd.DataFrame:
    """One row per run, cells in the given order then replications: the cell's columns,
    replication, seed (as ``omcsim run --seed`` takes it, e.g. 1:3), error (None when the run
    succeeded) and every KPI. Replications
    without an outcome (yet) are left out."""
    rows = []
    for cell in cells:
        keys = cell_columns(cell)
        for r in sorted(replications[cell]):
            out = outcomes.get((cell, r))
            if out is None:
                continue
            row: dict[str, Any] = {**keys, "replication": r,
                                   "seed": format_seed(seed_of(cell, r)), "error": out.error}
            if out.ok:
                # As the journal holds it, so a fresh run and one read back from the journal
                # make the same row (NaN as None, numpy numbers as plain ones).
                row.update((k, v) for k, v in json_row(out.value).items() if k not in row)
            rows.append(row)
    df = pd.DataFrame(rows)
    for col in ("error", WARNINGS):
        if col in df:
            df[col] = optional_text(df[col])
    for col in df.columns:
        # None is an undefined KPI: a column of numbers and None, or of None only (a KPI
        # undefined in every run), is a float column with NaN.
        if df[col].dtype == object and col not in ("error", WARNINGS) and df[col].map(
                lambda v: v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))
        ).all():
            df[col] = df[col].astype(float)
    return df


def optional_text(column: pd.Series) -> pd.Series:
    """Text or None, as object: one dtype whether or not a value is missing (pandas 3 would
    infer its str dtype, with NaN for None, only when some value is there)."""
    return column.astype(object).where(column.notna(), None)


def json_row(row: Mapping[str, Any]) -> dict:
    """A KPI row that JSON can hold: NaN becomes null, numpy numbers plain ones."""
    return {k: finite_or_none(v) for k, v in row.items()}


def replicate(scenario: Scenario, reps: int, seed: int = 1, workers: int | None = 1, *,
              dask: str | None = None, progress: bool = False) -> pd.DataFrame:
    """``reps`` independent runs; one row per replication with ``replication`` and every KPI.

    Replication r uses the seed (seed, r). Raises ExperimentError if a run fails.
    """
    with make_runner(workers, dask) as runner:
        outcomes, _ = run_cells({None: scenario}, reps, seed, runner=runner, progress=progress,
                                desc=scenario.name)
    failed = [(r, outcomes[(None, r)].error) for r in range(reps) if not outcomes[(None, r)].ok]
    if failed:
        r, error = failed[0]
        raise ExperimentError(f"{len(failed)} of {reps} runs failed; replication {r}: {error}")
    df = pd.DataFrame([outcomes[(None, r)].value for r in range(reps)])
    df.insert(0, "replication", range(reps))
    return df
