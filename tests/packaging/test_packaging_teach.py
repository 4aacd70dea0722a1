"""The teacher's path: the README's command (also on the dashboard's Learn page) sets up, on a
fresh copy of the repository, a .venv with JupyterLab, a kernel of that .venv, and everything the
lessons import."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from packaging_helpers import ROOT, clean_env, run

LEARN_PAGE = ROOT / "dashboard" / "pages" / "learn.py"
SETUP, OPEN = "bash scripts/setup.sh --teach", ".venv/bin/jupyter lab notebooks/"


def teacher_command() -> str:
    """TEACHER_COMMAND of the Learn page (a Streamlit script: read, not imported)."""
    for node in ast.parse(LEARN_PAGE.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "TEACHER_COMMAND":
            return ast.literal_eval(node.value)
    raise AssertionError("the Learn page has no TEACHER_COMMAND")


def test_readme_and_learn_page_give_the_same_teacher_command():
    assert teacher_command() == f"{SETUP} && {OPEN}"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    teachers = readme[readme.index("## For teachers"):]
    teachers = teachers[:teachers.index("\n## ", 1)]
    assert f"```sh\n{teacher_command()}\n```" in teachers


def lesson_imports() -> set[str]:
    """Top-level modules the lessons and their build script import, other than the standard library."""
    names = set()
    for source in [*sorted((ROOT / "notebooks" / "src").glob("*.py")), ROOT / "notebooks" / "build.py"]:
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n != "__future__"}


def fresh_copy(destination: Path) -> Path:
    """The repository as a clone of it would be now: tracked files as they are in the working tree,
    and new files not ignored by git; no .venv, no outputs."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                                cwd=ROOT, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


@pytest.mark.packaging
def test_teacher_setup_on_a_fresh_copy_gives_jupyterlab_and_a_kernel_of_its_venv(tmp_path):
    clone = fresh_copy(tmp_path / "omcsim")
    assert not (clone / ".venv").exists()
    # The setup precompiles every package (slow); bytecode on demand is enough here.
    env = clean_env(UV_COMPILE_BYTECODE="0")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    run(SETUP.split(), cwd=clone, env=env, timeout=600)
    venv = clone / ".venv" / "bin"

    version = run([venv / "jupyter", "lab", "--version"], cwd=clone, env=env).stdout.strip()
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", version), version
    needed = sorted(lesson_imports())
    assert {"simulator", "numpy", "pandas", "scipy", "nbformat"} <= set(needed)
    run([venv / "python", "-c", f"import {', '.join(needed)}"], cwd=clone, env=env)

    # A notebook runs in a kernel of the copy's .venv, with the copy's simulator.
    probe = clone / "probe.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import json, sys, simulator; print(json.dumps([sys.executable, simulator.__file__]))")]
    nbformat.write(nb, probe)
    run([venv / "jupyter", "execute", "--inplace", probe], cwd=clone, env=env, timeout=180)
    executable, package = json.loads(nbformat.read(probe, as_version=4).cells[0].outputs[0]["text"])
    assert Path(executable).parent.resolve() == venv.resolve()  # the venv, not the Python it links to
    assert Path(package).resolve().is_relative_to(clone.resolve())
