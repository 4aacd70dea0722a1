"""``omcsim validate-model``: the table, the exit codes, the listed reproduction commands."""

import dataclasses
import json
import shlex

import pytest

from simulator import validation as v
from simulator.cli import main

ARGS = ["validate-model", "--case", "base-stock-S3", "--quick", "--reps", "4"]


def test_table_lists_every_check_with_theory_interval_and_result(capsys):
    assert main(ARGS) == 0
    out = capsys.readouterr().out
    header, _, *rows = out.strip().splitlines()
    for column in ("case", "quantity", "theory", "mean", "95% interval", "result"):
        assert column in header
    checks = [r for r in rows if r.startswith("base-stock-S3")]
    assert len(checks) == len(v.case("base-stock-S3").checks)
    assert all(r.rstrip().endswith("pass") and "[" in r for r in checks)
    assert "4 of 4 checks pass" in out


def test_parallel_workers_print_the_same_table(capsys):
    main(ARGS)
    serial = capsys.readouterr().out
    assert main([*ARGS, "--workers", "2"]) == 0
    assert capsys.readouterr().out == serial


def test_a_failing_check_exits_1(monkeypatch, capsys):
    case = v.case("base-stock-S3")
    wrong = dataclasses.replace(case, checks=(dataclasses.replace(case.checks[0], theory=0.9),
                                              *case.checks[1:]))
    monkeypatch.setattr(v, "CASES", (wrong,))
    assert main(ARGS) == 1
    captured = capsys.readouterr()
    assert "FAIL" in captured.out
    assert "1 check(s) failed" in captured.err


@pytest.mark.parametrize("args", [["--case", "no-such-case"], ["--reps", "1"]])
def test_bad_arguments_exit_2(args, capsys):
    try:
        code = main(["validate-model", *args])
    except SystemExit as exit_info:  # argparse refuses --reps 1 itself, stating ">= 2"
        code = exit_info.code
    assert code == 2
    assert "error" in capsys.readouterr().err


def test_help_shows_the_rule_and_the_quick_share(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["validate-model", "--help"])
    assert exit_info.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "simultaneous 95% interval" in out
    assert f"simulate {v.QUICK_FACTOR * 100:g}% of each horizon" in out


def test_a_malformed_number_is_refused(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["validate-model", "--reps", "0"])
    assert exit_info.value.code == 2
    assert "--reps" in capsys.readouterr().err


def test_listed_command_reproduces_one_replication(capsys):
    assert main(["validate-model", "--list", "--case", "mts-rho0.5-S2"]) == 0
    command = capsys.readouterr().out.strip().splitlines()[1].strip()
    argv = shlex.split(command)
    assert argv[:2] == ["omcsim", "run"]
    days = argv.index("--days")
    argv[days + 1] = "300"  # a short run is enough to check the command is valid
    assert main([*argv[1:], "--json", "--quiet"]) == 0
    kpis = json.loads(capsys.readouterr().out)
    assert kpis["decoupling_point"] == "finished_goods"
    assert kpis["demand_lead_time"] == pytest.approx(1.0)
