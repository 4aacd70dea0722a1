"""Figures of experiments: KPIs against P:D per decoupling point, heatmaps of a sweep, a
comparison of alternatives with confidence intervals, the Welch plot of a warm-up analysis and
what an optimisation found (its Pareto front).
Every interval drawn is the 95% Student t interval over replications."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.patches import Rectangle
from matplotlib.ticker import EngFormatter, FixedLocator, NullLocator, PercentFormatter

from ..experiment.compare import MAIN_KPIS
from ..experiment.runwarnings import UNSTABLE
from ..experiment.sweep import STRATEGY_ORDER, SWEEP_KPIS
from ..experiment.warmup import WARMUP_SERIES
from ..format import axis_label, format_interval, interval_bounds, kpi_info
from .style import PALETTE, new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..experiment.warmup import WarmupResult

STRATEGY_COLOURS = {s: PALETTE[i] for i, s in enumerate(STRATEGY_ORDER)}
STRATEGY_LABELS = {"mts": "MTS (finished goods)", "ato": "ATO (components)",
                   "mto": "MTO (raw material)", "eto": "ETO (no stock)"}


def _is_share(name: str) -> bool:
    k = kpi_info(name)
    return k is not None and k.unit == "share"


WARNED = "#c0392b"  # what marks an alternative or cell whose runs had warnings


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


def _pd_axis(ax, ratios: Sequence[float]) -> None:
    ratios = sorted(r for r in set(ratios) if np.isfinite(r) and r > 0)
    if len(ratios) > 1 and ratios[-1] / ratios[0] >= 4:
        ax.set_xscale("log", base=2)
    ax.xaxis.set_major_locator(FixedLocator(ratios))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticklabels([f"{r:g}" for r in ratios])
    ax.set_xlabel("P:D (production lead time / demand lead time)")


def kpi_vs_pd(summary: pd.DataFrame, kpis: Sequence[str] = SWEEP_KPIS,
              target_otif: float | None = None, title: str | None = None,
              warnings: pd.DataFrame | None = None) -> Figure:
    """One panel per KPI against P:D, one line per decoupling point, with 95% CI bands; cells
    whose runs had an overload or backlog warning are ringed (their numbers depend on the run
    length).

    ``summary`` is a sweep summary (strategy, pd, kpi, mean, half_width); ``warnings`` its
    :attr:`SweepResult.warnings`."""
    flags = _flags(warnings, ["strategy", "pd"])
    unstable = {cell for cell, code in flags.items() if code in UNSTABLE}
    kpis = [k for k in kpis if k in set(summary["kpi"])]
    ncols = min(3, len(kpis) + 1)
    nrows = math.ceil((len(kpis) + 1) / ncols)
    fig, axes = new_figure(4.0 * ncols, 3.2 * nrows, nrows=nrows, ncols=ncols, squeeze=False)
    flat = list(axes.ravel())
    strategies = [s for s in STRATEGY_ORDER if s in set(summary["strategy"])]
    for ax, kpi in zip(flat, kpis, strict=False):
        rows = summary[summary["kpi"] == kpi]
        for s in strategies:
            line = rows[rows["strategy"] == s].sort_values("pd")
            x, m = line["pd"].to_numpy(), line["mean"].to_numpy(dtype=float)
            hw = np.nan_to_num(line["half_width"].to_numpy(dtype=float))
            colour = STRATEGY_COLOURS[s]
            ax.plot(x, m, marker="o", ms=4, lw=1.8, color=colour, label=STRATEGY_LABELS[s])
            # The band stays inside the KPI's range (no negative stock, no OTIF above 100%).
            lo, hi = np.array([interval_bounds(kpi, a, b) for a, b in zip(m, hw, strict=True)]
                              ).reshape(-1, 2).T
            ax.fill_between(x, lo, hi, color=colour, alpha=0.18, lw=0)
            ring = np.array([(s, r) in unstable for r in x], dtype=bool)
            if ring.any():
                ax.plot(x[ring], m[ring], ls="none", marker="o", ms=11, mfc="none", mew=1.6,
                        color=WARNED, label="overloaded: queues grow without bound")
        if _is_share(kpi):
            ax.set_ylim(-0.02, 1.02)
            ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        elif np.nanmax(np.abs(rows["mean"].to_numpy(dtype=float)), initial=0) >= 10_000:
            ax.yaxis.set_major_formatter(EngFormatter(sep=""))  # 2.7M, not 1e6 offsets
        if kpi == "otif" and target_otif is not None:
            ax.axhline(target_otif, color="0.3", ls="--", lw=1)
            ax.annotate(f"target {target_otif:g}", (0.02, target_otif), color="0.3",
                        xycoords=("axes fraction", "data"), va="bottom", fontsize=8)
        ax.axvline(1.0, color="0.6", ls=":", lw=1)
        _pd_axis(ax, rows["pd"])
        ax.set_title(axis_label(kpi), fontsize=10)
        ax.grid(alpha=0.3)
    legend_ax = flat[len(kpis)]
    labelled = {}
    for ax in flat[:len(kpis)]:  # a panel may have no ringed point: gather every label once
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            labelled.setdefault(label, handle)
    legend_ax.legend(list(labelled.values()), list(labelled), title="decoupling point",
                     frameon=False, loc="upper center")
    legend_ax.text(0.5, 0.08, "bands: 95% confidence interval\ndotted line: D = P\n"
                   "gaps: undefined (e.g. every order lost)",
                   ha="center", transform=legend_ax.transAxes, fontsize=8, color="0.3")
    for ax in flat[len(kpis):]:
        ax.set_axis_off()
    if title:
        fig.suptitle(title)
    return fig


def sweep_heatmap(summary: pd.DataFrame, kpi: str = "otif", title: str | None = None,
                  warnings: pd.DataFrame | None = None) -> Figure:
    """Decoupling points (rows) x P:D (columns), coloured by the KPI's mean, each cell labelled
    mean ± half-width; a cell whose runs had warnings (``warnings``: the sweep's
    :attr:`SweepResult.warnings`) is framed and names its warning (red: overloaded)."""
    flags = _flags(warnings, ["strategy", "pd"])
    rows = summary[summary["kpi"] == kpi]
    strategies = [s for s in STRATEGY_ORDER if s in set(rows["strategy"])]
    ratios = sorted(rows["pd"].unique())
    mean = rows.pivot_table(index="strategy", columns="pd", values="mean", dropna=False)
    hw = rows.pivot_table(index="strategy", columns="pd", values="half_width", dropna=False)
    mean = mean.reindex(index=strategies, columns=ratios)
    hw = hw.reindex(index=strategies, columns=ratios)
    dlt = rows.groupby("pd")["demand_lead_time"].first().reindex(ratios)
    fig, ax = new_figure(1.3 * len(ratios) + 2.5, 0.8 * len(strategies) + 1.6)
    values = mean.to_numpy(dtype=float)
    cmap = "viridis" if _is_share(kpi) else "magma_r"
    kwargs = {"vmin": 0, "vmax": 1} if _is_share(kpi) else {}
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, aspect="auto", **kwargs)
    finite = values[np.isfinite(values)]
    middle = (finite.min() + finite.max()) / 2 if len(finite) else 0
    light = (lambda v: v < middle) if cmap == "viridis" else (lambda v: v > middle)
    for i in range(len(strategies)):
        for j in range(len(ratios)):
            v, h = values[i, j], hw.to_numpy(dtype=float)[i, j]
            text = "n/a" if not np.isfinite(v) else _short(kpi, v, h)
            code = flags.get((strategies[i], ratios[j]))
            if code is not None:
                text += f"\n⚠ {code}"
                ax.add_patch(Rectangle((j - 0.47, i - 0.47), 0.94, 0.94, fill=False, lw=2.5,
                                       edgecolor=WARNED if code in UNSTABLE else "orange"))
            ax.text(j, i, text, ha="center", va="center", fontsize=8,
                    color="white" if np.isfinite(v) and light(v) else "black")
    ax.set_xticks(range(len(ratios)))
    ax.set_xticklabels([f"{r:g}\nD={d:.1f} d" for r, d in zip(ratios, dlt, strict=True)])
    ax.set_yticks(range(len(strategies)))
    ax.set_yticklabels([STRATEGY_LABELS[s] for s in strategies])
    ax.set_xlabel("P:D")
    bar = fig.colorbar(image, ax=ax, label=axis_label(kpi))
    if _is_share(kpi):
        bar.ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_title(title or f"{axis_label(kpi)} by decoupling point and P:D (mean ± 95% CI)",
                 fontsize=10)
    return fig


def trade_off(summary: pd.DataFrame, target_otif: float | None = None,
              costs: Sequence[str] = ("cost_total", "inventory_value_mean"),
              title: str | None = None, warnings: pd.DataFrame | None = None) -> Figure:
    """Service against what it costs: one panel per ``costs`` KPI (total cost, inventory value)
    against OTIF, one point per sweep cell with its 95% intervals both ways, one colour per
    decoupling point, each point named by its P:D; cells whose runs were overloaded are ringed.
    The cheapest cells at a given OTIF lie low and to the right."""
    flags = _flags(warnings, ["strategy", "pd"])
    by = summary.set_index(["strategy", "pd", "kpi"])
    costs = [c for c in costs if c in set(summary["kpi"])]
    fig, axes = new_figure(4.6 * len(costs) + 1.6, 3.8, ncols=len(costs), squeeze=False)
    strategies = [s for s in STRATEGY_ORDER if s in set(summary["strategy"])]
    ratios = sorted(summary["pd"].unique())
    for ax, cost in zip(axes.ravel(), costs, strict=True):
        for s in strategies:
            xs, ys = [], []
            for r in ratios:
                if (s, r, "otif") not in by.index or (s, r, cost) not in by.index:
                    continue
                x, xh = by.loc[(s, r, "otif"), ["mean", "half_width"]]
                y, yh = by.loc[(s, r, cost), ["mean", "half_width"]]
                if not (np.isfinite(x) and np.isfinite(y)):
                    continue
                (xl, xu), (yl, yu) = interval_bounds("otif", x, xh), interval_bounds(cost, y, yh)
                ax.errorbar(x, y, xerr=[[x - xl], [xu - x]], yerr=[[y - yl], [yu - y]], fmt="o",
                            ms=5, color=STRATEGY_COLOURS[s], capsize=2, lw=1)
                ax.annotate(f" {r:g}", (x, y), fontsize=7, color="0.3")
                if flags.get((s, r)) in UNSTABLE:
                    ax.plot(x, y, ls="none", marker="o", ms=12, mfc="none", mew=1.6,
                            color=WARNED)
                xs.append(x)
                ys.append(y)
            ax.plot(xs, ys, color=STRATEGY_COLOURS[s], lw=0.8, alpha=0.5,
                    label=STRATEGY_LABELS[s])
        if target_otif is not None:
            ax.axvline(target_otif, color="0.3", ls="--", lw=1)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))
        if np.nanmax(np.abs(summary.loc[summary["kpi"] == cost, "mean"].to_numpy(dtype=float)),
                     initial=0) >= 10_000:
            ax.yaxis.set_major_formatter(EngFormatter(sep=""))
        ax.set_xlabel(axis_label("otif"))
        ax.set_ylabel(axis_label(cost))
        ax.set_title(f"{axis_label(cost)} against OTIF", fontsize=10)
        ax.grid(alpha=0.3)
    axes.ravel()[-1].legend(title="decoupling point", frameon=False, fontsize=8,
                            loc="upper left", bbox_to_anchor=(1.0, 1.0))
    note = "points: P:D; bars: 95% CI; dashed: OTIF target; red ring: overloaded"
    fig.suptitle(f"{title}\n{note}" if title else note, fontsize=10)
    return fig


def _short(kpi: str, mean: float, half_width: float) -> str:
    """A heatmap cell's two short lines: the mean and ± its half-width (thousands as k)."""
    if _is_share(kpi):
        return format_interval(kpi, mean, half_width).replace(" ± ", "\n±").replace(" (", "\n(")
    if abs(mean) >= 1000:
        digits = 1 if abs(mean) < 100_000 else 0
        return (f"{mean / 1000:,.{digits}f}k\n±{half_width / 1000:,.1f}k"
                if np.isfinite(half_width) else f"{mean / 1000:,.{digits}f}k")
    digits = 2 if abs(mean) < 10 else 1
    return f"{mean:.{digits}f}\n±{half_width:.{digits}f}" if np.isfinite(half_width) \
        else f"{mean:.{digits}f}"


def comparison_chart(summary: pd.DataFrame, kpis: Sequence[str] | None = None,
                     title: str | None = None, warnings: pd.DataFrame | None = None) -> Figure:
    """One panel per KPI: each alternative's mean with its 95% interval; beside each the paired
    difference to the first alternative (Δ), bold when its interval excludes 0. An alternative
    whose runs had warnings is named with its warning, in red.

    ``summary`` is :attr:`Comparison.summary`; ``warnings`` :attr:`Comparison.warnings`."""
    flags = _flags(warnings, ["alternative"])
    kpis = [k for k in (kpis or MAIN_KPIS) if k in set(summary["kpi"])]
    alternatives = list(dict.fromkeys(summary["alternative"]))
    ncols = min(3, len(kpis))
    nrows = math.ceil(len(kpis) / ncols)
    fig, axes = new_figure(4.2 * ncols, 0.45 * len(alternatives) * nrows + 1.4 * nrows,
                           nrows=nrows, ncols=ncols, squeeze=False)
    flat = list(axes.ravel())
    y = np.arange(len(alternatives))[::-1]
    for ax, kpi in zip(flat, kpis, strict=False):
        rows = summary[summary["kpi"] == kpi].set_index("alternative").reindex(alternatives)
        labels, bold = [], []
        for yi, alt in zip(y, alternatives, strict=True):
            r = rows.loc[alt]
            colour = PALETTE[alternatives.index(alt) % len(PALETTE)]
            if np.isfinite(r["mean"]):
                lo, hi = interval_bounds(kpi, r["mean"], r["half_width"])
                ax.errorbar(r["mean"], yi, xerr=[[r["mean"] - lo], [hi - r["mean"]]], fmt="o",
                            color=colour, capsize=4, ms=5)
            else:
                ax.text(0.02, yi, "undefined", va="center", fontsize=8, color="0.5",
                        transform=ax.get_yaxis_transform())
            # The paired difference goes under the name, where it cannot hide a bar.
            name = f"{alt} ⚠ {flags[alt]}" if alt in flags else alt
            if alt != alternatives[0] and np.isfinite(r["diff"]):
                labels.append(f"{name}\nΔ {format_interval(kpi, r['diff'], r['diff_half_width'], True)}")
                bold.append(abs(r["diff"]) > np.nan_to_num(r["diff_half_width"]))
            else:
                labels.append(name)
                bold.append(False)
        ax.set_yticks(y)
        ax.set_yticklabels(labels, fontsize=8)
        for tick, strong, alt in zip(ax.get_yticklabels(), bold, alternatives, strict=True):
            tick.set_fontweight("bold" if strong else "normal")
            if alt in flags:
                tick.set_color(WARNED if flags[alt] in UNSTABLE else "darkorange")
        ax.set_ylim(y.min() - 0.6, y.max() + 0.6)
        if _is_share(kpi):
            ax.xaxis.set_major_formatter(PercentFormatter(1.0))
            lo = np.nanmin((rows["mean"] - rows["half_width"].fillna(0)).to_numpy(dtype=float),
                           initial=1.0)
            ax.set_xlim(max(-0.02, lo - 0.05), 1.02)
        ax.set_title(axis_label(kpi), fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    for ax in flat[len(kpis):]:
        ax.set_axis_off()
    legend = (f"mean ± 95% CI; Δ = paired difference vs {alternatives[0]} "
              "(bold: its interval excludes 0)")
    if flags:
        legend += "; ⚠ = its runs had warnings (red: overloaded, numbers depend on run length)"
    fig.suptitle(f"{title}\n{legend}" if title else legend, fontsize=11)
    return fig


def welch_plot(result: WarmupResult, title: str | None = None) -> Figure:
    """One panel per daily series: the mean over replications, Welch's moving average, the
    MSER-5 truncation point and the scenario's own warm-up."""
    kpis = list(result.truncation["kpi"])
    fig, axes = new_figure(7.5, 2.3 * max(1, len(kpis)), nrows=max(1, len(kpis)), sharex=True,
                           squeeze=False)
    flat = list(axes.ravel())
    for ax, kpi in zip(flat, kpis, strict=False):
        s = result.series[result.series["kpi"] == kpi]
        cut = result.truncation.set_index("kpi").loc[kpi]
        ax.plot(s["day"], s["mean"], color="0.7", lw=0.8, label="daily mean over replications")
        ax.plot(s["day"], s["welch"], color=PALETTE[0], lw=2,
                label=f"Welch moving average (w={result.window})")
        ax.axvspan(0, cut["truncation_day"], color=PALETTE[1], alpha=0.12, lw=0)
        ax.axvline(cut["truncation_day"], color=PALETTE[1], lw=1.5,
                   label="MSER-5 truncation" + ("" if cut["settled"] else " (not settled)"))
        if result.scenario_warmup_days > 0:
            ax.axvline(result.scenario_warmup_days, color="0.2", ls="--", lw=1,
                       label="scenario warm-up")
        ax.set_ylabel(kpi.replace("_", " "), fontsize=9)
        ax.set_title(WARMUP_SERIES[kpi], fontsize=9, loc="left")
        ax.grid(alpha=0.3)
    flat[0].legend(frameon=False, fontsize=8, loc="best")
    flat[-1].set_xlabel("day (from an empty, idle start)")
    fig.suptitle(title or f"Warm-up: {result.reps} replications; recommended warm-up "
                 f"{result.recommended_days:g} days", fontsize=11)
    return fig


def _values_only(design: str) -> str:
    """'decoupling_point=mts, departments.sales.staff=2' -> 'mts, 2'."""
    return ", ".join(part.split("=", 1)[-1] for part in design.split(", "))


def optimization_chart(designs: pd.DataFrame, objectives: Sequence[str],
                       title: str | None = None) -> Figure:
    """What an optimisation found. Two objectives: every feasible design's means (grey), the
    Pareto front joined by a line with each mean's confidence interval on both axes, designs
    that fail a constraint or are unclear as crosses. One objective: the mean and interval of
    every candidate, the selected one in colour.

    ``designs`` is :attr:`~simulator.experiment.optimize.Optimization.designs`."""
    if len(objectives) == 2:
        x, y = objectives
        fig, ax = new_figure(6.4, 4.6)
        ok = designs[designs["status"].isin(["front", "dominated"])]
        bad = designs[designs["status"].isin(["infeasible", "unclear"])]
        ax.scatter(ok[f"{x}_mean"], ok[f"{y}_mean"], color="0.6", s=18, label="feasible designs")
        if len(bad):
            ax.scatter(bad[f"{x}_mean"], bad[f"{y}_mean"], color="0.6", marker="x", s=22,
                       label="infeasible or unclear")
        front = designs[designs["status"] == "front"].sort_values(f"{x}_mean")
        ax.errorbar(front[f"{x}_mean"], front[f"{y}_mean"], xerr=front[f"{x}_half_width"],
                    yerr=front[f"{y}_half_width"], fmt="o-", color=PALETTE[0], capsize=3,
                    label="Pareto front (mean ± CI)")
        # Labels of values only (the paths are in the note below), staggered so neighbours
        # on the front do not print over each other.
        for i, row in enumerate(front.itertuples()):
            ax.annotate(_values_only(row.design),
                        (getattr(row, f"{x}_mean"), getattr(row, f"{y}_mean")), fontsize=7,
                        xytext=(5, 6 if i % 2 == 0 else -12), textcoords="offset points")
        paths = [part.split("=", 1)[0] for part in str(designs["design"].iloc[0]).split(", ")]
        ax.text(0.0, -0.16, f"labels: {', '.join(paths)}", transform=ax.transAxes, fontsize=7,
                color="0.4")
        for axis, kpi in ((ax.xaxis, x), (ax.yaxis, y)):
            axis.set_major_formatter(PercentFormatter(1.0) if _is_share(kpi) else EngFormatter())
        ax.set_xlabel(axis_label(x))
        ax.set_ylabel(axis_label(y))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    else:
        kpi = objectives[0]
        shown = designs[designs["status"] != "not a candidate"]
        fig, ax = new_figure(7.0, 1.2 + 0.35 * len(shown))
        ys = np.arange(len(shown))[::-1]
        for yi, row in zip(ys, shown.itertuples(), strict=True):
            chosen = row.status == "selected"
            faint = row.status in ("infeasible", "unclear", "failed", "overloaded")
            colour = PALETTE[0] if chosen else ("0.75" if faint else "0.4")
            mean, hw = getattr(row, f"{kpi}_mean"), getattr(row, f"{kpi}_half_width")
            if np.isfinite(mean):
                ax.errorbar(mean, yi, xerr=np.nan_to_num(hw), fmt="o", color=colour, capsize=3,
                            ms=6 if chosen else 4)
        ax.set_yticks(ys)
        ax.set_yticklabels([f"{r.design}  [{r.status}, n={r.n}]" for r in shown.itertuples()],
                           fontsize=7)
        ax.set_xlabel(f"{axis_label(kpi)}: mean ± CI")
        ax.xaxis.set_major_formatter(PercentFormatter(1.0) if _is_share(kpi) else EngFormatter())
        ax.grid(axis="x", alpha=0.3)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig
