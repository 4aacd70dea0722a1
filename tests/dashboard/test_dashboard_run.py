"""The Run page and first load, through Streamlit's AppTest: KPI cards against the library,
levers turned into overrides the CLI reproduces, uploads with readable errors, the run cache."""

import json
import shlex
import sys

import pytest
import yaml
from dashboard_checks import (
    CARDS,
    MORE_CARDS,
    apply_levers,
    assert_shown,
    charts_shown,
    has_tooltips,
)

from simulator import format as fmt
from simulator import load_scenario, simulate
from simulator.cli import build_parser, main
from simulator.cli.common import scenario_from_args
from simulator.scenario import SCENARIO_DIR, parse_scenario


def shown(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def current_scenario(at):
    cur = at.session_state["current"]
    return parse_scenario(yaml.safe_load(cur["yaml"])), cur["seed"]


def classroom(app, days: float = 60.0):
    """The Run page on the small classroom scenario, shortened: cheap runs for lever tests."""
    app.session_state["run.source"] = "classroom"
    app.session_state["run.classroom.horizon_days"] = days
    app.run()
    assert not app.exception
    return app


def test_first_load_shows_the_default_scenario_without_a_click(app):
    app.run()
    assert not app.exception
    assert app.title[0].value == "Run: default"
    kpis = simulate(load_scenario("default"), 1).kpis
    cards = shown(app)
    for label, name in {**CARDS, **MORE_CARDS}.items():
        assert_shown(cards[label], kpis[name], name)
    # cycle-time distribution, fill rate over time, backorders and inventory over time
    specs = charts_shown(app)
    assert len(specs) == 3 and all(has_tooltips(s) for s in specs)  # interactive: hover
    assert any("seed 1" in m.value for m in app.markdown)


def test_levers_become_overrides_that_the_cli_reproduces(app):
    classroom(app)
    app.selectbox(key="run.classroom.decoupling_point").set_value("ato")
    app.number_input(key="run.classroom.customers.*.demand_lead_time").set_value(3.0)
    app.number_input(key="run.classroom.departments.office.staff").set_value(2)
    app.selectbox(key="run.classroom.priority_rule").set_value("edd")
    app.number_input(key="run.classroom.seed").set_value(7)
    apply_levers(app)
    assert not app.exception
    scenario, seed = current_scenario(app)
    assert seed == 7
    assert (scenario.codp, scenario.priority_rule, scenario.departments["office"].staff) == (
        "components", "edd", 2)
    assert all(c.demand_lead_time.mean() == 3.0 for c in scenario.customers.values())
    # Cards show this run's KPIs, with deltas against the unedited scenario.
    kpis = simulate(scenario, 7).kpis
    cards = shown(app)
    for label, name in CARDS.items():
        assert_shown(cards[label], kpis[name], name)
    assert any(m.proto.delta for m in app.metric)
    # The --set command line shown builds the very same scenario.
    command = next(c.value for c in app.code if "--set" in c.value)
    args = build_parser().parse_args(shlex.split(command)[1:])
    assert scenario_from_args(args) == scenario and args.seed == 7


def test_downloaded_yaml_reproduces_the_run_from_the_cli(app, tmp_path, capsys):
    classroom(app)
    app.selectbox(key="run.classroom.decoupling_point").set_value("mts")
    apply_levers(app)
    scenario, seed = current_scenario(app)
    path = tmp_path / "classroom-edited.yaml"
    path.write_text(scenario.to_yaml())  # what the "Scenario (YAML)" button serves
    assert f"omcsim run {path.name} --seed {seed}" in [c.value for c in app.code]
    capsys.readouterr()
    assert main(["run", str(path), "--seed", str(seed), "--json", "--quiet"]) == 0
    kpis = json.loads(capsys.readouterr().out)
    cards = shown(app)
    for label, name in CARDS.items():
        assert_shown(cards[label], kpis[name], name)


def test_moving_back_to_a_setting_does_not_simulate_again(app, monkeypatch):
    classroom(app, days=50.0)  # a horizon no other test uses: the cache is process-wide
    ui = sys.modules["ui"]
    calls = []

    def counting(scenario, seed):
        calls.append(scenario.decoupling_point)
        return simulate(scenario, seed)

    monkeypatch.setattr(ui, "simulate", counting)
    box = "run.classroom.decoupling_point"
    for strategy in ("mts", "mto", "mts", "mto"):
        app.selectbox(key=box).set_value(strategy)
        apply_levers(app)
        assert not app.exception
    assert calls == ["mts"]  # mto (the base) was cached before; mts once, then from the cache


def test_lever_values_survive_a_visit_to_another_page(app):
    classroom(app)
    app.selectbox(key="run.classroom.decoupling_point").set_value("ato")
    apply_levers(app)
    app.switch_page("pages/learn.py").run()
    app.switch_page("pages/run.py").run()
    assert not app.exception
    assert app.selectbox(key="run.classroom.decoupling_point").value == "ato"
    assert current_scenario(app)[0].codp == "components"


def test_reset_restores_the_scenario_values(app):
    classroom(app)
    app.selectbox(key="run.classroom.priority_rule").set_value("edd")
    apply_levers(app)
    assert current_scenario(app)[0].priority_rule == "edd"
    next(b for b in app.sidebar.button if b.label.startswith("Reset")).click().run()
    assert not app.exception
    assert current_scenario(app)[0] == load_scenario("classroom")


def test_invalid_lever_combination_is_a_readable_message(app):
    # quote_tolerance needs D > 0: the library refuses it, the page says so.
    classroom(app)
    app.number_input(key="run.classroom.customers.*.demand_lead_time").set_value(0.0)
    apply_levers(app)
    assert not app.exception
    assert "quote_tolerance" in app.error[0].value
    assert not app.metric


@pytest.mark.parametrize(("content", "expected"), [
    (b"name: broken\nhorizon_days: [1, 2\n", "not valid YAML at line"),
    (b"name: x\nhorizon_days: -5\n", "horizon_days"),
    (b"- just\n- a list\n", "a YAML mapping"),
    ((SCENARIO_DIR / "classroom.yaml").read_bytes().replace(b"priority_rule: fcfs",
                                                             b"priority_rule: fastest"),
     "priority_rule"),
])
def test_bad_upload_is_a_readable_message_not_a_traceback(app, content, expected):
    app.run()
    app.file_uploader(key="run.upload").set_value(("mine.yaml", content, "application/x-yaml"))
    app.run()
    assert not app.exception
    message = app.error[0].value
    assert expected in message and "mine.yaml" in message
    assert "Traceback" not in message and "/tmp" not in message
    assert app.title[0].value == "Run: default"  # the bad file is not used


def test_valid_upload_becomes_the_scenario(app):
    text = (SCENARIO_DIR / "classroom.yaml").read_text().replace("name: classroom",
                                                                 "name: my-shop")
    text = text.replace("horizon_days: 120", "horizon_days: 40")
    assert "horizon_days: 40" in text
    app.run()
    app.file_uploader(key="run.upload").set_value(("shop.yaml", text.encode(), "text/yaml"))
    app.run()
    assert not app.exception and not app.error
    assert app.title[0].value == "Run: my-shop"
    assert app.selectbox(key="run.source").value.startswith("upload: shop.yaml")
    scenario, seed = current_scenario(app)
    assert scenario == parse_scenario(yaml.safe_load(text))
    assert_shown(shown(app)["OTIF"], simulate(scenario, seed).kpis["otif"], "otif")


@pytest.mark.parametrize(("strategy", "warned"), [("eto", True), ("ato", False)])
def test_run_warnings_are_banners_above_the_cards(app, strategy, warned):
    # ETO on the default scenario: quotes need days of engineering each, sales cannot keep up.
    app.session_state["run.default.decoupling_point"] = strategy
    app.session_state["run.default.horizon_days"] = 60.0
    app.run()
    assert not app.exception
    kpis = simulate(load_scenario("default", {"decoupling_point": strategy,
                                              "horizon_days": 60.0}), 1).kpis
    assert bool(kpis["warnings"]) == warned
    banners = [e.value for e in app.error]
    if not warned:
        assert not banners and not app.warning
        return
    assert any(b.startswith("**overload**: sales: offered load") for b in banners)
    assert len(banners) + len(app.warning) == len(kpis["warnings"])
    # Above the KPI cards: the page's elements in order.
    kinds = [el.type for el in app.main]
    assert kinds.index("error") < kinds.index("metric")


def test_levers_take_effect_together_on_apply(app, monkeypatch):
    classroom(app, days=55.0)  # a horizon no other test uses: the cache is process-wide
    ui = sys.modules["ui"]
    calls = []
    monkeypatch.setattr(ui, "simulate", lambda sc, seed: calls.append(sc) or simulate(sc, seed))
    def change():
        app.selectbox(key="run.classroom.priority_rule").set_value("edd")
        app.number_input(key="run.classroom.departments.office.staff").set_value(3)

    change()
    app.run()  # a change without Apply runs nothing
    assert calls == [] and current_scenario(app)[0].priority_rule == "fcfs"
    change()  # (AppTest drops a form's unsubmitted values on a rerun; a browser keeps them)
    apply_levers(app)
    assert not app.exception
    assert len(calls) == 1  # one run with both changes, not one per change
    scenario = current_scenario(app)[0]
    assert scenario.priority_rule == "edd" and scenario.departments["office"].staff == 3


def test_run_history_compares_each_run_with_the_pinned_baseline(app):
    classroom(app)
    app.selectbox(key="run.classroom.priority_rule").set_value("edd")
    apply_levers(app)
    table = app.dataframe[-1].value
    assert list(table["run"]) == ["#1 (baseline)", "#2"]
    assert table["levers"].iloc[0] == "horizon_days = 60.0"  # classroom() shortens the run
    assert table["levers"].iloc[1] == "priority_rule = edd; horizon_days = 60.0"
    first, second = (simulate(load_scenario("classroom", {"horizon_days": 60.0, **o}), 1).kpis
                     for o in ({}, {"priority_rule": "edd"}))
    delta = fmt.format_delta("cycle_time_mean", second["cycle_time_mean"], first["cycle_time_mean"])
    assert table["Mean cycle time"].iloc[1].endswith(f"({delta})")
    app.selectbox(key="run.history.baseline").set_value(2).run()
    table = app.dataframe[-1].value
    assert list(table["run"]) == ["#1", "#2 (baseline)"]
    assert "(" not in table["Mean cycle time"].iloc[1]
