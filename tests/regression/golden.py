"""The regression net: every shipped scenario's full KPI dict for two seeds, pinned.

This is *not* validation (that is against theory, in tests/validation). It catches unintended
change: a refactor that moves any KPI fails ``test_golden.py`` at once. An intended change of
results regenerates the file in a commit of its own that says why::

    .venv/bin/python tests/regression/golden.py
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from simulator import available_scenarios, load_scenario, simulate

GOLDEN = Path(__file__).with_name("golden_kpis.json")
SEEDS = (1, 2)
# Wall-clock time is the one KPI that is not a function of (scenario, seed).
UNPINNED = {"wall_seconds"}
# The benchmark network (about 200,000 orders a year) is pinned on a short run: a year of it
# takes minutes per seed.
SHORTENED = {"large": {"horizon_days": 10, "warmup_days": 5}}


def _plain(value):
    """KPIs as JSON-comparable values: NaN as None, nested dicts kept."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item())
    return value


def cases() -> list[tuple[str, int]]:
    return [(name, seed) for name in available_scenarios() for seed in SEEDS]


def current(name: str, seed: int) -> dict:
    kpis = simulate(load_scenario(name, SHORTENED.get(name)), seed).kpis
    return {k: _plain(v) for k, v in kpis.items() if k not in UNPINNED}


def main() -> None:
    golden = {f"{name}@{seed}": current(name, seed) for name, seed in cases()}
    GOLDEN.write_text(json.dumps(golden, indent=1, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN} ({len(golden)} runs)")


if __name__ == "__main__":
    main()
