"""``omcsim optimize``: the best design of a discrete space, with a stated confidence.

Exit codes as the other experiments: 0 done; 1 done, but some runs failed (kept as data);
2 bad input; 130 interrupted (with --out, the same command resumes).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..experiment import ExperimentError, optimize
from ..experiment.optimize import SEARCHES, STATUSES, Optimization
from ..format import format_interval
from ..kpis import finite_or_none
from .common import UsageError, check_output_dir, scenario_from_args, show_progress, whole
from .experiment import (
    MAX_REPS,
    _add_common,
    _engine,
    _report_failures,
    _save,
    _table,
    confidence_level,
)


class Study(BaseModel):
    """A study file: the same settings as the options (options given too add to its lists and
    replace its numbers)."""

    model_config = ConfigDict(extra="forbid")
    objectives: list[str] = Field(default_factory=list)
    constraints: list[str] = Field(default_factory=list)
    vary: dict[str, str | list[Any]] = Field(default_factory=dict)
    delta: float | str | None = None
    confidence: float | None = None
    reps: int | None = None
    max_reps: int | None = None
    step: int | None = None
    search: str | None = None
    trials: int | None = None
    batch: int | None = None
    candidates: int | None = None


DEFAULTS = {"delta": "1%", "confidence": 0.95, "reps": 10, "max_reps": 100, "step": 5,
            "search": "auto", "trials": 40, "batch": 8, "candidates": 8}


def register(sub) -> None:
    p = sub.add_parser(
        "optimize", conflict_handler="resolve",
        help="the best design of a discrete space (KN++), or the Pareto front of two objectives",
        description="Evaluate the designs --vary spans (every one, or those optuna proposes "
        "in a large space) with common random numbers, and select the best by --objective "
        "among those meeting every --constraint with confidence (KN++ ranking and selection, "
        "Kim & Nelson 2006); with two objectives, the Pareto front.")
    _add_common(p, reps=10)
    p.add_argument("--reps", type=whole(2, MAX_REPS), metavar="N",
                   help="first-stage replications of every design (KN++'s n0, default 10)")
    p.add_argument("--study", metavar="FILE", help="a YAML study file: objectives, "
                   "constraints, vary (path: values) and the numbers below")
    p.add_argument("--objective", action="append", default=[], metavar="KPI",
                   help="KPI to optimise, in its better direction (cost_total: lowest; otif: "
                   "highest); twice for a Pareto front")
    p.add_argument("--constraint", action="append", default=[], metavar="KPI>=X",
                   help="e.g. 'otif>=0.95' or 'backorders_mean<=2' (repeatable), met with "
                   "confidence")
    p.add_argument("--vary", action="append", default=[], metavar="PATH=VALUES",
                   help="a scenario path and its values: decoupling_point=all, "
                   "departments.sales.staff=2..6 (or 2..10:2), priority_rule=fcfs,edd "
                   "(repeatable; the designs are every combination)")
    p.add_argument("--delta", metavar="X|P%", help="indifference zone: differences smaller "
                   "than this do not matter (objective's units, or a percentage of the "
                   "best first-stage mean; default 1%%)")
    p.add_argument("--confidence", type=confidence_level, metavar="LEVEL",
                   help="confidence of the selection and feasibility (default 0.95)")
    p.add_argument("--max-reps", type=whole(2, MAX_REPS), metavar="N",
                   help="most replications of a design (default 100)")
    p.add_argument("--step", type=whole(1, MAX_REPS), metavar="N", help="replications added "
                   "per round to designs in contention (default 5; changes the runs made, not "
                   "the answer)")
    p.add_argument("--search", choices=SEARCHES, help="all designs, optuna's samplers, or "
                   "auto: all up to 64 designs (default)")
    p.add_argument("--trials", type=whole(1, 100_000), metavar="N",
                   help="designs optuna proposes (default 40)")
    p.add_argument("--batch", type=whole(1, 1000), metavar="N",
                   help="proposals evaluated in parallel at a time (default 8)")
    p.add_argument("--candidates", type=whole(2, 1000), metavar="N",
                   help="best proposals that go through KN++ (default 8)")
    p.add_argument("--independent", action="store_true",
                   help="independent random numbers per design instead of common ones (to see "
                   "what common random numbers save)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--out", metavar="DIR", help="record every run in DIR (resume) and write "
                   "runs, designs, trail and front tables, optimize.png and optimize.json")
    p.set_defaults(handler=handle_optimize)


def _study(path: str | None) -> Study:
    if path is None:
        return Study()
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"--study {path}: cannot read ({err})") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise UsageError(f"--study {path}: not YAML{where} "
                         f"({getattr(err, 'problem', None) or 'unreadable'})") from None
    if not isinstance(data, dict):
        raise UsageError(f"--study {path}: expected a mapping with objectives, constraints, "
                         f"vary and options ({', '.join(Study.model_fields)})")
    try:
        return Study.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(map(str, first["loc"]))
        raise UsageError(f"--study {path}: {where}: {first['msg']}; fields: "
                         f"{', '.join(Study.model_fields)}") from None


def _vary_text(path: str, spec: str | list) -> str:
    if isinstance(spec, list):
        return f"{path}=" + ",".join(json.dumps(v) if not isinstance(v, str) else v for v in spec)
    return f"{path}={spec}"


def handle_optimize(args: argparse.Namespace) -> int:
    check_output_dir(args.out, "--out")
    study = _study(args.study)
    # --strategy / --codp set the base scenario's decoupling point (a --vary of
    # decoupling_point then sets each design's).
    scenario = scenario_from_args(args)
    settings = {name: getattr(args, name, None) for name in DEFAULTS}
    for name, default in DEFAULTS.items():
        if settings[name] is None:
            from_study = getattr(study, name)
            settings[name] = from_study if from_study is not None else default
    vary = [_vary_text(p, s) for p, s in study.vary.items()] + args.vary
    objectives = study.objectives + args.objective
    constraints = study.constraints + args.constraint
    if not objectives:
        raise UsageError("give --objective KPI (e.g. cost_total), or objectives in --study")
    if not vary:
        raise UsageError("give --vary PATH=VALUES (e.g. departments.sales.staff=2..6), or "
                         "vary in --study")
    try:
        result = optimize(scenario, vary, objectives, constraints, seed=args.seed,
                          common_random_numbers=not args.independent, out=args.out,
                          progress=show_progress(args), **_engine(args), **settings)
    except ExperimentError as err:
        raise UsageError(str(err)) from None
    except KeyboardInterrupt:
        if args.out:
            print(f"interrupted: finished runs are in {args.out}/; run the same command to "
                  "resume", file=sys.stderr)
        raise
    names = [o.kpi for o in result.objectives]
    if args.out:
        from ..charts import optimization_chart

        _save(optimization_chart(result.designs, names, title=f"{scenario.name}: "
                                 f"{' vs '.join(names)}"), Path(args.out) / "optimize.png")
    if args.json:
        print(json.dumps(finite_or_none({
            "scenario": scenario.name, "selected": result.selected,
            "statement": result.statement, "notes": result.notes,
            "objectives": [str(o) for o in result.objectives],
            "constraints": [str(c) for c in result.constraints], "delta": result.delta,
            "confidence": result.confidence, "search": result.search,
            "designs": result.designs.to_dict(orient="records"),
            "front": result.front.to_dict(orient="records"),
            "runs": len(result.runs), "failed": len(result.failed), "reused": result.reused,
        }), indent=1))
    else:
        print(format_optimization(result, scenario.name))
        if args.out:
            print(f"\nwritten to {args.out}/: runs.parquet, designs.parquet, trail.parquet, "
                  "front.parquet, optimize.json, scenario.yaml"
                  + (", selected.yaml" if result.selected else "") + ", optimize.png")
    return _report_failures(result.runs, lambda r: f"design {r['design']}")


def format_optimization(result: Optimization, name: str) -> str:
    d = result.designs
    kpis = list(dict.fromkeys([o.kpi for o in result.objectives]
                              + [c.kpi for c in result.constraints]))
    shown = d[d["status"] != "not a candidate"]
    head = (f"{name}: {' and '.join(map(str, result.objectives))}"
            + (f" subject to {' and '.join(map(str, result.constraints))}"
               if result.constraints else "")
            + f"; {len(d)} designs evaluated ({result.search}), {len(result.runs)} runs, "
            + ("common random numbers" if result.common_random_numbers else
               "independent random numbers (design i, replication r: seed SEED:r:i+1)")
            + f"; mean ± {result.confidence:.0%} half-width")
    if result.delta is not None:
        head += f"; indifference zone delta = {result.delta:,.6g}"
    rows = [[r["design"], str(r["n"]),
             *[format_interval(k, r[f"{k}_mean"], r[f"{k}_half_width"]) for k in kpis],
             r["feasibility"], r["status"]] for _, r in shown.iterrows()]
    lines = [head, "", _table(["design", "n", *kpis, "feasibility", "status"], rows)]
    if len(shown) < len(d):
        lines.append(f"({len(d) - len(shown)} more designs proposed during the search: "
                     "designs.parquet)")
    used = sorted(set(shown["status"]))
    lines += ["", "status: " + "; ".join(f"{s} = {STATUSES[s]}" for s in used if s in STATUSES)]
    lines += ["", result.statement]
    return "\n".join(lines)
