"""``omcsim compare``, ``sweep``, ``advise`` and ``warmup``: experiments with replications.

Exit codes: 0 done; 1 done, but some runs failed (they are recorded with their error);
2 bad input; 130 interrupted (a sweep or advise with --out resumes when run again).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from ..experiment import (
    EVENT_KPIS,
    MAIN_KPIS,
    PRECISION_KPIS,
    SWEEP_KPIS,
    ExperimentError,
    advise,
    around_events_frame,
    compare,
    run_around_events,
    run_once,
    strategy_list,
    sweep,
    warmup,
)
from ..format import NA, format_interval, format_value, is_number, label, na_reason, unit_text
from ..kpis import KPI_DEFINITIONS, finite_or_none
from ..scenario import BUFFERS, MAX_DAYS, STRATEGIES, load_scenario, parse_alternative
from .common import (
    FIGURE_FORMATS,
    UsageError,
    add_scenario_arguments,
    check_output_dir,
    check_output_file,
    lead_time,
    real,
    scenario_overrides,
    show_progress,
    whole,
)

MAX_REPS = 10_000
"""Most replications per alternative or cell."""
MAX_WORKERS = 1024
"""Most local worker processes."""

share = real(0, 1, low_open=True)
"""A target share such as OTIF: (0, 1]."""
confidence_level = real(0.5, 1, high_open=True)
"""A one-sided confidence level: [0.5, 1) (below 0.5 the bound lies above the mean)."""
precision = real(0.0001, 1)
"""A relative half-width: [0.0001, 1] (0.01% would already take millions of replications)."""
pd_ratio = real(0.001, 1000)
"""A P:D ratio: D = P / ratio, so [0.001, 1000] spans D from a thousandth to a thousand P."""


def _list(kind):
    """An argparse type: a comma-separated list of ``kind`` values."""
    def parse(text: str) -> list:
        items = [t.strip() for t in text.split(",") if t.strip()]
        if not items:
            raise argparse.ArgumentTypeError(f"expected a comma-separated list, got {text!r}")
        return [kind(t) for t in items]
    return parse


def _dask_address(text: str) -> str:
    if text == "local" or ":" in text:
        return text
    raise argparse.ArgumentTypeError(
        f"expected 'local' or a scheduler address such as tcp://10.0.0.5:8786, got {text!r}")


def _add_common(p: argparse.ArgumentParser, reps: int) -> None:
    add_scenario_arguments(p, seed="base")
    p.add_argument("--reps", type=whole(1, MAX_REPS), default=reps, metavar="N",
                   help=f"replications per alternative or cell (default {reps}); replication r "
                   "uses the seed SEED:r everywhere: common random numbers")
    engine = p.add_mutually_exclusive_group()
    engine.add_argument("--workers", type=whole(1, MAX_WORKERS), metavar="N",
                        help="local worker processes (default: every core; 1 = no pool)")
    engine.add_argument("--dask", type=_dask_address, metavar="local|ADDRESS",
                        help="run on Dask: 'local' starts a LocalCluster on 127.0.0.1, an "
                        "address (tcp://host:port) uses an existing scheduler")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _add_precision(p: argparse.ArgumentParser) -> None:
    p.add_argument("--precision", type=precision, metavar="REL",
                   help="add replications until each --precision-kpis half-width is within "
                   "REL x |mean| (e.g. 0.05); --reps is then the first round")
    p.add_argument("--precision-kpis", type=_list(str), default=list(PRECISION_KPIS),
                   metavar="LIST", help=f"KPIs --precision watches (default "
                   f"{','.join(PRECISION_KPIS)})")
    p.add_argument("--max-reps", type=whole(1, MAX_REPS), default=100, metavar="N",
                   help="cap on replications per cell with --precision (default 100)")


def _add_cells(p: argparse.ArgumentParser, required: bool) -> None:
    d = p.add_mutually_exclusive_group(required=required)
    d.add_argument("--pd", type=_list(pd_ratio), metavar="LIST",
                   help="P:D ratios, e.g. 0.5,1,2,4: every customer gets D = P / ratio")
    d.add_argument("--lead-times", type=_list(lead_time), metavar="DAYS",
                   help="demand lead times D in days, e.g. 2,5,10 (instead of --pd)")
    # Replaces the single --codp / --strategy of the scenario arguments: cells set it.
    p.add_argument("--codp", "--strategies", "--strategy", dest="codps", default="all",
                   metavar="all|LIST", help="decoupling points: 'all' (default) or a list of "
                   "strategies (mts,ato,mto,eto) or buffers (finished_goods,components,"
                   "raw_material,none)")


def register(sub) -> None:
    # conflict_handler="resolve": these commands take lists where `run` takes one --codp.
    p = sub.add_parser(
        "compare", conflict_handler="resolve", help="compare alternatives with confidence "
        "intervals and paired differences",
        description="Run each alternative --reps times with common random numbers and print "
        "each KPI's mean ± 95% half-width, then the paired differences against the first "
        "alternative (alternatives: --strategies, then --codp, then --alt); with "
        "--independent, Welch differences.")
    _add_common(p, reps=10)
    p.add_argument("--strategies", "--strategy", dest="strategies", type=_list(str),
                   default=[], metavar="LIST", help="strategies to compare, e.g. mts,ato,mto,eto")
    p.add_argument("--codp", dest="codps", type=_list(str), default=[], metavar="LIST",
                   help="decoupling buffers to compare, e.g. components,raw_material")
    p.add_argument("--alt", action="append", default=[], metavar="NAME:PATH=VALUE[;...]",
                   help="an alternative given by overrides, e.g. 'edd: priority_rule=edd' "
                   "(repeatable)")
    p.add_argument("--kpis", type=_list(str), metavar="LIST|all",
                   help=f"KPIs to show (default: {','.join(MAIN_KPIS)}; with --json: all)")
    p.add_argument("--independent", action="store_true",
                   help="independent random numbers per alternative (replication r of "
                   "alternative i > 0 runs with SEED:r:i) instead of common ones; the "
                   "differences are then Welch intervals, not paired ones")
    _add_precision(p)
    p.add_argument("--json", action="store_true", help="print a list of rows {alternative, kpi, "
                   "mean, half_width, n, random_numbers}")
    p.add_argument("--differences", action="store_true", help="with --json, add the "
                   "differences as rows whose alternative is 'ALT - FIRST', with their method "
                   "(paired, or welch with --independent)")
    p.add_argument("--out", metavar="DIR", help="also write runs.parquet, summary.parquet, "
                   "compare.png and the provenance (compare.json, scenario.yaml, alternatives/) "
                   "to DIR (runs recorded there are reused)")
    p.set_defaults(handler=handle_compare)

    p = sub.add_parser(
        "sweep", conflict_handler="resolve", help="sweep decoupling points x P:D with "
        "replications", description="Every (decoupling point, P:D) cell with --reps "
        "replications, written to --out as runs finish; run again to resume.")
    _add_common(p, reps=10)
    _add_cells(p, required=True)
    _add_precision(p)
    p.add_argument("--out", required=True, metavar="DIR",
                   help="folder for runs.parquet, summary.parquet and the figures")
    p.add_argument("--target-otif", type=share, metavar="SHARE",
                   help="draw this OTIF target on the figures")
    p.set_defaults(handler=handle_sweep)

    p = sub.add_parser(
        "advise", conflict_handler="resolve", help="cheapest decoupling point meeting an OTIF "
        "target", description="For each D (or P:D), the cheapest decoupling point whose OTIF "
        "meets the target with 95% confidence, and why each other one does not qualify.")
    _add_common(p, reps=10)
    p.add_argument("--target-otif", type=share, default=0.95, metavar="SHARE",
                   help="OTIF the decoupling point must reach (default 0.95)")
    p.add_argument("--confidence", type=confidence_level, default=0.95, metavar="LEVEL",
                   help="confidence that the mean OTIF meets the target (default 0.95)")
    _add_cells(p, required=False)
    _add_precision(p)
    p.add_argument("--out", metavar="DIR", help="record the runs in DIR (resume, reuse) and "
                   "write advice.csv and figures")
    p.add_argument("--json", action="store_true", help="print the assessment as JSON rows")
    p.set_defaults(handler=handle_advise)

    p = sub.add_parser(
        "warmup", help="warm-up analysis: Welch plot and MSER-5 truncation",
        description="Run the scenario from an empty start for its warm-up + horizon, average "
        "the daily series over replications and find the MSER-5 truncation point.")
    _add_common(p, reps=5)
    p.add_argument("--window", type=whole(1, MAX_DAYS), default=7, metavar="DAYS",
                   help="half-width of Welch's moving average (default 7)")
    p.add_argument("--plot", metavar="FILE", help="save the Welch plot (PNG, SVG or PDF)")
    p.add_argument("--json", action="store_true", help="print the truncation table as JSON")
    p.set_defaults(handler=handle_warmup)


# ---------------------------------------------------------------- helpers


def _base_scenario(args: argparse.Namespace):
    # The experiment options replaced --strategy/--codp; the rest are the usual overrides.
    ns = argparse.Namespace(**{**vars(args), "strategy": None, "codp": None})
    return load_scenario(args.scenario, scenario_overrides(ns))


def _engine(args: argparse.Namespace) -> dict:
    return {"workers": args.workers, "dask": args.dask}


def _precision(args: argparse.Namespace) -> dict:
    _check_kpis(args.precision_kpis, "--precision-kpis")
    return {"precision": args.precision, "precision_kpis": args.precision_kpis,
            "max_reps": args.max_reps}


def _check_d(args: argparse.Namespace) -> None:
    if args.demand_lead_time is not None and (args.pd or args.lead_times):
        raise UsageError("--demand-lead-time sets one D for every cell; with --pd or "
                         "--lead-times the cells set D")


def _check_kpis(names: list[str] | None, option: str) -> None:
    """Refuse unknown KPI names before any run (a nested one is name.key, e.g.
    utilization.assembly)."""
    known = {*KPI_DEFINITIONS, "inventory_by_buffer"}
    bad = [n for n in names or () if n != "all" and n.split(".")[0] not in known]
    if bad:
        raise UsageError(f"{option}: unknown {bad}; KPIs are {', '.join(KPI_DEFINITIONS)}")


def _strategies(args: argparse.Namespace) -> list[str]:
    try:
        return strategy_list(args.codps)
    except ExperimentError as err:
        raise UsageError(f"--codp: {err}") from None


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(h.ljust(w) if i == 0 else h.rjust(w)
                       for i, (h, w) in enumerate(zip(header, widths, strict=True)))]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths, strict=True))))
    return "\n".join(lines)


def _report_failures(runs, cell_label) -> int:
    failed = runs[runs["error"].notna()]
    if failed.empty:
        return 0
    first = failed.iloc[0]
    print(f"{len(failed)} of {len(runs)} runs failed (kept in the runs table, column 'error'); "
          f"first: {cell_label(first)} replication {first['replication']}: {first['error']}",
          file=sys.stderr)
    return 1


MARK = " !"  # beside an alternative or cell whose runs had warnings


def _warning_rows(table, label) -> list[dict]:
    """Warning rows (of a ``warning_table``) as JSON objects, each naming its alternative or
    cell with ``label(row)``."""
    return [{**label(r), "code": r["code"], "resource": r["resource"], "runs": int(r["runs"]),
             "of": int(r["of"]), "worst": finite_or_none(r["worst"]), "message": r["message"]}
            for _, r in table.iterrows()]


def _warning_lines(table, label) -> list[str]:
    """'WARNING [code] WHERE (k/n runs): the worst run's message' for every row of a
    ``warning_table``; ``label(row)`` names the alternative or cell."""
    return [f"WARNING [{r['code']}] {label(r)} ({r['runs']}/{r['of']} runs): {r['message']}"
            for _, r in table.iterrows()]


def _save(chart, path: Path) -> Path:
    """Write a :mod:`simulator.charts` chart (drawn by vl-convert from its one definition)."""
    from ..charts import save  # Altair loads in seconds: only when drawing

    try:
        return save(chart, path)
    except (OSError, ValueError) as err:
        raise UsageError(f"cannot write the figure {path}: {err}") from None


# ---------------------------------------------------------------- compare


def _alternatives(args: argparse.Namespace) -> dict[str, dict]:
    alts: dict[str, dict] = {}

    def add(name: str, changes: dict) -> None:
        if name in alts:
            raise UsageError(f"alternative {name!r} is given twice")
        alts[name] = changes

    for name in args.strategies:
        if name not in STRATEGIES:
            raise UsageError(f"--strategies: {name!r} is not one of {', '.join(STRATEGIES)}")
        add(name, {"decoupling_point": name})
    for name in args.codps:
        if name not in (*BUFFERS, "none"):
            raise UsageError(f"--codp: {name!r} is not one of {', '.join([*BUFFERS, 'none'])}")
        add(name, {"decoupling_point": name})
    for text in args.alt:
        add(*parse_alternative(text))
    if not alts:
        raise UsageError("give the alternatives: --strategies LIST, --codp LIST or --alt")
    return alts


def handle_compare(args: argparse.Namespace) -> int:
    check_output_dir(args.out, "--out")
    scenario = _base_scenario(args)
    alts = _alternatives(args)
    _check_kpis(args.kpis, "--kpis")
    kpis = args.kpis if args.kpis and args.kpis != ["all"] else None
    shown = list(MAIN_KPIS) + (list(EVENT_KPIS) if scenario.events else [])
    # With events, each run also keeps its indicators around the event (for the band plot).
    measure = run_around_events if scenario.events else run_once
    try:
        result = compare(scenario, alts, args.reps, args.seed, kpis=kpis,
                         common_random_numbers=not args.independent, out=args.out,
                         measure=measure, progress=show_progress(args), **_engine(args),
                         **_precision(args))
    except ExperimentError as err:
        raise UsageError(str(err)) from None
    s = result.summary
    if args.json:
        numbers = "common" if result.common_random_numbers else "independent"
        # Every row carries the warnings of the alternatives behind its numbers.
        warned = _warning_rows(result.warnings, lambda r: {"alternative": r["alternative"]})
        of = {a: [w for w in warned if w["alternative"] == a] for a in result.alternatives}
        rows = [{"alternative": r.alternative, "kpi": r.kpi, "mean": finite_or_none(r.mean),
                 "half_width": finite_or_none(r.half_width), "n": int(r.n),
                 "random_numbers": numbers, "warnings": of[r.alternative],
                 **({"why": na_reason(r.kpi, r.why, "undefined in every run")}
                    if finite_or_none(r.mean) is None else {})}
                for r in s.itertuples()]
        if args.differences:
            rows += [{"alternative": f"{r.alternative} - {result.baseline}", "kpi": r.kpi,
                      "mean": finite_or_none(r.diff),
                      "half_width": finite_or_none(r.diff_half_width), "n": int(r.diff_n),
                      "random_numbers": numbers, "method": r.diff_method,
                      "warnings": of[r.alternative] + of[result.baseline]}
                     for r in s.itertuples() if r.alternative != result.baseline]
        print(json.dumps(rows, indent=1))
    else:
        print(format_comparison(result, scenario.name, kpis or shown))
    if args.out:
        from ..charts import comparison_chart, event_bands

        out = Path(args.out)
        _save(comparison_chart(s, kpis or MAIN_KPIS, title=scenario.name,
                               warnings=result.warnings), out / "compare.png")
        written = "compare.png"
        if scenario.events:
            _save(event_bands(around_events_frame(result.runs),
                              title=f"{scenario.name}: KPIs around the event"), out / "events.png")
            written += ", events.png"
        if not args.json:
            print(f"\nwritten to {out}/: runs.parquet, summary.parquet, compare.json, "
                  f"scenario.yaml, alternatives/, {written}")
    return _report_failures(result.runs, lambda r: f"alternative {r['alternative']}")


def _na_lines(by, undefined: list[str], alts: list[str]) -> list[str]:
    """An n/a is never bare: why, in the runs' own words when they give a reason (the summary's
    ``why``), else the registry's; KPIs with the same reason share a line, and alternatives
    with different reasons are named."""
    lines: dict[str, list[str]] = {}
    for k in undefined:
        why = {a: na_reason(k, by.loc[(a, k), "why"], "undefined in every run")
               for a in alts if not is_number(by.loc[(a, k), "mean"])}
        if len(set(why.values())) == 1:
            lines.setdefault(next(iter(why.values())), []).append(k)
        else:
            for a, text in why.items():
                lines.setdefault(text, []).append(f"{k} ({a})")
    return [f"{NA} {', '.join(names)}: {text}" for text, names in lines.items()]


def format_comparison(result, name: str, kpis: list[str]) -> str:
    s = result.summary
    alts = result.alternatives
    reps = sorted(set(result.reps.values()))
    n = str(reps[0]) if len(reps) == 1 else f"{reps[0]}-{reps[-1]}"
    seeds = ("common random numbers" if result.common_random_numbers else "independent random "
             "numbers (replication r of alternative i > 0 ran with the seed SEED:r:i)")
    head = (f"{name}: {len(alts)} alternatives x {n} replications, {seeds}; "
            "mean ± 95% half-width (Student t)")
    kpis = [k for k in kpis if k in set(s["kpi"])]
    by = s.set_index(["alternative", "kpi"])
    rows = [[k, unit_text(k), *[format_interval(k, by.loc[(a, k), "mean"],
                                                by.loc[(a, k), "half_width"]) for a in alts]]
            for k in kpis]
    warned = result.warnings
    flagged = set(warned["alternative"])
    names = [a + MARK if a in flagged else a for a in alts]
    out = [head]
    if flagged:
        out += ["", *_warning_lines(warned, lambda r: r["alternative"]),
                "", f"{MARK.strip()} = the alternative's runs had warnings (above): read its "
                "numbers with them"]
    out += ["", _table(["kpi", "unit", *names], rows)]
    out += _na_lines(by, [r[0] for r in rows if NA in r[2:]], alts)
    if len(alts) > 1:
        base = alts[0]
        diff_rows = []
        for k in kpis:
            cells = []
            for a in alts[1:]:
                d, h = by.loc[(a, k), "diff"], by.loc[(a, k), "diff_half_width"]
                star = " *" if np.isfinite(d) and np.isfinite(h) and abs(d) > h else "  "
                cells.append(format_interval(k, d, h, signed=True) + star)
            diff_rows.append([k, unit_text(k), *cells])
        if result.common_random_numbers:
            what = (f"paired differences vs {base} (replication r of each alternative used the "
                    "same seed)")
        else:
            what = (f"differences vs {base}: Welch intervals, not paired (the alternatives ran "
                    "with independent streams)")
        out += ["", f"{what}; * = the 95% interval excludes 0",
                "", _table(["kpi", "unit", *[f"{a} - {base}" + (MARK if {a, base} & flagged else "")
                                     for a in alts[1:]]], diff_rows)]
    return "\n".join(out)


# ---------------------------------------------------------------- sweep


def handle_sweep(args: argparse.Namespace) -> int:
    check_output_dir(args.out, "--out")
    _check_d(args)
    scenario = _base_scenario(args)
    strategies = _strategies(args)
    try:
        result = sweep(scenario, args.pd, lead_times=args.lead_times, strategies=strategies,
                       reps=args.reps, seed=args.seed, out=args.out,
                       progress=show_progress(args), **_engine(args), **_precision(args))
    except ExperimentError as err:
        raise UsageError(str(err)) from None
    except KeyboardInterrupt:
        print(f"interrupted: finished runs are in {args.out}/; run the same command to resume",
              file=sys.stderr)
        raise
    from ..charts import kpi_vs_pd, sweep_heatmap, trade_off

    out = Path(args.out)
    s = result.summary
    reps = sorted(set(result.reps.values()))
    n = str(reps[0]) if len(reps) == 1 else f"{reps[0]}-{reps[-1]}"
    title = f"{scenario.name}: P = {result.production_lead_time:.1f} days, {n} replications"
    warned = result.warnings
    figures = [_save(kpi_vs_pd(s, SWEEP_KPIS, args.target_otif, title, warnings=warned),
                     out / "kpis_vs_pd.png")]
    for kpi in ("otif", "cost_total"):
        figures.append(_save(sweep_heatmap(s, kpi, title=f"{title}: {label(kpi)}",
                                           warnings=warned), out / f"heatmap_{kpi}.png"))
    figures.append(_save(trade_off(s, args.target_otif, title=title, warnings=warned),
                         out / "cost_vs_otif.png"))
    print(f"{scenario.name}: P = {result.production_lead_time:.2f} days; "
          f"{len(result.runs)} runs ({result.reused} reused from {out}/)")
    if len(warned):
        print()
        print("\n".join(_warning_lines(warned, _cell_label)))
        print(f"\n{MARK.strip()} = the cell's runs had warnings (above; every run's are in "
              "runs.parquet, column 'warnings')")
    for kpi in ("otif", "cost_total"):
        print(f"\n{kpi} ({unit_text(kpi)}), mean ± 95% half-width")
        print(format_cells(s, kpi))
    names = ", ".join(f.name for f in figures)
    print(f"\nwritten to {out}/: runs.parquet, summary.parquet, sweep.json, scenario.yaml, {names}")
    return _report_failures(result.runs, lambda r: f"cell {r['strategy']} P:D {r['pd']:g}")


def _cell_label(row) -> str:
    return f"{row['strategy']} P:D {row['pd']:g}"


def format_cells(summary, kpi: str) -> str:
    """One KPI of a sweep summary: decoupling points x P:D, cells with warnings marked."""
    rows = summary[summary["kpi"] == kpi]
    ratios = sorted(rows["pd"].unique())
    table = []
    for strategy, g in rows.groupby("strategy", sort=False):
        by = g.set_index("pd")
        table.append([strategy, *[format_interval(kpi, by.loc[r, "mean"], by.loc[r, "half_width"])
                                  + (MARK if by.loc[r, "warnings"] else "") for r in ratios]])
    return _table(["P:D", *[f"{r:g}" for r in ratios]], table)


# ---------------------------------------------------------------- advise


def handle_advise(args: argparse.Namespace) -> int:
    check_output_dir(args.out, "--out")
    _check_d(args)
    scenario = _base_scenario(args)
    strategies = _strategies(args)
    try:
        advice = advise(scenario, args.target_otif, args.pd, lead_times=args.lead_times,
                        strategies=strategies, reps=args.reps, seed=args.seed,
                        confidence=args.confidence, out=args.out,
                        progress=show_progress(args), **_engine(args), **_precision(args))
    except ExperimentError as err:
        raise UsageError(str(err)) from None
    if args.out:
        out = Path(args.out)
        advice.table.to_csv(out / "advice.csv", index=False)
        if advice.table["pd"].nunique() > 1:
            from ..charts import kpi_vs_pd

            _save(kpi_vs_pd(advice.sweep.summary, ("otif", "cost_total", "inventory_value_mean"),
                            args.target_otif, title=f"{scenario.name}: advisor",
                            warnings=advice.sweep.warnings), out / "advice.png")
    if args.json:
        rows = finite_or_none(advice.table.to_dict(orient="records"))
        print(json.dumps(rows, indent=1))
    else:
        print(format_advice(advice, scenario.name))
    return _report_failures(advice.sweep.runs, lambda r: f"cell {r['strategy']} P:D {r['pd']:g}")


def format_advice(advice, name: str) -> str:
    lines = [f"{name}: decoupling point advice for OTIF >= "
             f"{format_value('otif', advice.target_otif)} with "
             f"{advice.confidence:.0%} confidence (cheapest by mean total cost)"]
    for rec in advice.recommendations.itertuples():
        pick = rec.recommended if isinstance(rec.recommended, str) else "none qualifies"
        lines += ["", f"P:D {rec.pd:.2f} (D = {rec.demand_lead_time:.1f} days): {pick}"]
        cells = advice.table[(advice.table["pd"] == rec.pd)
                             & (advice.table["demand_lead_time"] == rec.demand_lead_time)]
        for row in cells.itertuples():
            mark = "->" if row.verdict == "recommended" else "  "
            lines.append(f"  {mark} {row.strategy:<4} {row.verdict:<15} {row.reason}")
            if row.warnings and row.verdict != "overloaded":  # an overload is its reason
                lines.append(f"     {'':<4} {'':<15} warnings: {row.warnings}")
        if not isinstance(rec.recommended, str):
            lines.append(f"     {rec.reason}")
    return "\n".join(lines)


# ---------------------------------------------------------------- warm-up


def handle_warmup(args: argparse.Namespace) -> int:
    check_output_file(args.plot, "--plot", FIGURE_FORMATS)
    scenario = load_scenario(args.scenario, scenario_overrides(args))
    try:
        result = warmup(scenario, args.reps, args.seed, window=args.window,
                        progress=show_progress(args), **_engine(args))
    except ExperimentError as err:
        raise UsageError(str(err)) from None
    if args.plot:
        from ..charts import welch_plot

        _save(welch_plot(result, title=f"{scenario.name}: warm-up, {result.reps} replications "
                         f"of {result.days:g} days"), Path(args.plot))
    t = result.truncation
    if args.json:
        print(json.dumps({
            "scenario": scenario.name, "days": result.days, "reps": result.reps,
            "scenario_warmup_days": result.scenario_warmup_days,
            "recommended_warmup_days": result.recommended_days, "notes": result.notes,
            "warnings": _warning_rows(result.warnings, lambda r: {}),
            "series": finite_or_none(t.to_dict(orient="records"))}, indent=1))
        return 0
    rows = [[r.kpi, f"{r.truncation_day:g} days", "yes" if r.settled else "no: run longer",
             format_interval(r.kpi, r.mean_after, r.half_width_after)] for r in t.itertuples()]
    if len(result.warnings):
        print("\n".join(_warning_lines(result.warnings, lambda r: scenario.name)) + "\n")
    print(f"{scenario.name}: {result.reps} replications of {result.days:g} days from an empty "
          f"start (seed {args.seed}); MSER-5 on the daily means over replications\n")
    print(_table(["series", "truncation", "settled", "mean after (± 95%)"], rows))
    print(f"\nrecommended warm-up: {result.recommended_days:g} days (the scenario uses "
          f"{result.scenario_warmup_days:g})")
    for note in result.notes:
        print(f"note: {note}")
    if args.plot:
        print(f"Welch plot written to {args.plot}")
    return 0
