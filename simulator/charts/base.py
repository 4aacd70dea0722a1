"""What every chart shares: the palette, the widths and small building blocks."""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Callable
from typing import TypeVar

import altair as alt
import pandas as pd

from ..format import format_duration

# Colour-blind-safe palette (Okabe-Ito); waiting in orange, late in vermillion everywhere.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
           "#000000")
LATE = "#D55E00"
ON_TIME = "#0072B2"
WAIT_COLOR = "#E69F00"
WARMUP_GREY = "#E5E5E5"
UNTIL = {"delivery": ("inquiry", "cycle"), "payment": ("inquiry", "cycle", "billing"),
         "all": ("inquiry", "cycle", "billing", "after-sales")}
"""How far a journey is drawn: which phases of the trace (simulator.trace.PHASE) it shows."""

WIDTH = "container"  # a chart fills its column in the dashboard; reports and files set a width
FILE_WIDTH = 760
# Fit the width, keep the height given to the plot: "fit" (Streamlit's default) would squeeze
# the plot to make room for titles and legends inside the height.
FIT_X = alt.AutoSizeParams(type="fit-x", contains="padding")
# Titles wrap at these many characters: at 1024 px with the sidebar open, a chart in one of
# two columns is about 300 px wide, some 40 characters of a 13 px bold title (Vega cuts a
# longer line with an ellipsis), some 55 of the 11 px subtitle.
TITLE_CHARS = 40
SUBTITLE_CHARS = 55

F = TypeVar("F", bound=Callable[..., alt.TopLevelMixin])


def _lines(text, width: int):
    """``text`` as lines of at most ``width`` characters (Vega draws a list as lines)."""
    if isinstance(text, str) and len(text) > width:
        return textwrap.wrap(text, width, break_on_hyphens=False)
    if isinstance(text, list):  # lines given: each wrapped on its own
        return [part for line in text for part in
                (textwrap.wrap(line, width, break_on_hyphens=False) or [line])]
    return text


def _wrap_titles(chart) -> None:
    """Every title and subtitle of ``chart`` and of the charts inside it, wrapped in place."""
    title = getattr(chart, "title", alt.Undefined)
    if isinstance(title, str):
        chart.title = _lines(title, TITLE_CHARS)
    elif isinstance(title, alt.TitleParams):
        title.text = _lines(title.text, TITLE_CHARS)
        if title.subtitle is not alt.Undefined:
            title.subtitle = _lines(title.subtitle, SUBTITLE_CHARS)
    for part in ("layer", "vconcat", "hconcat", "concat"):
        for inner in getattr(chart, part, None) or []:
            _wrap_titles(inner)


def chart_definition(make: F) -> F:
    """What every public chart goes through, wherever it is shown (dashboard, notebook, report,
    file): long titles wrap instead of being cut at narrow widths, and legend labels are never
    truncated (Vega's default cuts them at 160 px)."""

    @functools.wraps(make)
    def made(*args, **kwargs):
        chart = make(*args, **kwargs)
        _wrap_titles(chart)
        return chart.configure_legend(labelLimit=0)

    return made  # type: ignore[return-value]


def _dur(values) -> list[str]:
    return [format_duration(v, zero="0 min", digits=2) for v in values]


def _zoom_x():
    """Zoom and pan on the time axis only (drag, mouse wheel; double click resets)."""
    return alt.selection_interval(bind="scales", encodings=["x"])


def _warmup(warmup_days: float) -> alt.Chart | None:
    if warmup_days <= 0:
        return None
    band = pd.DataFrame({"start": [0.0], "end": [float(warmup_days)],
                         "what": ["warm-up (not in the KPIs)"]})
    return alt.Chart(band).mark_rect(color=WARMUP_GREY, opacity=0.7).encode(
        x="start:Q", x2="end:Q", tooltip=[alt.Tooltip("what:N", title="")])


def _layer(*charts) -> alt.LayerChart:
    return alt.layer(*[c for c in charts if c is not None])


def _empty(text: str, title: str, top: bool = True) -> alt.Chart:
    """A chart that says in words why it has nothing to draw (``top``: not inside another)."""
    chart = alt.Chart(pd.DataFrame({"text": [text]})).mark_text(color="#666", size=13).encode(
        text="text:N").properties(title=title, width=WIDTH, height=120)
    return chart.properties(autosize=FIT_X) if top else chart
