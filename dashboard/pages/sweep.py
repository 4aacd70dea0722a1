"""Sweep: every (decoupling point x P:D) cell with replications, KPIs against P:D with confidence
bands, a heatmap, and the decoupling-point advisor. Every number comes from
:func:`simulator.experiment.advise` (which runs :func:`simulator.experiment.sweep`)."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st
import ui

from simulator import ScenarioError
from simulator import format as fmt
from simulator.charts import STRATEGY_LABELS, kpi_vs_pd, sweep_heatmap, trade_off, undefined_cells
from simulator.experiment import (
    STRATEGY_ORDER,
    SWEEP_KPIS,
    VERDICTS,
    advise,
    sweep,
)
from simulator.plan import compile_plan

# P:D ratios offered around the scenario's own: customers giving half, the same, twice... the
# chain's lead time.
RATIO_CHOICES = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
# Inventory beside service and cost: what a decoupling point holds to reach its OTIF.
SHOWN = (*SWEEP_KPIS, "inventory_value_mean")

scenario, seed, label = ui.current()
st.title("Sweep P:D x decoupling point")
st.markdown(
    "For each P:D ratio, every customer is given the demand lead time D = P / ratio (P is the "
    "chain's production lead time); each decoupling point is run with replications. The advisor "
    "then names, for each D, the cheapest decoupling point whose OTIF meets the target with "
    "95% confidence, and says why the others are not chosen.")
st.markdown(ui.describe(scenario))

pd_ratio, p_days = compile_plan(scenario).pd_ratio, compile_plan(scenario).production_lead_time
own = round(pd_ratio, 2) if math.isfinite(pd_ratio) else None
choices = sorted({*RATIO_CHOICES, *([own] if own else [])})
ratios = st.multiselect(
    "P:D ratios", choices, default=[r for r in (0.5, 1.0, own, 2.0, 4.0) if r is not None],
    format_func=lambda r: f"{r:g} (D = {p_days / r:.1f} d)"
    + (" · this scenario" if r == own else ""), key="sweep.ratios")
strategies = st.multiselect("Decoupling points", list(STRATEGY_ORDER), default=list(STRATEGY_ORDER),
                            format_func=STRATEGY_LABELS.get, key="sweep.strategies")
cols = st.columns(5)
reps, base_seed, days, workers = ui.experiment_inputs("sweep", sweep, scenario, cols)
target = cols[3].number_input("Target OTIF", min_value=0.01, max_value=1.0, step=0.01,
                              value=ui.default(advise, "target_otif"), key="sweep.target")

if not ratios or not strategies:
    st.info("Choose at least one P:D ratio and one decoupling point.")
    st.stop()
try:
    base = scenario.with_overrides(horizon_days=days)
except ScenarioError as err:
    ui.scenario_error(err)
    st.stop()
ratios = sorted(ratios)
strategies = [s for s in STRATEGY_ORDER if s in strategies]
params = {"scenario": ui.digest(base.to_yaml()), "ratios": ratios, "strategies": strategies,
          "reps": reps, "seed": base_seed, "target": float(target)}
runs = len(ratios) * len(strategies) * reps
st.caption(f"{len(strategies)} decoupling points x {len(ratios)} P:D ratios x {reps} "
           f"replications: {ui.time_estimate(scenario, seed, days, runs, workers)} (eto and "
           "short D run faster: many inquiries are lost).")

advice = ui.run_experiment(
    "sweep", params, "Run the sweep and the advisor", workers,
    lambda runner: advise(base, float(target), ratios, strategies=strategies, reps=reps,
                          seed=base_seed, runner=runner))
if advice is None:
    st.info("Set the cells and press **Run the sweep and the advisor**.")
    st.stop()
result = advice.sweep
ui.warn_failed(result.failed)
ui.experiment_warnings(result.warnings, "strategy", lambda r: f"P:D {r['pd']:g}")

st.header("Decoupling-point advisor")
st.markdown(f"The cheapest decoupling point whose OTIF is at least "
            f"**{fmt.format_value('otif', advice.target_otif)}** with {advice.confidence:.0%} "
            "confidence, for each D:")
currency = fmt.currency_of(scenario)
st.table(pd.DataFrame({
    "P:D": [f"{r:g}" for r in advice.recommendations["pd"]],
    "D": [fmt.format_duration(d) for d in advice.recommendations["demand_lead_time"]],
    "recommended": [STRATEGY_LABELS.get(s, "none meets the target")
                    for s in advice.recommendations["recommended"]],
    "OTIF": [fmt.format_value("otif", v) if fmt.is_number(v) else "–"
             for v in advice.recommendations["otif_mean"]],
    f"OTIF, lower {advice.confidence:.0%} bound": [
        fmt.format_value("otif", v) if fmt.is_number(v) else "–"
        for v in advice.recommendations["otif_lower"]],
    fmt.axis_label("cost_total", currency): [
        fmt.format_value("cost_total", v, currency) if fmt.is_number(v) else "–"
                   for v in advice.recommendations["cost_mean"]],
    "why": advice.recommendations["reason"],
}), hide_index=True, border="horizontal")
with st.expander("Why the others are not chosen", expanded=True):
    st.markdown("\n".join(f"- **{v}**: {text}" for v, text in VERDICTS.items()))
    for (ratio, d), t in advice.table.groupby(["pd", "demand_lead_time"], sort=False):
        st.markdown(f"**P:D {ratio:g}** (D = {fmt.format_duration(d)})")
        st.table(pd.DataFrame({
            "decoupling point": [STRATEGY_LABELS.get(s, s) for s in t["strategy"]],
            "verdict": t["verdict"],
            "OTIF": [fmt.format_interval("otif", m, h) for m, h in
                     zip(t["otif_mean"], t["otif_half_width"], strict=True)],
            fmt.axis_label("inventory_value_mean", currency): [
                fmt.format_value("inventory_value_mean", v, currency)
                for v in t["inventory_value_mean"]],
            fmt.axis_label("cost_total", currency): [
                fmt.format_interval("cost_total", m, h, currency=currency)
                for m, h in zip(t["cost_mean"], t["cost_half_width"], strict=True)],
            "reason": [r + (f" (warnings: {w})" if w and v != "overloaded" else "")
                       for r, w, v in zip(t["reason"], t["warnings"], t["verdict"], strict=True)],
        }), hide_index=True, border="horizontal")

st.header("Service against cost and stock")
st.markdown("What each decoupling point pays for its OTIF: total cost and inventory value against "
            "OTIF, one point per cell (labelled with its P:D). Low and to the right is better.")
key = ("sweep", ui.digest(result.summary.to_json()))
ui.show_chart((*key, "trade_off", advice.target_otif),
               lambda: trade_off(result.summary, advice.target_otif, warnings=result.warnings))

st.header("KPIs against P:D")
ui.show_chart((*key, "kpi_vs_pd", advice.target_otif),
               lambda: kpi_vs_pd(result.summary, SHOWN, target_otif=advice.target_otif,
                                 warnings=result.warnings),
               caption="One line per decoupling point; bands: 95% confidence intervals.")
kpi = st.selectbox("Heatmap of", list(SHOWN), key="sweep.heatmap_kpi", format_func=fmt.label)
undefined = undefined_cells(result.summary, kpi)
ui.show_chart((*key, "heatmap", kpi),
               lambda: sweep_heatmap(result.summary, kpi, warnings=result.warnings),
               caption=("n/a (hover a cell for the same): " + "; ".join(undefined))
               if undefined else None)

left, right = st.columns(2)
left.download_button("Runs (CSV)", lambda: result.runs.to_csv(index=False), "sweep-runs.csv",
                     "text/csv", key="sweep.dl.runs")
right.download_button("Summary (CSV)", lambda: result.summary.to_csv(index=False),
                      "sweep-summary.csv", "text/csv", key="sweep.dl.summary")
st.markdown("The same from the command line:")
st.code(f"omcsim advise {ui.cli_scenario(scenario, label)} --target-otif {advice.target_otif:g} "
        f"--pd {','.join(f'{r:g}' for r in ratios)} --codp {','.join(strategies)} "
        f"--reps {reps} --seed {base_seed} --days {days:g}", language="bash")
