"""The benchmark scripts run (tiny sizes) and print their tables, so they cannot rot unseen.
Their figures are machine-dependent and are not asserted here; see benchmarks/README.md."""

import gc
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.mark.parametrize(("script", "args", "expected"), [
    ("bench_speed.py", ["--days", "30", "--rounds", "1"], "model / hand-written SimPy"),
    ("bench_memory.py", ["--days", "30", "--records", "1000"], "bytes/step"),
    ("bench_lines.py", ["--days", "3", "--rounds", "1"], "4 lines partial"),
])
def test_benchmark_script_runs(script, args, expected):
    done = subprocess.run([sys.executable, str(BENCHMARKS / script), *args], text=True,
                          capture_output=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert expected in done.stdout


def test_network_sites_benchmark_copies_whole_distribution_centres():
    """bench_network.py part 4's multi-site with its DCs twice over: each copy holds its stock
    points, and orders arrive in every copied region and are served from its own copies."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from bench_network import more_dcs
    finally:
        sys.path.remove(str(BENCHMARKS))
    from simulator.model.world import World

    sc = more_dcs(2, {"horizon_days": 15, "warmup_days": 5})
    net = sc.network
    assert len([s for s in net.sites.values() if s.kind == "dc"]) == 6
    assert {sp.site for sp in net.stock_points.values()} >= {"dc_hamburg~2", "dc_barcelona~2"}
    world = World(sc, 1)
    world.start()
    world.run()
    orders = world.demand.orders
    assert {o.region for o in orders} == set(net.regions)
    delivered_from = {o.site for o in orders if o.region.endswith("~2") and o.status == "delivered"}
    assert delivered_from and all(site.endswith("~2") for site in delivered_from)


def test_network_volume_benchmark_scales_demand_and_capacity_alike():
    """bench_network.py part 5's default at k times its volume: demand, staff and servers all
    times k (unlimited stages stay unlimited), the rest of the scenario as shipped."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from bench_network import scaled_default
    finally:
        sys.path.remove(str(BENCHMARKS))
    from simulator import load_scenario

    base, big = load_scenario("default"), scaled_default(3, {"horizon_days": 20})
    assert big.horizon_days == 20 and big.products == base.products
    for c, channel in base.steps.generation.channels.items():
        assert big.steps.generation.channels[c].rate_per_day == 3 * channel.rate_per_day
    assert all(big.departments[n].staff == 3 * d.staff for n, d in base.departments.items())
    assert all(big.chain.stages[n].servers == (3 * s.servers if s.servers else None)
               for n, s in base.chain.stages.items())


def test_network_volume_benchmark_scales_the_hand_written_flow():
    """Part 5's hand-written flow at k times its order rate and servers: about k times the
    events per simulated day (the same loads), and the cycle collector as it was."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from bench_network import run_hand_written
        from bench_speed import network
    finally:
        sys.path.remove(str(BENCHMARKS))
    from simulator import load_scenario

    rate, stations = network(load_scenario(BENCHMARKS / "ten_stations.yaml"))
    _, one, _ = run_hand_written(rate, stations, 60.0)
    _, four, _ = run_hand_written(4 * rate, [(4 * n, m) for n, m in stations], 15.0)
    assert 0.8 < four / one < 1.2  # the same days' worth of events: a quarter of the days
    assert gc.isenabled()
