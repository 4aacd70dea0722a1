import pytest

from simulator import load_scenario


@pytest.fixture(scope="session")
def small():
    """The classroom scenario cut to 50 days: about 0.05 s a run."""
    return load_scenario("classroom", {"horizon_days": 40, "warmup_days": 10})


def without_timing(df):
    """Everything a run computes except its wall-clock time, which measures the machine."""
    return df.drop(columns=[c for c in ("wall_seconds", "pid") if c in df.columns])
