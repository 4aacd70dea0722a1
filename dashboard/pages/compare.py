"""Compare: strategies (or priority rules) side by side, each KPI as a mean with its 95% confidence
interval over replications, and paired differences against the baseline (common random numbers).
An optional disruption (a shipped events file or an uploaded one) is applied to every
alternative: the resilience KPIs and the KPIs around the event, replications as a band.
Every number comes from :func:`simulator.experiment.compare`."""

from __future__ import annotations

import json
import shlex

import streamlit as st
import ui

from simulator import ScenarioError
from simulator import format as fmt
from simulator.charts import STRATEGY_LABELS, comparison_chart, event_bands
from simulator.experiment import (
    MAIN_KPIS,
    STRATEGY_ORDER,
    around_events_frame,
    compare,
    run_around_events,
    run_once,
)
from simulator.kpis import RESILIENCE_KPIS
from simulator.scenario import (
    EVENTS_DIR,
    PRIORITY_RULES,
    available_events,
    events_from_text,
    load_events,
    parse_alternative,
)

# What an alternative changes: the scenario field it overrides (any: the user's overrides).
ANY = "any parameters"
WHAT = {"decoupling points": "decoupling_point", "priority rules": "priority_rule", ANY: None}
NO_EVENT = "none"
UPLOAD = "upload an events file"


def example_alternatives(scenario) -> str:
    """A first text for the "any parameters" box: the scenario as it is, and one more of the
    first department with a staff limit (or another priority rule)."""
    lines = [f"as is: priority_rule={scenario.priority_rule}"]
    staffed = [(n, d.staff) for n, d in scenario.departments.items() if d.staff]
    if staffed:
        name, staff = staffed[0]
        lines.append(f"one more {name}: departments.{name}.staff={staff + 1}")
    else:
        lines.append("edd: priority_rule=edd")
    return "\n".join(lines)


def typed_alternatives(text: str) -> dict[str, dict]:
    """The "any parameters" box, one alternative a line as `omcsim compare --alt` takes it;
    errors are shown and stop the page."""
    alternatives: dict[str, dict] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            name, changes = parse_alternative(line)
            scenario.with_overrides(**changes)  # each one valid, checked before any run
        except ScenarioError as err:
            ui.scenario_error(err, f"Line {number} is not a valid alternative")
            st.stop()
        if name in alternatives:
            st.error(f"Line {number}: the alternative {name!r} is given twice.")
            st.stop()
        alternatives[name] = changes
    return alternatives


def chosen_events() -> tuple[dict | None, str]:
    """The disruption picked (its ``events:`` mapping, or None) and how the CLI names it;
    an invalid file is shown and stops the page."""
    choice = st.selectbox(
        "Disruption, applied to every alternative", [NO_EVENT, *available_events(), UPLOAD],
        key="compare.disruption",
        help="Events as in docs/events.md (outages, late deliveries, demand surges...). Every "
        "alternative meets the same event and, replication by replication, the same demand.")
    try:
        if choice == UPLOAD:
            upload = st.file_uploader("Events file (YAML with an `events:` mapping)",
                                      type=["yaml", "yml"], key="compare.events_file")
            if upload is None:
                st.info("Upload an events file, or choose no disruption.")
                st.stop()
            try:
                text = upload.getvalue().decode("utf-8")
            except UnicodeDecodeError:
                raise ScenarioError(f"{upload.name}: cannot read as UTF-8 text") from None
            return events_from_text(text, upload.name), upload.name
        if choice != NO_EVENT:
            path = EVENTS_DIR / f"{choice}.yaml"
            return load_events(path), f"scenarios/events/{path.name}"
    except ScenarioError as err:
        ui.scenario_error(err, "The events file is not valid")
        st.stop()
    return None, ""


def by_label(pivot, kpis, currency):
    """A KPI x alternative table in ``kpis``' order, each row named by the registry's label and
    unit (``Time to recover (days)``), as every other table."""
    return pivot.reindex(index=kpis).rename(index=lambda k: fmt.axis_label(k, currency))


def interval_table(summary, kpis, alternatives, currency):
    """KPIs x alternatives, each cell the mean ± 95% half-width; an n/a refers to a note that
    says why, in the runs' own words when they give a reason (a reason shared by several cells,
    as an overloaded alternative's by every resilience KPI, is written once). Returns the
    summary's rows, the table and the notes."""
    table = summary[summary["kpi"].isin(kpis)].copy()
    notes: dict[str, int] = {}
    values = []
    for k, m, h, why in zip(table["kpi"], table["mean"], table["half_width"], table["why"],
                            strict=True):
        if fmt.is_number(m):
            values.append(fmt.format_interval(k, m, h))
        else:
            values.append(f"{fmt.NA} ({notes.setdefault(fmt.na_reason(k, why), len(notes) + 1)})")
    table["value"] = values
    return table, by_label(table.pivot(index="kpi", columns="alternative", values="value")
                           .reindex(columns=alternatives), kpis, currency), \
        [f"({n}) {fmt.NA}: {why}" for why, n in notes.items()]


def na_notes(notes: list[str]) -> None:
    if notes:
        st.caption("\n\n".join(notes))


scenario, seed, label = ui.current()
st.title("Compare alternatives")
st.markdown("Each alternative is the Run page's scenario with one change, run with the same "
            "replications: replication *r* of every alternative sees the same inquiries (common "
            "random numbers), so the paired differences are sharper than the intervals.")
st.markdown(ui.describe(scenario))

what = st.radio("Compare", list(WHAT), horizontal=True, key="compare.what")
typed = None
if what == ANY:
    typed = typed_alternatives(st.text_area(
        "Alternatives, one a line: NAME: PATH=VALUE; PATH=VALUE (the first is the baseline)",
        value=example_alternatives(scenario), key="compare.alt_text", height=110,
        help="Any scenario field by its dotted path, as `omcsim compare --alt` and "
        "`omcsim run --set` take it ('*' matches every key: customers.*.priority=0)."))
    chosen = list(typed)
elif what == "decoupling points":
    options = list(STRATEGY_ORDER)
    first = scenario.strategy
    name_of = STRATEGY_LABELS.get
else:
    options = list(PRIORITY_RULES)
    first = scenario.priority_rule
    name_of = str
if typed is None:
    chosen = st.multiselect(
        "Alternatives (the first is the baseline of the differences)", options,
        default=[first, *(o for o in options if o != first)], format_func=name_of,
        key=f"compare.alternatives.{what}")

reps, base_seed, days, workers = ui.experiment_inputs("compare", compare, scenario,
                                                    st.columns(4))
crn = st.checkbox("Common random numbers", value=ui.default(compare, "common_random_numbers"),
                  key="compare.crn",
                  help="Off: each alternative gets its own seeds, to see what CRN buys.")
events, events_file = chosen_events()

if len(chosen) < 1:
    st.info("Choose at least one alternative.")
    st.stop()
try:
    base = scenario.with_overrides(horizon_days=days, **({"events": events} if events else {}))
except ScenarioError as err:
    ui.scenario_error(err, "The scenario with this disruption is not valid" if events else
                      "The scenario is not valid")
    st.stop()
alternatives = typed if typed is not None else {name: {WHAT[what]: name} for name in chosen}
params = {"scenario": ui.digest(base.to_yaml()), "alternatives": alternatives, "what": what,
          "reps": reps, "seed": base_seed, "crn": crn}
st.caption(ui.time_estimate(scenario, seed, days, len(chosen) * reps, workers) + ".")

comparison = ui.run_experiment(
    "compare", params, "Run the comparison", workers,
    lambda runner: compare(base, alternatives, reps=reps, seed=base_seed,
                           common_random_numbers=crn, runner=runner,
                           measure=run_around_events if base.events else run_once))
if comparison is None:
    st.info("Set the alternatives and press **Run the comparison**.")
    st.stop()
ui.warn_failed(comparison.failed)
ui.experiment_warnings(comparison.warnings, "alternative")
summary = comparison.summary
currency = fmt.currency_of(scenario)
known = list(dict.fromkeys(summary["kpi"]))
kpis = st.multiselect("KPIs", known, default=[k for k in MAIN_KPIS if k in known],
                      key="compare.kpis", format_func=fmt.label)
if kpis:
    ui.show_chart(("comparison", ui.digest(summary.to_json()), *kpis),
                   lambda: comparison_chart(summary, kpis, warnings=comparison.warnings))

    table, means, notes = interval_table(summary, kpis, comparison.alternatives, currency)
    st.markdown(f"**Mean ± 95% half-width** over {reps} replications:")
    st.table(means)
    na_notes(notes)

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
        st.table(by_label(diffs.pivot(index="kpi", columns="alternative", values="difference")
                          .reindex(columns=comparison.alternatives[1:]), kpis, currency))

if base.events:
    st.header("Resilience")
    st.markdown("Every alternative met the same disruption. Resilience KPIs per run (defined in "
                "docs/events.md), as mean ± 95% half-width over the replications:")
    resilience = [k for k in RESILIENCE_KPIS if k in known]
    _, table, notes = interval_table(summary, resilience, comparison.alternatives, currency)
    st.table(table)
    na_notes(notes)
    around = around_events_frame(comparison.runs)
    ui.show_chart(("events", ui.digest(comparison.runs.to_json())),
                  lambda: event_bands(around, title="KPIs around the event"),
                  caption="Days since the event's start (shaded: while it lasts); each "
                  "alternative's line is the mean over its replications, the band the lowest to "
                  "the highest replication.")

left, right = st.columns(2)
left.download_button("Runs (CSV)", lambda: comparison.runs.to_csv(index=False),
                     "compare-runs.csv", "text/csv", key="compare.dl.runs")
right.download_button("Summary (CSV)", lambda: summary.to_csv(index=False),
                      "compare-summary.csv", "text/csv", key="compare.dl.summary")
if what == "decoupling points":
    choice = f"--strategies {','.join(chosen)}"
else:  # JSON is YAML, which --alt reads; plain words need no quotes
    choice = " ".join("--alt " + shlex.quote(f"{name}: " + "; ".join(
        f"{p}={v if isinstance(v, str) else json.dumps(v)}" for p, v in changes.items()))
        for name, changes in alternatives.items())
st.markdown("The same from the command line:")
st.code(f"omcsim compare {ui.cli_scenario(scenario, label)} {choice} --reps {reps} "
        f"--seed {base_seed} --days {days:g}{'' if crn else ' --independent'}"
        + (f" --disruptions {shlex.quote(events_file)}" if events else ""),
        language="bash")
