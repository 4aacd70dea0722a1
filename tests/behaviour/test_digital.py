"""Digital copies (Mather's fifth option, P = D = 0; docs/order-life.md): delivered as a
download right after the office steps, with no stock, no chain and no lane."""

import numpy as np
import pytest

from simulator import load_scenario, simulate
from simulator.cli.run import format_kpis

OFFICE = ("entry", "selection", "scheduling")


@pytest.fixture(scope="module")
def seller():
    return simulate(load_scenario("digital-seller", {"horizon_days": 120}), 1)


@pytest.fixture(scope="module")
def dc_run():
    return simulate(load_scenario("default", {"decoupling_point": "dc", "horizon_days": 120}), 1)


def delivered(run, digital):
    o = run.orders
    is_digital = o["product"].map(lambda p: run.plan.digital(p))
    return o[(o["status"] == "delivered") & (is_digital == digital)]


def test_a_digital_order_has_no_fulfilment_records_and_its_cycle_is_its_office_steps(seller):
    steps = seller.steps
    digital = delivered(seller, True)
    physical = delivered(seller, False)
    assert len(digital) > 1000 and len(physical) > 100
    mine = steps[steps["order"].isin(digital["id"])]
    assert not (mine["step"] == "fulfillment").any()
    assert (steps[steps["order"].isin(physical["id"])]["step"] == "fulfillment").any()
    # Receipt to delivery is exactly the office steps: delivered when scheduling ends.
    office = mine[mine["step"].isin(OFFICE)]
    ends = office.groupby("order")["end"].max()
    starts = office.groupby("order")["queued"].min()
    ids = digital.set_index("id")
    assert np.allclose(ids.loc[ends.index, "delivered"], ends)
    assert np.allclose(ends - starts, ids.loc[ends.index, "delivered"] - ids.loc[ends.index, "received"])
    assert (digital["units_requested"] == 0).all()  # no stock demanded


def test_digital_quotes_have_no_fulfilment_part(seller):
    o = seller.orders
    steps = seller.scenario.steps
    admin = sum(getattr(steps, s).time.mean() for s in OFFICE) + steps.pricing.quote_margin_days
    dig = o[o["product"].isin(["ebook", "licence"])]
    assert np.allclose(dig["quote"], admin)
    assert (o.loc[o["product"] == "printed_book", "quote"] > admin + 1).all()


def test_digital_returns_claim_a_refund_with_nothing_in_transit_and_no_visits(seller):
    steps = seller.steps
    digital = delivered(seller, True)
    mine = steps[steps["order"].isin(digital["id"])]
    assert "return in transit" not in set(mine["activity"])
    assert "refund claim" in set(mine["activity"])
    assert (digital["visits"] == 0).all()
    claim = mine[mine["activity"] == "refund claim"].iloc[0]
    trace = seller.trace(int(claim["order"]))
    assert any("refund" in d for d in trace["detail"])


def test_dc_preset_has_no_stock_no_chain_work_and_p_zero(dc_run):
    k = dc_run.kpis
    assert k["decoupling_point"] == "digital" and k["strategy"] == "dc"
    assert k["inventory_mean"] == 0 and k["production_lead_time"] == 0 and k["pd_ratio"] == 0
    assert dc_run.jobs["quantity"].sum() == 0  # no replenishment (planning runs, idle repairs)
    assert k["cost_transport"] == 0 and k["in_transit_mean"] == 0
    assert (dc_run.steps["step"] != "fulfillment").all()
    assert k["inquiries"] == k["orders_lost"] + k["orders_rejected"] + k["orders_delivered"] \
        + k["orders_open"]
    assert "P = 0: digital copies" in format_kpis(k).splitlines()[0]


def test_p_and_d_zero_is_said_not_shown_as_a_number():
    sc = load_scenario("classroom", {"decoupling_point": "dc", "customers.*.demand_lead_time": 0,
                                     "customers.*.quote_tolerance": None, "horizon_days": 30})
    k = simulate(sc, 1).kpis
    assert k["pd_ratio"] != k["pd_ratio"]  # NaN: 0 / 0
    text = format_kpis(k)
    head = text.splitlines()[0]
    assert "P:D=n/a" in head and "P = D = 0" in head
    assert "nan" not in text.lower().replace("n/a", "")
    row = next(line for line in text.splitlines() if line.startswith("pd_ratio"))
    assert "digital copies" in row and "0 / 0" in row


def test_digital_copies_are_faster_than_the_physical_chain_on_the_same_seed(dc_run):
    physical = simulate(load_scenario("default", {"horizon_days": 120}), 1).kpis
    assert dc_run.kpis["cycle_time_mean"] < physical["cycle_time_mean"] / 5
    assert dc_run.kpis["inquiries"] == physical["inquiries"]  # the same demand
