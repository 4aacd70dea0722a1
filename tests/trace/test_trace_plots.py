"""The trace figures build for any scenario (with and without decoupling stock) and save."""

import pytest
from matplotlib.figure import Figure

from simulator import load_scenario, simulate
from simulator.plots import order_timeline, time_breakdown, war_room
from simulator.plots.trace import lanes
from simulator.trace import pick_order


@pytest.fixture(scope="module", params=["ato", "eto"])
def result(request):
    sc = load_scenario("default", {"horizon_days": 40, "warmup_days": 5,
                                   "decoupling_point": request.param})
    return simulate(sc, 1)


def test_order_timeline(result, tmp_path):
    t = result.trace(pick_order(result, "slowest"))
    for until in ("delivery", "payment", "all"):
        fig = order_timeline(t, until=until)
        assert isinstance(fig, Figure)
    n = len(t[t["phase"].isin(["inquiry", "cycle"])])
    assert len(order_timeline(t).axes[0].get_yticks()) == n
    fig.savefig(tmp_path / "t.png")
    with pytest.raises(ValueError, match="until"):
        order_timeline(t, until="forever")


def test_war_room(result, tmp_path):
    fig = war_room(result)
    ax = fig.axes[0]
    names = [label.get_text() for label in ax.get_yticklabels()]
    assert names and set(names) <= set(lanes(result))
    assert "sales" in names and "distribution" in names
    oid = pick_order(result, "random")
    fig = war_room(result, highlight=oid, max_orders=10)
    assert f"order {oid}" in [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    fig.savefig(tmp_path / "w.png")


def test_lanes_follow_the_order_through_the_company(result):
    order = lanes(result)
    sc = result.scenario
    assert order[0] == sc.steps.generation.department
    last_station = result.plan.order_route(next(iter(sc.products)), "customers", 1)[1][-1][0]
    assert order.index("customer") > order.index(last_station)


def test_time_breakdown(result, tmp_path):
    fig = time_breakdown(result)
    assert len(fig.axes) == 3
    fig = time_breakdown(result.where_time_goes("cash"))
    fig.savefig(tmp_path / "b.png")
