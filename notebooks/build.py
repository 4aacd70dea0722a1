"""Build, check and run the teaching notebooks.

Each lesson is written in ``notebooks/src/NN-name.py`` in the "percent" format (as jupytext
writes it): a line ``# %% [markdown]`` starts a text cell whose lines are comments, a line
``# %%`` starts a code cell. A comment line ``# %matplotlib inline`` in a code cell is an
IPython magic and becomes ``%matplotlib inline``. The sources are plain Python, so ruff lints them
and a diff reads well; the ``.ipynb`` files are generated from them with outputs stripped.

    .venv/bin/python notebooks/build.py                       # write every notebooks/NN-*.ipynb
    .venv/bin/python notebooks/build.py --check               # exit 1 if one is out of date
    .venv/bin/python notebooks/build.py --execute             # run each in a fresh kernel, time it
    .venv/bin/python notebooks/build.py --execute 03 --figures out/fig   # one lesson, save PNGs
    .venv/bin/python notebooks/build.py --execute --outputs out/run      # keep executed copies
    .venv/bin/python notebooks/build.py --execute 03 --previews          # the Learn page's preview

A lesson's preview (docs/images/lessons/NN-name.png, shown on the dashboard's Learn page) is the
first figure the lesson draws: a matplotlib PNG, or an Altair chart drawn to PNG by
``simulator.charts.save`` from the Vega-Lite spec its output embeds, shrunk to a thumbnail.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import re
import sys
import tempfile
import time
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "src"
KERNEL = "python3"  # the kernel of the interpreter that runs this (the project's .venv)
CELL_TIMEOUT = 300  # seconds; a cell taking this long is a bug, not a slow machine
PREVIEWS = HERE.parent / "docs" / "images" / "lessons"
PREVIEW_SIZE = (560, 800)  # pixels, at most: a thumbnail beside the lesson's objectives

_MARKER = re.compile(r"^# %%(?P<markdown> \[markdown\])?\s*$")
_MAGIC = re.compile(r"^# (%(?:matplotlib|config)\b.*)$")


def sources() -> list[Path]:
    return sorted(SOURCES.glob("[0-9][0-9]-*.py"))


def target(source: Path) -> Path:
    return HERE / f"{source.stem}.ipynb"


def notebooks() -> list[Path]:
    return [target(s) for s in sources()]


def _trim(lines: list[str]) -> str:
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def parse(text: str) -> list[tuple[str, str]]:
    """Cells of a percent-format source as (kind, text); anything before the first marker (the
    file's header comment) is left out."""
    cells: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        m = _MARKER.match(line)
        if m:
            cells.append(("markdown" if m["markdown"] else "code", []))
        elif cells:
            kind, body = cells[-1]
            if kind == "markdown":
                if line.strip() and not line.startswith("#"):
                    raise ValueError(f"markdown cell line is not a comment: {line!r}")
                body.append(line[2:] if line.startswith("# ") else line[1:])
            else:
                magic = _MAGIC.match(line)
                body.append(magic[1] if magic else line)
    out = [(kind, _trim(body)) for kind, body in cells]
    return [(kind, body) for kind, body in out if body]


def build(source: Path) -> nbformat.NotebookNode:
    """The notebook of one source, outputs empty, ids and metadata fixed (so builds are stable)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                       "name": KERNEL},
        "language_info": {"name": "python"},
    }
    for i, (kind, body) in enumerate(parse(source.read_text(encoding="utf-8"))):
        make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        nb.cells.append(make(body, id=f"cell-{i:02d}"))
    nbformat.validate(nb)
    return nb


def render(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def stale() -> list[Path]:
    """Notebooks that differ from what their sources build (or are missing)."""
    out = []
    for s in sources():
        path = target(s)
        if not path.exists() or path.read_text(encoding="utf-8") != render(build(s)):
            out.append(path)
    return out


def write_all() -> list[Path]:
    written = []
    for s in sources():
        path = target(s)
        text = render(build(s))
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def execute(path: Path, timeout: int = CELL_TIMEOUT) -> tuple[nbformat.NotebookNode, float]:
    """Run a notebook top to bottom in a fresh kernel, in the notebooks folder; returns the
    executed notebook and the wall-clock seconds (kernel start included). A failing cell raises
    nbclient's CellExecutionError naming the cell and the error."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name=KERNEL,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    return nb, time.perf_counter() - start


def save_figures(nb: nbformat.NotebookNode, folder: Path, stem: str) -> list[Path]:
    """Write every PNG a run displayed to ``folder/stem-cellNN-K.png``."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i, cell in enumerate(nb.cells):
        k = 0
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            if png:
                path = folder / f"{stem}-cell{i:02d}-{k}.png"
                path.write_bytes(base64.b64decode(png))
                out.append(path)
                k += 1
    return out


def preview(notebook: Path) -> Path:
    """Where the Learn page finds a lesson's preview figure."""
    return PREVIEWS / f"{notebook.stem}.png"


def _vega_spec(html: str) -> dict | None:
    """The Vega-Lite spec of an Altair chart's HTML output: Altair's template calls its embedding
    function on it last, ``})(spec, options);``."""
    if "vegaEmbed" not in html:
        return None
    spec, _ = json.JSONDecoder().raw_decode(html, html.rindex("})(") + 3)
    return spec


def _chart_png(spec: dict) -> bytes:
    """An Altair chart's spec drawn to PNG by the library's file writer (charts.save)."""
    import altair as alt

    from simulator import charts

    kinds = {"layer": alt.LayerChart, "vconcat": alt.VConcatChart, "hconcat": alt.HConcatChart,
             "concat": alt.ConcatChart, "facet": alt.FacetChart, "repeat": alt.RepeatChart}
    chart = next((kind for key, kind in kinds.items() if key in spec), alt.Chart).from_dict(spec)
    with tempfile.TemporaryDirectory() as tmp:
        return charts.save(chart, Path(tmp) / "chart.png").read_bytes()


def save_preview(nb: nbformat.NotebookNode, path: Path) -> Path:
    """Write the first figure an executed notebook displayed, as a PNG thumbnail, to ``path``."""
    from PIL import Image

    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            spec = _vega_spec(str(data.get("text/html", "")))
            if "image/png" in data or spec:
                png = base64.b64decode(data["image/png"]) if "image/png" in data else _chart_png(spec)
                image = Image.open(io.BytesIO(png)).convert("RGB")
                image.thumbnail(PREVIEW_SIZE, Image.Resampling.LANCZOS)
                path.parent.mkdir(parents=True, exist_ok=True)
                image.save(path, optimize=True)
                return path
    raise ValueError("the notebook displayed no figure to preview")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="only check the notebooks are up to date")
    ap.add_argument("--execute", action="store_true", help="run the notebooks and time them")
    ap.add_argument("--figures", type=Path, help="with --execute: save the displayed PNGs here")
    ap.add_argument("--outputs", type=Path,
                    help="with --execute: write the executed notebooks, outputs kept, here")
    ap.add_argument("--previews", action="store_true",
                    help=f"with --execute: save each lesson's first figure to "
                         f"{PREVIEWS.relative_to(HERE.parent)}/")
    ap.add_argument("only", nargs="*", help="lesson numbers or name parts (default: all)")
    args = ap.parse_args(argv)
    if args.check:
        bad = stale()
        for path in bad:
            print(f"out of date: {path.relative_to(HERE.parent)} (run notebooks/build.py)")
        return 1 if bad else 0
    for path in write_all():
        print(f"wrote {path.relative_to(HERE.parent)}")
    if args.execute:
        chosen = [p for p in notebooks() if not args.only or any(o in p.stem for o in args.only)]
        for path in chosen:
            nb, seconds = execute(path)
            print(f"{path.name}: ran in {seconds:.1f} s")
            if args.figures:
                for fig in save_figures(nb, args.figures, path.stem):
                    print(f"  {fig}")
            if args.previews:
                print(f"  preview: {save_preview(nb, preview(path)).relative_to(HERE.parent)}")
            if args.outputs:
                args.outputs.mkdir(parents=True, exist_ok=True)
                nbformat.write(nb, args.outputs / path.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
