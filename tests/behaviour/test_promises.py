"""Promises (docs/order-life.md, "Promises"): the promise policy, the allocation ledger, the
acknowledgement record and the promise KPIs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator import load_scenario, simulate
from simulator.kpis import PROMISE_KPIS
from simulator.model.world import World
from simulator.records import ACKNOWLEDGE
from simulator.scenario import CHAIN_SITE

POLICY = "steps.pricing.promising"
SHORT = {"horizon_days": 60, "warmup_days": 10}


def run(name="classroom", seed=1, **overrides):
    return simulate(load_scenario(name, {**SHORT, **overrides}), seed)


def received(r):
    o = r.orders
    return o[o["received"].notna()]


def test_without_a_policy_the_firm_commits_to_the_requested_date():
    r = run()
    o = received(r)
    assert len(o) > 50
    assert (o["promised"] == o["due"]).all()
    assert not set(PROMISE_KPIS) & set(r.kpis)
    # Every scheduled order is acknowledged once, at once, by the scheduling department.
    s = r.steps
    ack = s[s["activity"] == ACKNOWLEDGE]
    scheduled = s[s["activity"] == "schedule"]
    assert sorted(ack["order"]) == sorted(scheduled["order"])
    assert (ack["start"] == ack["queued"]).all() and (ack["end"] == ack["start"]).all()
    assert set(ack["resource"].astype(str)) == {r.scenario.steps.scheduling.department}
    ends = scheduled.set_index("order")["end"]
    assert np.array_equal(ack.set_index("order")["queued"].loc[ends.index], ends)


def test_request_promises_the_requested_date_and_otif_promise_is_otif():
    r = run(**{POLICY: {"method": "request"}})
    o = received(r)
    assert (o["promised"] == o["due"]).all()
    assert np.array_equal(o["quote"], o["demand_lead_time"])
    k = r.kpis
    assert k["otif_promise"] == k["otif_request"] == k["otif"]


# The textbook case: a make-to-stock retailer whose finished-goods stock always covers the
# order (a fixed target far above a 40-day run's demand). ATP promises admin time (the planned
# entry, selection and scheduling times) + the expected transit, nothing else.
AMPLE = {"chain.buffers.finished_goods.target": 100_000, "horizon_days": 40, "warmup_days": 0}


def test_atp_from_stock_on_hand_promises_admin_time_plus_transit():
    sc = load_scenario("mts-retailer", {**AMPLE, POLICY: {"method": "atp"}})
    r = simulate(sc, 1)
    steps = sc.steps
    admin = steps.entry.time.mean() + steps.selection.time.mean() + steps.scheduling.time.mean()
    transit = (0.5 + 1 + 2) / 3  # distribution: triangular(0.5, 1, 2)
    o = received(r)
    assert len(o) > 300
    assert np.allclose(o["quote"], admin + transit, rtol=0, atol=1e-12)
    assert np.allclose(o["promised"], o["received"] + admin + transit, rtol=0, atol=1e-9)
    assert (o.loc[o["status"] == "delivered", "units_from_stock"]
            == o.loc[o["status"] == "delivered", "units_requested"]).all()


def test_atp_without_stock_falls_back_on_the_replenishment_lead_time():
    """The second exact case: no finished goods at all, so ATP never covers an order; the
    promise adds the replenishment operation for the order's units (assembly's work time,
    inputs and queues aside) to admin time + transit."""
    sc = load_scenario("mts-retailer", {**AMPLE, "chain.buffers.finished_goods.target": 0,
                                        "steps.returns.rate": 0,  # no restocked returns
                                        POLICY: {"method": "atp"}})
    r = simulate(sc, 1)
    steps = sc.steps
    admin = steps.entry.time.mean() + steps.selection.time.mean() + steps.scheduling.time.mean()
    transit = (0.5 + 1 + 2) / 3
    o = received(r)
    assembly = np.array([r.plan.source_time(CHAIN_SITE, p, q)
                         for p, q in zip(o["product"].astype(str), o["quantity"], strict=True)])
    assert (assembly > 0).all()
    assert np.allclose(o["quote"], admin + assembly + transit, rtol=0, atol=1e-12)


@pytest.fixture(scope="module")
def buffered():
    """The same orders promised with buffers of 0 and 2 days (no customer refuses a quote, so
    the buffer changes nothing but the promise)."""
    base = {**SHORT, "customers.*.quote_tolerance": None}
    return {b: simulate(load_scenario("default", {**base, POLICY: {"method": "ctp",
                                                                 "buffer_days": b}}), 1)
            for b in (0.0, 2.0)}


def test_a_larger_buffer_raises_otif_promise_and_moves_the_error_earlier(buffered):
    tight, loose = buffered[0.0].kpis, buffered[2.0].kpis
    assert loose["otif_promise"] > tight["otif_promise"] + 0.1
    assert loose["promise_error"] == pytest.approx(tight["promise_error"] - 2, abs=1e-9)
    assert loose["otif_request"] == tight["otif_request"]  # the requested date is the same
    a, b = received(buffered[0.0]), received(buffered[2.0])
    assert np.allclose(b["promised"] - a["promised"], 2)


def test_perfect_order_is_judged_against_the_promise(buffered):
    k = buffered[0.0].kpis
    # ctp without a buffer promises earlier than most customers ask: fewer kept promises.
    assert k["otif_promise"] < k["otif_request"]
    assert k["perfect_order"] <= k["otif_promise"]
    assert buffered[2.0].kpis["perfect_order"] > k["perfect_order"]


def test_promise_accuracy_counts_deliveries_within_the_tolerance(buffered):
    r = buffered[0.0]
    o = r.orders
    cohort = o[(o["inquiry"] >= r.scenario.warmup_days) & (o["status"] == "delivered")]
    within = ((cohort["delivered"] - cohort["promised"]).abs() <= 1.0).sum()
    assert r.kpis["promise_accuracy"] <= within / len(cohort) + 1e-12
    assert 0 < r.kpis["promise_accuracy"] < 1


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(1, 10_000), target=st.integers(2, 12),
       method=st.sampled_from(["atp", "ctp"]))
def test_atp_never_promises_the_same_unit_twice(seed, target, method):
    """At every promise from stock, the units allocated there (promised from stock to orders
    that have not taken them yet, this one's included) fit in the stock on hand net of
    backorders; allocations end when the order takes its stock or is rejected."""
    sc = load_scenario("classroom", {
        "horizon_days": 40, "warmup_days": 0, "decoupling_point": "ato",
        "chain.buffers.components": {"target": target, "holding_cost": 0.1},
        POLICY: {"method": method}})
    world = World(sc, seed)
    promise = world.promising
    commit = promise.commit
    checked = []

    def checked_commit(o):
        commit(o)
        for (sp_name, item), _ in promise._held.get(o.id, ()):
            sp = world.stock[sp_name]
            assert 0 < promise.ledger[sp_name, item] <= sp.on_hand[item] - sp.backordered[item]
            checked.append(o.id)

    promise.commit = checked_commit
    world.start()
    world.run()
    assert checked
    held = set(promise._held)
    orders = world.demand.orders
    # Delivered and rejected orders hold nothing; what is held adds up to the ledger.
    assert not held & {o.id for o in orders if o.status in ("delivered", "rejected")}
    total: dict = {}
    for allocations in promise._held.values():
        for key, units in allocations:
            total[key] = total.get(key, 0) + units
    assert all(math.isclose(promise.ledger.get(k, 0), v) for k, v in total.items())
    assert all(v == 0 for k, v in promise.ledger.items() if k not in total)


def test_the_trace_shows_requested_and_promised_dates():
    r = run(**{POLICY: {"method": "ctp", "buffer_days": 1}})
    o = received(r)
    oid = int(o.loc[o["status"] == "delivered", "id"].iloc[0])
    t = r.trace(oid)
    head = t.as_dict()["order"]
    assert head["promise_method"] == "ctp"
    assert head["promised"] == pytest.approx(float(o.set_index("id").loc[oid, "promised"]))
    assert head["due"] == pytest.approx(float(o.set_index("id").loc[oid, "due"]))
    text = t.narrative()
    assert "  promised   day" in text and "requested day" in text
    ack = t[t["activity"] == ACKNOWLEDGE]
    assert len(ack) == 1 and f"promised day {head['promised']:.2f}" in ack["detail"].iloc[0]
