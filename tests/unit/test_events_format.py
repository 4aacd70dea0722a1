"""The events: section: each effect's fields, targets checked against the scenario with the
field path, and the --disruptions option: bad input is one readable message, exit code 2."""

from __future__ import annotations

import pytest
from cli_helpers import refusal

from simulator import ScenarioError, load_scenario
from simulator.scenario import json_schema, load_events


def error(name: str, events: dict) -> str:
    with pytest.raises(ScenarioError) as e:
        load_scenario(name, {"events": events})
    return str(e.value)


def test_an_unknown_supplier_names_the_path_and_the_allowed_ones():
    msg = error("multi-site", {"fire": {"effect": "outage", "target": "foundry", "start": 10,
                                        "duration": 5}})
    assert "events.fire.target: 'foundry' is not a supplier or lane" in msg
    assert "castings_co" in msg and "brno_to_lyon" in msg


def test_a_chain_has_its_stages_one_site_and_one_lane():
    load_scenario("default", {"events": {
        "a": {"effect": "stop", "target": "plant", "start": 1, "duration": 1},
        "b": {"effect": "stop", "target": "assembly", "start": 1, "duration": 1},
        "c": {"effect": "outage", "target": "distribution", "start": 1, "duration": 1},
        "d": {"effect": "staff", "target": "sales", "staff": 1, "start": 1, "duration": 1}}})
    msg = error("default", {"x": {"effect": "outage", "target": "castings_co", "start": 1,
                                  "duration": 1}})
    assert "events.x.target" in msg and "['distribution']" in msg


@pytest.mark.parametrize(("event", "words"), [
    ({"effect": "stop", "target": "plant", "duration": 1}, "start, rate_per_year: give exactly one"),
    ({"effect": "stop", "target": "plant", "start": 1, "rate_per_year": 2, "duration": 1},
     "give exactly one"),
    ({"effect": "demand", "target": "plant", "factor": 2, "start": 1, "duration": 1},
     "target: a demand event has none"),
    ({"effect": "demand", "start": 1, "duration": 1}, "factor: a demand event needs one"),
    ({"effect": "late", "target": "distribution", "start": 1, "duration": 1},
     "extra_delay: a late event needs"),
    ({"effect": "staff", "target": "sales", "start": 1, "duration": 1}, "staff: a staff event"),
    ({"effect": "staff", "target": "sales", "staff": 9, "start": 1, "duration": 1},
     "events.e.staff: 9 away, but sales has 3"),
    ({"effect": "staff", "target": "procurement", "staff": 1, "start": 1, "duration": 1},
     "unlimited staff"),
    ({"effect": "demand", "factor": 2, "products": ["P999"], "start": 1, "duration": 1},
     "events.e.products: ['P999'] not defined"),
    ({"effect": "closed", "target": "nights", "start": 1, "duration": 1}, "is not a calendar"),
    ({"effect": "outage", "target": "distribution", "start": -1, "duration": 1}, "start"),
])
def test_bad_events_are_refused_with_their_path(event, words):
    assert words in error("default", {"e": event})


def test_bad_disruptions_on_the_command_line_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("events:\n  fire: {effect: outage, target: nobody, start: 5, duration: 3}\n")
    err = refusal(["run", "multi-site", "--disruptions", str(bad), "--days", "1"], capsys)
    assert "events.fire.target: 'nobody' is not a supplier or lane" in err
    assert bad.read_text().startswith("events:")  # input untouched
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("fire: {effect: outage}\n")
    err = refusal(["run", "default", "--disruptions", str(wrong)], capsys)
    assert "expected a YAML mapping with an 'events:' mapping" in err
    err = refusal(["run", "default", "--disruptions", str(tmp_path / "none.yaml")], capsys)
    assert "cannot read" in err


def test_the_example_events_file_loads_and_events_are_in_the_schema():
    sc = load_scenario("multi-site",
                       {"events": load_events("scenarios/events/castings-outage.yaml")})
    assert sc.events["foundry_fire"].target == "castings_co"
    assert '"events"' in json_schema() and "rate_per_year" in json_schema()


def test_an_events_text_names_its_source_and_the_shipped_events_are_listed():
    from simulator.scenario import EVENTS_DIR, available_events, events_from_text, load_events

    assert "castings-outage" in available_events()
    assert load_events(EVENTS_DIR / "castings-outage.yaml")["foundry_fire"]["effect"] == "outage"
    text = "events:\n  surge: {effect: demand, factor: 2, start: 10, duration: 5}\n"
    assert events_from_text(text, "upload.yaml") == {"surge": {"effect": "demand", "factor": 2,
                                                               "start": 10, "duration": 5}}
    for bad in ("events: 3", "- a list", "events: {a: [1"):
        with pytest.raises(ScenarioError, match=r"^upload\.yaml: "):
            events_from_text(bad, "upload.yaml")
