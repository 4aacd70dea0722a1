"""Scenario files: named scenarios load; bad input gives one readable message naming the field."""

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from simulator import ScenarioError, available_scenarios, load_scenario
from simulator.scenario import SCENARIO_DIR, json_schema, parse_override

NAMED = ["default", "classroom", "mts-retailer", "ato-pc-maker", "mto-machine-builder",
         "eto-project-shop"]


def test_every_named_scenario_is_there_and_valid():
    assert set(NAMED) <= set(available_scenarios())
    for name in available_scenarios():
        load_scenario(name)


def test_strategy_presets_map_to_buffers():
    codps = {s: load_scenario("default", {"decoupling_point": s}).codp
             for s in ("mts", "ato", "mto", "eto")}
    assert codps == {"mts": "finished_goods", "ato": "components", "mto": "raw_material",
                     "eto": "none"}
    assert load_scenario("default", {"decoupling_point": "components"}).strategy == "ato"


def test_overrides_do_not_mutate_the_base_and_star_sets_every_class():
    base = load_scenario("default")
    changed = base.with_overrides(**{"customers.*.demand_lead_time": 3})
    assert {c.demand_lead_time.mean() for c in changed.customers.values()} == {3}
    assert base.customers["key_accounts"].demand_lead_time.mean() == 6


def error_of(overrides, name="default"):
    with pytest.raises(ScenarioError) as e:
        load_scenario(name, overrides)
    return str(e.value)


def test_unknown_key_names_its_path():
    msg = error_of({"steps.entry.eror_rate": 0.1})
    assert "steps.entry.eror_rate" in msg and "unknown field" in msg


def test_out_of_range_value_names_field_and_limit():
    msg = error_of({"steps.entry.error_rate": 1.5})
    assert "steps.entry.error_rate" in msg and "1.5" in msg


def test_unknown_strategy_lists_the_allowed_ones():
    msg = error_of({"decoupling_point": "jit"})
    assert "decoupling_point" in msg and "mts" in msg and "finished_goods" in msg


def test_unknown_department_is_a_cross_field_error():
    msg = error_of({"steps.billing.department": "accounting"})
    assert "steps.billing.department" in msg and "accounting" in msg


def test_unknown_distribution_lists_families():
    msg = error_of({"steps.entry.time": {"dist": "weibull", "mean": 1}})
    assert "steps.entry.time" in msg and "exponential" in msg


def test_missing_file_lists_named_scenarios():
    with pytest.raises(ScenarioError, match=r"named scenarios: .*default"):
        load_scenario("no-such-scenario")


def test_broken_yaml_gives_line(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("name: x\nsteps: [unclosed\n")
    with pytest.raises(ScenarioError, match="not valid YAML at line"):
        load_scenario(f)


def test_override_syntax():
    assert parse_override("a.b=3") == ("a.b", 3)
    assert parse_override("a={dist: constant, value: 1}") == ("a", {"dist": "constant", "value": 1})
    with pytest.raises(ScenarioError, match=r"dotted\.path=value"):
        parse_override("nonsense")


def test_schema_is_json_with_the_top_level_fields():
    import json

    schema = json.loads(json_schema())
    assert {"decoupling_point", "steps", "chain", "customers", "products"} <= set(
        schema["properties"])


@pytest.mark.parametrize("args", [
    ["run", "default", "--set", "steps.entry.error_rate=2"],
    ["run", "default", "--set", "chain.stages.assembly.servers=-1"],
    ["run", "default", "--strategy", "jit"],
    ["run", "default", "--seed", "x"],
    ["run", "default", "--days", "0"],
    ["run", "missing.yaml"],
    ["run", "default", "--strategy", "mts", "--codp", "components"],
    ["validate", "default", "--bogus"],
])
def test_cli_bad_input_exits_2_with_one_message_and_no_traceback(args):
    before = hashlib.sha256((SCENARIO_DIR / "default.yaml").read_bytes()).hexdigest()
    p = subprocess.run([sys.executable, "-m", "simulator.cli", *args], capture_output=True,
                       text=True, cwd=Path(__file__).parents[2])
    assert p.returncode == 2
    assert "Traceback" not in p.stderr
    assert "error" in p.stderr
    assert p.stdout == ""
    assert hashlib.sha256((SCENARIO_DIR / "default.yaml").read_bytes()).hexdigest() == before


def test_overrides_never_write_into_the_callers_values():
    fg = {"unit_value": 200}
    load_scenario("classroom", {"chain.buffers.finished_goods": fg,
                                "chain.buffers.finished_goods.planned_lead_time": 1.5})
    assert fg == {"unit_value": 200}


def test_one_problem_at_several_paths_is_one_line():
    """A '*' override that is wrong for every class is one message naming every path."""
    with pytest.raises(ScenarioError) as err:
        load_scenario("default", {"customers.*.demand_lead_time": {"dist": "normal", "mean": -5,
                                                                    "sd": 1}})
    text = str(err.value)
    assert "\n" not in text
    assert all(f"customers.{c}.demand_lead_time" in text
               for c in ("key_accounts", "distributors", "end_users"))
