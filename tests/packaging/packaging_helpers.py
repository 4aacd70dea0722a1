"""Shared by the packaging tests: find uv, run a command as a user's shell would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def uv_command() -> list[str]:
    """uv, as scripts/setup.sh finds it (on PATH, or the module pip installed)."""
    if shutil.which("uv"):
        return [shutil.which("uv")]
    for python in (shutil.which("python3"), sys.executable):
        if python and subprocess.run([python, "-m", "uv", "--version"], capture_output=True).returncode == 0:
            return [python, "-m", "uv"]
    pytest.skip("uv is not installed (scripts/setup.sh installs it)")


def clean_env(**extra: str) -> dict[str, str]:
    """A user's shell: nothing that points Python, uv or Streamlit at this checkout."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT")
           and not k.startswith("STREAMLIT_")}
    env.update(extra)
    return env


def run(command, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    """Run a command (list of str or paths), fail the test with its output if it fails."""
    command = [str(c) for c in command]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                          env=kwargs.pop("env", None) or clean_env(), **kwargs)
    assert done.returncode == 0, f"{command}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done
