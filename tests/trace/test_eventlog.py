"""Event logs: each format written, parsed back and checked against the run's records; XES and
OCEL 2.0 validated against their published schemas (tests/trace/schemas/, see README there);
exporting leaves the run's results unchanged."""

import copy
import datetime as dt
import gzip
import itertools
import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest
import xmlschema

from simulator import load_scenario, simulate
from simulator.eventlog import EventLogError, event_format, write_event_log

SCHEMAS = Path(__file__).parent / "schemas"


@pytest.fixture(scope="module")
def result():
    sc = load_scenario("default", {"horizon_days": 25, "warmup_days": 0,
                                   "steps.billing.payment_terms_days": 5,
                                   "steps.billing.error_rate": 0.3,
                                   "steps.returns.rate": 0.3})
    return simulate(sc, 4)


@pytest.fixture(scope="module")
def logs(result, tmp_path_factory):
    d = tmp_path_factory.mktemp("logs")
    return {ext: write_event_log(result, d / f"events.{ext}")
            for ext in ("csv", "parquet", "xes", "xes.gz", "jsonocel")}


def parse_time(text: str) -> dt.datetime:
    assert text.endswith("Z")
    return dt.datetime.fromisoformat(text[:-1] + "+00:00")


def days_since_start(result, text: str) -> float:
    start = dt.datetime.combine(result.scenario.start_date, dt.time(), dt.timezone.utc)
    return (parse_time(text) - start) / dt.timedelta(days=1)


def test_format_follows_the_extension():
    assert event_format("a/b.CSV") == "csv"
    assert event_format("x.xes.gz") == "xes"
    assert event_format("x.jsonocel") == "ocel"
    with pytest.raises(EventLogError, match=r"\.csv, \.parquet, \.xes"):
        event_format("events.json")


@pytest.mark.parametrize("ext", ["csv", "parquet"])
def test_tidy_logs_read_back_as_the_records(result, logs, ext):
    df = pd.read_csv(logs[ext]) if ext == "csv" else pd.read_parquet(logs[ext])
    s = result.steps
    assert len(df) == len(s)
    assert df["order"].tolist() == s["order"].tolist()
    for c in ("step", "activity", "resource", "reason"):
        assert df[c].astype(str).tolist() == s[c].astype(str).tolist()
    for c in ("queued", "start", "end", "wait", "work"):
        assert np.allclose(df[c].to_numpy(), s[c].to_numpy(), rtol=0, atol=1e-12)
    o = result.orders
    assert df["product"].astype(str).tolist() == o["product"].astype(str)[s["order"]].tolist()
    assert set(df["resource_kind"].astype(str)) <= {"department", "stage", "buffer", "customer"}
    # CSV timestamps are UTC without a zone, Parquet's carry it.
    stamp = (df["start_at"].astype(str) + "Z").tolist() if ext == "csv" else \
        df["start_at"].dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ").tolist()
    for text, days in zip(stamp[:50], s["start"][:50], strict=True):
        assert abs(days_since_start(result, text) - days) < 1e-3 / 86400 + 1e-9


def xes_events(root):
    out = []
    for trace in root.iter("trace"):
        name = {a.get("key"): a.get("value") for a in trace if a.tag != "event"}
        events = []
        for ev in trace.iter("event"):
            events.append({a.get("key"): a.get("value") for a in ev})
        out.append((name, events))
    return out


@pytest.mark.parametrize("ext", ["xes", "xes.gz"])
def test_xes_is_valid_ieee_1849_and_holds_every_event(result, logs, ext):
    path = logs[ext]
    if ext.endswith("gz"):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            text = f.read()
    else:
        text = path.read_text()
    schema = xmlschema.XMLSchema(SCHEMAS / "xes-ieee-1849-2016.xsd")
    schema.validate(text)
    traces = xes_events(ET.fromstring(text))
    s = result.steps
    assert len(traces) == s["order"].nunique()
    assert sum(len(ev) for _, ev in traces) == 2 * len(s)
    by_order = dict(iter(s.groupby("order")))
    for head, events in traces:
        oid = int(head["concept:name"].removeprefix("order-"))
        rec = by_order[oid]
        assert head["product"] == str(result.orders.loc[oid, "product"])
        times = [days_since_start(result, e["time:timestamp"]) for e in events]
        assert all(b >= a for a, b in itertools.pairwise(times))
        starts = [e for e in events if e["lifecycle:transition"] == "start"]
        completes = [e for e in events if e["lifecycle:transition"] == "complete"]
        assert len(starts) == len(completes) == len(rec)
        assert sorted(e["concept:name"] for e in starts) == sorted(rec["activity"].astype(str))
        assert {e["org:resource"] for e in events} == set(rec["resource"].astype(str))
        waited = rec[rec["wait"] > 0]
        assert sorted(e["reason"] for e in starts if "reason" in e) == sorted(
            waited["reason"].astype(str))


def test_xes_schema_check_can_fail(logs):
    text = logs["xes"].read_text().replace('<log xes.version="1849.2016">', "<log>", 1)
    schema = xmlschema.XMLSchema(SCHEMAS / "xes-ieee-1849-2016.xsd")
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        schema.validate(text)


def ocel_validator():
    schema = json.loads((SCHEMAS / "ocel20-schema-json.json").read_text())
    return jsonschema.Draft7Validator(schema,
                                      format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def test_ocel_is_valid_ocel_2_and_consistent(result, logs):
    doc = json.loads(logs["jsonocel"].read_text())
    ocel_validator().validate(doc)
    s = result.steps
    assert len(doc["events"]) == 2 * len(s)
    objects = {o["id"]: o for o in doc["objects"]}
    assert len(objects) == len(doc["objects"])  # ids are unique
    types = {o["type"] for o in doc["objects"]}
    # The chain shorthand is a one-site network: its site, components and raw materials too.
    assert types == {"order", "product", "customer", "resource", "site", "item"}
    declared_objects = {t["name"]: {a["name"] for a in t["attributes"]}
                        for t in doc["objectTypes"]}
    for o in doc["objects"]:
        assert {a["name"] for a in o.get("attributes", [])} <= declared_objects[o["type"]]
        for rel in o.get("relationships", []):
            assert rel["objectId"] in objects
    declared_events = {t["name"]: {a["name"] for a in t["attributes"]} for t in doc["eventTypes"]}
    ids = set()
    for e in doc["events"]:
        ids.add(e["id"])
        assert {a["name"] for a in e["attributes"]} <= declared_events[e["type"]]
        parse_time(e["time"])
        quals = {r["qualifier"]: r["objectId"] for r in e["relationships"]}
        assert set(quals) - {"at site"} == {"order", "product", "customer", "held by"}
        assert all(v in objects for v in quals.values())
    assert len(ids) == len(doc["events"])
    # Every order with records is an object, linked to its product and customer.
    for oid in s["order"].unique()[:50]:
        obj = objects[f"order-{oid}"]
        rel = {r["qualifier"]: r["objectId"] for r in obj["relationships"]}
        row = result.orders.loc[oid]
        assert rel == {"contains": f"product-{row['product']}",
                       "placed by": f"customer-{row['customer']}"}
    # Holds by the customer (payment, returns in transit) link the customer as holder.
    payments = [e for e in doc["events"] if e["type"] == "payment"]
    assert payments
    for e in payments:
        quals = {r["qualifier"]: r["objectId"] for r in e["relationships"]}
        assert quals["held by"] == quals["customer"]
    # The start event of a wait says how long, in days.
    waits = [e for e in doc["events"]
             if any(a["name"] == "wait_days" for a in e["attributes"])]
    assert math.isclose(sum(float(a["value"]) for e in waits for a in e["attributes"]
                            if a["name"] == "wait_days"), s["wait"].sum(), rel_tol=1e-9)


def test_ocel_schema_check_can_fail(logs):
    doc = json.loads(logs["jsonocel"].read_text())
    broken = copy.deepcopy(doc)
    del broken["objectTypes"]
    with pytest.raises(jsonschema.ValidationError):
        ocel_validator().validate(broken)
    broken = copy.deepcopy(doc)
    broken["events"][0]["attributes"][0]["value"] = 1.5  # OCEL 2.0 JSON values are strings
    with pytest.raises(jsonschema.ValidationError):
        ocel_validator().validate(broken)


def test_exporting_does_not_change_the_results(tmp_path):
    sc = load_scenario("default", {"horizon_days": 40, "warmup_days": 5})
    plain = simulate(sc, 9)
    exported = simulate(sc, 9)
    before = {k: v for k, v in exported.kpis.items() if k != "wall_seconds"}
    for ext in ("csv", "parquet", "xes", "jsonocel"):
        write_event_log(exported, tmp_path / f"e.{ext}")
    after = simulate(sc, 9)  # a run after the export is still the same run
    for r in (exported, after):
        got = {k: v for k, v in r.kpis.items() if k != "wall_seconds"}
        assert json.dumps(got, sort_keys=True, default=str) == json.dumps(
            {k: v for k, v in plain.kpis.items() if k != "wall_seconds"}, sort_keys=True,
            default=str)
    assert before == {k: v for k, v in exported.kpis.items() if k != "wall_seconds"}
    pd.testing.assert_frame_equal(exported.orders, plain.orders)


@pytest.fixture(scope="module")
def network_run():
    return simulate(load_scenario("multi-site", {"horizon_days": 6, "warmup_days": 2}), 3)


@pytest.fixture(scope="module")
def network_logs(network_run, tmp_path_factory):
    d = tmp_path_factory.mktemp("network")
    return {ext: write_event_log(network_run, d / f"n.{ext}")
            for ext in ("csv", "parquet", "xes", "jsonocel")}


def line_job_records(r) -> int:
    """Records of the jobs that fulfil lines: the event log writes them with their orders."""
    jobs = r.lines["job"].to_numpy()
    return int(np.isin(r.job_columns["case"], jobs[jobs >= 0]).sum())


def test_a_networks_logs_say_where_each_event_happened(network_run, network_logs):
    """Every format is written for a network (CSV and Parquet failed on its holder kinds); each
    record's site is its holder's site, as in the trace; OCEL has sites and items as objects,
    resources linked to their sites, products and items to their bills of materials."""
    r = network_run
    plan = r.plan
    paths = network_logs
    s = r.steps
    frames = [pd.read_csv(paths["csv"], keep_default_na=False), pd.read_parquet(paths["parquet"])]
    for df in frames:
        assert len(df) == len(s) + line_job_records(r)
        assert {"work center", "lane", "stock point"} <= set(df["resource_kind"].astype(str))
        site_of = {st: plan.stations[st].site for st in plan.stations if plan.stations[st].site}
        site_of.update({n: sp.site for n, sp in plan.stock_points.items()})
        site_of.update({n: n for n in plan.suppliers})
        want = [site_of.get(res, "") for res in df["resource"].astype(str)]
        assert df["site"].astype(str).tolist() == want
        assert len(set(want) - {""}) >= 4  # orders cross plants, DCs and suppliers
    root = ET.parse(paths["xes"]).getroot()
    xes_sites = {ev["org:resource"]: ev.get("site", "") for _, events in xes_events(root)
                 for ev in events}
    assert xes_sites == {res: site_of.get(res, "") for res in xes_sites}

    doc = json.loads(paths["jsonocel"].read_text())
    ocel_validator().validate(doc)
    objects = {o["id"]: o for o in doc["objects"]}
    assert {k for k in objects if k.startswith("site-")} == {f"site-{n}" for n in plan.network.sites}
    for name, inputs in plan.bom.items():
        ref = f"product-{name}" if name in r.scenario.products else f"item-{name}"
        made = [x["objectId"].split("-", 1)[1] for x in objects[ref].get("relationships", [])
                if x["qualifier"] == "made from"]
        assert made == [i for i, _ in inputs]
    for name, lane in plan.network.lanes.items():
        links = {x["qualifier"]: x["objectId"] for x in objects[f"resource-{name}"]["relationships"]}
        assert links["from"] == f"site-{lane.source}"
    for e in doc["events"][:2000]:
        quals = {x["qualifier"]: x["objectId"] for x in e["relationships"]}
        holder = quals["held by"].split("-", 1)[1]
        assert quals.get("at site") == (f"site-{site_of[holder]}" if holder in site_of else None)


def test_a_multi_line_runs_logs_carry_its_lines(network_run, network_logs):
    """Multi-site orders have lines (docs/order-life.md, "Event logs"): every line is an OCEL
    object linked to its order and product; each record of a line says which line, product and
    quantity (CSV, XES), the line jobs' records are in the log with their orders, and the
    shipments to the customer in the log are the orders' shipments."""
    r = network_run
    ln = r.lines
    o = r.orders
    assert (o["line_count"] > 1).sum() >= 10 and (ln["job"] >= 0).any()
    df = pd.read_parquet(network_logs["parquet"])
    # Records of a line: the line, its product and quantity, as the lines table says.
    own = df[df["line"].notna()]
    assert len(own) > 0
    key = ln.set_index(["order", "line"])
    want = key.loc[list(zip(own["order"], own["line"].astype(int), strict=True))]
    assert own["line_product"].astype(str).tolist() == want["product"].astype(str).tolist()
    assert own["line_quantity"].astype(int).tolist() == want["quantity"].astype(int).tolist()
    assert (own["step"].astype(str) == "fulfillment").all()
    # Every job-fulfilled line has records in the log, under its order.
    for row in ln[ln["job"] >= 0].head(20).itertuples():
        assert ((df["order"] == row.order) & (df["line"] == row.line)).any()
    # Shipments to the customer per order, in the log, are the orders' shipments.
    delivered = o[(o["status"] == "delivered") & ~o["pickup"]]
    counted = df[df["shipment"]].groupby("order").size()
    assert np.array_equal(counted.reindex(delivered["id"], fill_value=0).to_numpy(),
                          delivered["shipments"].to_numpy())
    assert (delivered["shipments"] > 1).any()  # some split (wholesalers ship partial)
    # XES: line attributes on the line's events, shipments marked.
    root = ET.parse(network_logs["xes"]).getroot()
    xes = xes_events(root)
    assert sum(1 for _, evs in xes for e in evs if "line" in e) == 2 * len(own)
    assert sum(1 for _, evs in xes for e in evs if e.get("shipment") == "true") == \
        2 * int(df["shipment"].sum())
    # OCEL: a line object per line, linked to its order and product; events link their lines.
    doc = json.loads(network_logs["jsonocel"].read_text())
    ocel_validator().validate(doc)
    objects = {x["id"]: x for x in doc["objects"]}
    for row in ln.itertuples():
        obj = objects[f"line-{row.order}-{row.line}"]
        assert obj["type"] == "line"
        rel = {x["qualifier"]: x["objectId"] for x in obj["relationships"]}
        assert rel == {"part of": f"order-{row.order}", "of product": f"product-{row.product}"}
        assert rel["part of"] in objects
    assert sum(x["type"] == "line" for x in doc["objects"]) == len(ln)
    linked = [e for e in doc["events"]
              if any(x["qualifier"] == "line" for x in e["relationships"])]
    assert len(linked) >= 2 * len(own)
    for e in linked[:500]:
        lines = [x["objectId"] for x in e["relationships"] if x["qualifier"] == "line"]
        order = next(x["objectId"] for x in e["relationships"] if x["qualifier"] == "order")
        assert all(x in objects and objects[x]["relationships"][0]["objectId"] == order
                   for x in lines)
