"""The rest of an order's life per line (docs/order-life.md): demand events and resilience judge
an order by every line, partial quantities within a line, and a change that re-quotes."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from simulator import load_scenario, simulate
from simulator.resilience import order_revenue

# Distributors order every product (3 lines of 3 products), the others one line.
LINES = {"horizon_days": 30, "warmup_days": 0, "customers.distributors.lines": 3}
WINDOW = (5.0, 20.0)


@pytest.fixture(scope="module")
def plain():
    return simulate(load_scenario("default", LINES), 2)


def _has(r, product: str) -> np.ndarray:
    """Per order, whether any of its lines is ``product``."""
    ln = r.lines
    mine = ln.loc[ln["product"].astype(str) == product, "order"].unique()
    return r.orders["id"].isin(mine).to_numpy()


def test_a_demand_drop_judges_an_order_by_every_product(plain):
    """A drop of every inquiry for P300 removes the orders with a P300 line, not only those
    whose first line is P300; orders without it stay."""
    event = {"events": {"d": {"effect": "demand", "factor": 0, "products": ["P300"],
                              "start": WINDOW[0], "duration": WINDOW[1] - WINDOW[0]}}}
    hit = simulate(load_scenario("default", {**LINES, **event}), 2)

    def inside(r):
        i = r.orders["inquiry"].to_numpy()
        return (i >= WINDOW[0]) & (i < WINDOW[1])

    first = plain.orders["product"].astype(str).to_numpy() == "P300"
    later = _has(plain, "P300") & ~first
    assert (inside(plain) & later).sum() >= 5  # P300 as a further line, in the window
    assert not (inside(hit) & _has(hit, "P300")).any()
    without = inside(plain) & ~_has(plain, "P300")
    assert (inside(hit) & ~_has(hit, "P300")).sum() == without.sum()


def test_revenue_counts_every_line(plain):
    """An order's revenue (resilience's revenue late or lost) is price x quantity summed over
    its lines, more than its first line's for an order of several."""
    sc = plain.scenario
    price = {p: s.price for p, s in sc.products.items()}
    ln = plain.lines
    want = (ln["product"].astype(str).map(price) * ln["quantity"]).groupby(ln["order"]).sum()
    got = order_revenue(plain)
    assert np.allclose(got, want.reindex(plain.orders["id"]).to_numpy())
    o = plain.orders
    first = (o["product"].astype(str).map(price) * o["quantity"]).to_numpy()
    several = (o["line_count"] > 1).to_numpy()
    assert several.sum() > 10 and (got[several] > first[several]).all()
    assert np.array_equal(got[~several], first[~several])


# ---------------------------------------------------------------- a change re-quotes the order

# The exact case of docs/order-life.md ("Promises", case 2): no finished goods, so ATP promises
# admin time + the replenishment operation for the order's units + transit; every customer asks
# at receipt to triple the quantity.
NO_STOCK = {"horizon_days": 20, "warmup_days": 0, "chain.buffers.finished_goods.target": 0,
            "steps.returns.rate": 0, "steps.pricing.promising": {"method": "atp"},
            "customers.consumers.quote_tolerance": None}
TRIPLE = {"customers.consumers.changes": {"quantity": 1, "quantity_factor": 3, "delay": 0}}


@pytest.fixture(scope="module")
def requoted():
    return {k: simulate(load_scenario("mts-retailer", {**NO_STOCK, **extra}), 1)
            for k, extra in (("plain", {}), ("triple", TRIPLE))}


def test_a_quantity_increase_without_stock_moves_the_promise_later(requoted):
    from simulator.scenario import CHAIN_SITE

    plain, triple = requoted["plain"], requoted["triple"]
    sc = triple.scenario
    steps = sc.steps
    admin = steps.entry.time.mean() + steps.selection.time.mean() + steps.scheduling.time.mean()
    transit = (0.5 + 1 + 2) / 3  # distribution: triangular(0.5, 1, 2)
    o = triple.orders
    o = o[o["received"].notna()]
    assert len(o) > 100 and o["changed"].all()
    p0 = plain.orders.set_index("id").loc[o["id"]]
    assert (o["quantity"].to_numpy() == 3 * p0["quantity"].to_numpy()).all()
    source = np.array([triple.plan.source_time(CHAIN_SITE, p, q)
                       for p, q in zip(o["product"].astype(str), o["quantity"], strict=True)])
    assert np.allclose(o["quote"], admin + source + transit, rtol=0, atol=1e-12)
    assert np.allclose(o["promised"], o["received"] + o["quote"], rtol=0, atol=1e-9)
    # Later than the promise of the same order without the change, by the extra units' time.
    extra = source - np.array([triple.plan.source_time(CHAIN_SITE, p, q) for p, q in zip(
        o["product"].astype(str), p0["quantity"], strict=True)])
    assert (extra > 0).all()
    assert np.allclose(o["promised"].to_numpy() - p0["promised"].to_numpy(), extra, atol=1e-9)
    # One re-quote record per changed order, held by pricing, at the change.
    s = triple.steps
    rq = s[s["activity"] == "re-quote"]
    assert sorted(rq["order"]) == sorted(o["id"])
    assert set(rq["resource"].astype(str)) == {steps.pricing.department}
    assert (rq["reason"].astype(str) == "change").all()


def test_a_re_quote_the_customer_would_refuse_cancels_the_order():
    """Two hundred units take 10 days to assemble: a quote no customer with a tolerance of
    2 x D (D at most 3 days) accepts; each refuses it as at pricing, and the order is cancelled
    (cancelled_for quote), left out of OTIF as an order cancelled on request."""
    r = simulate(load_scenario("mts-retailer", {
        **NO_STOCK, "customers.consumers.quote_tolerance": 2,
        "customers.consumers.changes": {"quantity": 1, "quantity_factor": 200, "delay": 0}}), 1)
    o = r.orders
    o = o[o["received"].notna()]
    assert len(o) > 100
    assert (o["status"] == "cancelled").all() and (o["cancelled_for"] == "quote").all()
    assert r.kpis["orders_cancelled"] == len(o)
    assert r.kpis["otif"] is None or math.isnan(r.kpis["otif"])  # no order left to judge
    s = r.steps
    assert (s.loc[s["activity"] == "cancelled", "reason"].astype(str) == "customer cancel").all()


# ---------------------------------------------------------------- partial quantities

# Consumers order four units a line; finished goods are held at 10 units (inputs plentiful,
# assembly fast), so a line often finds some but not all of its units on hand: with
# partial_units it ships those at once and the rest when they arrive.
FG10 = {"horizon_days": 30, "warmup_days": 0, "chain.buffers.finished_goods.target": 10,
       "chain.buffers.components.target": 100_000, "chain.buffers.raw_material.target": 100_000,
       "chain.stages.assembly.servers": 8,
       **{f"products.{p}.order_size": 4 for p in ("kettle", "toaster", "blender", "mixer")}}


@pytest.fixture(scope="module")
def shipping():
    return {s: simulate(load_scenario("mts-retailer", {
        **FG10, "customers.consumers.lines": 2, "customers.consumers.shipping": s}), 1)
        for s in ("partial", "partial_units")}


def test_partial_units_ship_what_is_on_hand_first(shipping):
    whole, split = shipping["partial"], shipping["partial_units"]
    ln = split.lines
    parts = ln[ln["part_job"] >= 0]
    assert len(parts) >= 10 and (whole.lines["part_job"] < 0).all()
    # A split line took part of its units from stock at once: not filled at first pass, and
    # shipped (its first part) before it was ready (all its units).
    assert (parts["units_from_stock"] > 0).all()
    assert (parts["units_from_stock"] < parts["units_requested"]).all()
    done = parts[parts["status"].astype(str) == "delivered"]
    assert (done["shipped"] < done["ready"]).all() and (done["ready"] <= done["delivered"]).all()
    # Each split adds a shipment of its own: shipments = lines + split lines.
    o = split.orders.set_index("id")
    delivered = o[o["status"] == "delivered"]
    n_split = ln.groupby("order")["part_job"].apply(lambda j: int((j >= 0).sum()))
    assert np.array_equal(delivered["shipments"].to_numpy(),
                          (delivered["line_count"] + n_split.loc[delivered.index]).to_numpy())
    # Against ship-whole lines: more shipments, sooner a first one; fill rates count the
    # split lines as not filled (they are no higher).
    k, k0 = split.kpis, whole.kpis
    assert k["shipments_per_order"] > k0["shipments_per_order"]
    assert k["time_to_first_shipment"] < k0["time_to_first_shipment"]
    assert k["line_fill_rate"] >= k["order_fill_rate"]
    assert k["line_fill_rate"] <= k0["line_fill_rate"] + 1e-9


def test_a_single_line_order_of_a_partial_units_class_splits_too():
    r = simulate(load_scenario("mts-retailer", {**FG10, "customers.consumers.shipping":
                                                "partial_units"}), 1)
    o = r.orders
    assert (o["line_count"] == 1).all()
    assert "shipments_per_order" in r.kpis  # fulfilled line by line: line KPIs reported
    assert (r.lines["part_job"] >= 0).sum() >= 5
    assert (o.loc[o["status"] == "delivered", "shipments"] == 2).any()


def test_the_event_log_carries_both_parts_of_a_split_line(shipping, tmp_path):
    from simulator.eventlog import write_event_log

    r = shipping["partial_units"]
    df = pd.read_parquet(write_event_log(r, tmp_path / "split.parquet"))
    o = r.orders
    delivered = o[o["status"] == "delivered"]
    counted = df[df["shipment"]].groupby("order").size()
    assert np.array_equal(counted.reindex(delivered["id"], fill_value=0).to_numpy(),
                          delivered["shipments"].to_numpy())
    parts = r.lines[r.lines["part_job"] >= 0]
    row = parts.iloc[0]
    mine = df[(df["order"] == row["order"]) & (df["line"] == row["line"]) & df["shipment"]]
    assert len(mine) == 2  # the part on hand and the rest, both on the line


def test_the_trace_of_a_split_line_lists_both_shipments(shipping):
    from simulator.trace import trace

    r = shipping["partial_units"]
    parts = r.lines[r.lines["part_job"] >= 0]
    row = parts.iloc[0]
    lines = trace(r, int(row["order"])).order["lines"]
    mine = next(x for x in lines if x["line"] == int(row["line"]))
    lanes = [x for x in mine["records"] if x["activity"] == "distribution"]
    assert len(lanes) == (2 if row["job"] >= 0 else 1)  # the order's own case: in its rows
    assert any(x["queued"] == pytest.approx(row["shipped"]) for x in lanes)
