"""The planners' decisions in the dashboard through AppTest: a disruption applied to every
alternative on the Compare page (resilience KPIs, KPIs around the event with replications as a
band) and the Optimise page (selected design with its confidence, designs table, chart)."""

import re

from dashboard_checks import assert_interval_shown, charts_shown, has_tooltips
from test_dashboard_pages import on_page

from simulator.experiment import compare, optimize, run_around_events
from simulator.format import axis_label
from simulator.scenario import EVENTS_DIR, load_events


def _run_compare(app, reps=2, days=90.0):
    app.number_input(key="compare.reps").set_value(reps)
    app.number_input(key="compare.days").set_value(days)
    app.number_input(key="compare.workers").set_value(2)
    app.button(key="compare.go").click().run()
    assert not app.exception


def test_compare_applies_a_disruption_to_every_alternative(app):
    scenario, _ = on_page(app, "compare", scenario="multi-site", days=90.0)
    app.multiselect(key="compare.alternatives.decoupling points").set_value(["ato", "mto"])
    app.selectbox(key="compare.disruption").set_value("castings-outage").run()
    _run_compare(app)
    events = load_events(EVENTS_DIR / "castings-outage.yaml")
    expected = compare(scenario.with_overrides(horizon_days=90.0, events=events), ["ato", "mto"],
                       reps=2, workers=2, measure=run_around_events).summary
    headers = [h.value for h in app.header]
    assert "Resilience" in headers
    resilience = app.table[-1].value  # after the KPI table and the differences
    # Rows by the registry's label and unit, as every other table: no raw names.
    assert {"Time to recover (days)", "Peak backlog (orders)",
            "Orders late (event)"} <= set(resilience.index)
    by = expected.set_index(["kpi", "alternative"])
    for kpi in ("peak_backlog", "orders_late_event"):
        for alt in ("ato", "mto"):
            assert_interval_shown(resilience.loc[axis_label(kpi), alt], by.loc[(kpi, alt), "mean"],
                                  by.loc[(kpi, alt), "half_width"], kpi)
    # An undefined KPI gives the runs' own reason (the summary's why), not the registry's list.
    # Each n/a cell refers to a note under the table, each reason written once.
    undefined = expected[expected["why"] != ""]
    assert any(axis_label(k) in resilience.index for k in undefined["kpi"])  # 90 days: no recovery
    notes = app.caption[-2].value.split("\n\n")  # the last caption is the chart's
    for r in undefined.itertuples():
        if axis_label(r.kpi) in resilience.index:
            cell = resilience.loc[axis_label(r.kpi), r.alternative]
            assert re.fullmatch(r"n/a \(\d\)", cell), cell
            assert f"{cell[4:]} n/a: {r.why}" in notes, (cell, notes)
    assert len(notes) == len(set(notes))
    shown = charts_shown(app)
    assert len(shown) == 2 and all(has_tooltips(c) for c in shown)  # comparison, around the event
    bands = [c for c in shown if c.get("title") == "KPIs around the event"]
    assert len(bands) == 1
    assert any("--disruptions scenarios/events/castings-outage.yaml" in c.value for c in app.code)


def test_a_disruption_the_scenario_cannot_take_is_one_readable_message(app):
    on_page(app, "compare", scenario="classroom", days=30.0)
    app.selectbox(key="compare.disruption").set_value("castings-outage").run()
    assert not app.exception
    assert "The scenario with this disruption is not valid" in app.error[0].value
    assert "castings_co" in app.error[0].value
    assert not [b for b in app.button if b.key == "compare.go"]  # nothing runs


def test_without_a_disruption_there_is_no_resilience_section(app):
    on_page(app, "compare", scenario="classroom", days=30.0)
    app.multiselect(key="compare.alternatives.decoupling points").set_value(["ato", "mto"])
    _run_compare(app, days=30.0)
    assert "Resilience" not in [h.value for h in app.header]
    assert len(charts_shown(app)) == 1


def test_optimise_selects_with_confidence_and_shows_every_design(app):
    scenario, _ = on_page(app, "optimize", scenario="classroom", days=30.0)
    assert "press **Run the optimisation**" in app.info[0].value
    assert app.number_input(key="optimize.reps").value == 3  # few replications, short runs
    assert app.number_input(key="optimize.days").value <= 90
    app.multiselect(key="optimize.codp").set_value(["ato", "mto"])
    app.selectbox(key="optimize.objective").set_value("cost_total")
    app.selectbox(key="optimize.constraint").set_value("otif")
    app.number_input(key="optimize.bound.otif").set_value(0.5)
    app.number_input(key="optimize.reps").set_value(2)
    app.number_input(key="optimize.max_reps").set_value(4)
    app.number_input(key="optimize.days").set_value(30.0)
    app.number_input(key="optimize.workers").set_value(2)
    app.button(key="optimize.go").click().run()
    assert not app.exception
    expected = optimize(scenario.with_overrides(horizon_days=30.0), ["decoupling_point=ato,mto"],
                        ["cost_total"], ["otif>=0.5"], reps=2, max_reps=4, workers=2)
    statement = (app.success[0].value if expected.selected else app.warning[0].value)
    assert expected.statement in statement
    if expected.selected:
        assert f"**Selected: {expected.selected}**" in statement
    table = app.table[0].value
    assert list(table["design"]) == list(expected.designs["design"])
    assert list(table["status"]) == list(expected.designs["status"])
    for text, (_, row) in zip(table.iloc[:, 2], expected.designs.iterrows(), strict=True):
        assert_interval_shown(text, row["cost_total_mean"], row["cost_total_half_width"],
                              "cost_total")
    shown = charts_shown(app)
    assert len(shown) == 1 and has_tooltips(shown[0])
    assert any("omcsim optimize" in c.value and "--vary decoupling_point=ato,mto" in c.value
               and "--constraint 'otif>=0.5'" in c.value for c in app.code)


def test_optimise_with_two_objectives_draws_the_pareto_front(app):
    """Cost against OTIF, as `omcsim optimize --objective cost_total --objective otif`: the
    statement, every design's status and the front chart are the library's."""
    scenario, _ = on_page(app, "optimize", scenario="classroom", days=30.0)
    app.multiselect(key="optimize.codp").set_value(["ato", "mto"])
    app.selectbox(key="optimize.objective").set_value("cost_total")
    app.selectbox(key="optimize.objective2").set_value("otif")
    app.selectbox(key="optimize.constraint").set_value("none")
    app.number_input(key="optimize.reps").set_value(2)
    app.number_input(key="optimize.max_reps").set_value(2)
    app.number_input(key="optimize.days").set_value(30.0)
    app.number_input(key="optimize.workers").set_value(2)
    app.button(key="optimize.go").click().run()
    assert not app.exception
    expected = optimize(scenario.with_overrides(horizon_days=30.0), ["decoupling_point=ato,mto"],
                        ["cost_total", "otif"], [], reps=2, max_reps=2, workers=2)
    assert (expected.designs["status"] == "front").any()
    assert "**The Pareto front**" in app.success[0].value
    assert expected.statement in app.success[0].value
    table = app.table[0].value
    assert list(table["status"]) == list(expected.designs["status"])
    assert any(c.startswith("OTIF") for c in table.columns)
    (spec,) = charts_shown(app)
    head = spec["title"]["text"]  # wrapped into lines when long
    assert has_tooltips(spec) and "Pareto front" in " ".join(head if isinstance(head, list) else [head])
    assert any("--objective cost_total --objective otif" in c.value for c in app.code)


def test_optimise_needs_a_lever(app):
    on_page(app, "optimize", scenario="classroom", days=30.0)
    app.multiselect(key="optimize.codp").set_value([]).run()
    assert not app.exception
    assert "Choose at least one decoupling point" in app.info[0].value
