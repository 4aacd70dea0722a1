"""Event logs of a run for process mining: tidy CSV / Parquet, IEEE 1849 XES and OCEL 2.0 JSON.

Every record of every order (see :mod:`simulator.trace`) is written; the format follows the file's
extension (:data:`FORMATS`). Timestamps are the scenario's ``start_date`` at 00:00 UTC plus the
simulated days, to the millisecond. The writers only read a finished run's records, so writing a
log never changes the run's results. They are written here directly (no process-mining library).

- ``.csv`` / ``.parquet``: tidy, one row per activity instance (an order's step or sub-step):
  ``order, step, activity, resource, resource_kind, reason, queued, start, end, wait, work``
  (days), ``queued_at, start_at, end_at`` (timestamps) and the order's ``product, customer,
  customer_class, channel``. Most process-mining tools import this shape with a start and a
  complete timestamp per row.
- ``.xes`` (or ``.xes.gz``): IEEE 1849-2016 XES. One trace per order (``concept:name`` =
  ``order-<id>``), two events per activity instance: ``lifecycle:transition`` ``start`` and
  ``complete``, with ``concept:name`` = activity (sub-step), ``org:resource`` = who held the
  order, ``step`` = the OMC step and, on start events that waited, ``reason``. Events of a trace
  are in time order. Written without a namespace, as the published XSD declares none.
- ``.jsonocel``: OCEL 2.0 JSON. Objects: orders, products, customers and resources
  (departments, stages, buffers); the same events as XES (event type = activity, attribute
  ``lifecycle``), each linked to its order, product, customer and holder (qualifier
  ``held by``; a hold by the customer links the customer). Orders are linked to their product and
  customer. As the OCEL 2.0 schema requires, attribute values are strings; their types are
  declared in ``eventTypes`` / ``objectTypes``.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import quoteattr

import numpy as np
import pandas as pd

from .trace import holder_kinds

if TYPE_CHECKING:
    from .result import RunResult

FORMATS = {".csv": "csv", ".parquet": "parquet", ".xes": "xes", ".xes.gz": "xes",
           ".jsonocel": "ocel"}

MS_PER_DAY = 86_400_000


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
    if fmt == "csv":
        import pyarrow as pa
        import pyarrow.csv as pacsv

        df = _tidy(result, strings=True)
        table = pa.Table.from_pandas(df, preserve_index=False)
        table = pa.table({c: table[c].cast(pa.string())
                          if pa.types.is_dictionary(table[c].type) else table[c]
                          for c in table.column_names})
        pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))
    elif fmt == "parquet":
        _tidy(result).to_parquet(path, index=False)
    elif fmt == "xes":
        opener = gzip.open if str(path).lower().endswith(".gz") else open
        with opener(path, "wt", encoding="utf-8", newline="\n") as f:
            f.writelines(_xes_chunks(result))
    else:
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.writelines(_ocel_chunks(result))
    return path


# ---------------------------------------------------------------- shared pieces


def timestamps(result: RunResult, days: np.ndarray) -> np.ndarray:
    """Simulated days as datetime64[ms] from the scenario's start date (00:00 UTC)."""
    base = np.datetime64(result.scenario.start_date.isoformat(), "ms")
    return base + np.rint(np.asarray(days, dtype=float) * MS_PER_DAY).astype("timedelta64[ms]")


def iso(result: RunResult, days: np.ndarray) -> np.ndarray:
    """ISO 8601 UTC strings (an object array), e.g. 2026-01-05T10:00:00.000Z; NaN gives NaT."""
    text = np.datetime_as_string(timestamps(result, days), unit="ms").astype(object)
    return text + "Z"


def _tidy(result: RunResult, strings: bool = False) -> pd.DataFrame:
    """One row per record; timestamps as datetime64 (or ISO strings for text formats)."""
    s = result.steps
    o = result.orders
    case = s["order"].to_numpy()
    kinds = holder_kinds(result)
    resource = s["resource"]
    stamp = (lambda d: iso(result, d)) if strings else (lambda d: timestamps(result, d))
    df = pd.DataFrame({
        "order": case,
        "step": s["step"],
        "activity": s["activity"],
        "resource": resource,
        "resource_kind": pd.Categorical(
            np.asarray([kinds.get(str(r), "department") for r in resource.cat.categories],
                       dtype=object)[resource.cat.codes.to_numpy()],
            categories=["department", "stage", "buffer", "customer"]),
        "reason": s["reason"],
        "queued": s["queued"], "start": s["start"], "end": s["end"],
        "wait": s["wait"], "work": s["work"],
        "queued_at": stamp(s["queued"].to_numpy()),
        "start_at": stamp(s["start"].to_numpy()),
        "end_at": stamp(s["end"].to_numpy()),
    })
    for c in ("product", "customer", "customer_class", "channel"):
        col = o[c].astype("category")
        df[c] = pd.Categorical.from_codes(col.cat.codes.to_numpy()[case],
                                          categories=col.cat.categories)
    return df


def _events(result: RunResult):
    """Two events per record in trace order: (record row, lifecycle 0=start/1=complete, time),
    sorted by order, time, record, lifecycle."""
    s = result.steps
    n = len(s)
    case = s["order"].to_numpy()
    row = np.arange(n)
    rows = np.concatenate([row, row])
    life = np.concatenate([np.zeros(n, np.int8), np.ones(n, np.int8)])
    time = np.concatenate([s["start"].to_numpy(), s["end"].to_numpy()])
    cases = np.concatenate([case, case])
    order = np.lexsort((life, rows, time, cases))
    return rows[order], life[order], time[order]


def _names(categorical: pd.Series, escape) -> np.ndarray:
    """Escaped category names, per row of the column (an object array)."""
    names = np.array([escape(str(c)) for c in categorical.cat.categories], dtype=object)
    return names[categorical.cat.codes.to_numpy()]


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
    return np.where(life == 0, start[rows], end[rows]).tolist()


def _traces(pieces: list[str], per_event: int, case: np.ndarray, heads: dict[int, str],
            close: str):
    """Chunks: each case's head, then its events' pieces joined, then ``close``."""
    bounds = np.flatnonzero(np.diff(case)) + 1
    starts = np.concatenate(([0], bounds)).tolist()
    ends = np.concatenate((bounds, [len(case)])).tolist()
    for a, b in zip(starts, ends, strict=True):
        yield heads[int(case[a])]
        yield "".join(pieces[a * per_event:b * per_event])
        yield close


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


def _xes_chunks(result: RunResult):
    sc = result.scenario
    yield _XES_HEAD
    yield (f'<string key="concept:name" value={quoteattr(sc.name)}/>\n'
           f'<string key="source" value={quoteattr("omcsim " + _version())}/>\n'
           f'<string key="seed" value={quoteattr(str(result.seed))}/>\n'
           f'<date key="start_date" value="{sc.start_date.isoformat()}T00:00:00.000Z"/>\n')
    s = result.steps
    rows, life, time = _events(result)
    if len(rows):
        # Per record: the text before and after the timestamp, for a start and a complete event
        # (a start event that waited also says why).
        act = _names(s["activity"], quoteattr)
        res = _names(s["resource"], quoteattr)
        step = _names(s["step"], quoteattr)
        reason = _names(s["reason"], quoteattr)
        waited = s["wait"].to_numpy() > 0
        common = '"/><string key="org:resource" value=' + res + '/><string key="step" value=' \
            + step + "/>"
        why = np.where(waited, '<string key="reason" value=' + reason + "/>", "")
        start_head = ('<event><string key="concept:name" value=' + act
                      + '/><string key="lifecycle:transition" value="start"/>'
                      '<date key="time:timestamp" value="')
        end_head = ('<event><string key="concept:name" value=' + act
                    + '/><string key="lifecycle:transition" value="complete"/>'
                    '<date key="time:timestamp" value="')
        start_tail = common + why + "</event>\n"
        end_tail = common + "</event>\n"
        pieces = _interleave(_per_event(life, rows, start_head, end_head),
                             iso(result, time).tolist(),
                             _per_event(life, rows, start_tail, end_tail))
        case = s["order"].to_numpy()[rows]
        heads = _xes_trace_heads(result, np.unique(case))
        yield from _traces(pieces, 3, case, heads, "</trace>\n")
    yield "</log>\n"


def _xes_trace_heads(result: RunResult, ids: np.ndarray) -> dict[int, str]:
    o = result.orders.iloc[ids]
    cols = {c: o[c].astype(str).map(quoteattr).tolist()
            for c in ("product", "customer", "customer_class", "channel", "status")}
    qty = o["quantity"].astype(int).tolist()
    dates = {c: iso(result, o[c].to_numpy()) for c in ("received", "due", "delivered")}
    have = {c: o[c].notna().to_numpy() for c in dates}
    out = {}
    for i, oid in enumerate(ids.tolist()):
        parts = [f'<trace><string key="concept:name" value="order-{oid}"/>']
        parts += [f'<string key="{c}" value={cols[c][i]}/>' for c in cols]
        parts.append(f'<int key="quantity" value="{qty[i]}"/>')
        parts += [f'<date key="{c}" value="{dates[c][i]}"/>' for c in dates if have[c][i]]
        out[oid] = "".join(parts) + "\n"
    return out


# ---------------------------------------------------------------- OCEL 2.0


def _ocel_chunks(result: RunResult):
    s = result.steps
    o = result.orders
    sc = result.scenario
    kinds = holder_kinds(result)
    dump = json.dumps
    t0 = f"{sc.start_date.isoformat()}T00:00:00.000Z"

    activities = [str(a) for a in s["activity"].cat.categories]
    event_attrs = [{"name": "lifecycle", "type": "string"}, {"name": "step", "type": "string"},
                   {"name": "reason", "type": "string"}, {"name": "wait_days", "type": "float"},
                   {"name": "work_days", "type": "float"}]
    object_types = [
        {"name": "order", "attributes": [
            {"name": "quantity", "type": "integer"}, {"name": "channel", "type": "string"},
            {"name": "customer_class", "type": "string"}, {"name": "priority", "type": "float"},
            {"name": "due", "type": "time"}, {"name": "status", "type": "string"}]},
        {"name": "product", "attributes": [{"name": "price", "type": "float"}]},
        {"name": "customer", "attributes": [{"name": "class", "type": "string"}]},
        {"name": "resource", "attributes": [{"name": "kind", "type": "string"},
                                            {"name": "capacity", "type": "string"}]},
    ]
    yield '{"eventTypes":'
    yield dump([{"name": a, "attributes": event_attrs} for a in activities],
               separators=(",", ":"))
    yield ',"objectTypes":'
    yield dump(object_types, separators=(",", ":"))

    # Objects: resources, products, customers, orders.
    yield ',"objects":['
    objects = []
    for name in result.resource_names:
        if name == "customer":
            continue
        objects.append({"id": f"resource-{name}", "type": "resource", "attributes": [
            {"name": "kind", "value": kinds.get(name, "department"), "time": t0},
            {"name": "capacity", "value": _capacity(sc, name), "time": t0}]})
    for name, p in sc.products.items():
        objects.append({"id": f"product-{name}", "type": "product", "attributes": [
            {"name": "price", "value": repr(float(p.price)), "time": t0}]})
    customers = o[["customer", "customer_class"]].astype(str).drop_duplicates("customer")
    for cust, cls in customers.itertuples(index=False):
        objects.append({"id": f"customer-{cust}", "type": "customer",
                        "attributes": [{"name": "class", "value": cls, "time": t0}]})
    yield ",".join(dump(x, separators=(",", ":")) for x in objects)
    if len(o):
        yield ","
        yield ",".join(_ocel_orders(result))
    yield "]"

    # Events: per record, the text of its start and complete events around id and time.
    yield ',"events":['
    rows, life, time = _events(result)
    if len(rows):
        q = lambda x: dump(str(x))  # noqa: E731
        case = s["order"].to_numpy()
        act = _names(s["activity"], q)
        step = _names(s["step"], q)
        reason = _names(s["reason"], q)
        prod = o["product"].astype(str).map(lambda x: q(f"product-{x}")).to_numpy()[case]
        cust = o["customer"].astype(str).map(lambda x: q(f"customer-{x}")).to_numpy()[case]
        holder = np.array([None if r == "customer" else q(f"resource-{r}")
                           for r in s["resource"].cat.categories], dtype=object)
        held = holder[s["resource"].cat.codes.to_numpy()]
        held = np.where(held == None, cust, held)  # noqa: E711 (elementwise)
        rel = [f'],"relationships":[{{"objectId":"order-{c}","qualifier":"order"}},'
               f'{{"objectId":{p},"qualifier":"product"}},'
               f'{{"objectId":{u},"qualifier":"customer"}},'
               f'{{"objectId":{h},"qualifier":"held by"}}]}}'
               for c, p, u, h in zip(case.tolist(), prod.tolist(), cust.tolist(), held.tolist(),
                                     strict=True)]
        # A start event says why and how long the order waited, if it did.
        start_attrs = np.array([
            f'","attributes":[{{"name":"lifecycle","value":"start"}},'
            f'{{"name":"step","value":{st}}}'
            + (f',{{"name":"reason","value":{why}}},{{"name":"wait_days","value":"{w!r}"}}'
               if w > 0 else "") + rl
            for st, why, w, rl in zip(step.tolist(), reason.tolist(), s["wait"].tolist(), rel,
                                      strict=True)], dtype=object)
        end_attrs = np.array([
            f'","attributes":[{{"name":"lifecycle","value":"complete"}},'
            f'{{"name":"step","value":{st}}}{rl}'
            for st, rl in zip(step.tolist(), rel, strict=True)], dtype=object)
        kind = '","type":' + act + ',"time":"'
        m = len(rows)
        pieces = _interleave(["{\"id\":\"e"] * m, [str(i) for i in range(1, m + 1)],
                             kind[rows].tolist(), iso(result, time).tolist(),
                             _per_event(life, rows, start_attrs, end_attrs),
                             [","] * (m - 1) + [""])
        yield "".join(pieces)
    yield "]}\n"


def _ocel_orders(result: RunResult) -> list[str]:
    """Order objects: attributes as of the inquiry, status set to its final value when it was
    (delivery, or the end of the order's last record); linked to product and customer."""
    o = result.orders
    s = result.steps
    q = json.dumps
    last_end = s.groupby("order", sort=True)["end"].max().reindex(o["id"]).to_numpy()
    final = np.where(o["delivered"].notna(), o["delivered"], last_end)
    arrived = iso(result, o["inquiry"].to_numpy()).tolist()
    final_at = iso(result, np.nan_to_num(final, nan=0.0)).tolist()
    due = iso(result, o["due"].fillna(0).to_numpy()).tolist()
    has_due = o["due"].notna().tolist()

    def text(col: str, prefix: str = "") -> list[str]:
        c = o[col].astype("category")
        names = np.array([q(prefix + str(x)) for x in c.cat.categories], dtype=object)
        return names[c.cat.codes.to_numpy()].tolist()

    out = []
    for i, (oid, qty, pri, channel, cls, status, prod, cust) in enumerate(zip(
            o["id"].tolist(), o["quantity"].tolist(), o["priority"].tolist(), text("channel"),
            text("customer_class"), o["status"].astype(str).tolist(),
            text("product", "product-"), text("customer", "customer-"), strict=True)):
        at = arrived[i]
        attrs = (f'{{"name":"quantity","value":"{int(qty)}","time":"{at}"}},'
                 f'{{"name":"channel","value":{channel},"time":"{at}"}},'
                 f'{{"name":"customer_class","value":{cls},"time":"{at}"}},'
                 f'{{"name":"priority","value":"{float(pri)!r}","time":"{at}"}},')
        if has_due[i]:
            attrs += f'{{"name":"due","value":"{due[i]}","time":"{at}"}},'
        attrs += f'{{"name":"status","value":"open","time":"{at}"}}'
        if status != "open":
            attrs += f',{{"name":"status","value":{q(status)},"time":"{final_at[i]}"}}'
        out.append(f'{{"id":"order-{oid}","type":"order","attributes":[{attrs}],'
                   f'"relationships":[{{"objectId":{prod},"qualifier":"contains"}},'
                   f'{{"objectId":{cust},"qualifier":"placed by"}}]}}')
    return out


def _capacity(sc, name: str) -> str:
    if name in sc.departments:
        staff = sc.departments[name].staff
    elif name in sc.chain.stages:
        staff = sc.chain.stages[name].servers
    else:
        return "stock"
    return str(staff) if staff else "unlimited"


def _version() -> str:
    from . import __version__

    return __version__
