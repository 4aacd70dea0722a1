"""Pieces every dashboard page shares: the cached run, the current scenario, KPI cards, figures.

The dashboard holds no model logic and no KPI metadata: runs go through :func:`simulator.simulate`,
KPI labels, units, directions and definitions come from the registry (:data:`simulator.kpis.KPIS`),
every number is written by :mod:`simulator.format`, charts come from :mod:`simulator.charts`.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd
import streamlit as st
import yaml

from simulator import Scenario, ScenarioError, available_scenarios, charts, load_scenario, simulate
from simulator import format as fmt
from simulator.kpis import WARNING_CODES, kpi_table
from simulator.plan import compile_plan
from simulator.result import RunResult
from simulator.scenario import parse_scenario

DEFAULT_SCENARIO = "default"
DEFAULT_SEED: int = inspect.signature(simulate).parameters["seed"].default

# The five cards the design asks for, then the ones a planner looks at next.
MAIN_CARDS = ("fill_rate", "otif", "cycle_time_mean", "backorders_mean", "cost_total")
MORE_CARDS = ("perfect_order", "cycle_time_p95", "inventory_codp_mean", "orders_lost", "pd_ratio")

CHARTS = {
    "cycle_time_distribution": charts.cycle_time_distribution,
    "fill_rate_over_time": charts.fill_rate_over_time,
    "levels_over_time": charts.levels_over_time,
}


# ---------------------------------------------------------------- scenarios and runs


def default(fn, parameter: str):
    """A library function's default for ``parameter``: widget defaults come from the library."""
    return inspect.signature(fn).parameters[parameter].default


def scenario_from_yaml(text: str, source: str = "scenario") -> Scenario:
    return parse_scenario(yaml.safe_load(text), source)


# cache_resource, not cache_data: a run is large (about 7 MB pickled for the default scenario)
# and only read here, so every page shares the one object instead of unpickling a copy (0.1 s)
# on each rerun; it also needs no pickling of RunResult at all.
@st.cache_resource(max_entries=12, show_spinner="Simulating...")
def run_scenario(scenario_yaml: str, seed: int) -> RunResult:
    """One run, cached by the fully resolved scenario YAML and the seed: moving back to a
    setting already run is instant."""
    return simulate(scenario_from_yaml(scenario_yaml), seed)


def run(scenario: Scenario, seed: int) -> RunResult:
    return run_scenario(scenario.to_yaml(), int(seed))


@st.cache_data(max_entries=16, show_spinner=False)
def named_scenario_yaml(name: str) -> str:
    return load_scenario(name).to_yaml()


def load_upload(filename: str, content: bytes) -> Scenario:
    """Validate an uploaded scenario file exactly as ``omcsim run FILE`` would (same readable
    messages), naming the file as the user knows it. Raises ScenarioError."""
    name = Path(filename).name or "upload.yaml"
    tmp = Path(tempfile.mkdtemp(prefix="omcsim-upload-"))
    try:
        path = tmp / name
        path.write_bytes(content)
        try:
            return load_scenario(path)
        except ScenarioError as err:
            raise ScenarioError(str(err).replace(str(path), name)) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def set_current(scenario: Scenario, seed: int, label: str) -> None:
    """The scenario the Run page shows; the other pages work on it."""
    st.session_state["current"] = {"yaml": scenario.to_yaml(), "seed": int(seed), "label": label}


def current() -> tuple[Scenario, int, str]:
    """The Run page's scenario and seed, or the default scenario before the Run page is shown."""
    cur = st.session_state.get("current")
    if cur is None:
        return scenario_from_yaml(named_scenario_yaml(DEFAULT_SCENARIO)), DEFAULT_SEED, DEFAULT_SCENARIO
    return scenario_from_yaml(cur["yaml"]), cur["seed"], cur["label"]


def cli_scenario(scenario: Scenario, label: str) -> str:
    """How the CLI names the scenario: its name if it is an unedited named scenario, else the
    YAML file the Run page downloads (never a name that `omcsim` would find in scenarios/)."""
    if label in available_scenarios() and scenario.to_yaml() == named_scenario_yaml(label):
        return label
    return f"{scenario.name}-edited.yaml"


def describe(scenario: Scenario, seed: int | None = None) -> str:
    """One line: strategy, decoupling point, P, D, P:D (and seed)."""
    strategy = (scenario.strategy or "").upper()
    plan = compile_plan(scenario)
    text = (f"**{scenario.name}** · strategy {strategy} · decoupling point `{scenario.codp}` · "
            f"P = {plan.production_lead_time:.1f} d · D = {scenario.mean_demand_lead_time:.1f} d"
            f" · P:D = {fmt.format_value('pd_ratio', plan.pd_ratio)}"
            f"{fmt.pd_note(plan.production_lead_time, scenario.mean_demand_lead_time)}")
    return text if seed is None else f"{text} · seed {seed}"


# ---------------------------------------------------------------- KPI values and cards


def kpi_cards(kpis: dict, names=MAIN_CARDS, reference: dict | None = None,
              currency: str | None = None) -> None:
    """One st.metric per KPI, with the KPI's definition as help (and, when it is n/a, why); with
    ``reference``, the change against it (green when it is an improvement). The cards wrap onto
    more rows on a narrow screen instead of cutting their values short."""
    with st.container(horizontal=True, wrap=True):
        for name in names:
            value = kpis.get(name)
            delta = fmt.format_delta(name, value, reference.get(name), currency) \
                if reference else None
            better = fmt.higher_is_better(name)
            info = fmt.kpi_info(name)
            help_text = info.definition if fmt.is_number(value) else \
                f"**{fmt.explain_na(name, fmt.own_reason(kpis, name))}.** {info.definition}"
            st.metric(fmt.label(name), fmt.format_value(name, value, currency), delta,
                      delta_color="off" if better is None else "normal" if better else "inverse",
                      help=help_text, border=True, width="stretch")


def kpi_rows(kpis: dict, currency: str | None = None) -> list[dict]:
    """Every KPI as a row of text (KPI, value, unit, definition), from the library's table;
    an undefined value says why."""
    return [{"KPI": r.label, "value": fmt.format_value(r.kpi, r.value, currency)
             if fmt.is_number(r.value) else fmt.explain_na(r.kpi, fmt.own_reason(kpis, r.kpi)),
             "unit": fmt.unit_text(r.kpi, currency), "definition": r.definition, "name": r.kpi}
            for r in kpi_table(kpis).itertuples(index=False)]


# ---------------------------------------------------------------- the session's run history

HISTORY = "run.history"
HISTORY_BASELINE = "run.history.baseline"
HISTORY_KPIS = (*MAIN_CARDS, "inventory_value_mean", "orders_lost")
HISTORY_KEEP = 30


def record_run(result: RunResult, label: str, overrides: dict) -> None:
    """Add a run shown on the Run page to the session's history (once per scenario and seed):
    its base scenario, seed, levers (the overrides of the base) and KPIs."""
    runs = st.session_state.setdefault(HISTORY, [])
    key = (digest(result.scenario.to_yaml()), result.seed)
    if any(r["key"] == key for r in runs):
        return
    number = runs[-1]["run"] + 1 if runs else 1
    runs.append({"key": key, "run": number, "scenario": label, "seed": result.seed,
                 "levers": "; ".join(f"{p} = {v}" for p, v in overrides.items())
                 or "as the scenario",
                 "kpis": {k: result.kpis.get(k) for k in HISTORY_KPIS},
                 "currency": fmt.currency_of(result.scenario)})
    del runs[:-HISTORY_KEEP]


def history_table(runs: list[dict], baseline: int | None) -> pd.DataFrame:
    """One row per run: its levers and each KPI as value and change against the ``baseline``
    run (its number), written by the formatter."""
    base = next((r for r in runs if r["run"] == baseline), None)
    rows = []
    for r in runs:
        row = {"run": f"#{r['run']}" + (" (baseline)" if r is base else ""),
               "scenario": r["scenario"], "seed": r["seed"], "levers": r["levers"]}
        for k in HISTORY_KPIS:
            value = r["kpis"].get(k)
            text = fmt.format_value(k, value, r["currency"])
            delta = fmt.format_delta(k, value, base["kpis"].get(k), r["currency"]) \
                if base is not None and r is not base else None
            row[fmt.label(k)] = f"{text} ({delta})" if delta else text
        rows.append(row)
    return pd.DataFrame(rows)


def run_history() -> None:
    """The session's runs, with a pinned baseline the others are compared with."""
    runs = st.session_state.get(HISTORY, [])
    if not runs:
        return
    numbers = [r["run"] for r in runs]
    if st.session_state.get(HISTORY_BASELINE) not in numbers:
        st.session_state[HISTORY_BASELINE] = numbers[0]
    st.subheader("Run history (this session)")
    st.selectbox("Pinned baseline: the changes in brackets are against it", numbers,
                 key=HISTORY_BASELINE, format_func=lambda n: f"run #{n}")
    st.dataframe(history_table(runs, st.session_state[HISTORY_BASELINE]), hide_index=True,
                 column_config={"levers": st.column_config.TextColumn(width="large")})


# ---------------------------------------------------------------- warnings


def _banner(codes, text: str) -> None:
    """An error banner when the numbers cannot be trusted at all (an unstable queue), else a
    warning."""
    from simulator.experiment.runwarnings import UNSTABLE

    (st.error if set(codes) & set(UNSTABLE) else st.warning)(text, icon="⚠️")


def run_warnings(warnings: list[dict]) -> None:
    """A run's warnings (``RunResult.warnings``) as banners, one per warning, code first."""
    for w in warnings:
        _banner([w["code"]], f"**{w['code']}**: {w['message']}\n\n"
                f"*{WARNING_CODES.get(w['code'], '')}*")


def experiment_warnings(table, key: str, label=None) -> None:
    """The warnings of an experiment's runs (a ``warning_table`` of Comparison.warnings or
    SweepResult.warnings) as one banner per ``key`` (an alternative, a decoupling point), one
    line per warning: where (``label(row)``, e.g. the P:D of a cell), what, in how many runs,
    the worst run's message."""
    from simulator.experiment.runwarnings import in_words

    for _, group in table.groupby(key, sort=False):
        lines = [f"- {label(r) + ' · ' if label else ''}{in_words(r)}: {r['message']}"
                 for _, r in group.iterrows()]
        _banner(group["code"], f"**{group[key].iloc[0]}**: its runs had warnings; read its "
                "numbers with them.\n\n" + "\n".join(lines))


# ---------------------------------------------------------------- figures


def run_key(result: RunResult) -> tuple:
    """Identifies a run in figure cache keys: a digest of its scenario YAML, and its seed."""
    return (digest(result.scenario.to_yaml()), result.seed)


@st.cache_data(max_entries=128, show_spinner=False)
def cached_spec(key: tuple, _make) -> dict:
    """A library chart's Vega-Lite spec, cached by ``key``: the chart's name, the run's
    (scenario YAML, seed) or the experiment's table, and every parameter. ``_make`` (not
    hashed: leading underscore) builds it."""
    return _make().to_dict()


def show_chart(key: tuple, make, caption: str | None = None) -> None:
    """An interactive library chart (hover for values, drag or scroll to zoom)."""
    # The spec, not the Altair object, is cached: building a chart's dict is the slow part.
    st.vega_lite_chart(spec=cached_spec(key, make), width="stretch")
    if caption:
        st.caption(caption)


def show_run_chart(result: RunResult, name: str, caption: str | None = None) -> None:
    show_chart((name, *run_key(result)), lambda: CHARTS[name](result), caption)


def report_html(result: RunResult, base: RunResult | None = None) -> str:
    """The run's HTML report (``omcsim report``), compared with the unchanged base scenario
    when levers were moved."""
    from simulator.report import run_report

    return run_report(result, alternatives={f"{base.scenario.name} (base)": base} if base else None,
                      command=["omcsim dashboard"])


def scenario_error(err: ScenarioError, what: str = "The scenario is not valid") -> None:
    """A readable validation message (never a traceback)."""
    st.error(f"**{what}.**\n\n```\n{err}\n```")


# ---------------------------------------------------------------- long experiments


class ProgressRunner:
    """A library runner (serial, processes) wrapped to move a Streamlit progress bar as runs
    finish, with the time left; the experiment API takes it as its ``runner``."""

    def __init__(self, inner, bar, what: str = "runs"):
        self.inner = inner
        self.bar = bar
        self.what = what
        self.total = 0
        self.done = 0
        self.started = time.perf_counter()

    def imap(self, tasks, measure):
        tasks = list(tasks)
        self.total += len(tasks)  # precision stopping adds rounds of tasks
        for outcome in self.inner.imap(tasks, measure):
            self.done += 1
            elapsed = time.perf_counter() - self.started
            left = elapsed / self.done * (self.total - self.done)
            self.bar.progress(self.done / max(self.total, 1),
                              text=f"{self.done} of {self.total} {self.what} done, "
                              f"about {left:.0f} s left")
            yield outcome


def time_estimate(scenario: Scenario, seed: int, days: float, runs: int, workers: int) -> str:
    """Rough time of ``runs`` runs of ``scenario`` shortened to ``days``, from the time its run on
    the Run page took (run time grows with the simulated days, warm-up included)."""
    length = (scenario.warmup_days + days) / (scenario.warmup_days + scenario.horizon_days)
    seconds = run(scenario, seed).kpis["wall_seconds"] * length * runs / workers
    return f"{runs} runs, roughly {seconds:.0f} s on {workers} worker(s) plus their start"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def remembered(page: str, params: dict):
    """An experiment this session already ran with exactly these parameters (or None)."""
    return st.session_state.get(f"{page}.results", {}).get(json.dumps(params, sort_keys=True))


def experiment_inputs(page: str, api, scenario: Scenario, cols) -> tuple[int, int, float, int]:
    """Replications, base seed and horizon in the first three of ``cols``, worker processes in
    the last; defaults from the experiment function ``api`` and the scenario."""
    from simulator.experiment import available_cores

    reps = cols[0].number_input("Replications", min_value=2, max_value=100, step=1,
                                value=default(api, "reps"), key=f"{page}.reps")
    seed = cols[1].number_input("Base seed", min_value=0, step=1, value=default(api, "seed"),
                                key=f"{page}.seed")
    days = cols[2].number_input("Horizon (days)", min_value=1.0, step=30.0,
                                value=float(scenario.horizon_days), key=f"{page}.days",
                                help="Shorter runs finish sooner; intervals get wider.")
    workers = cols[-1].number_input("Worker processes", min_value=1, max_value=available_cores(),
                                    value=available_cores(), step=1, key=f"{page}.workers")
    return int(reps), int(seed), float(days), int(workers)


def run_experiment(page: str, params: dict, button: str, workers: int, start):
    """The experiment this session ran with ``params``, or, when ``button`` is pressed, a new one:
    ``start(runner)`` runs with a progress bar on ``workers`` processes. Errors are shown as
    messages and stop the page."""
    from simulator.experiment import ExperimentError, make_runner

    result = remembered(page, params)
    if st.button(button, type="primary", key=f"{page}.go"):
        bar = st.progress(0.0, text="starting the workers...")
        try:
            with make_runner(workers) as inner:
                result = start(ProgressRunner(inner, bar))
        except (ExperimentError, ScenarioError) as err:
            st.error(str(err))
            st.stop()
        bar.empty()
        remember(page, params, result)
    return result


def warn_failed(failed) -> None:
    """Runs that raised are left out of the results: say so, with their errors."""
    if len(failed):
        st.warning(f"{len(failed)} run(s) failed and are left out: "
                   + "; ".join(sorted(set(failed["error"])))[:500])


def remember(page: str, params: dict, value, keep: int = 8) -> None:
    store = st.session_state.setdefault(f"{page}.results", {})
    store[json.dumps(params, sort_keys=True)] = value
    while len(store) > keep:  # oldest first: dicts keep insertion order
        store.pop(next(iter(store)))
