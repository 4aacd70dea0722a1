"""Side-by-side comparison of alternatives, with differences against the first one: paired t
intervals under common random numbers, Welch intervals when the alternatives ran with
independent streams."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..format import is_number, own_reasons
from ..provenance import provenance
from ..scenario import Scenario
from .plan import PRECISION_KPIS, replication_seed, run_once
from .runners import ExperimentError, Measure, Runner
from .runwarnings import summaries, warning_table
from .stats import interval, kpi_columns, paired_difference, welch_difference
from .store import collect, scenario_digest, write_parquet

MAIN_KPIS = ("otif", "fill_rate", "cycle_time_mean", "cycle_time_p95", "backorders_mean",
             "inventory_value_mean", "orders_lost", "cost_total")
"""The KPIs a planner reads first; the tables hold every KPI."""

EVENT_KPIS = ("time_to_recover", "peak_backlog", "orders_late_event", "revenue_late_event",
              "orders_lost_event", "extra_cost_event")
"""The resilience KPIs a planner reads first when the scenario has events."""

Alternatives = Sequence[str] | Mapping[str, Scenario | Mapping[str, Any]]

DIFFERENCE_METHODS = {
    "paired": "paired t intervals (common random numbers: replication r of every alternative "
              "used the same seed)",
    "welch": "Welch t intervals (independent random numbers: the alternatives ran with their "
             "own streams, so the differences are not paired)",
}
"""The ``diff_method`` of a comparison, and what it means."""


@dataclass
class Comparison:
    """``runs``: one row per (alternative, replication), with every KPI, ``error`` and
    ``warnings``. ``summary``: one row per (alternative, kpi): mean, half_width, n (95% Student
    t over replications) and diff, diff_half_width, diff_n, diff_method: the difference
    alternative minus baseline (NaN for the baseline itself). With common random numbers it is
    the paired t interval over the replications both have (diff_n pairs); with independent ones,
    Welch's interval over all of each (diff_n the smaller count). See
    :data:`DIFFERENCE_METHODS`. ``warnings``: the alternative's warnings in words ('' when its
    runs had none)."""

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
    def difference_method(self) -> str:
        """'paired' (common random numbers) or 'welch' (independent streams)."""
        return "paired" if self.common_random_numbers else "welch"

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
    (seed, r, i) instead, to see what CRN buys; the differences are then Welch intervals.
    ``precision`` adds replications until the half-width of every ``precision_kpis`` is within
    that share of its mean (``max_reps`` cap). ``out`` records runs in a folder (journal and
    runs.parquet) to resume after an interruption and, at the end, writes summary.parquet,
    scenario.yaml, each alternative's resolved scenario under alternatives/ and compare.json
    (provenance: command, seeds, method, code digest, versions), as a sweep does.
    """
    scenarios = resolve_alternatives(scenario, alternatives)
    names = list(scenarios)
    index = {name: i for i, name in enumerate(names)}

    def seed_of(name: str, r: int) -> tuple[int, ...]:
        base = replication_seed(seed, r)
        return base if common_random_numbers or index[name] == 0 else (*base, index[name])

    runs, done, reused = collect(
        scenarios, lambda name: {"alternative": name}, reps, seed, seed_of=seed_of, out=out,
        runner=runner, workers=workers, dask=dask, measure=measure, progress=progress,
        desc="compare", precision=precision, precision_kpis=precision_kpis, max_reps=max_reps,
        confidence=confidence)
    summary = summarize_comparison(runs, names, kpis, confidence, paired=common_random_numbers)
    result = Comparison(runs, summary, names[0], names, done, common_random_numbers, reused)
    if out is not None:
        _write_provenance(Path(out), scenario, scenarios, result, seed, seed_of, reps=reps,
                          confidence=confidence, precision=precision,
                          precision_kpis=list(precision_kpis), max_reps=max_reps)
    return result


def _write_provenance(folder: Path, scenario: Scenario, scenarios: Mapping[str, Scenario],
                      result: Comparison, seed: int, seed_of, **options: Any) -> None:
    """summary.parquet, scenario.yaml, alternatives/*.yaml and compare.json in ``folder``: the
    folder alone says how every number in it was made and reruns any replication."""
    write_parquet(result.summary, folder / "summary.parquet")
    (folder / "scenario.yaml").write_text(scenario.to_yaml(), encoding="utf-8")
    (folder / "alternatives").mkdir(exist_ok=True)
    alternatives = []
    for i, (name, sc) in enumerate(scenarios.items()):
        path = folder / "alternatives" / f"{i}-{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.yaml"
        path.write_text(sc.to_yaml(), encoding="utf-8")
        # The seed of replication R (the second number, as replication_seed puts it): put the
        # replication's number for R to rerun it alone.
        parts = [str(x) for x in seed_of(name, 0)]
        seed_text = ":".join([parts[0], "R", *parts[2:]])
        alternatives.append({
            "name": name, "scenario_file": str(path.relative_to(folder)),
            "scenario_digest": scenario_digest(sc), "replications": result.reps[name],
            "seed": seed_text,
            "reproduce_replication": shlex.join(["omcsim", "run", str(path.resolve()), "--seed", seed_text])})
    runs = result.runs
    manifest = {
        **provenance(), "scenario": scenario.name, "seed": seed,
        "random_numbers": "common" if result.common_random_numbers else "independent",
        "seeds": ("replication r of every alternative: seed:r" if result.common_random_numbers
                  else "replication r of the baseline: seed:r; of alternative i > 0: seed:r:i"),
        "baseline": result.baseline, "diff_method": result.difference_method,
        "differences": DIFFERENCE_METHODS[result.difference_method],
        "alternatives": alternatives, **options,
        "runs": len(runs), "failed": int(runs["error"].notna().sum()), "reused": result.reused,
    }
    (folder / "compare.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def summarize_comparison(runs: pd.DataFrame, names: Sequence[str],
                         kpis: Sequence[str] | None = None,
                         confidence: float = 0.95, *, paired: bool = True) -> pd.DataFrame:
    """The ``summary`` table of :class:`Comparison` from a runs table: paired differences, or
    Welch ones (``paired=False``) for alternatives run with independent random numbers."""
    ok = runs[runs["error"].isna()] if "error" in runs else runs
    kpis = list(kpis) if kpis is not None else kpi_columns(ok)
    missing = [k for k in kpis if k not in ok.columns]
    if missing:
        raise ExperimentError(f"kpis: unknown {missing}; known: {kpi_columns(ok)}")
    by_alt = {name: ok[ok["alternative"] == name].set_index("replication") for name in names}
    base = by_alt[names[0]]
    method = "paired" if paired else "welch"
    warned = summaries(runs, ["alternative"])
    rows = []
    for name in names:
        alt = by_alt[name]
        for kpi in kpis:
            row = {"alternative": name, "kpi": kpi, **interval(alt[kpi], confidence)}
            # An undefined mean says why in the runs' own words (their KPI dicts' reasons).
            row["why"] = own_reasons(alt, kpi) if not is_number(row["mean"]) else ""
            if name == names[0]:
                diff = {"mean": float("nan"), "half_width": float("nan"), "n": 0}
            elif paired:
                both = alt.index.intersection(base.index)
                diff = paired_difference(alt.loc[both, kpi], base.loc[both, kpi], confidence)
            else:
                diff = welch_difference(alt[kpi], base[kpi], confidence)
            row.update(diff=diff["mean"], diff_half_width=diff["half_width"], diff_n=diff["n"],
                       diff_method=method, warnings=warned.get(name, ""))
            rows.append(row)
    return pd.DataFrame(rows)
