"""Bad scenario files and output paths: one readable message, exit code 2, before any run."""

from __future__ import annotations

import pytest
from cli_helpers import refusal

from simulator import ScenarioError, load_scenario
from simulator.scenario import MAX_FILE_BYTES, SCENARIO_DIR, parse_override

DEFAULT = (SCENARIO_DIR / "default.yaml").read_text()



def scenario_error(text: str, tmp_path) -> str:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as e:
        load_scenario(path)
    assert path.read_text() == text  # input untouched
    return str(e.value)


# ---------------------------------------------------------------- YAML


def test_a_duplicate_key_is_refused_naming_the_key_and_both_lines(tmp_path):
    msg = scenario_error(DEFAULT.replace("horizon_days: 365", "horizon_days: 365\nhorizon_days: 30"),
                         tmp_path)
    line = DEFAULT.splitlines().index("horizon_days: 365") + 1
    assert "'horizon_days' is given twice" in msg
    assert f"line {line + 1}" in msg and f"line {line})" in msg


def test_a_duplicate_key_in_a_nested_flow_mapping_is_refused(tmp_path):
    msg = scenario_error(DEFAULT.replace("web:       {rate_per_day: 2.5,",
                                         "web:       {rate_per_day: 2.5, rate_per_day: 9,"),
                         tmp_path)
    assert "'rate_per_day' is given twice" in msg


@pytest.mark.parametrize(("text", "value"), [("1e-3", 0.001), ("2E2", 200.0), ("-1.5e+1", -15.0),
                                             (".5e1", 5.0)])
def test_a_number_in_e_notation_is_a_number(text, value, tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(DEFAULT.replace("error_rate: 0.04", f"error_rate: {text}"))
    if value < 0 or value > 1:
        with pytest.raises(ScenarioError, match=r"steps\.entry\.error_rate"):
            load_scenario(path)
    else:
        assert load_scenario(path).steps.entry.error_rate == value
    assert parse_override(f"horizon_days={text}") == ("horizon_days", value)


@pytest.mark.parametrize("depth", [200, 100_000])
def test_deep_nesting_is_refused_without_recursion_error(depth, tmp_path):
    msg = scenario_error("name: " + "[" * depth + "]" * depth + "\n", tmp_path)
    assert "nest" in msg


def test_an_alias_bomb_is_refused(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    msg = scenario_error("\n".join(lines) + "\n", tmp_path)
    assert "aliases" in msg


def test_a_large_file_is_refused_before_parsing(tmp_path, monkeypatch):
    import simulator.scenario as scenario

    monkeypatch.setattr(scenario, "read_yaml", lambda *a: pytest.fail("the file was parsed"))
    msg = scenario_error("#" * (MAX_FILE_BYTES + 1), tmp_path)
    assert f"{MAX_FILE_BYTES:,} bytes" in msg


@pytest.mark.parametrize(("content", "expected"), [
    (b"", "empty"),
    (b"- 1\n- 2\n", "a YAML mapping"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "UTF-8"),
    (b"name: x\x00y\n", "not valid YAML"),
    (b"name: [unclosed\n", "not valid YAML at line"),
    (b"on: 1\n", "quote it"),
])
def test_garbage_files_are_refused(content, expected, tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_bytes(content)
    err = refusal(["run", str(path), "--days", "1"], capsys)
    assert expected in err
    assert len(err.strip().splitlines()) == 1, err
    assert path.read_bytes() == content


def test_a_folder_is_not_a_scenario(tmp_path, capsys):
    assert "is a folder" in refusal(["validate", str(tmp_path)], capsys)


# ---------------------------------------------------------------- values


@pytest.mark.parametrize(("override", "field"), [
    ("start_date=9999-12-01", "start_date"),
    ("horizon_days=.nan", "horizon_days"),
    ("steps.generation.channels.web.rate_per_day=1e5", "rate_per_day"),
    ("customers.key_accounts.demand_lead_time={dist: normal, mean: -10, sd: 1}", "demand_lead_time"),
    ("steps.entry.time={dist: gamma, mean: 1, cv: 1e-200}", "steps.entry.time"),
    ("steps.entry.time={dist: lognormal, mean: 1, cv: 1e200}", "steps.entry.time"),
    ("steps.planning.period_days=1e-9", "period_days"),
    ("chain.stages.assembly.breakdowns={time_between_failures: 1e-9, repair_time: 0}",
     "breakdowns"),
    ("departments.sales.staff=true", "departments.sales.staff"),
    ("chain.buffers.components.lot_size=1000000000", "lot_size"),
])
def test_values_that_would_hang_overflow_or_mislead_are_refused(override, field, capsys):
    err = refusal(["run", "default", "--days", "1", "--set", override], capsys)
    assert field in err


# ---------------------------------------------------------------- output paths, before the run


@pytest.fixture
def no_run(monkeypatch):
    import simulator.cli.experiment as experiment
    import simulator.cli.run as run
    import simulator.cli.trace as trace

    def fail(*args, **kwargs):
        raise AssertionError("the run started before the output path was checked")

    for module, name in ((run, "simulate"), (trace, "simulate"), (experiment, "compare"),
                         (experiment, "sweep"), (experiment, "warmup")):
        monkeypatch.setattr(module, name, fail)


@pytest.mark.parametrize("argv", [
    ["run", "default", "--out", "{FILE}"],
    ["run", "default", "--out", "{FILE}/sub"],
    ["run", "default", "--out", "/proc/omcsim-results"],
    ["run", "default", "--events", "{FILE}/events.csv"],
    ["run", "default", "--events", "/proc/omcsim/events.csv"],
    ["run", "default", "--events", "{DIR}"],
    ["trace", "default", "--pick", "slowest", "--plot", "/proc/omcsim/order.png"],
    ["trace", "default", "--all", "--war-room", "{FILE}/wall.png"],
    ["compare", "default", "--strategies", "mts,ato", "--out", "{FILE}"],
    ["sweep", "default", "--pd", "1", "--out", "/proc/omcsim-sweep"],
    ["warmup", "default", "--plot", "{FILE}/welch.png"],
    ["warmup", "default", "--plot", "welch.txt"],
])
def test_unwritable_outputs_are_refused_before_the_run(argv, tmp_path, capsys, no_run):
    existing = tmp_path / "existing.txt"
    existing.write_text("keep me")
    argv = [a.replace("{FILE}", str(existing)).replace("{DIR}", str(tmp_path)) for a in argv]
    err = refusal(argv, capsys)
    assert "--out" in err or "--events" in err or "--plot" in err or "--war-room" in err
    assert existing.read_text() == "keep me"
