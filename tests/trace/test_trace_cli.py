"""``omcsim trace`` and ``omcsim run --events``: output shapes, files, exit codes."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.cli import main

ROOT = Path(__file__).parents[2]
SHORT = ["--days", "30"]
PNG = b"\x89PNG\r\n\x1a\n"


def omcsim(*args):
    """Runs the real command: exit code, stdout, stderr."""
    p = subprocess.run([sys.executable, "-m", "simulator.cli", *args], capture_output=True,
                       text=True, cwd=ROOT)
    return p.returncode, p.stdout, p.stderr


def test_trace_json_shape(capsys):
    assert main(["trace", "default", *SHORT, "--seed", "2", "--pick", "slowest", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert set(d) == {"order", "steps"}
    assert {"id", "received", "due", "delivered", "cycle_time", "product", "quantity",
            "channel", "priority", "late_by", "paid", "planning"} <= set(d["order"])
    assert d["steps"]
    for s in d["steps"]:
        assert {"step", "activity", "department", "queued", "start", "end", "wait", "work",
                "reason"} <= set(s)
        assert s["wait"] == pytest.approx(s["start"] - s["queued"])
        assert s["work"] == pytest.approx(s["end"] - s["start"])
    cycle = [s for s in d["steps"] if s["phase"] == "cycle"]
    assert sum(s["wait"] + s["work"] for s in cycle) == pytest.approx(d["order"]["cycle_time"])


def test_trace_by_id_prints_the_narrative_and_the_same_order_as_json(capsys):
    assert main(["trace", "default", *SHORT, "--order", "7"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Order 7:")
    assert "held by" in text and "why" in text
    assert main(["trace", "default", *SHORT, "--order", "7", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["order"]["id"] == 7


def test_random_pick_is_reproducible_from_the_seed(capsys):
    ids = []
    for _ in range(2):
        assert main(["trace", "default", *SHORT, "--seed", "5", "--pick", "random",
                     "--json"]) == 0
        ids.append(json.loads(capsys.readouterr().out)["order"]["id"])
    assert ids[0] == ids[1]


def test_trace_plots(tmp_path, capsys):
    gantt, war = tmp_path / "order.png", tmp_path / "charts" / "war.svg"
    assert main(["trace", "default", *SHORT, "--pick", "slowest", "--plot", str(gantt),
                 "--war-room", str(war)]) == 0
    assert gantt.read_bytes().startswith(PNG)
    assert war.read_text().lstrip().startswith(("<?xml", "<svg"))
    breakdown = tmp_path / "where.png"
    assert main(["trace", "default", *SHORT, "--all", "--plot", str(breakdown)]) == 0
    assert "top delay causes" in capsys.readouterr().out
    assert breakdown.read_bytes().startswith(PNG)


def test_all_orders_json(capsys):
    assert main(["trace", "default", *SHORT, "--all", "--scope", "cash", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert {"scope", "orders", "mean_time", "by_step", "by_department", "causes"} <= set(d)
    assert d["scope"] == "cash"


@pytest.mark.parametrize(("args", "message"), [
    (["--order", "999999"], "no order 999999"),
    (["--order", "abc"], "whole number"),
    (["--pick", "slowest", "--plot", "chart.jpg2"], "unknown figure format"),
    (["--all", "--war-room", "wall.txt"], "unknown figure format"),
])
def test_trace_bad_input_exits_2_with_a_readable_message(args, message):
    code, out, err = omcsim("trace", "default", *SHORT, *args)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert out == ""


def test_trace_needs_an_order_or_a_pick():
    code, _, err = omcsim("trace", "default")
    assert code == 2 and "--order" in err


def test_run_writes_the_event_log_and_reports_the_same_kpis(tmp_path, capsys):
    assert main(["run", "default", *SHORT, "--json", "--quiet"]) == 0
    plain = json.loads(capsys.readouterr().out)
    path = tmp_path / "events.xes"
    assert main(["run", "default", *SHORT, "--json", "--quiet", "--events", str(path)]) == 0
    exported = json.loads(capsys.readouterr().out)
    plain.pop("wall_seconds")
    exported.pop("wall_seconds")
    assert plain == exported
    assert path.read_text().startswith("<?xml")


def test_run_with_an_unknown_event_format_exits_2_before_running(tmp_path):
    code, out, err = omcsim("run", "default", "--events", str(tmp_path / "events.json"))
    assert code == 2
    assert "unknown event-log format" in err and ".jsonocel" in err and "Traceback" not in err
    assert out == ""
    assert not (tmp_path / "events.json").exists()
