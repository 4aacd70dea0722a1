"""Shared figure helpers: one look for every omcsim chart."""

from __future__ import annotations

from matplotlib.figure import Figure

# Colour-blind-safe palette (Okabe-Ito), in a fixed order for departments, stages and strategies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
           "#000000")
LATE = "#D55E00"
ON_TIME = "#0072B2"


def new_figure(width: float = 7.0, height: float = 4.0, nrows: int = 1, ncols: int = 1,
               **kwargs) -> tuple[Figure, object]:
    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(nrows, ncols, **kwargs)
    return fig, axes


def shade_warmup(ax, warmup_days: float) -> None:
    if warmup_days > 0:
        ax.axvspan(0, warmup_days, color="0.9", zorder=0, label="warm-up (not in KPIs)")
