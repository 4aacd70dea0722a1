"""Checks shared by the dashboard tests."""

import re
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"

# The KPI cards of the Run page: label -> KPI name in the library.
CARDS = {"Fill rate": "fill_rate", "OTIF": "otif", "Mean cycle time": "cycle_time_mean",
         "Backorders": "backorders_mean", "Total cost": "cost_total"}
MORE_CARDS = {"Perfect order": "perfect_order", "Cycle time p95": "cycle_time_p95",
              "Stock at CODP": "inventory_codp_mean", "Orders lost": "orders_lost",
              "P:D": "pd_ratio"}


def parse_shown(text: str) -> tuple[float, float]:
    """A KPI as the dashboard shows it ('98.8%', '3.32 d', '5.1 h', '2,734,125', '0.069 units')
    -> (value, tolerance): the value in the KPI's own unit (a share for a percentage, days for a
    duration) and half a unit of the last digit shown, so a test can check the number shown
    against the library's without copying the dashboard's formatting."""
    m = re.fullmatch(r"([-+]?[\d,]+(?:\.(\d+))?)(%| d| h| min| units| orders| orders/d)?",
                     text.strip())
    assert m, f"not a KPI value: {text!r}"
    value = float(m.group(1).replace(",", ""))
    tol = 0.5 * 10.0 ** -len(m.group(2) or "")
    scale = {"%": 1 / 100, " h": 1 / 24, " min": 1 / 1440}.get(m.group(3), 1)
    return value * scale, tol * scale + 1e-12


def assert_shown(text: str, expected: float, what: str = "") -> None:
    value, tol = parse_shown(text)
    assert abs(value - expected) <= tol, f"{what}: shown {text!r}, library says {expected!r}"


def assert_interval_shown(text: str, mean: float, half_width: float, what: str = "") -> None:
    """An interval as the dashboard shows it: 'mean ± half-width UNIT', or, where that would
    leave the KPI's range (below zero, above 100%), 'mean (low to high) UNIT' with the bounds
    clipped to the range; differences of shares in points ('+1.2 ± 0.4 pp')."""
    m = re.fullmatch(r"([-+]?[\d,.]+) (?:± ([\d,.]+)|\(([-\d,.]+) to ([-\d,.]+)\))(.*)", text)
    assert m, f"{what}: not an interval: {text!r}"
    unit = m.group(5).replace(" pp", "%")
    assert_shown(m.group(1) + unit, mean, what)
    if m.group(2) is not None:
        assert_shown(m.group(2) + unit, half_width, what)
        return
    # Clipped to the KPI's range: at least 0, and at most 100% for a share.
    high = mean + half_width if unit != "%" else min(mean + half_width, 1.0)
    assert_shown(m.group(3) + unit, max(mean - half_width, 0.0), what)
    assert_shown(m.group(4) + unit, high, what)


def charts_shown(app) -> list[dict]:
    """The interactive (Vega-Lite) charts on an AppTest page, as their specs."""
    import json

    return [json.loads(e.proto.spec) for e in app.get("vega_lite_chart")]


def has_tooltips(spec) -> bool:
    """Whether any mark of a Vega-Lite spec shows values on hover."""
    if isinstance(spec, dict):
        return "tooltip" in spec or any(has_tooltips(v) for v in spec.values())
    if isinstance(spec, list):
        return any(has_tooltips(v) for v in spec)
    return False


def apply_levers(app):
    """Press the Run page's Apply button: the sidebar's levers take effect together."""
    return app.button(key="run.apply").click().run()
