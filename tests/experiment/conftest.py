import pytest

from simulator import load_scenario


@pytest.fixture(scope="session")
def small():
    """The classroom scenario cut to 50 days: about 0.05 s a run."""
    return load_scenario("classroom", {"horizon_days": 40, "warmup_days": 10})

