"""Figures of one run: cycle time, fill rate, backorders and stock over time."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .style import LATE, ON_TIME, PALETTE, new_figure, shade_warmup

if TYPE_CHECKING:
    from ..result import RunResult


def cycle_time_distribution(result: RunResult, bins: int = 40):
    """Histogram of cycle times (receipt to delivery) of delivered orders, with mean, p95 and
    the mean demand lead time D."""
    sc = result.scenario
    o = result.orders
    d = o[(o["status"] == "delivered") & (o["inquiry"] >= sc.warmup_days)]
    ct = (d["delivered"] - d["received"]).to_numpy()
    late = (d["delivered"] > d["due"] + 1e-9).to_numpy()
    fig, ax = new_figure()
    if len(ct):
        edges = np.histogram_bin_edges(ct, bins=bins)
        ax.hist([ct[~late], ct[late]], bins=edges, stacked=True, color=[ON_TIME, LATE],
                label=["on time", "late"])
        k = result.kpis
        ax.axvline(k["cycle_time_mean"], color="k", lw=1.5, label=f"mean {k['cycle_time_mean']:.2f} d")
        ax.axvline(k["cycle_time_p95"], color="k", ls="--", lw=1,
                   label=f"p95 {k['cycle_time_p95']:.2f} d")
        ax.axvline(sc.mean_demand_lead_time, color=PALETTE[2], ls=":", lw=2,
                   label=f"mean D {sc.mean_demand_lead_time:.1f} d")
        ax.legend(frameon=False)
    else:  # nothing delivered in the window (every order lost, or an overloaded chain)
        ax.text(0.5, 0.5, "no order delivered in the window", ha="center", va="center",
                transform=ax.transAxes, color="0.4")
    ax.set_xlabel("cycle time, receipt to delivery (days)")
    ax.set_ylabel("orders")
    ax.set_title(f"Cycle time distribution ({len(ct)} delivered orders)")
    return fig


def fill_rate_over_time(result: RunResult, window_days: int = 28):
    """Unit fill rate at the decoupling buffer per week, and its rolling mean."""
    sc = result.scenario
    o = result.orders
    d = o[o["units_requested"] > 0]
    fig, ax = new_figure(height=3.2)
    shade_warmup(ax, sc.warmup_days)
    if len(d):
        week = (d["inquiry"] // 7).astype(int)
        g = d.groupby(week)[["units_from_stock", "units_requested"]].sum()
        rate = g["units_from_stock"] / g["units_requested"]
        ax.step(g.index * 7 + 7, rate, where="pre", color=PALETTE[0], lw=1, label="weekly")
        roll = (g["units_from_stock"].rolling(window_days // 7, min_periods=1).sum()
                / g["units_requested"].rolling(window_days // 7, min_periods=1).sum())
        ax.plot(g.index * 7 + 7, roll, color=PALETTE[1], lw=2, label=f"rolling {window_days} d")
        ax.axhline(sc.steps.planning.service_target, color="0.4", ls=":",
                   label="planning service target")
    else:
        ax.text(0.5, 0.5, "no decoupling stock (engineer-to-order)", ha="center",
                transform=ax.transAxes)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("day")
    ax.set_ylabel("unit fill rate")
    ax.set_title(f"Fill rate at the decoupling point ({sc.codp})")
    ax.legend(frameon=False, loc="lower right")
    return fig


def levels_over_time(result: RunResult):
    """Daily backordered units at the decoupling buffer, on-hand stock per buffer, and WIP."""
    sc = result.scenario
    ts = result.timeseries
    fig, axes = new_figure(height=5.5, nrows=2, sharex=True)
    top, bottom = axes
    shade_warmup(top, sc.warmup_days)
    shade_warmup(bottom, sc.warmup_days)
    top.plot(ts["day"], ts["backorders"], color=LATE, lw=1.2, label="backordered units")
    top.plot(ts["day"], ts["wip"], color=PALETTE[4], lw=1.2, label="orders in progress (WIP)")
    top.set_ylabel("units / orders")
    top.set_title("Backorders at the decoupling point and work in progress")
    top.legend(frameon=False, loc="upper left")
    for i, col in enumerate(c for c in ts.columns if c.startswith("on_hand_")):
        bottom.plot(ts["day"], ts[col], color=PALETTE[i], lw=1.2,
                    label=col.removeprefix("on_hand_").replace("_", " "))
    bottom.set_ylabel("units on hand")
    bottom.set_xlabel("day")
    bottom.set_title("Inventory by buffer (end of day)")
    if any(c.startswith("on_hand_") for c in ts.columns):
        bottom.legend(frameon=False, loc="upper left")
    return fig


def run_overview(result: RunResult):
    """The three run figures, for a report: cycle time, fill rate, levels."""
    return [cycle_time_distribution(result), fill_rate_over_time(result), levels_over_time(result)]
