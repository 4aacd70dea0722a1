"""The matplotlib figures of experiments and lessons (compare, sweep, warm-up, theory), shared by
the CLI, the dashboard and the notebooks. The figures of one run and one order (cycle time, fill
rate, levels, the Gantt chart, the war room, where time goes) are interactive Altair charts in
:mod:`simulator.charts`, which also writes them as image files.

Functions take results or tables and return a ``matplotlib.figure.Figure`` (built without pyplot,
so they are safe in threads and servers). Grouped by topic in submodules, imported here.
"""

from .events import event_bands
from .experiment import (
    comparison_chart,
    kpi_vs_pd,
    optimization_chart,
    sweep_heatmap,
    trade_off,
    welch_plot,
)
from .lessons import sim_vs_theory

__all__ = [
    "comparison_chart",
    "event_bands",
    "kpi_vs_pd",
    "optimization_chart",
    "sim_vs_theory",
    "sweep_heatmap",
    "trade_off",
    "welch_plot",
]
