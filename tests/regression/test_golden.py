"""Regression net (not validation): each shipped scenario's KPIs for two seeds equal the pinned
ones. If a change of results is intended, regenerate ``golden_kpis.json`` in its own commit with
the reason (see ``golden.py``)."""

from __future__ import annotations

import json
import math

import pytest
from golden import GOLDEN, cases, current

PINNED = json.loads(GOLDEN.read_text())


def _diff(path: str, want, got, out: list[str]) -> None:
    if isinstance(want, dict) and isinstance(got, dict):
        for k in sorted(set(want) | set(got)):
            _diff(f"{path}.{k}" if path else k, want.get(k, "<missing>"), got.get(k, "<missing>"), out)
    elif isinstance(want, float) and isinstance(got, (int, float)) and not isinstance(got, bool):
        # Bit-identical on one platform; 1e-9 leaves room for summation order in numpy/pandas.
        if not math.isclose(want, got, rel_tol=1e-9, abs_tol=1e-12):
            out.append(f"{path}: pinned {want!r}, now {got!r}")
    elif want != got:
        out.append(f"{path}: pinned {want!r}, now {got!r}")


def test_every_shipped_scenario_is_pinned():
    assert sorted(PINNED) == sorted(f"{n}@{s}" for n, s in cases())


@pytest.mark.parametrize(("name", "seed"), cases(), ids=[f"{n}@{s}" for n, s in cases()])
def test_kpis_unchanged(name, seed):
    diffs: list[str] = []
    _diff("", PINNED[f"{name}@{seed}"], current(name, seed), diffs)
    assert not diffs, "results changed (regression net; regenerate only for an intended change):\n" \
        + "\n".join(diffs[:40])
