"""Bad-input campaign: run the whole list of bad inputs through real ``omcsim`` subprocesses.

    python tests/property/bad_inputs_campaign.py [--jobs 2] [--timeout 60] [--show-failures]
        [--schema-every K]

Prints "N tried, M refused cleanly (exit 2, one line, no traceback), V ran (valid input, bounded
time), K failed". A case fails on a traceback, an exit code other than 0 or 2, a message of more
than one line or not naming its field, a time-out, a changed input file, or exit 0 where the input
must be refused. The list: every numeric scenario field with NaN, inf, -inf, -1, 1e308, 1e-320,
true and "x" (bad_input_cases.py; distribution families in full at one field, NaN at every other);
every numeric option of every command with the same values; bad YAML files; bad output paths; and
values that would hang, overflow or mislead.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import yaml
from bad_input_cases import BAD_VALUES, MUST_REFUSE, cases, full_scenario

ROOT = Path(__file__).resolve().parents[2]
DIST_SITE = "steps.entry.time"  # where every distribution family is tried in full


@dataclass
class Attempt:
    label: str
    argv: list[str]
    names: str  # text the refusal must contain
    must_refuse: bool = True
    watch: Path | None = None  # an input file that must stay untouched


def schema_attempts(base: Path) -> list[Attempt]:
    out = []
    for c in cases():
        is_dist = "dist:" in c.override
        if is_dist and c.path != DIST_SITE and not (c.value == ".nan" and "constant" in c.override):
            continue
        name = {v: k for k, v in BAD_VALUES.items()}[c.value]
        out.append(Attempt(f"--set {c.override}", ["run", str(base), "--days", "5", "--quiet",
                                                   "--json", "--set", c.override],
                           c.path.split(".")[-1], name in MUST_REFUSE, base))
    return out


OPTION_ARGV = {
    "--days": ["run", "default", "--quiet", "--json"],
    "--demand-lead-time": ["run", "default", "--days", "2", "--quiet", "--json"],
    "--seed": ["run", "default", "--days", "2", "--quiet", "--json"],
    "--reps": ["compare", "default", "--days", "2", "--workers", "1", "--strategies", "mts,ato"],
    "--workers": ["compare", "default", "--days", "2", "--reps", "2", "--strategies", "mts"],
    "--precision": ["compare", "default", "--days", "2", "--reps", "2", "--workers", "1",
                    "--max-reps", "3", "--strategies", "mts"],
    "--max-reps": ["compare", "default", "--days", "2", "--reps", "2", "--workers", "1",
                   "--precision", "0.5", "--strategies", "mts"],
    "--pd": ["sweep", "default", "--days", "2", "--reps", "2", "--workers", "1", "--codp", "mts",
             "--out", "{OUT}"],
    "--lead-times": ["sweep", "default", "--days", "2", "--reps", "2", "--workers", "1",
                     "--codp", "mts", "--out", "{OUT}"],
    "--target-otif": ["advise", "default", "--days", "2", "--reps", "2", "--workers", "1",
                      "--codp", "mts"],
    "--confidence": ["advise", "default", "--days", "2", "--reps", "2", "--workers", "1",
                     "--codp", "mts"],
    "--window": ["warmup", "default", "--days", "2", "--reps", "2", "--workers", "1"],
    "validate-model --reps": ["validate-model", "--list"],
    "validate-model --workers": ["validate-model", "--list"],
    "validate-model --seed": ["validate-model", "--list"],
    "dashboard --port": ["dashboard", "--help"],  # --help: never start a server here
}


def option_attempts(tmp: Path) -> list[Attempt]:
    out = []
    for option, argv in OPTION_ARGV.items():
        flag = option.split()[-1]
        for name, value in BAD_VALUES.items():
            if option == "dashboard --port":
                argv = ["dashboard"]
                if name not in MUST_REFUSE and name != "-1":
                    continue  # a valid port would start the server
            folder = tempfile.mkdtemp(dir=tmp)
            full = [a.replace("{OUT}", f"{folder}/out") for a in argv] + [f"{flag}={value}"]
            out.append(Attempt(f"{' '.join(argv[:1])} {flag}={value}", full, flag,
                               name in MUST_REFUSE))
    return out


def file_attempts(tmp: Path) -> list[Attempt]:
    default = (ROOT / "scenarios" / "default.yaml").read_text()
    files = {
        "duplicate key": default.replace("horizon_days: 365", "horizon_days: 365\nhorizon_days: 3"),
        "duplicate nested key": default.replace("rate_per_day: 2.5,", "rate_per_day: 2.5, "
                                                "rate_per_day: 2.5,"),
        "deep nesting (200)": "name: " + "[" * 200 + "]" * 200 + "\n",
        "deep nesting (100000)": "name: " + "[" * 100_000 + "]" * 100_000 + "\n",
        "alias bomb": "\n".join(["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"] + [
            f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]) + "\n",
        "large file (5 MB)": default + "#" * 5_000_000 + "\n",
        "empty file": "",
        "only a comment": "# nothing\n",
        "top-level list": "- 1\n- 2\n",
        "top-level number": "42\n",
        "unclosed bracket": "name: [x\n",
        "tab indentation": "name: x\nsteps:\n\tplanning: 1\n",
        "yes as a key": default.replace("  web:", "  yes:"),
        "NUL byte": "name: a\x00b\n",
        "start_date near 9999": default.replace("horizon_days: 365",
                                                "horizon_days: 365\nstart_date: 9999-12-01"),
        "start_date as text": default.replace("horizon_days: 365",
                                              "horizon_days: 365\nstart_date: someday"),
        "NaN warm-up": default.replace("warmup_days: 60", "warmup_days: .nan"),
        "text warm-up": default.replace("warmup_days: 60", "warmup_days: 'x'"),
        "unknown field": default.replace("horizon_days: 365", "horizon_dayz: 365"),
    }
    out = []
    for label, text in files.items():
        path = tmp / f"{label.replace(' ', '_')}.yaml"
        path.write_text(text)
        names = "start_date" if "start_date" in label else ""
        out.append(Attempt(f"file: {label}", ["run", str(path), "--days", "2", "--quiet"],
                           names, True, path))
    binary = tmp / "binary.yaml"
    binary.write_bytes(bytes(range(256)) * 10)
    out.append(Attempt("file: binary", ["run", str(binary), "--days", "2"], "UTF-8", True, binary))
    out.append(Attempt("file: a folder", ["run", str(tmp), "--days", "2"], "folder"))
    out.append(Attempt("file: missing", ["run", str(tmp / "nope.yaml")], "no such file"))
    for command in ("validate", "trace"):
        extra = ["--pick", "slowest", "--days", "2"] if command == "trace" else []
        out.append(Attempt(f"{command}: duplicate key", [command, str(tmp / "duplicate_key.yaml"),
                                                         *extra], "given twice"))
    return out


def output_attempts(tmp: Path) -> list[Attempt]:
    existing = tmp / "existing.txt"
    existing.write_text("keep")
    short = ["--days", "2", "--quiet"]
    exp = [*short, "--reps", "2", "--workers", "1"]
    return [Attempt(f"output: {' '.join(a[:1] + a[-2:])}", a, a[-2], True, existing) for a in [
        ["run", "default", *short, "--out", str(existing)],
        ["run", "default", *short, "--out", f"{existing}/sub"],
        ["run", "default", *short, "--out", "/proc/omcsim-out"],
        ["run", "default", *short, "--events", f"{existing}/e.csv"],
        ["run", "default", *short, "--events", "/proc/omcsim/e.csv"],
        ["run", "default", *short, "--events", str(tmp)],
        ["run", "default", *short, "--events", f"{tmp}/e.docx"],
        ["trace", "default", *short[:2], "--pick", "slowest", "--plot", "/proc/omcsim/o.png"],
        ["trace", "default", *short[:2], "--pick", "slowest", "--plot", f"{existing}/o.png"],
        ["trace", "default", *short[:2], "--all", "--war-room", "/proc/omcsim/w.png"],
        ["trace", "default", *short[:2], "--all", "--war-room", f"{tmp}/w.gif"],
        ["compare", "default", *exp, "--strategies", "mts,ato", "--out", str(existing)],
        ["sweep", "default", *exp, "--pd", "1", "--codp", "mts", "--out", str(existing)],
        ["advise", "default", *exp, "--codp", "mts", "--out", "/proc/omcsim-advise"],
        ["warmup", "default", *exp, "--plot", f"{existing}/w.png"],
        ["warmup", "default", *exp, "--plot", f"{tmp}/w.txt"],
    ]]


def value_attempts() -> list[Attempt]:
    """Values that once hung, overflowed or were accepted silently."""
    sets = {
        "customers.*.demand_lead_time={dist: normal, mean: -10, sd: 1}": "demand_lead_time",
        "customers.*.demand_lead_time={dist: normal, mean: -5, sd: 1}": "demand_lead_time",
        "steps.entry.time={dist: gamma, mean: 1, cv: 1e-200}": "steps.entry.time",
        "steps.entry.time={dist: gamma, mean: 1, cv: 1e200}": "steps.entry.time",
        "steps.entry.time={dist: lognormal, mean: 1, cv: 1e200}": "steps.entry.time",
        "steps.entry.time={dist: uniform, low: 0, high: 1e308}": "steps.entry.time",
        "steps.entry.time={dist: empirical, values: [1, 2], weights: [1e308, 1e308]}":
            "steps.entry.time",
        "steps.planning.period_days=1e-9": "period_days",
        "steps.generation.channels.web.rate_per_day=1e6": "rate_per_day",
        "steps.generation.seasonality.period_days=1e-320": "period_days",
        "horizon_days=1e9": "horizon_days",
        "warmup_days=1e9": "warmup_days",
        "departments.sales.staff=1000000000": "staff",
        "chain.stages.assembly.servers=1000000000": "servers",
        "chain.buffers.components.lot_size=1000000000": "lot_size",
        "chain.stages.assembly.breakdowns={time_between_failures: 1e-9, repair_time: 0}":
            "breakdowns",
        "steps.entry.error_rate=0.9999999": "error_rate",
        "products.P100.order_size=1e9": "order_size",
        "customers.key_accounts.count=1e400": "count",
        "customers.key_accounts.priority=10000000000000000000000": "priority",
        "start_date=9999-12-30": "start_date",
        "horizon_days=true": "horizon_days",
        "horizon_days=[1, 2]": "horizon_days",
        "horizon_days={a: 1}": "horizon_days",
        "nosuch.field=1": "nosuch",
        "=1": "--set",
        "horizon_days": "--set",
        "steps.entry.error_rate=[": "--set",
    }
    out = [Attempt(f"--set {s}", ["run", "default", "--days", "2", "--quiet", "--set", s], n)
           for s, n in sets.items()]
    for argv, names in [
        (["trace", "default", "--days", "2", "--order", "x"], "--order"),
        (["trace", "default", "--days", "2", "--order", "99999999"], "order"),
        (["trace", "default", "--days", "2", "--order", "-1"], "order"),
        (["compare", "default", "--days", "2", "--strategies", "mts", "--kpis", "nonsense"],
         "--kpis"),
        (["compare", "default", "--days", "2", "--alt", "broken"], "--alt"),
        (["compare", "default", "--days", "2", "--strategies", "jit"], "jit"),
        (["sweep", "default", "--days", "2", "--pd", "1,,nan", "--out", "/tmp/x"], "--pd"),
        (["advise", "default", "--days", "2", "--codp", "nowhere"], "nowhere"),
        (["run", "default", "--strategy", "mts", "--codp", "components"], "--strategy"),
        (["validate-model", "--case", "no-such-case"], "--case"),
        (["run", "nosuch-scenario"], "nosuch-scenario"),
        (["nosuch-command"], "nosuch-command"),
    ]:
        out.append(Attempt(" ".join(argv), argv, names))
    return out


def attempt(a: Attempt, timeout: float) -> tuple[str, str]:
    """('refused' | 'ran' | 'failed', detail)."""
    before = hashlib.sha256(a.watch.read_bytes()).hexdigest() if a.watch and a.watch.is_file() \
        else None
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "COLUMNS": "200"}
    start = time.monotonic()
    try:
        p = subprocess.run([sys.executable, "-m", "simulator.cli", *a.argv], capture_output=True,
                           text=True, timeout=timeout, env=env, cwd=ROOT, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return "failed", f"no answer within {timeout:g} s"
    seconds = time.monotonic() - start
    err = p.stderr.strip()
    if before is not None and hashlib.sha256(a.watch.read_bytes()).hexdigest() != before:
        return "failed", "the input file changed"
    if "Traceback" in err:
        return "failed", f"traceback: {err.splitlines()[-1]}"
    if p.returncode == 0:
        if a.must_refuse:
            return "failed", "accepted (exit 0)"
        return "ran", f"{seconds:.1f} s"
    if p.returncode != 2:
        return "failed", f"exit {p.returncode}: {err[-300:]}"
    lines = [line for line in err.splitlines() if line.strip()]
    if len(lines) != 1:
        return "failed", f"{len(lines)} lines: {err[:300]}"
    if a.names.lower() not in err.lower():
        return "failed", f"does not name {a.names!r}: {err[:300]}"
    return "refused", err


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="subprocesses at once (default 2)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per case (default 60)")
    parser.add_argument("--show-failures", action="store_true", help="list each failed case")
    parser.add_argument("--list", action="store_true", help="list the cases, run nothing")
    parser.add_argument("--schema-every", type=int, default=1, metavar="K",
                        help="try every K-th schema case only (default 1: all)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="omcsim-bad-inputs-") as tmp:
        tmp = Path(tmp)
        base = tmp / "full.yaml"
        base.write_text(yaml.safe_dump(full_scenario(), sort_keys=False))
        attempts = [*schema_attempts(base)[::args.schema_every], *option_attempts(tmp), *file_attempts(tmp),
                    *output_attempts(tmp), *value_attempts()]
        if args.list:
            for a in attempts:
                print(a.label)
            return 0
        start = time.monotonic()
        results = []
        with ThreadPoolExecutor(args.jobs) as pool:
            for a, result in zip(attempts, pool.map(lambda a: attempt(a, args.timeout), attempts),
                                 strict=True):
                results.append(result)
                if args.show_failures and result[0] == "failed":
                    print(f"FAILED {a.label}\n    {result[1]}", flush=True)
    counts = {k: sum(r[0] == k for r in results) for k in ("refused", "ran", "failed")}
    print(f"{len(attempts)} tried, {counts['refused']} refused cleanly (exit 2, one line, no "
          f"traceback), {counts['ran']} ran (valid input, bounded time), {counts['failed']} "
          f"failed  [{time.monotonic() - start:.0f} s]")
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
