"""A/B of the model's speed against another commit, in one process: the commit's ``simulator``
is exported (``git archive``) as the package ``simulator_base`` beside this checkout's, and
the two run alternately, so both see the same machine load (others share it: absolute times
are noise, ratios within a round are not). The records of the first run of each scenario must
be byte-identical (a speed change must not change results).

    .venv/bin/python benchmarks/bench_ab.py REF [--rounds 8] [--scenarios default,large]
    .venv/bin/python benchmarks/bench_ab.py REF --instructions [--scenarios default]

Prints per scenario the best events/s of each and the median (and every round's) ratio of
after (B, this checkout) to before (A, ``REF``); and large's events/s over default's in each.

``--instructions`` counts instead the machine instructions of each side's run with valgrind's
cachegrind (Debian's ``valgrind``): the count of a process that builds the world and runs it
less that of one that only builds it, per SimPy event. Deterministic, so a change of a few
percent shows on a machine whose timings vary by tens of percent; it is blind to cache misses
(a change of memory layout needs the timed rounds on a quiet machine), and valgrind runs
about 50 times slower (default: a minute a side).
"""

from __future__ import annotations

import argparse
import importlib
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = {"default": {}, "large": {"horizon_days": 12, "warmup_days": 8},
         "multi-site": {"horizon_days": 60, "warmup_days": 20}}


def export(ref: str, into: Path) -> None:
    """``ref``'s simulator/ and scenarios/ under ``into``, the package renamed simulator_base."""
    archive = into / "base.tar"
    with archive.open("wb") as out:
        subprocess.run(["git", "-C", str(ROOT), "archive", ref, "simulator", "scenarios"],
                       stdout=out, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    (into / "simulator").rename(into / "simulator_base")


def fingerprint(world) -> tuple:
    return (bytes(world.order_log._records), bytes(world.job_log._records),
            bytes(world.levels._rows), bytes(world.shipments._rows),
            repr(world.demand.columns()), repr(world.flow.jobs))


def timed(world_cls, scenario):
    start = time.process_time()
    world = world_cls(scenario, 1)
    world.start()
    world.run()
    return time.process_time() - start, world


_COUNT = """
import sys
sys.path.insert(0, {tmp!r})
pkg = __import__({pkg!r}, fromlist=["model"])
from importlib import import_module
world = import_module({pkg!r} + ".model.world").World(pkg.load_scenario({name!r}, {case!r}), 1)
world.start()
if {run}:
    world.run()
    print("events", world.events_processed())
"""


def instructions(tmp: str, pkg: str, name: str, run: bool) -> tuple[int, int]:
    """(instructions, events) of a process that builds ``name``'s world (and runs it)."""
    code = _COUNT.format(tmp=tmp, pkg=pkg, name=name, case=CASES[name], run=run)
    p = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no",
                        "--cachegrind-out-file=/dev/null", sys.executable, "-c", code],
                       capture_output=True, text=True, check=True, cwd=ROOT)
    refs = next(line for line in p.stderr.splitlines() if "I   refs" in line)
    events = int(p.stdout.split()[-1]) if run else 0
    return int(refs.split()[-1].replace(",", "")), events


def count_instructions(ref: str, tmp: str, names: list[str]) -> None:
    if shutil.which("valgrind") is None:
        sys.exit("--instructions needs valgrind (apt-get install valgrind)")
    print(f"A = {ref}, B = this checkout: instructions of the run (valgrind cachegrind)")
    for n in names:
        per_event = {}
        for v, pkg in (("A", "simulator_base"), ("B", "simulator")):
            ran, events = instructions(tmp, pkg, n, True)
            per_event[v] = (ran - instructions(tmp, pkg, n, False)[0]) / events
        print(f"{n:<12} instructions per event A {per_event['A']:>8,.0f} B {per_event['B']:>8,.0f}"
              f"  B/A {per_event['B'] / per_event['A']:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ref")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--scenarios", default="default,large")
    parser.add_argument("--instructions", action="store_true",
                        help="count instructions with valgrind instead of timing rounds")
    args = parser.parse_args()
    names = args.scenarios.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        export(args.ref, Path(tmp))
        if args.instructions:
            count_instructions(args.ref, tmp, names)
            return
        sys.path.insert(0, tmp)
        a_pkg = importlib.import_module("simulator_base")
        a_world = importlib.import_module("simulator_base.model.world").World
        import simulator as b_pkg
        from simulator.model.world import World as b_world

        scenarios = {n: (a_pkg.load_scenario(n, CASES[n]), b_pkg.load_scenario(n, CASES[n]))
                     for n in names}
        rates: dict[tuple[str, str], list[float]] = {(n, v): [] for n in names for v in "AB"}
        for r in range(args.rounds):
            for n, (sa, sb) in scenarios.items():
                runs = [("A", a_world, sa), ("B", b_world, sb)]
                for v, world_cls, sc in runs[::-1] if r % 2 else runs:  # alternate who goes first
                    cpu, world = timed(world_cls, sc)
                    if r == 0:
                        if v == "A":
                            reference = fingerprint(world)
                        elif fingerprint(world) != reference:
                            sys.exit(f"{n}: the records differ between {args.ref} and this checkout")
                    rates[n, v].append(world.events_processed() / cpu)
                    del world
    print(f"A = {args.ref}, B = this checkout; {args.rounds} rounds, records identical")
    for n in names:
        ratios = [b / a for a, b in zip(rates[n, "A"], rates[n, "B"], strict=True)]
        print(f"{n:<12} events/s A {max(rates[n, 'A']):>9,.0f} B {max(rates[n, 'B']):>9,.0f}  "
              f"B/A median {statistics.median(ratios):.3f} ({' '.join(f'{x:.2f}' for x in ratios)})")
    if "default" in names and "large" in names:
        for v in "AB":
            ratio = statistics.median(
                lg / d for lg, d in zip(rates["large", v], rates["default", v], strict=True))
            print(f"  {v}: large / default events/s, median {ratio:.3f}")


if __name__ == "__main__":
    main()
