"""A result folder reproduces its numbers from anywhere: run.json's reproduce command runs as
printed for every seed form (an experiment's replication seed such as 1:3 included), and
run.json, sweep.json and compare.json record the same provenance (command, model code digest,
package versions)."""

import json
import os
import shlex
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pandas as pd
import pytest

from simulator import load_scenario
from simulator.cli import main
from simulator.experiment.store import scenario_digest
from simulator.provenance import PACKAGES, code_digest
from simulator.streams import format_seed, parse_seed

OMCSIM = Path(sys.executable).with_name("omcsim")
# The commands are run as printed, through a shell that finds omcsim on its PATH.
ENV = {**os.environ, "PATH": f"{OMCSIM.parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def shell(command: str, cwd: Path) -> subprocess.CompletedProcess:
    p = subprocess.run(command, shell=True, cwd=cwd, env=ENV, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return p


def kpis_of(stdout: str) -> dict:
    k = json.loads(stdout)
    k.pop("wall_seconds")
    return k


@pytest.mark.parametrize("seed", ["3", "1:3"])
def test_reproduce_command_runs_as_printed_from_another_directory(seed, tmp_path):
    made, elsewhere = tmp_path / "made", tmp_path / "elsewhere"
    made.mkdir()
    elsewhere.mkdir()
    first = shell(f"omcsim run classroom --days 40 --seed {seed} --json --quiet --out run", made)
    record = json.loads((made / "run" / "run.json").read_text())
    assert shlex.split(record["reproduce"])[-2:] == ["--seed", seed]
    assert record["seed"] == json.loads(first.stdout)["seed"] == json.loads(
        json.dumps(parse_seed(seed)))
    again = shell(record["reproduce"] + " --json --quiet", elsewhere)
    assert kpis_of(again.stdout) == kpis_of(first.stdout)


def test_an_experiment_replication_reruns_alone(tmp_path):
    """Replication 3 of an alternative run with independent streams (seed 1:3:1), from the
    seed runs.parquet shows and the command compare.json gives."""
    shell("omcsim compare classroom --days 40 --strategies mto,ato --reps 4 --independent "
          "--workers 1 --quiet --out cmp", tmp_path)
    runs = pd.read_parquet(tmp_path / "cmp" / "runs.parquet").set_index(
        ["alternative", "replication"])
    row = runs.loc[("ato", 3)]
    assert row["seed"] == "1:3:1"
    ato = json.loads((tmp_path / "cmp" / "compare.json").read_text())["alternatives"][1]
    assert ato["name"] == "ato" and ato["seed"] == "1:R:1"
    command = ato["reproduce_replication"].replace("--seed 1:R:1", f"--seed {row['seed']}")
    k = kpis_of(shell(command + " --json --quiet", tmp_path / "cmp").stdout)
    assert k["seed"] == [1, 3, 1]
    for kpi in ("inquiries", "orders_delivered", "otif", "cycle_time_mean", "cost_total"):
        assert k[kpi] == row[kpi], kpi


def test_the_kpi_table_prints_the_seed_as_the_cli_takes_it(capsys):
    assert main(["run", "classroom", "--days", "20", "--seed", "1:3", "--quiet"]) == 0
    assert "seed=1:3 " in capsys.readouterr().out


@pytest.mark.parametrize("text", ["-1", "1:-3", "1:", "1.5", "[1, 3]", "x"])
def test_bad_seeds_are_refused_naming_the_option(text, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "classroom", "--seed", text])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "--seed" in err and "1:3" in err and "Traceback" not in err


def test_seed_text_round_trips():
    for seed in (0, 7, (1, 3), (1, 3, 2)):
        assert parse_seed(format_seed(seed)) == seed
    assert format_seed([1, 3]) == "1:3"


def provenance_of(path: Path, command: str) -> dict:
    record = json.loads(path.read_text())
    assert shlex.split(record["command"])[:2] == ["omcsim", command]
    assert record["code_digest"] == code_digest()
    versions = record["versions"]
    assert set(versions) == {"python", "omcsim", *PACKAGES}
    for name in PACKAGES:
        assert versions[name] == metadata.version(name)
    assert versions["python"] == ".".join(map(str, sys.version_info[:3]))
    return record


def test_compare_out_leaves_the_provenance_sweep_out_leaves(tmp_path):
    fast = "--days 30 --reps 2 --workers 1 --quiet"
    shell(f"omcsim sweep classroom --pd 1 --codp mto,ato {fast} --out sweep", tmp_path)
    shell(f"omcsim compare classroom --strategies mto,ato {fast} --out cmp", tmp_path)
    shell("omcsim run classroom --days 30 --quiet --out run", tmp_path)
    sweep = provenance_of(tmp_path / "sweep" / "sweep.json", "sweep")
    compare = provenance_of(tmp_path / "cmp" / "compare.json", "compare")
    provenance_of(tmp_path / "run" / "run.json", "run")
    # compare records everything sweep does about the experiment, and its method.
    assert set(sweep) - set(compare) <= {"production_lead_time", "strategies", "pd_ratios",
                                         "demand_lead_times"}
    assert compare["random_numbers"] == "common" and compare["diff_method"] == "paired"
    for folder in ("sweep", "cmp"):
        for name in ("scenario.yaml", "runs.journal.jsonl", "runs.parquet", "summary.parquet"):
            assert (tmp_path / folder / name).is_file(), (folder, name)
        journal = (tmp_path / folder / "runs.journal.jsonl").read_text().splitlines()
        assert {json.loads(line)["code"] for line in journal} == {code_digest()}
    # Each alternative's resolved scenario is there, as the runs used it.
    for alt in compare["alternatives"]:
        scenario = load_scenario(tmp_path / "cmp" / alt["scenario_file"])
        assert scenario_digest(scenario) == alt["scenario_digest"]
        assert scenario.codp == {"mto": "raw_material", "ato": "components"}[alt["name"]]


def test_results_do_not_import_the_experiment_layer():
    code = ("import sys, simulator.result, simulator.provenance; "
            "print(sorted(m for m in sys.modules if m.startswith('simulator.experiment')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
