"""Conservation with payment, fraud checks and digital copies: every inquiry ends in exactly one
state (lost, rejected, delivered, open), a rejection says why, and payment milestones are
ordered as the payment method says."""

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator import load_scenario
from simulator.model.world import World

BASE = load_scenario("classroom", {"horizon_days": 40, "warmup_days": 5})
CH = "steps.generation.channels"

payment = st.one_of(
    st.none(),
    st.just({"method": "terms"}),
    st.builds(lambda t: {"method": "prepayment", "hold_time": t}, st.floats(0, 3)),
    st.builds(lambda t, p: {"method": "card", "hold_time": t, "decline_rate": p},
              st.floats(0, 0.1), st.floats(0, 1)),
)
fraud = st.one_of(st.none(), st.builds(
    lambda r, t, j: {"review_rate": r, "review_time": t, "reject_rate": j},
    st.floats(0, 1), st.floats(0, 0.5), st.floats(0, 1)))
variations = st.fixed_dictionaries({
    "decoupling_point": st.sampled_from(["mts", "ato", "mto", "eto", "dc"]),
    "products.widget.delivery": st.sampled_from(["physical", "digital"]),
    f"{CH}.web.payment": payment,
    f"{CH}.phone.payment": payment,
    f"{CH}.web.fraud_check": fraud,
    "steps.selection.credit_reject_rate": st.floats(0, 0.5),
    "steps.returns.rate": st.floats(0, 0.5),
})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=variations, seed=st.integers(0, 2**31))
def test_every_inquiry_ends_in_one_state_with_payment_and_digital(changes, seed):
    sc = BASE.with_overrides(**changes)
    world = World(sc, seed)
    world.start()
    world.env.run(until=world.end)
    channels = sc.steps.generation.channels
    for o in world.demand.orders:
        assert o.status in ("lost", "rejected", "delivered", "open")
        assert (o.status == "rejected") == bool(o.rejected_for)
        method = channels[o.channel].method
        if o.status == "rejected":
            assert o.rejected_for in {"terms": ("credit", "fraud"), "prepayment": ("fraud",),
                                      "card": ("card declined", "fraud")}[method]
            assert math.isnan(o.delivered)
        if o.status == "delivered" and not math.isnan(o.paid):
            if method == "terms":
                assert o.paid >= o.invoiced >= o.delivered
            elif method == "card":
                assert o.paid == o.invoiced >= o.delivered
            else:
                assert o.received <= o.paid <= o.delivered
        if world.plan.digital(o.product):
            assert o.units_requested == 0 and o.visits == 0
