"""The payment, fraud-check and digital-copy parts of the format (docs/order-life.md): absent
sections change nothing, bad input gives one message naming the path, exit 2 from the CLI."""

import subprocess
import sys
from pathlib import Path

import pytest

from simulator import ScenarioError, load_scenario
from simulator.plan import compile_plan

WEB = "steps.generation.channels.web"


def error_of(overrides, name="classroom"):
    with pytest.raises(ScenarioError) as e:
        load_scenario(name, overrides)
    return str(e.value)


def test_payment_and_fraud_parse_and_mark_the_scenario():
    sc = load_scenario("classroom", {
        f"{WEB}.payment": {"method": "card", "hold_time": 0.001, "decline_rate": 0.05},
        f"{WEB}.fraud_check": {"review_rate": 0.1, "review_time": 0.02, "reject_rate": 0.01}})
    web = sc.steps.generation.channels["web"]
    assert web.method == "card" and web.payment.decline_rate == 0.05
    assert web.fraud_check.review_department is None
    assert sc.pays and not load_scenario("classroom").pays
    assert sc.steps.generation.channels["phone"].method == "terms"


def test_unknown_payment_method_names_the_path_and_the_methods():
    msg = error_of({f"{WEB}.payment": {"method": "cash"}})
    assert f"{WEB}.payment.method" in msg and "card" in msg and "prepayment" in msg


@pytest.mark.parametrize(("path", "value"), [
    ("payment", {"method": "card", "decline_rate": 1.5}),
    ("payment", {"method": "card", "decline_rate": -0.1}),
    ("fraud_check", {"review_rate": 2}),
    ("fraud_check", {"reject_rate": -1}),
])
def test_rates_outside_zero_one_name_their_path(path, value):
    msg = error_of({f"{WEB}.{path}": value})
    field = next(iter(k for k in value if k != "method"))
    assert f"{WEB}.{path}.{field}" in msg and "1" in msg
    assert "\n" not in msg  # one message


def test_a_decline_rate_needs_a_card_and_terms_have_no_hold():
    assert "decline_rate" in error_of({f"{WEB}.payment": {"method": "prepayment",
                                                            "decline_rate": 0.1}})
    assert "hold_time" in error_of({f"{WEB}.payment": {"method": "terms", "hold_time": 1}})


def test_the_reviewing_department_must_exist():
    msg = error_of({f"{WEB}.fraud_check": {"review_department": "risk"}})
    assert f"{WEB}.fraud_check.review_department" in msg and "'risk'" in msg


def test_delivery_is_a_literal_and_physical_products_need_a_bill_of_materials():
    msg = error_of({"products.widget.delivery": True})
    assert "products.widget.delivery" in msg
    msg = error_of({"products.widget.delivery": "download"})
    assert "products.widget.delivery" in msg and "digital" in msg
    msg = error_of({"products.widget.bill_of_materials": {}})
    assert "products.widget" in msg and "bill_of_materials" in msg
    sc = load_scenario("classroom", {"products.widget.delivery": "digital"})
    assert compile_plan(sc).digital("widget")  # a bill of materials is allowed, and unused


def test_a_digital_product_has_no_decoupling_point():
    msg = error_of({"products.widget.delivery": "digital",
                    "products.widget.decoupling_point": "mts"})
    assert "products.widget" in msg and "decoupling_point" in msg


def test_dc_preset_makes_every_product_digital_with_p_zero():
    sc = load_scenario("default", {"decoupling_point": "dc"})
    plan = compile_plan(sc)
    assert sc.codp == "digital" and sc.strategy == "dc"
    assert all(plan.digital(p) for p in sc.products)
    assert plan.production_lead_time == 0 and plan.pd_ratio == 0
    assert plan.codp_points == {} and plan.node_demand == {}


def test_pd_ratio_with_p_and_d_zero_is_undefined_not_a_number_shown():
    sc = load_scenario("default", {"decoupling_point": "dc", "customers.*.demand_lead_time": 0,
                                   "customers.*.quote_tolerance": None})
    assert compile_plan(sc).pd_ratio != compile_plan(sc).pd_ratio  # NaN: 0 / 0


@pytest.mark.parametrize("args", [
    ["run", "classroom", "--set", f"{WEB}.payment.method=cash"],
    ["run", "classroom", "--set", f"{WEB}.payment={{method: card, decline_rate: 2}}"],
    ["run", "classroom", "--set", f"{WEB}.fraud_check.reject_rate=1.5"],
    ["run", "classroom", "--set", "products.widget.delivery=yes"],
])
def test_cli_bad_payment_input_exits_2_with_one_message(args):
    p = subprocess.run([sys.executable, "-m", "simulator.cli", *args], capture_output=True,
                       text=True, cwd=Path(__file__).parents[2])
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr and p.stdout == ""
    assert "steps.generation.channels.web" in p.stderr or "products.widget.delivery" in p.stderr


# ---------------------------------------------------------------- changes and patience

CLS = "customers.regular"


def test_changes_and_patience_parse_and_mark_the_scenario():
    sc = load_scenario("classroom", {
        f"{CLS}.changes": {"cancel": 0.1, "date": 0.2, "lead_time": 3, "delay": 1},
        f"{CLS}.patience": {"dist": "exponential", "mean": 2}})
    spec = sc.customers["regular"]
    assert spec.changes.cancel == 0.1 and spec.changes.quantity == 0
    assert spec.patience.mean() == 2
    assert sc.changes_orders and not load_scenario("classroom").changes_orders


@pytest.mark.parametrize(("value", "words"), [
    ({"cancel": 0.6, "quantity": 0.3, "date": 0.2, "lead_time": 1, "delay": 1}, "at most 1"),
    ({"date": 0.2, "delay": 1}, "lead_time"),
    ({"cancel": 1.5, "delay": 1}, "cancel"),
    ({"cancel": 0.1}, "delay"),
    ({"cancel": 0.1, "delay": 1, "when": 2}, "unknown field"),
    ({"quantity": 0.1, "quantity_factor": 1e5, "delay": 1}, "quantity_factor"),
])
def test_bad_change_requests_name_their_path(value, words):
    msg = error_of({f"{CLS}.changes": value})
    assert f"{CLS}.changes" in msg and words in msg
    assert "\n" not in msg  # one message


def test_bad_patience_names_its_path():
    msg = error_of({f"{CLS}.patience": -1})
    assert f"{CLS}.patience" in msg


@pytest.mark.parametrize("args", [
    ["run", "classroom", "--set", f"{CLS}.changes={{cancel: 2, delay: 1}}"],
    ["run", "classroom", "--set", f"{CLS}.patience=yes"],
])
def test_cli_bad_change_input_exits_2_with_one_message(args):
    p = subprocess.run([sys.executable, "-m", "simulator.cli", *args], capture_output=True,
                       text=True, cwd=Path(__file__).parents[2])
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr and p.stdout == ""
    assert CLS in p.stderr
