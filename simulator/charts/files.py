"""Charts as files: PNG, SVG and PDF drawn by vl-convert, HTML with Vega inlined."""

from __future__ import annotations

from pathlib import Path

import altair as alt

from .base import FILE_WIDTH, WIDTH

# ---------------------------------------------------------------- files


def sized(chart: alt.TopLevelMixin, width: int = FILE_WIDTH) -> alt.TopLevelMixin:
    """The chart with a fixed width in pixels: a file or a report has no container to fill."""
    spec = chart.to_dict()

    def fix(node):
        if isinstance(node, dict):
            return {k: (width if k == "width" and v == WIDTH else fix(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [fix(v) for v in node]
        return node

    return type(chart).from_dict(fix(spec))


FILE_FORMATS = (".png", ".svg", ".pdf", ".html")


def save(chart: alt.TopLevelMixin, path: str | Path) -> Path:
    """Write the chart to ``path``: PNG, SVG or PDF drawn by vl-convert (no browser, no network),
    or an HTML page with Vega's JavaScript inlined (opens offline)."""
    path = Path(path)
    if path.suffix.lower() not in FILE_FORMATS:
        raise ValueError(f"a chart is saved as {', '.join(FILE_FORMATS)}; got {path.name!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    chart = sized(chart)
    if path.suffix.lower() == ".png":
        chart.save(path, scale_factor=1.5)
    elif path.suffix.lower() == ".html":
        chart.save(path, inline=True)
    else:
        chart.save(path)
    return path
