"""Event logs of a run for process mining: tidy CSV / Parquet, IEEE 1849 XES and OCEL 2.0 JSON.

Every record of every order (see :mod:`simulator.trace`) is written; the format follows the file's
extension (:data:`FORMATS`). Timestamps are the scenario's ``start_date`` at 00:00 UTC plus the
simulated days, to the millisecond. The writers only read a finished run's records, so writing a
log never changes the run's results. They are written here directly (no process-mining library).

- ``.csv`` / ``.parquet``: tidy, one row per activity instance (an order's step or sub-step):
  ``order, step, activity, resource, resource_kind, site, reason, queued, start, end, wait,
  work`` (days; ``site`` is empty for a holder at no site: a department, the customer),
  ``queued_at, start_at, end_at`` (UTC timestamps; in CSV without a zone, as
  ``2026-01-05 10:00:00.000``) and the order's ``product, customer, customer_class, channel``.
  Most process-mining tools import this shape with a start and a complete timestamp per row.
- ``.xes`` (or ``.xes.gz``): IEEE 1849-2016 XES. One trace per order (``concept:name`` =
  ``order-<id>``), two events per activity instance: ``lifecycle:transition`` ``start`` and
  ``complete``, with ``concept:name`` = activity (sub-step), ``org:resource`` = who held the
  order, ``site`` = where (if the holder is at a site), ``step`` = the OMC step and, on start
  events that waited, ``reason``. Events of a trace
  are in time order. Written without a namespace, as the published XSD declares none.
- ``.jsonocel``: OCEL 2.0 JSON. Objects: orders, products, customers, resources (departments,
  work centres, lanes, stock points, suppliers; stages and buffers of a ``chain:``), sites and
  items. A resource is linked to its site (``located at``; a lane ``from`` and ``to`` its
  sites), a product or item to its inputs (``made from``). The same events as XES (event type =
  activity, attribute ``lifecycle``), each linked to its order, product, customer and holder
  (qualifier ``held by``; a hold by the customer links the customer) and, if the holder is at a
  site, that site (``at site``). Orders are linked to their product and customer. As the
  OCEL 2.0 schema requires, attribute values are strings; their types are declared in
  ``eventTypes`` / ``objectTypes``.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import quoteattr

import numpy as np
import pandas as pd

from ._version import __version__
from .plan import compile_plan
from .records import REASONS
from .scenario import STEPS
from .streams import format_seed
from .trace import OTHER_LINES, holder_kinds, holder_sites

if TYPE_CHECKING:
    from .result import RunResult

FORMATS = {".csv": "csv", ".parquet": "parquet", ".xes": "xes", ".xes.gz": "xes",
           ".jsonocel": "ocel"}

MS_PER_DAY = 86_400_000
FULFILLMENT = STEPS.index("fulfillment")


class EventLogError(ValueError):
    """The event-log path has an unknown extension."""


def event_format(path: str | Path) -> str:
    """The format of ``path`` from its extension; raises EventLogError naming the allowed ones."""
    name = str(path).lower()
    for ext in sorted(FORMATS, key=len, reverse=True):
        if name.endswith(ext):
            return FORMATS[ext]
    allowed = ", ".join(FORMATS)
    raise EventLogError(f"{path}: unknown event-log format; use one of the extensions {allowed}")


def write_event_log(result: RunResult, path: str | Path) -> Path:
    """Write every event of every order of ``result`` to ``path`` (format by extension)."""
    fmt = event_format(path)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rec = _Records(result)
    if fmt in ("csv", "parquet"):
        table = _tidy(result, rec, decoded=fmt == "csv")
        if fmt == "csv":
            import pyarrow.csv as pacsv

            pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))
        else:
            import pyarrow.parquet as pq

            pq.write_table(table, path)
    elif fmt == "xes":
        # gzip level 3: close to level 9's size at a fifth of its time.
        gz = str(path).lower().endswith(".gz")
        with (gzip.open(path, "wt", encoding="utf-8", newline="\n", compresslevel=3) if gz
              else open(path, "w", encoding="utf-8", newline="\n")) as f:
            f.writelines(_xes_chunks(result, rec))
    else:
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.writelines(_ocel_chunks(result, rec))
    return path


# ---------------------------------------------------------------- shared pieces


class _Records:
    """The run's order records as numpy columns, in the order of ``RunResult.steps`` (by order,
    then queued, then end; ties in the order they were recorded), without building frames."""

    def __init__(self, result: RunResult):
        c = result.step_columns
        keys = ("case", "step", "activity", "resource", "reason", "queued", "start", "end")
        ln = result.lines
        self.lines = ln if len(ln) else None
        line = None
        if self.lines is not None:  # a multi-line run: the line jobs' records join their orders
            c, line = self._with_lines(result, {k: c[k] for k in keys}, ln)
        idx = np.lexsort((c["end"], c["queued"], c["case"]))
        self.case = c["case"][idx].astype(np.int64)
        self.codes = {k: c[k][idx] for k in ("step", "activity", "resource", "reason")}
        self.queued, self.start, self.end = c["queued"][idx], c["start"][idx], c["end"][idx]
        self.wait = self.start - self.queued
        self.work = self.end - self.start
        self.names = {"step": list(STEPS), "activity": list(result.activity_names),
                      "resource": list(result.resource_names), "reason": list(REASONS)}
        self.line = None if line is None else line[idx]
        """Per record, the line of its order it concerns (-1: the order as a whole, or every
        physical line: a shipment of several); None in a run without lines."""
        self.shipment = None
        """Per record (multi-line runs), whether it is a shipment to the customer: the
        transit on a lane to a region."""
        if line is not None:
            net = result.plan.network
            to_customer = [n in net.lanes and net.lanes[n].to not in net.sites
                           for n in self.names["resource"]]
            other = (result.activity_names.index(OTHER_LINES)
                     if OTHER_LINES in result.activity_names else -1)
            self.shipment = (np.array(to_customer, dtype=bool)[self.codes["resource"]]
                             & (self.codes["step"] == FULFILLMENT)
                             & (self.codes["activity"] != other))

    @staticmethod
    def _with_lines(result: RunResult, c: dict, ln: pd.DataFrame):
        """The order records and the records of the line jobs (and of the jobs shipping the
        parts of split lines) as one set of columns, each such job's case set to its order,
        and per record the line it concerns: a line job's records their line; an order's own
        fulfilment records the line its case followed, except the wait for its other lines
        and, shipped complete, the one shipment of all its lines."""
        order = ln["order"].to_numpy()
        job = ln["job"].to_numpy()
        k = ln["line"].to_numpy()
        own = np.full(len(result.orders), -1, dtype=np.int64)
        own[order[job < 0]] = k[job < 0]
        line = np.where(c["step"] == FULFILLMENT, own[c["case"]], -1)
        if OTHER_LINES in result.activity_names:
            line[c["activity"] == result.activity_names.index(OTHER_LINES)] = -1
        o = result.orders
        sc = result.scenario
        complete = (o["customer_class"].astype(str).map(
            lambda cls: sc.customers[cls].shipping == "complete").to_numpy()
            & (o["line_count"].to_numpy() > 1))
        net = result.plan.network
        lanes = np.array([n in net.lanes and net.lanes[n].to not in net.sites
                          for n in result.resource_names], dtype=bool)
        line[complete[c["case"]] & lanes[c["resource"]] & (line >= 0)] = -1
        j = result.job_columns
        # A line's jobs: the one that fulfilled it, and the one that shipped its part on hand.
        part = ln["part_job"].to_numpy()
        job, order, k = (np.concatenate([job, part]), np.concatenate([order, order]),
                         np.concatenate([k, k]))
        jobs = job >= 0
        order_of = dict(zip(job[jobs].tolist(), order[jobs].tolist(), strict=True))
        line_of = dict(zip(job[jobs].tolist(), k[jobs].tolist(), strict=True))
        sel = np.flatnonzero(np.isin(j["case"], job[jobs]))
        cases = j["case"][sel].tolist()
        merged = {key: np.concatenate([c[key], j[key][sel]]) for key in c}
        merged["case"] = np.concatenate([c["case"].astype(np.int64),
                                         np.array([order_of[x] for x in cases], dtype=np.int64)])
        return merged, np.concatenate([line, np.array([line_of[x] for x in cases],
                                                      dtype=np.int64)])

    def __len__(self) -> int:
        return len(self.case)

    def line_rows(self) -> np.ndarray:
        """Per record (multi-line runs), its line's row in ``RunResult.lines`` (-1: none)."""
        assert self.lines is not None and self.line is not None
        index = pd.MultiIndex.from_arrays([self.lines["order"].to_numpy(),
                                           self.lines["line"].to_numpy()])
        rows = index.get_indexer(pd.MultiIndex.from_arrays([self.case, self.line]))
        return np.where(self.line >= 0, rows, -1)

    def text(self, column: str, escape) -> np.ndarray:
        """Each record's name in ``column``, escaped (an object array; each name escaped once)."""
        names = np.array([escape(n) for n in self.names[column]], dtype=object)
        return names[self.codes[column]]

    def events(self):
        """Two events per record, in trace order: (record, lifecycle 0=start/1=complete, time),
        sorted by order, time, record, lifecycle."""
        n = len(self)
        row = np.arange(n)
        rows = np.concatenate([row, row])
        life = np.concatenate([np.zeros(n, np.int8), np.ones(n, np.int8)])
        time = np.concatenate([self.start, self.end])
        order = np.lexsort((life, rows, time, np.concatenate([self.case, self.case])))
        return rows[order], life[order], time[order]


def timestamps(result: RunResult, days: np.ndarray) -> np.ndarray:
    """Simulated days as datetime64[ms] from the scenario's start date (00:00 UTC)."""
    base = np.datetime64(result.scenario.start_date.isoformat(), "ms")
    return base + np.rint(np.asarray(days, dtype=float) * MS_PER_DAY).astype("timedelta64[ms]")


def iso(result: RunResult, days: np.ndarray) -> np.ndarray:
    """ISO 8601 UTC strings (an object array), e.g. 2026-01-05T10:00:00.000Z; NaN gives NaT."""
    return _iso_naive(result, days).astype(object) + "Z"


def _iso_naive(result: RunResult, days: np.ndarray) -> np.ndarray:
    """The same without the final Z, which the writers put in the text that follows."""
    return np.datetime_as_string(timestamps(result, days), unit="ms")


def _tidy(result: RunResult, rec: _Records, decoded: bool = False):
    """One row per record as a pyarrow Table: names as dictionaries (or, if ``decoded``, plain
    strings and zone-less timestamps, for CSV), times in days and as UTC timestamps (ms)."""
    import pyarrow as pa

    o = result.orders
    kinds = holder_kinds(result)

    def names(values, codes):
        values = pa.array([str(v) for v in values], pa.string())
        codes = pa.array(np.asarray(codes, dtype=np.int32))
        return values.take(codes) if decoded else pa.DictionaryArray.from_arrays(codes, values)

    def stamp(days):  # the CSV writer is 8 times faster with naive (zone-less) timestamps
        naive = pa.array(timestamps(result, days))
        return naive if decoded else naive.cast(pa.timestamp("ms", tz="UTC"))

    holders = rec.names["resource"]
    kind_names = sorted({kinds.get(r, "department") for r in holders})
    kind_code = np.array([kind_names.index(kinds.get(r, "department")) for r in holders],
                         dtype=np.int32)
    sites = holder_sites(result)
    site_names = sorted({sites.get(r, "") for r in holders})
    site_code = np.array([site_names.index(sites.get(r, "")) for r in holders], dtype=np.int32)
    cols = {"order": pa.array(rec.case)}
    for c in ("step", "activity", "resource"):
        cols[c] = names(rec.names[c], rec.codes[c])
    cols["resource_kind"] = names(kind_names, kind_code[rec.codes["resource"]])
    cols["site"] = names(site_names, site_code[rec.codes["resource"]])
    cols["reason"] = names(rec.names["reason"], rec.codes["reason"])
    for c in ("queued", "start", "end", "wait", "work"):
        cols[c] = pa.array(getattr(rec, c))
    for c in ("queued", "start", "end"):
        cols[f"{c}_at"] = stamp(getattr(rec, c))
    for c in ("product", "customer", "customer_class", "channel"):
        col = o[c].astype("category")
        cols[c] = names(col.cat.categories, col.cat.codes.to_numpy()[rec.case])
    if rec.line is not None:  # a multi-line run: which line each record concerns
        assert rec.lines is not None and rec.shipment is not None
        row = rec.line_rows()
        has = row >= 0
        product = rec.lines["product"].astype(str).to_numpy(dtype=object)
        cols["line"] = pa.array(rec.line, mask=~has)
        cols["line_product"] = pa.array(np.where(has, product[row], None), pa.string())
        cols["line_quantity"] = pa.array(rec.lines["quantity"].to_numpy()[row], mask=~has)
        cols["shipment"] = pa.array(rec.shipment)
    return pa.table(cols)


def _interleave(*columns) -> list[str]:
    """Pieces of text, event by event: column 0 of event 0, column 1 of event 0, ... (one
    allocation per piece; joining them is far cheaper than formatting each event)."""
    k = len(columns)
    out = [""] * (k * len(columns[0]))
    for i, col in enumerate(columns):
        out[i::k] = col
    return out


def _per_event(life: np.ndarray, rows: np.ndarray, start: np.ndarray, end: np.ndarray):
    """Per event, the record's start-event or complete-event text."""
    return np.concatenate([start, end])[rows + len(start) * life.astype(np.intp)].tolist()


def _traces(pieces: list[str], per_event: int, case: np.ndarray, heads: dict[int, str],
            close: str) -> str:
    """The events' pieces joined, each case's events between its head and ``close``."""
    bounds = np.flatnonzero(np.diff(case)) + 1
    starts = np.concatenate(([0], bounds)).tolist()
    ends = np.concatenate((bounds, [len(case)])).tolist()
    for a, b in zip(starts, ends, strict=True):
        pieces[a * per_event] = heads[int(case[a])] + pieces[a * per_event]
        pieces[b * per_event - 1] += close
    return "".join(pieces)


def _column_text(col: pd.Series, escape) -> np.ndarray:
    """Each value of a column as escaped text (an object array), escaping each distinct value
    once."""
    c = col.astype("category")
    names = np.array([escape(str(x)) for x in c.cat.categories], dtype=object)
    return names[c.cat.codes.to_numpy()]


def _line_text(rec: _Records, escape, line_piece, shipment_piece: str) -> np.ndarray:
    """Per record (multi-line runs), the text saying which line it concerns (``line_piece(line,
    product, quantity)``, each distinct line's text made once) and, on a shipment to the
    customer, ``shipment_piece``."""
    assert rec.lines is not None and rec.shipment is not None
    ln = rec.lines
    pieces = np.array([line_piece(k, escape(str(p)), q) for k, p, q in zip(
        ln["line"].tolist(), ln["product"].tolist(), ln["quantity"].tolist(), strict=True)]
        + [""], dtype=object)
    text = pieces[rec.line_rows()]  # -1: the last, empty piece
    if shipment_piece:
        text = text + np.where(rec.shipment, shipment_piece, "")
    return text


def _xes_line(line: int, product: str, quantity: int) -> str:
    return (f'<int key="line" value="{line}"/><string key="line_product" value={product}/>'
            f'<int key="line_quantity" value="{quantity}"/>')


# ---------------------------------------------------------------- XES


_XES_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<!-- omcsim event log: one trace per order, one start and one complete event per activity. -->
<log xes.version="1849.2016">
<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
<extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
<extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
<global scope="trace">
<string key="concept:name" value="unknown"/>
</global>
<global scope="event">
<string key="concept:name" value="unknown"/>
<string key="lifecycle:transition" value="complete"/>
<date key="time:timestamp" value="1970-01-01T00:00:00.000Z"/>
<string key="org:resource" value="unknown"/>
<string key="step" value="unknown"/>
</global>
<classifier name="Activity" keys="concept:name"/>
<classifier name="ActivityLifecycle" keys="concept:name lifecycle:transition"/>
<classifier name="Step" keys="step"/>
"""


def _xes_chunks(result: RunResult, rec: _Records):
    sc = result.scenario
    yield _XES_HEAD
    yield (f'<string key="concept:name" value={quoteattr(sc.name)}/>\n'
           f'<string key="source" value={quoteattr("omcsim " + __version__)}/>\n'
           f'<string key="seed" value={quoteattr(format_seed(result.seed))}/>\n'
           f'<date key="start_date" value="{sc.start_date.isoformat()}T00:00:00.000Z"/>\n')
    rows, life, time = rec.events()
    if len(rows):
        # Per record: the text before and after the timestamp, for a start and a complete event
        # (a start event that waited also says why).
        act = rec.text("activity", quoteattr)
        sites = holder_sites(result)
        at_site = np.array([f'/><string key="site" value={quoteattr(sites[r])}' if r in sites
                            else "" for r in rec.names["resource"]], dtype=object)
        common = ('Z"/><string key="org:resource" value=' + rec.text("resource", quoteattr)
                  + at_site[rec.codes["resource"]] + '/><string key="step" value='
                  + rec.text("step", quoteattr) + "/>")
        if rec.line is not None:  # a multi-line run: the line a record concerns, shipments
            common = common + _line_text(rec, quoteattr, _xes_line,
                                         '<boolean key="shipment" value="true"/>')
        why = np.where(rec.wait > 0,
                       '<string key="reason" value=' + rec.text("reason", quoteattr) + "/>", "")
        start_head = ('<event><string key="concept:name" value=' + act
                      + '/><string key="lifecycle:transition" value="start"/>'
                      '<date key="time:timestamp" value="')
        end_head = ('<event><string key="concept:name" value=' + act
                    + '/><string key="lifecycle:transition" value="complete"/>'
                    '<date key="time:timestamp" value="')
        pieces = _interleave(_per_event(life, rows, start_head, end_head),
                             _iso_naive(result, time).tolist(),
                             _per_event(life, rows, common + why + "</event>\n",
                                        common + "</event>\n"))
        case = rec.case[rows]
        heads = _xes_trace_heads(result, np.unique(case))
        yield _traces(pieces, 3, case, heads, "</trace>\n")
    yield "</log>\n"


def _xes_trace_heads(result: RunResult, ids: np.ndarray) -> dict[int, str]:
    o = result.orders
    cols = [(c, _column_text(o[c], quoteattr)[ids].tolist())
            for c in ("product", "customer", "customer_class", "channel", "status")]
    qty = o["quantity"].to_numpy()[ids].astype(int).tolist()
    count = o["line_count"].to_numpy()[ids].astype(int).tolist() if len(result.lines) else None
    dates = [(c, iso(result, o[c].to_numpy()[ids]).tolist(), o[c].notna().to_numpy()[ids])
             for c in ("received", "due", "delivered")]
    out = {}
    for i, oid in enumerate(ids.tolist()):
        parts = [f'<trace><string key="concept:name" value="order-{oid}"/>']
        parts += [f'<string key="{c}" value={v[i]}/>' for c, v in cols]
        parts.append(f'<int key="quantity" value="{qty[i]}"/>')
        if count is not None:
            parts.append(f'<int key="line_count" value="{count[i]}"/>')
        parts += [f'<date key="{c}" value="{v[i]}"/>' for c, v, have in dates if have[i]]
        out[oid] = "".join(parts) + "\n"
    return out


# ---------------------------------------------------------------- OCEL 2.0


def _ocel_chunks(result: RunResult, rec: _Records):
    o = result.orders
    sc = result.scenario
    kinds = holder_kinds(result)
    dump = json.dumps
    q = lambda x: dump(str(x))  # noqa: E731
    t0 = f"{sc.start_date.isoformat()}T00:00:00.000Z"

    used = np.unique(rec.codes["activity"])
    activities = [rec.names["activity"][a] for a in used.tolist()]
    event_attrs = [{"name": "lifecycle", "type": "string"}, {"name": "step", "type": "string"},
                   {"name": "reason", "type": "string"}, {"name": "wait_days", "type": "float"}]
    object_types = [
        {"name": "order", "attributes": [
            {"name": "quantity", "type": "integer"}, {"name": "channel", "type": "string"},
            {"name": "customer_class", "type": "string"}, {"name": "priority", "type": "float"},
            {"name": "due", "type": "time"}, {"name": "status", "type": "string"}]},
        {"name": "product", "attributes": [{"name": "price", "type": "float"}]},
        {"name": "customer", "attributes": [{"name": "class", "type": "string"}]},
        {"name": "resource", "attributes": [{"name": "kind", "type": "string"},
                                            {"name": "capacity", "type": "string"}]},
        {"name": "site", "attributes": [{"name": "kind", "type": "string"}]},
        {"name": "item", "attributes": [{"name": "value", "type": "float"}]},
    ]
    if rec.lines is not None:  # a multi-line run: each order's lines
        object_types.append({"name": "line", "attributes": [
            {"name": "quantity", "type": "integer"}, {"name": "status", "type": "string"}]})
    yield '{"eventTypes":'
    yield dump([{"name": a, "attributes": event_attrs} for a in activities],
               separators=(",", ":"))
    yield ',"objectTypes":'
    yield dump(object_types, separators=(",", ":"))

    # Objects: resources, sites, products and items, customers, orders.
    plan = result.plan
    net = plan.network
    sites = holder_sites(result)
    yield ',"objects":['
    objects = []
    for name in rec.names["resource"]:
        if name == "customer":
            continue
        links = []
        lane = net.lanes.get(name)
        if lane is not None:
            links = [("from", lane.source)] + ([("to", lane.to)] if lane.to in net.sites else [])
        elif name in sites:
            links = [("located at", sites[name])]
        objects.append({"id": f"resource-{name}", "type": "resource", "attributes": [
            {"name": "kind", "value": kinds.get(name, "department"), "time": t0},
            {"name": "capacity", "value": _capacity(sc, name), "time": t0}],
            "relationships": [{"objectId": f"site-{site}", "qualifier": q_}
                              for q_, site in links]})
    for name, site in net.sites.items():
        objects.append({"id": f"site-{name}", "type": "site", "attributes": [
            {"name": "kind", "value": site.kind, "time": t0}]})

    def ref(item: str) -> str:
        return f"product-{item}" if item in sc.products else f"item-{item}"

    def made_from(item: str) -> list[dict]:
        return [{"objectId": ref(i), "qualifier": "made from"} for i, _ in plan.bom.get(item, ())]

    for name, p in sc.products.items():
        objects.append({"id": f"product-{name}", "type": "product", "attributes": [
            {"name": "price", "value": repr(float(p.price)), "time": t0}],
            "relationships": made_from(name)})
    items = dict.fromkeys(i for inputs in plan.bom.values() for i, _ in inputs)
    items.update(dict.fromkeys(plan.bom))
    for name in items:
        if name in sc.products:
            continue
        spec = net.items.get(name)
        objects.append({"id": f"item-{name}", "type": "item", "attributes": [
            {"name": "value", "value": repr(float(spec.value if spec else 0.0)), "time": t0}],
            "relationships": made_from(name)})
    customer = o["customer"].astype("category")
    _, first = np.unique(customer.cat.codes.to_numpy(), return_index=True)
    names = o["customer"].to_numpy(dtype=object)[first].tolist()
    classes = o["customer_class"].to_numpy(dtype=object)[first].tolist()
    for name, cls in zip(names, classes, strict=True):
        objects.append({"id": f"customer-{name}", "type": "customer",
                        "attributes": [{"name": "class", "value": str(cls), "time": t0}]})
    yield ",".join(dump(x, separators=(",", ":")) for x in objects)
    if len(o):
        yield ","
        yield ",".join(_ocel_orders(result, rec))
    if rec.lines is not None:
        yield ","
        yield ",".join(_ocel_lines(result, rec))
    yield "]"

    # Events: pieces of text from small tables, per order, holder and record.
    yield ',"events":['
    rows, life, time = rec.events()
    if len(rows):
        case_ev = rec.case[rows]
        # Per order: links to itself, its product and its customer; per holder: the link to the
        # resource (a hold by the customer links the order's customer instead).
        ids = np.arange(len(o))
        cust = _column_text(o["customer"], lambda x: q(f"customer-{x}"))
        product = _column_text(o["product"], lambda x: q(f"product-{x}"))
        order_rel = ('"relationships":[{"objectId":"order-' + ids.astype(str).astype(object)
                     + '","qualifier":"order"},{"objectId":' + product
                     + ',"qualifier":"product"},{"objectId":' + cust
                     + ',"qualifier":"customer"},{"objectId":')
        rel_ev = order_rel[case_ev]
        if rec.line is not None:  # the lines each event touches
            rel_ev = _ocel_line_links(result, rec, rows, case_ev, product, cust)
        holders = rec.names["resource"]
        holder_rel = np.array([q(f"resource-{r}") + ',"qualifier":"held by"}'
                               + (f',{{"objectId":{q(f"site-{sites[r]}")},"qualifier":"at site"}}'
                                  if r in sites else "") + "]}"
                               for r in holders], dtype=object)
        res_ev = rec.codes["resource"][rows]
        held = holder_rel[res_ev]
        if "customer" in holders:
            by_customer = res_ev == holders.index("customer")
            held[by_customer] = (cust + ',"qualifier":"held by"}]}')[case_ev[by_customer]]
        # Per record: the attributes of its start and complete events; a start event says why
        # and how long the order waited, if it did.
        step = rec.text("step", q)
        waited = np.flatnonzero(rec.wait > 0)
        start_attrs = ('Z","attributes":[{"name":"lifecycle","value":"start"},{"name":"step",'
                       '"value":' + step + "}],")
        start_attrs[waited] = [
            f'Z","attributes":[{{"name":"lifecycle","value":"start"}},{{"name":"step","value":'
            f'{st}}},{{"name":"reason","value":{r}}},{{"name":"wait_days","value":"{w!r}"}}],'
            for st, r, w in zip(step[waited].tolist(), rec.text("reason", q)[waited].tolist(),
                                rec.wait[waited].tolist(), strict=True)]
        end_attrs = ('Z","attributes":[{"name":"lifecycle","value":"complete"},{"name":"step",'
                     '"value":' + step + "}],")
        kind = '","type":' + rec.text("activity", q) + ',"time":"'
        m = len(rows)
        held = (held + ",").tolist()
        held[-1] = held[-1][:-1]  # no comma after the last event
        pieces = _interleave([f'{{"id":"e{i}' for i in range(1, m + 1)], kind[rows].tolist(),
                             _iso_naive(result, time).tolist(),
                             _per_event(life, rows, start_attrs, end_attrs),
                             rel_ev.tolist(), held)
        yield "".join(pieces)
    yield "]}\n"


def _ocel_line_links(result: RunResult, rec: _Records, rows: np.ndarray, case_ev: np.ndarray,
                     product: np.ndarray, cust: np.ndarray) -> np.ndarray:
    """Per event of a multi-line run, the start of its relationships: its order, the product
    (a line's event: the line's product), the customer and the lines it touches: a line's own
    records their line (qualifier ``line``); a shipment of several lines (ship complete) every
    line it carried, and an order's cancellation every line of the order."""
    assert rec.lines is not None and rec.shipment is not None and rec.line is not None
    q = json.dumps
    ln = rec.lines
    line_id = ('"line-' + ln["order"].astype(str).to_numpy(dtype=object) + "-"
               + ln["line"].astype(str).to_numpy(dtype=object) + '"')
    line_product = np.array([q(f"product-{p}") for p in ln["product"].astype(str)], dtype=object)
    row = rec.line_rows()
    own = row >= 0
    ids = rec.case.astype(str).astype(object)
    prod = product[rec.case].copy()
    prod[own] = line_product[row[own]]
    links = np.full(len(rec), "", dtype=object)
    links[own] = '{"objectId":' + line_id[row[own]] + ',"qualifier":"line"},'
    names = result.activity_names
    cancelled = names.index("cancelled") if "cancelled" in names else -1
    several = np.flatnonzero(~own & (rec.shipment | (rec.codes["activity"] == cancelled)))
    if len(several):
        first = np.searchsorted(ln["order"].to_numpy(), rec.case[several], side="left")
        last = np.searchsorted(ln["order"].to_numpy(), rec.case[several], side="right")
        shipped = ln["shipped"].notna().to_numpy()
        for i, a, b in zip(several.tolist(), first.tolist(), last.tolist(), strict=True):
            touched = range(a, b) if not rec.shipment[i] else [
                r for r in range(a, b) if shipped[r]]
            links[i] = "".join('{"objectId":' + line_id[r] + ',"qualifier":"line"},'
                               for r in touched)
    text = ('"relationships":[{"objectId":"order-' + ids + '","qualifier":"order"},'
            '{"objectId":' + prod + ',"qualifier":"product"},{"objectId":' + cust[rec.case]
            + ',"qualifier":"customer"},' + links + '{"objectId":')
    return text[rows]


def _ocel_lines(result: RunResult, rec: _Records) -> list[str]:
    """Line objects of a multi-line run: ``line-<order>-<line>``, with its quantity (as of the
    inquiry) and its status: open at the inquiry, then the one it ended in, set when the line
    was delivered or, if it was not, when its order's status was last set; linked to its order
    (``part of``) and its product (``of product``)."""
    ln = result.lines
    o = result.orders
    q = json.dumps
    order = ln["order"].to_numpy()
    at = iso(result, o["inquiry"].to_numpy()[order])
    ended = ln["delivered"].to_numpy()
    ended = np.where(np.isnan(ended), _final_times(result, rec)[order], ended)
    ended_at = iso(result, np.nan_to_num(ended))
    out = []
    for k, (oid, line, product, quantity, status, end) in enumerate(zip(
            order.tolist(), ln["line"].tolist(), ln["product"].astype(str).tolist(),
            ln["quantity"].tolist(), ln["status"].astype(str).tolist(), ended.tolist(),
            strict=True)):
        attrs = [{"name": "quantity", "value": str(int(quantity)), "time": at[k]},
                 {"name": "status", "value": "open", "time": at[k]}]
        if status != "open" and end == end:
            attrs.append({"name": "status", "value": status, "time": ended_at[k]})
        out.append(q({"id": f"line-{oid}-{line}", "type": "line", "attributes": attrs,
                      "relationships": [{"objectId": f"order-{oid}", "qualifier": "part of"},
                                        {"objectId": f"product-{product}",
                                         "qualifier": "of product"}]},
                     separators=(",", ":")))
    return out


def _final_times(result: RunResult, rec: _Records) -> np.ndarray:
    """When each order's status was last set: its delivery, or the end of its last record."""
    o = result.orders
    last_end = np.full(len(o), np.nan)
    if len(rec):
        first = np.flatnonzero(np.r_[True, rec.case[1:] != rec.case[:-1]])
        last_end[rec.case[first]] = np.maximum.reduceat(rec.end, first)
    return np.where(o["delivered"].notna(), o["delivered"], last_end)


def _ocel_orders(result: RunResult, rec: _Records) -> list[str]:
    """Order objects: attributes as of the inquiry, status set to its final value when it was
    (delivery, or the end of the order's last record); linked to product and customer."""
    o = result.orders
    if not len(o):
        return []
    q = json.dumps
    final = _final_times(result, rec)
    at = ',"time":"' + iso(result, o["inquiry"].to_numpy()) + '"}'
    status = _column_text(o["status"], q)
    ids = o["id"].to_numpy().astype(str).astype(object)
    text = ('{"id":"order-' + ids + '","type":"order","attributes":['
            '{"name":"quantity","value":"'
            + o["quantity"].to_numpy().astype(int).astype(str).astype(object) + '"' + at
            + ',{"name":"channel","value":' + _column_text(o["channel"], q) + at
            + ',{"name":"customer_class","value":' + _column_text(o["customer_class"], q) + at
            + ',{"name":"priority","value":"'
            + o["priority"].to_numpy(dtype=float).astype(str).astype(object) + '"' + at)
    due = o["due"].notna().to_numpy()
    text[due] += (',{"name":"due","value":"' + iso(result, o["due"].to_numpy()[due]) + '"'
                  + at[due])
    text += ',{"name":"status","value":"open"' + at
    closed = (o["status"] != "open").to_numpy()
    text[closed] += (',{"name":"status","value":' + status[closed] + ',"time":"'
                     + iso(result, final[closed]) + '"}')
    text += ('],"relationships":[{"objectId":'
             + _column_text(o["product"], lambda x: q(f"product-{x}"))
             + ',"qualifier":"contains"},{"objectId":'
             + _column_text(o["customer"], lambda x: q(f"customer-{x}"))
             + ',"qualifier":"placed by"}]}')
    return text.tolist()


def _capacity(sc, name: str) -> str:
    station = compile_plan(sc).stations.get(name)
    if station is None:
        return "stock"
    staff = station.servers
    return str(staff) if staff else "unlimited"
