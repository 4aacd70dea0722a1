"""Charts of orders: one order's Gantt chart and the war-room wall (who held which
order when), with its replay."""

from __future__ import annotations

from typing import TYPE_CHECKING

import altair as alt
import numpy as np
import pandas as pd

from ..format import format_duration
from ..scenario import STEPS
from ..trace import PHASE, cause_label, end_time, late_mask
from .base import FIT_X, LATE, PALETTE, UNTIL, WAIT_COLOR, WIDTH, _dur, _zoom_x, chart_definition

# ---------------------------------------------------------------- one order

if TYPE_CHECKING:
    from ..result import RunResult
    from ..trace import TraceFrame


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


@chart_definition
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


@chart_definition
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
    if until_day is not None:  # its own line: the replay's clock
        title = [title, f"as it stood on day {until_day:.1f}"]
    chart = alt.layer(stripes, line, waits, works).properties(
        title=alt.Title(title, subtitle="dashed: waiting, thick: worked on; hover for the order, "
                        "step, holder and why it waited; drag or scroll to zoom"),
        width=WIDTH, height=40 + 34 * max(len(used), 1), autosize=FIT_X)
    return chart.add_params(_zoom_x())
