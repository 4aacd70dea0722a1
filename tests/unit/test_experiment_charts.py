"""The experiment charts of simulator.charts (compare, sweep, advise, warm-up, events,
optimisation): each is one Altair definition with tooltips on its data marks, and intervals of a
non-negative KPI never run below zero."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from simulator import charts
from simulator.experiment.warmup import WarmupResult


def _marks(spec: dict, data: dict | None = None):
    """Every view with a mark in a Vega-Lite spec (layers and concatenations walked), each with
    the data it draws (its own or its parent's)."""
    data = spec.get("data", data)
    if "mark" in spec:
        yield {**spec, "data": data}
    for key in ("layer", "vconcat", "hconcat", "concat"):
        for sub in spec.get(key, []):
            yield from _marks(sub, data)


def _data(spec: dict, view: dict) -> list[dict]:
    data = view.get("data") or spec.get("data")
    return data["values"] if "values" in data else spec["datasets"][data["name"]]


def _tooltip_fields(view: dict) -> list[str]:
    tip = view.get("encoding", {}).get("tooltip", [])
    return [t.get("field", "") for t in (tip if isinstance(tip, list) else [tip])]


# An interval of a count (orders lost) whose half-width exceeds its mean, and a share.
SUMMARY = pd.DataFrame([
    {"alternative": a, "kpi": k, "mean": m, "half_width": h, "n": 5, "diff": d,
     "diff_half_width": 0.5, "diff_n": 5}
    for a, d in (("ato", 0.0), ("mto", 1.0)) for k, m, h in (("orders_lost", 0.4, 1.2),
                                                             ("otif", 0.97, 0.05))])
CELLS = pd.DataFrame([
    {"strategy": s, "decoupling_point": s, "pd": r, "demand_lead_time": 4 / r, "kpi": k,
     "mean": m, "half_width": h, "n": 3, "warnings": ""}
    for s in ("ato", "eto") for r in (1.0, 2.0)
    for k, m, h in (("otif", 0.9, 0.2), ("cost_total", 1e5, 2e4), ("orders_lost", 0.3, 1.0),
                    ("inventory_value_mean", 50.0, 80.0))])
WARNED = pd.DataFrame([{"strategy": "eto", "decoupling_point": "eto", "pd": 2.0,
                        "demand_lead_time": 2.0, "code": "overload", "resource": "sales",
                        "runs": 2, "of": 2, "worst": 1.9, "message": "sales: 1.9"}])
DESIGNS = pd.DataFrame([
    {"design": f"decoupling_point={s}, departments.sales.staff={n}", "n": 5, "status": st,
     "cost_total_mean": c, "cost_total_half_width": 3e4, "orders_lost_mean": lost,
     "orders_lost_half_width": 2.0, "feasibility": "feasible"}
    for s, n, st, c, lost in (("ato", 2, "front", 1e5, 0.5), ("mto", 3, "front", 8e4, 4.0),
                              ("eto", 2, "dominated", 1.2e5, 5.0))])


def _frame():
    return pd.DataFrame([
        {"alternative": a, "replication": r, "since_start": d, "otif_rolling": 0.9 - 0.01 * d,
         "backlog": 3.0 + d + r, "backorders": float(d), "duration": 5.0}
        for a in ("ato", "mto") for r in (0, 1) for d in range(-3, 10)])


def _welch():
    days = list(range(1, 31))
    series = pd.DataFrame([{"kpi": k, "day": d, "mean": float(d), "welch": float(d)}
                           for k in ("wip", "cycle_time") for d in days])
    truncation = pd.DataFrame([{"kpi": k, "truncation_day": 10.0, "settled": True,
                                "mean_after": 1.0, "half_width_after": 0.1, "n_after": 3}
                               for k in ("wip", "cycle_time")])
    return WarmupResult(series=series, truncation=truncation, reps=3, days=30, window=5,
                        scenario_warmup_days=5.0, recommended_days=10.0, notes=[],
                        warnings=pd.DataFrame())


CHARTS = {
    "comparison_chart": lambda: charts.comparison_chart(SUMMARY, ["orders_lost", "otif"]),
    "kpi_vs_pd": lambda: charts.kpi_vs_pd(CELLS, ["otif", "orders_lost"], 0.95,
                                          warnings=WARNED),
    "sweep_heatmap": lambda: charts.sweep_heatmap(CELLS, "otif", warnings=WARNED),
    "trade_off": lambda: charts.trade_off(CELLS, 0.95, warnings=WARNED),
    "welch_plot": lambda: charts.welch_plot(_welch()),
    "event_bands": lambda: charts.event_bands(_frame()),
    "optimization_chart (two objectives)": lambda: charts.optimization_chart(
        DESIGNS, ["cost_total", "orders_lost"]),
    "optimization_chart (one objective)": lambda: charts.optimization_chart(
        DESIGNS.assign(status=["selected", "eliminated", "infeasible"]), ["orders_lost"]),
}


@pytest.mark.parametrize("name", list(CHARTS))
def test_every_data_mark_has_a_tooltip(name):
    spec = CHARTS[name]().to_dict()
    views = list(_marks(spec))
    data = [v for v in views if _tooltip_fields(v)]
    assert data, f"{name}: no mark shows a tooltip"
    # Lines, points, bands and rules that draw numbers all carry one (text labels and the
    # decorative shading need none).
    for v in views:
        kind = v["mark"]["type"] if isinstance(v["mark"], dict) else v["mark"]
        if kind in ("point", "line", "area") and _data(spec, v):
            assert _tooltip_fields(v), f"{name}: a {kind} mark without a tooltip"


def test_tooltips_write_values_and_intervals_in_the_kpi_unit():
    spec = charts.comparison_chart(SUMMARY, ["otif"]).to_dict()
    rows = _data(spec, next(_marks(spec)))
    assert [r["value"] for r in rows] == ["97.0 (92.0 to 100.0)%"] * 2  # no OTIF above 100%
    assert rows[1]["difference"].startswith("+100") and rows[1]["difference"].endswith("pp *")
    assert rows[0]["difference"] == "baseline"


def _lowest(spec, field):
    return min(r[field] for v in _marks(spec) for r in _data(spec, v) if field in r
               and r[field] is not None)


def test_intervals_of_non_negative_kpis_never_go_below_zero():
    spec = charts.comparison_chart(SUMMARY, ["orders_lost"]).to_dict()
    assert _lowest(spec, "lo") == 0.0  # 0.4 - 1.2 is clipped at zero
    assert max(r["hi"] for v in _marks(spec) for r in _data(spec, v)) == pytest.approx(1.6)
    assert _lowest(charts.kpi_vs_pd(CELLS, ["orders_lost"]).to_dict(), "lo") == 0.0
    trade = charts.trade_off(CELLS, costs=("inventory_value_mean",)).to_dict()
    assert _lowest(trade, "lo_cost") == 0.0
    otif = charts.comparison_chart(SUMMARY, ["otif"]).to_dict()
    assert max(r["hi"] for v in _marks(otif) for r in _data(otif, v)) == 1.0  # a share <= 100%
    opt = charts.optimization_chart(DESIGNS, ["cost_total", "orders_lost"]).to_dict()
    assert _lowest(opt, "orders_lost_lo") == 0.0


def test_overloaded_cells_and_alternatives_are_marked():
    heat = charts.sweep_heatmap(CELLS, "otif", warnings=WARNED).to_dict()
    rows = _data(heat, next(_marks(heat)))
    assert [r["frame"] for r in rows].count("overloaded") == 1
    assert [r["text"].endswith("⚠") for r in rows] == [False, False, False, True]
    lines = charts.kpi_vs_pd(CELLS, ["otif"], warnings=WARNED).to_dict()
    rings = [v for v in _marks(lines) if v["mark"].get("size") == 220]
    assert [(r["strategy"], r["pd"]) for r in _data(lines, rings[0])] == [("eto", 2.0)]
    warned = WARNED.rename(columns={"strategy": "alternative"}).assign(alternative="mto")
    spec = charts.comparison_chart(SUMMARY, ["otif"], warnings=warned).to_dict()
    labels = [r["label"] for r in _data(spec, next(_marks(spec)))]
    assert labels[0] == "ato" and labels[1].startswith("mto ⚠ overload  Δ")


def test_an_empty_event_frame_says_why():
    spec = charts.event_bands(_frame().iloc[0:0]).to_dict()
    assert _data(spec, spec)[0]["text"] == "no disruption in the window"


@pytest.mark.parametrize("name", ["comparison_chart", "event_bands", "sweep_heatmap"])
def test_saved_as_png(name, tmp_path):
    path = charts.save(CHARTS[name](), tmp_path / "chart.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# The README's front: comparable designs near 1.3M and 99%, overloaded ETO at 5M and 0%.
FRONT = pd.DataFrame([
    {"design": f"decoupling_point={s}, departments.sales.staff={n}", "n": 8, "status": st,
     "cost_total_mean": c, "cost_total_half_width": 8e3, "otif_mean": o, "otif_half_width": 0.007,
     "feasibility": "feasible" if st != "overloaded" else "not judged"}
    for s, n, st, c, o in (("mts", 2, "front", 1.2815e6, 0.9896), ("mts", 3, "front", 1.3616e6, 0.9898),
                           ("mts", 4, "front", 1.4405e6, 0.9900), ("ato", 2, "front", 1.2788e6, 0.977),
                           ("mto", 3, "front", 1.4246e6, 0.9900), ("ato", 3, "dominated", 1.3588e6, 0.978),
                           ("eto", 2, "overloaded", 5.0755e6, 0.0), ("eto", 4, "overloaded", 3.9e6, 0.013))])


def test_overloaded_designs_do_not_set_the_axes_and_sit_at_the_edge():
    spec = charts.optimization_chart(FRONT, ["cost_total", "otif"]).to_dict()
    views = list(_marks(spec))
    x_domain = next(v["encoding"]["x"]["scale"]["domain"] for v in views
                    if v["encoding"]["x"].get("field") == "cost_total_mean")
    assert x_domain[1] < 1.6e6  # the comparable designs fill the plot
    edge = [v for v in views if isinstance(v["mark"], dict) and v["mark"].get("shape") == "triangle"]
    rows = _data(spec, edge[0])
    assert sorted(r["values"] for r in rows) == ["eto, 2", "eto, 4"]
    assert all(r["cost_total_at"] == x_domain[1] for r in rows)  # clipped at the right edge
    assert all(r["cost_total_text"].startswith(("5,0", "3,9")) for r in rows)  # true values on hover
    subtitle = json.dumps(spec["title"])
    assert "off the scale" in subtitle and "eto, 2" in subtitle and "eto, 4" in subtitle
    # One objective: the same rule.
    one = charts.optimization_chart(FRONT, ["cost_total"]).to_dict()
    x = next(v["encoding"]["x"] for v in _marks(one) if v["encoding"]["x"]["field"] == "cost_total_mean")
    assert x["scale"]["domain"][1] < 1.6e6


def test_front_labels_do_not_overlap():
    """Two front designs 3,000 apart (some 10 px on this axis) at the same OTIF: their labels
    take different spots; labels far apart keep the first spot (above right)."""
    close = pd.concat([FRONT, FRONT.iloc[[2]].assign(
        design="decoupling_point=mts, departments.sales.staff=5", cost_total_mean=1.4435e6)])
    spec = charts.optimization_chart(close, ["cost_total", "otif"]).to_dict()
    views = [v for v in _marks(spec) if (v["mark"]["type"] if isinstance(v["mark"], dict)
                                         else v["mark"]) == "text"]
    spots = {r["values"]: (v["mark"].get("dx"), v["mark"].get("dy"), v["mark"].get("align"))
             for v in views for r in _data(spec, v)}
    # Every comparable design is named, a dominated one too; the overloaded ones sit apart.
    assert set(spots) == {"mts, 2", "mts, 3", "mts, 4", "mts, 5", "ato, 2", "mto, 3", "ato, 3"}
    assert spots["mts, 4"] != spots["mts, 5"]
    assert spots["mts, 3"] == (6, -9, "left")


def test_long_titles_wrap_and_legend_labels_are_whole():
    long = "Every design of a long optimisation over many levers, " * 3
    spec = charts.optimization_chart(FRONT, ["cost_total", "otif"], title=long).to_dict()
    assert isinstance(spec["title"]["text"], list) and len(spec["title"]["text"]) >= 2
    assert all(len(line) <= 40 for line in spec["title"]["text"])
    assert spec["config"]["legend"]["labelLimit"] == 0
    for name, make in CHARTS.items():
        assert make().to_dict()["config"]["legend"]["labelLimit"] == 0, name


def test_trade_off_scales_to_comparable_cells_and_puts_overloaded_ones_at_the_edge():
    """The sweep's overloaded ETO cells (cost in the tens of millions) would squash the rest:
    they sit at the edge, ringed, named in the subtitle, their true values on hover."""
    cells = CELLS.copy()
    hit = (cells["strategy"] == "eto") & (cells["pd"] == 2.0) & (cells["kpi"] == "cost_total")
    cells.loc[hit, "mean"] = 1.2e7
    spec = charts.trade_off(cells, 0.95, costs=("cost_total",), warnings=WARNED).to_dict()
    views = list(_marks(spec))
    y_domain = next(v["encoding"]["y"]["scale"]["domain"] for v in views
                    if v["encoding"].get("y", {}).get("field") == "mean_cost")
    assert y_domain[1] < 2e5
    edge = [v for v in views if isinstance(v["mark"], dict) and v["mark"].get("shape") == "triangle"]
    rows = _data(spec, edge[0])
    assert [(r["strategy"], r["pd"]) for r in rows] == [("eto", 2.0)]
    assert rows[0]["cost_total_at"] == y_domain[1] and rows[0]["value_cost"].startswith("12,")
    subtitle = " ".join(spec["title"]["text"])  # wrapped lines
    assert "off the scale: ETO (no stock) at P:D 2" in subtitle
    texts = [r["ratio"] for v in views if (v["mark"]["type"] if isinstance(v["mark"], dict)
                                           else v["mark"]) == "text" for r in _data(spec, v)]
    # Every comparable cell labelled, once: the three drawn on one spot share a label.
    assert texts == ["1, 2"]


def test_cells_at_full_otif_share_a_label_and_are_drawn_whole():
    """Several cells at OTIF 100% and about the same cost sit on one another: one label names
    their P:D ratios (in order) instead of a pile of labels; a cell apart keeps its own. The
    OTIF axis reaches a little past 100% (a point there is not cut in half) with no tick past
    it."""
    rows = []
    for s, r, otif, cost in (("mts", 4.0, 1.0, 1.001e5), ("mts", 0.5, 1.0, 1.0e5),
                             ("ato", 1.0, 1.0, 1.002e5), ("ato", 2.0, 1.0, 1.0e5),
                             ("mto", 1.0, 0.8, 1.5e5)):
        for k, m in (("otif", otif), ("cost_total", cost)):
            rows.append({"strategy": s, "decoupling_point": s, "pd": r, "demand_lead_time": 4 / r,
                         "kpi": k, "mean": m, "half_width": 0.0, "n": 3, "warnings": ""})
    spec = charts.trade_off(pd.DataFrame(rows), 0.95, costs=("cost_total",)).to_dict()
    views = list(_marks(spec))
    texts = sorted(r["ratio"] for v in views if (v["mark"]["type"] if isinstance(v["mark"], dict)
                                                 else v["mark"]) == "text"
                   for r in _data(spec, v))
    assert texts == ["0.5, 1, 2, 4", "1"]
    x = next(v["encoding"]["x"] for v in views if v["encoding"].get("x", {}).get("field") == "mean"
             and "scale" in v["encoding"]["x"])
    assert x["scale"]["domain"][1] > 1.0
    assert max(x["axis"]["values"]) == 1.0 and min(x["axis"]["values"]) >= 0.8


def test_a_dominated_design_has_its_label_and_intervals():
    spec = charts.optimization_chart(FRONT, ["cost_total", "otif"]).to_dict()
    rules = [v for v in _marks(spec) if (v["mark"]["type"] if isinstance(v["mark"], dict)
                                         else v["mark"]) == "rule"]
    assert all("ato, 3" in [r["values"] for r in _data(spec, v)] for v in rules) and len(rules) == 2


def test_heatmap_n_a_cells_say_why():
    """A cell where every inquiry was lost has no OTIF: its tooltip and the subtitle say so."""
    cells = CELLS.copy()
    na = (cells["strategy"] == "ato") & (cells["pd"] == 2.0)
    cells.loc[na & (cells["kpi"] == "otif"), "mean"] = float("nan")
    cells = pd.concat([cells, pd.DataFrame([
        {**cells.iloc[0].to_dict(), "strategy": "ato", "pd": 2.0, "kpi": k, "mean": 40.0}
        for k in ("inquiries", "orders_lost")])])
    spec = charts.sweep_heatmap(cells, "otif").to_dict()
    rows = _data(spec, next(_marks(spec)))
    why = [r["value"] for r in rows if r["strategy"] == "ato" and r["pd"] == 2.0]
    assert why == ["n/a: every inquiry was lost (40 per run): quotes longer than customers accept, "
                   "so no order was due"]
    assert charts.undefined_cells(cells, "otif") == [f"ATO (components) P:D 2: {why[0]}"]
    assert why[0] in " ".join(spec["title"]["subtitle"])  # wrapped lines
    # One order accepted in one of eight replications: still the quotes, not "nothing was due".
    cells.loc[(cells["strategy"] == "ato") & (cells["pd"] == 2.0)
              & (cells["kpi"] == "orders_lost"), "mean"] = 40.0 - 1 / 8
    assert charts.undefined_cells(cells, "otif") == [
        "ATO (components) P:D 2: n/a: nearly every inquiry was lost (39.9 of 40 per run, on "
        "average): quotes longer than customers accept, and no accepted order was due before "
        "the run's end"]
