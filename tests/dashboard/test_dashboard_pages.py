"""The Staple yourself, Compare, Sweep and Learn pages through Streamlit's AppTest: widgets
changed, values shown checked against the library, no exception."""

import json
import re

import pandas as pd
import pytest
import yaml
from dashboard_checks import APP, assert_interval_shown, assert_shown, charts_shown, has_tooltips

from simulator import STEPS, simulate
from simulator.experiment import advise, compare
from simulator.format import axis_label, format_duration
from simulator.kpis import KPIS
from simulator.plan import compile_plan
from simulator.scenario import parse_scenario
from simulator.trace import TraceError, explain_outcome, order_list, pick_order


def on_page(app, page: str, scenario: str = "classroom", days: float = 45.0, **levers):
    """``page`` showing ``scenario`` (shortened, other levers set by their override path) as
    chosen on the Run page."""
    app.session_state["run.source"] = scenario
    app.session_state[f"run.{scenario}.horizon_days"] = days
    for path, value in levers.items():
        app.session_state[f"run.{scenario}.{path}"] = value
    app.run()
    app.switch_page(f"pages/{page}.py").run()
    assert not app.exception
    cur = app.session_state["current"]
    return parse_scenario(yaml.safe_load(cur["yaml"])), cur["seed"]


def order_shown(app) -> int:
    title = app.subheader[0].value
    assert title.startswith("Order ")
    return int(title.split()[1].rstrip(":"))


def test_staple_yourself_follows_the_picked_order(app):
    # Customers who give 2 days: some orders are late.
    scenario, seed = on_page(app, "staple", **{"customers.*.demand_lead_time": 2.0})
    result = simulate(scenario, seed)
    assert order_shown(app) == pick_order(result, "slowest")  # the first pick offered
    for how in ("late", "random"):
        app.radio(key="staple.pick").set_value(how).run()
        assert not app.exception
        assert order_shown(app) == pick_order(result, how)
    app.radio(key="staple.pick").set_value("by id").run()
    app.number_input(key="staple.order_id").set_value(17).run()
    assert not app.exception and order_shown(app) == 17
    trace = result.trace(17)
    cards = {m.label: m.value for m in app.metric}
    assert_shown(cards["Cycle time"], trace.order["cycle_time"], "cycle time")
    assert_shown(cards["Waiting"], trace.order["waiting"], "waiting")
    assert app.code[0].value == trace.narrative()
    # Gantt chart, war room, waiting vs working: interactive, hover names the order's steps
    specs = charts_shown(app)
    assert len(specs) == 3 and all(has_tooltips(s) for s in specs)
    # Every record with its reason in full (a table wraps its text; none is cut).
    table = next(t.value for t in app.table if "step · activity" in t.value.columns)
    assert len(table) == len(trace)
    assert [t.split(" · ")[-1] for t in table["step · activity"]] == list(trace["activity"])
    assert list(table["why"]) == [d or "–" for d in trace["detail"]]
    assert any(w.startswith("queue for ") for w in table["why"])
    app.radio(key="staple.scope").set_value("cash").run()
    assert not app.exception
    by_dept = app.dataframe[-2].value  # then the delay causes
    expected = result.where_time_goes("cash").by_department
    assert list(by_dept["holder"]) == list(expected["department"])
    app.slider(key="staple.max_orders").set_value(20).run()
    app.segmented_control(key="staple.until").set_value("all").run()
    assert not app.exception and len(charts_shown(app)) == 3
    # The replay: the war room as it stood on a day of the simulated time.
    replay = app.slider(key="staple.replay")
    day = round((replay.min + replay.max) / 2, 1)
    replay.set_value(day).run()
    assert not app.exception
    titles = [json.dumps(s.get("title")) for s in charts_shown(app)]
    assert any(f"as it stood on day {day:.1f}" in t for t in titles)
    # Play steps through simulated time, from the start when the slider is at the end; each
    # rerun of the wall (the fragment's timer, here app.run) moves it on by one frame.
    replay.set_value(replay.max).run()
    first, last = replay.min, replay.max
    app.button(key="staple.play").click().run()
    assert not app.exception and app.button(key="staple.play").label == "Pause"
    shown = app.slider(key="staple.replay").value
    assert first < shown < last and app.slider(key="staple.replay").disabled
    app.run()
    assert app.slider(key="staple.replay").value > shown
    titles = [json.dumps(s.get("title")) for s in charts_shown(app)]
    assert any(f"as it stood on day {app.slider(key='staple.replay').value:.1f}" in t
               for t in titles)
    app.button(key="staple.play").click().run()
    assert app.button(key="staple.play").label == "Play"
    assert not app.slider(key="staple.replay").disabled


def test_staple_lists_orders_by_filter_and_explains_a_lost_one(app):
    # Customers who give 3 days at a tolerance: some inquiries are lost to long quotes.
    scenario, seed = on_page(app, "staple", scenario="default", days=45.0,
                             **{"customers.*.demand_lead_time": 3.0})
    result = simulate(scenario, seed)
    app.radio(key="staple.pick").set_value("from a list").run()
    assert not app.exception
    app.multiselect(key="staple.status").set_value(["lost"]).run()
    lost = order_list(result, status=["lost"])
    assert len(lost) and f"({len(lost):,} of {len(result.orders):,} match)" in \
        app.selectbox(key="staple.listed").label
    oid = int(lost["id"].iloc[-1])
    app.selectbox(key="staple.listed").set_value(oid).run()
    assert not app.exception and order_shown(app) == oid
    o = result.trace(oid).order
    # Why it was lost: its quote against D and what the customer accepts, not n/a cards.
    why = app.warning[0].value
    assert why == explain_outcome(result, o) and why.startswith("Lost at pricing")
    assert f"quoted {format_duration(o['quoted_lead_time'])}" in why
    assert f"D of {format_duration(o['demand_lead_time'])}" in why
    cards = {m.label: m.value for m in app.metric}
    assert "n/a" not in cards.values()
    assert_shown(cards["Quoted lead time"], o["quoted_lead_time"], "quote")
    tolerance = scenario.customers[o["customer_class"]].quote_tolerance
    assert_shown(cards["Customer accepts up to"], tolerance * o["demand_lead_time"], "limit")
    # Late ones of one class and product: the list holds exactly the library's.
    app.multiselect(key="staple.status").set_value([])
    app.checkbox(key="staple.late").check()
    first_late = order_list(result, late=True).iloc[0]
    cls, product = first_late["customer_class"], first_late["product"]
    app.multiselect(key="staple.class").set_value([cls])
    app.multiselect(key="staple.product").set_value([product]).run()
    expected = order_list(result, late=True, customer_class=[cls], product=[product])
    shown = app.selectbox(key="staple.listed").options  # "#id · status... · class · product"
    assert [int(t.split()[0].lstrip("#")) for t in shown] == list(expected["id"])
    assert all(f"· {cls} ·" in t and t.endswith(f"x {product}") for t in shown)
    assert len(expected) and expected["late"].all()


def test_staple_without_a_late_order_says_so(app):
    # Customers who give 30 days: no order is late.
    scenario, seed = on_page(app, "staple", **{"customers.*.demand_lead_time": 30.0})
    with pytest.raises(TraceError, match="no late order"):
        pick_order(simulate(scenario, seed), "late")
    app.radio(key="staple.pick").set_value("late").run()
    assert not app.exception
    assert "no late order" in app.warning[0].value
    assert not app.subheader  # no order shown


KPI_OF_ROW = {axis_label(k): k for k in KPIS}
"""A compare table's row (the registry's label and unit) -> the KPI's name."""


def table_values(app, index: int) -> dict:
    df = app.table[index].value
    return {(KPI_OF_ROW[row], alt): df.loc[row, alt] for row in df.index for alt in df.columns}


def test_compare_strategies_with_confidence_intervals(app):
    scenario, _ = on_page(app, "compare")
    assert "press **Run the comparison**" in app.info[0].value
    app.multiselect(key="compare.alternatives.decoupling points").set_value(["mto", "ato"])
    app.number_input(key="compare.reps").set_value(3)
    app.number_input(key="compare.days").set_value(30.0)
    app.number_input(key="compare.workers").set_value(1)
    app.button(key="compare.go").click().run()
    assert not app.exception and not app.warning
    expected = compare(scenario.with_overrides(horizon_days=30.0), ["mto", "ato"], reps=3,
                       workers=1).summary.set_index(["kpi", "alternative"])
    means = table_values(app, 0)
    for (kpi, alt), text in means.items():
        assert_interval_shown(text, expected.loc[(kpi, alt), "mean"],
                              expected.loc[(kpi, alt), "half_width"], kpi)
    for (kpi, alt), text in table_values(app, 1).items():  # paired differences vs mto
        assert_interval_shown(text.removesuffix(" *"), expected.loc[(kpi, alt), "diff"],
                              expected.loc[(kpi, alt), "diff_half_width"], kpi)
        significant = abs(expected.loc[(kpi, alt), "diff"]) > expected.loc[(kpi, alt),
                                                                           "diff_half_width"]
        assert text.endswith(" *") == significant
    shown = charts_shown(app)  # the comparison, interactive
    assert not app.image and len(shown) == 1 and has_tooltips(shown[0])
    assert "omcsim compare classroom-edited.yaml --strategies mto,ato --reps 3 --seed 1 --days 30" in [
        c.value for c in app.code]
    # Choosing other KPIs redraws from the same runs.
    app.multiselect(key="compare.kpis").set_value(["otif", "wip_mean"]).run()
    assert not app.exception and list(app.table[0].value.index) == ["OTIF (%)", "Work in progress (orders)"]


def test_compare_priority_rules_shows_paired_differences(app):
    on_page(app, "compare")
    app.radio(key="compare.what").set_value("priority rules").run()
    app.multiselect(key="compare.alternatives.priority rules").set_value(["fcfs", "edd"])
    app.number_input(key="compare.reps").set_value(2)
    app.number_input(key="compare.days").set_value(30.0)
    app.number_input(key="compare.workers").set_value(1)
    app.button(key="compare.go").click().run()
    assert not app.exception
    assert list(app.table[1].value.columns) == ["edd"]  # differences against the baseline
    assert any("--alt 'edd: priority_rule=edd'" in c.value for c in app.code)


def test_compare_any_parameter_as_the_cli_alt_does(app):
    scenario, _ = on_page(app, "compare")
    app.radio(key="compare.what").set_value("any parameters").run()
    assert not app.exception
    app.text_area(key="compare.alt_text").set_value("now: priority_rule=fcfs\nbad: nope=1").run()
    assert "Line 2 is not a valid alternative" in app.error[0].value and "nope" in app.error[0].value
    text = "now: priority_rule=fcfs\nbig office: departments.office.staff=3; priority_rule=edd"
    app.text_area(key="compare.alt_text").set_value(text).run()
    app.number_input(key="compare.reps").set_value(2)
    app.number_input(key="compare.days").set_value(30.0)
    app.number_input(key="compare.workers").set_value(1)
    app.button(key="compare.go").click().run()
    assert not app.exception
    assert list(app.table[1].value.columns) == ["big office"]
    alternatives = {"now": {"priority_rule": "fcfs"},
                    "big office": {"departments.office.staff": 3, "priority_rule": "edd"}}
    expected = compare(scenario.with_overrides(horizon_days=30.0), alternatives, reps=2,
                       workers=1).summary.set_index(["kpi", "alternative"])
    for (kpi, alt), text in table_values(app, 0).items():
        assert_interval_shown(text, expected.loc[(kpi, alt), "mean"],
                              expected.loc[(kpi, alt), "half_width"], kpi)
    assert any("--alt 'big office: departments.office.staff=3; priority_rule=edd'" in c.value
               for c in app.code)


def test_sweep_and_advisor_show_progress_and_the_library_advice(app):
    scenario, _ = on_page(app, "sweep")
    app.multiselect(key="sweep.ratios").set_value([0.5, 2.0])
    app.multiselect(key="sweep.strategies").set_value(["mto", "ato"])
    app.number_input(key="sweep.reps").set_value(2)
    app.number_input(key="sweep.days").set_value(30.0)
    app.number_input(key="sweep.workers").set_value(1).run()
    assert "2 decoupling points x 2 P:D ratios x 2 replications: 8 runs" in app.caption[-1].value
    app.button(key="sweep.go").click().run()
    assert not app.exception
    expected = advise(scenario.with_overrides(horizon_days=30.0), 0.95, [0.5, 2.0],
                      strategies=["mto", "ato"], reps=2, workers=1)
    recs = app.table[0].value
    labels = {"mto": "MTO (raw material)", "ato": "ATO (components)",
              None: "none meets the target"}
    assert list(recs["recommended"]) == [labels[r] for r in expected.recommendations["recommended"]]
    assert list(recs["why"]) == list(expected.recommendations["reason"])
    others = pd.concat([t.value for t in app.table[1:]])  # one table per D
    assert list(others["verdict"]) == list(expected.table["verdict"])
    # Reasons in full; no "None", "nan" or raw floats (16.2307) anywhere in the advisor tables.
    assert [r.split(" (warnings: ")[0] for r in others["reason"]] == list(expected.table["reason"])
    for table in (recs, others):
        for column in table.columns.drop(["why", "reason"], errors="ignore"):
            for cell in table[column]:
                assert cell not in ("None", "nan", "NaN", "") and not re.search(
                    r"\d\.\d{4,}", cell), (column, cell)
    # The advisor's reasons are written by simulator.format too: 100.0 ± 0.0%, not 1.000.
    for text in [*recs["why"], *others["reason"]]:
        assert not re.search(r"\d\.\d{3,}", text), text
    # Money columns name their unit.
    assert others["Inventory value (money)"].notna().all()
    assert "Total cost (money)" in recs and "Total cost (money)" in others
    # Cost and stock against OTIF, KPIs against P:D, the heatmap: interactive charts.
    shown = charts_shown(app)
    assert not app.image and len(shown) == 3 and all(has_tooltips(c) for c in shown)
    app.selectbox(key="sweep.heatmap_kpi").set_value("inventory_value_mean").run()
    assert not app.exception and len(charts_shown(app)) == 3


def test_sweep_needs_a_cell(app):
    on_page(app, "sweep")
    app.multiselect(key="sweep.strategies").set_value([]).run()
    assert not app.exception
    assert "at least one" in app.info[0].value


def test_learn_page_explains_the_cycle_with_the_current_scenario(app):
    scenario, _ = on_page(app, "learn")
    steps = app.table[0].value
    assert len(steps) == len(STEPS) == 10
    assert steps.iloc[3, -1].startswith(scenario.steps.entry.department)
    cards = {m.label: m.value for m in app.metric}
    assert_shown(cards["P:D"], compile_plan(scenario).pd_ratio, "P:D")
    strategies = app.table[1].value
    assert list(strategies.index) == ["ETO", "MTO", "ATO", "MTS", "DC"]  # DC: digital copy, the fifth option
    assert strategies.loc[scenario.strategy.upper(), "in this scenario"] == "current"
    # The README's teacher command (tests/packaging/test_packaging_teach.py runs it).
    teacher = "bash scripts/setup.sh --teach && .venv/bin/jupyter lab notebooks/"
    assert any(teacher in m.value for m in app.markdown)
    notebooks = sorted((APP.parents[1] / "notebooks").glob("*.ipynb"))
    buttons = [b for b in app.get("download_button")]
    assert len(buttons) == len(notebooks)
    for nb in notebooks:
        json.loads(nb.read_text())  # a real notebook the page offers
    # Every lesson, with its objectives as its notebook states them and its preview figure.
    titles = [s.value for s in app.subheader]
    shown = "\n".join(m.value for m in app.markdown)
    for nb in notebooks:
        first = next(c for c in json.loads(nb.read_text())["cells"] if c["cell_type"] == "markdown")
        heading = "".join(first["source"]).splitlines()[0].lstrip("# ")
        assert heading in titles
        objectives = re.findall(r"^\d\. (.*)$", "".join(first["source"]), re.MULTILINE)
        assert objectives and all(o in shown for o in objectives), nb.name
    assert len(app.get("image")) == len(notebooks)


@pytest.mark.parametrize("page", ["compare", "sweep", "staple", "learn", "editor", "network"])
def test_every_page_opens_on_the_default_scenario_first(app, page):
    # A page opened before the Run page (a bookmark) works on the default scenario.
    app.switch_page(f"pages/{page}.py").run()
    assert not app.exception
    assert "current" not in app.session_state  # the Run page did not run
    assert any("**default**" in m.value for m in [*app.markdown, *app.caption])


def test_compare_shows_the_overload_of_eto_above_the_numbers(app):
    on_page(app, "compare", scenario="default", days=60.0)
    app.multiselect(key="compare.alternatives.decoupling points").set_value(["ato", "eto"])
    app.number_input(key="compare.reps").set_value(2)
    app.number_input(key="compare.days").set_value(60.0)
    app.number_input(key="compare.workers").set_value(1)
    app.button(key="compare.go").click().run()
    assert not app.exception
    banners = [e.value for e in app.error]
    assert len(banners) == 1  # eto's, not ato's
    assert banners[0].startswith("**eto**") and "- overload: sales " in banners[0]
    assert "in 2/2 runs: sales: offered load" in banners[0]
    kinds = [el.type for el in app.main]
    assert kinds.index("error") < kinds.index("table")


def test_sweep_shows_the_overload_and_the_advisor_calls_it_overloaded(app):
    on_page(app, "sweep", scenario="default", days=60.0)
    app.multiselect(key="sweep.ratios").set_value([2.0])
    app.multiselect(key="sweep.strategies").set_value(["ato", "eto"])
    app.number_input(key="sweep.reps").set_value(2)
    app.number_input(key="sweep.days").set_value(60.0)
    app.number_input(key="sweep.workers").set_value(1)
    app.button(key="sweep.go").click().run()
    assert not app.exception
    banners = [e.value for e in app.error]
    assert len(banners) == 1 and banners[0].startswith("**eto**")
    assert "- P:D 2 · overload: sales " in banners[0]
    assert list(app.table[0].value["recommended"]) != ["ETO (no stock)"]
    verdicts = pd.concat([t.value for t in app.table[1:]]).set_index("decoupling point")["verdict"]
    assert verdicts["ETO (no stock)"] == "overloaded"
