"""Sweeps over (decoupling point x P:D) cells, written to a folder as runs finish.

P is the production lead time (:attr:`simulator.plan.Plan.production_lead_time`); a
P:D value is reached by giving every customer the constant demand lead time D = P / (P:D).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..plan import compile_plan
from ..provenance import provenance
from ..scenario import BUFFERS, STRATEGIES, Scenario
from .plan import PRECISION_KPIS, replication_seed, run_once
from .runners import ExperimentError, Measure, Runner
from .runwarnings import summaries, warning_table
from .stats import interval, kpi_columns
from .store import collect, write_parquet

STRATEGY_ORDER = ("mts", "ato", "mto", "eto")
"""Decoupling points from the customer upstream: finished goods, components, raw material, none."""

SWEEP_KPIS = ("otif", "fill_rate", "cycle_time_mean", "backorders_mean", "cost_total")
"""The KPIs the sweep figures show against P:D."""

CELL_COLUMNS = ("strategy", "decoupling_point", "pd", "demand_lead_time")


@dataclass(frozen=True)
class Cell:
    """A decoupling point (as its strategy preset) and the D every customer gets (None: the
    scenario's own demand lead times)."""

    strategy: str
    demand_lead_time: float | None


@dataclass
class SweepResult:
    """``runs``: one row per run (strategy, decoupling_point, pd, demand_lead_time, replication,
    seed, error, warnings, every KPI); ``summary``: one row per cell and KPI (mean, half_width,
    n, failed, and the cell's warnings in words). ``reused`` runs came from an earlier,
    interrupted sweep in the same folder."""

    runs: pd.DataFrame
    summary: pd.DataFrame
    production_lead_time: float
    reps: dict[Cell, int]
    reused: int
    out: Path | None

    @property
    def failed(self) -> pd.DataFrame:
        return self.runs[self.runs["error"].notna()]

    @property
    def warnings(self) -> pd.DataFrame:
        """One row per cell and warning its runs showed: how many runs, the worst figure
        (see :func:`~simulator.experiment.runwarnings.warning_table`)."""
        return warning_table(self.runs, CELL_COLUMNS)


def strategy_list(spec: str | Iterable[str]) -> list[str]:
    """``"all"`` or names of strategies (mts, ato, mto, eto; dc, digital copies, only when
    named) or buffers (finished_goods, components, raw_material, none) -> strategy presets,
    downstream first, without repeats."""
    names = [s.strip() for s in spec.split(",")] if isinstance(spec, str) else list(spec)
    if names == ["all"]:
        return list(STRATEGY_ORDER)
    by_buffer = {buffer: strategy for strategy, buffer in STRATEGIES.items()}
    out = []
    for name in names:
        strategy = name if name in STRATEGIES else by_buffer.get(name)
        if strategy is None:
            allowed = ", ".join([*STRATEGY_ORDER, "dc", *BUFFERS, "none", "all"])
            raise ExperimentError(f"decoupling point {name!r}: not one of {allowed}")
        if strategy not in out:
            out.append(strategy)
    if not out:
        raise ExperimentError("decoupling points: give at least one (or 'all')")
    return sorted(out, key=[*STRATEGY_ORDER, "dc"].index)


def demand_lead_times(scenario: Scenario, pd_ratios: Sequence[float] | None = None,
                      lead_times: Sequence[float] | None = None) -> list[float | None]:
    """The D of each column of a sweep: P / ratio for each P:D ratio, or the lead times given
    in days, or [None] (the scenario's own demand lead times)."""
    if pd_ratios is not None and lead_times is not None:
        raise ExperimentError("give P:D ratios or demand lead times, not both")
    if pd_ratios is not None:
        bad = [x for x in pd_ratios if not (x > 0 and math.isfinite(x))]
        if bad or not pd_ratios:
            raise ExperimentError(f"P:D ratios: expected numbers > 0, got {list(pd_ratios)}")
        p = compile_plan(scenario).production_lead_time
        if not p > 0:
            raise ExperimentError(f"{scenario.name}: production lead time P is 0; P:D ratios "
                                  "need a chain that takes time (give demand lead times)")
        return [p / x for x in pd_ratios]
    if lead_times is not None:
        bad = [x for x in lead_times if not (x >= 0 and math.isfinite(x))]
        if bad or not lead_times:
            raise ExperimentError(f"demand lead times: expected days >= 0, got {list(lead_times)}")
        return [float(x) for x in lead_times]
    return [None]


def sweep_cells(scenario: Scenario, pd_ratios: Sequence[float] | None = None, *,
                lead_times: Sequence[float] | None = None,
                strategies: str | Iterable[str] = "all") -> dict[Cell, Scenario]:
    """Every (decoupling point, D) cell and its scenario, decoupling points downstream first."""
    cells = {}
    for strategy in strategy_list(strategies):
        for d in demand_lead_times(scenario, pd_ratios, lead_times):
            changes: dict[str, str | float] = {"decoupling_point": strategy}
            if d is not None:
                changes["customers.*.demand_lead_time"] = d
            cells[Cell(strategy, d)] = scenario.with_overrides(**changes)
    return cells


def sweep(
    scenario: Scenario,
    pd_ratios: Sequence[float] | None = None,
    *,
    lead_times: Sequence[float] | None = None,
    strategies: str | Iterable[str] = "all",
    reps: int = 10,
    seed: int = 1,
    out: str | Path | None = None,
    workers: int | None = None,
    dask: str | None = None,
    runner: Runner | None = None,
    precision: float | None = None,
    precision_kpis: Sequence[str] = PRECISION_KPIS,
    max_reps: int = 100,
    confidence: float = 0.95,
    measure: Measure = run_once,
    progress: bool = False,
) -> SweepResult:
    """``reps`` replications of every (decoupling point, P:D) cell.

    Replication r of every cell uses the seed (seed, r), so cells share their random streams
    (common random numbers: the curves are smooth and differences between decoupling points
    sharp). With ``out``, runs are appended to ``out/runs.journal.jsonl`` as they finish and
    ``out/runs.parquet`` is kept current; ``out/summary.parquet``, ``out/scenario.yaml`` and
    ``out/sweep.json`` (provenance) are written at the end. Running the same sweep again in
    that folder resumes it: recorded runs are reused, failed ones retried.
    """
    cells = sweep_cells(scenario, pd_ratios, lead_times=lead_times, strategies=strategies)
    p = compile_plan(scenario).production_lead_time
    # Label columns with the ratios as given (P / (P / x) is not always exactly x).
    given = dict(zip(demand_lead_times(scenario, pd_ratios), pd_ratios, strict=True)) if pd_ratios else {}

    def columns(cell: Cell) -> dict:
        sc = cells[cell]
        return {"strategy": cell.strategy, "decoupling_point": sc.codp,
                "pd": float(given.get(cell.demand_lead_time, compile_plan(sc).pd_ratio)),
                "demand_lead_time": sc.mean_demand_lead_time}

    runs, done, reused = collect(
        cells, columns, reps, seed, seed_of=lambda cell, r: replication_seed(seed, r), out=out,
        runner=runner, workers=workers, dask=dask, measure=measure, progress=progress,
        desc="sweep", precision=precision, precision_kpis=precision_kpis, max_reps=max_reps,
        confidence=confidence)
    summary = summarize_cells(runs, confidence)
    folder = Path(out) if out is not None else None
    if folder is not None:
        write_parquet(summary, folder / "summary.parquet")
        (folder / "scenario.yaml").write_text(scenario.to_yaml(), encoding="utf-8")
        manifest = {
            **provenance(), "scenario": scenario.name, "production_lead_time": p, "seed": seed,
            "strategies": strategy_list(strategies),
            "pd_ratios": list(pd_ratios) if pd_ratios is not None else None,
            "demand_lead_times": list(lead_times) if lead_times is not None else None,
            "reps": reps, "precision": precision, "max_reps": max_reps,
            "runs": len(runs), "failed": int(runs["error"].notna().sum()), "reused": reused,
            "seeds": "replication r of every cell: seed:r",
        }
        (folder / "sweep.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return SweepResult(runs, summary, p, done, reused, folder)


def summarize_cells(runs: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Mean, half-width and n per cell and KPI over the successful runs; ``failed`` counts the
    cell's failed runs (a cell whose runs all failed still has its rows, with n = 0);
    ``warnings`` says which warnings its runs showed, in how many, and the worst figure."""
    ok = runs["error"].isna()
    kpis = kpi_columns(runs[ok], exclude=CELL_COLUMNS)
    warned = summaries(runs, CELL_COLUMNS)
    rows = []
    for key, group in runs.groupby(list(CELL_COLUMNS), sort=False, dropna=False):
        good = group[group["error"].isna()]
        failed = int(len(group) - len(good))
        cell = dict(zip(CELL_COLUMNS, key, strict=True))
        for kpi in kpis:
            rows.append({**cell, "kpi": kpi, **interval(good[kpi], confidence),
                         "failed": failed, "warnings": warned.get(key, "")})
    return pd.DataFrame(rows, columns=[*CELL_COLUMNS, "kpi", "mean", "half_width", "n",
                                       "failed", "warnings"])
