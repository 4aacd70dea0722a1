"""Charts of experiments: comparisons, sweeps, trade-offs, warm-up, events and optimisations."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

import altair as alt
import numpy as np
import pandas as pd

from ..experiment.compare import MAIN_KPIS
from ..experiment.runwarnings import UNSTABLE
from ..experiment.sweep import STRATEGY_ORDER, SWEEP_KPIS
from ..experiment.warmup import WARMUP_SERIES
from ..format import (
    NA,
    axis_label,
    explain_na,
    format_duration,
    format_interval,
    interval_bounds,
    is_number,
    kpi_info,
    label,
    why_undefined,
)
from .base import FIT_X, LATE, PALETTE, WIDTH, _empty, chart_definition

# ---------------------------------------------------------------- experiments
# Every interval is the 95% Student t interval over replications (the optimisation's: its
# confidence), kept inside the KPI's range by simulator.format.interval_bounds: a count or a
# share never shows a negative lower end.

STRATEGY_LABELS = {"mts": "MTS (finished goods)", "ato": "ATO (components)",
                   "mto": "MTO (raw material)", "eto": "ETO (no stock)"}
WARNED = "#c0392b"  # what marks an alternative or a cell whose runs were overloaded

if TYPE_CHECKING:
    from ..experiment.warmup import WarmupResult


def _is_share(name: str) -> bool:
    k = kpi_info(name)
    return k is not None and k.unit == "share"


def _kpi_axis(name: str, title: str | None = None, values=None, domain=None,
              tick_count=alt.Undefined) -> dict:
    """Axis title and number format from the KPI registry: shares in %, large money (from 10,000
    among ``values``) as 2.7M. A share's axis whose ``domain`` reaches past 0..100% (a margin,
    so points at 100% are not cut in half) has ticks only inside it."""
    k = kpi_info(name)
    large = values is not None and np.nanmax(np.abs(np.asarray(values, dtype=float)),
                                             initial=0) >= 10_000
    fmt = "%" if k is not None and k.unit == "share" else \
        "~s" if k is not None and k.unit == "money" and large else alt.Undefined
    ticks = _share_ticks(domain) if _is_share(name) and domain is not None else alt.Undefined
    return {"title": title or axis_label(name),
            "axis": alt.Axis(format=fmt, values=ticks, tickCount=tick_count)}


def _share_ticks(domain: Sequence[float], most: int = 9) -> list[float]:
    """Round ticks of a share's axis inside ``domain`` and 0..100%: at most ``most``."""
    a, b = max(float(domain[0]), 0.0), min(float(domain[1]), 1.0)
    for step in (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.25):
        ticks = np.arange(np.ceil(a / step - 1e-9), np.floor(b / step + 1e-9) + 1) * step
        if len(ticks) <= most:
            return [round(float(t), 4) for t in ticks]
    return [0.0, 0.5, 1.0]


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


def _title(title: str | None, note: str | list[str]) -> alt.Title:
    return alt.Title(title or note, subtitle=note if title else alt.Undefined)


@chart_definition
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
        whys = rows["why"] if "why" in rows else [""] * len(rows)
        df["value"] = [format_interval(kpi, m, h) if is_number(m) else
                       explain_na(kpi, why if isinstance(why, str) else "")
                       for m, h, why in zip(rows["mean"], rows["half_width"], whys, strict=True)]
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


def _why_na(summary: pd.DataFrame, kpi: str, strategy: str, ratio: float) -> str:
    """Why a sweep cell's KPI is undefined, from the cell's own runs where they say more than
    the registry's reason: every inquiry lost to quotes longer than customers accept."""
    cell = summary[(summary["strategy"] == strategy) & (summary["pd"] == ratio)]
    mean = dict(zip(cell["kpi"], cell["mean"], strict=True))
    inquiries, lost = mean.get("inquiries"), mean.get("orders_lost")
    if is_number(inquiries) and is_number(lost) and inquiries > 0 and lost >= inquiries:
        return (f"every inquiry was lost ({lost:,.0f} per run): quotes longer than customers "
                "accept, so no order was due")
    # A stray accepted order (one open at the end in one replication) leaves the same cause.
    if is_number(inquiries) and is_number(lost) and inquiries > 0 and lost >= 0.99 * inquiries:
        # Means over the replications: a tenth shows the difference where whole numbers hide it.
        digits = 1 if round(lost) >= round(inquiries) else 0
        return (f"nearly every inquiry was lost ({lost:,.{digits}f} of {inquiries:,.0f} per run, "
                "on average): quotes longer than customers accept, and no accepted order was "
                "due before the run's end")
    return why_undefined(kpi) or "undefined in every run"


def _sweep_frame(summary: pd.DataFrame, kpi: str, flags: dict) -> pd.DataFrame:
    rows = summary[summary["kpi"] == kpi].copy()
    rows["decoupling point"] = [STRATEGY_LABELS.get(s, s) for s in rows["strategy"]]
    rows["lo"], rows["hi"] = (zip(*[_bounds(kpi, m, h) for m, h in
                                    zip(rows["mean"], rows["half_width"], strict=True)],
                                  strict=True) if len(rows) else ([], []))
    rows["value"] = [format_interval(kpi, m, h) if is_number(m) else
                     f"{NA}: {_why_na(summary, kpi, s, r)}"
                     for m, h, s, r in zip(rows["mean"], rows["half_width"], rows["strategy"],
                                           rows["pd"], strict=True)]
    rows["ratio"] = [f"{r:g}" for r in rows["pd"]]
    rows["D"] = [format_duration(d) for d in rows["demand_lead_time"]] \
        if "demand_lead_time" in rows else ""
    rows["warning"] = [flags.get((s, r), "none") for s, r in zip(rows["strategy"], rows["pd"],
                                                                 strict=True)]
    rows["overloaded"] = [w in UNSTABLE for w in rows["warning"]]
    return rows.drop(columns=[c for c in ("warnings",) if c in rows])


def undefined_cells(summary: pd.DataFrame, kpi: str) -> list[str]:
    """One line per reason a sweep's cells have ``kpi`` undefined, naming the cells: what a
    heatmap's n/a cells mean (its subtitle, and the dashboard's caption)."""
    df = _sweep_frame(summary, kpi, {})
    na = df[~df["mean"].map(is_number)]
    by: dict[str, list[str]] = {}
    for _, r in na.sort_values(["pd", "strategy"]).iterrows():
        by.setdefault(r["value"], []).append(f"{r['decoupling point']} P:D {r['ratio']}")
    return [f"{', '.join(cells)}: {why}" for why, cells in by.items()]


# A legend under a chart in two columns: four decoupling points (or alternatives with their
# runs) in one row overflow a chart in a 1024 px window ("ETO (" cut at the right edge).
_BOTTOM_LEGEND = alt.Legend(orient="bottom", columns=2)


def _strategy_colour(strategies: Sequence[str]) -> alt.Color:
    names = [STRATEGY_LABELS.get(s, s) for s in STRATEGY_ORDER if s in set(strategies)]
    return alt.Color("decoupling point:N", scale=alt.Scale(
        domain=names, range=[PALETTE[STRATEGY_ORDER.index(s)] for s in STRATEGY_ORDER
                             if s in set(strategies)]), legend=_BOTTOM_LEGEND)


@chart_definition
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


@chart_definition
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
    # P:D over D on two lines: on one, a 1024 px window drops every other label.
    df["column"] = [f"{r}\nD {d}" for r, d in zip(df["ratio"], df["D"], strict=True)]
    ratios = list(dict.fromkeys(df.sort_values("pd")["column"]))
    rows = [STRATEGY_LABELS.get(s, s) for s in STRATEGY_ORDER if s in set(df["strategy"])]
    x = alt.X("column:O", sort=ratios, title="P:D", axis=alt.Axis(
        labelAngle=0, labelExpr="split(datum.label, '\\n')", labelLimit=0))
    # Row names whole (Vega's default cuts them at 180 px, here "MTS (finished goo...").
    y = alt.Y("decoupling point:N", sort=rows, title=None, axis=alt.Axis(labelLimit=0))
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
    head = title or f"{axis_label(kpi)} by decoupling point and P:D (mean ± 95% CI)"
    na = undefined_cells(summary, kpi)
    return alt.layer(cells, *texts).properties(
        title=alt.Title(head, subtitle=na) if na else head,
        width=WIDTH, height=46 * max(len(rows), 1), autosize=FIT_X)


@chart_definition
def trade_off(summary: pd.DataFrame, target_otif: float | None = None,
              costs: Sequence[str] = ("cost_total", "inventory_value_mean"),
              title: str | None = None, warnings: pd.DataFrame | None = None
              ) -> alt.TopLevelMixin:
    """Service against what it costs: one panel per ``costs`` KPI against OTIF, one point per
    sweep cell with its 95% intervals both ways, a colour per decoupling point, labelled by its
    P:D (labels placed apart). The axes are scaled to the comparable cells: an overloaded one
    sits at the edge as a ringed triangle, named in the subtitle (:func:`_off_scale`, as in
    :func:`optimization_chart`). The cheapest cells at a given OTIF lie low and to the right."""
    flags = _flags(warnings, ["strategy", "pd"])
    costs = [c for c in costs if c in set(summary["kpi"])]
    otif = _sweep_frame(summary, "otif", flags).set_index(["strategy", "pd"])
    colour = _strategy_colour(summary["strategy"])
    panels, apart = [], {}
    height = 260
    for cost in costs:
        c = _sweep_frame(summary, cost, flags).set_index(["strategy", "pd"])
        df = otif[["decoupling point", "ratio", "D", "warning", "overloaded", "mean", "lo", "hi",
                   "value"]].merge(c[["mean", "lo", "hi", "value"]], left_index=True,
                                   right_index=True, suffixes=("", "_cost")).reset_index()
        df = df[np.isfinite(df["mean"].astype(float)) & np.isfinite(df["mean_cost"].astype(float))]
        df = df.sort_values(["strategy", "pd"])
        # Overloaded cells do not set the axes (their cost grows with the run length): they sit
        # at the edge, as in the optimisation chart, named in the subtitle.
        scaled, off, domains = _off_scale(df, df["overloaded"], {
            "otif": ("mean", "lo", "hi"), cost: ("mean_cost", "lo_cost", "hi_cost")})
        for _, r in off.sort_values("pd").iterrows():
            apart.setdefault(r["decoupling point"], {})[r["ratio"]] = None
        xs = alt.Scale(domain=domains["otif"], nice=False, zero=False) if domains else \
            alt.Scale(zero=False)
        ys = alt.Scale(domain=domains[cost], nice=False, zero=False) if domains else \
            alt.Scale(zero=False)
        x = alt.X("mean:Q", scale=xs, **_kpi_axis("otif", domain=domains.get("otif")))
        y = alt.Y("mean_cost:Q", scale=ys, **_kpi_axis(cost, values=scaled["hi_cost"]))
        tip = [alt.Tooltip("decoupling point:N"), alt.Tooltip("ratio:N", title="P:D"), alt.Tooltip("D:N"),
               alt.Tooltip("value:N", title="OTIF"), alt.Tooltip("value_cost:N", title=label(cost)),
               alt.Tooltip("warning:N")]
        base = alt.Chart(scaled)
        layers = [
            base.mark_line(opacity=0.5, strokeWidth=1, clip=True).encode(
                x=x, y=y, color=colour, order="pd:Q", tooltip=tip),
            base.mark_rule(clip=True).encode(x=alt.X("lo:Q", scale=xs), x2="hi:Q",
                                             y="mean_cost:Q", color=colour, tooltip=tip),
            base.mark_rule(clip=True).encode(x="mean:Q", y=alt.Y("lo_cost:Q", scale=ys),
                                             y2="hi_cost:Q", color=colour, tooltip=tip),
            base.mark_point(filled=True, size=50, clip=True).encode(x=x, y=y, color=colour,
                                                                    tooltip=tip),
            *(_label_layers(scaled, x, y, ("mean", "mean_cost"), [domains["otif"], domains[cost]],
                            "ratio", height, color="#555") if domains else [])]
        if len(off) and domains:
            at = dict(x=alt.X("otif_at:Q", scale=xs), y=alt.Y(f"{cost}_at:Q", scale=ys))
            layers += [
                alt.Chart(off).mark_point(shape="triangle", filled=True, size=90, opacity=1).encode(
                    **at, color=colour, tooltip=tip),
                alt.Chart(off).mark_point(size=220, color=WARNED, strokeWidth=2).encode(
                    **at, tooltip=tip)]
        if target_otif is not None:
            layers.append(alt.Chart(pd.DataFrame({"target": [target_otif],
                                                  "what": ["OTIF target"]})).mark_rule(
                color="#666", strokeDash=[4, 3], clip=True).encode(
                x=alt.X("target:Q", scale=xs), tooltip=[alt.Tooltip("what:N", title=""),
                                       alt.Tooltip("target:Q", format=".1%", title="")]))
        panels.append(alt.layer(*layers).properties(title=f"{label(cost)} against OTIF",
                                                    width=WIDTH, height=height))
    note = ["labels: P:D; bars: 95% CI; dashed: OTIF target",
            *(["▲ red ring: overloaded, at the edge, off the scale: " + "; ".join(
                f"{point} at P:D {', '.join(ratios)}" for point, ratios in apart.items())]
              if apart else [])]
    if not panels:
        return _empty("no cost KPI to show", title or "Service against cost")
    return alt.vconcat(*panels).properties(title=_title(title, note), autosize=FIT_X)


@chart_definition
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


@chart_definition
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
        legend=_BOTTOM_LEGEND)
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
OFF_SCALE = ("overloaded", "failed")
"""Statuses whose numbers do not set the axes: an overloaded design's cost grows with the run
length and would squeeze every comparable design into a corner. They are drawn at the edge."""

# Where a front label may sit around its point: (dx, dy, align) in pixels, tried in this order.
# The last four, above and below ending at the point (or starting at it), are for points at an
# edge (OTIF 100%) whose neighbours take the sides.
_LABEL_SPOTS = ((6, -9, "left"), (6, 9, "left"), (-6, -9, "right"), (-6, 9, "right"),
                (0, -16, "center"), (0, 16, "center"), (6, -14, "right"), (6, 14, "right"),
                (-6, -14, "left"), (-6, 14, "left"))
_PLOT = (480.0, 320.0)  # the plot's size in pixels assumed when placing labels: a chart in a
# 1024 px window (wider ones have more room between the same labels)
_CHAR_PX, _LINE_PX = 5.4, 11.0  # a 9 px label's glyph width and line height
_SHARED_PX = 6.0  # points closer than this (both ways) are drawn on one another: one label


def _domain(name: str, lo, hi) -> list[float]:
    """The axis range holding every ``lo``..``hi``, with a margin; a share stays in 0..100%."""
    a, b = float(np.nanmin(lo)), float(np.nanmax(hi))
    span = b - a or abs(b) * 0.05 or 1.0
    a, b = a - 0.06 * span, b + 0.06 * span
    if _is_share(name):  # a margin past 0 and 100%: a point there is drawn whole
        a, b = max(a, -0.03 * span), min(b, 1.0 + 0.03 * span)
    return [a, b]


def _off_scale(rows: pd.DataFrame, off: pd.Series, axes: dict[str, tuple[str, str, str]]
               ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, list[float]]]:
    """Scale the axes to the comparable rows: ``axes`` maps each axis's KPI to its (mean, lo, hi)
    columns; rows where ``off`` (overloaded, failed) do not set the axes. Returns the comparable
    rows, the rows off the scale with ``<kpi>_at`` (their mean clipped to the axis: where their
    mark sits, at the edge) and each KPI's axis domain."""
    scaled = rows[~off]
    if not len(scaled):
        scaled = rows
    domains = {k: _domain(k, scaled[lo].fillna(scaled[m]), scaled[hi].fillna(scaled[m]))
               for k, (m, lo, hi) in axes.items()} if len(scaled) else {}
    apart = rows[~rows.index.isin(scaled.index)].copy()
    for k, (a, b) in domains.items():
        apart[f"{k}_at"] = apart[axes[k][0]].astype(float).clip(a, b)
    return scaled, apart, domains


def _shared(px: np.ndarray, py: np.ndarray, texts: Sequence[str]
            ) -> list[tuple[list[int], str]]:
    """Points drawn on top of each other (within ``_SHARED_PX`` both ways: several cells at
    OTIF 100% and about the same cost) as groups, each with one label naming them all (numbers
    in order: ``0.5, 1, 2``), in the order of their first point: their labels would otherwise
    pile up unreadably (the tooltip tells the points apart)."""
    groups: list[list[int]] = []
    for i in range(len(px)):
        home = next((g for g in groups if abs(px[g[0]] - px[i]) <= _SHARED_PX
                     and abs(py[g[0]] - py[i]) <= _SHARED_PX), None)
        if home is None:
            groups.append([i])
        else:
            home.append(i)
    out = []
    for g in groups:
        names = list(dict.fromkeys(texts[i] for i in g))
        with contextlib.suppress(ValueError):  # P:D ratios in order; other names as they come
            names.sort(key=float)
        out.append((g, ", ".join(names)))
    return out


def _label_layers(rows: pd.DataFrame, x, y, at: tuple[str, str], domains: list[list[float]],
                  text: str, height: float = _PLOT[1], **mark) -> list:
    """Text marks naming ``rows`` at their (x, y) (their columns ``at``), each label in the spot
    around its point that overlaps least (:func:`_place_labels`, in the pixels of the
    ``domains`` of x and y); points drawn on one another share one label (:func:`_shared`)."""
    if not len(rows):
        return []
    (x0, x1), (y0, y1) = domains
    px = (rows[at[0]].astype(float).to_numpy() - x0) / (x1 - x0) * _PLOT[0]
    py = (1 - (rows[at[1]].astype(float).to_numpy() - y0) / (y1 - y0)) * height
    groups = _shared(px, py, [str(t) for t in rows[text]])
    rows = pd.DataFrame({at[0]: [rows[at[0]].iloc[g[0]] for g, _ in groups],
                         at[1]: [rows[at[1]].iloc[g[0]] for g, _ in groups],
                         text: [name for _, name in groups]})
    px, py = px[[g[0] for g, _ in groups]], py[[g[0] for g, _ in groups]]
    spot = np.array(_place_labels(px, py, list(rows[text]), (_PLOT[0], height)))
    return [alt.Chart(rows[spot == i]).mark_text(dx=dx, dy=dy, align=align, fontSize=9,
                                                 clip=True, **mark).encode(x=x, y=y, text=f"{text}:N")
            for i, (dx, dy, align) in enumerate(_LABEL_SPOTS) if (spot == i).any()]


def _place_labels(px: np.ndarray, py: np.ndarray, texts: Sequence[str],
                  plot: tuple[float, float] = _PLOT) -> list[int]:
    """For each label (in order) the index of its spot in ``_LABEL_SPOTS``: the one overlapping
    least the labels already placed, every point, and the plot's edges (greedy; a label cut by
    an edge is unreadable, so crossing one costs most)."""
    w, h = plot
    points = [(x - 4, y - 4, x + 4, y + 4) for x, y in zip(px, py, strict=True)]
    placed: list[tuple[float, float, float, float]] = []

    def box(x, y, text, spot):
        dx, dy, align = _LABEL_SPOTS[spot]
        width = _CHAR_PX * len(text)
        left = x + dx - (width if align == "right" else width / 2 if align == "center" else 0)
        return (left, y + dy - _LINE_PX / 2, left + width, y + dy + _LINE_PX / 2)

    def overlap(a, b):
        return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))

    chosen = []
    for i, (x, y, text) in enumerate(zip(px, py, texts, strict=True)):
        def cost(spot, x=x, y=y, text=text, i=i):
            b = box(x, y, text, spot)
            outside = (max(0.0, -b[0]) + max(0.0, b[2] - w) + max(0.0, -b[1]) + max(0.0, b[3] - h))
            return (sum(overlap(b, o) for o in placed)
                    + sum(overlap(b, p) for j, p in enumerate(points) if j != i)
                    + outside * _LINE_PX * 100)
        best = min(range(len(_LABEL_SPOTS)), key=cost)
        placed.append(box(x, y, text, best))
        chosen.append(best)
    return chosen


@chart_definition
def optimization_chart(designs: pd.DataFrame, objectives: Sequence[str],
                       title: str | None = None) -> alt.TopLevelMixin:
    """What an optimisation found. Two objectives: every design's means coloured by status,
    the Pareto front joined by a line with each mean's confidence interval on both axes, its
    labels placed apart. One objective: the mean and interval of every candidate, the selected
    one in colour. The axes are scaled to the comparable designs: an overloaded (or failed)
    design sits at the edge as a triangle, named in the subtitle. Hover a design: its values,
    replications, status and intervals.

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
    used = [s for s in OPT_STATUS_COLOURS if s in set(shown["status"])]
    colour = alt.Color("status:N", scale=alt.Scale(domain=used, range=[OPT_STATUS_COLOURS[s]
                                                                       for s in used]),
                       legend=alt.Legend(orient="bottom", columns=4))
    tip = [alt.Tooltip("design:N"), alt.Tooltip("status:N"), alt.Tooltip("n:Q", title="replications"),
           *[alt.Tooltip(f"{k}_text:N", title=label(k)) for k in objectives],
           alt.Tooltip("feasibility:N")]
    paths = ", ".join(part.split("=", 1)[0] for part in str(shown["design"].iloc[0]).split(", "))
    if "feasibility" not in shown:
        shown["feasibility"] = ""
    keep = ["design", "values", "status", "n", "feasibility",
            *[f"{k}_{s}" for k in objectives for s in ("mean", "lo", "hi", "text")]]
    shown = shown[keep]
    finite = np.logical_and.reduce([np.isfinite(shown[f"{k}_mean"].astype(float))
                                    for k in objectives])
    ok = shown[finite]
    scaled, off, domains = _off_scale(ok, ok["status"].isin(OFF_SCALE),
                                      {k: (f"{k}_mean", f"{k}_lo", f"{k}_hi") for k in objectives})

    def scale(k):
        return alt.Scale(domain=domains[k], nice=False, zero=False) if k in domains else \
            alt.Scale(zero=False)

    edge = [alt.Chart(off).mark_point(shape="triangle", filled=True, size=90, opacity=1).encode(
        **{ch: alt.X(f"{k}_at:Q", scale=scale(k)) if ch == "x" else alt.Y(f"{k}_at:Q", scale=scale(k))
           for ch, k in zip(("x", "y"), objectives, strict=False)},
        color=colour, tooltip=tip)] if len(off) and len(objectives) == 2 else []
    # The designs off the scale, named on a line of their own (their marks share the edge).
    apart = ([f"{'▲' if len(objectives) == 2 else '▶'} at the edge, off the scale "
              f"({'/'.join(sorted(set(off['status'])))}): {'; '.join(off['values'])}"]
             if len(off) else [])
    if len(objectives) == 2:
        xk, yk = objectives
        x = alt.X(f"{xk}_mean:Q", scale=scale(xk), **_kpi_axis(
            xk, values=ok[f"{xk}_hi"], domain=domains.get(xk), tick_count=8))
        y = alt.Y(f"{yk}_mean:Q", scale=scale(yk), **_kpi_axis(yk, values=ok[f"{yk}_hi"],
                                                                 domain=domains.get(yk)))
        front = ok[ok["status"] == "front"].sort_values(f"{xk}_mean")
        # Every comparable design is named and shows its intervals (a dominated one too: its
        # uncertainty is what says whether it is truly worse); the front's first.
        named = pd.concat([front, scaled[scaled["status"] != "front"]])
        layers = [
            alt.Chart(scaled).mark_point(filled=True, size=40, clip=True).encode(
                x=x, y=y, color=colour, tooltip=tip),
            # An invisible disc around each point: a hover need not find the small dot.
            alt.Chart(scaled).mark_point(filled=True, size=400, opacity=0, clip=True).encode(
                x=x, y=y, tooltip=tip),
            alt.Chart(front).mark_line(color=PALETTE[0], clip=True).encode(
                x=x, y=y, order=f"{xk}_mean:Q", tooltip=tip),
            alt.Chart(scaled).mark_rule(clip=True).encode(
                x=alt.X(f"{xk}_lo:Q", scale=scale(xk)), x2=f"{xk}_hi:Q", y=y, color=colour,
                tooltip=tip),
            alt.Chart(scaled).mark_rule(clip=True).encode(
                x=x, y=alt.Y(f"{yk}_lo:Q", scale=scale(yk)), y2=f"{yk}_hi:Q", color=colour,
                tooltip=tip),
            *(_label_layers(named, x, y, (f"{xk}_mean", f"{yk}_mean"),
                            [domains[xk], domains[yk]], "values") if domains else []),
            *edge]
        chart = alt.layer(*layers).properties(width=WIDTH, height=int(_PLOT[1]))
        note = [f"Pareto front joined; bars: 95% CI; labels: {paths}", *apart]
    else:
        kpi = objectives[0]
        order = shown["design"].tolist()
        yy = alt.Y("design:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))
        xs = scale(kpi)
        layers = [
            alt.Chart(shown).mark_rule(strokeWidth=3, clip=True).encode(
                x=alt.X(f"{kpi}_lo:Q", scale=xs), x2=f"{kpi}_hi:Q", y=yy, color=colour,
                tooltip=tip),
            alt.Chart(shown[~shown.index.isin(off.index)]).mark_point(
                filled=True, size=60, clip=True).encode(
                x=alt.X(f"{kpi}_mean:Q", scale=xs,
                        **_kpi_axis(kpi, f"{axis_label(kpi)}: mean ± CI", scaled[f"{kpi}_hi"])),
                y=yy, color=colour, tooltip=tip)]
        if len(off):
            layers.append(alt.Chart(off).mark_point(
                shape="triangle-right", filled=True, size=110, opacity=1).encode(
                x=alt.X(f"{kpi}_at:Q", scale=xs), y=yy, color=colour, tooltip=tip))
        chart = alt.layer(*layers).properties(width=WIDTH, height=22 * len(shown) + 20)
        note = ["each candidate's mean ± CI, coloured by status", *apart]
    return chart.properties(title=_title(title, note), autosize=FIT_X)
