"""Optimise: the best design over a few levers (the decoupling point, one department's staff) by
one objective subject to one constraint, with a stated confidence: KN++ selection under common
random numbers, feasibility judged with confidence bounds; or, with a second objective, the
Pareto front of the two (cost against OTIF), as `omcsim optimize` with two --objective. Every
number comes from :func:`simulator.experiment.optimize`."""

from __future__ import annotations

import shlex

import pandas as pd
import streamlit as st
import ui

from simulator import ScenarioError
from simulator import format as fmt
from simulator.charts import STRATEGY_LABELS, optimization_chart
from simulator.experiment import STRATEGY_ORDER, available_cores, optimize
from simulator.experiment.optimize import STATUSES
from simulator.kpis import HIGHER, KPIS, LOWER, OPTIONAL_KPIS, reported_optional_kpis

NONE = "none"
# A first look, not the final word: few replications (KN++ adds more where it must) and a
# short horizon; the command line below runs the same study at full length.
FIRST_REPS, FIRST_MAX_REPS, FIRST_DAYS = 3, 10, 90.0

scenario, seed, label = ui.current()
# KPIs with a better direction that this scenario's runs report: what can be an objective or
# bounded by a constraint.
reported = set(reported_optional_kpis(scenario))
DIRECTED = [k for k, v in KPIS.items() if v.direction in (HIGHER, LOWER)
            and (k not in OPTIONAL_KPIS or k in reported)]
st.title("Optimise the design")
st.markdown(
    "Which design meets the constraint at the best objective? Every combination of the levers "
    "below is a design; replication *r* of every design sees the same demand (common random "
    "numbers). KN++ (Kim and Nelson 2006) keeps adding replications until the selected design "
    "is the best, or within the indifference zone of it, **with the stated confidence**, and a "
    "design counts as feasible only when its confidence bound meets the constraint.")
st.markdown(ui.describe(scenario))

codps = st.multiselect("Decoupling points to try", list(STRATEGY_ORDER),
                       default=list(STRATEGY_ORDER), format_func=STRATEGY_LABELS.get,
                       key="optimize.codp")
staffed = [name for name, d in scenario.departments.items() if d.staff]
department = st.selectbox("Vary the staff of", [NONE, *staffed], key="optimize.department",
                          help="Departments with a staff limit in this scenario.")
staff_range = None
if department != NONE:
    now = int(scenario.departments[department].staff)
    staff_range = st.slider(f"Staff of {department} (now {now})", 1, max(2 * now, now + 4),
                            (max(1, now - 1), now + 1), key=f"optimize.staff.{department}")

left, second, middle, right = st.columns(4)
goal = left.selectbox("Objective", DIRECTED, index=DIRECTED.index("cost_total"),
                      format_func=lambda k: f"{fmt.label(k)} ({KPIS[k].direction} is better)",
                      key="optimize.objective")
also = second.selectbox("Second objective", [NONE, *[k for k in DIRECTED if k != goal]],
                        format_func=lambda k: k if k == NONE else
                        f"{fmt.label(k)} ({KPIS[k].direction} is better)",
                        key="optimize.objective2",
                        help="A second objective gives the Pareto front of the two (for "
                        "example total cost against OTIF) instead of one selected design.")
goals = [goal] if also == NONE else [goal, also]
bounded = middle.selectbox("Constraint on", [NONE, *DIRECTED], index=1 + DIRECTED.index("otif"),
                           format_func=lambda k: k if k == NONE else fmt.axis_label(k),
                           key="optimize.constraint")
constraints: list[str] = []
if bounded != NONE:
    op = ">=" if KPIS[bounded].direction == HIGHER else "<="
    share = KPIS[bounded].unit == "share"
    bound = right.number_input(
        f"{'at least' if op == '>=' else 'at most'}" + (" (a share: 0.9 = 90%)" if share else ""),
        value=0.9 if share else float(round(ui.run(scenario, seed).kpis.get(bounded) or 0.0, 2)),
        min_value=0.0, max_value=1.0 if share else None, step=0.01 if share else 1.0,
        key=f"optimize.bound.{bounded}")
    constraints = [f"{bounded}{op}{bound:g}"]

cols = st.columns(5)
reps = int(cols[0].number_input("First replications", min_value=2, max_value=50, value=FIRST_REPS,
                                key="optimize.reps", help="KN++'s first stage (n0)."))
max_reps = int(cols[1].number_input("At most", min_value=reps, max_value=200,
                                    value=max(reps, FIRST_MAX_REPS), key="optimize.max_reps",
                                    help="Replications per design at most."))
base_seed = int(cols[2].number_input("Base seed", min_value=0, step=1,
                                     value=ui.default(optimize, "seed"), key="optimize.seed"))
days = float(cols[3].number_input("Horizon (days)", min_value=1.0, step=30.0,
                                  value=min(FIRST_DAYS, float(scenario.horizon_days)),
                                  key="optimize.days",
                                  help="Short runs answer sooner; check the answer at full length."))
workers = int(cols[4].number_input("Worker processes", min_value=1, max_value=available_cores(),
                                   value=available_cores(), step=1, key="optimize.workers"))

variables = ([f"decoupling_point={','.join(codps)}"] if codps else []) + (
    [f"departments.{department}.staff={staff_range[0]}..{staff_range[1]}"] if staff_range else [])
if not variables:
    st.info("Choose at least one decoupling point or a department whose staff to vary.")
    st.stop()
try:
    base = scenario.with_overrides(horizon_days=days)
except ScenarioError as err:
    ui.scenario_error(err)
    st.stop()
designs = len(codps or [None]) * ((staff_range[1] - staff_range[0] + 1) if staff_range else 1)
st.caption(f"{designs} designs: at least {designs * reps} and at most {designs * max_reps} runs; "
           f"the first stage takes {ui.time_estimate(scenario, seed, days, designs * reps, workers)}.")
params = {"scenario": ui.digest(base.to_yaml()), "vary": variables, "objective": goals,
          "constraints": constraints, "reps": reps, "max_reps": max_reps, "seed": base_seed}
result = ui.run_experiment(
    "optimize", params, "Run the optimisation", workers,
    lambda runner: optimize(base, variables, goals, constraints, reps=reps, max_reps=max_reps,
                            seed=base_seed, runner=runner))
if result is None:
    st.info("Choose the levers and press **Run the optimisation**.")
    st.stop()
ui.warn_failed(result.failed)

if result.selected:
    st.success(f"**Selected: {result.selected}**\n\n{result.statement}")
elif len(goals) == 2 and (result.designs["status"] == "front").any():
    st.success(f"**The Pareto front**\n\n{result.statement}")
else:
    st.warning(result.statement)
for note in result.notes:
    if note not in result.statement:  # the statement may already carry it
        st.caption(note)

d = result.designs
shown = d[d["status"] != "not a candidate"]
kpis = list(dict.fromkeys([*goals, *(c.kpi for c in result.constraints)]))
currency = fmt.currency_of(scenario)
st.markdown(f"**Every design**, mean ± {result.confidence:.0%} half-width over its replications "
            "(n):")
st.table(pd.DataFrame({
    "design": shown["design"], "n": shown["n"].astype(str),
    **{fmt.axis_label(k, currency): [
        fmt.format_interval(k, m, h, currency=currency) if fmt.is_number(m) else fmt.explain_na(k)
        for m, h in zip(shown[f"{k}_mean"], shown[f"{k}_half_width"], strict=True)] for k in kpis},
    "feasibility": shown["feasibility"], "status": shown["status"],
}), hide_index=True, border="horizontal")
with st.expander("What each status means"):
    st.markdown("\n".join(f"- **{s}**: {STATUSES[s]}" for s in dict.fromkeys(shown["status"])
                          if s in STATUSES))
if len(goals) == 2:
    heading = f"{fmt.label(goals[0])} against {fmt.label(goals[1])}: the Pareto front"
else:
    heading = f"{fmt.label(goal)}: every candidate"
ui.show_chart(("optimize", ui.digest(d.to_json()), *goals),
              lambda: optimization_chart(d, goals, title=heading),
              caption="Hover a design for its replications, intervals and feasibility. An "
              "overloaded design does not set the axes: it sits at the edge as a triangle.")

left, right = st.columns(2)
left.download_button("Designs (CSV)", lambda: d.to_csv(index=False), "optimize-designs.csv",
                     "text/csv", key="optimize.dl.designs")
right.download_button("Runs (CSV)", lambda: result.runs.to_csv(index=False), "optimize-runs.csv",
                      "text/csv", key="optimize.dl.runs")
st.markdown("The same from the command line (add `--out DIR` for every run and the plot):")
st.code(f"omcsim optimize {ui.cli_scenario(scenario, label)} "
        + "".join(f"--objective {g} " for g in goals)
        + "".join(f"--constraint {shlex.quote(c)} " for c in constraints)
        + "".join(f"--vary {shlex.quote(v)} " for v in variables)
        + f"--reps {reps} --max-reps {max_reps} --seed {base_seed} --days {days:g}",
        language="bash")
