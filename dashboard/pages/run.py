"""Run: one scenario, one seed. Pick a named scenario or upload one, move the main levers, see the
KPIs and charts, download the results and the scenario that reproduces them from the CLI."""

from __future__ import annotations

import hashlib
import json
import math
import shlex

import pandas as pd
import streamlit as st
import ui

from simulator import ScenarioError, available_scenarios
from simulator import format as fmt
from simulator.plan import compile_plan
from simulator.scenario import (
    BUFFERS,
    DIGITAL,
    PRIORITY_RULES,
    STAGES,
    STRATEGIES,
    Buffer,
    Scenario,
)

SOURCE_KEY = "run.source"
UPLOAD_KEY = "run.upload"
PERSIST = "session"  # lever values survive a visit to another page


# ---------------------------------------------------------------- choosing the base scenario


def _take_upload() -> None:
    """Validate a newly uploaded file; a valid one becomes the selected base scenario."""
    f = st.session_state.get(UPLOAD_KEY)
    st.session_state.pop("run.upload_error", None)
    if f is None:
        return
    content = f.getvalue()
    try:
        sc = ui.load_upload(f.name, content)
    except ScenarioError as err:
        st.session_state["run.upload_error"] = err
        return
    label = f"upload: {f.name} ({hashlib.sha256(content).hexdigest()[:8]})"
    st.session_state.setdefault("run.uploads", {})[label] = {"yaml": sc.to_yaml(), "file": f.name}
    st.session_state[SOURCE_KEY] = label


def choose_base() -> tuple[Scenario, str, str]:
    """The base scenario, a key that identifies it, and how the CLI names it."""
    uploads = st.session_state.get("run.uploads", {})
    options = [*available_scenarios(), *uploads]
    if SOURCE_KEY not in st.session_state:
        st.session_state[SOURCE_KEY] = ui.DEFAULT_SCENARIO
    source = st.sidebar.selectbox("Scenario", options, key=SOURCE_KEY, persist_state=PERSIST,
                                  help="A named scenario from scenarios/ or a file you uploaded.")
    st.sidebar.file_uploader("...or upload a scenario (YAML)", type=["yaml", "yml"], key=UPLOAD_KEY,
                             on_change=_take_upload,
                             help="Checked like `omcsim validate FILE`; problems are listed by field.")
    if source in uploads:
        up = uploads[source]
        return ui.scenario_from_yaml(up["yaml"], up["file"]), source, up["file"]
    return ui.scenario_from_yaml(ui.named_scenario_yaml(source), source), source, source


# ---------------------------------------------------------------- levers


class Levers:
    """Widgets whose defaults are the base scenario's values; every value the user changed
    becomes a dotted-path override of the base (the same overrides `omcsim run --set` takes)."""

    def __init__(self, base_id: str):
        self.prefix = f"run.{base_id}."
        self.overrides: dict = {}
        self.defaults: dict = {}  # widget key -> the base scenario's value

    def key(self, name: str, default=None) -> str:
        """A widget's key; ``default`` is its value in the base scenario (what Reset restores)."""
        self.defaults[self.prefix + name] = default
        return self.prefix + name

    def select(self, label, path, options, base_value, **kw):
        value = st.selectbox(label, options, index=list(options).index(base_value),
                             key=self.key(path, base_value), persist_state=PERSIST, **kw)
        if value != base_value:
            self.overrides[path] = value
        return value

    def number(self, label, path, base_value, override=True, **kw):
        """A number input; with ``override=False`` the caller turns the value into overrides."""
        value = st.number_input(label, value=base_value, key=self.key(path, base_value),
                                persist_state=PERSIST, **kw)
        if override and not _same(value, base_value):
            self.overrides[path] = value
        return value

    def slider(self, label, path, base_value, **kw):
        value = st.slider(label, value=base_value, key=self.key(path, base_value),
                          persist_state=PERSIST, **kw)
        if not _same(value, base_value):
            self.overrides[path] = value
        return value

    def reset(self) -> None:
        """Every widget back to the base scenario's value. Set, not deleted: a deleted key
        leaves the browser's widget showing the old value, which the next change sends back."""
        for key, value in self.defaults.items():
            st.session_state[key] = value


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def levers(base: Scenario, base_id: str) -> tuple[dict, int]:
    """The sidebar's levers in one form: changes take effect together, on Apply (three staff
    edits make one run, not three)."""
    lv = Levers(base_id)
    with st.sidebar.form("run.levers", border=False, enter_to_submit=False):
        seed = _lever_widgets(lv, base)
        st.form_submit_button("Apply levers", type="primary", width="stretch", key="run.apply",
                              help="Run the scenario with every change made above, together.")
    st.sidebar.button("Reset levers to the scenario's values", on_click=lv.reset)
    return lv.overrides, int(seed)


def _lever_widgets(lv: Levers, base: Scenario) -> int:
    seed = st.number_input("Seed", min_value=0, value=ui.DEFAULT_SEED, step=1,
                           key=lv.key("seed", ui.DEFAULT_SEED),
                           persist_state=PERSIST,
                           help="Same scenario and seed, same results (common random numbers).")

    with st.expander("Strategy and demand", expanded=True):
        lv.select("Strategy / decoupling point", "decoupling_point", list(STRATEGIES), base.strategy,
                  format_func=lambda s: f"{s.upper()}: " + (
                      "digital copy, no stock" if STRATEGIES[s] == DIGITAL
                      else f"stock at {STRATEGIES[s]}"),
                  help="Where the order penetrates the chain: the last stock point.")
        d = lv.number("Customers' demand lead time D (days)", "customers.*.demand_lead_time",
                      round(base.mean_demand_lead_time, 2), min_value=0.0, step=0.5,
                      help="Sets every customer class's D to this value (like `--demand-lead-time`)"
                      "; left alone, each class keeps its own distribution.")
        p = compile_plan(base).production_lead_time
        st.caption(f"P = {p:.2f} d (whole chain, no queueing), so P:D = "
                   f"{fmt.format_value('pd_ratio', p / d if d else math.inf if p else math.nan)}"
                   f"{fmt.pd_note(p, d)}")
        rate = lv.number("Demand rate (inquiries per day)", "demand_rate", base.inquiry_rate,
                         override=False, min_value=0.01, step=0.25,
                         help="Total over all channels; each channel keeps its share.")
        if not _same(rate, base.inquiry_rate):
            for name, ch in base.steps.generation.channels.items():
                lv.overrides[f"steps.generation.channels.{name}.rate_per_day"] = (
                    ch.rate_per_day * rate / base.inquiry_rate)
        lv.slider("Seasonality amplitude", "steps.generation.seasonality.amplitude",
                  base.steps.generation.seasonality.amplitude, min_value=0.0, max_value=0.9,
                  step=0.05, help="Demand swings: rate x (1 + amplitude x sine over the period).")
        lv.slider("Forecast bias", "steps.planning.forecast_bias", base.steps.planning.forecast_bias,
                  min_value=-0.9, max_value=2.0, step=0.05,
                  help="Systematic forecast error of planning: forecast x (1 + bias).")
        lv.select("Priority rule", "priority_rule", list(PRIORITY_RULES), base.priority_rule,
                  help="fcfs: first come first served; edd: earliest due date; priority: "
                  "customer priority class first.")

    with st.expander("Capacity and staff"):
        st.caption("Empty = unlimited (a pure delay).")
        for name, dep in base.departments.items():
            lv.number(f"Staff: {name.replace('_', ' ')}", f"departments.{name}.staff", dep.staff,
                      min_value=1, step=1, placeholder="unlimited")
        if base.chain is not None:
            for name in STAGES:
                lv.number(f"Servers: {name}", f"chain.stages.{name}.servers",
                          base.chain.stages[name].servers, min_value=1, step=1,
                          placeholder="unlimited")
        else:
            for name, wc in base.network.work_centers.items():
                lv.number(f"Servers: {name}", f"network.work_centers.{name}.servers", wc.servers,
                          min_value=1, step=1, placeholder="unlimited")

    with st.expander("Stock targets"):
        stocked = [n for n, sp in compile_plan(base).stock_points.items() if sp.active]
        st.caption(f"Stock is held at the decoupling point and upstream of it "
                   f"(now: {', '.join(stocked) or 'none'}). Empty = auto (set by "
                   "planning from the forecast and the service target).")
        for name in BUFFERS if base.chain is not None else ():
            target = base.chain.buffers.get(name, Buffer()).target
            shown = target if isinstance(target, float) else None
            value = st.number_input(
                f"Base stock per item: {name.replace('_', ' ')}", value=shown, min_value=0.0,
                step=1.0, key=lv.key(f"target.{name}", shown), persist_state=PERSIST,
                placeholder="per item, from the file" if isinstance(target, dict) else "auto")
            if not _same(value, shown):
                lv.overrides[f"chain.buffers.{name}.target"] = "auto" if value is None else value
        lv.slider("Planning service target", "steps.planning.service_target",
                  base.steps.planning.service_target, min_value=0.5, max_value=0.995, step=0.005,
                  help="Cycle service level the automatic targets aim at.")

    with st.expander("Run length"):
        lv.number("Horizon (days)", "horizon_days", base.horizon_days, min_value=1.0, step=30.0)
        lv.number("Warm-up (days, left out of the KPIs)", "warmup_days", base.warmup_days,
                  min_value=0.0, step=10.0)
    return seed


# ---------------------------------------------------------------- reproducing and downloading


def cli_command(base_name: str, overrides: dict, seed: int) -> str:
    parts = ["omcsim", "run", base_name, "--seed", str(seed)]
    for path, value in overrides.items():
        # JSON is YAML, which --set reads; plain words need no quotes.
        text = value if isinstance(value, str) and value.isidentifier() else json.dumps(value)
        parts += ["--set", f"{path}={text}"]
    return " ".join(shlex.quote(p) for p in parts)


def downloads(result, scenario: Scenario, seed: int, base_name: str, overrides: dict,
              reference=None) -> None:
    stem = f"{scenario.name}-seed{seed}"
    file_name = ui.cli_scenario(scenario, base_name)
    if not file_name.endswith(".yaml"):  # an unedited named scenario: still offer its file
        file_name = f"{file_name}.yaml"
    st.subheader("Reproduce and download")
    st.markdown("The edited scenario, fully resolved, reproduces this run from the command line:")
    st.code(f"omcsim run {file_name} --seed {seed}", language="bash")
    if overrides:
        st.markdown(f"or, as changes to `{base_name}`:")
        st.code(cli_command(base_name, overrides, seed), language="bash")
    # A wrapping row: on a narrow screen the buttons move to the next line, never cut short.
    with st.container(horizontal=True, wrap=True):
        st.download_button("Scenario (YAML)", scenario.to_yaml(), file_name,
                           "application/x-yaml", key="dl.yaml")
        st.download_button("KPIs (JSON)", result.kpis_json(), f"{stem}-kpis.json",
                           "application/json", key="dl.kpis")
        st.download_button("Orders (CSV)", lambda: result.orders.to_csv(index=False),
                           f"{stem}-orders.csv", "text/csv", key="dl.orders.csv")
        st.download_button("Orders (Parquet)", lambda: _parquet(result.orders),
                           f"{stem}-orders.parquet", "application/octet-stream",
                           key="dl.orders.parquet")
        st.download_button("Daily levels (CSV)", lambda: result.timeseries.to_csv(index=False),
                           f"{stem}-timeseries.csv", "text/csv", key="dl.timeseries.csv")
        st.download_button("Steps (Parquet)", lambda: _parquet(result.steps),
                           f"{stem}-steps.parquet", "application/octet-stream",
                           key="dl.steps.parquet", help="Step records: one row per order per "
                           "activity.")
        st.download_button("Report (HTML)", lambda: ui.report_html(result, reference),
                           f"{stem}-report.html", "text/html", key="dl.report",
                           help="One page to hand out: KPIs with definitions, warnings, the "
                           "interactive charts, a late and a typical order traced, provenance. "
                           "It opens offline (`omcsim report` writes the same).")


def _parquet(df: pd.DataFrame) -> bytes:
    return df.to_parquet(index=False)


# ---------------------------------------------------------------- the page


base, base_id, base_name = choose_base()
overrides, seed = levers(base, base_id)

upload_error = st.session_state.get("run.upload_error")
if upload_error is not None:
    ui.scenario_error(upload_error, "The uploaded file was not used")

try:
    scenario = base.with_overrides(**overrides)
except ScenarioError as err:
    ui.scenario_error(err, "These settings do not make a valid scenario")
    st.stop()

ui.set_current(scenario, seed, base_name)
result = ui.run(scenario, seed)
k = result.kpis

st.title(f"Run: {scenario.name}")
if scenario.description:
    st.markdown(scenario.description)
st.markdown(ui.describe(scenario, seed))
st.caption(f"Simulated {scenario.warmup_days:g} + {scenario.horizon_days:g} days "
           f"({k['inquiries']:,} inquiries, {k['sim_events']:,} events) in "
           f"{k['wall_seconds']:.2f} s of simulation.")

ui.run_warnings(result.warnings)  # above the numbers they qualify
reference = base_result = None
if overrides:
    base_result = ui.run(base, seed)
    reference = base_result.kpis
    st.info(f"{len(overrides)} change(s) to `{base_name}`; the arrows compare with it (same seed).")
currency = fmt.currency_of(scenario)
ui.kpi_cards(k, ui.MAIN_CARDS, reference, currency)
ui.kpi_cards(k, ui.MORE_CARDS, reference, currency)

left, right = st.columns(2)
with left:
    ui.show_run_chart(result, "cycle_time_distribution")
with right:
    ui.show_run_chart(result, "fill_rate_over_time")
left, right = st.columns([3, 2])
with left:
    ui.show_run_chart(result, "levels_over_time",
                       caption=f"Backorders at the decoupling point ({scenario.codp}) and "
                       "inventory by buffer over time.")
with right:
    st.markdown("**All KPIs** (hover a card for its definition)")
    st.dataframe(pd.DataFrame(ui.kpi_rows(k, currency)), hide_index=True, height=520,
                 column_config={"definition": st.column_config.TextColumn(width="large"),
                                "name": st.column_config.TextColumn("name in the CLI")})

ui.record_run(result, base_name, overrides)
ui.run_history()
downloads(result, scenario, seed, base_name, overrides, base_result)
