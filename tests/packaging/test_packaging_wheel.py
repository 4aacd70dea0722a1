"""A built wheel works on its own: installed into a fresh virtual environment and run from a
directory outside the checkout, `omcsim run default` finds the named scenario (shipped as package
data) and gives the checkout's numbers. One test, so that `pytest -n 2` builds and installs once."""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

import pytest
from packaging_helpers import ROOT, clean_env, uv_command
from packaging_helpers import run as run_here

from simulator import available_scenarios

pytestmark = pytest.mark.packaging
VOLATILE = ("wall_seconds",)  # the only KPI that depends on the machine, not the model


def run(command, **kwargs):
    """In the fresh venv, as a user would: bytecode is written (once) there, or every process
    would compile pandas and scipy anew."""
    env = clean_env()
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return run_here(command, env=env, **kwargs)


def test_wheel_installed_in_a_fresh_venv_works_outside_the_checkout(tmp_path):
    uv = uv_command()
    run([*uv, "build", "--wheel", "--quiet", "--out-dir", tmp_path / "dist", ROOT])
    (wheel,) = (tmp_path / "dist").glob("omcsim-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    scenarios = sorted((ROOT / "scenarios").rglob("*.yaml"))
    assert scenarios
    for path in scenarios:  # the named scenarios and the validation reductions
        assert f"simulator/scenarios/{path.relative_to(ROOT / 'scenarios').as_posix()}" in names

    run([*uv, "venv", "--quiet", "--python", sys.executable, tmp_path / "venv"])
    python = tmp_path / "venv" / "bin" / "python"
    run([*uv, "pip", "install", "--quiet", "--python", python, wheel])
    omcsim = python.with_name("omcsim")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    where = run([python, "-c", "import simulator; print(simulator.__file__)"], cwd=elsewhere).stdout
    assert ROOT.as_posix() not in where and "site-packages" in where

    args = ["run", "default", "--days", "30", "--json"]
    from_wheel = json.loads(run([omcsim, *args], cwd=elsewhere).stdout)
    from_checkout = json.loads(run_here([Path(sys.executable).with_name("omcsim"), *args], cwd=ROOT).stdout)
    assert from_wheel["inquiries"] > 0
    for key in VOLATILE:
        del from_wheel[key], from_checkout[key]
    assert from_wheel == from_checkout

    listing = run([omcsim, "scenarios"], cwd=elsewhere).stdout
    listed = [line.split()[0] for line in listing.splitlines() if line and not line.startswith("(")]
    assert listed == available_scenarios()
    run([omcsim, "validate", "validation/mm1"], cwd=elsewhere)
