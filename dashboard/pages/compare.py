"""Compare: strategies (or priority rules) side by side, each KPI as a mean with its 95% confidence
interval over replications, and paired differences against the baseline (common random numbers).
Every number comes from :func:`simulator.experiment.compare`."""

from __future__ import annotations

import streamlit as st
import ui

from simulator import ScenarioError
from simulator import format as fmt
from simulator.experiment import (
    MAIN_KPIS,
    STRATEGY_ORDER,
    compare,
)
from simulator.plots.experiment import STRATEGY_LABELS, comparison_chart
from simulator.scenario import PRIORITY_RULES

# What an alternative changes: the scenario field it overrides.
WHAT = {"decoupling points": "decoupling_point", "priority rules": "priority_rule"}

scenario, seed, label = ui.current()
st.title("Compare alternatives")
st.markdown("Each alternative is the Run page's scenario with one change, run with the same "
            "replications: replication *r* of every alternative sees the same inquiries (common "
            "random numbers), so the paired differences are sharper than the intervals.")
st.markdown(ui.describe(scenario))

what = st.radio("Compare", list(WHAT), horizontal=True, key="compare.what")
if what == "decoupling points":
    options = list(STRATEGY_ORDER)
    first = scenario.strategy
    name_of = STRATEGY_LABELS.get
else:
    options = list(PRIORITY_RULES)
    first = scenario.priority_rule
    name_of = str
chosen = st.multiselect(
    "Alternatives (the first is the baseline of the differences)", options,
    default=[first, *(o for o in options if o != first)], format_func=name_of,
    key=f"compare.alternatives.{what}")

reps, base_seed, days, workers = ui.experiment_inputs("compare", compare, scenario,
                                                    st.columns(4))
crn = st.checkbox("Common random numbers", value=ui.default(compare, "common_random_numbers"),
                  key="compare.crn",
                  help="Off: each alternative gets its own seeds, to see what CRN buys.")

if len(chosen) < 1:
    st.info("Choose at least one alternative.")
    st.stop()
try:
    base = scenario.with_overrides(horizon_days=days)
except ScenarioError as err:
    ui.scenario_error(err)
    st.stop()
alternatives = {name: {WHAT[what]: name} for name in chosen}
params = {"scenario": ui.digest(base.to_yaml()), "alternatives": chosen, "what": what,
          "reps": reps, "seed": base_seed, "crn": crn}
st.caption(ui.time_estimate(scenario, seed, days, len(chosen) * reps, workers) + ".")

comparison = ui.run_experiment(
    "compare", params, "Run the comparison", workers,
    lambda runner: compare(base, alternatives, reps=reps, seed=base_seed,
                           common_random_numbers=crn, runner=runner))
if comparison is None:
    st.info("Set the alternatives and press **Run the comparison**.")
    st.stop()
ui.warn_failed(comparison.failed)
ui.experiment_warnings(comparison.warnings, "alternative")
summary = comparison.summary
known = list(dict.fromkeys(summary["kpi"]))
kpis = st.multiselect("KPIs", known, default=[k for k in MAIN_KPIS if k in known],
                      key="compare.kpis")
if kpis:
    ui.show_figure(("comparison", ui.digest(summary.to_json()), *kpis),
                   lambda: comparison_chart(summary, kpis, warnings=comparison.warnings))

    table = summary[summary["kpi"].isin(kpis)].copy()
    table["value"] = [fmt.format_interval(k, m, h) if fmt.is_number(m) else fmt.explain_na(k)
                      for k, m, h in zip(table["kpi"], table["mean"], table["half_width"],
                                         strict=True)]
    st.markdown(f"**Mean ± 95% half-width** over {reps} replications:")
    st.table(table.pivot(index="kpi", columns="alternative", values="value")
             .reindex(index=kpis, columns=comparison.alternatives))

    diffs = table[table["alternative"] != comparison.baseline].copy()
    if len(diffs):
        significant = diffs["diff"].abs() > diffs["diff_half_width"]
        diffs["difference"] = [
            (fmt.format_interval(k, d, h, signed=True) if fmt.is_number(d) else
             f"{fmt.NA}: undefined in one of the two") + (" *" if sig else "")
            for k, d, h, sig in zip(diffs["kpi"], diffs["diff"], diffs["diff_half_width"],
                                    significant, strict=True)]
        kind = ("Paired differences" if comparison.common_random_numbers else
                "Differences (Welch intervals: independent streams, not paired)")
        st.markdown(f"**{kind} against {comparison.baseline}** (alternative minus "
                    "baseline; * significant: the 95% interval excludes 0):")
        st.table(diffs.pivot(index="kpi", columns="alternative", values="difference")
                 .reindex(index=kpis, columns=comparison.alternatives[1:]))

left, right = st.columns(2)
left.download_button("Runs (CSV)", lambda: comparison.runs.to_csv(index=False),
                     "compare-runs.csv", "text/csv", key="compare.dl.runs")
right.download_button("Summary (CSV)", lambda: summary.to_csv(index=False),
                      "compare-summary.csv", "text/csv", key="compare.dl.summary")
if what == "decoupling points":
    choice = f"--strategies {','.join(chosen)}"
else:
    choice = " ".join(f"--alt '{r}: priority_rule={r}'" for r in chosen)
st.markdown("The same from the command line:")
st.code(f"omcsim compare {ui.cli_scenario(scenario, label)} {choice} --reps {reps} "
        f"--seed {base_seed} --days {days:g}{'' if crn else ' --independent'}",
        language="bash")
