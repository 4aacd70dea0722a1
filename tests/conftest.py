import pytest

from simulator import load_scenario


@pytest.fixture(scope="session")
def default_scenario():
    return load_scenario("default")
