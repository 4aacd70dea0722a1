"""The lessons as the Learn page lists them: number, title, time and learning objectives, read
from each notebook's first cell (the notebook is built from notebooks/src/NN-name.py, and a test
keeps the two equal, so the objectives have one home), and the preview figure
``notebooks/build.py --execute --previews`` drew from the lesson's first figure."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
PREVIEWS = ROOT / "docs" / "images" / "lessons"  # notebooks/build.py's PREVIEWS

_TITLE = re.compile(r"^# Lesson (?P<number>\d+) — (?P<title>.+)$", re.MULTILINE)
_TIME = re.compile(r"\*\*Time:\*\* (?P<time>[^.]+)\.")
_ITEM = re.compile(r"^\d+\. (?P<text>.*)$")


@dataclass(frozen=True)
class Lesson:
    number: int
    title: str
    objectives: tuple[str, ...]  # each completes "After this lesson you can ..."
    time: str  # "about 60 minutes"
    notebook: Path
    preview: Path | None  # None until build.py has drawn it


def parse_header(markdown: str) -> tuple[int, str, tuple[str, ...], str]:
    """(number, title, objectives, time) of a lesson's first markdown cell: a heading
    ``# Lesson N — Title``, a numbered list after ``**Learning objectives.**`` (items may wrap
    onto indented lines) and ``**Time:** about N minutes.``"""
    title, time = _TITLE.search(markdown), _TIME.search(markdown)
    if not title or not time or "**Learning objectives.**" not in markdown:
        raise ValueError("a lesson's first cell needs '# Lesson N — Title', "
                         "'**Learning objectives.**' and '**Time:** ...'")
    block = markdown.split("**Learning objectives.**", 1)[1].split("**Time:**", 1)[0]
    items: list[str] = []
    for line in block.splitlines():
        item = _ITEM.match(line.strip())
        if item:
            items.append(item["text"])
        elif items and line.startswith(" ") and line.strip():
            items[-1] += " " + line.strip()
    if not items:
        raise ValueError("a lesson's learning objectives need a numbered list")
    return int(title["number"]), title["title"].strip(), tuple(items), time["time"].strip()


def read(notebook: Path) -> Lesson:
    """The lesson of one notebook file."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    first = next(c for c in cells if c["cell_type"] == "markdown")
    source = first["source"] if isinstance(first["source"], str) else "".join(first["source"])
    try:
        number, title, objectives, time = parse_header(source)
    except ValueError as e:
        raise ValueError(f"{notebook.name}: {e}") from None
    preview = PREVIEWS / f"{notebook.stem}.png"
    return Lesson(number, title, objectives, time, notebook,
                  preview if preview.exists() else None)


def lessons(folder: Path = NOTEBOOKS) -> list[Lesson]:
    """Every lesson in ``folder``, in order."""
    return sorted((read(p) for p in folder.glob("[0-9][0-9]-*.ipynb")), key=lambda x: x.number)
