"""The teaching notebooks: each runs top to bottom in a fresh kernel of this interpreter (the
project's .venv) within the issue's two minutes, and is stored as built from its source, outputs
stripped. One test per notebook, so ``pytest -n 2`` runs two at a time."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
BUDGET_SECONDS = 120  # per notebook, kernel start included (issue 6)


def _load_build():
    spec = importlib.util.spec_from_file_location("notebooks_build", ROOT / "notebooks" / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


build = _load_build()
NOTEBOOKS = build.notebooks()


def test_kernel_is_this_interpreter():
    """The notebooks run in a kernel of the interpreter running the tests (the project's .venv),
    not in another Python that happens to own a kernel named python3."""
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import sys; print(sys.executable)")]
    NotebookClient(nb, timeout=60, kernel_name=build.KERNEL).execute()
    printed = nb.cells[0].outputs[0]["text"].strip()
    assert Path(printed).resolve() == Path(sys.executable).resolve()


def test_there_are_ten_lessons():
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_exercise_checks_itself(path):
    """In every lesson, each numbered exercise is followed, before the next one, by a code cell
    calling simulator.teach's check or check_choice on a variable the student sets (None until
    then), and the answers section stays after all of them."""
    cells = nbformat.read(path, as_version=4).cells
    start = next(i for i, c in enumerate(cells) if "## Exercises" in c.source)
    end = next(i for i, c in enumerate(cells) if "## Answers" in c.source)
    exercises = [i for i in range(start, end) if cells[i].cell_type == "markdown"
                 and re.search(r"^\d\. \*\*", cells[i].source, re.MULTILINE)]
    assert exercises, f"{path.name}: no numbered exercises"
    for i, first in enumerate(exercises):
        following = cells[first + 1:(exercises[i + 1] if i + 1 < len(exercises) else end)]
        code = "\n".join(c.source for c in following if c.cell_type == "code")
        assert re.search(r"\bcheck(_choice)?\(my_\w+", code), (
            f"{path.name}: exercise {i + 1} has no answer cell calling check(my_...)")
        assert re.search(r"^my_\w+ = None", code, re.MULTILINE)


def test_notebooks_are_built_from_their_sources():
    assert build.stale() == [], "run: .venv/bin/python notebooks/build.py"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_has_objectives_exercises_and_answers(path):
    text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells
                     if c.cell_type == "markdown")
    for heading in ("**Learning objectives.**", "## Exercises", "## Answers"):
        assert heading in text, f"{path.name} lacks {heading}"
    assert text.index("## Exercises") < text.index("## Answers")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path):
    nb, seconds = build.execute(path)
    # A figure: a matplotlib PNG or an interactive Altair chart (HTML that embeds Vega-Lite).
    figures = sum("image/png" in data or "vegaEmbed" in str(data.get("text/html", ""))
                  for c in nb.cells for o in c.get("outputs", []) for data in [o.get("data", {})])
    assert figures >= 1, f"{path.name} drew no figure"
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    assert seconds < BUDGET_SECONDS, f"{path.name} took {seconds:.0f} s"
