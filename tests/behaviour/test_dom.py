"""Distributed order management (docs/order-life.md): sourcing rules compared on the omnichannel
retailer (short runs, common random numbers), pickup in store, returns to store, conservation,
and the decision itself as a pure function."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from simulator import load_scenario, simulate
from simulator.kpis import finite_or_none
from simulator.model.sourcing import choose
from simulator.model.world import World
from simulator.plan import SiteOption, compile_plan

SHORT = {"horizon_days": 40, "warmup_days": 21}
SEEDS = (1, 2)


def scenario(**changes):
    return load_scenario("omnichannel-retailer", {**SHORT, **changes})


@cache
def kpis(rule: str, seed: int) -> dict:
    return simulate(scenario(**{"network.sourcing": rule}), seed).kpis


def total(rule: str, kpi: str) -> float:
    return sum(kpis(rule, seed)[kpi] for seed in SEEDS)


def test_a_rule_that_ignores_stock_backorders_and_waits_more_than_nearest_with_stock():
    assert total("fixed", "backorder_count") > 1.5 * total("nearest_with_stock", "backorder_count")
    assert total("fixed", "backorder_delay_mean") > total("nearest_with_stock", "backorder_delay_mean")
    assert total("fixed", "cycle_time_mean") > total("nearest_with_stock", "cycle_time_mean")


def test_lowest_cost_has_the_lowest_cost_to_serve():
    for other in ("fixed", "nearest_with_stock"):
        for seed in SEEDS:
            assert kpis("lowest_cost", seed)["cost_to_serve"] < kpis(other, seed)["cost_to_serve"]


def test_share_fulfilled_per_site_adds_up_and_follows_the_rule():
    for rule in ("fixed", "nearest_with_stock"):
        sites = kpis(rule, 1)["by_site"]
        assert sum(s["share_fulfilled"] for s in sites.values()) == pytest.approx(1.0)
    stores = [s for s in kpis("fixed", 1)["by_site"] if s.startswith("store_")]
    # Fixed ships home deliveries from the region's DC: the stores fulfil pickup orders only.
    fixed, nearest = kpis("fixed", 1)["by_site"], kpis("nearest_with_stock", 1)["by_site"]
    assert sum(nearest[s]["share_fulfilled"] for s in stores) > \
        sum(fixed[s]["share_fulfilled"] for s in stores) + 0.2


def test_pickup_orders_end_when_the_customer_collects():
    result = simulate(scenario(), 3)
    o = result.orders
    steps = result.steps
    collects = steps[steps["activity"].astype(str) == "customer collects"]
    by_order = collects.set_index("order")
    delivered = o[o["status"] == "delivered"]
    picked = delivered[delivered["pickup"]]
    assert len(picked) > 100 and not delivered[~delivered["pickup"]]["id"].isin(by_order.index).any()
    ends = by_order.loc[picked["id"], "end"].to_numpy()
    assert np.allclose(ends, picked["delivered"].to_numpy())  # the cycle ends at collection
    assert (by_order.loc[picked["id"], "resource"].astype(str) == "customer").all()
    assert (by_order["end"] > by_order["queued"]).mean() > 0.9  # customers take their time
    # Only the click & collect and store channels collect; the store channel partly.
    share = delivered.groupby("channel")["pickup"].mean()
    assert share["web"] == 0 and share["click_collect"] == 1 and 0.4 < share["store"] < 0.8
    assert kpis("nearest_with_stock", 1)["pickup_share"] == pytest.approx(
        0.6 * 12 / 86 + 22 / 86, abs=0.04)


def run_world(seed: int, **changes) -> World:
    world = World(scenario(**changes), seed)
    world.start()
    world.run()
    return world


@pytest.mark.parametrize("returns_to", ["site", "store"])
def test_returns_to_store_restock_the_store(returns_to):
    changes = {"network.sourcing": "fixed",
               "steps.generation.channels.click_collect.returns_to": returns_to,
               "steps.generation.channels.store.returns_to": returns_to,
               "steps.generation.channels.store.pickup": None,
               "steps.generation.channels.click_collect.pickup": None}
    world = run_world(4, **changes)
    restocked = {kind: 0 for kind in ("dc", "store")}
    kinds = {n: s.kind for n, s in world.plan.network.sites.items()}
    for sp in world.stock.values():
        restocked[kinds[sp.site]] += sum(sp.returned.values())
    if returns_to == "store":  # the store channels' returns go back to the store
        assert restocked["store"] > 20
    else:  # fixed sourcing ships every order from a DC, and returns go back there
        assert restocked["store"] == 0 and restocked["dc"] > 20


def test_conservation_of_orders_and_stock():
    world = run_world(5, **{"network.sourcing": "lowest_cost"})
    statuses = [o.status for o in world.demand.orders]
    assert set(statuses) <= {"lost", "rejected", "cancelled", "delivered", "open"}
    delivered = [o for o in world.demand.orders if o.status == "delivered"]
    assert all(o.site for o in delivered)
    assert all(np.isfinite(o.cost_to_serve) and o.sourced_by for o in delivered)
    for sp in world.stock.values():
        for item in sp.items:
            assert sp.on_hand[item] >= 0 and sp.backordered[item] >= 0
            assert sp.initial[item] + sp.received[item] - sp.issued[item] == sp.on_hand[item]
            assert sp.demanded[item] - sp.issued[item] == sp.backordered[item]
    k = simulate(scenario(**{"network.sourcing": "lowest_cost"}), 5).kpis
    assert k["inquiries"] == (k["orders_lost"] + k["orders_rejected"] + k["orders_cancelled"]
                              + k["orders_delivered"] + k["orders_open"])


def test_the_trace_says_which_site_and_why():
    from simulator.trace import trace

    result = simulate(scenario(**{"network.sourcing": "nearest_with_stock"}), 1)
    o = result.orders
    oid = int(o[(o["status"] == "delivered") & o["site"].str.startswith("store_")
                & ~o["pickup"]]["id"].iloc[0])
    t = trace(result, oid)
    row = t[t["reason"].astype(str) == "sourcing"].iloc[0]
    assert row["detail"].startswith("sourced by nearest with stock: store_")
    assert t.order["site"].startswith("store_") and t.order["sourced_by"]


# ---------------------------------------------------------------- the decision, pure


def option(site, transit, cost, wait=5.0):
    return SiteOption(site=site, lane=f"to_{site}", transit=transit, cost_per_unit=cost,
                      takes=(), wait=wait)


DC, STORE, FAR = option("dc", 2.0, 4.0), option("store", 0.5, 6.0), option("far", 3.0, 5.0)


@pytest.mark.parametrize(("rule", "stocked", "chosen"), [
    ("fixed", [False, True, True], "dc"),
    ("priority", [False, True, True], "store"),
    ("priority", [False, False, False], "dc"),
    ("fewest_splits", [False, False, True], "far"),
    ("nearest_with_stock", [True, True, True], "store"),
    ("nearest_with_stock", [True, False, True], "dc"),
    ("nearest_with_stock", [False, False, False], "dc"),
    ("lowest_cost", [True, True, True], "dc"),
    # dc short: 4 + 2 x 5 days of waiting = 14 a unit; far in stock: 5.
    ("lowest_cost", [False, True, True], "far"),
])
def test_choose(rule, stocked, chosen):
    site, why = choose(rule, (DC, STORE, FAR), stocked, 2, wait_cost=2.0)
    assert site.site == chosen and chosen in why


# multi-site with one candidate site per region (its own DC) and the fixed rule: no DOM.
ONE_SITE = {"network.sourcing": "fixed", "network.regions.north.served_from": "dc_hamburg",
            "network.regions.central.served_from": "dc_nuremberg",
            "network.regions.south.served_from": "dc_barcelona"}


def test_a_network_without_dom_is_untouched():
    sc = load_scenario("multi-site", ONE_SITE)
    assert not sc.distributes
    plan = compile_plan(sc)
    assert all(r.sites == (r.site,) for r in plan.regions.values())
    assert set(plan.sourcing.values()) == {"fixed"}


def test_a_rule_with_one_candidate_changes_nothing():
    short = {"horizon_days": 15, "warmup_days": 10, **ONE_SITE}
    absent = simulate(load_scenario("multi-site", short), 1).kpis
    said = simulate(load_scenario("multi-site", {
        **short, "network.sourcing": "nearest_with_stock"}), 1).kpis
    assert set(said) == set(absent)
    for name in set(absent) - {"wall_seconds"}:
        assert finite_or_none(said[name]) == finite_or_none(absent[name]), name
