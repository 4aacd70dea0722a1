"""Multi-line orders and the shipping policy (docs/order-life.md, "Lines and shipping"): ship
partial ships sooner and more often than ship complete, line fill rate is at least order fill
rate, the first line is drawn exactly as without lines, and one line said out loud is no line."""

import math

import numpy as np
import pytest

from simulator import load_scenario, simulate
from simulator.kpis import LINE_KPIS, finite_or_none

CLASSES = ("key_accounts", "distributors", "end_users")
CHANNELS = ("web", "phone", "edi", "sales_rep")
SEEDS = (1, 2, 3)


def default(lines=None, shipping="complete", **extra):
    """The default scenario at half its demand (three lines an order would overload it), with
    every class ordering ``lines`` and shipping by ``shipping``."""
    changes = {"horizon_days": 80, "warmup_days": 10, **extra}
    for ch in CHANNELS:
        rate = load_scenario("default").steps.generation.channels[ch].rate_per_day
        changes[f"steps.generation.channels.{ch}.rate_per_day"] = rate / 2
    for c in CLASSES:
        if lines is not None:
            changes[f"customers.{c}.lines"] = lines
        changes[f"customers.{c}.shipping"] = shipping
    return load_scenario("default", changes)


THREE = {"dist": "empirical", "values": [1, 2, 3], "weights": [1, 1, 1]}


@pytest.fixture(scope="module")
def runs():
    return {ship: [simulate(default(THREE, ship), s) for s in SEEDS]
            for ship in ("complete", "partial")}


def mean(rs, kpi):
    return float(np.mean([r.kpis[kpi] for r in rs]))


def test_ship_partial_ships_sooner_and_more_often_than_ship_complete(runs):
    complete, partial = runs["complete"], runs["partial"]
    for c, p in zip(complete, partial, strict=True):  # same seed: the same orders and lines
        assert p.kpis["time_to_first_shipment"] < c.kpis["time_to_first_shipment"]
    assert mean(partial, "time_to_first_shipment") < mean(complete, "time_to_first_shipment")
    assert mean(partial, "shipments_per_order") > mean(complete, "shipments_per_order") + 0.3
    assert mean(partial, "split_shipment_rate") > 0.3
    for r in complete:  # one shipment an order, always
        assert r.kpis["shipments_per_order"] == 1
        assert r.kpis["split_shipment_rate"] == 0


def test_line_fill_rate_is_at_least_order_fill_rate(runs):
    every = runs["complete"] + runs["partial"]
    for r in every:
        k = r.kpis
        assert 1.8 < k["lines_per_order"] < 2.2
        assert k["line_fill_rate"] >= k["order_fill_rate"]
        assert k["line_backorder_count"] >= k["backorder_count"]
    # Stock-outs happen (else the comparison would be 1 >= 1, which proves nothing).
    assert sum(r.kpis["line_backorder_count"] for r in every) > 0
    assert min(r.kpis["line_fill_rate"] - r.kpis["order_fill_rate"] for r in every) >= 0
    assert max(r.kpis["line_fill_rate"] - r.kpis["order_fill_rate"] for r in every) > 0


def test_a_multi_line_order_is_filled_only_if_every_line_is(runs):
    r = runs["complete"][0]
    lines = r.lines[r.lines["units_requested"] > 0]
    every = (lines["units_from_stock"] == lines["units_requested"]).groupby(lines["order"]).all()
    o = r.orders.set_index("id").loc[every.index]
    assert ((o["units_from_stock"] == o["units_requested"]) == every).all()
    assert (o["line_count"] == r.lines.groupby("order").size().loc[every.index]).all()


def test_the_first_line_is_drawn_as_without_lines(runs):
    one = simulate(default(), SEEDS[0]).orders
    many = runs["partial"][0].orders
    n = min(len(one), len(many))
    for c in ("inquiry", "channel", "customer_class", "product", "quantity", "demand_lead_time"):
        assert one[c].iloc[:n].astype(str).tolist() == many[c].iloc[:n].astype(str).tolist()
    assert (many["line_count"] > 1).any() and (one["line_count"] == 1).all()


def test_one_line_said_out_loud_changes_nothing():
    plain = simulate(load_scenario("default", {"horizon_days": 60, "warmup_days": 10}), 4)
    said = simulate(default(1, "partial", **{"horizon_days": 60, "warmup_days": 10}), 4)
    halved = simulate(default(None, "complete", **{"horizon_days": 60, "warmup_days": 10}), 4)
    assert not set(LINE_KPIS) & set(plain.kpis)
    assert plain.lines.empty and said.lines.empty
    a, b = (finite_or_none({k: v for k, v in r.kpis.items() if k != "wall_seconds"})
            for r in (said, halved))
    assert a == b


def test_a_line_mix_limits_the_extra_lines_and_no_product_repeats():
    sc = default(3, "complete", **{f"customers.{c}.line_mix": {"P300": 1} for c in CLASSES})
    r = simulate(sc, 5)
    lines = r.lines
    assert not lines.duplicated(["order", "product"]).any()
    extra = lines[lines["line"] > 0]
    assert set(extra["product"].astype(str)) == {"P300"}
    first = lines[lines["line"] == 0]
    # An order whose first line is P300 has no other product to add.
    p300 = first.loc[first["product"] == "P300", "order"]
    assert (r.orders.set_index("id").loc[p300, "line_count"] == 1).all()
    assert (r.orders.set_index("id").loc[first.loc[first["product"] != "P300", "order"],
                                         "line_count"] == 2).all()


def test_line_kpis_are_undefined_with_a_reason_when_nothing_shipped():
    r = simulate(default(THREE, "partial", horizon_days=0.5, warmup_days=0), 1)
    for kpi in ("shipments_per_order", "split_shipment_rate", "time_to_first_shipment"):
        assert math.isnan(r.kpis[kpi])
    from simulator.format import explain_na

    assert "delivered" in explain_na("shipments_per_order")
