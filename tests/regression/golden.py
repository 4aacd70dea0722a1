"""The regression net: every shipped scenario's full KPI dict for two seeds, pinned.

This is *not* validation (that is against theory, in tests/validation). It catches unintended
change: a refactor that moves any KPI fails ``test_golden.py`` at once. An intended change of
results regenerates the file in a commit of its own that says why::

    .venv/bin/python tests/regression/golden.py
"""

from __future__ import annotations

import json
from pathlib import Path

from simulator import available_scenarios, load_scenario, simulate
from simulator.kpis import finite_or_none

GOLDEN = Path(__file__).with_name("golden_kpis.json")
SEEDS = (1, 2)
# Wall-clock time is the one KPI that is not a function of (scenario, seed).
UNPINNED = {"wall_seconds"}
# The benchmark network (about 200,000 orders a year) is pinned on a short run: a year of it
# takes minutes per seed.
SHORTENED = {"large": {"horizon_days": 10, "warmup_days": 5}}


def cases() -> list[tuple[str, int]]:
    return [(name, seed) for name in available_scenarios() for seed in SEEDS]


def current(name: str, seed: int) -> dict:
    kpis = simulate(load_scenario(name, SHORTENED.get(name)), seed).kpis
    return {k: finite_or_none(v) for k, v in kpis.items() if k not in UNPINNED}


def main() -> None:
    golden = {f"{name}@{seed}": current(name, seed) for name, seed in cases()}
    GOLDEN.write_text(json.dumps(golden, indent=1, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN} ({len(golden)} runs)")


if __name__ == "__main__":
    main()
