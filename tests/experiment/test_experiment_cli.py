"""omcsim compare / sweep / advise / warmup: output shapes, files, exit codes, resuming."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import simulator.experiment.runners as runners
from simulator.cli import build_parser, main

FAST = ["--days", "30", "--reps", "3", "--workers", "1", "--quiet"]


def run(argv, capsys):
    """(exit code, stdout, stderr) of one in-process omcsim call."""
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse rejects before a handler runs
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


def test_compare_json_rows(capsys):
    code, out, err = run(["compare", "classroom", "--strategies", "mto,ato", "--json", *FAST],
                         capsys)
    assert code == 0, err
    rows = json.loads(out)
    assert all(set(r) - {"why"} == {"alternative", "kpi", "mean", "half_width", "n",
                                    "random_numbers", "warnings"} for r in rows)
    # An undefined mean is never bare: it says why (the registry's reason), a defined one not.
    assert all(("why" in r) == (r["mean"] is None) for r in rows)
    assert all(r["why"] for r in rows if r["mean"] is None)
    assert {r["random_numbers"] for r in rows} == {"common"}
    assert [r["alternative"] for r in rows[:1]] == ["mto"]
    kpis = {r["kpi"] for r in rows}
    assert {"otif", "fill_rate", "cycle_time_mean", "cost_total"} <= kpis
    assert len(rows) == 2 * len(kpis)
    otif = {r["alternative"]: r for r in rows if r["kpi"] == "otif"}
    assert otif["mto"]["n"] == 3 and 0 <= otif["ato"]["mean"] <= 1


def test_compare_json_differences(capsys):
    code, out, _ = run(["compare", "classroom", "--strategies", "mto,ato", "--kpis",
                        "otif,cost_total", "--json", "--differences", *FAST], capsys)
    assert code == 0
    rows = json.loads(out)
    assert [r["alternative"] for r in rows] == ["mto", "mto", "ato", "ato", "ato - mto",
                                                "ato - mto"]
    assert [r.get("method") for r in rows[4:]] == ["paired", "paired"]


def test_compare_independent_says_welch_everywhere(capsys, tmp_path):
    """--independent: the table, the JSON and the --out files all name the Welch method."""
    argv = ["compare", "classroom", "--strategies", "mto,ato", "--kpis", "otif,cost_total",
            "--independent", *FAST]
    code, out, err = run([*argv, "--out", str(tmp_path / "text")], capsys)
    assert code == 0, err
    assert "independent random numbers" in out and "SEED:r:i" in out
    assert "differences vs mto: Welch intervals, not paired" in out
    assert "paired differences" not in out and "common random numbers" not in out
    code, out, err = run([*argv, "--json", "--differences", "--out", str(tmp_path / "json")],
                         capsys)
    assert code == 0, err
    rows = json.loads(out)
    assert {r["random_numbers"] for r in rows} == {"independent"}
    assert [r["method"] for r in rows if " - " in r["alternative"]] == ["welch", "welch"]
    for folder in ("text", "json"):
        summary = pd.read_parquet(tmp_path / folder / "summary.parquet")
        assert set(summary["diff_method"]) == {"welch"}
        manifest = json.loads((tmp_path / folder / "compare.json").read_text())
        assert manifest["random_numbers"] == "independent"
        assert manifest["diff_method"] == "welch" and "Welch" in manifest["differences"]


def test_experiments_take_a_whole_number_base_seed(capsys):
    code, out, err = run(["compare", "classroom", "--strategies", "mto", "--seed", "1:3",
                          "--quiet"], capsys)
    assert code == 2 and out == ""
    assert "--seed" in err and "omcsim run SCENARIO --seed 1:3" in err


def test_compare_text_alternatives_and_out(capsys, tmp_path):
    code, out, err = run(["compare", "classroom", "--strategies", "mto", "--codp",
                          "components", "--alt", "edd: priority_rule=edd", "--out",
                          str(tmp_path), *FAST], capsys)
    assert code == 0, err
    assert "3 alternatives x 3 replications, common random numbers" in out
    assert "paired differences vs mto" in out
    assert "components - mto" in out and "edd - mto" in out
    for name in ("runs.parquet", "summary.parquet", "compare.png", "compare.json",
                 "scenario.yaml", "runs.journal.jsonl"):
        assert (tmp_path / name).is_file()
    assert len(pd.read_parquet(tmp_path / "runs.parquet")) == 9


def test_compare_prints_and_carries_the_warnings(capsys, tmp_path):
    argv = ["compare", "default", "--strategies", "ato,eto", "--days", "60", "--reps", "2",
            "--workers", "2", "--quiet", "--out", str(tmp_path)]
    code, out, err = run(argv, capsys)
    assert code == 0, err
    # Before the numbers, impossible to miss; the alternative's column is marked.
    assert out.index("WARNING [overload] eto (2/2 runs): sales: offered load") < out.index("otif")
    assert "WARNING [overload] ato" not in out
    means, diffs = [line.split() for line in out.splitlines() if line.startswith("kpi")]
    assert means == ["kpi", "unit", "ato", "eto", "!"] and diffs[2:] == ["eto", "-", "ato", "!"]
    summary = pd.read_parquet(tmp_path / "summary.parquet").set_index("alternative")
    assert summary.loc["eto", "warnings"].str.startswith("overload: sales").all()
    assert summary.loc["ato", "warnings"].eq("").all()
    code, out, _ = run([*argv, "--json", "--differences"], capsys)  # reuses the runs
    rows = json.loads(out)
    for row in rows:
        sales = [w for w in row["warnings"] if w["code"] == "overload"
                 and w["resource"] == "sales"]
        if row["alternative"] == "ato":
            assert row["warnings"] == []
        else:  # eto, and the difference eto - ato
            assert len(sales) == 1 and sales[0]["alternative"] == "eto"
            assert sales[0]["runs"] == sales[0]["of"] == 2 and sales[0]["worst"] > 1


def test_sweep_prints_the_warnings_of_each_cell(capsys, tmp_path):
    # Assembly slowed to 3 days an order: orders assembled to order pile up before it.
    code, out, err = run(["sweep", "classroom", "--lead-times", "30", "--codp", "ato", "--set",
                          "chain.stages.assembly.time.mean=3", "--out", str(tmp_path), *FAST],
                         capsys)
    assert code == 0, err
    assert "WARNING [backlog] ato P:D 0.408333 (3/3 runs): assembly: " in out
    assert out.count(" !\n") == 2  # the ato cell, in the OTIF and the cost tables
    runs = pd.read_parquet(tmp_path / "runs.parquet")
    assert all("assembly" in {w["resource"] for w in json.loads(t)} for t in runs["warnings"])


@pytest.mark.parametrize(("argv", "message"), [
    (["compare", "classroom"], "give the alternatives"),
    (["compare", "classroom", "--strategies", "mto,foo"], "--strategies: 'foo'"),
    (["compare", "classroom", "--strategies", "mto", "--kpis", "nope"], "unknown ['nope']"),
    (["compare", "classroom", "--alt", "no-colon"], "NAME:PATH=VALUE"),
    (["sweep", "classroom", "--pd", "1", "--precision", "0.1", "--precision-kpis", "otif,nope",
      "--out", "x"], "--precision-kpis: unknown ['nope']"),
    (["compare", "classroom", "--strategies", "mto", "--set", "horizon_days=-1"],
     "horizon_days"),
    (["sweep", "classroom", "--pd", "0", "--out", "x"], "--pd"),
    (["sweep", "classroom", "--pd", "1,abc", "--out", "x"], "--pd"),
    (["sweep", "classroom", "--pd", "1"], "--out"),
    (["sweep", "classroom", "--pd", "1", "--lead-times", "2", "--out", "x"], "not allowed"),
    (["sweep", "classroom", "--pd", "1", "--demand-lead-time", "3", "--out", "x"],
     "--demand-lead-time"),
    (["sweep", "classroom", "--pd", "1", "--codp", "mto,bogus", "--out", "x"], "'bogus'"),
    (["sweep", "classroom", "--pd", "1", "--dask", "nohost", "--out", "x"], "--dask"),
    (["sweep", "classroom", "--pd", "1", "--workers", "0", "--out", "x"], "--workers"),
    (["advise", "classroom", "--target-otif", "1.5"], "--target-otif"),
    (["warmup", "classroom", "--days", "3", "--set", "warmup_days=0"], "too short"),
])
def test_bad_input_exits_2_with_one_message(argv, message, capsys):
    code, out, err = run([*argv, "--quiet"], capsys)
    assert code == 2
    assert message in err
    assert "Traceback" not in err and out == ""


def test_unreachable_dask_scheduler(capsys, monkeypatch):
    monkeypatch.setattr(runners, "DASK_CONNECT_TIMEOUT", "1s")
    code, _, err = run(["compare", "classroom", "--strategies", "mto", "--days", "30",
                        "--dask", "tcp://127.0.0.1:9", "--quiet"], capsys)
    assert code == 2
    assert "cannot reach a Dask scheduler" in err


def test_sweep_interrupted_by_ctrl_c_resumes(tmp_path, capsys):
    out = tmp_path / "sweep"
    # 24 runs of about 0.15 s: the sweep is still running when the first one is on disk.
    argv = ["sweep", "classroom", "--pd", "1,4", "--codp", "mto,mts", "--reps", "6", "--days",
            "150", "--workers", "1", "--out", str(out), "--quiet"]
    omcsim = Path(sys.executable).with_name("omcsim")
    proc = subprocess.Popen([str(omcsim), *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    journal = out / "runs.journal.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if journal.exists() and journal.read_text().count("\n") >= 1:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    done = len(journal.read_text().splitlines())
    assert proc.returncode == 130, (done, err)
    assert "run the same command to resume" in err
    assert 1 <= done < 24
    assert len(pd.read_parquet(out / "runs.parquet")) == done

    code, stdout, stderr = run(argv, capsys)
    assert code == 0, stderr
    assert f"24 runs ({done} reused" in stdout
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 24 and runs["error"].isna().all()
    for name in ("summary.parquet", "kpis_vs_pd.png", "heatmap_otif.png",
                 "heatmap_cost_total.png", "cost_vs_otif.png", "sweep.json", "scenario.yaml"):
        assert (out / name).is_file(), name


def test_advise_text_and_json(capsys, tmp_path):
    argv = ["advise", "classroom", "--target-otif", "0.9", "--pd", "1,4", "--codp",
            "mts,mto", *FAST]
    code, out, err = run([*argv, "--out", str(tmp_path)], capsys)
    assert code == 0, err
    assert out.count("P:D 1.00") == 1 and out.count("P:D 4.00") == 1
    assert (tmp_path / "advice.csv").is_file() and (tmp_path / "advice.png").is_file()
    code, out, _ = run([*argv, "--json", "--out", str(tmp_path)], capsys)
    rows = json.loads(out)
    assert len(rows) == 4
    assert {r["verdict"] for r in rows} <= {"recommended", "too much stock", "costlier",
                                             "too slow", "not proven", "no estimate",
                                             "overloaded"}
    assert all(r["warnings"] == "" for r in rows)
    assert all(isinstance(r["meets_target"], bool) for r in rows)


def test_warmup_json_and_plot(capsys, tmp_path):
    plot = tmp_path / "welch.png"
    code, out, err = run(["warmup", "classroom", "--reps", "2", "--days", "60", "--workers", "1",
                          "--json", "--plot", str(plot), "--quiet"], capsys)
    assert code == 0, err
    report = json.loads(out)
    assert report["days"] == 80  # warm-up (20) + the horizon
    assert {s["kpi"] for s in report["series"]} >= {"wip", "cycle_time"}
    assert plot.stat().st_size > 10_000


def test_help_lists_the_experiment_commands():
    text = build_parser().format_help()
    for command in ("compare", "sweep", "advise", "warmup"):
        assert command in text


def test_failed_runs_exit_1_and_are_kept(capsys, tmp_path, monkeypatch):
    import simulator.experiment.plan as plan

    real = plan.simulate

    def flaky(scenario, seed, progress=False):
        if scenario.codp == "finished_goods" and seed == (1, 2):
            raise ArithmeticError("deliberate")
        return real(scenario, seed)

    monkeypatch.setattr(plan, "simulate", flaky)
    code, out, err = run(["sweep", "classroom", "--pd", "1", "--codp", "mts,mto", "--out",
                          str(tmp_path), *FAST], capsys)
    assert code == 1
    assert "6 runs" in out  # the tables and figures are still written
    assert "1 of 6 runs failed" in err and "ArithmeticError: deliberate" in err
    runs = pd.read_parquet(tmp_path / "runs.parquet")
    assert len(runs) == 6 and runs["error"].notna().sum() == 1


def test_an_undefined_resilience_kpi_gives_the_runs_own_reason(capsys, tmp_path):
    """An event three days after warm-up leaves no pre-event band: the table, the JSON and a
    single run say so in the run's own words, not with the registry's list of what can make a
    resilience KPI undefined."""
    from simulator.format import why_undefined

    events = tmp_path / "events.yaml"  # classroom warms up for 20 days
    events.write_text("events:\n  strike: {effect: stop, target: plant, start: 23, duration: 5}\n")
    own = "fewer than 7 days between the end of warm-up and the event's start: no pre-event band"
    argv = ["compare", "classroom", "--strategies", "mto,ato", "--disruptions", str(events),
            "--days", "30", "--reps", "2", "--workers", "1", "--quiet"]
    code, out, err = run(argv, capsys)
    assert code == 0, err
    why = [line for line in out.splitlines() if line.startswith("n/a ")
           and "time_to_recover" in line]
    assert why == [f"n/a time_to_recover, peak_backlog, orders_late_event, revenue_late_event, "
                   f"orders_lost_event, extra_cost_event: {own}"]
    assert why_undefined("peak_backlog") not in out
    code, out, err = run([*argv, "--json"], capsys)
    assert code == 0, err
    rows = {(r["alternative"], r["kpi"]): r for r in json.loads(out)}
    assert rows[("ato", "peak_backlog")]["why"] == own
    assert rows[("mto", "time_to_recover")]["why"] == own
    code, out, err = run(["run", "classroom", "--disruptions", str(events), "--days", "30",
                          "--quiet"], capsys)
    assert code == 0, err
    assert f"n/a  ({own})" in next(line for line in out.splitlines()
                                    if line.startswith("peak_backlog "))


def test_compare_with_disruptions_applies_them_to_every_alternative(capsys, tmp_path):
    """The event is part of the base scenario: every alternative runs it under common random
    numbers; the resilience KPIs are printed and events.png draws the replications."""
    events = tmp_path / "events.yaml"
    events.write_text("events:\n  strike: {effect: stop, target: plant, start: 40, duration: 10}\n")
    out_dir = tmp_path / "out"
    code, out, err = run(["compare", "classroom", "--strategies", "mto,ato", "--disruptions",
                          str(events), "--days", "60", "--reps", "2", "--workers", "1", "--quiet",
                          "--out", str(out_dir)], capsys)
    assert code == 0, err
    assert "time_to_recover" in out and "extra_cost_event" in out
    assert (out_dir / "events.png").is_file()
    from simulator.experiment import around_events_frame

    runs = pd.read_parquet(out_dir / "runs.parquet")
    assert (runs["disruptions"] == 1).all()
    frame = around_events_frame(runs)
    assert set(frame["alternative"]) == {"mto", "ato"}
    assert set(frame["replication"]) == {0, 1}
    assert frame["since_start"].min() < 0 < frame["since_start"].max()
    assert (frame["duration"] == 10).all()
