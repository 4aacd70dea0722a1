"""The sum rule and the order of steps, over many orders, seeds and scenarios (Hypothesis).

For a delivered order, the records between receipt and delivery (entry, selection, scheduling,
fulfilment) follow each other with no gap and no overlap: the first is queued at receipt, each
next one is queued when the previous one ends, the last ends at delivery. So their waits and
work add up to the cycle time; with billing added, to the order-to-cash time.
"""

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator import STEPS, load_scenario, simulate
from simulator.trace import CASH_STEPS, CYCLE_STEPS, PHASE

DEFAULT = load_scenario("default", {"horizon_days": 30, "warmup_days": 0})
CLASSROOM = load_scenario("classroom", {"horizon_days": 40, "warmup_days": 0})

variations = st.fixed_dictionaries({
    "decoupling_point": st.sampled_from(["mts", "ato", "mto", "eto"]),
    "priority_rule": st.sampled_from(["fcfs", "edd", "priority"]),
    "steps.entry.error_rate": st.floats(0, 0.6),
    "steps.selection.credit_hold_rate": st.floats(0, 0.6),
    "steps.selection.credit_reject_rate": st.floats(0, 0.3),
    "steps.billing.error_rate": st.floats(0, 0.5),
    "steps.scheduling.time": st.sampled_from([0, 0.02, {"dist": "exponential", "mean": 0.05}]),
})

chain_variations = st.fixed_dictionaries({
    "chain.buffers.components.target": st.one_of(st.just("auto"), st.integers(0, 20)),
    "chain.buffers.finished_goods.target": st.one_of(st.just("auto"), st.integers(0, 10)),
    "chain.stages.fabrication.breakdowns": st.sampled_from([
        None, {"time_between_failures": {"dist": "exponential", "mean": 1.0},
               "repair_time": {"dist": "exponential", "mean": 0.3}}]),
})


def check_sum_rule(result, steps=CYCLE_STEPS, end="delivered"):
    """Checks the rule for every order that reached ``end``; returns how many were checked."""
    o = result.orders
    s = result.steps
    done = o[o[end].notna()]
    if not len(done):
        return 0
    rec = s[s["step"].isin(steps) & s["order"].isin(done["id"])]
    order = rec["order"].to_numpy()
    queued, ended = rec["queued"].to_numpy(), rec["end"].to_numpy()
    wait, work = rec["wait"].to_numpy(), rec["work"].to_numpy()
    assert (wait >= 0).all() and (work >= 0).all()
    same = order[1:] == order[:-1]
    # No gap, no overlap: each record is queued exactly when the previous one of its order ends.
    assert np.array_equal(queued[1:][same], ended[:-1][same])
    first = np.flatnonzero(np.r_[True, ~same])
    last = np.flatnonzero(np.r_[~same, True])
    assert np.array_equal(order[first], done["id"].to_numpy())
    assert np.array_equal(queued[first], done["received"].to_numpy())
    assert np.array_equal(ended[last], done[end].to_numpy())
    total = np.add.reduceat(wait + work, first)
    assert np.allclose(total, (done[end] - done["received"]).to_numpy(), rtol=1e-12, atol=1e-9)
    return len(done)


def check_order_of_steps(result):
    """Records of an order are in time order, its main path's steps in the cycle's order."""
    s = result.steps
    for _, rec in s.groupby("order", sort=False):
        q = rec["queued"].to_numpy()
        assert (np.diff(q) >= 0).all()
        main = rec[rec["step"].astype(str).map(PHASE) != "after-sales"]
        idx = main["step"].astype(str).map(STEPS.index).to_numpy()
        assert (np.diff(idx) >= 0).all(), main
        ful = main[main["step"] == "fulfillment"]["activity"].astype(str).tolist()
        sc = result.scenario
        takes, ops = result.plan.order_route(str(result.orders["product"].iloc[0]), "customers", 1)
        expected = ([f"stock at {sc.codp}"] if takes else []) + [s for s, _ in ops]
        assert ful == expected[: len(ful)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=variations, chain=chain_variations, seed=st.integers(0, 2**31 - 1),
       base=st.sampled_from(["default", "classroom"]))
def test_waits_and_work_add_up_to_the_cycle_time(changes, chain, seed, base):
    sc = (DEFAULT if base == "default" else CLASSROOM).with_overrides(**changes)
    if base == "default":
        sc = sc.with_overrides(**chain)
    r = simulate(sc, seed)
    check_sum_rule(r)
    check_sum_rule(r, CASH_STEPS, "paid")
    check_order_of_steps(r)
    # The trace of an order says the same: its cycle phase adds up to its cycle time.
    delivered = r.orders.loc[r.orders["status"] == "delivered", "id"].to_numpy()
    for oid in delivered[:: max(1, len(delivered) // 4)]:
        t = r.trace(int(oid))
        cycle = t[t["phase"] == "cycle"]
        assert math.isclose(cycle["wait"].sum() + cycle["work"].sum(), t.order["cycle_time"],
                            rel_tol=1e-12, abs_tol=1e-9)
        assert math.isclose(t.order["waiting"] + t.order["working"], t.order["cycle_time"],
                            rel_tol=1e-12, abs_tol=1e-9)
        assert (t["wait"] == t["start"] - t["queued"]).all()
        assert (t["work"] == t["end"] - t["start"]).all()


def test_the_rule_holds_over_a_whole_year_of_the_default_scenario():
    r = simulate(load_scenario("default"), 3)
    assert check_sum_rule(r) > 1000
    assert check_sum_rule(r, CASH_STEPS, "paid") > 1000
    w = r.where_time_goes()
    assert math.isclose(w.by_step["total"].sum(), w.mean_time, rel_tol=1e-9)
    assert math.isclose(w.by_department["total"].sum(), w.mean_time, rel_tol=1e-9)
    cash = r.where_time_goes("cash")
    assert math.isclose(cash.by_step["total"].sum(), cash.mean_time, rel_tol=1e-9)
    assert math.isclose(cash.causes["share"].sum(), 1.0)
