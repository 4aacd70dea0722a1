"""Every matplotlib figure omcsim draws, shared by the CLI, the dashboard and the notebooks.

Functions take results or tables and return a ``matplotlib.figure.Figure`` (built without pyplot,
so they are safe in threads and servers). Grouped by topic in submodules, imported here.
"""

from .run import (
    cycle_time_distribution,
    fill_rate_over_time,
    levels_over_time,
    run_overview,
)
from .trace import order_timeline, time_breakdown, war_room

__all__ = [
    "cycle_time_distribution",
    "fill_rate_over_time",
    "levels_over_time",
    "order_timeline",
    "run_overview",
    "time_breakdown",
    "war_room",
]
