"""Every matplotlib figure omcsim draws, shared by the CLI, the dashboard and the notebooks.

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
from .run import (
    cycle_time_distribution,
    fill_rate_over_time,
    levels_over_time,
    run_overview,
)
from .trace import order_timeline, time_breakdown, war_room

__all__ = [
    "comparison_chart",
    "cycle_time_distribution",
    "event_bands",
    "fill_rate_over_time",
    "kpi_vs_pd",
    "levels_over_time",
    "optimization_chart",
    "order_timeline",
    "run_overview",
    "sim_vs_theory",
    "sweep_heatmap",
    "time_breakdown",
    "trade_off",
    "war_room",
    "welch_plot",
]
