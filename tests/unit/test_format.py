"""The one KPI registry and the one formatter: every KPI has its metadata, numbers read the same
everywhere (one digit rule for intervals), intervals of non-negative KPIs stay at or above zero,
an undefined value says why, and one helper makes any KPI value JSON-safe."""

import json
import math

import numpy as np
import pytest

from simulator import format as fmt
from simulator.cli.run import format_kpis
from simulator.kpis import HIGHER, KPI_DEFINITIONS, KPIS, LOWER, NEITHER, finite_or_none, flat_kpis


def test_every_kpi_has_its_metadata_in_the_registry():
    assert list(KPIS) == list(KPI_DEFINITIONS)
    for name, k in KPIS.items():
        assert k.label and k.definition == KPI_DEFINITIONS[name][1], name
        assert k.unit == KPI_DEFINITIONS[name][0]
        assert k.direction in (HIGHER, LOWER, NEITHER), name
    assert KPIS["otif"].direction == HIGHER and KPIS["cost_total"].direction == LOWER
    assert (KPIS["otif"].low, KPIS["otif"].high) == (0.0, 1.0)
    assert KPIS["cash_to_cash"].low is None  # payables can outlast stock and receivables


@pytest.mark.parametrize(("name", "value", "shown"), [
    ("otif", 0.98765, "98.8%"),
    ("cycle_time_mean", 3.3241, "3.32 d"),
    ("backorder_delay_mean", 0.2, "4.8 h"),
    ("backorder_delay_mean", 0.00002, "<1 min"),
    ("cash_to_cash", -2.5, "-2.50 d"),
    ("backorders_mean", 0.0691, "0.069 units"),
    ("inventory_mean", 291.795, "291.8 units"),
    ("cost_total", 2734125.4, "2,734,125"),
    ("orders_lost", 13, "13"),
    ("pd_ratio", 1.6234, "1.62"),
    ("utilization.assembly", 0.8031, "80.3%"),
    ("otif", float("nan"), "n/a"),
    ("otif", None, "n/a"),
])
def test_values_read_in_their_unit(name, value, shown):
    assert fmt.format_value(name, value) == shown


def test_money_carries_the_currency_when_there_is_one():
    assert fmt.format_value("cost_total", 1234.4, "EUR") == "1,234 EUR"
    assert fmt.unit_text("cost_total", "EUR") == "EUR" and fmt.unit_text("cost_total") == "money"
    assert fmt.axis_label("cycle_time_mean") == "Mean cycle time (days)"
    assert fmt.axis_label("otif") == "OTIF (%)"


@pytest.mark.parametrize(("args", "shown"), [
    # One digit rule: two significant digits of the half-width, in the KPI's unit.
    (("otif", 0.9938, 0.0036), "99.38 ± 0.36%"),
    (("otif", -0.373, 0.0104, True), "-37.3 ± 1.0 pp"),  # a difference of shares: points
    (("cycle_time_mean", 3.41, 0.15), "3.41 ± 0.15 d"),
    (("cycle_time_mean", 0.754, 0.074, True), "+0.754 ± 0.074 d"),
    (("cost_total", 2740973.2, 8445.1), "2,740,973 ± 8,445"),
    (("orders_lost", 9.4, 4.4), "9.4 ± 4.4"),
    (("otif", float("nan"), 0.1), "n/a"),
    (("cycle_time_mean", 3.41, float("nan")), "3.41 d"),
])
def test_intervals_have_one_digit_rule(args, shown):
    assert fmt.format_interval(*args) == shown


def test_intervals_of_non_negative_kpis_never_go_below_zero_nor_shares_above_one():
    assert fmt.format_interval("backorders_mean", 0.012, 0.030) == "0.012 (0.000 to 0.042) units"
    assert fmt.format_interval("otif", 0.997, 0.006) == "99.70 (99.10 to 100.00)%"
    assert fmt.interval_bounds("backorders_mean", 0.012, 0.030) == (0.0, pytest.approx(0.042))
    # A KPI that can be negative, and a difference, keep their symmetric interval.
    assert fmt.format_interval("cash_to_cash", -1.0, 3.0) == "-1.0 ± 3.0 d"
    assert fmt.format_interval("backorders_mean", 0.012, 0.030, signed=True) == \
        "+0.012 ± 0.030 units"


def test_changes_read_like_values():
    assert fmt.format_delta("otif", 0.95, 0.98) == "-3.0 pp"
    assert fmt.format_delta("cycle_time_mean", 3.5, 3.25) == "+6.0 h"
    assert fmt.format_delta("cycle_time_mean", 2.0, 3.5) == "-1.50 d"
    assert fmt.format_delta("cost_total", 10, 10) is None
    assert fmt.format_delta("cost_total", float("nan"), 10) is None


def test_an_undefined_value_says_why():
    assert "due" in fmt.explain_na("otif")
    assert "decoupling stock" in fmt.explain_na("fill_rate")
    assert "unlimited" in fmt.explain_na("utilization.procurement")
    for name, k in KPIS.items():  # every KPI that can be NaN in compute_kpis names a reason
        if name in ("fill_rate", "order_fill_rate", "otif", "perfect_order", "pd_ratio",
                    "utilization") or name.startswith("cycle_time"):
            assert k.undefined, name


def test_an_n_a_says_the_runs_own_reason_when_it_has_one():
    """A run's own reason beats the registry's list; an experiment's runs whose reasons differ
    only by their figures give it once, with the first run's figures."""
    import pandas as pd

    own = "overloaded before the event: 812 of the 830 inquiries were never quoted"
    kpis = {"peak_backlog": float("nan"), "why_undefined": {"peak_backlog": own}}
    assert fmt.explain_na("peak_backlog", fmt.own_reason(kpis, "peak_backlog")) == f"n/a: {own}"
    assert fmt.explain_na("time_to_recover", fmt.own_reason(kpis, "time_to_recover")) == \
        f"n/a: {fmt.why_undefined('time_to_recover')}"
    runs = pd.DataFrame({"why_undefined.peak_backlog": [
        own, own.replace("812 of the 830", "1,090 of the 1,161"), None, "not recovered"]})
    assert fmt.own_reasons(runs, "peak_backlog") == \
        f"{own} (the first of 2 runs alike); not recovered"
    assert fmt.own_reasons(runs, "orders_lost_event") == ""


def test_the_cli_table_uses_the_formatter_and_explains_n_a():
    kpis = {name: float("nan") for name in KPIS}
    kpis.update(scenario="s", strategy="eto", decoupling_point="none", seed=1, otif=0.5,
                utilization={"office": 0.25, "procurement": float("nan")}, warnings=[])
    text = format_kpis(kpis)
    assert any(line.split() == ["otif", "50.0%"] for line in text.splitlines())
    assert "utilization.office" in text and "25.0%" in text
    line = next(x for x in text.splitlines() if x.startswith("fill_rate"))
    assert "n/a" in line and "decoupling stock" in line


def test_one_json_safe_helper_and_one_flattener():
    value = {"a": [1.0, float("nan"), np.float64(2.5)], "b": np.bool_(True), "c": np.int64(3),
             "d": {"e": float("inf")}, "f": (1, 2)}
    safe = finite_or_none(value)
    assert safe == {"a": [1.0, None, 2.5], "b": True, "c": 3, "d": {"e": None}, "f": [1, 2]}
    json.dumps(safe, allow_nan=False)
    assert type(safe["b"]) is bool and type(safe["c"]) is int
    flat = flat_kpis({"otif": 0.5, "utilization": {"a": 0.1}, "warnings": []})
    assert flat == {"otif": 0.5, "utilization.a": 0.1, "warnings": []}
    assert math.isnan(flat_kpis({"x": float("nan")})["x"])
