"""The promise policy's part of the format (docs/order-life.md, "Promises"): absent = no
policy, bad input gives one message naming the path, exit 2 from the CLI."""

import subprocess
import sys
from pathlib import Path

import pytest

from simulator import ScenarioError, load_scenario

POLICY = "steps.pricing.promising"


def error_of(overrides):
    with pytest.raises(ScenarioError) as e:
        load_scenario("classroom", overrides)
    return str(e.value)


def test_absent_means_no_policy_and_an_empty_section_means_ctp():
    assert load_scenario("classroom").steps.pricing.promising is None
    policy = load_scenario("classroom", {POLICY: {}}).steps.pricing.promising
    assert (policy.method, policy.buffer_days, policy.tolerance_days) == ("ctp", 0.0, 1.0)


def test_unknown_method_names_the_path_and_the_methods():
    msg = error_of({f"{POLICY}.method": "asap"})
    assert f"{POLICY}.method" in msg and "'atp'" in msg and "'request'" in msg


@pytest.mark.parametrize(("field", "value"), [
    ("buffer_days", -1), ("buffer_days", float("nan")), ("tolerance_days", -0.5),
    ("tolerance_days", "soon"), ("buffer_days", 1e9),
])
def test_bad_days_name_their_path(field, value):
    msg = error_of({POLICY: {"method": "atp", field: value}})
    assert f"{POLICY}.{field}" in msg
    assert "\n" not in msg


def test_a_buffer_on_the_requested_date_is_refused():
    msg = error_of({POLICY: {"method": "request", "buffer_days": 2}})
    assert POLICY in msg and "buffer_days" in msg and "request" in msg


@pytest.mark.parametrize("args", [
    ["run", "classroom", "--set", f"{POLICY}.method=asap"],
    ["run", "classroom", "--set", f"{POLICY}={{method: request, buffer_days: 1}}"],
    ["run", "classroom", "--set", f"{POLICY}.tolerance_days=-1"],
])
def test_cli_bad_promise_input_exits_2_with_one_message(args):
    p = subprocess.run([sys.executable, "-m", "simulator.cli", *args], capture_output=True,
                       text=True, cwd=Path(__file__).parents[2])
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr and p.stdout == ""
    assert POLICY in p.stderr
