"""Arguments shared by the commands that run a scenario (run, trace, compare, sweep...)."""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path

from ..scenario import (
    MAX_DAYS,
    MIN_HORIZON,
    STRATEGIES,
    Scenario,
    load_events,
    load_scenario,
    parse_override,
)
from ..streams import parse_seed


class UsageError(Exception):
    """A command-line value is invalid (exit code 2)."""


def run_seed(text: str) -> int | tuple[int, ...]:
    """The seed of one run: 7, or 1:3 for replication 3 of an experiment with base seed 1."""
    try:
        return parse_seed(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def base_seed(text: str) -> int:
    """An experiment's base seed: a whole number (replication r runs with BASE:r)."""
    seed = run_seed(text)
    if not isinstance(seed, int):
        raise argparse.ArgumentTypeError(
            f"an experiment takes a whole-number base seed (replication r runs with SEED:r), "
            f"got {text!r}; to rerun one replication alone: omcsim run SCENARIO --seed {text}")
    return seed


def whole(low: int, high: int):
    """An argparse type: a whole number from ``low`` to ``high``; its message states the range."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"expected a whole number from {low} to {high}, got {text!r}")
        return value
    return parse


def real(low: float, high: float, *, low_open: bool = False, high_open: bool = False):
    """An argparse type: a finite number in the interval from ``low`` to ``high`` (open at an end
    when ``low_open`` / ``high_open``); its message states the interval."""
    interval = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        above = value > low if low_open else value >= low
        below = value < high if high_open else value <= high
        if not (above and below):  # NaN fails both
            raise argparse.ArgumentTypeError(f"expected a number in {interval}, got {text!r}")
        return value
    return parse


horizon = real(MIN_HORIZON, MAX_DAYS)
"""Days of a horizon: [0.01, 36500]."""

lead_time = real(0, MAX_DAYS)
"""Days of a demand lead time D: [0, 36500]."""


def add_scenario_arguments(p: argparse.ArgumentParser, seed: str = "run") -> None:
    """``seed``: "run" (the seed of one run), "base" (an experiment's base seed) or ""."""
    p.add_argument("scenario", help="a scenario file, or the name of one in scenarios/ (e.g. default)")
    if seed == "run":
        p.add_argument("--seed", type=run_seed, default=1, metavar="SEED",
                       help="random seed (default 1): a whole number, or BASE:R for replication R "
                       "of an experiment run with --seed BASE (as runs.parquet and run.json "
                       "print it)")
    elif seed == "base":
        p.add_argument("--seed", type=base_seed, default=1, metavar="SEED",
                       help="base seed, a whole number (default 1); replication r runs with the "
                       "seed SEED:r, which omcsim run --seed SEED:r reruns alone")
    p.add_argument("--strategy", choices=sorted(STRATEGIES),
                   help="decoupling-point preset: mts, ato, mto, eto, or dc (every product a "
                   "digital copy)")
    p.add_argument("--codp", metavar="POINT",
                   help="decoupling point: finished_goods, components, raw_material, none, or a "
                   "stock point of the scenario's network")
    p.add_argument("--demand-lead-time", type=lead_time, metavar="DAYS",
                   help=f"set every customer's demand lead time D (days, 0 to {MAX_DAYS})")
    p.add_argument("--days", type=horizon, metavar="N",
                   help=f"simulated horizon (days, {MIN_HORIZON} to {MAX_DAYS})")
    p.add_argument("--disruptions", metavar="FILE",
                   help="add the events of a YAML file with an events: mapping (e.g. "
                   "scenarios/events/castings-outage.yaml) to the scenario; see docs/events.md")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE", dest="overrides",
                   help="override a scenario field, e.g. --set steps.entry.error_rate=0.1 "
                   "('*' matches every key: customers.*.priority=0); repeatable")


FIGURE_FORMATS = (".png", ".svg", ".pdf")
CHART_FORMATS = (*FIGURE_FORMATS, ".html")  # simulator.charts.FILE_FORMATS, without loading Altair


def check_output_file(path: str | None, option: str, formats: tuple[str, ...] = ()) -> None:
    """Refuse, before any run, a file the run could not write: one not ending in ``formats``
    (when given), a folder, or a name under a file or an unwritable folder (missing folders are
    created when the file is written)."""
    if path is None:
        return
    p = Path(path)
    if formats and p.suffix.lower() not in formats:
        raise UsageError(f"{option} {path}: unknown figure format; use a file name ending in "
                         f"{', '.join(formats)}")
    if p.is_dir():
        raise UsageError(f"{option} {path}: is a folder; give a file name")
    _check_folder(p.parent, option, path)


def check_output_dir(path: str | None, option: str) -> None:
    """Refuse, before any run, a results folder the run could not create or write: a path that
    names a file, or lies under a file or an unwritable folder (missing folders are created)."""
    if path is None:
        return
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise UsageError(f"{option} {path}: exists and is not a folder; give a folder for the "
                         "results (it is created if missing)")
    _check_folder(p, option, path)


def _check_folder(folder: Path, option: str, path: str) -> None:
    """The nearest existing folder at or above ``folder`` must be a folder we can write in."""
    existing = next((a for a in (folder, *folder.parents) if a.exists()), Path("."))
    if not existing.is_dir():
        raise UsageError(f"{option} {path}: {existing} is a file, not a folder")
    _check_writable(existing, option, path)


def _check_writable(folder: Path, option: str, path: str) -> None:
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        raise UsageError(f"{option} {path}: cannot write in {folder} ({err.strerror or err})") \
            from None


def scenario_overrides(args: argparse.Namespace) -> dict:
    """The CLI options as dotted-path overrides of the scenario file."""
    out = {}
    if getattr(args, "disruptions", None):
        out["events"] = load_events(args.disruptions)
    if args.strategy and args.codp:
        raise UsageError("give --strategy or --codp, not both (both set the decoupling point)")
    if args.strategy or args.codp:
        out["decoupling_point"] = args.strategy or args.codp
    if args.demand_lead_time is not None:
        out["customers.*.demand_lead_time"] = args.demand_lead_time
    if args.days is not None:
        out["horizon_days"] = args.days
    for text in args.overrides:
        path, value = parse_override(text)
        out[path] = value
    return out


def scenario_from_args(args: argparse.Namespace) -> Scenario:
    return load_scenario(args.scenario, scenario_overrides(args))


def show_progress(args: argparse.Namespace) -> bool:
    """A progress bar on stderr unless --quiet, or --json output goes to a pipe or file."""
    if getattr(args, "quiet", False):
        return False
    return not (getattr(args, "json", False) and not sys.stdout.isatty())
