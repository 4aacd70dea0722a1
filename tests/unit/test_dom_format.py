"""The distributed-order-management part of the format (docs/order-life.md): candidate sites,
sourcing rules, handling costs, pickup in store and returns to store. Bad input gives one
message naming the path; the CLI exits 2 without a traceback."""

import subprocess
import sys
from pathlib import Path

import pytest

from simulator import ScenarioError, load_scenario

RETAILER = "omnichannel-retailer"
CH = "steps.generation.channels"
REGIONS = "network.regions"


def error_of(overrides, name=RETAILER):
    with pytest.raises(ScenarioError) as e:
        load_scenario(name, overrides)
    return str(e.value)


@pytest.mark.parametrize(("overrides", "path", "says"), [
    ({f"{REGIONS}.west.served_from": ["dc_south", "store_nowhere"]},
     f"{REGIONS}.west.served_from.1", "'store_nowhere' is not a plant, dc or store"),
    ({f"{REGIONS}.west.served_from": ["dc_south", "supplier_asia"]},
     f"{REGIONS}.west.served_from.1", "not a plant, dc or store"),
    ({f"{REGIONS}.west.served_from": ["dc_south", "store_leeds"]},
     f"{REGIONS}.west.served_from.1", "no lane from store_leeds to west"),
    ({f"{REGIONS}.west.served_from": ["dc_south", "dc_south"]},
     f"{REGIONS}.west.served_from", "each site once"),
    ({f"{REGIONS}.west.served_from": []}, f"{REGIONS}.west.served_from", "at least one site"),
    ({"network.sourcing": "cheapest"}, "network.sourcing", "'nearest_with_stock'"),
    ({f"{CH}.web.sourcing": "closest"}, f"{CH}.web.sourcing", "'lowest_cost'"),
    ({"network.sites.dc_south.handling_cost": -1}, "network.sites.dc_south.handling_cost",
     "greater than or equal to 0"),
    ({"network.sites.supplier_asia.handling_cost": 2}, "network.sites.supplier_asia",
     "a supplier ships no customer orders"),
    ({f"{CH}.click_collect.pickup.share": 0}, f"{CH}.click_collect.pickup.share", "greater than 0"),
    ({f"{CH}.click_collect.pickup.share": 1.5}, f"{CH}.click_collect.pickup.share",
     "less than or equal to 1"),
    ({f"{CH}.click_collect.pickup.collect_delay": {"dist": "exponential", "mean": -1}},
     f"{CH}.click_collect.pickup.collect_delay", "mean"),
    ({f"{CH}.store.returns_to": "warehouse"}, f"{CH}.store.returns_to", "'store'"),
    # Pickup needs a store among the region's sites, and a lane from each other one to it.
    ({f"{REGIONS}.west.served_from": ["dc_south", "dc_midlands"]},
     f"{REGIONS}.west.served_from", "no store is among"),
    ({"network.lanes.south_to_bristol.from": "store_london"}, f"{REGIONS}.west.served_from",
     "dc_south has no lane to the store store_bristol"),
])
def test_bad_dom_input_names_the_path(overrides, path, says):
    msg = error_of(overrides)
    assert path in msg and says in msg, msg


@pytest.mark.parametrize("field", [("sourcing", "priority"), ("pickup", {"share": 1}),
                                   ("returns_to", "store")])
def test_dom_needs_a_network(field):
    name, value = field
    msg = error_of({f"{CH}.web.{name}": value}, "classroom")
    assert f"{CH}.web.{name}: needs a network" in msg


def test_one_site_and_no_pickup_is_not_distributed():
    assert load_scenario(RETAILER).distributes
    sc = load_scenario(RETAILER, {
        f"{REGIONS}.{r}.served_from": site for r, site in
        (("yorkshire", "dc_midlands"), ("northwest", "dc_midlands"), ("scotland", "dc_midlands"),
         ("west", "dc_south"), ("london", "dc_south"))} | {
        f"{CH}.{c}.{f}": v for c in ("click_collect", "store")
        for f, v in (("pickup", None), ("returns_to", "site"))})
    assert not sc.distributes


@pytest.mark.parametrize("args", [
    ["run", RETAILER, "--set", "network.sourcing=cheapest"],
    ["run", RETAILER, "--set", f"{CH}.click_collect.pickup.share=2"],
    ["run", RETAILER, "--set", f"{REGIONS}.west.served_from=[dc_south, store_leeds]"],
])
def test_cli_bad_dom_input_exits_2_with_one_message(args):
    p = subprocess.run([sys.executable, "-m", "simulator.cli", *args], capture_output=True,
                       text=True, cwd=Path(__file__).parents[2])
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr and p.stdout == ""
    assert "network" in p.stderr or CH in p.stderr
