"""The optional KPIs a scenario reports are known before it runs (the Optimise page offers only
those as objectives): reported_optional_kpis agrees with what runs report."""

import pytest

from simulator import load_scenario, simulate
from simulator.kpis import OPTIONAL_KPIS, reported_optional_kpis


@pytest.mark.parametrize("name", ["classroom", "digital-seller", "multi-site",
                                  "omnichannel-retailer"])
def test_the_optional_kpis_a_run_reports_are_known_before_it_runs(name):
    sc = load_scenario(name, {"horizon_days": 12, "warmup_days": 2})
    kpis = simulate(sc, 1).kpis
    assert set(reported_optional_kpis(sc)) == set(kpis) & set(OPTIONAL_KPIS)


def test_a_plain_scenario_reports_none_of_them():
    sc = load_scenario("classroom", {"horizon_days": 12, "warmup_days": 2})
    assert not set(reported_optional_kpis(sc))
