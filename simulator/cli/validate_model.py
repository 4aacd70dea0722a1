"""``omcsim validate-model``: replicate the reduced textbook systems and compare with theory."""

from __future__ import annotations

import argparse
import math
import sys
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext

from .. import validation
from .common import UsageError, base_seed, whole

COLUMNS = (("case", 22, "<"), ("quantity", 36, "<"), ("theory", 9, ">"), ("mean", 9, ">"),
           ("95% interval", 21, ">"), ("simult. +-", 10, ">"), ("result", 6, ">"))


def register(sub) -> None:
    p = sub.add_parser(
        "validate-model", help="check the model against queueing and inventory theory",
        description="Run the validation cases (the model reduced by scenarios/validation/ to "
        "M/M/1, M/M/c, M/D/1, M/G/1, base-stock, (R,Q), (s,S), (T,S), two-echelon and "
        "single-stage MTO/MTS systems, stations working to a calendar, M/M/c+M (Erlang A, "
        "customers who give up), plus Little's law) "
        "with replications and compare each measured mean with its closed form. "
        "A check passes when the theoretical value lies inside the simultaneous 95% interval "
        f"(Bonferroni over all {validation.FAMILY_SIZE} checks). Exit code 1 if any fails.")
    p.add_argument("--case", action="append", metavar="NAME",
                   help="run only cases whose name or family matches (shell pattern, e.g. "
                   "'mm1-*' or 'base stock'); repeatable; default: all")
    p.add_argument("--quick", action="store_true",
                   # argparse %-formats help strings: a literal percent sign is %%
                   help=f"simulate {validation.QUICK_FACTOR * 100:g}%% of each horizon "
                   "(intervals about twice as wide)")
    p.add_argument("--reps", type=whole(2, 10_000), metavar="N",
                   help="replications per case (default: the case's, 20 for most)")
    p.add_argument("--seed", type=base_seed, default=1,
                   help="base seed; replication r runs with the seed SEED:r (default 1)")
    p.add_argument("--workers", type=whole(1, 1024), default=1, metavar="N",
                   help="processes running replications in parallel (default 1)")
    p.add_argument("--list", action="store_true",
                   help="list the cases and the omcsim run command of each, run nothing")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    cases = validation.select(args.case)
    if not cases:
        names = ", ".join(c.name for c in validation.CASES)
        raise UsageError(f"--case {' '.join(args.case)}: matches no case; cases: {names}")
    if args.list:
        for c in cases:
            print(f"{c.name:<22}{c.system}\n{'':<22}{c.command(args.quick)}")
        return 0
    print(header())
    failed = 0
    pool = ProcessPoolExecutor(args.workers) if args.workers > 1 else nullcontext()
    with pool as executor:
        for c in cases:
            runs = validation.run_case(c, args.reps, args.seed, args.quick, executor)
            for v in validation.evaluate(c, runs):
                failed += not v.passed
                print(row(v), flush=True)
    total = sum(len(c.checks) for c in cases)
    print(f"\n{total - failed} of {total} checks pass. {footer()}")
    if failed:
        print(f"omcsim validate-model: {failed} check(s) failed", file=sys.stderr)
    return 1 if failed else 0


def header() -> str:
    line = "  ".join(f"{name:{align}{width}}" for name, width, align in COLUMNS)
    return f"{line}\n{'-' * len(line)}"


def row(v: validation.Verdict) -> str:
    interval = (f"[{_num(v.mean - v.half_width)}, {_num(v.mean + v.half_width)}]"
                if math.isfinite(v.half_width) else "-")
    cells = (v.case, v.quantity, _num(v.theory), _num(v.mean), interval,
             _num(v.decision_half_width), "pass" if v.passed else "FAIL")
    return "  ".join(f"{c:{align}{width}}" for c, (_, width, align) in zip(cells, COLUMNS, strict=True))


def footer() -> str:
    return ("A check passes when theory lies within mean +- the simultaneous half-width "
            f"(t interval at {1 - (1 - validation.CONFIDENCE) / validation.FAMILY_SIZE:.3%}: "
            f"95% jointly over all {validation.FAMILY_SIZE} checks).")


def _num(x: float) -> str:
    if not math.isfinite(x):
        return "-"
    return f"{x:.4f}" if abs(x) < 100 else f"{x:.1f}"
