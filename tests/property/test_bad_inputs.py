"""Every bad input is a clean refusal, in bounded time (issue 10, section 3).

Driven by the scenario JSON schema (bad_input_cases.py): every numeric field, and every parameter
of every distribution family at every distribution field, set to NaN, inf, -inf, -1, 1e308,
1e-320, true and "x", must give exit code 2 with one message naming the field, or a valid run
that ends within TIME_LIMIT. Then the same values for every numeric command-line option. The
CLI runs in-process (``simulator.cli.main``), so the whole file takes about a minute on 2 cores.
"""

from __future__ import annotations

import contextlib
import hashlib
import signal

import pytest
import yaml
from bad_input_cases import BAD_VALUES, LINE_CASES, MUST_REFUSE, cases, full_scenario

from simulator.cli import main

TIME_LIMIT = 20  # seconds per case; a valid 5-day run takes well under one


class TimeLimit(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: float):
    def expire(signum, frame):
        raise TimeLimit(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``omcsim ARGV``, in-process and time-limited."""
    with time_limit(TIME_LIMIT):
        try:
            code = main(argv)
        except SystemExit as exit_info:  # argparse refusals
            code = exit_info.code
    out, err = capsys.readouterr()
    return code, out, err


def assert_clean(code: int, err: str, names: str) -> None:
    """Exit 0, or exit 2 with one message that names ``names``."""
    assert code in (0, 2), f"exit code {code}: {err}"
    if code == 2:
        assert "Traceback" not in err
        assert names in err, f"the message does not name {names!r}: {err}"
        assert err.count("error:") == 1, err


@pytest.fixture(scope="module")
def base_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("bad-inputs") / "full.yaml"
    path.write_text(yaml.safe_dump(full_scenario(), sort_keys=False))
    return path


SCHEMA_CASES = cases()


@pytest.mark.parametrize("case", SCHEMA_CASES, ids=[c.id for c in SCHEMA_CASES])
def test_every_schema_field_refuses_bad_values_or_runs(case, base_file, capsys):
    before = hashlib.sha256(base_file.read_bytes()).hexdigest()
    code, _, err = run_cli(["run", str(base_file), "--days", "5", "--quiet", "--json",
                            "--set", case.override], capsys)
    # The field's own name, e.g. rate_per_day: a cross-field message names it in its section.
    assert_clean(code, err, case.path.split(".")[-1] if case.path[-1].isalpha() else case.path)
    if code == 2:
        assert case.path.split(".")[0] in err
    name = {text: name for name, text in BAD_VALUES.items()}[case.value]
    if name in MUST_REFUSE:
        assert code == 2, f"{case.override} was accepted"
    assert hashlib.sha256(base_file.read_bytes()).hexdigest() == before, "input file changed"


@pytest.mark.parametrize(("path", "override"), LINE_CASES, ids=[o for _, o in LINE_CASES])
def test_bad_line_fields_are_refused_naming_their_path(path, override, capsys):
    code, _, err = run_cli(["run", "default", "--days", "2", "--quiet", "--json",
                            "--set", override], capsys)
    assert code == 2, f"{override} was accepted"
    assert_clean(code, err, path.split(".")[-1])
    assert "customers.key_accounts" in err


def test_the_schema_cases_cover_every_section():
    paths = {c.path for c in SCHEMA_CASES}
    for expected in ("horizon_days", "steps.generation.channels.web.rate_per_day",
                     "customers.key_accounts.demand_lead_time", "products.P100.order_size",
                     "departments.sales.staff", "chain.stages.engineering.servers",
                     "chain.stages.fabrication.breakdowns.time_between_failures",
                     "chain.buffers.finished_goods.target",
                     "chain.buffers.components.target.controller", "components.controller",
                     "steps.pricing.engineering_time", "products.P100.bill_of_materials.housing_s",
                     "steps.pricing.promising.buffer_days",
                     "customers.key_accounts.patience", "customers.key_accounts.changes.cancel",
                     "customers.key_accounts.changes.delay",
                     "customers.key_accounts.changes.quantity_factor",
                     "customers.key_accounts.changes.lead_time"):
        assert expected in paths
    families = {c.override.split("dist: ")[1].split(",")[0] for c in SCHEMA_CASES
                if "dist: " in c.override}
    assert families == {"constant", "exponential", "uniform", "triangular", "normal",
                        "lognormal", "gamma", "empirical"}


# ---------------------------------------------------------------- command-line options

FAST = ["--days", "2", "--quiet"]
EXPERIMENT = [*FAST, "--reps", "2", "--workers", "1", "--max-reps", "3"]

OPTIONS = {
    # option: (argv before it; {OUT} is a fresh folder), ...
    "--days": ["run", "default", *FAST, "--json"],
    "--demand-lead-time": ["run", "default", *FAST, "--json"],
    "--seed": ["run", "default", *FAST, "--json"],
    "--reps": ["compare", "default", *EXPERIMENT, "--strategies", "mts,ato", "--json"],
    "--workers": ["compare", "default", *EXPERIMENT[:-4], "--strategies", "mts", "--json"],
    "--precision": ["compare", "default", *EXPERIMENT, "--strategies", "mts", "--json"],
    "--max-reps": ["compare", "default", *EXPERIMENT[:-2], "--precision", "0.5",
                   "--strategies", "mts", "--json"],
    "--pd": ["sweep", "default", *EXPERIMENT, "--codp", "mts", "--out", "{OUT}"],
    "--lead-times": ["sweep", "default", *EXPERIMENT, "--codp", "mts", "--out", "{OUT}"],
    "--target-otif": ["advise", "default", *EXPERIMENT, "--codp", "mts", "--json"],
    "--confidence": ["advise", "default", *EXPERIMENT, "--codp", "mts", "--json"],
    "--window": ["warmup", "default", *EXPERIMENT, "--json"],
    "validate-model --reps": ["validate-model", "--list"],
    "validate-model --workers": ["validate-model", "--list"],
    "validate-model --seed": ["validate-model", "--list"],
    "dashboard --port": ["dashboard"],
}


@pytest.mark.parametrize("value", list(BAD_VALUES), ids=list(BAD_VALUES))
@pytest.mark.parametrize("option", list(OPTIONS))
def test_every_numeric_option_refuses_bad_values_or_runs(option, value, tmp_path, capsys,
                                                         monkeypatch):
    import os

    monkeypatch.setattr(os, "execv", lambda *a: pytest.fail("the dashboard would start"))
    argv = [a.replace("{OUT}", str(tmp_path / "out")) for a in OPTIONS[option]]
    flag = option.split()[-1]
    code, _, err = run_cli([*argv, flag, value], capsys)
    assert_clean(code, err, flag)
    if value in MUST_REFUSE:
        assert code == 2, f"{flag} {value} was accepted"


@pytest.mark.parametrize(("argv", "stated"), [
    (["compare", "default", "--reps", "1.5"], "whole number from 1 to 10000"),
    (["compare", "default", "--workers", "-1"], "whole number from 1 to 1024"),
    (["advise", "default", "--confidence", "1.5"], "[0.5, 1)"),
    (["advise", "default", "--confidence", "0.4"], "[0.5, 1)"),
    (["validate-model", "--reps", "1"], "whole number from 2 to"),
    (["sweep", "default", "--out", "x", "--pd", "0"], "[0.001, 1000]"),
    (["run", "default", "--days", "0"], "[0.01, 36500]"),
])
def test_messages_state_the_true_range(argv, stated, capsys):
    code, _, err = run_cli(argv, capsys)
    assert code == 2
    assert stated in err
    assert len(err.strip().splitlines()) == 1, err
