"""The rest of an order's life per line (docs/order-life.md): demand events and resilience judge
an order by every line, partial quantities within a line, and a change that re-quotes."""

from __future__ import annotations

import numpy as np
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
