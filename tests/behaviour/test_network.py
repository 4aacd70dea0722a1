"""The network model: the chain shorthand is a network, policies release what they promise,
orders cross sites, calendars close offices, transport is costed, bad networks are refused."""

from __future__ import annotations

import copy
import datetime as dt
import json
import math

import numpy as np
import pytest
import yaml

from simulator import load_scenario, simulate
from simulator.model.world import World
from simulator.network import Calendar
from simulator.plan import Clock, chain_network, compile_plan
from simulator.scenario import ScenarioError, parse_scenario, resolve_path

HORIZON = {"horizon_days": 90, "warmup_days": 20}


def default_data() -> dict:
    return yaml.safe_load(resolve_path("default").read_text())


def two_sites(**changes) -> dict:
    """The default business as a network: a plant making pumps (assembly) from machined parts
    made of bought steel, and bought motors and controllers; a DC stocking pumps for the north;
    the south served from the plant."""
    d = default_data()
    del d["chain"], d["components"]
    d.update(name="two-sites", **HORIZON)
    d["calendars"] = {"office": {"days": ["mon", "tue", "wed", "thu", "fri"], "hours": [[8, 17]]}}
    d["departments"]["customer_service"]["calendar"] = "office"
    parts = ["housing_s", "housing_l", "impeller_s", "impeller_l"]
    bought = ["steel", "motor_s", "motor_l", "controller"]
    d["network"] = {
        "sites": {"plant": {"kind": "plant"}, "dc": {"kind": "dc"},
                  "steelco": {"kind": "supplier", "lead_time": 5, "reliability": 0.8, "late_by": 2}},
        "work_centers": {
            "machining": {"site": "plant", "servers": 2, "per": "unit",
                          "time": {"dist": "gamma", "mean": 0.04, "cv": 0.6}},
            "assembly": {"site": "plant", "servers": 2, "per": "unit",
                         "time": {"dist": "gamma", "mean": 0.2, "cv": 0.5}},
            "design": {"site": "plant", "servers": 2, "time": 4}},
        "items": {**{p: {"value": 100, "bill_of_materials": {"steel": 2}} for p in parts},
                  **{b: {"value": 50} for b in bought}},
        "routings": {
            "plant": {"make": {**dict.fromkeys(["P100", "P200", "P300"], "assembly"),
                               **dict.fromkeys(parts, "machining")},
                      "buy": dict.fromkeys(bought, "steelco")},
            "dc": {"transfer": dict.fromkeys(["P100", "P200", "P300"], "plant")}},
        "lanes": {"plant_dc": {"from": "plant", "to": "dc", "transit": 2, "cost_per_unit": 4},
                  "dc_north": {"from": "dc", "to": "north", "transit": 1, "cost_per_unit": 6},
                  "plant_south": {"from": "plant", "to": "south", "transit": 2,
                                  "cost_per_unit": 8}},
        "regions": {"north": {"share": 2, "served_from": "dc"},
                    "south": {"share": 1, "served_from": "plant"}},
        "stock_points": {
            "dc_fg": {"site": "dc", "items": ["P100", "P200", "P300"], "holding_cost": 2.5},
            "parts": {"site": "plant", "items": [*parts, "motor_s", "motor_l", "controller"],
                      "policy": "RQ", "order_quantity": 20, "holding_cost": 0.6},
            "steel": {"site": "plant", "items": ["steel"], "policy": "TS", "review_period": 7},
            "plant_fg": {"site": "plant", "items": ["P100", "P200", "P300"], "policy": "sS",
                         "order_quantity": 5}},
        "engineering": {"work_center": "design"},
    }
    for path, value in changes.items():
        node = d
        *head, last = path.split(".")
        for k in head:
            node = node[k]
        node[last] = value
    return d


def test_the_chain_written_out_as_a_network_gives_the_same_run():
    # The shorthand is nothing but a network: the default written as its network runs identically.
    sc = load_scenario("default", HORIZON)
    d = sc.model_dump(mode="json", by_alias=True)
    d["network"] = chain_network(sc).model_dump(mode="json", by_alias=True)
    del d["chain"], d["components"]
    explicit = parse_scenario(d)
    a, b = (json.loads(simulate(s, 3).kpis_json()) for s in (sc, explicit))
    for k in (a, b):
        del k["wall_seconds"]
    assert a == b


@pytest.mark.parametrize("strategy", ["mts", "ato", "mto", "eto"])
def test_every_strategy_runs_the_network_and_orders_cross_sites(strategy):
    r = simulate(parse_scenario(two_sites(decoupling_point=strategy)), 1)
    k = r.kpis
    assert k["orders_delivered"] > 100 or strategy == "eto"
    north = r.orders[(r.orders["region"] == "north") & (r.orders["status"] == "delivered")]
    assert len(north)
    t = r.trace(int(north["id"].iloc[0]))
    assert {"dc"} <= set(t["site"]) and "dc_north" in set(t["department"])
    if strategy != "mts":  # made at the plant for the order, then shipped to the DC
        assert {"plant", "dc"} <= set(t["site"]) and "plant_dc" in set(t["department"])
    assert k["cost_transport"] > 0 and k["in_transit_mean"] > 0
    ts = r.timeseries  # the decoupling stock's series come from its stock points, by name
    if strategy != "eto":
        assert ts["on_hand_codp"].mean() > 0
        assert ts["backorders"].max() <= k["backorders_max"]
        assert {f"backordered_{sp}" for sp in k["by_stock_point"]} <= set(ts.columns)
    assert k["by_site"]["plant"]["orders_shipped"] + k["by_site"]["dc"]["orders_shipped"] \
        == round(k["throughput_per_day"] * r.scenario.horizon_days)


def test_transport_cost_is_units_carried_times_the_lane_cost():
    r = simulate(parse_scenario(two_sites(decoupling_point="mts")), 2)
    sc = r.scenario
    t0, t1 = sc.warmup_days, sc.warmup_days + sc.horizon_days
    o = r.orders
    inside = o[(o["status"] == "delivered") & (o["delivered"] >= t0) & (o["delivered"] <= t1)]
    last_mile = sum(inside.loc[inside["region"] == reg, "quantity"].sum() * cost
                    for reg, cost in (("north", 6), ("south", 8)))
    jobs = r.jobs
    moved = r.shipment_columns
    to_dc = moved["lane"] == r.resource_names.index("plant_dc")
    arrived = to_dc & (moved["end"] >= t0) & (moved["end"] <= t1)
    assert math.isclose(r.kpis["cost_transport"], last_mile + 4 * moved["units"][arrived].sum())
    assert (jobs["kind"] == "replenishment").any()


def test_policies_release_what_they_promise_and_stock_balances():
    world = World(parse_scenario(two_sites(decoupling_point="mts")), 5)
    world.start()
    world.env.run(until=world.end)
    jobs = world.flow.jobs
    for sp in world.stock.values():
        released = {i: [q for kind, b, it, q, _ in jobs if b == sp.name and it == i] for i in sp.items}
        for item in sp.items:
            assert sp.initial[item] + sp.received[item] - sp.issued[item] == sp.on_hand[item]
            assert sp.demanded[item] - sp.issued[item] == sp.backordered[item]
            if sp.policy == "RQ":  # whole multiples of Q, each bringing the position above R
                assert all(q % sp.quantity[item] == 0 for q in released[item])
            if sp.policy == "sS":  # S - position, at least S - s
                assert all(q >= sp.target[item] - sp.reorder[item] for q in released[item])
        if sp.policy == "TS":  # reviews only every T: at most one job per item per review
            t = [r for kind, b, it, q, r in jobs if b == sp.name]
            assert len(t) <= len(sp.items) * math.ceil(world.end / 7)
            assert all(abs(r / 7 - round(r / 7)) < 1e-9 for r in t)


def test_an_office_calendar_closes_the_desk_and_counts_only_open_hours():
    r = simulate(parse_scenario(two_sites(decoupling_point="ato")), 1)
    steps = r.steps
    entry = steps[steps["activity"] == "order entry"]
    closed = entry[entry["reason"] == "closed"]
    assert len(closed)  # orders received at night or at the weekend wait for the office
    clock = compile_plan(r.scenario).clocks["office"]
    starts = entry["start"].to_numpy()
    assert all(clock.next_open(s) == pytest.approx(s) for s in starts)  # work starts in hours
    assert 0 < r.kpis["utilization"]["customer_service"] <= 1
    assert clock.open_share == pytest.approx(9 / 24 * 5 / 7)


def test_clock_pauses_work_while_closed():
    monday = dt.date(2026, 1, 5)
    clock = Clock(Calendar(days=["mon", "tue", "wed", "thu", "fri"], hours=[(8, 12), (13, 17)],
                           holidays=[dt.date(2026, 1, 6)]), monday)
    assert clock.next_open(0.0) == pytest.approx(8 / 24)
    # 6 hours of work from Monday 10:00: 2 h before lunch, 4 h after: ends Monday 17:00.
    assert clock.finish(10 / 24, 6 / 24) == pytest.approx(17 / 24)
    # 10 hours from Monday 8:00: Monday's 8 h, Tuesday a holiday, 2 h on Wednesday: 10:00.
    assert clock.finish(8 / 24, 10 / 24) == pytest.approx(2 + 10 / 24)
    assert clock.open_time(0, 7) == pytest.approx(4 * 8 / 24)  # one holiday in the week


def test_p_is_the_longest_path_through_the_bill_of_materials():
    plan = compile_plan(parse_scenario(two_sites(decoupling_point="mto")))
    # P100 x 1 at the south's plant: steel 5 d (+ 0.2 x 2 late) -> housing 0.04 d, in parallel
    # with motors, controllers (5.4 d each); the longest: 5.4 + 0.04, then assembly 0.2, lane 2.
    q = 1
    path = plan.node_route(None, "plant", "P100", q, whole=True)[0]
    assert path == pytest.approx(5.4 + 0.04 + 0.2)
    takes, ops = plan.order_route("P100", "north", 1)
    assert [s for s, _ in ops][-2:] == ["plant_dc", "dc_north"]
    # mto: bought items only: steel for both machined parts, motor and controller from parts.
    assert sorted((sp, item) for sp, item, _ in takes) == [
        ("parts", "controller"), ("parts", "motor_s"), ("steel", "steel"), ("steel", "steel")]


@pytest.mark.parametrize(("change", "message"), [
    ({"network.items.housing_s.bill_of_materials": {"unobtainium": 1}},
     "network.items.housing_s.bill_of_materials: 'unobtainium' is not in network.items"),
    ({"network.items.steel.bill_of_materials": {"housing_s": 1}}, "a cycle"),
    ({"network.lanes.dc_north.to": "nowhere"}, "network.lanes.dc_north.to: 'nowhere' is not a site"),
    ({"network.routings.plant.buy": {"steel": "steelco"}},
     "network.routings.plant: motor_s is needed there"),
    ({"network.routings.dc.transfer": {"P100": "steelco"}}, "is not another plant, dc or store"),
    ({"network.stock_points.parts.policy": "RQ", "network.stock_points.parts.order_quantity": None},
     "order_quantity: policy RQ needs Q"),
    ({"network.stock_points.parts.order_quantity": {"housing_s": 20, "gold": 5}},
     "order_quantity: unknown items"),
    ({"network.stock_points.parts.order_quantity": {"housing_s": 20}}, "order_quantity: no Q for"),
    ({"network.regions.north.served_from": "steelco"}, "is not a plant, dc or store"),
    ({"departments.customer_service.calendar": "night"}, "calendar: 'night' is not defined"),
])
def test_bad_networks_are_refused_naming_the_path(change, message):
    d = two_sites(**change)
    before = copy.deepcopy(d)
    with pytest.raises(ScenarioError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_scenario(d)
    assert d == before


def test_run_is_reproducible_and_the_records_are_plain_data():
    sc = parse_scenario(two_sites(decoupling_point="ato"))
    a, b = simulate(sc, 7), simulate(sc, 7)
    assert {**json.loads(a.kpis_json()), "wall_seconds": 0} == \
        {**json.loads(b.kpis_json()), "wall_seconds": 0}
    assert np.array_equal(a.step_columns["end"], b.step_columns["end"])


def test_an_order_quantity_per_item_orders_each_item_in_its_own_lots():
    """(R,Q) with Q per item: every replenishment of an item is a multiple of its own Q."""
    parts = ["housing_s", "housing_l", "impeller_s", "impeller_l", "motor_s", "motor_l",
             "controller"]
    q = {p: 5 + 7 * k for k, p in enumerate(parts)}
    sc = parse_scenario(two_sites(**{"network.stock_points.parts.order_quantity": q},
                                  decoupling_point="mts"))
    jobs = simulate(sc, 2).jobs
    repl = jobs[(jobs["kind"] == "replenishment") & (jobs["buffer"] == "parts")]
    per_job = repl.drop_duplicates("job")
    assert set(per_job["item"]) >= {"housing_s", "impeller_l", "controller"}
    assert all(qty % q[item] == 0 for item, qty in zip(per_job["item"], per_job["quantity"],
                                                        strict=True))
    assert sum(qty != q[item] for item, qty in zip(per_job["item"], per_job["quantity"],
                                                   strict=True)) < len(per_job)
