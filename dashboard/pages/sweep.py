"""Sweep: every (decoupling point x P:D) cell with replications, KPIs against P:D with confidence
bands, a heatmap, and the decoupling-point advisor. Every number comes from
:func:`simulator.experiment.advise` (which runs :func:`simulator.experiment.sweep`)."""

from __future__ import annotations

import math

import streamlit as st
import ui

from simulator import ScenarioError
from simulator.experiment import (
    STRATEGY_ORDER,
    SWEEP_KPIS,
    VERDICTS,
    advise,
    sweep,
)
from simulator.plots.experiment import STRATEGY_LABELS, kpi_vs_pd, sweep_heatmap

# P:D ratios offered around the scenario's own: customers giving half, the same, twice... the
# chain's lead time.
RATIO_CHOICES = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)

scenario, seed, label = ui.current()
st.title("Sweep P:D x decoupling point")
st.markdown(
    "For each P:D ratio, every customer is given the demand lead time D = P / ratio (P is the "
    "chain's production lead time); each decoupling point is run with replications. The advisor "
    "then names, for each D, the cheapest decoupling point whose OTIF meets the target with "
    "95% confidence, and says why the others are not chosen.")
st.markdown(ui.describe(scenario))

own = round(scenario.pd_ratio, 2) if math.isfinite(scenario.pd_ratio) else None
choices = sorted({*RATIO_CHOICES, *([own] if own else [])})
ratios = st.multiselect(
    "P:D ratios", choices, default=[r for r in (0.5, 1.0, own, 2.0, 4.0) if r is not None],
    format_func=lambda r: f"{r:g} (D = {scenario.production_lead_time / r:.1f} d)"
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
st.markdown(f"The cheapest decoupling point whose OTIF is at least **{advice.target_otif:g}** "
            f"with {advice.confidence:.0%} confidence, for each D:")
recs = advice.recommendations.copy()
recs["recommended"] = recs["recommended"].map(lambda s: STRATEGY_LABELS.get(s, "none meets it"))
st.dataframe(recs, hide_index=True, column_config={
    "pd": st.column_config.NumberColumn("P:D", format="%.2f"),
    "demand_lead_time": st.column_config.NumberColumn("D (days)", format="%.1f"),
    "otif_mean": st.column_config.NumberColumn("OTIF", format="%.3f"),
    "otif_lower": st.column_config.NumberColumn("OTIF lower bound", format="%.3f"),
    "cost_mean": st.column_config.NumberColumn("cost", format="%.0f"),
})
with st.expander("Why the others are not chosen"):
    st.markdown("\n".join(f"- **{v}**: {text}" for v, text in VERDICTS.items()))
    st.dataframe(advice.table[["pd", "demand_lead_time", "strategy", "verdict", "reason"]],
                 hide_index=True)

st.header("KPIs against P:D")
key = ("sweep", ui.digest(result.summary.to_json()))
ui.show_figure((*key, "kpi_vs_pd", advice.target_otif),
               lambda: kpi_vs_pd(result.summary, SWEEP_KPIS, target_otif=advice.target_otif,
                                 warnings=result.warnings),
               caption="One line per decoupling point; bands: 95% confidence intervals.")
kpi = st.selectbox("Heatmap of", list(SWEEP_KPIS), key="sweep.heatmap_kpi")
ui.show_figure((*key, "heatmap", kpi),
               lambda: sweep_heatmap(result.summary, kpi, warnings=result.warnings))

left, right = st.columns(2)
left.download_button("Runs (CSV)", lambda: result.runs.to_csv(index=False), "sweep-runs.csv",
                     "text/csv", key="sweep.dl.runs")
right.download_button("Summary (CSV)", lambda: result.summary.to_csv(index=False),
                      "sweep-summary.csv", "text/csv", key="sweep.dl.summary")
st.markdown("The same from the command line:")
st.code(f"omcsim advise {ui.cli_scenario(scenario, label)} --target-otif {advice.target_otif:g} "
        f"--pd {','.join(f'{r:g}' for r in ratios)} --codp {','.join(strategies)} "
        f"--reps {reps} --seed {base_seed} --days {days:g}", language="bash")
