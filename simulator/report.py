"""A run (or a comparison of runs) as one self-contained HTML page to hand to a manager or a class:
``omcsim report`` and the dashboard's download button write it.

The page carries the KPIs with their definitions (from the registry, written by
:mod:`simulator.format`), the run's warnings, the interactive charts of :mod:`simulator.charts`
(Vega-Lite, with Vega's JavaScript inlined from vl-convert: the page opens offline and makes no
request), the traces of chosen orders, and the provenance: the resolved scenario, the seed, the
omcsim version, the model code digest and the package versions.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from . import charts
from . import format as fmt
from .kpis import WARNING_CODES, kpi_table
from .provenance import provenance
from .trace import TraceError, changes_table, lines_table, pick_order, promise_table

if TYPE_CHECKING:
    import altair as alt

    from .result import RunResult

REPORT_PICKS = ("late", "random")
"""The orders traced when none are named: the latest against its due date and a typical one."""

# The chart's menu keeps "save as PNG/SVG"; the links to the online editor are left out.
EMBED_OPTIONS = {"actions": {"export": True, "source": False, "compiled": False, "editor": False}}

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 1100px;
       margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em;
       margin-top: 2em; }
table { border-collapse: collapse; width: 100%; font-size: 0.92em; margin-bottom: 0.8em; }
caption { text-align: left; font-weight: bold; padding: 0.3em 0; }
th, td { text-align: left; padding: 0.3em 0.6em; border-bottom: 1px solid #eee;
         vertical-align: top; }
td.num { text-align: right; white-space: nowrap; }
.warning { background: #fff4e5; border-left: 4px solid #e69f00; padding: 0.5em 0.8em;
           margin: 0.6em 0; }
.error { background: #fdecea; border-left-color: #d55e00; }
.chart { margin: 1.2em 0; width: 100%; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; font-size: 0.82em; }
.muted { color: #666; font-size: 0.9em; }
"""


def _e(text) -> str:
    return html.escape(str(text))


class _Page:
    """Sections of HTML and the charts they embed (each drawn by vega-embed into its div)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.specs: list[dict] = []

    def add(self, text: str) -> None:
        self.parts.append(text)

    def chart(self, chart: alt.TopLevelMixin) -> None:
        self.specs.append(charts.sized(chart, 1000).to_dict())
        self.add(f'<div class="chart" id="chart-{len(self.specs)}"></div>')

    def html(self, title: str) -> str:
        import vl_convert

        # "</" inside a script would end it: JSON written for a script escapes it.
        specs = json.dumps(self.specs).replace("</", "<\\/")
        bundle = vl_convert.javascript_bundle()
        return (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                f"<title>{_e(title)}</title>\n<style>{STYLE}</style>\n"
                f"<script type=\"text/javascript\">\n{bundle}\n</script>\n</head>\n<body>\n"
                + "\n".join(self.parts)
                + f"\n<script type=\"text/javascript\">\nconst specs = {specs};\n"
                f"const options = {json.dumps(EMBED_OPTIONS)};\n"
                "specs.forEach((spec, i) => vegaEmbed('#chart-' + (i + 1), spec, options)"
                ".catch(console.error));\n</script>\n</body>\n</html>\n")


def _describe(result: RunResult) -> str:
    sc = result.scenario
    plan = result.plan
    return (f"strategy {(sc.strategy or '').upper()} · decoupling point <code>{_e(sc.codp)}</code>"
            f" · P = {fmt.format_duration(plan.production_lead_time)} · D = "
            f"{fmt.format_duration(sc.mean_demand_lead_time)} · P:D = "
            f"{fmt.format_value('pd_ratio', plan.pd_ratio)}"
            f"{fmt.pd_note(plan.production_lead_time, sc.mean_demand_lead_time)} · seed {_e(result.seed)} · "
            f"{sc.warmup_days:g} warm-up + {sc.horizon_days:g} measured days")


def _warnings(page: _Page, name: str, warnings: list[dict]) -> None:
    from .experiment.runwarnings import UNSTABLE

    for w in warnings:
        kind = "warning error" if w["code"] in UNSTABLE else "warning"
        page.add(f'<div class="{kind}"><b>{_e(name)}: {_e(w["code"])}</b>: {_e(w["message"])}'
                 f'<br><span class="muted">{_e(WARNING_CODES.get(w["code"], ""))}</span></div>')


def _kpi_rows(results: dict[str, RunResult]) -> str:
    names = list(results)
    base = results[names[0]]
    currency = fmt.currency_of(base.scenario)
    tables = {n: kpi_table(r.kpis).set_index("kpi") for n, r in results.items()}
    head = "".join(f"<th>{_e(n)}</th>" for n in names)
    if len(names) > 1:
        head += "".join(f"<th>{_e(n)} − {_e(names[0])}</th>" for n in names[1:])
    rows = []
    for kpi, row in tables[names[0]].iterrows():
        cells = []
        for n in names:
            v = tables[n]["value"].get(kpi)
            cells.append(f'<td class="num">{_e(fmt.format_value(kpi, v, currency))}</td>'
                         if fmt.is_number(v) else
                         f"<td>{_e(fmt.explain_na(kpi, fmt.own_reason(results[n].kpis, kpi)))}</td>")
        for n in names[1:]:
            d = fmt.format_delta(kpi, tables[n]["value"].get(kpi), row["value"], currency)
            cells.append(f'<td class="num">{_e(d or "–")}</td>')
        rows.append(f"<tr><td><b>{_e(row['label'])}</b></td>{''.join(cells)}"
                    f"<td>{_e(fmt.unit_text(kpi, currency))}</td>"
                    f"<td class=\"muted\">{_e(row['definition'])}</td></tr>")
    return (f"<table><tr><th>KPI</th>{head}<th>unit</th><th>definition</th></tr>"
            + "".join(rows) + "</table>")


DAYS = ("day", "ready", "shipped", "delivered")
"""Columns of the order tables that hold a day of the run."""


def _table(frame, caption: str) -> str:
    """A small table of the order (lines, dates, changes) as HTML; days with two decimals, as the
    trace's narrative gives them."""
    def cell(col: str, v) -> str:
        if col in DAYS:
            return "–" if not fmt.is_number(v) else f"{v:.2f}"
        return str(v)

    head = "".join(f"<th>{_e(c)}</th>" for c in frame.columns)
    rows = "".join("<tr>" + "".join(f"<td>{_e(cell(c, v))}</td>" for c, v in zip(
        frame.columns, r, strict=True)) + "</tr>" for r in frame.itertuples(index=False))
    return f"<table><caption>{_e(caption)}</caption><tr>{head}</tr>{rows}</table>"


def report_orders(result: RunResult, orders: Sequence[int] | None = None) -> list[int]:
    """The orders a report traces: ``orders``, or a late one and a typical one (when the run has
    them). An id the run does not have raises TraceError."""
    if orders:
        for oid in orders:
            result.trace(int(oid))  # raises TraceError naming the valid range
        return [int(o) for o in orders]
    out = []
    for how in REPORT_PICKS:
        try:
            oid = pick_order(result, how)
        except TraceError:
            continue
        if oid not in out:
            out.append(oid)
    return out


def run_report(result: RunResult, orders: Sequence[int] | None = None,
               alternatives: dict[str, RunResult] | None = None,
               command: Sequence[str] | None = None) -> str:
    """The HTML report of ``result`` (named by its scenario), compared with ``alternatives``
    (name -> run, same seed) when given; ``orders`` are traced (default: a late and a typical
    one); ``command`` is recorded in the provenance (default: this process's command line)."""
    sc = result.scenario
    results = {sc.name: result, **(alternatives or {})}
    page = _Page()
    title = f"omcsim report: {sc.name}" + (f" against {', '.join(list(results)[1:])}"
                                          if len(results) > 1 else "")
    page.add(f"<h1>{_e(title)}</h1>")
    if sc.description:
        page.add(f"<p>{_e(sc.description)}</p>")
    for name, r in results.items():
        page.add(f"<p><b>{_e(name)}</b>: {_describe(r)}</p>")

    page.add("<h2>Warnings</h2>")
    if any(r.warnings for r in results.values()):
        for name, r in results.items():
            _warnings(page, name, r.warnings)
    else:
        page.add("<p>None: no overload, backlog or short run was detected.</p>")

    page.add("<h2>KPIs</h2>")
    if len(results) > 1:
        page.add('<p class="muted">Every alternative is run with the same seed (common random '
                 "numbers); one run each, so differences are not tested here: "
                 "<code>omcsim compare</code> gives them confidence intervals.</p>")
    page.add(_kpi_rows(results))

    page.add("<h2>Charts</h2><p class=\"muted\">Hover a mark for its values; drag or scroll to "
             "zoom the time axis, double click to reset.</p>")
    page.chart(charts.cycle_time_distribution(result))
    page.chart(charts.fill_rate_over_time(result))
    page.chart(charts.levels_over_time(result))
    picked = report_orders(result, orders)
    page.chart(charts.war_room(result, highlight=picked[0] if picked else None))
    page.chart(charts.time_breakdown(result))

    page.add("<h2>Orders traced</h2>")
    if not picked:
        page.add("<p>No order of this run could be traced.</p>")
    for oid in picked:
        t = result.trace(oid)
        page.add(f"<h3>Order {oid}</h3>")
        if t.order["status"] not in ("lost", "rejected"):  # never an order: no line, no promise
            page.add(_table(lines_table(result, t), "Lines"))
            page.add(_table(promise_table(result, t.order), "The promise against the request"))
            changes = changes_table(t)
            if len(changes):
                page.add(_table(changes, "Changes and cancellation"))
        page.chart(charts.order_timeline(t))
        page.add(f"<pre>{_e(t.narrative())}</pre>")

    prov = provenance(command)
    page.add("<h2>Provenance</h2><table>"
             f"<tr><td>command</td><td><code>{_e(prov['command'])}</code></td></tr>"
             f"<tr><td>seed</td><td>{_e(result.seed)}</td></tr>"
             f"<tr><td>omcsim</td><td>{_e(prov['versions']['omcsim'])} (model code "
             f"{_e(prov['code_digest'])})</td></tr>"
             "<tr><td>packages</td><td>" + _e(", ".join(
                 f"{k} {v}" for k, v in prov["versions"].items() if k != "omcsim")) + "</td></tr>"
             "</table>")
    for name, r in results.items():
        page.add(f"<details><summary>Resolved scenario: {_e(name)} (YAML; "
                 f"<code>omcsim run FILE --seed {_e(r.seed)}</code> reproduces it)</summary>"
                 f"<pre>{_e(r.scenario.to_yaml())}</pre></details>")
    return page.html(title)
