"""Charts of one run: cycle times, the fill rate and stock levels over time, and where
the time goes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import altair as alt
import numpy as np
import pandas as pd

from ..format import format_duration, format_value
from ..trace import WhereTimeGoes, late_mask
from .base import (
    FIT_X,
    LATE,
    ON_TIME,
    PALETTE,
    WAIT_COLOR,
    WIDTH,
    _dur,
    _empty,
    _layer,
    _warmup,
    _zoom_x,
    chart_definition,
)

# ---------------------------------------------------------------- a run

if TYPE_CHECKING:
    from ..result import RunResult


@chart_definition
def cycle_time_distribution(result: RunResult, bins: int = 40) -> alt.TopLevelMixin:
    """Histogram of cycle times (receipt to delivery) of the window's delivered orders, on time
    and late stacked, with the mean, the 95th percentile and the mean demand lead time D."""
    sc = result.scenario
    o = result.orders
    d = o[(o["status"] == "delivered") & (o["inquiry"] >= sc.warmup_days)]
    ct = (d["delivered"] - d["received"]).to_numpy()
    title = f"Cycle time distribution ({len(ct):,} delivered orders)"
    if not len(ct):
        return _empty("no order delivered in the window", title)
    late = late_mask(d).to_numpy()
    edges = np.histogram_bin_edges(ct, bins=bins)
    rows = []
    for what, sel in (("on time", ~late), ("late", late)):
        counts, _ = np.histogram(ct[sel], bins=edges)
        rows += [{"from": a, "to": b, "orders": int(n), "delivered": what,
                  "range": f"{format_duration(a)} to {format_duration(b)}"}
                 for a, b, n in zip(edges[:-1], edges[1:], counts, strict=True) if n]
    bars = alt.Chart(pd.DataFrame(rows)).mark_bar().encode(
        x=alt.X("from:Q", title="cycle time, receipt to delivery (days)"), x2="to:Q",
        y=alt.Y("sum(orders):Q", title="orders", stack="zero"),
        color=alt.Color("delivered:N", scale=alt.Scale(domain=["on time", "late"],
                                                       range=[ON_TIME, LATE]), title=None),
        tooltip=[alt.Tooltip("range:N", title="cycle time"), alt.Tooltip("delivered:N"),
                 alt.Tooltip("sum(orders):Q", title="orders")])
    k = result.kpis
    marks = pd.DataFrame({
        "day": [k["cycle_time_mean"], k["cycle_time_p95"], sc.mean_demand_lead_time],
        "what": ["mean cycle time", "95th percentile", "mean D (demand lead time)"],
        "value": [format_value("cycle_time_mean", k["cycle_time_mean"]),
                  format_value("cycle_time_p95", k["cycle_time_p95"]),
                  format_duration(sc.mean_demand_lead_time)]}).dropna(subset=["day"])
    rules = alt.Chart(marks).mark_rule(strokeWidth=2).encode(
        # Two columns: the three names side by side overran the half-width chart ("mean cycle ti").
        x="day:Q", strokeDash=alt.StrokeDash("what:N", title=None,
                                             legend=alt.Legend(orient="bottom", columns=2)),
        tooltip=[alt.Tooltip("what:N", title=""), alt.Tooltip("value:N", title="")])
    return _layer(bars, rules).properties(title=title, width=WIDTH, height=240,
                                          autosize=FIT_X).add_params(_zoom_x())


@chart_definition
def fill_rate_over_time(result: RunResult, window_days: int = 28) -> alt.TopLevelMixin:
    """Unit fill rate at the decoupling stock per week, its rolling mean and the planning
    service target."""
    sc = result.scenario
    o = result.orders
    d = o[o["units_requested"] > 0]
    title = f"Fill rate at the decoupling point ({sc.codp})"
    if not len(d):
        return _empty("no decoupling stock: every order is made to order", title)
    week = (d["inquiry"] // 7).astype(int)
    g = d.groupby(week)[["units_from_stock", "units_requested"]].sum()
    n = max(1, window_days // 7)
    roll = (g["units_from_stock"].rolling(n, min_periods=1).sum()
            / g["units_requested"].rolling(n, min_periods=1).sum())
    df = pd.concat([
        pd.DataFrame({"day": g.index * 7 + 7, "fill rate": g["units_from_stock"]
                      / g["units_requested"], "series": "weekly"}),
        pd.DataFrame({"day": g.index * 7 + 7, "fill rate": roll,
                      "series": f"rolling {window_days} d"})])
    lines = alt.Chart(df).mark_line(interpolate="step-before", point=False).encode(
        x=alt.X("day:Q", title="day"),
        y=alt.Y("fill rate:Q", title="unit fill rate", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1.05])),
        color=alt.Color("series:N", title=None, scale=alt.Scale(range=[PALETTE[0], PALETTE[1]]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("series:N"), alt.Tooltip("day:Q", format=".0f"),
                 alt.Tooltip("fill rate:Q", format=".1%")])
    target = alt.Chart(pd.DataFrame({"target": [sc.steps.planning.service_target],
                                     "what": ["planning service target"]})).mark_rule(
        color="#666", strokeDash=[2, 2]).encode(
        y="target:Q", tooltip=[alt.Tooltip("what:N", title=""),
                               alt.Tooltip("target:Q", format=".1%", title="")])
    return _layer(_warmup(sc.warmup_days), lines, target).properties(
        title=title, width=WIDTH, height=200, autosize=FIT_X).add_params(_zoom_x())


@chart_definition
def levels_over_time(result: RunResult) -> alt.TopLevelMixin:
    """Daily backordered units at the decoupling stock and orders in progress (top), units on
    hand per stock point (bottom), sharing the zoomable time axis."""
    sc = result.scenario
    ts = result.timeseries
    zoom = _zoom_x()
    top = ts[["day", "backorders", "wip"]].rename(columns={
        "backorders": "backordered units", "wip": "orders in progress (WIP)"}).melt(
        "day", var_name="series", value_name="level")
    # on_hand_codp repeats the decoupling stock point's own column.
    on_hand = [c for c in ts.columns if c.startswith("on_hand_") and c != "on_hand_codp"]
    bottom = ts[["day", *on_hand]].rename(columns={
        c: c.removeprefix("on_hand_").replace("_", " ") for c in on_hand}).melt(
        "day", var_name="stock point", value_name="units")

    def lines(df, y, colour, title, range_=None):
        scale = alt.Scale(range=list(range_)) if range_ else alt.Scale(range=list(PALETTE))
        return alt.Chart(df).mark_line(strokeWidth=1.3).encode(
            x=alt.X("day:Q", title="day"), y=alt.Y(f"{y}:Q", title=title),
            color=alt.Color(f"{colour}:N", scale=scale, title=None,
                            legend=alt.Legend(orient="bottom")),
            tooltip=[alt.Tooltip(f"{colour}:N"), alt.Tooltip("day:Q", format=".0f"),
                     alt.Tooltip(f"{y}:Q", format=",.1f")])

    upper = _layer(_warmup(sc.warmup_days),
                   lines(top, "level", "series", "units / orders", (LATE, PALETTE[4]))).properties(
        title="Backorders at the decoupling point and work in progress", width=WIDTH,
        height=180).add_params(zoom)
    lower = _layer(_warmup(sc.warmup_days),
                   lines(bottom, "units", "stock point", "units on hand")).properties(
        title="Inventory by stock point (end of day)", width=WIDTH, height=180)
    return alt.vconcat(upper, lower).resolve_scale(color="independent").properties(
        autosize=FIT_X)


# ---------------------------------------------------------------- where time goes


@chart_definition
def time_breakdown(where: WhereTimeGoes | RunResult, top: int = 8) -> alt.TopLevelMixin:
    """Mean waiting against working per step and per holder, and the top delay causes."""
    if not isinstance(where, WhereTimeGoes):
        where = where.where_time_goes()
    scope = "cycle time" if where.scope == "cycle" else "order-to-cash time"
    colour = alt.Color("what:N", title=None, scale=alt.Scale(
        domain=["working", "waiting"], range=[ON_TIME, WAIT_COLOR]),
        legend=alt.Legend(orient="top"))

    def stacked(df: pd.DataFrame, key: str, title: str):
        long = df.melt(key, ["working", "waiting"], var_name="what", value_name="days")
        long["per order"] = _dur(long["days"])
        long[key] = long[key].astype(str)
        return alt.Chart(long).mark_bar().encode(
            y=alt.Y(f"{key}:N", sort=df[key].astype(str).tolist(), title=None),
            x=alt.X("days:Q", title="days per order", stack="zero"), color=colour,
            tooltip=[alt.Tooltip(f"{key}:N"), alt.Tooltip("what:N"),
                     alt.Tooltip("per order:N")]).properties(title=title, width=WIDTH)

    charts = [stacked(where.by_step, "step", f"Mean {scope} {format_duration(where.mean_time)} "
                      f"over {where.orders:,} orders, per step"),
              stacked(where.by_department.head(10), "department",
                      "Per holder: who owns the order, for how long")]
    c = where.causes.head(top).copy()
    if len(c):
        c["per order"] = _dur(c["per_order"])
        c["share of delay"] = [f"{v:.0%}" for v in c["share"]]
        charts.append(alt.Chart(c).mark_bar(color=LATE, opacity=0.85).encode(
            y=alt.Y("cause:N", sort=c["cause"].tolist(), title=None, axis=alt.Axis(labelLimit=260)),
            x=alt.X("per_order:Q", title="days per order"),
            tooltip=[alt.Tooltip("cause:N"), alt.Tooltip("per order:N"),
                     alt.Tooltip("orders_hit:Q", title="orders hit", format=","),
                     alt.Tooltip("share of delay:N")]).properties(
            title="Top delay causes (mean delay per order)", width=WIDTH))
    else:
        charts.append(_empty("no order waited", "Top delay causes", top=False))
    return alt.vconcat(*charts).properties(autosize=FIT_X)
