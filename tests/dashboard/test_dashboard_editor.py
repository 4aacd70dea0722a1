"""The scenario editor and the network page: a scenario's sections as tables and back (every
shipped scenario round-trips unchanged), problems named by path under their table, the edited
scenario used on the Run page; the network diagram marks the decoupling point."""

import sys

import pandas as pd
import pytest
import yaml
from dashboard_checks import APP

from simulator import available_scenarios, load_scenario
from simulator.plan import compile_plan

sys.path.insert(0, str(APP.parent))
import scenario_tables as tables  # the dashboard's folder, as `streamlit run` sets it


def _tables(data):
    return {s: tables.section_table(tables.get(data, s) or {}) for s in tables.sections(data)}


@pytest.mark.parametrize("name", available_scenarios())
def test_every_scenario_round_trips_through_the_tables(name):
    scenario = load_scenario(name)
    data = yaml.safe_load(scenario.to_yaml())
    edited, problems = tables.edited_scenario(data, _tables(data), scenario.name)
    assert problems == []
    assert edited.to_yaml() == scenario.to_yaml()


def test_problems_are_named_by_path_under_their_table():
    data = yaml.safe_load(load_scenario("default").to_yaml())
    t = _tables(data)
    t["products"].loc[t["products"]["name"] == "P100", "price"] = "-3"
    t["customers"].loc[t["customers"]["name"] == "end_users", "share"] = "[unclosed"
    edited, problems = tables.edited_scenario(data, t, "x")
    assert edited is None
    assert tables.problems_of("customers", problems)[0].startswith("customers.end_users.share: not a")
    t["customers"] = _tables(data)["customers"]
    edited, problems = tables.edited_scenario(data, t, "x")
    assert edited is None and problems == tables.problems_of("products", problems)
    assert problems[0].startswith("products.P100.price: Input should be greater than or equal to 0")


def test_rows_can_be_added_and_deleted():
    data = yaml.safe_load(load_scenario("default").to_yaml())
    t = _tables(data)
    dep = t["departments"]
    t["departments"] = dep.iloc[:0]  # every department deleted: steps name missing ones
    _, problems = tables.edited_scenario(data, t, "x")
    assert problems and any("sales" in p for p in problems)
    row = dep.iloc[[0]].copy()
    row["name"] = ""
    t["departments"] = pd.concat([dep, row], ignore_index=True)
    _, problems = tables.edited_scenario(data, t, "x")
    assert problems == ["departments, row 8: give the entry a name"]
    row["name"] = "quality"
    t["departments"] = pd.concat([dep, row], ignore_index=True)
    edited, problems = tables.edited_scenario(data, t, "with-quality")
    assert problems == [] and "quality" in edited.departments and edited.name == "with-quality"


@pytest.mark.parametrize("scenario", ["classroom", "multi-site"])
def test_editor_page_shows_every_section_and_uses_the_result_on_the_run_page(app, scenario):
    app.session_state["run.source"] = scenario
    app.session_state[f"run.{scenario}.horizon_days"] = 20.0
    app.run()
    app.switch_page("pages/editor.py").run()
    assert not app.exception
    data = yaml.safe_load(load_scenario(scenario, {"horizon_days": 20.0}).to_yaml())
    assert len(app.dataframe) == len(tables.sections(data))
    products = app.dataframe[0].value
    assert list(products["name"]) == list(data["products"])
    assert "valid" in app.success[0].value
    assert app.get("download_button")[0].proto.label == "Save as YAML"
    app.button(key="editor.use").click().run()
    assert not app.exception
    assert app.title[0].value == f"Run: {scenario}-edited"


def test_network_page_marks_the_decoupling_point(app):
    app.switch_page("pages/network.py").run()
    assert not app.exception
    dot = app.get("graphviz_chart")[0].proto.spec
    plan = compile_plan(load_scenario("default"))
    assert '"components" [shape=cylinder, style="filled,bold"' in dot  # the default's CODP
    assert "decoupling point" in dot and "finished_goods\\nnot stocked" in dot
    assert set(app.dataframe[0].value["stock point"]) == set(plan.stock_points)
