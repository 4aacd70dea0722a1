"""Optimisation over a discrete design space, with a statistically valid answer.

A *design* sets each varied scenario path (``--vary``) to one of its values. Replication r of
every design runs with the seed (seed, r): common random numbers, so designs are compared on the
same demand and the paired differences that ranking and selection works on are sharp.

One objective: the designs (all of them in a small space; in a large one, the best
``candidates`` that optuna's TPE sampler found, each evaluated with ``reps`` replications) go
through KN++ (Kim and Nelson 2006; see :mod:`.selection`) with an indifference zone ``delta``.
The selected design is, with confidence at least ``confidence``, feasible and the best of the
candidates proven feasible, or within delta of it: the error probability is split evenly
between the selection (KN++) and the feasibility checks (one-sided t bounds, Bonferroni over the
constraints). A design neither proven feasible nor infeasible gets replications until it is,
or until ``max_reps``; one still *unclear* then is reported as such and never selected (the
selection statement names any unclear design whose mean looks better). Only designs proven
feasible eliminate others (Andradottir and Kim 2010). A design with a failed run is kept as
data (its runs in the runs table, status ``failed``) and left out of the comparison: paired
differences need every replication.

Two objectives: every candidate (all designs, or those NSGA-II proposed) gets ``reps``
replications (unclear ones more, as above), and the Pareto front is the designs proven
feasible that no other such design beats on both means; the table gives each mean's
confidence interval.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..format import bound_text, format_interval, in_sentence, label
from ..kpis import HIGHER, KPIS, LOWER, finite_or_none
from ..provenance import provenance
from ..scenario import Scenario, ScenarioError, parse_override
from ..streams import format_seed
from .plan import WARNINGS, outcomes_frame, read_warnings, replication_seed, run_once
from .runners import ExperimentError, Measure, Outcome, Runner, make_runner
from .runwarnings import UNSTABLE, summaries
from .selection import (
    FEASIBLE,
    INFEASIBLE,
    MAX,
    MIN,
    UNCLEAR,
    Constraint,
    feasibility,
    kn_screen,
    non_dominated,
)
from .stats import interval
from .store import collect, write_parquet
from .sweep import strategy_list

__all__ = ["Constraint", "Objective", "Optimization", "Variable", "constraint", "objective",
           "optimize", "variable"]

METHOD = ("KN++ fully sequential indifference-zone selection (Kim and Nelson 2006, Operations "
          "Research 54(3): 475-488) on paired differences under common random numbers; "
          "feasibility by one-sided t bounds, Bonferroni over the constraints; only proven "
          "feasible designs eliminate others (Andradottir and Kim 2010)")

SEARCHES = ("auto", "all", "optuna")
EXHAUSTIVE_LIMIT = 64
"""``search="auto"`` evaluates every design of a space this size or smaller, else asks optuna."""

STATUSES = {
    "selected": "the selected design",
    "contender": "still in contention when selection stopped (equivalent within delta, or "
                 "max_reps reached)",
    "eliminated": "eliminated by KN++: a feasible design is better by more than the slack",
    "front": "on the Pareto front",
    "dominated": "feasible, but a design on the front is at least as good on both objectives",
    INFEASIBLE: "fails a constraint with confidence",
    UNCLEAR: "neither proven feasible nor infeasible at max_reps: never selected",
    "failed": "a run failed, the scenario is invalid or an objective is undefined",
    "overloaded": "a run warned of an offered load >= 1 or piling work: its numbers depend on "
                  "the run length, so it is never selected",
    "not a candidate": "evaluated during the search, not among the best candidates",
}


@dataclass(frozen=True)
class Objective:
    kpi: str
    sense: str  # MIN or MAX

    def __str__(self) -> str:
        return f"{self.sense} {self.kpi}"


@dataclass(frozen=True)
class Variable:
    """A scenario path (as ``--set`` and compare's ``--alt`` take it) and its values."""

    path: str
    values: tuple

    @property
    def numeric(self) -> bool:
        return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in self.values)


def objective(name: str) -> Objective:
    """An objective from a KPI name; its direction from the KPI registry."""
    kpi = KPIS.get(name)
    directed = [k for k, v in KPIS.items() if v.direction in (HIGHER, LOWER)]
    if kpi is None or kpi.direction not in (HIGHER, LOWER):
        raise ExperimentError(f"--objective {name!r}: not a KPI with a better direction; use one "
                              f"of {', '.join(directed)}")
    return Objective(name, MAX if kpi.direction == HIGHER else MIN)


_CONSTRAINT = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(>=|<=)\s*([-+]?[\d.]+(?:[eE][-+]?\d+)?)\s*$")


def constraint(text: str) -> Constraint:
    """``kpi>=number`` or ``kpi<=number`` (e.g. otif>=0.95)."""
    m = _CONSTRAINT.match(text)
    if m is None:
        raise ExperimentError(f"--constraint {text!r}: expected KPI>=NUMBER or KPI<=NUMBER, "
                              "e.g. otif>=0.95")
    name, op, raw = m.groups()
    try:
        bound = float(raw)
    except ValueError:
        bound = math.nan
    if not math.isfinite(bound):
        raise ExperimentError(f"--constraint {text!r}: {raw!r} is not a number")
    if name.split(".")[0] not in KPIS:
        raise ExperimentError(f"--constraint {text!r}: unknown KPI {name!r}; KPIs are "
                              f"{', '.join(KPIS)}")
    return Constraint(name, op, bound)


def _range(path: str, spec: str) -> list:
    """``a..b`` or ``a..b:step``: a..b inclusive."""
    body, _, step_text = spec.partition(":")
    low_text, _, high_text = body.partition("..")
    try:
        nums = [float(x) for x in (low_text, high_text, step_text or "1")]
    except ValueError:
        raise ExperimentError(f"--vary {path}={spec}: expected a range LOW..HIGH or "
                              f"LOW..HIGH:STEP of numbers, e.g. 2..6") from None
    low, high, step = nums
    if not all(map(math.isfinite, nums)) or step <= 0:
        raise ExperimentError(f"--vary {path}={spec}: a range needs finite numbers and a step > 0")
    if low > high:
        raise ExperimentError(f"--vary {path}={spec}: the range is empty (LOW > HIGH)")
    count = math.floor((high - low) / step + 1e-9) + 1
    if count > 10_000:
        raise ExperimentError(f"--vary {path}={spec}: {count} values; at most 10000")
    values = [low + i * step for i in range(count)]
    if all(float(x).is_integer() for x in (low, step)):
        return [int(v) for v in values]
    return [round(v, 12) for v in values]


def _path_exists(data: Any, keys: list[str], path: str) -> None:
    """Refuse a path the scenario does not have: an override would silently add it (a new,
    unused department, say) instead of changing anything."""
    node = data
    for i, key in enumerate(keys):
        if key == "*" and isinstance(node, dict) and node:
            for sub in node.values():
                _path_exists(sub, keys[i + 1:], path)
            return
        if not isinstance(node, dict) or key not in node:
            where = ".".join(keys[:i]) or "the top level"
            known = ", ".join(map(str, node)) if isinstance(node, dict) else "nothing (a value)"
            raise ExperimentError(f"--vary {path}: the scenario has no {key!r} at {where}; "
                                  f"known: {known}")
        node = node[key]


def variable(text: str, scenario: Scenario) -> Variable:
    """``PATH=all`` (decoupling_point: every strategy), ``PATH=LOW..HIGH[:STEP]`` or
    ``PATH=a,b,c`` (each read as YAML, as ``--set`` reads a value). Every value is checked on
    the scenario alone, so a bad one is refused before any run."""
    path, sep, spec = text.partition("=")
    path, spec = path.strip(), spec.strip()
    if not sep or not path or not spec:
        raise ExperimentError(f"--vary {text!r}: expected PATH=VALUES, e.g. "
                              "departments.sales.staff=2..6 or decoupling_point=all")
    if spec == "all":
        if path != "decoupling_point":
            raise ExperimentError(f"--vary {text!r}: 'all' is for decoupling_point only; give "
                                  "a range LOW..HIGH or a list a,b,c")
        values: list = strategy_list("all")
    elif ".." in spec:
        values = _range(path, spec)
    else:
        try:
            values = [parse_override(f"{path}={item.strip()}")[1] for item in spec.split(",")]
        except ScenarioError as err:
            raise ExperimentError(f"--vary {text!r}: {err}") from None
        if any(v is None for v in values):
            raise ExperimentError(f"--vary {text!r}: an empty value in the list")
    unique = []
    for v in values:
        if v not in unique:
            unique.append(v)
    _path_exists(scenario.model_dump(mode="json", by_alias=True), path.split("."), path)
    for v in unique:
        try:
            scenario.with_overrides(**{path: v})
        except ScenarioError as err:
            raise ExperimentError(f"--vary {path}={v}: {err}") from None
    return Variable(path, tuple(unique))


# ---------------------------------------------------------------- designs and their runs

Key = tuple[int, ...]
"""A design: the index of its value in each variable."""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


class _Designs:
    """Every design's scenario, runs and values: runs each (design, replication) once, through
    :func:`~simulator.experiment.store.collect` (journal, resume, failures as data)."""

    def __init__(self, scenario: Scenario, variables: Sequence[Variable], seed: int,
                 common_random_numbers: bool, runner: Runner, out: Path | None,
                 measure: Measure, progress: bool):
        self.scenario, self.variables, self.seed = scenario, list(variables), seed
        self.crn, self.runner, self.out = common_random_numbers, runner, out
        self.measure, self.progress = measure, progress
        self.cache: dict[tuple[Key, int], Outcome] = {}
        self.scenarios: dict[Key, Scenario] = {}
        self.invalid: dict[Key, str] = {}
        self.order: list[Key] = []  # in the order first evaluated
        self.reused = 0

    def name(self, key: Key) -> str:
        return ", ".join(f"{v.path}={_text(v.values[i])}" for v, i in zip(self.variables, key,
                                                                          strict=True))

    def flat_index(self, key: Key) -> int:
        """The design's place in the whole space (stable: it names its independent streams)."""
        index = 0
        for v, i in zip(self.variables, key, strict=True):
            index = index * len(v.values) + i
        return index

    def seed_of(self, key: Key, r: int) -> tuple[int, ...]:
        base = replication_seed(self.seed, r)
        return base if self.crn else (*base, self.flat_index(key) + 1)

    def columns(self, key: Key) -> dict:
        row: dict[str, Any] = {"design": self.name(key)}
        for v, i in zip(self.variables, key, strict=True):
            row[v.path] = v.values[i] if v.numeric else _text(v.values[i])
        return row

    def _scenario(self, key: Key) -> Scenario | None:
        if key in self.invalid:
            return None
        if key not in self.scenarios:
            changes = {v.path: v.values[i] for v, i in zip(self.variables, key, strict=True)}
            try:
                self.scenarios[key] = self.scenario.with_overrides(**changes)
            except ScenarioError as err:  # values valid alone, not together: data, not an end
                self.invalid[key] = str(err)
                return None
        return self.scenarios[key]

    def ensure(self, keys: Sequence[Key], reps: int, desc: str) -> None:
        """Replications 0..reps-1 of every design in ``keys``."""
        cells = {}
        for key in dict.fromkeys(keys):
            if key not in self.order:
                self.order.append(key)
            sc = self._scenario(key)
            if sc is not None and any((key, r) not in self.cache for r in range(reps)):
                cells[key] = sc
        if not cells:
            return
        _, _, reused = collect(cells, self.columns, reps, self.seed, seed_of=self.seed_of,
                               out=self.out, runner=self.runner, measure=self.measure,
                               progress=self.progress, desc=desc, cache=self.cache)
        self.reused += reused

    def reps(self, key: Key) -> int:
        """Replications 0..n-1 at hand."""
        n = 0
        while (key, n) in self.cache:
            n += 1
        return n

    def values(self, key: Key, kpi: str, n: int) -> np.ndarray:
        """The KPI in replications 0..n-1 (NaN where a run failed or the KPI is undefined)."""
        out = np.full(n, np.nan)
        for r in range(n):
            o = self.cache.get((key, r))
            if o is not None and o.ok:
                v = o.value.get(kpi)
                out[r] = np.nan if v is None else float(v)
        return out

    def broken(self, key: Key, n: int, kpis: Sequence[str]) -> tuple[str, str] | None:
        """(status, why) when the design cannot be compared on replications 0..n-1: "failed"
        (an invalid scenario, a failed run, an undefined objective) or "overloaded" (a run
        warned of an offered load >= 1 or piling work: its numbers depend on the run
        length, as the advisor holds); None when it can."""
        if key in self.invalid:
            return "failed", f"invalid scenario: {self.invalid[key]}"
        for r in range(n):
            o = self.cache.get((key, r))
            if o is None:
                return "failed", f"replication {r} was not run"
            if not o.ok:
                return "failed", f"replication {r} failed: {o.error}"
        for kpi in kpis:
            v = self.values(key, kpi, n)
            if not np.isfinite(v).all():
                if kpi not in (self.cache[(key, 0)].value or {}):
                    raise ExperimentError(f"KPI {kpi!r}: the runs have no such KPI")
                return "failed", (f"{kpi} is undefined in replication "
                                  f"{int(np.flatnonzero(~np.isfinite(v))[0])}")
        for r in range(n):
            for w in read_warnings(self.cache[(key, r)].value.get(WARNINGS)):
                if w.get("code") in UNSTABLE:
                    return "overloaded", f"replication {r}: {w.get('message')}"
        return None

    def runs(self) -> pd.DataFrame:
        return outcomes_frame(self.cache, self.order, {k: range(self.reps(k)) for k in self.order},
                              self.columns, self.seed_of)


# ---------------------------------------------------------------- the result


@dataclass
class Optimization:
    """``runs``: one row per design and replication (design, the varied paths, replication,
    seed, error, every KPI). ``designs``: one row per evaluated design: its values, n, each
    objective's and constrained KPI's mean and half-width, feasibility with the reason, and
    its status (see :data:`STATUSES`). ``trail``: the selection's steps in order (stage, event,
    design, by, detail). ``front``: the Pareto front (two objectives), else empty.
    ``selected``: the selected design's name (None when none qualifies, or two objectives);
    ``statement``: what the result means, with its confidence, in words."""

    runs: pd.DataFrame
    designs: pd.DataFrame
    trail: pd.DataFrame
    front: pd.DataFrame
    selected: str | None
    statement: str
    objectives: list[Objective]
    constraints: list[Constraint]
    delta: float | None
    confidence: float
    search: str
    reused: int = 0
    out: Path | None = None
    notes: list[str] = field(default_factory=list)
    common_random_numbers: bool = True

    @property
    def failed(self) -> pd.DataFrame:
        return self.runs[self.runs["error"].notna()]


# ---------------------------------------------------------------- the procedure


class _Trail:
    def __init__(self) -> None:
        self.rows: list[dict] = []

    def add(self, stage: int, event: str, design: str, detail: str = "", by: str = "") -> None:
        self.rows.append({"stage": stage, "event": event, "design": design, "by": by,
                          "detail": detail})

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=["stage", "event", "design", "by", "detail"])


def _judge(designs: _Designs, keys: Sequence[Key], n: int, constraints: Sequence[Constraint],
           confidence: float, verdict: dict[Key, tuple[str, str]], trail: _Trail) -> None:
    """Feasibility of every design not yet decided, on replications 0..n-1 (a decided design
    keeps its verdict)."""
    for key in keys:
        if verdict.get(key, (UNCLEAR,))[0] != UNCLEAR:
            continue
        columns = {c.kpi: designs.values(key, c.kpi, n) for c in constraints}
        verdict[key] = feasibility(columns, constraints, confidence)
        if verdict[key][0] != UNCLEAR and constraints:
            trail.add(n, verdict[key][0], designs.name(key), verdict[key][1])


def _evaluate(designs: _Designs, keys: list[Key], reps: int, kpis: Sequence[str], label: str,
              trail: _Trail, status: dict[Key, str]) -> list[Key]:
    """Give every design ``reps`` replications; returns those that can be compared (the others,
    with a failed run or an undefined KPI, get their status and a line in the trail)."""
    designs.ensure(keys, reps, label)
    good = []
    for key in keys:
        why = designs.broken(key, reps, kpis)
        if why:
            status[key] = why[0]
            trail.add(reps, why[0], designs.name(key), why[1])
        else:
            good.append(key)
    return good


def _select(designs: _Designs, candidates: list[Key], goal: Objective,
            constraints: Sequence[Constraint], *, reps: int, max_reps: int, step: int,
            delta: float, alpha: float, feasible_confidence: float, trail: _Trail,
            status: dict[Key, str], verdict: dict[Key, tuple[str, str]]
            ) -> tuple[Key | None, list[str], int]:
    """KN++ among the candidates, with feasibility judged as it goes; returns (the selected
    design, notes on what the guarantee does not cover, how many feasible designs were still
    in contention when max_reps stopped it: 0 when KN++ settled)."""
    kpis = [goal.kpi, *(c.kpi for c in constraints)]
    contention = _evaluate(designs, candidates, reps, kpis, "optimize: first stage", trail, status)
    k = len(contention)
    r, available, settled = reps, reps, False
    while contention:
        _judge(designs, contention, r, constraints, feasible_confidence, verdict, trail)
        for key in [c for c in contention if verdict[c][0] == INFEASIBLE]:
            status[key] = INFEASIBLE
            contention.remove(key)
        eliminators = [c for c in contention if verdict[c][0] == FEASIBLE]
        values = {c: designs.values(c, goal.kpi, r) for c in contention}
        gone, settled = kn_screen(values, contention, eliminators, r, k=max(k, 2), delta=delta,
                                  alpha=alpha, sense=goal.sense)
        for key, by in gone.items():
            status[key] = "eliminated"
            trail.add(r, "eliminated", designs.name(key),
                      f"{goal.kpi} mean {_number(values[key].mean())} vs {_number(values[by].mean())}",
                      by=designs.name(by))
        contention = [c for c in contention if c not in gone]
        unclear = [c for c in contention if verdict[c][0] == UNCLEAR]
        if not contention or (settled and not unclear) or r >= max_reps:
            break
        r += 1
        if r > available:
            available = min(max_reps, available + step)
            designs.ensure(contention, available, f"optimize: to stage {available}")
            for key in list(contention):
                why = designs.broken(key, available, kpis)
                if why:
                    status[key] = why[0]
                    trail.add(r, why[0], designs.name(key), why[1])
                    contention.remove(key)
    notes = []
    feasible = [c for c in contention if verdict[c][0] == FEASIBLE]
    sign = 1 if goal.sense == MIN else -1
    mean = {c: float(designs.values(c, goal.kpi, r).mean()) for c in contention}
    best = min(feasible, key=lambda c: sign * mean[c]) if feasible else None
    for key in contention:
        if verdict[key][0] == UNCLEAR:
            status[key] = UNCLEAR
            trail.add(r, UNCLEAR, designs.name(key), verdict[key][1])
            if best is None or sign * mean[key] < sign * mean[best]:
                notes.append(f"{designs.name(key)} looks better ({goal.kpi} {mean[key]:.6g}) but "
                             f"is not proven feasible after {r} replications: "
                             f"{verdict[key][1]}")
        else:
            status[key] = "contender"
    unsettled = 0
    if best is not None:
        status[best] = "selected"
        trail.add(r, "selected", designs.name(best), f"{goal.kpi} mean {_number(mean[best])}")
        if len(feasible) > 1 and not settled:
            unsettled = len(feasible)  # the statement says it: no KN++ guarantee
        elif len(feasible) > 1:
            others = len(feasible) - 1
            notes.append(f"{others} other feasible design{'s are' if others > 1 else ' is'} "
                         "within delta of the selected one (KN++ cannot tell them apart)")
    return best, notes, unsettled


def _search(designs: _Designs, variables: Sequence[Variable], goals: Sequence[Objective],
            constraints: Sequence[Constraint], *, trials: int, batch: int, reps: int, seed: int,
            trail: _Trail) -> list[Key]:
    """Designs optuna proposes (TPE for one objective, NSGA-II for two; constraints through
    their constraints_func), each evaluated with ``reps`` replications; in order proposed."""
    import optuna
    from optuna.distributions import BaseDistribution, CategoricalDistribution, IntDistribution
    from optuna.trial import TrialState

    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def constraint_values(trial) -> Sequence[float]:
        return trial.user_attrs.get("constraints", [1.0] * len(constraints))

    cf = constraint_values if constraints else None
    with warnings.catch_warnings():  # constraints_func is experimental in some optuna versions
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        sampler: optuna.samplers.BaseSampler
        if len(goals) == 1:
            sampler = optuna.samplers.TPESampler(seed=seed, constraints_func=cf,
                                                 n_startup_trials=min(10, max(2, trials // 3)))
        else:
            sampler = optuna.samplers.NSGAIISampler(seed=seed, constraints_func=cf,
                                                    population_size=max(2, batch))
    study = optuna.create_study(
        directions=["minimize" if g.sense == MIN else "maximize" for g in goals], sampler=sampler)
    # Ordered values (numbers) as an integer index, so TPE sees neighbours; others as categories.
    dists: dict[str, BaseDistribution] = {
        v.path: IntDistribution(0, len(v.values) - 1) if v.numeric
        else CategoricalDistribution(tuple(range(len(v.values)))) for v in variables}
    proposed: list[Key] = []
    kpis = [g.kpi for g in goals] + [c.kpi for c in constraints]
    done = 0
    while done < trials:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            asked = [study.ask(dists) for _ in range(min(batch, trials - done))]
        keys = [tuple(int(t.params[v.path]) for v in variables) for t in asked]
        designs.ensure(keys, reps, f"optimize: trials {done + 1}-{done + len(asked)}")
        for trial, key in zip(asked, keys, strict=True):
            if key not in proposed:
                proposed.append(key)
            why = designs.broken(key, reps, kpis)
            if why:
                study.tell(trial, state=TrialState.FAIL)
                trail.add(trial.number, "proposed", designs.name(key), f"{why[0]}: {why[1]}")
                continue
            means = [float(designs.values(key, g.kpi, reps).mean()) for g in goals]
            excess = []
            for c in constraints:
                m = float(designs.values(key, c.kpi, reps).mean())
                excess.append(c.bound - m if c.op == ">=" else m - c.bound)
            trial.set_user_attr("constraints", excess)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                study.tell(trial, means)
            trail.add(trial.number, "proposed", designs.name(key),
                      ", ".join(f"{g.kpi} {_number(m)}" for g, m in zip(goals, means, strict=True)))
        done += len(asked)
    return proposed


def _settle_feasibility(designs: _Designs, keys: list[Key], kpis: Sequence[str],
                        constraints: Sequence[Constraint], *, reps: int, max_reps: int,
                        step: int, confidence: float, trail: _Trail,
                        status: dict[Key, str], verdict: dict[Key, tuple[str, str]]) -> list[Key]:
    """Replications for every design until its feasibility is decided (or max_reps); returns
    the designs that can be compared (no failed run, objectives defined)."""
    good = _evaluate(designs, keys, reps, kpis, "optimize: evaluate", trail, status)
    n = reps
    while True:
        _judge(designs, good, n, constraints, confidence, verdict, trail)
        unclear = [k for k in good if verdict[k][0] == UNCLEAR]
        if not unclear or n >= max_reps:
            break
        n = min(max_reps, n + step)
        designs.ensure(unclear, n, f"optimize: feasibility to {n} replications")
        for key in unclear:
            why = designs.broken(key, n, kpis)
            if why:
                status[key] = why[0]
                trail.add(n, why[0], designs.name(key), why[1])
                good.remove(key)
    return good


def _design_table(designs: _Designs, goals: Sequence[Objective],
                  constraints: Sequence[Constraint], confidence: float, status: dict[Key, str],
                  verdict: dict[Key, tuple[str, str]]) -> pd.DataFrame:
    rows = []
    kpis = list(dict.fromkeys([g.kpi for g in goals] + [c.kpi for c in constraints]))
    runs = designs.runs()
    warned = summaries(runs, ["design"]) if len(runs) else {}
    for key in designs.order:
        n = designs.reps(key)
        row = designs.columns(key)
        ok = [r for r in range(n) if designs.cache[(key, r)].ok]
        row.update(n=len(ok), failed=n - len(ok))
        for kpi in kpis:
            est = interval(designs.values(key, kpi, n), confidence)
            row[f"{kpi}_mean"], row[f"{kpi}_half_width"] = est["mean"], est["half_width"]
        v = verdict.get(key)
        row["feasibility"] = v[0] if v else "not judged"
        row["reason"] = v[1] if v else (designs.invalid.get(key) or "")
        row["status"] = status.get(key, "not a candidate")
        row["warnings"] = warned.get(row["design"], "")
        rows.append(row)
    return pd.DataFrame(rows)


def _resolve_delta(delta: float | str, best: float) -> float:
    """An absolute delta, or 'X%' of |best|, the best first-stage mean among the designs
    that can be compared (an overloaded design's huge cost does not widen it)."""
    text = str(delta).strip()
    try:
        value = float(text.rstrip("%"))
    except ValueError:
        value = math.nan
    if not (value > 0 and math.isfinite(value)):
        raise ExperimentError(f"delta {delta!r}: expected a number > 0 in the objective's "
                              "units, or a percentage of the best mean such as 1%")
    if not text.endswith("%"):
        return value
    resolved = value / 100 * abs(best)
    if not resolved > 0:
        raise ExperimentError(f"delta {delta!r}: the best mean is {best}; give delta in the "
                              "objective's units")
    return resolved


def _number(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


def optimize(
    scenario: Scenario,
    variables: Sequence[Variable | str],
    objectives: Sequence[Objective | str],
    constraints: Sequence[Constraint | str] = (),
    *,
    delta: float | str = "1%",
    confidence: float = 0.95,
    reps: int = 10,
    max_reps: int = 100,
    step: int = 5,
    search: str = "auto",
    trials: int = 40,
    batch: int = 8,
    candidates: int = 8,
    seed: int = 1,
    common_random_numbers: bool = True,
    workers: int | None = None,
    dask: str | None = None,
    runner: Runner | None = None,
    out: str | Path | None = None,
    measure: Measure = run_once,
    progress: bool = False,
) -> Optimization:
    """Search the designs that ``variables`` span for the best by ``objectives`` (one: KN++
    selection; two: the Pareto front) subject to ``constraints`` (see the module docstring).

    ``reps`` is the first stage (KN++'s n0, at least 2); ``step`` replications are added to
    every design still in contention at a time (decisions are taken after every single
    replication, so ``step`` changes how many runs are made, never the answer); ``delta`` is
    the indifference zone in the objective's units, or a percentage of the best first-stage
    mean. ``search``: "all" designs, "optuna" (``trials`` proposals, asked ``batch`` at a
    time, then KN++ among the best ``candidates``), or "auto" (all up to
    :data:`EXHAUSTIVE_LIMIT` designs). ``out`` records every run in a journal (an interrupted
    optimisation resumes there) and writes the tables, the plot and optimize.json.
    """
    space = [v if isinstance(v, Variable) else variable(v, scenario) for v in variables]
    goals = [g if isinstance(g, Objective) else objective(g) for g in objectives]
    limits = [c if isinstance(c, Constraint) else constraint(c) for c in constraints]
    if not space:
        raise ExperimentError("--vary: give at least one path to vary")
    paths = [v.path for v in space]
    if len(set(paths)) < len(paths):
        raise ExperimentError(f"--vary: a path is given twice: {paths}")
    if not 1 <= len(goals) <= 2:
        raise ExperimentError(f"--objective: give one or two, got {len(goals)}")
    if len({g.kpi for g in goals}) < len(goals):
        raise ExperimentError("--objective: the same KPI twice")
    if not 0.5 < confidence < 1:
        raise ExperimentError(f"confidence: expected a level in (0.5, 1), got {confidence}")
    if reps < 2 or max_reps < reps:
        raise ExperimentError(f"reps: expected 2 <= reps <= max_reps, got {reps} and {max_reps}")
    if step < 1 or batch < 1 or trials < 1 or candidates < 2:
        raise ExperimentError("step, batch and trials: at least 1; candidates: at least 2")
    if search not in SEARCHES:
        raise ExperimentError(f"search: {search!r} is not one of {', '.join(SEARCHES)}")
    size = math.prod(len(v.values) for v in space)
    method = search if search != "auto" else ("all" if size <= EXHAUSTIVE_LIMIT else "optuna")
    _resolve_delta(delta, 1.0)  # refuse a bad delta before any run
    folder = Path(out) if out is not None else None
    alpha = 1 - confidence
    # Half the error probability to the selection, half to feasibility (Bonferroni).
    alpha_select = alpha / 2 if limits else alpha
    feasible_confidence = 1 - alpha / 2
    trail = _Trail()
    status: dict[Key, str] = {}
    verdict: dict[Key, tuple[str, str]] = {}
    with (make_runner(workers, dask) if runner is None else _Borrowed(runner)) as active:
        designs = _Designs(scenario, space, seed, common_random_numbers, active, folder,
                           measure, progress)
        if method == "all":
            keys: list[Key] = list(itertools.product(*(range(len(v.values)) for v in space)))
        else:
            keys = _search(designs, space, goals, limits, trials=trials, batch=batch,
                           reps=reps, seed=seed, trail=trail)
        selected: str | None = None
        notes: list[str] = []
        resolved: float | None = None
        unsettled = 0
        if len(goals) == 1:
            goal = goals[0]
            if method == "optuna":
                keys = _candidates(designs, keys, goal, limits, reps, candidates)
            designs.ensure(keys, reps, "optimize: first stage")
            sign = 1 if goal.sense == MIN else -1
            first = [sign * float(designs.values(k, goal.kpi, reps).mean()) for k in keys
                     if not designs.broken(k, reps, [goal.kpi])]
            resolved = _resolve_delta(delta, sign * min(first) if first else 1.0)
            best, notes, unsettled = _select(
                designs, keys, goal, limits, reps=reps, max_reps=max_reps, step=step,
                delta=resolved, alpha=alpha_select, feasible_confidence=feasible_confidence,
                trail=trail, status=status, verdict=verdict)
            selected = designs.name(best) if best is not None else None
        else:
            if method == "optuna":
                keys = list(dict.fromkeys(keys))
            good = _settle_feasibility(designs, keys, [g.kpi for g in goals] + [c.kpi for c in limits],
                                       limits, reps=reps, max_reps=max_reps, step=step,
                                       confidence=feasible_confidence, trail=trail, status=status,
                                       verdict=verdict)
            _front_status(designs, good, goals, verdict, status, trail)
    table = _design_table(designs, goals, limits, confidence, status, verdict)
    front = table[table["status"] == "front"].sort_values(f"{goals[0].kpi}_mean") \
        .reset_index(drop=True) if len(goals) == 2 else table.iloc[0:0]
    statement = _statement(table, selected, goals, limits, confidence, resolved, notes,
                           method, len(keys), unsettled=unsettled, max_reps=max_reps)
    result = Optimization(designs.runs(), table, trail.frame(), front, selected, statement,
                          goals, limits, resolved, confidence, method, designs.reused,
                          folder, notes, common_random_numbers)
    if folder is not None:
        _write(folder, scenario, designs, result, seed=seed, reps=reps, max_reps=max_reps,
               step=step, trials=trials if method == "optuna" else None,
               batch=batch if method == "optuna" else None,
               candidates=candidates if method == "optuna" else None, size=size,
               common_random_numbers=common_random_numbers)
    return result


class _Borrowed:
    """A runner the caller opened: used, not closed."""

    def __init__(self, runner: Runner):
        self.runner = runner

    def __enter__(self) -> Runner:
        return self.runner

    def __exit__(self, *exc) -> None:
        return None


def _candidates(designs: _Designs, keys: list[Key], goal: Objective,
                constraints: Sequence[Constraint], reps: int, count: int) -> list[Key]:
    """The ``count`` best distinct proposals by mean: those meeting every constraint on the
    means first (KN++ then judges them with confidence)."""
    kpis = [goal.kpi, *(c.kpi for c in constraints)]
    sign = 1 if goal.sense == MIN else -1
    ranked = []
    for key in dict.fromkeys(keys):
        if designs.broken(key, reps, kpis):
            continue
        mean = {k: float(designs.values(key, k, reps).mean()) for k in kpis}
        meets = all(mean[c.kpi] >= c.bound if c.op == ">=" else mean[c.kpi] <= c.bound
                    for c in constraints)
        ranked.append((not meets, sign * mean[goal.kpi], designs.flat_index(key), key))
    return [key for *_, key in sorted(ranked)[:count]]


def _front_status(designs: _Designs, keys: list[Key], goals: Sequence[Objective],
                  verdict: Mapping[Key, tuple[str, str]], status: dict[Key, str],
                  trail: _Trail) -> None:
    feasible = [k for k in keys if verdict[k][0] == FEASIBLE]
    for key in keys:
        if verdict[key][0] != FEASIBLE:
            status[key] = verdict[key][0]
    if not feasible:
        return
    points = np.array([[float(designs.values(k, g.kpi, designs.reps(k)).mean()) for g in goals]
                       for k in feasible])
    mask = non_dominated(points, [g.sense for g in goals])
    for key, on, p in zip(feasible, mask, points, strict=True):
        status[key] = "front" if on else "dominated"
        if on:
            trail.add(designs.reps(key), "front", designs.name(key),
                      ", ".join(f"{g.kpi} {_number(x)}" for g, x in zip(goals, p, strict=True)))


def _statement(table: pd.DataFrame, selected: str | None, goals: Sequence[Objective],
               constraints: Sequence[Constraint], confidence: float, delta: float | None,
               notes: Sequence[str], method: str, candidates: int, *, unsettled: int = 0,
               max_reps: int = 0) -> str:
    """What the result means, in sentences: the guarantee when KN++ settled, and plainly that
    there is none when ``unsettled`` feasible designs were still in contention at max_reps."""
    cons = " and ".join(bound_text(c.kpi, c.op, c.bound) for c in constraints)
    aims = [f"{'lowest' if g.sense == MIN else 'highest'} {in_sentence(g.kpi)}" for g in goals]
    sure = f"{1 - (1 - confidence) / 2:.1%}"
    if len(goals) == 2:
        n = int((table["status"] == "front").sum())
        if not n:
            return (f"no design is on the Pareto front of {aims[0]} and {aims[1]}: none "
                    + (f"was proven to meet {cons}" if constraints else "could be compared"))
        return (f"{n} design{'s are' if n > 1 else ' is'} on the Pareto front of {aims[0]} and "
                f"{aims[1]}: no other design has a better mean on both"
                + (f", and each meets {cons} with {sure} confidence" if constraints else "")
                + ". The front is drawn on the means: where intervals overlap, the designs may "
                "be equivalent.")
    goal = goals[0]
    if selected is None:
        return (f"no design qualifies: none of the {candidates} candidates was proven to meet "
                f"{cons}" if constraints else "no design could be compared (every one failed)")
    row = table[table["design"] == selected].iloc[0]
    where = "of all designs" if method == "all" else f"of the {candidates} best candidates optuna found"
    estimate = format_interval(goal.kpi, row[f"{goal.kpi}_mean"], row[f"{goal.kpi}_half_width"])
    meets = f" that meet {cons}" if constraints else ""
    if unsettled:
        text = (f"selected {selected} by its mean: {label(goal.kpi)} {estimate} ({confidence:.0%}, "
                f"n={row['n']}), the best mean {where}{meets}. No guarantee: after max_reps = "
                f"{max_reps} replications {unsettled} feasible designs were still in contention, "
                f"so KN++ could not tell with {confidence:.0%} confidence which is best or within "
                f"delta = {_number(delta or math.nan)} of it. More replications (max_reps) or a "
                "larger delta would settle it.")
    else:
        text = (f"selected {selected}: {label(goal.kpi)} {estimate} ({confidence:.0%}, n={row['n']}). "
                f"With confidence at least {confidence:.0%} it is the best {where}{meets}, or "
                f"within delta = {_number(delta or math.nan)} of the best"
                + (", and it meets the constraints." if constraints else "."))
    return text + "".join(f"\nnote: {n}" for n in notes)


def _write(folder: Path, scenario: Scenario, designs: _Designs, result: Optimization,
           **options: Any) -> None:
    """runs.parquet, designs.parquet, trail.parquet, front.parquet, scenario.yaml,
    selected.yaml and optimize.json: the folder alone says how every number was made."""
    write_parquet(result.runs, folder / "runs.parquet")
    for name, frame in (("designs", result.designs), ("trail", result.trail),
                        ("front", result.front)):
        write_parquet(frame, folder / f"{name}.parquet")
    (folder / "scenario.yaml").write_text(scenario.to_yaml(), encoding="utf-8")
    chosen = next((k for k in designs.order if designs.name(k) == result.selected), None)
    if chosen is not None:
        (folder / "selected.yaml").write_text(designs.scenarios[chosen].to_yaml(),
                                              encoding="utf-8")
    manifest = {
        **provenance(), "scenario": scenario.name,
        "objectives": [str(g) for g in result.objectives],
        "constraints": [str(c) for c in result.constraints],
        "variables": {v.path: list(v.values) for v in designs.variables},
        "delta": result.delta, "confidence": result.confidence, "search": result.search,
        "method": METHOD, **options,
        "seeds": ("replication r of every design: seed:r" if options["common_random_numbers"]
                  else "replication r of design i (its place in the space): seed:r:i+1"),
        "example_seed": format_seed(designs.seed_of(designs.order[0], 0)) if designs.order
        else None,
        "selected": result.selected, "statement": result.statement, "notes": result.notes,
        "designs_evaluated": len(result.designs), "runs": len(result.runs),
        "failed": int(result.runs["error"].notna().sum()) if len(result.runs) else 0,
        "reused": result.reused,
    }
    (folder / "optimize.json").write_text(json.dumps(finite_or_none(manifest), indent=2) + "\n",
                                          encoding="utf-8")

