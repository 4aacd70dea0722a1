"""Shared figure helpers: one look for every omcsim chart."""

from __future__ import annotations

from matplotlib.figure import Figure

# One palette for matplotlib figures and Altair charts alike.
from ..charts import PALETTE  # noqa: F401  (re-exported for the figures)


def new_figure(width: float = 7.0, height: float = 4.0, nrows: int = 1, ncols: int = 1,
               **kwargs) -> tuple[Figure, object]:
    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(nrows, ncols, **kwargs)
    return fig, axes
