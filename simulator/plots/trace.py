"""Figures that staple you to an order: one order's timeline, the war room, where time goes.

- :func:`order_timeline`: a Gantt chart of one order (``result.trace(id)``): one row per step and
  sub-step, waiting hatched and working solid, coloured by who held the order; receipt, due date
  and delivery marked.
- :func:`war_room`: the wall chart of Shapiro, Rangan and Sviokla's "war rooms": departments,
  stages and buffers as swimlanes, each order a line crossing between them over time (thin
  while it waits, thick while it is worked on), late orders highlighted.
- :func:`time_breakdown`: mean waiting vs working per step and per holder, and the top delay
  causes (``result.where_time_goes()``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..scenario import STEPS
from ..trace import PHASE, WhereTimeGoes, format_duration
from .style import LATE, ON_TIME, new_figure

if TYPE_CHECKING:
    from ..result import RunResult
    from ..trace import TraceFrame

WAIT_COLOR = "#E69F00"
WORK_COLOR = ON_TIME
KIND_COLOR = {"buffer": "#999999", "customer": "#000000"}
# Holders' colours: Okabe-Ito without the waiting (orange) and late (vermillion) colours.
HOLDER_COLORS = ("#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#7B3294", "#8C6D31", "#4D9221",
                 "#B2182B")
UNTIL = {"delivery": ("inquiry", "cycle"), "payment": ("inquiry", "cycle", "billing"),
         "all": ("inquiry", "cycle", "billing", "after-sales")}


def _holder_colors(holders, kinds) -> dict[str, str]:
    out, i = {}, 0
    for h, k in zip(holders, kinds, strict=True):
        if h in out:
            continue
        if k in KIND_COLOR:
            out[h] = KIND_COLOR[k]
        else:
            out[h] = HOLDER_COLORS[i % len(HOLDER_COLORS)]
            i += 1
    return out


def order_timeline(trace: TraceFrame, until: str = "delivery"):
    """Gantt chart of one order's journey, from inquiry ``until`` delivery, payment or all."""
    if until not in UNTIL:
        raise ValueError(f"until must be one of {sorted(UNTIL)}, got {until!r}")
    o = trace.order
    t = trace[trace["phase"].isin(UNTIL[until])]
    n = len(t)
    fig, ax = new_figure(width=9.5, height=1.6 + 0.38 * max(n, 1))
    colors = _holder_colors(t["department"], t["kind"])
    y = np.arange(n)[::-1]
    for yi, r in zip(y, t.itertuples(index=False), strict=True):
        c = colors[r.department]
        if r.wait > 0:
            ax.barh(yi, r.wait, left=r.queued, height=0.6, color=WAIT_COLOR, alpha=0.35,
                    hatch="///", edgecolor=WAIT_COLOR, lw=0.5)
        if r.work > 0:
            ax.barh(yi, r.work, left=r.start, height=0.6, color=c, edgecolor=c)
        if r.wait <= 0 and r.work <= 0:
            ax.plot(r.start, yi, marker="D", color=c, ms=5)
        note = []
        if r.wait > 0:
            note.append(f"wait {_short(r.wait)}")
        if r.work > 0:
            note.append(f"work {_short(r.work)}")
        if r.reason not in ("none",):
            note.append(str(r.reason))
        ax.annotate("  " + " · ".join(note), (r.end, yi), va="center", fontsize=7.5,
                    color="0.25")
    labels = [f"{r.step} · {r.activity}\n({r.department})" if r.activity != r.department
              else f"{r.step} · {r.activity}" for r in t.itertuples(index=False)]
    ax.set_yticks(y, labels, fontsize=8)
    marks = [("received", o["received"], "0.3", ":"), ("due", o["due"], LATE, "--"),
             ("delivered", o["delivered"], "k", "-")]
    for name, x, c, ls in marks:
        if x is not None and np.isfinite(x):
            ax.axvline(x, color=c, ls=ls, lw=1)
            ax.annotate(f" {name}", (x, 1.0), xycoords=("data", "axes fraction"), rotation=90,
                        va="top", ha="left", fontsize=8, color=c)
    ax.set_xlabel("day of the run")
    late = o["late_by"]
    verdict = (f"late by {_short(late)}" if late is not None and np.isfinite(late) and late > 0
               else "on time" if o["on_time"] else o["status"])
    ct = o["cycle_time"]
    cycle = f", cycle time {_short(ct)}" if ct is not None and np.isfinite(ct) else ""
    ax.set_title(f"Order {o['id']}: {o['quantity']} x {o['product']} for {o['customer']}"
                 f"{cycle} ({verdict})", fontsize=10)
    handles = [Patch(facecolor=WAIT_COLOR, alpha=0.35, hatch="///", edgecolor=WAIT_COLOR,
                     label="waiting")]
    handles += [Patch(color=c, label=f"working: {h}") for h, c in colors.items()
                if (t.loc[t["department"] == h, "work"] > 0).any()]
    ax.legend(handles=handles, frameon=False, fontsize=7.5, loc="upper left",
              bbox_to_anchor=(1.0, 1.0))
    ax.margins(x=0.12)
    return fig


def lanes(result: RunResult) -> list[str]:
    """Holders in the order an order meets them: sales ... the decoupling buffer, the stages
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


def war_room(result: RunResult, highlight: int | None = None, start: float | None = None,
             days: float | None = None, max_orders: int = 60, until: str = "delivery"):
    """The war-room wall: each order a line through the swimlanes of who held it.

    Orders whose inquiry arrived in [start, start + days) are drawn (at most ``max_orders``,
    all late ones kept); by default the ``days``-long stretch of the measured window with the
    most late orders, ``days`` sized for about ``max_orders`` orders. ``highlight`` (an order
    id) is drawn in bold and its stretch is shown."""
    if until not in UNTIL:
        raise ValueError(f"until must be one of {sorted(UNTIL)}, got {until!r}")
    sc = result.scenario
    o = result.orders
    received = o[o["received"].notna()]
    t0, t1 = sc.warmup_days, sc.warmup_days + sc.horizon_days
    rate = max(len(received) / max(t1, 1e-9), 1e-9)
    if days is None:
        days = max(1.0, min(t1 - t0, max_orders / rate))
    late_mask = (received["delivered"] > received["due"] + 1e-9) | (
        (received["status"] == "open") & (received["due"] < t1))
    if start is None:
        if highlight is not None:
            start = float(o.loc[int(highlight), "inquiry"]) - days / 2
        else:
            start = _busiest(received.loc[late_mask, "inquiry"].to_numpy(), t0, t1, days)
    inside = received[(received["inquiry"] >= start) & (received["inquiry"] < start + days)]
    late_ids = set(inside.index[late_mask.loc[inside.index]].tolist())
    ids = inside.index.to_numpy()
    if len(ids) > max_orders:
        keep = [i for i in ids if i in late_ids or i == highlight]
        rest = [i for i in ids if i not in keep]
        room = max(0, max_orders - len(keep))
        if room and rest:
            keep += [rest[k] for k in np.linspace(0, len(rest) - 1, room).round().astype(int)]
        ids = np.array(sorted(set(keep)))
    if highlight is not None and highlight not in set(ids.tolist()):
        ids = np.append(ids, int(highlight))

    lane_names = lanes(result)
    s = result.steps
    s = s[s["order"].isin(ids) & s["step"].astype(str).map(PHASE).isin(UNTIL[until])]
    used = [name for name in lane_names if name in set(s["resource"].astype(str))]
    used += sorted(set(s["resource"].astype(str)) - set(used))
    row = {name: len(used) - 1 - i for i, name in enumerate(used)}

    fig, ax = new_figure(width=11, height=1.2 + 0.55 * max(len(used), 1))
    for yi in row.values():
        if yi % 2 == 0:
            ax.axhspan(yi - 0.5, yi + 0.5, color="0.95", zorder=0)
    groups = {"late": ([], [], []), "on time": ([], [], []), "traced": ([], [], [])}
    ends = {"late": [], "on time": [], "traced": []}
    delivered = set(o.index[o["status"] == "delivered"].tolist())
    for k, (oid, rec) in enumerate(s.groupby("order", sort=True)):
        group = "traced" if oid == highlight else ("late" if oid in late_ids else "on time")
        waits, works, moves = groups[group]
        off = ((k * 0.618) % 1 - 0.5) * 0.6  # spread orders within a lane
        prev = None
        for r in rec.itertuples(index=False):
            yi = row[str(r.resource)] + off
            if prev is not None and prev[1] != yi:
                moves.append([(prev[0], prev[1]), (r.queued, yi)])
            if r.start > r.queued:
                waits.append([(r.queued, yi), (r.start, yi)])
            if r.end > r.start:
                works.append([(r.start, yi), (r.end, yi)])
            prev = (r.end, yi)
        if prev is not None and oid in delivered:
            ends[group].append(prev)
    style = {"on time": ("0.55", 0.55, 1.0), "late": (LATE, 0.9, 1.4), "traced": ("k", 1.0, 2.0)}
    for group, (waits, works, moves) in groups.items():
        color, alpha, lw = style[group]
        z = 3 if group == "on time" else 4 if group == "late" else 5
        ax.add_collection(LineCollection(moves, colors=color, alpha=alpha * 0.6, lw=lw * 0.6,
                                         zorder=z))
        ax.add_collection(LineCollection(waits, colors=color, alpha=alpha, lw=lw * 0.8,
                                         linestyles=(0, (2, 2)), zorder=z))
        ax.add_collection(LineCollection(works, colors=color, alpha=alpha, lw=lw * 3.2,
                                         capstyle="butt", zorder=z))
        if ends[group]:
            x, yy = zip(*ends[group], strict=True)
            ax.scatter(x, yy, s=10 * lw, color=color, alpha=alpha, zorder=z, marker="o")
    ax.set_yticks(list(row.values()), [f"{n}" for n in row], fontsize=8.5)
    ax.set_ylim(-0.6, len(used) - 0.4)
    ax.autoscale(axis="x")
    ax.margins(x=0.01)
    ax.set_xlabel("day of the run")
    n_late = len(late_ids & set(ids.tolist()))
    ax.set_title(f"War room: {len(ids)} orders whose inquiry arrived on days {start:.0f} to "
                 f"{start + days:.0f}; {n_late} late (red). Dashed: waiting, thick: worked on, "
                 f"dot: delivered", fontsize=9.5)
    handles = [Line2D([], [], color="0.55", lw=3, label="on time"),
               Line2D([], [], color=LATE, lw=3, label="late")]
    if highlight is not None:
        handles.append(Line2D([], [], color="k", lw=4, label=f"order {highlight}"))
    ax.legend(handles=handles, frameon=False, fontsize=8, loc="upper left",
              bbox_to_anchor=(1.0, 1.0))
    return fig


def _busiest(times: np.ndarray, t0: float, t1: float, days: float) -> float:
    """Start of the ``days``-long window inside [t0, t1] holding the most of ``times``."""
    times = np.sort(times[(times >= t0) & (times < t1)])
    if not len(times):
        return max(t0, (t0 + t1 - days) / 2)
    counts = np.searchsorted(times, times + days) - np.arange(len(times))
    best = times[int(np.argmax(counts))]
    return float(min(max(t0, best - 0.1 * days), max(t0, t1 - days)))


def time_breakdown(where: WhereTimeGoes | RunResult, top: int = 8):
    """Mean waiting vs working per step and per holder, and the top delay causes."""
    if not isinstance(where, WhereTimeGoes):
        where = where.where_time_goes()
    fig, axes = new_figure(width=8, height=8.5, nrows=3)
    scope = "cycle time" if where.scope == "cycle" else "order-to-cash time"
    fig.legend(handles=[Patch(color=WORK_COLOR, label="working"),
                        Patch(facecolor=WAIT_COLOR, alpha=0.6, hatch="///", edgecolor=WAIT_COLOR,
                              label="waiting")],
               loc="outside upper center", ncols=2, frameon=False, fontsize=8.5)
    for ax, df, key, title in (
            (axes[0], where.by_step, "step",
             f"Mean {scope} {_short(where.mean_time)} over {where.orders} orders, per step"),
            (axes[1], where.by_department.head(10), "department",
             "Per holder: who owns the order, for how long")):
        d = df.iloc[::-1]
        ylab = d[key].astype(str).tolist()
        ax.barh(ylab, d["working"], color=WORK_COLOR, label="working")
        ax.barh(ylab, d["waiting"], left=d["working"], color=WAIT_COLOR, alpha=0.6,
                hatch="///", edgecolor=WAIT_COLOR, label="waiting")
        for yi, (w, x) in enumerate(zip(d["waiting"], d["working"], strict=True)):
            ax.annotate(f" {_short(w + x)}", (w + x, yi), va="center", fontsize=8)
        ax.set_title(title, fontsize=9.5)
        ax.set_xlabel("days per order")
        ax.set_xlim(0, max(float(d["total"].max()) if len(d) else 0, 1e-6) * 1.2)
    ax = axes[2]
    c = where.causes.head(top).iloc[::-1]
    if len(c):
        ax.barh(c["cause"], c["per_order"], color=LATE, alpha=0.8)
        for yi, (v, n) in enumerate(zip(c["per_order"], c["orders_hit"], strict=True)):
            ax.annotate(f" {_short(v)} ({n} orders hit)", (v, yi), va="center", fontsize=8)
        ax.set_xlim(0, max(float(c["per_order"].max()), 1e-6) * 1.45)
    else:
        ax.text(0.5, 0.5, "no order waited", ha="center", transform=ax.transAxes)
    ax.set_title("Top delay causes (mean delay per order)", fontsize=9.5)
    ax.set_xlabel("days per order")
    return fig


def _short(days: float) -> str:
    return format_duration(days, zero="0 min", digits=1)

