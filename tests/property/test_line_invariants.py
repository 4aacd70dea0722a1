"""Multi-line orders (docs/order-life.md, "Lines and shipping"), over random scenarios and seeds:
every line ends in exactly one state that agrees with its times and its order's, units are
conserved (what a delivered order's lines ask for is what its shipments carry), and the records
of an order still tile its cycle time when its lines split."""

import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator import load_scenario
from simulator.model.world import World
from simulator.result import RunResult
from simulator.trace import CASH_STEPS

sys.path.insert(0, str(Path(__file__).parents[1] / "trace"))
sys.path.insert(0, str(Path(__file__).parent))
from test_order_life_invariants import assert_stock_balances
from test_trace_sum_rule import check_sum_rule

BASE = load_scenario("default", {"horizon_days": 20, "warmup_days": 0})
CLASSES = ("key_accounts", "distributors", "end_users")
STATES = {"delivered", "shipped", "ready", "open", "lost", "rejected"}

lines = st.one_of(st.integers(1, 4), st.just({"dist": "uniform", "low": 0.5, "high": 4.5}),
                  st.just({"dist": "exponential", "mean": 1.5}))
variations = st.fixed_dictionaries({
    **{f"customers.{c}.lines": lines for c in CLASSES},
    **{f"customers.{c}.shipping": st.sampled_from(["complete", "partial", "partial_units"])
       for c in CLASSES},
    # Sizes above 1 so that a line finds part of its units on hand (partial_units splits it).
    "products.P100.order_size": st.sampled_from([1, 4, {"dist": "uniform", "low": 1, "high": 8}]),
    "customers.distributors.line_mix": st.one_of(
        st.none(), st.just({"P100": 1, "P300": 3}), st.just({"P200": 1})),
    "decoupling_point": st.sampled_from(["mts", "ato", "mto", "eto"]),
    "priority_rule": st.sampled_from(["fcfs", "edd"]),
    "steps.returns.rate": st.floats(0, 0.3),
})


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=variations, seed=st.integers(0, 2**31 - 1))
def test_lines_end_in_one_state_conserve_units_and_tile_the_order(changes, seed):
    world = World(BASE.with_overrides(**changes), seed)
    world.start()
    world.run()
    assert_stock_balances(world)  # a line split in two takes its units as one line would
    r = RunResult(world.records(0, 0.0))
    o = r.orders.set_index("id")
    ln = r.lines
    if ln.empty:  # every class drew one line: nothing of lines was built
        assert (o["line_count"] == 1).all()
        return
    # Exactly one state per line, agreeing with its times and its order.
    assert set(ln["status"].astype(str)) <= STATES
    assert len(ln) == int(o["line_count"].sum())
    assert not ln.duplicated(["order", "line"]).any()
    status = ln["status"].astype(str).to_numpy()
    order_status = o.loc[ln["order"], "status"].astype(str).to_numpy()
    assert ((status == "delivered") == ln["delivered"].notna().to_numpy()).all()
    assert ((status == "lost") == (order_status == "lost")).all()
    assert ((status == "rejected") == (order_status == "rejected")).all()
    assert (status[order_status == "delivered"] == "delivered").all()
    # A line is ready before it ships (a split line: its part on hand ships first), ships
    # before it arrives; the order waits for its last.
    split = (ln["part_job"] >= 0).to_numpy()
    assert (ln["ready"].fillna(-1) <= ln["shipped"].fillna(np.inf))[~split].all()
    assert (ln["shipped"] <= ln["ready"].fillna(np.inf))[split].all()
    # A split line took part of its units from stock at once: never filled at first pass.
    assert (ln["units_from_stock"] < ln["units_requested"])[split].all()
    assert (ln["shipped"].fillna(-1) <= ln["delivered"].fillna(np.inf)).all()
    done = ln[order_status == "delivered"]
    last = done.groupby("order")["delivered"].max()
    assert np.allclose(last.to_numpy(), o.loc[last.index, "delivered"].to_numpy())
    # Units: each line asked its decoupling point for its units at most (none if made to
    # order), got no more than it asked; the order's totals are its lines'.
    assert (ln["units_from_stock"] <= ln["units_requested"]).all()
    totals = ln.groupby("order")[["quantity", "units_requested", "units_from_stock"]].sum()
    assert (totals["quantity"] == o.loc[totals.index, "units"]).all()
    assert (totals["units_requested"] == o.loc[totals.index, "units_requested"]).all()
    assert (totals["units_from_stock"] == o.loc[totals.index, "units_from_stock"]).all()
    # What a delivered order's lines asked for is what the lane carried to its customer.
    sh = r.shipment_columns
    lane = r.resource_names.index(r.plan.regions["customers"].lane)
    to_customer = sh["lane"] == lane
    carried = dict.fromkeys(last.index, 0.0)
    job_order = dict(zip(done["job"], done["order"], strict=True))
    job_order.update(zip(done["part_job"], done["order"], strict=True))  # a split's first part
    for job, case, units in zip(sh["job"][to_customer], sh["case"][to_customer],
                                sh["units"][to_customer], strict=True):
        oid = job_order.get(case) if job else case
        if oid in carried:
            carried[oid] += units
    units = o.loc[list(carried), "units"].to_numpy()
    assert np.array_equal(np.array(list(carried.values())), units)
    # One shipment an order shipped complete, one a line shipped partial.
    sc = r.scenario
    partial = o.loc[last.index, "customer_class"].astype(str).map(
        lambda c: sc.customers[c].shipping != "complete").to_numpy()
    count = o.loc[last.index, "line_count"].to_numpy()
    splits = done.groupby("order")["part_job"].apply(lambda j: int((j >= 0).sum()))
    assert np.array_equal(o.loc[last.index, "shipments"].to_numpy(),
                          np.where(partial, count + splits.loc[last.index].to_numpy(), 1))
    assert (o.loc[last.index, "first_shipment"] == done.groupby("order")["shipped"].min()).all()
    # The sum rule across splits: the order's own records still tile its cycle time.
    check_sum_rule(r)
    check_sum_rule(r, CASH_STEPS, "paid")


# ---------------------------------------------------------------- with distributed order management

# The omnichannel retailer (sourcing per line over two DCs and a store; click & collect) with
# small stock points and large lines, so that a line's site often holds part of its units.
OMNI = load_scenario("omnichannel-retailer", {"horizon_days": 8, "warmup_days": 0})
OMNI_PRODUCTS = tuple(OMNI.products)
OMNI_STOCK = tuple(OMNI.network.stock_points)
omni_variations = st.fixed_dictionaries({
    "customers.shoppers.lines": st.sampled_from([1, 2, {"dist": "uniform", "low": 0.5, "high": 3.5}]),
    "customers.shoppers.shipping": st.sampled_from(["partial_units", "partial_units", "complete"]),
    "network.sourcing": st.sampled_from(["nearest_with_stock", "fewest_splits", "lowest_cost"]),
    **{f"network.stock_points.{s}.target": st.integers(4, 30) for s in OMNI_STOCK},
    **{f"products.{p}.order_size": st.just({"dist": "uniform", "low": 1, "high": 12})
       for p in OMNI_PRODUCTS},
})


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=omni_variations, seed=st.integers(0, 2**31 - 1))
def test_split_lines_across_sites_balance_stock_conserve_units_and_tile(changes, seed):
    world = World(OMNI.with_overrides(**changes), seed)
    world.start()
    world.run()
    assert_stock_balances(world)  # at every site: both parts come from the line's own site
    r = RunResult(world.records(0, 0.0))
    o = r.orders.set_index("id")
    ln = r.lines
    if ln.empty:  # one line an order, shipped complete: nothing of lines was built
        assert (o["line_count"] == 1).all()
        return
    plan = r.plan
    status = ln["status"].astype(str).to_numpy()
    order_status = o.loc[ln["order"], "status"].astype(str).to_numpy()
    assert set(status) <= STATES | {"cancelled"} and len(ln) == int(o["line_count"].sum())
    # (A line in the store of an order cancelled before the customer collected it has its time.)
    arrived = ln["delivered"].notna().to_numpy()
    assert ((status == "delivered") == arrived)[status != "cancelled"].all()
    assert (status[order_status == "delivered"] == "delivered").all()
    for state in ("lost", "cancelled"):  # a cancellation ends every line, both parts of a split
        assert ((status == state) == (order_status == state)).all()
    split = (ln["part_job"] >= 0).to_numpy()
    assert (ln["units_from_stock"] < ln["units_requested"])[split].all()
    assert (ln["shipped"] <= ln["ready"].fillna(np.inf))[split].all()
    assert (ln["shipped"].fillna(-1) <= ln["delivered"].fillna(np.inf)).all()
    # Units: a delivered order's lines are carried, all their units, on their sites' lanes to
    # the region (or to the store it is collected from; nothing to carry where that store
    # holds it), under the order's case, its lines' jobs or a split's first part.
    done = ln[order_status == "delivered"]
    owner = {int(j): int(k) for j, k in zip(done["job"], done["order"], strict=True) if j >= 0}
    owner.update({int(j): int(k) for j, k in zip(done["part_job"], done["order"], strict=True)
                  if j >= 0})
    lanes: dict[int, set] = {}
    expected: dict[int, float] = {}
    pickup = o["pickup"].to_dict()
    for k, site, q in zip(done["order"], done["site"].astype(str), done["quantity"], strict=True):
        leg = plan.ship_lane(o.at[k, "region"], site, bool(pickup[k]))
        if leg is not None:
            lanes.setdefault(int(k), set()).add(r.resource_names.index(leg))
            expected[int(k)] = expected.get(int(k), 0.0) + q
    carried = dict.fromkeys(expected, 0.0)
    sh = r.shipment_columns
    for job, case, lane, units in zip(sh["job"], sh["case"], sh["lane"], sh["units"],
                                      strict=True):
        k = owner.get(int(case)) if job else int(case)
        if k in carried and int(lane) in lanes[k]:
            carried[k] += units
    assert carried == expected
    # Shipments: ship partial, one a line and one more a split line; ship complete, one a
    # site's lane. The order is delivered with its last line, shipped with its first.
    sc = r.scenario
    partial = sc.customers["shoppers"].shipping != "complete"
    for k, g in done.groupby("order"):
        legs = {plan.ship_lane(o.at[k, "region"], s, bool(pickup[k]))
                for s in g["site"].astype(str)}
        n = len(g) + int((g["part_job"] >= 0).sum()) if partial else len(legs)
        assert o.at[k, "shipments"] == n
        assert o.at[k, "first_shipment"] == g["shipped"].min()
        if not pickup[k]:  # collected: delivered when the customer comes, after the last line
            assert o.at[k, "delivered"] == g["delivered"].max()
        else:
            assert o.at[k, "delivered"] >= g["delivered"].max()
    # A customer's change request is a note of no duration dropped in among the order's
    # records whenever it comes: left out of the rule's check (as in test_dom_lines.py).
    notes = r.steps["activity"].astype(str).isin(["change refused", "change quantity",
                                                  "change date"])
    check_sum_rule(SimpleNamespace(orders=r.orders, steps=r.steps[~notes]))
