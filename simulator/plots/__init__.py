"""The matplotlib figure of the lessons (simulated intervals against theory), used by the
notebooks. Every other figure is an interactive Altair chart in :mod:`simulator.charts` (runs,
orders, experiments, disruptions, optimisation), which also writes them as image files.

Functions take tables and return a ``matplotlib.figure.Figure`` (built without pyplot, so they
are safe in threads and servers).
"""

from .lessons import sim_vs_theory

__all__ = ["sim_vs_theory"]
