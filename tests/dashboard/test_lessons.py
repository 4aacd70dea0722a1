"""dashboard/lessons.py: the Learn page's list of lessons, read from the notebooks."""

import json
import sys
from pathlib import Path

import pytest
from dashboard_checks import APP

sys.path.insert(0, str(APP.parent))
import lessons  # the dashboard's folder, as `streamlit run` sets it

HEADER = """# Lesson 4 — Queues

**Learning objectives.** After this lesson you can

1. compute a stage's utilisation
   and measure it;
2. predict the wait.

**Time:** about 45 minutes. The notebook runs in a minute.
"""


def test_header_parts_with_wrapped_objectives():
    assert lessons.parse_header(HEADER) == (
        4, "Queues", ("compute a stage's utilisation and measure it;", "predict the wait."),
        "about 45 minutes")


@pytest.mark.parametrize("broken", [
    HEADER.replace("# Lesson 4 — Queues", "# Queues"),
    HEADER.replace("**Learning objectives.**", ""),
    HEADER.replace("**Time:**", "Time:"),
    HEADER.replace("1. ", "").replace("2. ", ""),
], ids=["no heading", "no objectives", "no time", "no numbered list"])
def test_a_header_without_a_part_is_refused(broken):
    with pytest.raises(ValueError, match="lesson"):
        lessons.parse_header(broken)


def test_every_lesson_has_objectives_and_a_small_preview():
    found = lessons.lessons()
    assert [x.notebook.name[:2] for x in found] == sorted(
        p.name[:2] for p in lessons.NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
    for lesson in found:
        assert lesson.number == int(lesson.notebook.name[:2]) and len(lesson.objectives) >= 3
        assert lesson.preview is not None, (
            f"{lesson.notebook.name}: run notebooks/build.py --execute {lesson.notebook.name[:2]} "
            "--previews")
        assert lesson.preview.stat().st_size < 150_000  # a thumbnail, not a full figure


def test_a_notebook_without_a_header_is_named(tmp_path: Path):
    nb = tmp_path / "07-x.ipynb"
    nb.write_text(json.dumps({"cells": [{"cell_type": "markdown", "source": ["# Hello"]}]}))
    with pytest.raises(ValueError, match=r"07-x\.ipynb"):
        lessons.read(nb)
