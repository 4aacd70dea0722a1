"""Helpers the experiment tests import (a module of its own: several test folders have a
conftest.py, so ``from conftest import ...`` picks whichever came first on sys.path)."""


def without_timing(df):
    """Everything a run computes except its wall-clock time, which measures the machine."""
    return df.drop(columns=[c for c in ("wall_seconds", "pid") if c in df.columns])
