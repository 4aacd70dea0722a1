"""Arguments shared by the commands that run a scenario (run, trace, compare, sweep...)."""

from __future__ import annotations

import argparse
import sys

from ..scenario import ORDER_STAGES, STRATEGIES, Scenario, load_scenario, parse_override
from ..streams import parse_seed


def non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return value


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


def positive_int(text: str) -> int:
    value = non_negative_int(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return value


def _number(text: str, minimum: float, strict: bool) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (value > minimum if strict else value >= minimum) or value != value:
        op = ">" if strict else ">="
        raise argparse.ArgumentTypeError(f"expected a number {op} {minimum:g}, got {text!r}")
    return value


def positive_float(text: str) -> float:
    return _number(text, 0, strict=True)


def non_negative_float(text: str) -> float:
    return _number(text, 0, strict=False)


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
                   help="decoupling-point preset: mts, ato, mto or eto")
    p.add_argument("--codp", choices=sorted(ORDER_STAGES), metavar="BUFFER",
                   help=f"decoupling buffer: one of {', '.join(sorted(ORDER_STAGES))}")
    p.add_argument("--demand-lead-time", type=non_negative_float, metavar="DAYS",
                   help="set every customer's demand lead time D (days)")
    p.add_argument("--days", type=positive_float, metavar="N", help="simulated horizon (days)")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE", dest="overrides",
                   help="override a scenario field, e.g. --set steps.entry.error_rate=0.1 "
                   "('*' matches every key: customers.*.priority=0); repeatable")


def scenario_overrides(args: argparse.Namespace) -> dict:
    """The CLI options as dotted-path overrides of the scenario file."""
    out = {}
    if args.strategy and args.codp:
        from . import UsageError

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
