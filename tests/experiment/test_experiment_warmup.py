"""Warm-up analysis on a scenario started empty."""

import numpy as np

from simulator.charts import save, welch_plot
from simulator.experiment import warmup


def test_warmup_truncation_and_series(small, tmp_path):
    result = warmup(small, reps=3, days=80, workers=2)
    t = result.truncation.set_index("kpi")
    assert {"wip", "cycle_time", "inventory_codp"} <= set(t.index)
    assert ((t["truncation_day"] >= 0) & (t["truncation_day"] <= 40)).all()
    assert (t["truncation_day"] % 5 == 0).all()  # MSER-5 cuts whole batches
    assert result.recommended_days == t["truncation_day"].max()
    wip = result.series[result.series["kpi"] == "wip"]
    assert len(wip) == 80 and list(wip["day"][:3]) == [1, 2, 3]
    # The system starts empty: the first days hold less work than the steady state.
    assert wip["mean"].iloc[0] < t.loc["wip", "mean_after"]
    assert (t["n_after"] == 3).all() and np.isfinite(t["half_width_after"]).all()
    chart = welch_plot(result)
    assert save(chart, tmp_path / "welch.png").stat().st_size > 0
    assert len(chart.vconcat) == len(t)  # one panel per series
