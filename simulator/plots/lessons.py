"""Figures of the teaching notebooks: simulated estimates with confidence intervals against theory.

The lessons compare the simulator with textbook closed forms (queueing formulas, Poisson base
stock, the square-root law). :func:`sim_vs_theory` draws that comparison for any of them from two
tidy tables, so every notebook shows simulation and theory the same way: simulated means as
markers with their 95% confidence intervals as error bars, theory as lines in the same colour.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .style import PALETTE, new_figure


def sim_vs_theory(
    sim: pd.DataFrame,
    theory: pd.DataFrame | None = None,
    *,
    x: str,
    kpis: Sequence[str] | str,
    group: str | None = None,
    xlabel: str,
    ylabels: Mapping[str, str] | None = None,
    title: str | None = None,
    reference: Mapping[str, tuple[float, str]] | None = None,
    vline: tuple[float, str] | None = None,
    logy: bool | Sequence[str] = False,
    confidence: float = 0.95,
    dodge: float = 0.0,
    width: float = 7.0,
):
    """Simulated means with confidence intervals (markers, error bars) and theory (lines).

    ``sim`` is long: one row per (``x``, ``group``, ``kpi``) with columns ``mean`` and
    ``half_width`` (the half-width of the ``confidence`` interval; NaN draws no bar), as
    :func:`simulator.experiment.summarize` gives per cell. ``theory`` is long too, with columns
    ``x``, ``group`` (optional), ``kpi`` and ``value``; a theory group with the name of a simulated
    group gets its colour, any other (say "square-root law") a colour of its own and a dashed
    line. One panel per KPI in ``kpis``, stacked; ``ylabels`` maps a KPI to its axis label (with
    units), ``reference`` to a horizontal line ``(value, label)`` such as a target; ``vline`` is
    a vertical line ``(x, label)`` on every panel (an optimum, a threshold); ``logy``
    (True or a list of KPIs) puts panels on a log scale. ``dodge`` shifts the markers of the
    i-th simulated group by ``(i - (groups - 1) / 2) * dodge`` along x, so groups with equal
    values do not hide one another (the theory lines stay where they are).
    """
    names = [kpis] if isinstance(kpis, str) else list(kpis)
    if not names:
        raise ValueError("sim_vs_theory: name at least one KPI in kpis")
    required = [(sim, {x, "kpi", "mean", "half_width"} | ({group} if group else set()), "sim")]
    if theory is not None:
        required.append((theory, {x, "kpi", "value"}, "theory"))
    for table, needed, name in required:
        missing = needed - set(table.columns)
        if missing:
            raise ValueError(f"sim_vs_theory: {name} lacks columns {sorted(missing)}")
    ylabels = dict(ylabels or {})
    reference = dict(reference or {})
    log_kpis = set(names) if logy is True else set(logy or ())

    sim_groups = list(pd.unique(sim[group])) if group else [None]
    colours = {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(sim_groups)}
    theory_groups = (list(pd.unique(theory[group])) if theory is not None and group
                     and group in theory.columns else [None])
    for g in theory_groups:
        if g not in colours:
            colours[g] = PALETTE[len(colours) % len(PALETTE)]

    fig, axes = new_figure(width=width, height=2.9 * len(names) + 0.4, nrows=len(names),
                           sharex=True, squeeze=False)
    axes = axes[:, 0]
    pct = f"{confidence:.0%}"
    for ax, kpi in zip(axes, names, strict=True):
        if theory is not None:
            t = theory[theory["kpi"] == kpi]
            for g in theory_groups:
                rows = t if g is None else t[t[group] == g]
                if rows.empty:
                    continue
                rows = rows.sort_values(x)
                dashed = g not in sim_groups
                label = "theory" if g is None else f"{g} (theory)" if not dashed else str(g)
                ax.plot(rows[x], rows["value"], color=colours[g], lw=1.6,
                        ls="--" if dashed else "-", label=label, zorder=2)
        s = sim[sim["kpi"] == kpi]
        for i, g in enumerate(sim_groups):
            rows = s if g is None else s[s[group] == g]
            if rows.empty:
                continue
            rows = rows.sort_values(x)
            hw = rows["half_width"].to_numpy(dtype=float)
            label = f"simulated, {pct} CI" if g is None else f"{g} (simulated, {pct} CI)"
            shift = (i - (len(sim_groups) - 1) / 2) * dodge
            ax.errorbar(rows[x].to_numpy(dtype=float) + shift, rows["mean"],
                        yerr=np.where(np.isfinite(hw), hw, 0.0), fmt="o", ms=5, capsize=3,
                        color=colours[g], mec="white", mew=0.6, label=label, zorder=3)
        if kpi in reference:
            value, text = reference[kpi]
            ax.axhline(value, color="0.35", ls=":", lw=1.4, label=text, zorder=1)
        if vline is not None:
            ax.axvline(vline[0], color="0.25", ls="-.", lw=1.2, label=vline[1], zorder=1)
        if kpi in log_kpis:
            ax.set_yscale("log")
        ax.set_ylabel(ylabels.get(kpi, kpi))
        ax.grid(alpha=0.3)
        ax.legend(frameon=False, fontsize="small")
    axes[-1].set_xlabel(xlabel)
    if title:
        axes[0].set_title(title)
    return fig
