"""Every interactive chart of one run, as Altair (Vega-Lite) definitions: one definition per figure
serves the dashboard (``st.altair_chart``), the notebooks (Altair renders in Jupyter), the HTML
report (Vega-Lite with its JavaScript inlined) and the CLI's image files (:func:`save`, drawn by
vl-convert from the same definition).

Hovering shows the values; in the war room and the Gantt chart a mark names the order, the step,
who held it, its start and end, and why it waited. Time axes zoom and pan (drag, wheel; double
click resets). Durations and KPI values in tooltips are written by :mod:`simulator.format`.

- :func:`cycle_time_distribution`, :func:`fill_rate_over_time`, :func:`levels_over_time`: a run.
- :func:`order_timeline`: one order's Gantt chart (``result.trace(id)``).
- :func:`war_room`: the wall of Shapiro, Rangan and Sviokla's war rooms: who held which order
  when, as swimlanes; ``until_day`` replays it up to a moment of simulated time.
- :func:`time_breakdown`: waiting against working per step and holder, the top delay causes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import altair as alt
import numpy as np
import pandas as pd

from .experiment.compare import MAIN_KPIS
from .experiment.runwarnings import UNSTABLE
from .experiment.sweep import STRATEGY_ORDER, SWEEP_KPIS
from .experiment.warmup import WARMUP_SERIES
from .format import (
    NA,
    axis_label,
    explain_na,
    format_duration,
    format_interval,
    format_value,
    interval_bounds,
    is_number,
    kpi_info,
    label,
)
from .plan import How, Kind
from .scenario import STEPS
from .trace import PHASE, WhereTimeGoes, cause_label, end_time, late_mask

if TYPE_CHECKING:
    from .experiment.warmup import WarmupResult
    from .plan import Plan
    from .result import RunResult
    from .trace import TraceFrame

# Colour-blind-safe palette (Okabe-Ito); waiting in orange, late in vermillion everywhere.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
           "#000000")
LATE = "#D55E00"
ON_TIME = "#0072B2"
WAIT_COLOR = "#E69F00"
WARMUP_GREY = "#E5E5E5"
UNTIL = {"delivery": ("inquiry", "cycle"), "payment": ("inquiry", "cycle", "billing"),
         "all": ("inquiry", "cycle", "billing", "after-sales")}
"""How far a journey is drawn: which phases of the trace (simulator.trace.PHASE) it shows."""

WIDTH = "container"  # a chart fills its column in the dashboard; reports and files set a width
FILE_WIDTH = 760
# Fit the width, keep the height given to the plot: "fit" (Streamlit's default) would squeeze
# the plot to make room for titles and legends inside the height.
FIT_X = alt.AutoSizeParams(type="fit-x", contains="padding")


def _dur(values) -> list[str]:
    return [format_duration(v, zero="0 min", digits=2) for v in values]


def _zoom_x():
    """Zoom and pan on the time axis only (drag, mouse wheel; double click resets)."""
    return alt.selection_interval(bind="scales", encodings=["x"])


def _warmup(warmup_days: float) -> alt.Chart | None:
    if warmup_days <= 0:
        return None
    band = pd.DataFrame({"start": [0.0], "end": [float(warmup_days)],
                         "what": ["warm-up (not in the KPIs)"]})
    return alt.Chart(band).mark_rect(color=WARMUP_GREY, opacity=0.7).encode(
        x="start:Q", x2="end:Q", tooltip=[alt.Tooltip("what:N", title="")])


def _layer(*charts) -> alt.LayerChart:
    return alt.layer(*[c for c in charts if c is not None])


def _empty(text: str, title: str, top: bool = True) -> alt.Chart:
    """A chart that says in words why it has nothing to draw (``top``: not inside another)."""
    chart = alt.Chart(pd.DataFrame({"text": [text]})).mark_text(color="#666", size=13).encode(
        text="text:N").properties(title=title, width=WIDTH, height=120)
    return chart.properties(autosize=FIT_X) if top else chart


# ---------------------------------------------------------------- a run


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
        x="day:Q", strokeDash=alt.StrokeDash("what:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("what:N", title=""), alt.Tooltip("value:N", title="")])
    return _layer(bars, rules).properties(title=title, width=WIDTH, height=240,
                                          autosize=FIT_X).add_params(_zoom_x())


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


# ---------------------------------------------------------------- one order


def _records(t: pd.DataFrame) -> pd.DataFrame:
    """A trace's records with their tooltip texts."""
    out = t.copy()
    out["holder"] = out["department"].astype(str)
    out["from"] = [f"day {x:.2f}" for x in out["queued"]]
    out["to"] = [f"day {x:.2f}" for x in out["end"]]
    out["waited"] = _dur(out["wait"])
    out["worked"] = _dur(out["work"])
    out["why"] = [d or "–" for d in out["detail"]]
    return out


TOOLTIP = [alt.Tooltip("step:N"), alt.Tooltip("activity:N"), alt.Tooltip("holder:N", title="held by"),
           alt.Tooltip("from:N", title="queued"), alt.Tooltip("to:N", title="done"),
           alt.Tooltip("waited:N"), alt.Tooltip("worked:N"), alt.Tooltip("why:N", title="why")]


def order_timeline(trace: TraceFrame, until: str = "delivery") -> alt.TopLevelMixin:
    """Gantt chart of one order's journey, from inquiry ``until`` delivery, payment or all:
    one row per record, waiting light orange, working coloured by who held the order; receipt,
    due date and delivery marked. Hover a bar: step, holder, times and why it waited."""
    if until not in UNTIL:
        raise ValueError(f"until must be one of {sorted(UNTIL)}, got {until!r}")
    o = trace.order
    t = _records(trace[trace["phase"].isin(UNTIL[until])].reset_index(drop=True))
    t["row"] = [f"{i + 1:02d} {s} · {a}" for i, (s, a) in enumerate(
        zip(t["step"].astype(str), t["activity"].astype(str), strict=True))]
    t["order"] = o["id"]
    rows = t["row"].tolist()
    y = alt.Y("row:N", sort=rows, title=None, axis=alt.Axis(labelLimit=260))
    wait = alt.Chart(t[t["wait"] > 0]).mark_bar(color=WAIT_COLOR, opacity=0.45, height=14).encode(
        x=alt.X("queued:Q", title="day of the run", scale=alt.Scale(zero=False)), x2="start:Q", y=y,
        tooltip=[alt.Tooltip("order:N"), *TOOLTIP])
    work = alt.Chart(t).mark_bar(height=14).encode(
        x="start:Q", x2="end:Q", y=y,
        color=alt.Color("holder:N", title="worked on by", scale=alt.Scale(range=list(PALETTE))),
        tooltip=[alt.Tooltip("order:N"), *TOOLTIP])
    ticks = alt.Chart(t).mark_tick(thickness=2, size=14, opacity=0.8).encode(
        x="start:Q", y=y, color=alt.Color("holder:N", legend=None),
        tooltip=[alt.Tooltip("order:N"), *TOOLTIP])
    marks = pd.DataFrame([{"what": name, "day": o[name], "when": f"day {o[name]:.2f}"}
                          for name in ("received", "due", "delivered")
                          if o.get(name) is not None and np.isfinite(o[name])])
    rules = alt.Chart(marks).mark_rule(strokeWidth=1.5).encode(
        x="day:Q", stroke=alt.Stroke("what:N", title="marks", scale=alt.Scale(
            domain=["received", "due", "delivered"], range=["#777", LATE, "#000"])),
        tooltip=[alt.Tooltip("what:N", title=""), alt.Tooltip("when:N", title="")])
    late = o["late_by"]
    verdict = (f"late by {format_duration(late)}" if late is not None and np.isfinite(late)
               and late > 0 else "on time" if o["on_time"] else o["status"])
    ct = o["cycle_time"]
    cycle = f", cycle time {format_duration(ct)}" if ct is not None and np.isfinite(ct) else ""
    title = (f"Order {o['id']}: {o['quantity']} x {o['product']} for {o['customer']}{cycle} "
             f"({verdict})")
    return alt.layer(wait, work, ticks, rules).properties(
        title=title, width=WIDTH, height=max(120, 24 * len(t)), autosize=FIT_X).add_params(
        _zoom_x())


# ---------------------------------------------------------------- the war room


def lanes(result: RunResult) -> list[str]:
    """Holders in the order an order meets them: sales ... the decoupling stock, the stations
    after it, finance, the customer, after-sales departments."""
    sc = result.scenario
    out = []
    for s in STEPS:
        if s == "planning":
            continue
        if s == "fulfillment":
            plan = result.plan
            for product in sc.products:
                for region in plan.regions:
                    takes, ops = plan.order_route(product, region, 1)
                    out += [sp for sp, _, _ in takes]
                    out += [station for station, _ in ops if station is not None]
            continue
        out.append(getattr(sc.steps, s).department)
        if s == "billing":
            out.append("customer")
    return list(dict.fromkeys(out))


def war_room_orders(result: RunResult, highlight: int | None = None, start: float | None = None,
                    days: float | None = None, max_orders: int = 60) -> tuple[list[int], float, float]:
    """Which orders the wall shows: those whose inquiry arrived in [start, start + days) (at most
    ``max_orders``, every late one kept); by default the ``days``-long stretch of the measured
    window with the most late orders, ``days`` sized for about ``max_orders`` orders; around
    ``highlight`` when given. Returns (order ids, start, days)."""
    sc = result.scenario
    o = result.orders
    received = o[o["received"].notna()]
    t0, t1 = sc.warmup_days, sc.warmup_days + sc.horizon_days
    rate = max(len(received) / max(t1, 1e-9), 1e-9)
    if days is None:
        days = max(1.0, min(t1 - t0, max_orders / rate))
    late = late_mask(received, t1)
    if start is None:
        if highlight is not None:
            start = float(o.loc[int(highlight), "inquiry"]) - days / 2
        else:
            start = _busiest(received.loc[late, "inquiry"].to_numpy(), t0, t1, days)
    inside = received[(received["inquiry"] >= start) & (received["inquiry"] < start + days)]
    late_ids = set(inside.index[late.loc[inside.index]].tolist())
    ids = inside.index.tolist()
    if len(ids) > max_orders:
        keep = [i for i in ids if i in late_ids or i == highlight]
        rest = [i for i in ids if i not in keep]
        room = max(0, max_orders - len(keep))
        if room and rest:
            keep += [rest[k] for k in np.linspace(0, len(rest) - 1, room).round().astype(int)]
        ids = sorted(set(keep))
    if highlight is not None and highlight not in ids:
        ids.append(int(highlight))
    return [int(i) for i in ids], float(start), float(days)


def _busiest(times: np.ndarray, t0: float, t1: float, days: float) -> float:
    """Start of the ``days``-long window inside [t0, t1] holding the most of ``times``."""
    times = np.sort(times[(times >= t0) & (times < t1)])
    if not len(times):
        return max(t0, (t0 + t1 - days) / 2)
    counts = np.searchsorted(times, times + days) - np.arange(len(times))
    best = times[int(np.argmax(counts))]
    return float(min(max(t0, best - 0.1 * days), max(t0, t1 - days)))


def war_room_records(result: RunResult, ids, highlight: int | None = None,
                     until: str = "delivery", until_day: float | None = None) -> pd.DataFrame:
    """The wall's records: one row per order per holder visit, with its lane, its group (late,
    on time, the traced order) and tooltip texts; cut at ``until_day`` for a replay (what had
    happened by then: a record still running ends there)."""
    o = result.orders
    s = result.steps
    s = s[s["order"].isin(ids) & s["step"].astype(str).map(PHASE).isin(UNTIL[until])].copy()
    if until_day is not None:
        s = s[s["queued"] <= until_day]
        s["start"] = s["start"].clip(upper=until_day)
        s["end"] = s["end"].clip(upper=until_day)
    s["holder"] = s["resource"].astype(str)
    s["step"] = s["step"].astype(str)
    s["activity"] = s["activity"].astype(str)
    late_ids = set(o.index[late_mask(o, end_time(result))])
    s["group"] = ["traced order" if i == highlight else "late" if i in late_ids else "on time"
                  for i in s["order"]]
    s["from"] = [f"day {x:.2f}" for x in s["queued"]]
    s["to"] = [f"day {x:.2f}" for x in s["end"]]
    s["waited"] = _dur(s["start"] - s["queued"])
    s["worked"] = _dur(s["end"] - s["start"])
    s["why"] = [cause_label(str(r), h) if r != "none" else "–"
                for r, h in zip(s["reason"].astype(str), s["holder"], strict=True)]
    return s.reset_index(drop=True)


def war_room(result: RunResult, highlight: int | None = None, start: float | None = None,
             days: float | None = None, max_orders: int = 60, until: str = "delivery",
             until_day: float | None = None) -> alt.TopLevelMixin:
    """The war-room wall: who held which order when, one swimlane per holder (departments,
    stock points, stations, the customer) in the order an order meets them; each order a line
    through the lanes, thin and dashed while it waits, thick while it is worked on; late orders
    in red, ``highlight`` in black. ``until_day`` replays the wall up to that day. Hover a
    segment: order, step, holder, times and why it waited."""
    if until not in UNTIL:
        raise ValueError(f"until must be one of {sorted(UNTIL)}, got {until!r}")
    ids, start, days = war_room_orders(result, highlight, start, days, max_orders)
    s = war_room_records(result, ids, highlight, until, until_day)
    order_lanes = lanes(result)
    used = [n for n in order_lanes if n in set(s["holder"])]
    used += sorted(set(s["holder"]) - set(used))
    lane_no = {n: i for i, n in enumerate(used)}
    # Orders spread within a lane (golden-ratio offsets) so that parallel lines stay apart.
    rank = {oid: k for k, oid in enumerate(sorted(set(s["order"])))}
    s["y"] = [lane_no[h] + ((rank[i] * 0.618) % 1 - 0.5) * 0.6
              for h, i in zip(s["holder"], s["order"], strict=True)]
    groups = ["on time", "late", "traced order"]
    colour = alt.Color("group:N", title=None, scale=alt.Scale(
        domain=groups, range=["#8C8C8C", LATE, "#000000"]), legend=alt.Legend(orient="bottom"))
    labels = "[" + ",".join(repr(n) for n in used) + "][datum.value]"
    lane_scale = alt.Scale(domain=[-0.5, len(used) - 0.5], nice=False, zero=False, reverse=True)
    lane_axis = alt.Axis(values=list(range(len(used))), labelExpr=labels, grid=False,
                         labelLimit=200)
    y = alt.Y("y:Q", title=None, scale=lane_scale, axis=lane_axis)
    x = alt.X("queued:Q", title="day of the run")
    tip = [alt.Tooltip("order:N"), alt.Tooltip("group:N", title="order is"), *TOOLTIP]
    # The path: each record from its queueing to its end, in time order, per order.
    path = pd.concat([s.assign(t=s["queued"], k=2 * s.index), s.assign(t=s["end"], k=2 * s.index + 1)])
    path = path.sort_values(["order", "k"])
    line = alt.Chart(path).mark_line(strokeWidth=0.8, opacity=0.6).encode(
        x=alt.X("t:Q", title="day of the run"), y=y, detail="order:N", color=colour, order="k:Q",
        tooltip=tip)
    waits = alt.Chart(s[s["start"] > s["queued"]]).mark_rule(strokeDash=[3, 2], strokeWidth=1.6).encode(
        x=x, x2="start:Q", y=y, color=colour, tooltip=tip)
    works = alt.Chart(s[s["end"] > s["start"]]).mark_rule(strokeWidth=4.5, strokeCap="butt").encode(
        x="start:Q", x2="end:Q", y=y, color=colour, tooltip=tip)
    stripes = alt.Chart(pd.DataFrame({"lo": [i - 0.5 for i in range(0, len(used), 2)],
                                      "hi": [i + 0.5 for i in range(0, len(used), 2)]})).mark_rect(
        color="#F2F2F2", tooltip=False).encode(
        y=alt.Y("lo:Q", title=None, scale=lane_scale, axis=lane_axis), y2="hi:Q")
    late_n = int((s.drop_duplicates("order")["group"] == "late").sum())
    title = (f"War room: {len(ids)} orders whose inquiry arrived on days {start:.0f} to "
             f"{start + days:.0f}; {late_n} late")
    if until_day is not None:
        title += f"; as it stood on day {until_day:.1f}"
    chart = alt.layer(stripes, line, waits, works).properties(
        title=alt.Title(title, subtitle="dashed: waiting, thick: worked on; hover for the order, "
                        "step, holder and why it waited; drag or scroll to zoom"),
        width=WIDTH, height=40 + 34 * max(len(used), 1), autosize=FIT_X)
    return chart.add_params(_zoom_x())


# ---------------------------------------------------------------- where time goes


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


# ---------------------------------------------------------------- the network


def decoupling_stock_points(plan: Plan) -> set[str]:
    """The stock points orders take from: the decoupling points of this plan."""
    out: set[str] = set()
    for product in plan.scenario.products:
        for region in plan.regions:
            out |= {sp for sp, _, _ in plan.order_route(product, region, 1)[0]}
    return out


def _q(name: str) -> str:
    """A DOT string: quoted, with line breaks as DOT writes them."""
    return '"' + str(name).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def network_diagram(plan: Plan) -> str:
    """The network as a Graphviz (DOT) diagram, for ``st.graphviz_chart`` (drawn in the browser)
    or the ``dot`` program: each site a box holding its work centres and stock points, lanes
    between sites and to the customers' regions, the material flow inside a site (inputs' stock
    point -> work centre -> output's stock point), and the decoupling stock points marked."""
    codp = decoupling_stock_points(plan)
    lines = ["digraph network {", '  rankdir=LR; compound=true; newrank=true;',
             '  node [fontname="Helvetica", fontsize=10]; edge [fontname="Helvetica", fontsize=9];',
             '  graph [fontname="Helvetica", fontsize=11];']
    for name, site in plan.network.sites.items():
        if site.kind == "supplier":
            lines.append(f"  {_q(name)} [shape=box, style=\"rounded,dashed\", "
                         f"label={_q(name + chr(10) + '(supplier)')}];")
            continue
        lines.append(f"  subgraph {_q('cluster_' + name)} {{ label={_q(f'{name} ({site.kind})')};"
                     ' style="rounded"; color="#888888";')
        lines.append(f"    {_q('site:' + name)} [shape=point, style=invis];")
        for st in plan.stations.values():
            if st.kind == Kind.WORK_CENTER and st.site == name:
                servers = "unlimited" if st.servers is None else f"{st.servers} server(s)"
                lines.append(f"    {_q(st.name)} [shape=box, style=filled, fillcolor=\"#DCEBF7\", "
                             f"label={_q(st.name + chr(10) + servers)}];")
        for sp in plan.stock_points.values():
            if sp.site != name:
                continue
            if sp.name in codp:
                style = ('style="filled,bold", fillcolor="#F9D9B0", penwidth=2.5, color="#D55E00", '
                         f"label={_q(sp.name + chr(10) + 'decoupling point')}")
            elif sp.active:
                style = f'style=filled, fillcolor="#EEEEEE", label={_q(sp.name + chr(10) + "stocked")}'
            else:
                style = (f'style=dashed, color="#999999", fontcolor="#777777", '
                         f"label={_q(sp.name + chr(10) + 'not stocked')}")
            lines.append(f"    {_q(sp.name)} [shape=cylinder, {style}];")
        lines.append("  }")
    flows = set()
    for (site, item), source in plan.sources.items():
        out_sp = plan.holder.get((site, item))
        if source.how == How.MAKE and source.station:
            for inp, _ in source.inputs:
                in_sp = plan.holder.get((site, inp))
                if in_sp:
                    flows.add((in_sp, source.station))
            if out_sp:
                flows.add((source.station, out_sp))
        elif source.how == How.BUY and out_sp and source.source in plan.network.sites:
            flows.add((source.source, out_sp))
    lines += [f"  {_q(a)} -> {_q(b)} [color=\"#666666\"];" for a, b in sorted(flows)]
    for region in plan.regions.values():
        lines.append(f"  {_q('region:' + region.name)} [shape=house, style=filled, "
                     f'fillcolor="#FFFFFF", label={_q(region.name + chr(10) + "(customers)")}];')
    for name, lane in plan.network.lanes.items():
        src, dst = lane.source, lane.to
        a = _q("site:" + src) if src in plan.network.sites and plan.network.sites[src].kind != \
            "supplier" else _q(src)
        b = _q("region:" + dst) if dst in plan.regions else (
            _q("site:" + dst) if dst in plan.network.sites
            and plan.network.sites[dst].kind != "supplier" else _q(dst))
        ends = "".join([f", ltail={_q('cluster_' + src)}" if a.startswith('"site:') else "",
                        f", lhead={_q('cluster_' + dst)}" if b.startswith('"site:') else ""])
        lines.append(f"  {a} -> {b} [label={_q(name)}, style=bold, color=\"#0072B2\"{ends}];")
    lines.append("}")
    return "\n".join(lines)


# ---------------------------------------------------------------- files


def sized(chart: alt.TopLevelMixin, width: int = FILE_WIDTH) -> alt.TopLevelMixin:
    """The chart with a fixed width in pixels: a file or a report has no container to fill."""
    spec = chart.to_dict()

    def fix(node):
        if isinstance(node, dict):
            return {k: (width if k == "width" and v == WIDTH else fix(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [fix(v) for v in node]
        return node

    return type(chart).from_dict(fix(spec))


FILE_FORMATS = (".png", ".svg", ".pdf", ".html")


def save(chart: alt.TopLevelMixin, path: str | Path) -> Path:
    """Write the chart to ``path``: PNG, SVG or PDF drawn by vl-convert (no browser, no network),
    or an HTML page with Vega's JavaScript inlined (opens offline)."""
    path = Path(path)
    if path.suffix.lower() not in FILE_FORMATS:
        raise ValueError(f"a chart is saved as {', '.join(FILE_FORMATS)}; got {path.name!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    chart = sized(chart)
    if path.suffix.lower() == ".png":
        chart.save(path, scale_factor=1.5)
    elif path.suffix.lower() == ".html":
        chart.save(path, inline=True)
    else:
        chart.save(path)
    return path


# ---------------------------------------------------------------- experiments
# Every interval is the 95% Student t interval over replications (the optimisation's: its
# confidence), kept inside the KPI's range by simulator.format.interval_bounds: a count or a
# share never shows a negative lower end.

STRATEGY_LABELS = {"mts": "MTS (finished goods)", "ato": "ATO (components)",
                   "mto": "MTO (raw material)", "eto": "ETO (no stock)"}
WARNED = "#c0392b"  # what marks an alternative or a cell whose runs were overloaded


def _is_share(name: str) -> bool:
    k = kpi_info(name)
    return k is not None and k.unit == "share"


def _kpi_axis(name: str, title: str | None = None, values=None) -> dict:
    """Axis title and number format from the KPI registry: shares in %, large money (from 10,000
    among ``values``) as 2.7M."""
    k = kpi_info(name)
    large = values is not None and np.nanmax(np.abs(np.asarray(values, dtype=float)),
                                             initial=0) >= 10_000
    fmt = "%" if k is not None and k.unit == "share" else \
        "~s" if k is not None and k.unit == "money" and large else alt.Undefined
    return {"title": title or axis_label(name), "axis": alt.Axis(format=fmt)}


def _bounds(name: str, mean, half_width) -> tuple[float, float]:
    if not is_number(mean):
        return float("nan"), float("nan")
    return interval_bounds(name, float(mean), half_width)


def _flags(warnings: pd.DataFrame | None, by: Sequence[str]) -> dict:
    """Per alternative or cell (a value, or a tuple for several ``by`` columns) of a
    ``warning_table``: its first unstable code (overload, backlog), else its first code."""
    out: dict = {}
    if warnings is None:
        return out
    for _, row in warnings.iterrows():
        key = row[by[0]] if len(by) == 1 else tuple(row[c] for c in by)
        if key not in out or (row["code"] in UNSTABLE and out[key] not in UNSTABLE):
            out[key] = row["code"]
    return out


def _title(title: str | None, note: str) -> alt.Title:
    return alt.Title(title or note, subtitle=note if title else alt.Undefined)


def comparison_chart(summary: pd.DataFrame, kpis: Sequence[str] | None = None,
                     title: str | None = None, warnings: pd.DataFrame | None = None
                     ) -> alt.TopLevelMixin:
    """One panel per KPI: each alternative's mean with its 95% interval; each alternative's
    label carries its paired difference to the first (Δ, * when its interval excludes 0) and
    its warning (⚠). Hover a point: the interval and the difference in the KPI's unit.

    ``summary`` is :attr:`Comparison.summary`; ``warnings`` :attr:`Comparison.warnings`."""
    flags = _flags(warnings, ["alternative"])
    kpis = [k for k in (kpis or MAIN_KPIS) if k in set(summary["kpi"])]
    alternatives = list(dict.fromkeys(summary["alternative"]))
    colour = alt.Color("alternative:N", scale=alt.Scale(domain=alternatives, range=list(PALETTE)),
                       legend=None)
    panels = []
    for kpi in kpis:
        rows = summary[summary["kpi"] == kpi].set_index("alternative").reindex(alternatives)
        df = pd.DataFrame({"alternative": alternatives})
        df["mean"] = rows["mean"].to_numpy(dtype=float)
        df["lo"], df["hi"] = zip(*[_bounds(kpi, m, h) for m, h in
                                   zip(rows["mean"], rows["half_width"], strict=True)], strict=True)
        df["value"] = [format_interval(kpi, m, h) if is_number(m) else explain_na(kpi)
                       for m, h in zip(rows["mean"], rows["half_width"], strict=True)]
        diffs, labels = [], []
        for a, r in rows.iterrows():
            name = f"{a} ⚠ {flags[a]}" if a in flags else str(a)
            if a != alternatives[0] and is_number(r.get("diff")):
                significant = abs(r["diff"]) > np.nan_to_num(r["diff_half_width"])
                d = format_interval(kpi, r["diff"], r["diff_half_width"], signed=True) + \
                    (" *" if significant else "")
                name += f"  Δ {d}"
            else:
                d = "baseline" if a == alternatives[0] else NA
            diffs.append(d)
            labels.append(name)
        df["difference"] = diffs
        df["label"] = labels
        df["warning"] = [flags.get(a, "none") for a in alternatives]
        y = alt.Y("label:N", sort=labels, title=None, axis=alt.Axis(labelLimit=320))
        tip = [alt.Tooltip("alternative:N"), alt.Tooltip("value:N", title=label(kpi)),
               alt.Tooltip("difference:N", title=f"Δ vs {alternatives[0]}"),
               alt.Tooltip("warning:N")]
        x = alt.X("mean:Q", scale=alt.Scale(zero=False), **_kpi_axis(kpi, values=df["hi"]))
        bars = alt.Chart(df).mark_rule(strokeWidth=3).encode(x="lo:Q", x2="hi:Q", y=y,
                                                             color=colour, tooltip=tip)
        points = alt.Chart(df).mark_point(filled=True, size=60).encode(x=x, y=y, color=colour,
                                                                       tooltip=tip)
        # An undefined mean says so where its point would be.
        undefined = alt.Chart(df[~np.isfinite(df["mean"])]).mark_text(
            align="left", color="#777", fontSize=10).encode(
            x=alt.value(4), y=y, text=alt.value("undefined (hover for why)"), tooltip=tip)
        panels.append(alt.layer(bars, points, undefined).properties(
            title=axis_label(kpi), width=WIDTH, height=26 * len(alternatives) + 20))
    note = (f"mean ± 95% CI; Δ = paired difference vs {alternatives[0] if alternatives else ''} "
            "(* its interval excludes 0)" + ("; ⚠ = its runs had warnings" if flags else ""))
    if not panels:
        return _empty("no KPI to show", title or "Comparison")
    return alt.vconcat(*panels).properties(title=_title(title, note), autosize=FIT_X)


def _sweep_frame(summary: pd.DataFrame, kpi: str, flags: dict) -> pd.DataFrame:
    rows = summary[summary["kpi"] == kpi].copy()
    rows["decoupling point"] = [STRATEGY_LABELS.get(s, s) for s in rows["strategy"]]
    rows["lo"], rows["hi"] = (zip(*[_bounds(kpi, m, h) for m, h in
                                    zip(rows["mean"], rows["half_width"], strict=True)],
                                  strict=True) if len(rows) else ([], []))
    rows["value"] = [format_interval(kpi, m, h) if is_number(m) else explain_na(kpi)
                     for m, h in zip(rows["mean"], rows["half_width"], strict=True)]
    rows["ratio"] = [f"{r:g}" for r in rows["pd"]]
    rows["D"] = [format_duration(d) for d in rows["demand_lead_time"]] \
        if "demand_lead_time" in rows else ""
    rows["warning"] = [flags.get((s, r), "none") for s, r in zip(rows["strategy"], rows["pd"],
                                                                 strict=True)]
    rows["overloaded"] = [w in UNSTABLE for w in rows["warning"]]
    return rows.drop(columns=[c for c in ("warnings",) if c in rows])


def _strategy_colour(strategies: Sequence[str]) -> alt.Color:
    names = [STRATEGY_LABELS.get(s, s) for s in STRATEGY_ORDER if s in set(strategies)]
    return alt.Color("decoupling point:N", scale=alt.Scale(
        domain=names, range=[PALETTE[STRATEGY_ORDER.index(s)] for s in STRATEGY_ORDER
                             if s in set(strategies)]), legend=alt.Legend(orient="bottom"))


def kpi_vs_pd(summary: pd.DataFrame, kpis: Sequence[str] = SWEEP_KPIS,
              target_otif: float | None = None, title: str | None = None,
              warnings: pd.DataFrame | None = None) -> alt.TopLevelMixin:
    """One panel per KPI against P:D (log scale), one line per decoupling point with its 95%
    band; cells whose runs were overloaded are ringed in red (their numbers depend on the run
    length). ``summary`` is a sweep summary; ``warnings`` :attr:`SweepResult.warnings`."""
    flags = _flags(warnings, ["strategy", "pd"])
    kpis = [k for k in kpis if k in set(summary["kpi"])]
    colour = _strategy_colour(summary["strategy"])
    panels = []
    for kpi in kpis:
        df = _sweep_frame(summary, kpi, flags)
        x = alt.X("pd:Q", scale=alt.Scale(type="log", base=2), title="P:D",
                  axis=alt.Axis(values=sorted(set(df["pd"])), format="~g"))
        tip = [alt.Tooltip("decoupling point:N"), alt.Tooltip("ratio:N", title="P:D"), alt.Tooltip("D:N"),
               alt.Tooltip("value:N", title=label(kpi)), alt.Tooltip("warning:N")]
        band = alt.Chart(df).mark_area(opacity=0.18).encode(x=x, y="lo:Q", y2="hi:Q",
                                                             color=colour, tooltip=tip)
        line = alt.Chart(df).mark_line(point=True).encode(
            x=x, y=alt.Y("mean:Q", **_kpi_axis(kpi, label(kpi), df["hi"])), color=colour,
            tooltip=tip)
        ring = alt.Chart(df[df["overloaded"]]).mark_point(size=220, color=WARNED,
                                                          strokeWidth=2).encode(
            x=x, y="mean:Q", tooltip=tip)
        layers = [band, line, ring]
        if kpi == "otif" and target_otif is not None:
            layers.append(alt.Chart(pd.DataFrame({"target": [target_otif],
                                                  "what": ["OTIF target"]})).mark_rule(
                color="#666", strokeDash=[4, 3]).encode(
                y="target:Q", tooltip=[alt.Tooltip("what:N", title=""),
                                       alt.Tooltip("target:Q", format=".1%", title="")]))
        panels.append(alt.layer(*layers).properties(title=axis_label(kpi), width=WIDTH,
                                                    height=170))
    note = "bands: 95% confidence intervals; red ring: overloaded (queues grow without bound)"
    if not panels:
        return _empty("no KPI to show", title or "KPIs against P:D")
    return alt.vconcat(*panels).properties(title=_title(title, note), autosize=FIT_X)


def _short(kpi: str, mean: float, half_width: float) -> str:
    """A heatmap cell's short text: the mean and ± its half-width (thousands as k)."""
    if not is_number(mean):
        return NA
    if _is_share(kpi) or abs(mean) < 1000:  # a clipped interval's bounds on a second line
        return format_interval(kpi, mean, half_width).replace(" (", "\n(")
    hw = f" ±{half_width / 1000:,.1f}k" if is_number(half_width) else ""
    return f"{mean / 1000:,.{1 if abs(mean) < 100_000 else 0}f}k{hw}"


def sweep_heatmap(summary: pd.DataFrame, kpi: str = "otif", title: str | None = None,
                  warnings: pd.DataFrame | None = None) -> alt.TopLevelMixin:
    """Decoupling points (rows) x P:D (columns), coloured by the KPI's mean, each cell labelled
    mean ± half-width; a cell whose runs had warnings is framed (red: overloaded) and names
    its warning when hovered."""
    flags = _flags(warnings, ["strategy", "pd"])
    df = _sweep_frame(summary, kpi, flags)
    df["text"] = [_short(kpi, m, h) + (" ⚠" if w != "none" else "")
                  for m, h, w in zip(df["mean"], df["half_width"], df["warning"], strict=True)]
    df["frame"] = ["overloaded" if o else "warning" if w != "none" else "none"
                   for o, w in zip(df["overloaded"], df["warning"], strict=True)]
    df["column"] = [f"{r} (D {d})" for r, d in zip(df["ratio"], df["D"], strict=True)]
    ratios = list(dict.fromkeys(df.sort_values("pd")["column"]))
    rows = [STRATEGY_LABELS.get(s, s) for s in STRATEGY_ORDER if s in set(df["strategy"])]
    x = alt.X("column:O", sort=ratios, title="P:D", axis=alt.Axis(labelAngle=0))
    y = alt.Y("decoupling point:N", sort=rows, title=None)
    tip = [alt.Tooltip("decoupling point:N"), alt.Tooltip("ratio:N", title="P:D"), alt.Tooltip("D:N"),
           alt.Tooltip("value:N", title=label(kpi)), alt.Tooltip("warning:N")]
    scheme = alt.Scale(scheme="viridis", domain=[0, 1]) if _is_share(kpi) else \
        alt.Scale(scheme="magma", reverse=True)
    legend = alt.Legend(format="%" if _is_share(kpi) else "~s", orient="right")
    cells = alt.Chart(df).mark_rect().encode(
        x=x, y=y, color=alt.Color("mean:Q", scale=scheme, title=axis_label(kpi), legend=legend),
        stroke=alt.Stroke("frame:N", scale=alt.Scale(domain=["none", "warning", "overloaded"],
                                                     range=["transparent", "orange", WARNED]),
                          legend=None),
        strokeWidth=alt.value(3), tooltip=tip)
    # Text in white on the dark half of the colour scale.
    finite = df["mean"].dropna()
    middle = (finite.min() + finite.max()) / 2 if len(finite) else 0
    dark_low = _is_share(kpi)
    df["ink"] = ["black" if not is_number(m) else ("white" if (m < middle) == dark_low else "black")
                 for m in df["mean"]]
    texts = [alt.Chart(df[df["ink"] == ink]).mark_text(fontSize=11, color=ink, lineBreak="\n").encode(
        x=x, y=y, text="text:N", tooltip=tip) for ink in ("black", "white")]
    return alt.layer(cells, *texts).properties(
        title=title or f"{axis_label(kpi)} by decoupling point and P:D (mean ± 95% CI)",
        width=WIDTH, height=46 * max(len(rows), 1), autosize=FIT_X)


def trade_off(summary: pd.DataFrame, target_otif: float | None = None,
              costs: Sequence[str] = ("cost_total", "inventory_value_mean"),
              title: str | None = None, warnings: pd.DataFrame | None = None
              ) -> alt.TopLevelMixin:
    """Service against what it costs: one panel per ``costs`` KPI against OTIF, one point per
    sweep cell with its 95% intervals both ways, a colour per decoupling point, labelled by its
    P:D; overloaded cells ringed. The cheapest cells at a given OTIF lie low and to the right."""
    flags = _flags(warnings, ["strategy", "pd"])
    costs = [c for c in costs if c in set(summary["kpi"])]
    otif = _sweep_frame(summary, "otif", flags).set_index(["strategy", "pd"])
    colour = _strategy_colour(summary["strategy"])
    panels = []
    for cost in costs:
        c = _sweep_frame(summary, cost, flags).set_index(["strategy", "pd"])
        df = otif[["decoupling point", "ratio", "D", "warning", "overloaded", "mean", "lo", "hi",
                   "value"]].merge(c[["mean", "lo", "hi", "value"]], left_index=True,
                                   right_index=True, suffixes=("", "_cost")).reset_index()
        df = df[np.isfinite(df["mean"].astype(float)) & np.isfinite(df["mean_cost"].astype(float))]
        df = df.sort_values(["strategy", "pd"])
        x = alt.X("mean:Q", scale=alt.Scale(zero=False), **_kpi_axis("otif"))
        y = alt.Y("mean_cost:Q", scale=alt.Scale(zero=False), **_kpi_axis(cost, values=df["hi_cost"]))
        tip = [alt.Tooltip("decoupling point:N"), alt.Tooltip("ratio:N", title="P:D"), alt.Tooltip("D:N"),
               alt.Tooltip("value:N", title="OTIF"), alt.Tooltip("value_cost:N", title=label(cost)),
               alt.Tooltip("warning:N")]
        base = alt.Chart(df)
        layers = [
            base.mark_line(opacity=0.5, strokeWidth=1).encode(x=x, y=y, color=colour,
                                                              order="pd:Q", tooltip=tip),
            base.mark_rule().encode(x="lo:Q", x2="hi:Q", y="mean_cost:Q", color=colour, tooltip=tip),
            base.mark_rule().encode(x="mean:Q", y="lo_cost:Q", y2="hi_cost:Q", color=colour,
                                    tooltip=tip),
            base.mark_point(filled=True, size=50).encode(x=x, y=y, color=colour, tooltip=tip),
            base.mark_text(dx=7, dy=-7, fontSize=9, color="#555").encode(x=x, y=y, text="ratio:N"),
            alt.Chart(df[df["overloaded"]]).mark_point(size=220, color=WARNED, strokeWidth=2).encode(
                x=x, y=y, tooltip=tip)]
        if target_otif is not None:
            layers.append(alt.Chart(pd.DataFrame({"target": [target_otif],
                                                  "what": ["OTIF target"]})).mark_rule(
                color="#666", strokeDash=[4, 3]).encode(
                x="target:Q", tooltip=[alt.Tooltip("what:N", title=""),
                                       alt.Tooltip("target:Q", format=".1%", title="")]))
        panels.append(alt.layer(*layers).properties(title=f"{label(cost)} against OTIF",
                                                    width=WIDTH, height=260))
    note = "labels: P:D; bars: 95% CI; dashed: OTIF target; red ring: overloaded"
    if not panels:
        return _empty("no cost KPI to show", title or "Service against cost")
    return alt.vconcat(*panels).properties(title=_title(title, note), autosize=FIT_X)


def welch_plot(result: WarmupResult, title: str | None = None) -> alt.TopLevelMixin:
    """One panel per daily series: the mean over replications, Welch's moving average, the
    MSER-5 truncation point (shaded before it) and the scenario's own warm-up."""
    panels = []
    for kpi in result.truncation["kpi"]:
        s = result.series[result.series["kpi"] == kpi]
        cut = result.truncation.set_index("kpi").loc[kpi]
        long = pd.concat([
            pd.DataFrame({"day": s["day"], "value": s["mean"], "series": "daily mean"}),
            pd.DataFrame({"day": s["day"], "value": s["welch"],
                          "series": f"Welch moving average (w={result.window})"})])
        lines = alt.Chart(long).mark_line().encode(
            x=alt.X("day:Q", title="day (from an empty, idle start)"),
            y=alt.Y("value:Q", title=kpi.replace("_", " ")),
            color=alt.Color("series:N", title=None, scale=alt.Scale(range=["#BBBBBB", PALETTE[0]]),
                            legend=alt.Legend(orient="bottom")),
            tooltip=[alt.Tooltip("series:N"), alt.Tooltip("day:Q", format=".0f"),
                     alt.Tooltip("value:Q", format=",.3~f")])
        marks = [{"day": float(cut["truncation_day"]), "what": "MSER-5 truncation"
                  + ("" if cut["settled"] else " (not settled)")}]
        if result.scenario_warmup_days > 0:
            marks.append({"day": float(result.scenario_warmup_days), "what": "scenario warm-up"})
        rules = alt.Chart(pd.DataFrame(marks)).mark_rule(strokeWidth=1.5).encode(
            x="day:Q", strokeDash=alt.StrokeDash("what:N", title=None,
                                                 legend=alt.Legend(orient="bottom")),
            tooltip=[alt.Tooltip("what:N", title=""), alt.Tooltip("day:Q", format=".0f")])
        shade = alt.Chart(pd.DataFrame({"a": [0.0], "b": [float(cut["truncation_day"])]})).mark_rect(
            color=PALETTE[1], opacity=0.12, tooltip=False).encode(x="a:Q", x2="b:Q")
        panels.append(alt.layer(shade, lines, rules).properties(
            title=WARMUP_SERIES.get(kpi, kpi), width=WIDTH, height=150))
    head = title or (f"Warm-up: {result.reps} replications; recommended warm-up "
                     f"{result.recommended_days:g} days")
    if not panels:
        return _empty("no series", head)
    return alt.vconcat(*panels).properties(title=head, autosize=FIT_X)


EVENT_PANELS = (("otif_rolling", "Rolling OTIF (orders due in the last 7 days)"),
                ("backlog", "Backlog (orders open)"),
                ("backorders", "Backorders at the decoupling stock (units)"))


def event_bands(frame: pd.DataFrame, by: str = "alternative", title: str = ""
                ) -> alt.TopLevelMixin:
    """KPIs over time around a disruption, by days since the event's start: rolling OTIF,
    backlog and backorders; each ``by`` group's replications as a band (lowest to highest)
    around their mean; the event's span shaded. ``frame``:
    :func:`simulator.experiment.around_events_frame`."""
    head = title or "KPIs around the event"
    if not len(frame):
        return _empty("no disruption in the window", head)
    groups = list(dict.fromkeys(frame[by]))
    runs = frame.groupby(by)["replication"].nunique()
    colour = alt.Color("group:N", title=None, scale=alt.Scale(
        domain=[f"{g} ({runs[g]} runs)" for g in groups], range=list(PALETTE)),
        legend=alt.Legend(orient="bottom"))
    span = float(frame["duration"].max()) if frame["duration"].notna().any() else None
    panels = []
    for i, (col, text) in enumerate(EVENT_PANELS):
        g = frame.groupby([by, "since_start"])[col].agg(["min", "max", "mean"]).reset_index()
        g["group"] = [f"{a} ({runs[a]} runs)" for a in g[by]]
        fmt = ".1%" if col == "otif_rolling" else ",.1f"
        tip = [alt.Tooltip("group:N", title=by), alt.Tooltip("since_start:Q", format=".0f",
                                                              title="days since the start"),
               alt.Tooltip("mean:Q", format=fmt, title="mean"),
               alt.Tooltip("min:Q", format=fmt, title="lowest run"),
               alt.Tooltip("max:Q", format=fmt, title="highest run")]
        last = i == len(EVENT_PANELS) - 1
        x = alt.X("since_start:Q", title="days since the event's start (band: lowest to highest "
                  "replication)" if last else None)
        y_axis = {"format": "%"} if col == "otif_rolling" else {}
        scale = alt.Scale(domain=[0, 1]) if col == "otif_rolling" else alt.Undefined
        layers = []
        if span is not None:
            layers.append(alt.Chart(pd.DataFrame({"a": [0.0], "b": [span], "what": ["the event"]}))
                          .mark_rect(color="#DDDDDD", opacity=0.7).encode(
                x="a:Q", x2="b:Q", tooltip=[alt.Tooltip("what:N", title="")]))
        layers += [
            alt.Chart(g).mark_area(opacity=0.2).encode(x=x, y="min:Q", y2="max:Q", color=colour,
                                                       tooltip=tip),
            alt.Chart(g).mark_line().encode(
                x=x, y=alt.Y("mean:Q", title=text.split(" (")[0], scale=scale,
                             axis=alt.Axis(**y_axis)), color=colour, tooltip=tip)]
        panels.append(alt.layer(*layers).properties(title=text, width=WIDTH, height=150))
    return alt.vconcat(*panels).properties(title=head, autosize=FIT_X)


def _values_only(design: str) -> str:
    """'decoupling_point=mts, departments.sales.staff=2' -> 'mts, 2'."""
    return ", ".join(part.split("=", 1)[-1] for part in design.split(", "))


OPT_STATUS_COLOURS = {"selected": PALETTE[0], "front": PALETTE[0], "contender": PALETTE[5],
                      "eliminated": "#888888", "dominated": "#888888", "infeasible": "#BBBBBB",
                      "unclear": "#BBBBBB", "failed": LATE, "overloaded": LATE}


def optimization_chart(designs: pd.DataFrame, objectives: Sequence[str],
                       title: str | None = None) -> alt.TopLevelMixin:
    """What an optimisation found. Two objectives: every design's means coloured by status,
    the Pareto front joined by a line with each mean's confidence interval on both axes. One
    objective: the mean and interval of every candidate, the selected one in colour. Hover a
    design: its values, replications, status and intervals.

    ``designs`` is :attr:`~simulator.experiment.optimize.Optimization.designs`."""
    shown = designs[designs["status"] != "not a candidate"].copy()
    if not len(shown):
        return _empty("no design evaluated", title or "Optimisation")
    shown["values"] = [_values_only(str(d)) for d in shown["design"]]
    for kpi in objectives:
        shown[f"{kpi}_lo"], shown[f"{kpi}_hi"] = zip(*[
            _bounds(kpi, m, h) for m, h in zip(shown[f"{kpi}_mean"], shown[f"{kpi}_half_width"],
                                               strict=True)], strict=True)
        shown[f"{kpi}_text"] = [format_interval(kpi, m, h) if is_number(m) else explain_na(kpi)
                                for m, h in zip(shown[f"{kpi}_mean"],
                                                shown[f"{kpi}_half_width"], strict=True)]
    shown = shown[[c for c in shown.columns if c not in ("runs",)]]
    used = [s for s in OPT_STATUS_COLOURS if s in set(shown["status"])]
    colour = alt.Color("status:N", scale=alt.Scale(domain=used, range=[OPT_STATUS_COLOURS[s]
                                                                       for s in used]),
                       legend=alt.Legend(orient="bottom"))
    tip = [alt.Tooltip("design:N"), alt.Tooltip("status:N"), alt.Tooltip("n:Q", title="replications"),
           *[alt.Tooltip(f"{k}_text:N", title=label(k)) for k in objectives],
           alt.Tooltip("feasibility:N")]
    paths = ", ".join(part.split("=", 1)[0] for part in str(shown["design"].iloc[0]).split(", "))
    keep = ["design", "values", "status", "n", "feasibility",
            *[f"{k}_{s}" for k in objectives for s in ("mean", "lo", "hi", "text")]]
    shown = shown[[c for c in keep if c in shown.columns]]
    if "feasibility" not in shown:
        shown["feasibility"] = ""
    if len(objectives) == 2:
        xk, yk = objectives
        ok = shown[np.isfinite(shown[f"{xk}_mean"].astype(float))
                   & np.isfinite(shown[f"{yk}_mean"].astype(float))]
        x = alt.X(f"{xk}_mean:Q", scale=alt.Scale(zero=False),
                  **_kpi_axis(xk, values=ok[f"{xk}_hi"]))
        y = alt.Y(f"{yk}_mean:Q", scale=alt.Scale(zero=False),
                  **_kpi_axis(yk, values=ok[f"{yk}_hi"]))
        front = ok[ok["status"] == "front"].sort_values(f"{xk}_mean")
        layers = [
            alt.Chart(ok).mark_point(filled=True, size=40).encode(x=x, y=y, color=colour, tooltip=tip),
            alt.Chart(front).mark_line(color=PALETTE[0]).encode(x=x, y=y, order=f"{xk}_mean:Q",
                                                               tooltip=tip),
            alt.Chart(front).mark_rule(color=PALETTE[0]).encode(
                x=f"{xk}_lo:Q", x2=f"{xk}_hi:Q", y=y, tooltip=tip),
            alt.Chart(front).mark_rule(color=PALETTE[0]).encode(
                x=x, y=f"{yk}_lo:Q", y2=f"{yk}_hi:Q", tooltip=tip),
            alt.Chart(front).mark_text(dx=6, dy=-8, fontSize=9, align="left").encode(
                x=x, y=y, text="values:N")]
        chart = alt.layer(*layers).properties(width=WIDTH, height=320)
        note = f"Pareto front (mean ± CI) joined; labels: {paths}"
    else:
        kpi = objectives[0]
        order = shown["design"].tolist()
        yy = alt.Y("design:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))
        chart = alt.layer(
            alt.Chart(shown).mark_rule(strokeWidth=3).encode(
                x=f"{kpi}_lo:Q", x2=f"{kpi}_hi:Q", y=yy, color=colour, tooltip=tip),
            alt.Chart(shown).mark_point(filled=True, size=60).encode(
                x=alt.X(f"{kpi}_mean:Q", scale=alt.Scale(zero=False),
                        **_kpi_axis(kpi, f"{axis_label(kpi)}: mean ± CI", shown[f"{kpi}_hi"])),
                y=yy, color=colour, tooltip=tip)).properties(
            width=WIDTH, height=22 * len(shown) + 20)
        note = "each candidate's mean ± CI, coloured by status"
    return chart.properties(title=_title(title, note), autosize=FIT_X)
