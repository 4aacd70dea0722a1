import pytest

from simulator import load_scenario


@pytest.fixture(scope="session")
def default_scenario():
    return load_scenario("default")



def pytest_collection_modifyitems(config, items):
    """The longest test files first, each file's tests together and in their own order.
    pytest-xdist (worksteal, pyproject.toml) splits the list in two and an idle worker steals
    from the end of the other's half: with the long tests first, what is left to steal at the
    end is short; kept together, a file's module fixtures (a dashboard
    server, a shared run) are set up once per worker. tests/durations.json holds the seconds of
    the 120 longest tests of a measured run (``pytest -n 2 --durations=120`` on a quiet machine);
    a stale or missing entry only changes the order."""
    import json
    from pathlib import Path

    seconds = json.loads((Path(__file__).parent / "durations.json").read_text())
    per_file: dict[str, float] = {}
    for item in items:
        path = item.nodeid.split("::")[0]
        per_file[path] = per_file.get(path, 0) + seconds.get(item.nodeid, 0)
    items.sort(key=lambda item: -per_file[item.nodeid.split("::")[0]])
