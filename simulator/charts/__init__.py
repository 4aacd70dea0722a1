"""Every interactive chart, as Altair (Vega-Lite) definitions: one definition per figure serves
the dashboard (``st.altair_chart``), the notebooks (Altair renders in Jupyter), the HTML report
(Vega-Lite with its JavaScript inlined) and the CLI's image files (:func:`save`, drawn by
vl-convert from the same definition).

Hovering shows the values; in the war room and the Gantt chart a mark names the order, the step,
who held it, its start and end, and why it waited. Time axes zoom and pan (drag, wheel; double
click resets). Durations and KPI values in tooltips are written by :mod:`simulator.format`.

One module per family, all of it importable from here (``from simulator import charts``):

- :mod:`.run`: a run: :func:`cycle_time_distribution`, :func:`fill_rate_over_time`,
  :func:`levels_over_time`, :func:`time_breakdown` (waiting against working, delay causes).
- :mod:`.orders`: :func:`order_timeline` (one order's Gantt chart, ``result.trace(id)``) and
  :func:`war_room`: the wall of Shapiro, Rangan and Sviokla's war rooms: who held which order
  when, as swimlanes; ``until_day`` replays it up to a moment of simulated time.
- :mod:`.network`: :func:`network_diagram`, the sites, lanes and stock points (Graphviz).
- :mod:`.experiments`: comparisons, sweeps, trade-offs, warm-up, disruptions, optimisations.
- :mod:`.files`: :func:`save` (PNG, SVG, PDF, HTML) and :func:`sized`.
- :mod:`.base`: the palette, widths and building blocks every family shares.
"""

from .base import FILE_WIDTH, FIT_X, LATE, ON_TIME, PALETTE, UNTIL, WAIT_COLOR, WARMUP_GREY, WIDTH
from .experiments import (
    EVENT_PANELS,
    OPT_STATUS_COLOURS,
    STRATEGY_LABELS,
    WARNED,
    comparison_chart,
    event_bands,
    kpi_vs_pd,
    optimization_chart,
    sweep_heatmap,
    trade_off,
    undefined_cells,
    welch_plot,
)
from .files import FILE_FORMATS, save, sized
from .network import decoupling_stock_points, network_diagram
from .orders import TOOLTIP, lanes, order_timeline, war_room, war_room_orders, war_room_records
from .run import cycle_time_distribution, fill_rate_over_time, levels_over_time, time_breakdown

__all__ = [
    "EVENT_PANELS", "FILE_FORMATS", "FILE_WIDTH", "FIT_X", "LATE", "ON_TIME", "OPT_STATUS_COLOURS",
    "PALETTE", "STRATEGY_LABELS", "TOOLTIP", "UNTIL", "WAIT_COLOR", "WARMUP_GREY", "WARNED", "WIDTH",
    "comparison_chart", "cycle_time_distribution", "decoupling_stock_points", "event_bands",
    "fill_rate_over_time", "kpi_vs_pd", "lanes", "levels_over_time", "network_diagram",
    "optimization_chart", "order_timeline", "save", "sized", "sweep_heatmap", "time_breakdown",
    "trade_off", "undefined_cells", "war_room", "war_room_orders", "war_room_records", "welch_plot",
]
