"""The run and trace charts (simulator.charts) build for any scenario, with and without
decoupling stock; their tooltips name the order, the step, the holder, the times and the reason;
they are written as image files and as offline HTML."""

import json

import pytest

from simulator import charts, load_scenario, simulate
from simulator.charts import lanes
from simulator.trace import pick_order


@pytest.fixture(scope="module", params=["ato", "eto"])
def result(request):
    sc = load_scenario("default", {"horizon_days": 40, "warmup_days": 5,
                                   "decoupling_point": request.param})
    return simulate(sc, 1)


def _tooltips(spec) -> set[str]:
    """Every tooltip title or field anywhere in a Vega-Lite spec."""
    found = set()

    def walk(node):
        if isinstance(node, dict):
            tip = node.get("tooltip")
            for t in tip if isinstance(tip, list) else [tip] if isinstance(tip, dict) else []:
                found.add(t.get("title") or t.get("field"))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(spec)
    return found


def _datasets(spec) -> list[dict]:
    return [row for rows in spec.get("datasets", {}).values() for row in rows]


def test_order_timeline(result):
    t = result.trace(pick_order(result, "slowest"))
    for until in ("delivery", "payment", "all"):
        spec = charts.order_timeline(t, until=until).to_dict()
    spec = charts.order_timeline(t).to_dict()
    rows = {r["row"] for r in _datasets(spec) if "row" in r}
    assert len(rows) == len(t[t["phase"].isin(["inquiry", "cycle"])])
    assert {"order", "step", "held by", "queued", "done", "why"} <= _tooltips(spec)
    with pytest.raises(ValueError, match="until"):
        charts.order_timeline(t, until="forever")


def test_war_room_names_order_step_holder_and_why(result):
    oid = pick_order(result, "random")
    spec = charts.war_room(result, highlight=oid, max_orders=10).to_dict()
    assert {"order", "step", "held by", "queued", "done", "why"} <= _tooltips(spec)
    rows = [r for r in _datasets(spec) if "holder" in r]
    assert {r["holder"] for r in rows} <= set(lanes(result))
    assert {"sales", "distribution"} <= {r["holder"] for r in rows}
    assert {r["order"] for r in rows if r["group"] == "traced order"} == {oid}
    # a queue's reason reads in words
    assert any(r["why"].startswith("queue at") for r in _datasets(
        charts.war_room(result, max_orders=60).to_dict()) if "why" in r)
    # zoom and pan on the time axis
    assert '"bind": "scales"' in json.dumps(spec)


def test_war_room_replay_shows_only_what_had_happened(result):
    ids, start, days = charts.war_room_orders(result, max_orders=30)
    day = start + days / 2
    rows = charts.war_room_records(result, ids, until_day=day)
    assert len(rows) and (rows["queued"] <= day).all() and (rows["end"] <= day).all()
    assert len(rows) < len(charts.war_room_records(result, ids))


def test_lanes_follow_the_order_through_the_company(result):
    order = lanes(result)
    sc = result.scenario
    assert order[0] == sc.steps.generation.department
    last_station = result.plan.order_route(next(iter(sc.products)), "customers", 1)[1][-1][0]
    assert order.index("customer") > order.index(last_station)


def test_time_breakdown_and_run_charts(result):
    assert len(charts.time_breakdown(result).to_dict()["vconcat"]) == 3
    charts.time_breakdown(result.where_time_goes("cash")).to_dict()
    for make in (charts.cycle_time_distribution, charts.fill_rate_over_time,
                 charts.levels_over_time):
        spec = make(result).to_dict()
        # values on hover, or a chart that says in words why it has none (ETO: no stock)
        assert _tooltips(spec) or spec["mark"]["type"] == "text"


@pytest.mark.parametrize("suffix", [".png", ".svg", ".html"])
def test_save(result, tmp_path, suffix):
    path = charts.save(charts.time_breakdown(result), tmp_path / f"b{suffix}")
    data = path.read_bytes()
    assert len(data) > 1000
    if suffix == ".html":  # Vega's JavaScript inlined: no script from a CDN
        assert b"cdn.jsdelivr" not in data and b"<script src=" not in data
    with pytest.raises(ValueError, match="saved as"):
        charts.save(charts.time_breakdown(result), tmp_path / "b.gif")
