"""The order's whole life on the Staple page and in the report: each line (product, quantity,
the sites it crossed, when it shipped), the promise against the request, and the customer's
changes and cancellation; the order list filtered by site, by change and by any line's product.
One short run of the default scenario with multi-line orders, a ctp promise policy, change
requests and impatient customers, shared by the module."""

import pandas as pd
import pytest

from simulator import load_scenario, simulate
from simulator.report import run_report
from simulator.trace import changes_table, lines_table, order_list, promise_table

SEED = 1
THREE = {"dist": "empirical", "values": [1, 2, 3], "weights": [1, 1, 1]}
LIFE = {
    "horizon_days": 30, "warmup_days": 10, "steps.pricing.promising": {"method": "ctp"},
    "customers.distributors.lines": THREE, "customers.distributors.shipping": "partial",
    "customers.end_users.changes": {"cancel": 0.2, "quantity": 0.3, "quantity_factor": 2,
                                    "date": 0.1, "lead_time": {"dist": "uniform", "low": 3,
                                                               "high": 6},
                                    "delay": {"dist": "exponential", "mean": 0.1}},
    # Two days to deliver and little patience: some key accounts give up on a late order.
    "customers.key_accounts.demand_lead_time": 2.0, "customers.key_accounts.quote_tolerance": None,
    "customers.key_accounts.patience": {"dist": "exponential", "mean": 0.5},
}


@pytest.fixture(scope="module")
def scenario():
    return load_scenario("default", LIFE)


@pytest.fixture(scope="module")
def result(scenario):
    return simulate(scenario, SEED)


def first(result, **filters) -> int:
    listed = order_list(result, **filters)
    assert len(listed), filters
    return int(listed["id"].iloc[0])


def multi_line(result) -> int:
    listed = order_list(result, status=["delivered"])
    return int(listed.loc[listed["lines"] > 1, "id"].iloc[0])


def test_the_tables_follow_the_run(result):
    o = result.orders
    # Lines: one row each, the run's own lines, each shipped before it was delivered.
    oid = multi_line(result)
    t = result.trace(oid)
    lines = lines_table(result, t)
    mine = result.lines[result.lines["order"] == oid]
    assert list(lines["product"]) == list(mine["product"].astype(str))
    assert list(lines["quantity"]) == list(mine["quantity"])
    assert (lines["shipped"] <= lines["delivered"]).all() and (lines["via"] != "").all()
    assert lines["delivered"].max() == pytest.approx(t.order["delivered"])
    # The promise against the request: the verdicts follow the dates.
    dates = promise_table(result, t.order).set_index("date")
    assert list(dates.index) == ["requested (receipt + D)", "promised (ctp)", "delivered"]
    for row, day in (("requested (receipt + D)", t.order["due"]),
                     ("promised (ctp)", t.order["promised"])):
        assert dates.loc[row, "day"] == pytest.approx(day)
        late = t.order["delivered"] > day + 1e-9
        assert dates.loc[row, "delivery against it"].startswith("late by" if late else "kept")
    # A changed order lists its change; a cancelled one its cancellation and why.
    changed = result.trace(first(result, changed=True))
    assert set(changes_table(changed)["what"]) & {"change quantity", "change date"}
    gave_up = o[(o["status"] == "cancelled") & (o["cancelled_for"] == "patience")]
    assert len(gave_up)
    t = result.trace(int(gave_up["id"].iloc[0]))
    change = changes_table(t)
    assert list(change["what"]) == ["cancelled"] and "patience" in change["what it did"].iloc[0]
    assert "already late by" in promise_table(result, t.order)["delivery against it"].iloc[0]
    # Filters: by any line's product, by site, by change.
    for product in ("P100", "P300"):
        has = set(result.lines.loc[result.lines["product"] == product, "order"])
        assert set(order_list(result, product=[product])["id"]) == has
    assert list(order_list(result, changed=True)["id"]) == list(o.loc[o["changed"], "id"])
    site = str(o["site"].iloc[0])
    assert set(order_list(result, site=[site])["id"]) == set(o.loc[o["site"] == site, "id"])


def test_the_staple_page_shows_lines_promise_and_changes(app, scenario, result):
    app.session_state["current"] = {"yaml": scenario.to_yaml(), "seed": SEED, "label": "life"}
    app.switch_page("pages/staple.py").run()
    assert not app.exception
    app.radio(key="staple.pick").set_value("from a list").run()
    app.checkbox(key="staple.changed").check().run()
    assert not app.exception
    changed = order_list(result, changed=True)
    shown = app.selectbox(key="staple.listed").options
    assert [int(s.split()[0].lstrip("#")) for s in shown] == list(changed["id"])
    assert all(", changed" in s for s in shown)

    def tables(oid: int) -> list[pd.DataFrame]:
        app.selectbox(key="staple.listed").set_value(oid).run()
        assert not app.exception
        return [t.value for t in app.table][:-1]  # the last: the order's records

    oid = int(changed["id"].iloc[0])
    t = result.trace(oid)
    lines, dates, changes = tables(oid)[:3]
    expected = lines_table(result, t)
    if len(expected) == 1:  # one line: the page leaves out its number
        expected = expected.drop(columns="line")
    pd.testing.assert_frame_equal(lines.reset_index(drop=True), expected)
    pd.testing.assert_frame_equal(dates.reset_index(drop=True), promise_table(result, t.order))
    pd.testing.assert_frame_equal(changes.reset_index(drop=True), changes_table(t))
    # A cancelled order: its lines, its dates and why it was cancelled.
    app.checkbox(key="staple.changed").uncheck()
    app.multiselect(key="staple.status").set_value(["cancelled"]).run()
    oid = first(result, status=["cancelled"])
    changes = tables(oid)[2]
    assert list(changes["what"]) == ["cancelled"]
    # An order of several lines, found by the product of any of its lines.
    app.multiselect(key="staple.status").set_value([])
    oid = multi_line(result)
    other = str(result.lines.loc[result.lines["order"] == oid, "product"].iloc[-1])
    app.multiselect(key="staple.product").set_value([other]).run()
    lines = tables(oid)[0]
    assert len(lines) == int(result.orders.loc[oid, "line_count"]) > 1


def test_the_report_shows_the_traced_orders_lines_and_promise(result):
    oid, changed = multi_line(result), first(result, changed=True)
    html = run_report(result, orders=[oid, changed], command=["omcsim", "report"])
    assert html.count("<caption>Lines</caption>") == 2
    assert html.count("<caption>The promise against the request</caption>") == 2
    assert "<caption>Changes and cancellation</caption>" in html
    assert "<td>promised (ctp)</td>" in html
    for product in result.lines.loc[result.lines["order"] == oid, "product"].astype(str):
        assert f"<td>{product}</td>" in html
