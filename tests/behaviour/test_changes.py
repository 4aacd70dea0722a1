"""Changes and cancellations (docs/order-life.md): more patience means fewer cancellations, a
request before fulfilment applies at its rate, a request after it is refused, a late order the
customer gave up on counts against OTIF, and the trace says who cancelled and why."""

import math

import pytest
import simpy

from simulator import load_scenario, simulate
from simulator.kpis import CHANGE_KPIS
from simulator.model.environment import Environment
from simulator.trace import explain_outcome, render_narrative, trace

CLS = "customers.regular"
Z = 3.29  # two-sided 99.9%


def classroom(changes, days=300):
    return load_scenario("classroom", {"horizon_days": days, "warmup_days": 20, **changes})


def cancelled(run, why):
    o = run.orders
    return int(((o["status"] == "cancelled") & (o["cancelled_for"] == why)).sum())


def test_more_patience_means_fewer_cancellations():
    # D = 1.5 days against about 3 of work and a busier workshop: most orders are late, some
    # by days (about 120, 100 and 70 cancellations a run, common random numbers across designs).
    base = {f"{CLS}.demand_lead_time": 1.5, f"{CLS}.quote_tolerance": None,
            "steps.generation.channels.phone.rate_per_day": 2.0}
    counts = {}
    for mean in (0.25, 1.0, 4.0):
        sc = classroom({**base, f"{CLS}.patience": {"dist": "exponential", "mean": mean}},
                       days=150)
        counts[mean] = sum(cancelled(simulate(sc, seed), "patience") for seed in (1, 2))
    assert counts[0.25] > counts[1.0] > counts[4.0] > 50
    assert counts[0.25] > 1.5 * counts[4.0]


def test_a_request_before_fulfilment_applies_at_its_rate():
    sc = classroom({f"{CLS}.changes": {"cancel": 0.3, "delay": 0}})
    run = simulate(sc, 4)
    o = run.orders
    received = o[o["received"].notna()]
    n, hits = len(received), cancelled(run, "customer")
    assert n > 300
    assert abs(hits / n - 0.3) <= Z * math.sqrt(0.3 * 0.7 / n)
    gone = o[o["cancelled_for"] == "customer"]
    # Asked at once: nothing of fulfilment happened to them, no stock was taken.
    assert (gone["units_requested"] == 0).all() and gone["delivered"].isna().all()
    assert run.kpis["orders_cancelled"] == int((o[o["inquiry"] >= 20]["status"]
                                                == "cancelled").sum())


def test_quantity_and_date_changes_apply_before_fulfilment():
    sc = classroom({f"{CLS}.changes": {"quantity": 0.5, "quantity_factor": 3, "date": 0.5,
                                       "lead_time": 9, "delay": 0}})
    run = simulate(sc, 5)
    o = run.orders[run.orders["received"].notna()]
    assert o["changed"].all()
    tripled = o["quantity"] == 3
    assert 0.4 < tripled.mean() < 0.6
    moved = o[~tripled]
    assert (moved["due"] - moved["received"]).round(9).eq(9).all()
    assert (moved["demand_lead_time"] == 9).all()
    done = o[(o["status"] == "delivered") & tripled]
    assert (done["units_requested"] == 3 * 3).all()  # a widget takes a frame and two gears
    assert run.kpis["orders_changed"] == int(run.orders[run.orders["inquiry"] >= 20]["changed"]
                                             .sum())


def test_a_request_after_fulfilment_started_is_refused():
    # Requests come 1.5 days after receipt: past scheduling for nearly every order.
    sc = classroom({f"{CLS}.changes": {"cancel": 1.0, "delay": 1.5}})
    run = simulate(sc, 6)
    steps = run.steps
    refused = steps[steps["activity"] == "change refused"]
    assert len(refused) > 50
    assert set(refused["order"]) <= set(run.orders.loc[run.orders["status"] != "cancelled", "id"])
    assert (refused["step"] == "fulfillment").all()


def test_patience_cancellations_count_as_late_and_customer_ones_are_left_out():
    base = {f"{CLS}.demand_lead_time": 2, f"{CLS}.quote_tolerance": None}
    plain = simulate(classroom(base), 7)
    sc = classroom({**base, f"{CLS}.patience": 0.5})
    run = simulate(sc, 7)
    assert set(CHANGE_KPIS) <= set(run.kpis) and not set(CHANGE_KPIS) & set(plain.kpis)
    o = run.orders[run.orders["inquiry"] >= 20]
    judged = o[(o["status"].isin(["delivered", "open"]) | (o["cancelled_for"] == "patience"))
               & (o["due"] <= 320)]
    on_time = (judged["status"] == "delivered") & (judged["delivered"] <= judged["due"] + 1e-9)
    assert run.kpis["otif"] == pytest.approx(on_time.mean())
    assert (o["status"] == "cancelled").sum() > 0
    # Customer cancellations are left out of OTIF altogether.
    asked = simulate(classroom({**base, f"{CLS}.changes": {"cancel": 0.5, "delay": 0}}), 7)
    a = asked.orders[asked.orders["inquiry"] >= 20]
    judged = a[a["status"].isin(["delivered", "open"]) & (a["due"] <= 320)]
    on_time = (judged["status"] == "delivered") & (judged["delivered"] <= judged["due"] + 1e-9)
    assert asked.kpis["otif"] == pytest.approx(on_time.mean())


def test_the_trace_says_who_cancelled_and_why():
    sc = classroom({f"{CLS}.demand_lead_time": 2, f"{CLS}.quote_tolerance": None,
                    f"{CLS}.patience": 0.5}, days=120)
    run = simulate(sc, 8)
    oid = int(run.orders.loc[run.orders["cancelled_for"] == "patience", "id"].iloc[0])
    t = trace(run, oid)
    text = render_narrative(t)
    assert "[cancelled]" in text and "cancelled by customer: patience" in text
    last = t.iloc[-1]
    assert last["activity"] == "cancelled" and last["reason"] == "patience"
    assert "patience ran out" in explain_outcome(run, t.order)
    assert t.order["late_by"] == pytest.approx(t.order["cancelled"] - t.order["due"])
    assert t.order["late_by"] >= 0.5 - 1e-9


def test_an_interrupt_reaches_a_process_through_the_two_level_queue():
    env = Environment()
    seen = []

    def sleeper():
        try:
            yield env.timeout(30)  # in a later day's bucket, not the heap
        except simpy.Interrupt as stop:
            seen.append((env.now, stop.cause))

    proc = env.process(sleeper())
    env.timeout(2.5).callbacks.append(lambda _: proc.interrupt("patience"))
    env.run()
    assert seen == [(2.5, "patience")]
