"""Payment and fraud per channel (docs/order-life.md): card declines at their rate, prepayment
shortens order-to-cash, the fraud check rejects and reviews, the trace names the holds, and a
channel on terms said out loud is the channel with nothing said."""

import math

import numpy as np
import pytest

from simulator import load_scenario, simulate
from simulator.kpis import PAYMENT_KPIS, finite_or_none

WEB = "steps.generation.channels.web"
PHONE = "steps.generation.channels.phone"
LONG = {"horizon_days": 400, "warmup_days": 20}
Z = 3.29  # two-sided 99.9%


def classroom(changes, extra=LONG):
    return load_scenario("classroom", {**extra, **changes})


@pytest.fixture(scope="module")
def card_run():
    sc = classroom({f"{WEB}.rate_per_day": 3,
                    f"{WEB}.payment": {"method": "card", "hold_time": 0.002, "decline_rate": 0.2},
                    f"{WEB}.fraud_check": {"time": 0.001, "review_rate": 0.3,
                                           "review_time": 0.05, "reject_rate": 0.1}})
    return simulate(sc, 3)


def within_binomial_ci(hits, n, p):
    return abs(hits / n - p) <= Z * math.sqrt(p * (1 - p) / n)


def test_card_declines_appear_at_about_the_set_rate(card_run):
    steps, orders = card_run.steps, card_run.orders
    auth = steps[steps["activity"] == "card authorisation"]
    n = len(auth)
    declined = int((orders["rejected_for"] == "card declined").sum())
    assert n > 500
    assert within_binomial_ci(declined, n, 0.2)
    # Only the card channel is authorised; a declined order ends at entry, never selected.
    assert set(orders.loc[auth["order"], "channel"]) == {"web"}
    gone = orders.loc[orders["rejected_for"] == "card declined", "id"]
    assert not steps[steps["order"].isin(gone) & (steps["step"] == "selection")].size
    assert card_run.kpis["card_decline_rate"] == pytest.approx(
        within_window_share(card_run, "card declined", "card authorisation"))


def within_window_share(run, why, activity):
    o, s = run.orders, run.steps
    cohort = o[o["inquiry"] >= run.scenario.warmup_days]
    made = s[(s["activity"] == activity) & s["order"].isin(cohort["id"])]
    return (cohort["rejected_for"] == why).sum() / len(made)


def test_fraud_check_rejects_and_reviews_at_about_their_rates(card_run):
    steps, orders = card_run.steps, card_run.orders
    checked = steps[steps["activity"] == "fraud check"]
    reviews = steps[steps["activity"] == "fraud review"]
    assert within_binomial_ci(int((orders["rejected_for"] == "fraud").sum()), len(checked), 0.1)
    assert within_binomial_ci(len(reviews), len(checked), 0.3)
    k = card_run.kpis
    assert k["fraud_reject_rate"] == pytest.approx(within_window_share(card_run, "fraud", "fraud check"))
    cohort = orders[orders["inquiry"] >= card_run.scenario.warmup_days]["id"]
    mine = reviews[reviews["order"].isin(cohort)]
    assert k["fraud_review_time_mean"] == pytest.approx((mine["end"] - mine["queued"]).mean())
    assert k["fraud_review_time_mean"] >= 0.05 * 0.9  # at least the review itself, on average


def test_card_and_prepaid_orders_get_no_credit_check(card_run):
    steps, orders = card_run.steps, card_run.orders
    credit = steps[steps["activity"] == "credit check"]
    assert set(orders.loc[credit["order"], "channel"]) == {"phone"}
    assert (orders.loc[orders["channel"] == "web", "rejected_for"] != "credit").all()


def test_the_trace_names_the_new_holds(card_run):
    orders = card_run.orders
    reviewed = card_run.steps.loc[card_run.steps["activity"] == "fraud review", "order"]
    t = card_run.trace(int(reviewed.iloc[0]))
    reasons = set(t["reason"].astype(str))
    assert {"card authorisation", "fraud review"} <= reasons
    assert any("reviewer" in d for d in t["detail"])
    declined = int(orders.loc[orders["rejected_for"] == "card declined", "id"].iloc[0])
    from simulator.trace import explain_outcome
    header = card_run.trace(declined).order
    assert header["rejected_for"] == "card declined" and header["payment"] == "card"
    assert "card payment was declined" in explain_outcome(card_run, header)


def test_prepayment_shortens_order_to_cash_against_terms_on_the_same_seed():
    prepaid = {f"{ch}.payment": {"method": "prepayment", "hold_time": 1.0} for ch in (WEB, PHONE)}
    terms = simulate(classroom({}), 5).kpis
    pre = simulate(classroom(prepaid), 5)
    k = pre.kpis
    assert k["order_to_cash_mean"] < terms["order_to_cash_mean"] - 20  # 30-day terms gone
    assert k["days_sales_outstanding"] == 0  # paid before the invoice: never owed
    assert terms["days_sales_outstanding"] > 25
    o = pre.orders[pre.orders["status"] == "delivered"]
    assert (o["paid"] <= o["delivered"]).all() and (o["paid"] >= o["received"] + 1.0 - 1e-9).all()
    assert "prepayment" in set(pre.steps["reason"].astype(str))
    # Billing records the prepayment applied, not a wait for terms.
    billing = pre.steps[pre.steps["step"] == "billing"]
    assert "payment" not in set(billing["activity"]) and "payment captured" in set(billing["activity"])


def test_card_capture_at_billing_pays_at_the_invoice():
    run = simulate(classroom({f"{ch}.payment": {"method": "card"} for ch in (WEB, PHONE)}), 2)
    o = run.orders[run.orders["paid"].notna()]
    assert len(o) > 100 and np.allclose(o["paid"], o["invoiced"])
    assert run.kpis["days_sales_outstanding"] == 0


def test_terms_said_out_loud_change_nothing():
    absent = simulate(classroom({}, {}), 1).kpis
    said = simulate(classroom({f"{WEB}.payment": {"method": "terms"}}, {}), 1).kpis
    assert set(said) - set(absent) == set(PAYMENT_KPIS)
    for name in set(absent) - {"wall_seconds"}:
        assert finite_or_none(said[name]) == finite_or_none(absent[name]), name
    assert said["card_decline_rate"] != said["card_decline_rate"]  # no card: undefined (NaN)


def test_conservation_holds_with_payment_and_fraud(card_run):
    k = card_run.kpis
    assert k["inquiries"] == k["orders_lost"] + k["orders_rejected"] + k["orders_delivered"] \
        + k["orders_open"]
    assert set(card_run.orders.loc[card_run.orders["status"] == "rejected", "rejected_for"]) \
        == {"credit", "card declined", "fraud"}
