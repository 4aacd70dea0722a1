"""Side-by-side comparison of alternatives, with paired differences against the first one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..scenario import Scenario
from .plan import PRECISION_KPIS, replication_seed, run_once
from .runners import ExperimentError, Measure, Runner
from .runwarnings import summaries, warning_table
from .stats import interval, kpi_columns, paired_difference
from .store import collect

MAIN_KPIS = ("otif", "fill_rate", "cycle_time_mean", "cycle_time_p95", "backorders_mean",
             "inventory_value_mean", "orders_lost", "cost_total")
"""The KPIs a planner reads first; the tables hold every KPI."""

Alternatives = Sequence[str] | Mapping[str, Scenario | Mapping[str, Any]]


@dataclass
class Comparison:
    """``runs``: one row per (alternative, replication), with every KPI, ``error`` and
    ``warnings``. ``summary``: one row per (alternative, kpi): mean, half_width, n (95% Student
    t over replications) and diff, diff_half_width, diff_n: the paired difference alternative
    minus baseline over the replications both have (NaN for the baseline itself), and the
    alternative's ``warnings`` in words ('' when its runs had none)."""

    runs: pd.DataFrame
    summary: pd.DataFrame
    baseline: str
    alternatives: list[str]
    reps: dict[str, int]
    common_random_numbers: bool
    reused: int = 0

    @property
    def failed(self) -> pd.DataFrame:
        return self.runs[self.runs["error"].notna()]

    @property
    def warnings(self) -> pd.DataFrame:
        """One row per alternative and warning its runs showed: how many runs, the worst
        figure (see :func:`~simulator.experiment.runwarnings.warning_table`)."""
        return warning_table(self.runs, ["alternative"])


def resolve_alternatives(scenario: Scenario, alternatives: Alternatives) -> dict[str, Scenario]:
    """Names -> scenarios. A name alone is a decoupling point (a strategy such as ``ato`` or a
    buffer such as ``components``); a mapping gives a scenario or dotted-path overrides."""
    if isinstance(alternatives, Mapping):
        items = list(alternatives.items())
    else:
        items = [(name, {"decoupling_point": name}) for name in alternatives]
    if not items:
        raise ExperimentError("alternatives: give at least one to compare")
    out: dict[str, Scenario] = {}
    for name, spec in items:
        if name in out:
            raise ExperimentError(f"alternatives: {name!r} is given twice")
        out[name] = spec if isinstance(spec, Scenario) else scenario.with_overrides(**spec)
    return out


def compare(
    scenario: Scenario,
    alternatives: Alternatives,
    reps: int = 10,
    seed: int = 1,
    *,
    kpis: Sequence[str] | None = None,
    common_random_numbers: bool = True,
    precision: float | None = None,
    precision_kpis: Sequence[str] = PRECISION_KPIS,
    max_reps: int = 100,
    confidence: float = 0.95,
    workers: int | None = None,
    dask: str | None = None,
    runner: Runner | None = None,
    out: str | Path | None = None,
    measure: Measure = run_once,
    progress: bool = False,
) -> Comparison:
    """Run every alternative ``reps`` times and compare them.

    Replication r of every alternative uses the seed (seed, r): common random numbers, so the
    alternatives face the same inquiries and the paired differences are sharper than the
    intervals of the means. ``common_random_numbers=False`` gives alternative i > 0 the seed
    (seed, r, i) instead, to see what CRN buys. ``precision`` adds replications until the
    half-width of every ``precision_kpis`` is within that share of its mean (``max_reps`` cap);
    ``out`` records runs in a folder (journal and runs.parquet) to resume after an interruption.
    """
    scenarios = resolve_alternatives(scenario, alternatives)
    names = list(scenarios)
    index = {name: i for i, name in enumerate(names)}

    def seed_of(name: str, r: int):
        base = replication_seed(seed, r)
        return base if common_random_numbers or index[name] == 0 else (*base, index[name])

    runs, done, reused = collect(
        scenarios, lambda name: {"alternative": name}, reps, seed, seed_of=seed_of, out=out,
        runner=runner, workers=workers, dask=dask, measure=measure, progress=progress,
        desc="compare", precision=precision, precision_kpis=precision_kpis, max_reps=max_reps,
        confidence=confidence)
    summary = summarize_comparison(runs, names, kpis, confidence)
    return Comparison(runs, summary, names[0], names, done, common_random_numbers, reused)


def summarize_comparison(runs: pd.DataFrame, names: Sequence[str],
                         kpis: Sequence[str] | None = None,
                         confidence: float = 0.95) -> pd.DataFrame:
    """The ``summary`` table of :class:`Comparison` from a runs table."""
    ok = runs[runs["error"].isna()] if "error" in runs else runs
    kpis = list(kpis) if kpis is not None else kpi_columns(ok)
    missing = [k for k in kpis if k not in ok.columns]
    if missing:
        raise ExperimentError(f"kpis: unknown {missing}; known: {kpi_columns(ok)}")
    by_alt = {name: ok[ok["alternative"] == name].set_index("replication") for name in names}
    base = by_alt[names[0]]
    warned = summaries(runs, ["alternative"])
    rows = []
    for name in names:
        alt = by_alt[name]
        for kpi in kpis:
            row = {"alternative": name, "kpi": kpi, **interval(alt[kpi], confidence)}
            if name == names[0]:
                diff = {"mean": float("nan"), "half_width": float("nan"), "n": 0}
            else:
                both = alt.index.intersection(base.index)
                diff = paired_difference(alt.loc[both, kpi], base.loc[both, kpi], confidence)
            row.update(diff=diff["mean"], diff_half_width=diff["half_width"], diff_n=diff["n"],
                       warnings=warned.get(name, ""))
            rows.append(row)
    return pd.DataFrame(rows)
