"""The shipped multi-site scenario runs as a network: orders are assembled at a plant, trucked to
one of their region's candidate distribution centres (its own, or the neighbouring one the
sourcing rule chose) and delivered from there; plants supply each other."""

import pytest

from simulator import load_scenario, simulate
from simulator.trace import trace

SHORT = {"horizon_days": 10, "warmup_days": 0}


@pytest.fixture(scope="module")
def run():
    return simulate(load_scenario("multi-site", SHORT), 1)


def journeys(result):
    """order id -> its fulfilment steps' resources, in order (a multi-line order's wait for its
    other lines, held at its lane, is no trip on the lane, and the sourcing decision is held by
    the scheduling desk: left out)."""
    s = result.steps
    s = s[(s.step == "fulfillment") & ~s.activity.isin(["other lines", "sourcing"])].sort_values(
        ["order", "queued", "start"], kind="stable")
    return {oid: list(rows.resource) for oid, rows in s.groupby("order", observed=True)}


def test_orders_cross_sites_from_a_plant_to_a_dc_to_the_region(run):
    net = run.scenario.network
    orders = run.orders.set_index("id")
    delivered = orders.index[orders.status == "delivered"]
    assert len(delivered) > 100
    crossing: dict[str, int] = {}
    for oid, path in journeys(run).items():
        if oid not in delivered:
            continue
        region = orders.at[oid, "region"]
        lanes = [net.lanes[r] for r in path if r in net.lanes]
        # Every delivered order leaves on the lane from one of its region's DCs to the region.
        dc = lanes[-1].source
        assert dc in net.regions[region].sites and lanes[-1].to == region
        made = [net.work_centers[r].site for r in path if r in net.work_centers]
        if made:  # assembled to order at a plant, then trucked from that plant to the DC
            assert net.sites[made[-1]].kind == "plant"
            assert [(lane.source, lane.to) for lane in lanes] == [(made[-1], dc), (dc, region)]
            crossing[made[-1]] = crossing.get(made[-1], 0) + 1
    # Both plants assemble orders that cross to all three DCs' regions.
    assert set(crossing) == {"plant_brno", "plant_lyon"}
    assert min(crossing.values()) > 20


def test_the_trace_of_an_assembled_order_shows_its_sites(run):
    # What `omcsim trace multi-site --json` prints: a site on each fulfilment record.
    orders = run.orders.set_index("id")
    assembled = [oid for oid, path in journeys(run).items()
                 if orders.at[oid, "status"] == "delivered" and "assembly_lyon" in path]
    steps = trace(run, assembled[0]).as_dict()["steps"]
    # The sourcing decision (held by the scheduling desk) is at no site.
    sites = [s["site"] for s in steps if s["step"] == "fulfillment" and s["activity"] != "sourcing"]
    dc = sites[-1]
    assert sites[0] == "plant_lyon"
    assert dc in run.scenario.network.regions[orders.at[assembled[0], "region"]].sites
    (last_mile,) = [run.scenario.network.lanes[s["activity"]] for s in steps if s["site"] == dc]
    assert (last_mile.source, last_mile.to) == (dc, orders.at[assembled[0], "region"])


def test_plants_supply_each_other_and_the_dcs(run):
    jobs = run.jobs
    shuttle = jobs[jobs.resource == "brno_to_lyon"]
    assert len(shuttle) > 0 and set(shuttle.buffer) == {"lyon_from_brno"}
    assert set(shuttle.item) <= {"motor_m", "ctrl_basic", "ctrl_smart"}
    # The three make-to-stock circulators are replenished at the DCs from Brno (the lines of
    # multi-line orders travel the same lanes as jobs of kind "line": left out).
    to_dcs = jobs[jobs.resource.isin(["brno_to_hamburg", "brno_to_nuremberg", "brno_to_barcelona"])
                  & (jobs.kind == "replenishment")]
    assert set(to_dcs["item"]) <= {"CA25-B", "CA25-S", "CA32-B"} and len(to_dcs) > 0


def test_make_to_stock_serves_every_order_from_a_dc_of_its_region():
    r = simulate(load_scenario("multi-site", {**SHORT, "decoupling_point": "mts"}), 1)
    net = r.scenario.network
    orders = r.orders.set_index("id")
    delivered = set(orders.index[orders.status == "delivered"])
    assert len(delivered) > 100
    for oid, path in journeys(r).items():
        if oid in delivered:
            sites = net.regions[orders.at[oid, "region"]].sites
            assert net.stock_points[path[0]].site in sites
            assert not [p for p in path if p in net.work_centers]
