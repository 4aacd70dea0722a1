"""The benchmark scripts run (tiny sizes) and print their tables, so they cannot rot unseen.
Their figures are machine-dependent and are not asserted here; see benchmarks/README.md."""

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.mark.parametrize(("script", "args", "expected"), [
    ("bench_speed.py", ["--days", "30", "--rounds", "1"], "model / hand-written SimPy"),
    ("bench_memory.py", ["--days", "30", "--records", "1000"], "bytes/step"),
    ("bench_lines.py", ["--days", "3", "--rounds", "1"], "4 lines partial"),
])
def test_benchmark_script_runs(script, args, expected):
    done = subprocess.run([sys.executable, str(BENCHMARKS / script), *args], text=True,
                          capture_output=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert expected in done.stdout
