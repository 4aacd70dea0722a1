"""KPIs over time around a disruption: rolling OTIF, backlog and backorders by days since the
event's start, each alternative's replications as a band (lowest to highest) around their mean."""

from __future__ import annotations

from typing import TYPE_CHECKING

from matplotlib.ticker import PercentFormatter

from .style import PALETTE, new_figure

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

PANELS = (("otif_rolling", "Rolling OTIF (orders due in the last 7 days)"),
          ("backlog", "Backlog (orders open)"),
          ("backorders", "Backorders at the decoupling stock (units)"))


def event_bands(frame: pd.DataFrame, by: str = "alternative", title: str = "") -> Figure:
    """``frame``: :func:`simulator.experiment.events.around_events_frame`. The event's span is
    shaded; a band is the range over the replications, the line their mean."""
    fig, axes = new_figure(8.0, 7.5, nrows=len(PANELS), sharex=True)
    groups = list(dict.fromkeys(frame[by])) if len(frame) else []
    for ax, (col, label) in zip(axes, PANELS, strict=True):
        for i, name in enumerate(groups):
            g = frame[frame[by] == name].groupby("since_start")[col]
            lo, hi, mean = g.min(), g.max(), g.mean()
            colour = PALETTE[i % len(PALETTE)]
            n = frame.loc[frame[by] == name, "replication"].nunique()
            ax.fill_between(lo.index, lo.to_numpy(), hi.to_numpy(), color=colour, alpha=0.2,
                            linewidth=0)
            ax.plot(mean.index, mean.to_numpy(), color=colour, label=f"{name} ({n} runs)")
        if len(frame) and frame["duration"].notna().any():
            ax.axvspan(0, float(frame["duration"].max()), color="0.85", zorder=0,
                       label="the event")
        ax.set_ylabel(label, fontsize=8)
        if col == "otif_rolling":
            ax.yaxis.set_major_formatter(PercentFormatter(1.0))
            ax.set_ylim(-0.02, 1.02)
    axes[0].legend(fontsize=8, loc="lower left")
    axes[-1].set_xlabel("days since the event's start (band: lowest to highest replication)")
    fig.suptitle(title or "KPIs around the event")
    if not groups:
        axes[0].text(0.5, 0.5, "no disruption in the window", transform=axes[0].transAxes,
                     ha="center")
    return fig
