"""simulator.plots.sim_vs_theory, the lessons' figure of simulated intervals against theory."""

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection

from simulator import plots


def _tables():
    sim = pd.DataFrame({
        "x": [1, 2, 1, 2, 1, 2, 1, 2],
        "design": ["a", "a", "b", "b", "a", "a", "b", "b"],
        "kpi": ["wait"] * 4 + ["share"] * 4,
        "mean": [1.0, 2.0, 1.5, 2.5, 0.5, 0.6, 0.7, 0.8],
        "half_width": [0.1, 0.2, 0.1, np.nan, 0.05, 0.05, 0.05, 0.05],
    })
    theory = pd.DataFrame({
        "x": [1, 2, 1, 2, 1, 2],
        "design": ["a", "a", "b", "b", "law", "law"],
        "kpi": ["wait"] * 6,
        "value": [1.1, 2.1, 1.4, 2.4, 1.0, 1.4],
    })
    return sim, theory


def test_one_panel_per_kpi_with_labels_legend_and_error_bars():
    sim, theory = _tables()
    fig = plots.sim_vs_theory(sim, theory, x="x", group="design", kpis=["wait", "share"],
                              xlabel="x (units)", ylabels={"wait": "wait (days)"},
                              title="t", reference={"share": (0.6, "target")},
                              vline=(1.5, "best"), dodge=0.1)
    top, bottom = fig.axes
    assert top.get_ylabel() == "wait (days)" and bottom.get_ylabel() == "share"
    assert bottom.get_xlabel() == "x (units)" and top.get_title() == "t"
    labels = top.get_legend().get_texts()
    names = [t.get_text() for t in labels]
    assert "a (theory)" in names and "a (simulated, 95% CI)" in names
    assert "law" in names  # a theory curve without a simulated group: its own dashed line
    assert "target" in [t.get_text() for t in bottom.get_legend().get_texts()]
    # Error bars: one vertical segment per simulated point (NaN half-width draws a zero bar).
    bars = [c for c in top.collections if isinstance(c, LineCollection)]
    assert sum(len(c.get_segments()) for c in bars) == 4
    # Dodged: the two groups' markers sit either side of x.
    xs = sorted(np.round(line.get_xdata()[0], 3) for line in top.lines
                if line.get_marker() == "o")
    assert xs == [0.95, 1.05]


def test_missing_columns_are_named():
    sim, theory = _tables()
    with pytest.raises(ValueError, match="half_width"):
        plots.sim_vs_theory(sim.drop(columns="half_width"), x="x", kpis="wait", xlabel="x")
    with pytest.raises(ValueError, match="value"):
        plots.sim_vs_theory(sim, theory.drop(columns="value"), x="x", kpis="wait", xlabel="x")
