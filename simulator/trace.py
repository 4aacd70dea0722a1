"""Staple yourself to an order: one order's journey, and where time goes for all orders.

Shapiro, Rangan and Sviokla (HBR 1992) followed single orders through the company: every time the
order sits unattended, the customer sits unattended. This module reads a run's step records
(:attr:`simulator.result.RunResult.steps`) and answers, for one order, *who held it, when, for
how long, and why it waited*; and for all orders, *which steps and departments own the cycle
time and what the delays are made of*.

Definitions (times in days from the run's time 0, ``scenario.start_date``):

- A **record** is one activity of one order: ``queued`` (handed to the holder), ``start`` (work
  began), ``end``. ``wait = start - queued`` is time waiting, for ``reason``; ``work = end -
  start`` is time worked on. A hold (credit hold, payment, return in transit) is all wait.
- The **holder** (column ``department``) is who held the order: a department, a fulfilment
  stage, a buffer (waiting for stock there) or ``customer`` (holds outside the company).
- The **phase** of a record: ``inquiry`` (generation, pricing: before the order is received),
  ``cycle`` (entry, selection, scheduling, fulfilment: receipt to delivery), ``billing``
  (delivery to payment) and ``after-sales`` (returns, service; they run beside billing).
- **Sum rule**: the ``cycle`` records of a delivered order follow each other with no gap and no
  overlap (each is queued when the previous one ends), the first queued at receipt and the last
  ending at delivery; so their waits and work add up to the cycle time. Likewise ``cycle`` plus
  ``billing`` records add up to the order-to-cash time of a paid order.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import pandas as pd

from .format import format_duration
from .kpis import delivered_in_window, finite_or_none
from .records import ACKNOWLEDGE, REASON_CODE, REASONS, REQUOTE
from .scenario import STEPS
from .streams import Streams

if TYPE_CHECKING:
    from .records import RunView

PHASE = {
    "planning": "planning", "generation": "inquiry", "pricing": "inquiry", "entry": "cycle",
    "selection": "cycle", "scheduling": "cycle", "fulfillment": "cycle", "billing": "billing",
    "returns": "after-sales", "service": "after-sales",
}
CYCLE_STEPS = tuple(s for s in STEPS if PHASE[s] == "cycle")
CASH_STEPS = (*CYCLE_STEPS, "billing")
SCOPES = {"cycle": CYCLE_STEPS, "cash": CASH_STEPS}

# Work that only exists because something went wrong: all of its time (wait and work) is delay.
REWORK = {"entry rework": "entry rework", "invoice correction": "invoice error"}

PICKS = ("slowest", "late", "random")

STEP_COLUMNS = ("step", "activity", "department", "kind", "site", "phase", "queued", "start",
                "end", "wait", "work", "reason", "detail")


class TraceError(ValueError):
    """An order cannot be traced or picked (unknown id, no such order in the run)."""


# ---------------------------------------------------------------- one order


class TraceFrame(pd.DataFrame):
    """One order's journey: one row per record (see :data:`STEP_COLUMNS`), in the order the
    records were queued.

    ``order`` is the header (a dict: product, quantity, channel, priority, received, due,
    delivered, late_by, paid, cycle_time...), ``planning`` the forecasts and stock targets in
    force at the order's decoupling buffer when it was received (a DataFrame).
    ``narrative()`` renders the journey as text, ``as_dict()`` as ``{"order": ..., "steps": ...}``.
    """

    _metadata: ClassVar[list[str]] = ["order", "planning"]

    @property
    def _constructor(self):
        return TraceFrame

    def narrative(self) -> str:
        return render_narrative(self)

    def as_dict(self) -> dict:
        order = {k: finite_or_none(v) for k, v in self.order.items()}
        order["planning"] = [{k: finite_or_none(v) for k, v in row.items()}
                             for row in self.planning.to_dict("records")]
        steps = [{k: finite_or_none(v) for k, v in row.items()}
                 for row in pd.DataFrame(self).to_dict("records")]
        return {"order": order, "steps": steps}


# The chain shorthand's own words for its work centres, lane and stock points.
_CHAIN_WORDS = {"work_center": "stage", "lane": "stage", "stock_point": "buffer"}


def holder_kinds(result: RunView) -> dict[str, str]:
    """Who each holder is: department, work centre, lane, stock point, supplier or customer
    (stage and buffer in a ``chain:`` scenario)."""
    chain = result.scenario.chain is not None
    return {name: (_CHAIN_WORDS.get(kind, kind) if chain else kind.replace("_", " "))
            for name, kind in zip(result.resource_names, result.resource_kinds, strict=True)}


def holder_sites(result: RunView) -> dict[str, str]:
    """The site of each holder that has one (work centres, lanes from a site, stock points,
    suppliers); departments and the customer have none."""
    plan = result.plan
    sites = {n: st.site for n, st in plan.stations.items() if st.site is not None}
    sites.update({n: sp.site for n, sp in plan.stock_points.items()})
    sites.update({n: n for n in plan.suppliers})
    return sites


def trace(result: RunView, order_id: int) -> TraceFrame:
    """The journey of order ``order_id`` (its row number in ``result.orders``)."""
    orders = result.orders
    try:
        oid = int(order_id)
    except (TypeError, ValueError):
        raise TraceError(f"order id must be a whole number, got {order_id!r}") from None
    if not 0 <= oid < len(orders):
        raise TraceError(f"no order {order_id} in this run: ids are 0 to {len(orders) - 1}")
    o = orders.iloc[oid]
    steps = _order_records(result, oid)
    kinds = holder_kinds(result)

    rows = pd.DataFrame({
        "step": steps["step"].astype(str).to_numpy(),
        "activity": steps["activity"].astype(str).to_numpy(),
        "department": steps["resource"].astype(str).to_numpy(),
    })
    rows["kind"] = [kinds.get(d, "department") for d in rows["department"]]
    sites = holder_sites(result)
    rows["site"] = [sites.get(d, "") for d in rows["department"]]
    rows["phase"] = [PHASE[s] for s in rows["step"]]
    for c in ("queued", "start", "end", "wait", "work"):
        rows[c] = steps[c].to_numpy()
    rows["reason"] = steps["reason"].astype(str).to_numpy()
    rows["step"] = pd.Categorical(rows["step"], categories=list(STEPS))
    rows["reason"] = pd.Categorical(rows["reason"], categories=list(REASONS))

    planning = planning_context(result, oid)
    rows["detail"] = [_detail(result, r, o, planning) for r in rows.itertuples(index=False)]

    lines = _lines(result, oid)
    if lines:  # a multi-line order: the line its own fulfilment records followed
        own = next(ln["line"] for ln in lines if ln["job"] is None)
        rows["line"] = [own if s == "fulfillment" and a != OTHER_LINES else None
                        for s, a in zip(rows["step"], rows["activity"], strict=True)]
    out = TraceFrame(rows[[*STEP_COLUMNS, "line"] if lines else list(STEP_COLUMNS)])
    out.order = _header(result, o, rows)
    if lines:
        out.order["lines"] = lines
        out.order["shipments"] = int(o["shipments"])
        out.order["first_shipment"] = float(o["first_shipment"])
    out.planning = planning
    return out


OTHER_LINES = "other lines"  # the activity of a multi-line order's wait for its other lines


def _lines(result: RunView, oid: int) -> list[dict]:
    """The lines of a multi-line order or of one whose line shipped in parts (empty for an
    order of one line shipped whole, or a run without lines): product, quantity, units from
    stock, when ready, shipped and delivered, status, the job that fulfilled it (None: the
    order's own case, whose records are the trace's rows) and that job's records (and those of
    the job that shipped a split line's part on hand), each with its ``line``."""
    ln = result.lines
    if ln.empty:
        return []
    mine = ln[ln["order"] == oid]
    if len(mine) < 2 and not (mine["part_job"] >= 0).any():  # one line, shipped whole
        return []
    j = result.job_columns
    out = []
    for r in mine.itertuples(index=False):
        records = []
        jobs = [x for x in (r.job, r.part_job) if x >= 0]  # a split line's part: a job too
        if jobs:
            sel = np.flatnonzero(np.isin(j["case"], jobs))
            for i in sel[np.argsort(j["queued"][sel], kind="stable")]:
                records.append({
                    "line": int(r.line), "step": STEPS[j["step"][i]],
                    "activity": result.activity_names[j["activity"][i]],
                    "department": result.resource_names[j["resource"][i]],
                    "queued": float(j["queued"][i]), "start": float(j["start"][i]),
                    "end": float(j["end"][i]), "wait": float(j["start"][i] - j["queued"][i]),
                    "work": float(j["end"][i] - j["start"][i]), "reason": REASONS[j["reason"][i]]})
        out.append({"line": int(r.line), "product": str(r.product), "quantity": int(r.quantity),
                    "site": str(r.site),
                    "units_requested": int(r.units_requested),
                    "units_from_stock": int(r.units_from_stock), "ready": float(r.ready),
                    "shipped": float(r.shipped), "delivered": float(r.delivered),
                    "status": str(r.status), "job": int(r.job) if r.job >= 0 else None,
                    "records": records})
    return out


def _order_records(result: RunView, oid: int) -> pd.DataFrame:
    steps = result.steps  # sorted by order, queued, end
    ids = steps["order"].to_numpy()
    lo, hi = np.searchsorted(ids, oid, side="left"), np.searchsorted(ids, oid, side="right")
    return steps.iloc[lo:hi]


def _header(result: RunView, o: pd.Series, rows: pd.DataFrame) -> dict:
    sc = result.scenario
    received, delivered, due, paid, promised = (
        float(o[c]) for c in ("received", "delivered", "due", "paid", "promised"))
    policy = sc.steps.pricing.promising
    cycle = rows[rows["phase"] == "cycle"]
    cancelled = float(o["cancelled"])
    late_by = max(0.0, delivered - due) if np.isfinite(delivered) else (
        max(0.0, end_time(result) - due) if np.isfinite(due) and o["status"] == "open" else
        max(0.0, cancelled - due) if np.isfinite(cancelled) else float("nan"))
    head = {
        "id": int(o["id"]),
        "status": str(o["status"]),
        "customer": str(o["customer"]),
        "customer_class": str(o["customer_class"]),
        "channel": str(o["channel"]),
        "product": str(o["product"]),
        "quantity": int(o["quantity"]),
        "priority_rule": sc.priority_rule,
        "priority": float(o["priority"]),
        "decoupling_point": sc.codp,
        "strategy": sc.strategy,
        "demand_lead_time": float(o["demand_lead_time"]),
        "quoted_lead_time": float(o["quote"]),
        "inquiry": float(o["inquiry"]),
        "received": received,
        "due": due,
        "promised": promised,
        "promise_method": None if policy is None else policy.method,
        "delivered": delivered,
        "late_by": late_by,
        "on_time": bool(delivered <= due + 1e-9) if np.isfinite(delivered) else None,
        "promise_kept": bool(delivered <= promised + 1e-9) if np.isfinite(delivered)
        and np.isfinite(promised) else None,
        "invoiced": float(o["invoiced"]),
        "paid": paid,
        "cycle_time": delivered - received,
        "order_to_cash": paid - received,
        "waiting": float(cycle["wait"].sum()) if np.isfinite(delivered) else float("nan"),
        "working": float(cycle["work"].sum()) if np.isfinite(delivered) else float("nan"),
        "units_requested": int(o["units_requested"]),
        "units_from_stock": int(o["units_from_stock"]),
        "invoice_error": bool(o["invoice_error"]),
        "rejected_for": str(o["rejected_for"]),
        "cancelled": cancelled,
        "cancelled_for": str(o["cancelled_for"]),
        "changed": bool(o["changed"]),
        "payment": sc.steps.generation.channels[str(o["channel"])].method,
        "returned": bool(o["returned"]),
        "visits": int(o["visits"]),
        "start_date": sc.start_date.isoformat(),
        "time_unit": "days",
    }
    if sc.distributes:  # distributed order management: where it was fulfilled and why
        head.update(site=str(o["site"]), sourced_by=str(o["sourced_by"]),
                    pickup=bool(o["pickup"]), cost_to_serve=float(o["cost_to_serve"]))
    return head


def explain_outcome(result: RunView, order: dict) -> str:
    """What became of an order, in words (``order``: a trace's header, ``trace.order``): why a
    lost order was lost (its quote against D and the customer's tolerance), why a rejected one
    was rejected, how late an open one already is, when a delivered one arrived."""
    sc = result.scenario
    quote, d = order["quoted_lead_time"], order["demand_lead_time"]
    status = order["status"]
    if status == "lost":
        tolerance = sc.customers[order["customer_class"]].quote_tolerance
        limit = (f"the customer ({order['customer_class']}) accepts at most {tolerance:g} x D = "
                 f"{format_duration(tolerance * d)}" if tolerance is not None else
                 "the customer accepts any quote")
        return (f"Lost at pricing (step 3): the firm quoted {format_duration(quote)} against a "
                f"demand lead time D of {format_duration(d)}; {limit}, so the inquiry did not "
                "become an order.")
    if status == "rejected":
        channel = sc.steps.generation.channels[order["channel"]]
        why = order.get("rejected_for", "credit")
        if why == "card declined" and channel.payment is not None:
            return (f"Rejected at entry (step 4): the card payment was declined (decline rate "
                    f"{channel.payment.decline_rate:.0%} on channel {order['channel']}).")
        if why == "fraud" and channel.fraud_check is not None:
            return (f"Rejected at selection (step 5): the fraud check refused the order (reject "
                    f"rate {channel.fraud_check.reject_rate:.0%} on channel {order['channel']}).")
        return (f"Rejected at selection (step 5): the credit check refused the order "
                f"(credit reject rate {sc.steps.selection.credit_reject_rate:.0%}). Quoted "
                f"{format_duration(quote)} against D = {format_duration(d)}.")
    if status == "cancelled":
        when = f"on day {order['cancelled']:.2f}"
        if order["cancelled_for"] == "patience":
            return (f"Cancelled by the customer {when}: the order was late and their patience "
                    f"ran out {format_duration(order['late_by'])} beyond the due date (a service "
                    "failure: it counts as not on time).")
        if order["cancelled_for"] == "quote":
            return (f"Cancelled by the customer {when}: after their change the firm quoted "
                    f"{format_duration(quote)} against D = {format_duration(d)}, more than they "
                    "accept (left out of on-time delivery).")
        return (f"Cancelled by the customer {when}: they asked before fulfilment started "
                "(left out of on-time delivery).")
    end = end_time(result)
    if status == "open":
        late = order["late_by"]
        where = ("still before receipt (waiting for its quote)" if not math.isfinite(
            order["received"]) else "received but not delivered")
        overdue = (f"; already late by {format_duration(late)} against its due date"
                   if math.isfinite(late) and late > 0 else "")
        return (f"Open at the end of the run (day {end:g}): {where}{overdue}. Cycle time and "
                "lateness are not known yet.")
    late = order["late_by"]
    verdict = (f"late by {format_duration(late)}" if math.isfinite(late) and late > 1e-9
               else "on time")
    where = ""
    if order.get("sourced_by"):  # distributed order management
        store = result.plan.regions[str(result.orders.iloc[order["id"]]["region"])].store
        where = (f" Fulfilled at {order['site']} ({order['sourced_by']})"
                 + (f", collected by the customer at {store}." if order["pickup"] else "."))
    return (f"Delivered {verdict}: cycle time {format_duration(order['cycle_time'])} against "
            f"D = {format_duration(d)} (quoted {format_duration(quote)}).{where}")


CHANGES = ("change quantity", "change date", "change refused", "cancelled")
"""The activities that record a customer's change request or a cancellation (model/changes.py)."""


def lines_table(result: RunView, t: TraceFrame) -> pd.DataFrame:
    """The lines of traced order ``t``, one row each (an order of one line is one row): line,
    product, quantity, units from stock of those requested, the sites the line crossed (``via``:
    stock point, plants, DCs, in order), status, and the days it was ready, shipped and
    delivered."""
    o = t.order
    sites = holder_sites(result)

    def via(holders: Iterable[str]) -> str:
        return " → ".join(dict.fromkeys(s for s in (sites.get(h, "") for h in holders) if s))

    frame = pd.DataFrame(t)
    if "lines" not in o:
        row = result.orders.iloc[o["id"]]
        shipped = float(row["first_shipment"])
        own = frame[frame["step"] == "fulfillment"]["department"]
        lines = [{"line": 0, "product": o["product"], "quantity": o["quantity"],
                  "units_from_stock": o["units_from_stock"],
                  "units_requested": o["units_requested"], "via": via(own),
                  "status": o["status"], "ready": shipped, "shipped": shipped,
                  "delivered": o["delivered"]}]
    else:
        lines = []
        for ln in o["lines"]:
            holders = ([r["department"] for r in ln["records"]] if ln["job"] is not None else
                       frame.loc[frame["line"] == ln["line"], "department"])
            lines.append({k: ln[k] for k in ("line", "product", "quantity", "units_from_stock",
                                             "units_requested")}
                         | {"via": via(holders), "status": ln["status"], "ready": ln["ready"],
                            "shipped": ln["shipped"], "delivered": ln["delivered"]})
    out = pd.DataFrame(lines)
    out["from stock"] = [f"{a}/{b}" for a, b in zip(out.pop("units_from_stock"),
                                                     out.pop("units_requested"), strict=True)]
    return out[["line", "product", "quantity", "from stock", "via", "status", "ready", "shipped",
                "delivered"]]


def promise_table(result: RunView, order: dict) -> pd.DataFrame:
    """The order's dates against each other (``order``: a trace's header): the requested date
    (receipt + D), the promise when the scenario has a promise policy, and the delivery (or the
    cancellation, or the run's end); for each, its day, the time after receipt, and whether the
    delivery kept it (late by how much) or, for an order not delivered, how late it already is."""
    received, delivered = order["received"], order["delivered"]
    status = order["status"]
    end = end_time(result)

    def against(day: float) -> str:
        if math.isfinite(delivered):
            late = delivered - day
            return (f"late by {format_duration(late)}" if late > 1e-9 else
                    f"kept ({format_duration(-late)} early)" if late < -1e-9 else "kept")
        stop, what = ((order["cancelled"], "cancelled") if status == "cancelled" else
                      (end, "open at the end of the run"))
        if not math.isfinite(stop):
            return "not delivered"
        return (f"{what}, already late by {format_duration(stop - day)}" if stop > day + 1e-9
                else f"{what}, not yet due")

    rows = [("requested (receipt + D)", order["due"], against(order["due"]))]
    if order["promise_method"] is not None and math.isfinite(order["promised"]):
        rows.append((f"promised ({order['promise_method']})", order["promised"],
                     against(order["promised"])))
    if math.isfinite(delivered):
        rows.append(("delivered", delivered, ""))
    elif status == "cancelled":
        rows.append(("cancelled", order["cancelled"],
                     "patience ran out" if order["cancelled_for"] == "patience"
                     else "on the customer's request"))
    else:
        rows.append(("not delivered by the end of the run", end, ""))
    return pd.DataFrame({
        "date": [r[0] for r in rows], "day": [float(r[1]) for r in rows],
        "after receipt": [format_duration(r[1] - received, "–") for r in rows],
        "delivery against it": [r[2] for r in rows]})


def changes_table(t: TraceFrame) -> pd.DataFrame:
    """The customer's change requests and the cancellation of traced order ``t``, in order:
    the day, what it was, and what it did (the record's reason in words)."""
    frame = pd.DataFrame(t)
    rows = frame[frame["activity"].isin(CHANGES)]
    return pd.DataFrame({"day": rows["queued"].to_numpy(), "what": rows["activity"].to_numpy(),
                         "what it did": rows["detail"].to_numpy()})


def order_list(result: RunView, *, status: Iterable[str] | None = None, late: bool = False,
               customer_class: Iterable[str] | None = None,
               product: Iterable[str] | None = None, site: Iterable[str] | None = None,
               changed: bool = False) -> pd.DataFrame:
    """The run's orders to pick from (id, status, late, late_by, customer_class, product,
    lines, site, changed, quantity, channel, inquiry, quote, demand_lead_time, cycle_time),
    filtered: ``status`` (delivered, lost, rejected, cancelled, open), ``late`` (delivered after
    the due date, or open past it), customer classes, products (an order with several lines
    matches on any of them), the sites that served them, ``changed`` (the customer changed the
    quantity or the date); None: all."""
    o = result.orders
    end = end_time(result)
    late_by = np.where(o["status"] == "delivered", o["delivered"] - o["due"],
                       np.where(o["status"] == "open", end - o["due"], np.nan))
    out = pd.DataFrame({
        "id": o["id"], "status": o["status"].astype(str),
        "late": np.nan_to_num(late_by, nan=0.0) > 1e-9,
        "late_by": np.where(np.nan_to_num(late_by, nan=0.0) > 1e-9, late_by, np.nan),
        "customer_class": o["customer_class"].astype(str), "product": o["product"].astype(str),
        "lines": o["line_count"], "site": o["site"].astype(str), "changed": o["changed"],
        "quantity": o["quantity"], "channel": o["channel"].astype(str), "inquiry": o["inquiry"],
        "quote": o["quote"], "demand_lead_time": o["demand_lead_time"],
        "cycle_time": o["delivered"] - o["received"],
    })
    keep = np.ones(len(out), dtype=bool)
    if status is not None:
        keep &= out["status"].isin(list(status)).to_numpy()
    if late:
        keep &= out["late"].to_numpy()
    if customer_class is not None:
        keep &= out["customer_class"].isin(list(customer_class)).to_numpy()
    if product is not None:
        wanted = list(product)
        match = out["product"].isin(wanted)
        ln = result.lines
        if not ln.empty:  # an order of several lines matches on any of them
            match |= out["id"].isin(ln.loc[ln["product"].astype(str).isin(wanted), "order"])
        keep &= match.to_numpy()
    if site is not None:
        keep &= out["site"].isin(list(site)).to_numpy()
    if changed:
        keep &= out["changed"].to_numpy(dtype=bool)
    return out[keep].reset_index(drop=True)


def late_mask(orders: pd.DataFrame, end: float | None = None) -> pd.Series:
    """Which orders are late: delivered after their due date or, given the run's ``end``, still
    open past it."""
    late = orders["delivered"] > orders["due"] + 1e-9
    if end is not None:
        late |= (orders["status"] == "open") & (orders["due"] < end)
    return late


def end_time(result: RunView) -> float:
    """The end of the run's window: warm-up plus horizon."""
    return result.scenario.warmup_days + result.scenario.horizon_days


def needs_at_codp(result: RunView, oid: int) -> list[tuple[str, str, float]]:
    """(stock point, item, units) order ``oid`` takes at its decoupling point (empty without one):
    for an order of lines, the line its own records follow, from that line's site."""
    o = result.orders.iloc[oid]
    product, quantity, site = str(o["product"]), int(o["quantity"]), str(o["site"])
    ln = result.lines
    if not ln.empty and int(o["line_count"]) > 1:
        own = ln[(ln["order"] == oid) & (ln["job"] < 0)].iloc[0]
        product, quantity, site = str(own["product"]), int(own["quantity"]), str(own["site"])
    takes, _ = result.plan.order_route(product, str(o["region"]), quantity, site or None,
                                       bool(o["pickup"]))
    return [(sp, item, units) for sp, item, units in takes]


def planning_context(result: RunView, oid: int) -> pd.DataFrame:
    """Forecast and stock target in force at the order's decoupling stock, per item it needs,
    when the order was received (or, if it never was, when the inquiry arrived); and the units
    on hand just before the order asked for them (NaN if it never did)."""
    o = result.orders.iloc[oid]
    at = float(o["received"]) if np.isfinite(o["received"]) else float(o["inquiry"])
    columns = ["buffer", "item", "units_needed", "forecast_per_day", "target", "lead_time",
               "set_at", "on_hand"]
    needs = needs_at_codp(result, oid)
    if not needs:
        return pd.DataFrame(columns=columns)
    plan = result.planning
    allocated = _stock_request_time(result, oid)
    rows = []
    for buffer, item, units in needs:
        p = plan[(plan["buffer"] == buffer) & (plan["item"] == item) & (plan["time"] <= at + 1e-12)]
        if len(p):
            last = p.iloc[-1]
            forecast, target = float(last["forecast_per_day"]), float(last["target"])
            lead, set_at = float(last["lead_time"]), float(last["time"])
        else:  # a fixed level, never re-planned: the stock the point starts the run with
            target = float(result.initial_stock[buffer][item])
            forecast, lead, set_at = float("nan"), float("nan"), 0.0
        on_hand = (_level_at(result, buffer, item, allocated, "on_hand", before=True)
                   if allocated is not None else float("nan"))
        rows.append((buffer, item, units, forecast, target, lead, set_at, on_hand))
    return pd.DataFrame(rows, columns=columns)


def _stock_request_time(result: RunView, oid: int) -> float | None:
    steps = _order_records(result, oid)
    stock = {n for n, k in zip(result.resource_names, result.resource_kinds, strict=True)
             if k == "stock_point"}
    sel = steps["resource"].astype(str).isin(stock)
    return float(steps.loc[sel, "queued"].iloc[0]) if sel.any() else None


def _level_at(result: RunView, buffer: str, item: str, t: float, column: str,
              before: bool) -> float:
    """A buffer item's level just before (or just after) the changes made at time ``t``."""
    key = result.level_keys.index((buffer, item))
    lv = result.level_columns
    sel = lv["key"] == key
    times = lv["time"][sel]
    i = np.searchsorted(times, t, side="left" if before else "right")
    if i == 0:
        return float(result.initial_stock[buffer][item]) if column == "on_hand" else 0.0
    return float(lv[column][sel][i - 1])


def _detail(result: RunView, r, o: pd.Series, planning: pd.DataFrame) -> str:
    """Why the record waited (or what it was), in words."""
    sc = result.scenario
    reason = r.reason
    if r.activity == ACKNOWLEDGE:
        promised, due = float(o["promised"]), float(o["due"])
        if sc.steps.pricing.promising is None or promised == due:
            return f"promised the requested date, day {due:.2f}"
        return f"promised day {promised:.2f} (requested day {due:.2f})"
    if reason == "none" and r.activity.startswith("stock at "):
        return f"served from stock at {r.department}"
    if reason == "none":
        return ""
    if reason == "queue":
        return f"queue for {_capacity_text(result, r.department)}"
    if reason == "breakdown":
        return f"queue for {r.department}: a server was down for repair"
    if reason == "stock-out":
        held = {it for b, it in result.level_keys if b == r.department}
        short = [it for it in planning["item"] if it in held
                 and _level_at(result, r.department, it, r.queued, "backordered", before=False) > 0]
        items = ", ".join(short) if short else "stock"
        return f"stock-out at {r.department}: {items} short (backorder)"
    if reason == "credit hold":
        return "credit hold by the credit check"
    if reason == "entry rework":
        return "entry error: the order was entered again"
    if reason == "invoice error":
        return "wrong invoice, disputed by the customer"
    if reason == "payment terms":
        return f"payment terms ({sc.steps.billing.payment_terms_days:g} d) and customer's delay"
    if reason == "scheduled":
        if r.activity == "refund claim":
            return "until the customer claims a refund (a download: nothing comes back)"
        return "the customer's return on its way" if r.step == "returns" else \
            "waiting for the scheduled visit"
    if reason == "card authorisation":
        return "the card payment being authorised"
    if reason == "fraud review":
        return f"fraud check sent the order to a reviewer at {r.department}"
    if reason == "prepayment":
        return "waiting for the customer to pay in advance"
    if reason == "other lines":
        partial = sc.customers[str(o["customer_class"])].shipping != "complete"
        if not partial and r.queued >= o["first_shipment"]:  # shipped complete from several sites
            return "waiting for the order's shipments from its other sites to arrive"
        return ("waiting for the order's other lines to arrive (shipped partial)" if partial
                else "waiting for the order's other lines, to ship complete")
    if reason == "sourcing":
        return f"sourced by {o['sourced_by']}"
    if reason == "collection":
        return "ready in store, waiting for the customer to collect it"
    if reason == "closed":
        return f"{r.department} was closed (outside its calendar's hours)"
    if reason == "supplier":
        return f"delivery from supplier {r.department}"
    if reason in ("outage", "stopped"):
        return f"{r.department} {'delivered nothing (an outage)' if reason == 'outage' else 'was stopped'}" \
            f" ({_event_at(result, r.department, r.queued, r.start)})"
    if r.activity == "change refused":
        return "the customer's request came after fulfilment started: refused"
    if reason == "patience":
        return (f"cancelled by customer: patience {format_duration(r.end - float(o['due']))} "
                "beyond due")
    if reason == "customer cancel":
        if o["cancelled_for"] == "quote":
            return "cancelled by customer: they refused the re-quote"
        return "cancelled by customer: asked before fulfilment started"
    if reason == "change":
        if r.activity == REQUOTE:
            if o["status"] == "cancelled" and o["cancelled_for"] == "quote":
                return (f"re-quoted {format_duration(float(o['quote']))} after the change: more "
                        "than the customer accepts")
            return (f"re-quoted {format_duration(float(o['quote']))} after the change: promised "
                    f"day {float(o['promised']):.2f}")
        if r.activity == "change quantity":
            return f"the customer changed the quantity (to {int(o['quantity'])})"
        return (f"the customer changed the date: D = {format_duration(float(o['demand_lead_time']))}"
                f", due day {float(o['due']):.2f}")
    return reason


def _event_at(result: RunView, target: str, queued: float, start: float) -> str:
    """The scenario's event behind a wait at ``target`` from ``queued`` to ``start``."""
    for name, effect, hit, s, e in result.events.itertuples(index=False):
        if s < max(start, queued + 1e-9) and e > queued and (hit == target or effect != "outage"):
            return f"event {name}, days {s:g} to {e:g}"
    return "a scenario event"


def _capacity_text(result: RunView, holder: str) -> str:
    sc = result.scenario
    if holder in sc.departments:
        staff = sc.departments[holder].staff
        return f"{holder} staff ({staff})" if staff else f"{holder} staff"
    station = result.plan.stations.get(holder)
    if station is not None:
        servers = station.servers
        return f"{holder} ({servers} server{'s' if servers != 1 else ''})" if servers else holder
    return holder


# ---------------------------------------------------------------- picking an order


def pick_order(result: RunView, how: str) -> int:
    """An order id: ``slowest`` (longest cycle time), ``late`` (latest against its due date) or
    ``random`` (uniformly among delivered orders, drawn from the run's seed: reproducible).

    Orders of the measured window (inquiry after warm-up) are preferred; the warm-up's are used
    only if the window has none."""
    if how not in PICKS:
        raise TraceError(f"--pick {how!r}: choose one of {', '.join(PICKS)}")
    o = result.orders
    delivered = o[o["status"] == "delivered"]
    window = delivered[delivered["inquiry"] >= result.scenario.warmup_days]
    pool = window if len(window) else delivered
    if how == "late":
        lateness = pool["delivered"] - pool["due"]
        late = pool[lateness > 1e-9]
        if len(late):
            return int(late.loc[(late["delivered"] - late["due"]).idxmax(), "id"])
        end = end_time(result)
        overdue = o[(o["status"] == "open") & (o["due"] < end)]
        if len(overdue):
            return int(overdue.loc[overdue["due"].idxmin(), "id"])
        raise TraceError("no late order in this run: every order was delivered on time")
    if not len(pool):
        raise TraceError("no delivered order in this run to pick from")
    if how == "slowest":
        return int(pool.loc[(pool["delivered"] - pool["received"]).idxmax(), "id"])
    rng = Streams(result.seed)("trace.pick")
    ids = np.sort(pool["id"].to_numpy())
    return int(ids[rng.integers(len(ids))])


# ---------------------------------------------------------------- where time goes


@dataclass
class WhereTimeGoes:
    """Mean waiting and working time per order, per step and per holder, and the delay causes.

    Over the delivered orders of the measured window (paid ones for ``scope="cash"``). Per
    order means: a step's ``waiting`` is the total wait in that step over all those orders
    divided by their number, so the rows add up to the mean cycle (or order-to-cash) time.
    """

    scope: str
    orders: int
    mean_time: float
    by_step: pd.DataFrame
    by_department: pd.DataFrame
    causes: pd.DataFrame

    def as_dict(self) -> dict:
        return {
            "scope": self.scope, "orders": self.orders, "mean_time": finite_or_none(self.mean_time),
            "by_step": _records(self.by_step), "by_department": _records(self.by_department),
            "causes": _records(self.causes),
        }

    def render(self, top: int = 8) -> str:
        what = "cycle time (receipt to delivery)" if self.scope == "cycle" else \
            "order-to-cash time (receipt to payment)"
        lines = [f"Where time goes: mean {what} {_dur(self.mean_time)} over {self.orders} "
                 f"orders"]
        if not self.orders:
            return lines[0] + " (none)"
        for title, df, key in (("per step", self.by_step, "step"),
                               ("per holder (who owns the order)", self.by_department,
                                "department")):
            lines += ["", f"{title}:",
                      f"  {key:<18}{'waiting':>10}{'working':>10}{'total':>10}{'share':>8}"]
            for r in df.itertuples(index=False):
                lines.append(f"  {getattr(r, key):<18}{_dur(r.waiting):>10}{_dur(r.working):>10}"
                             f"{_dur(r.total):>10}{r.share:>8.0%}")
        lines += ["", "top delay causes:",
                  f"  {'cause':<38}{'per order':>10}{'orders hit':>11}{'mean delay':>11}"
                  f"{'share':>7}"]
        for r in self.causes.head(top).itertuples(index=False):
            lines.append(f"  {r.cause:<38}{_dur(r.per_order):>10}{r.orders_hit:>11}"
                         f"{_dur(r.mean_delay):>11}{r.share:>7.0%}")
        if not len(self.causes):
            lines.append("  (no order waited)")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()


def where_time_goes(result: RunView, scope: str = "cycle") -> WhereTimeGoes:
    """Mean waiting vs working per step and per holder, and the top delay causes.

    ``scope``: ``cycle`` (receipt to delivery, the SCOR cycle time) or ``cash`` (receipt to
    payment: billing added). A delay is a record's wait, blamed on its reason and holder; rework
    (entry rework, invoice correction) is delay in full, wait and work, blamed on the error."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {sorted(SCOPES)}, got {scope!r}")
    o = result.orders
    sc = result.scenario
    if scope == "cash":  # the orders of order_to_cash_mean: the cohort's paid orders
        done = (o["inquiry"] >= sc.warmup_days) & o["paid"].notna()
    else:  # the orders of cycle_time_mean
        done = delivered_in_window(o, sc.warmup_days, sc.warmup_days + sc.horizon_days)
    ids = o.loc[done, "id"].to_numpy()
    end_col = "delivered" if scope == "cycle" else "paid"
    n = len(ids)
    mean_time = float((o.loc[done, end_col] - o.loc[done, "received"]).mean()) if n \
        else float("nan")

    c = result.step_columns
    step_codes = [STEPS.index(s) for s in SCOPES[scope]]
    sel = np.isin(c["case"], ids) & np.isin(c["step"], step_codes)
    step = c["step"][sel]
    res = c["resource"][sel]
    act = c["activity"][sel]
    reason = c["reason"][sel].copy()
    case = c["case"][sel]
    wait = c["start"][sel] - c["queued"][sel]
    work = c["end"][sel] - c["start"][sel]
    delay = wait.copy()
    for name, cause in REWORK.items():
        if name in result.activity_names:
            is_rework = act == result.activity_names.index(name)
            delay[is_rework] += work[is_rework]
            reason[is_rework] = REASON_CODE[cause]

    def table(codes, names, key):
        k = len(names)
        w = np.bincount(codes, weights=wait, minlength=k)[:k] / max(n, 1)
        x = np.bincount(codes, weights=work, minlength=k)[:k] / max(n, 1)
        present = np.bincount(codes, minlength=k)[:k] > 0
        df = pd.DataFrame({key: names, "waiting": w, "working": x})[present]
        df["total"] = df["waiting"] + df["working"]
        df["share"] = df["total"] / mean_time if n and mean_time > 0 else 0.0
        return df.reset_index(drop=True)

    by_step = table(step, list(STEPS), "step")
    by_dept = table(res, result.resource_names, "department")
    by_dept = by_dept.sort_values("total", ascending=False, kind="stable").reset_index(drop=True)

    hit = delay > 0
    causes = pd.DataFrame({"reason": reason[hit], "resource": res[hit], "case": case[hit],
                           "delay": delay[hit]})
    total_delay = float(causes["delay"].sum())
    g = causes.groupby(["reason", "resource"], sort=False)
    causes = pd.DataFrame({
        "total": g["delay"].sum(), "occurrences": g["delay"].size(),
        "orders_hit": g["case"].nunique(),
    }).reset_index()
    causes["cause"] = [cause_label(REASONS[r], result.resource_names[h])
                       for r, h in zip(causes["reason"], causes["resource"], strict=True)]
    causes["reason"] = [REASONS[r] for r in causes["reason"]]
    causes["department"] = [result.resource_names[h] for h in causes["resource"]]
    causes["per_order"] = causes["total"] / max(n, 1)
    causes["mean_delay"] = causes["total"] / causes["occurrences"]
    causes["share"] = causes["total"] / total_delay if total_delay > 0 else 0.0
    causes = causes.sort_values("total", ascending=False, kind="stable").reset_index(drop=True)
    causes = causes[["cause", "reason", "department", "per_order", "orders_hit", "occurrences",
                     "mean_delay", "total", "share"]]
    return WhereTimeGoes(scope, n, mean_time, by_step, by_dept, causes)


def cause_label(reason: str, holder: str) -> str:
    """A delay's cause in words: ``queue at assembly``, ``credit hold (credit)``."""
    if reason in ("queue", "breakdown"):
        return f"{reason} at {holder}"
    if reason == "stock-out":
        return f"stock-out at {holder}"
    if reason == "payment terms":
        return "payment terms (customer)"
    return f"{reason} ({holder})"


# ---------------------------------------------------------------- the narrative


def render_narrative(t: TraceFrame) -> str:
    """The journey as text: header, planning context, one line per record."""
    o = t.order
    start = dt.datetime.fromisoformat(o["start_date"])

    def when(days: float) -> str:
        if days is None or not math.isfinite(days):
            return "-"
        stamp = start + dt.timedelta(days=days)
        return f"day {days:8.2f}  {stamp:%a %Y-%m-%d %H:%M}"

    strategy = f" ({o['strategy']})" if o["strategy"] else ""
    lines = [
        f"Order {o['id']}: {o['quantity']} x {o['product']}"
        + (f" and {len(o['lines']) - 1} more line{'s' if len(o['lines']) > 2 else ''}"
           if "lines" in o else "") + f" for {o['customer']} "
        f"({o['customer_class']}), via {o['channel']}  [{o['status']}"
        f"{', changed' if o.get('changed') else ''}]",
        f"  priority rule {o['priority_rule']} (priority {o['priority']:g}) · decoupling point "
        f"{o['decoupling_point']}{strategy}",
        f"  inquiry    {when(o['inquiry'])}",
        f"  received   {when(o['received'])}   quoted {_dur(o['quoted_lead_time'])}",
        f"  due        {when(o['due'])}   D = {_dur(o['demand_lead_time'])}",
    ]
    if o["promise_method"] is not None and math.isfinite(o["promised"]):
        kept = o["promise_kept"]
        verdict = "" if kept is None else ("   kept" if kept else "   MISSED")
        lines.append(f"  promised   {when(o['promised'])}   {o['promise_method']} "
                     f"{_dur(o['promised'] - o['received'])}{verdict}")
    late = o["late_by"]
    if math.isfinite(o["delivered"]):
        verdict = f"LATE by {_dur(late)}" if late > 1e-9 else "on time"
        if o["promise_method"] is not None:  # two dates: say which one the verdict is about
            verdict += " for the requested date"
        lines.append(f"  delivered  {when(o['delivered'])}   {verdict}")
    elif o["status"] == "open":
        extra = f"   already late by {_dur(late)}" if math.isfinite(late) and late > 0 else ""
        lines.append(f"  delivered  not by the end of the run{extra}")
    elif o["status"] == "cancelled":
        why = (f"patience ran out, {_dur(late)} beyond due" if o["cancelled_for"] == "patience"
               else "the customer refused the re-quote" if o["cancelled_for"] == "quote"
               else "on the customer's request")
        lines.append(f"  cancelled  {when(o['cancelled'])}   {why}")
    if math.isfinite(o["paid"]):
        lines.append(f"  paid       {when(o['paid'])}   order to cash {_dur(o['order_to_cash'])}")
    if math.isfinite(o["cycle_time"]):
        ct, w, x = o["cycle_time"], o["waiting"], o["working"]
        lines.append(f"  cycle time {_dur(ct)} = waiting {_dur(w)} ({_pct(w, ct)}) + working "
                     f"{_dur(x)} ({_pct(x, ct)})")
    if "lines" in o:
        # Lines sourced at several sites (distributed order management): a column of the site.
        line_sites = {ln["site"] for ln in o["lines"] if ln["site"]}
        split = len(line_sites) > 1
        lines += ["", f"Lines ({len(o['lines'])}; {o['shipments']} shipment"
                  f"{'s' if o['shipments'] != 1 else ''}"
                  + (f"; from {len(line_sites)} sites" if split else "") + "):",
                  f"  {'line':<5}{'product':<12}{'qty':>4}{'from stock':>11}{'ready':>9}"
                  f"{'shipped':>9}{'delivered':>10}  {'status':<10}"
                  + (f"{'site':<14}" if split else "") + "fulfilled by"]
        for ln in o["lines"]:
            by = "the order (its records below)" if ln["job"] is None else f"job {ln['job']}:"
            lines.append(f"  {ln['line']:<5}{_clip(ln['product'], 11):<12}{ln['quantity']:>4}"
                         f"{ln['units_from_stock']:>5}/{ln['units_requested']:<5}"
                         f"{_day(ln['ready']):>9}"
                         f"{_day(ln['shipped']):>9}{_day(ln['delivered']):>10}  "
                         f"{ln['status']:<10}"
                         + (f"{_clip(ln['site'] or '-', 13):<14}" if split else "") + by)
            for r in ln["records"]:
                lines.append(f"       {_clip(r['activity'], 21):<22}{_clip(r['department'], 17):<18}"
                             f"{r['queued']:>9.2f}{r['start']:>9.2f}{r['end']:>9.2f}"
                             f"{_dur(r['wait'], '-'):>9}{_dur(r['work'], '-'):>9}  "
                             f"{r['reason'] if r['reason'] != 'none' else ''}".rstrip())
    p = t.planning
    if len(p):
        set_at = p["set_at"].max()
        points = list(dict.fromkeys(p["buffer"].astype(str)))
        lines += ["", f"Planning in force at {', '.join(points)} when the order arrived "
                  f"(targets set day {set_at:.2f}):",
                  f"  {'item':<16}{'needed':>7}{'forecast/day':>14}{'target':>8}{'on hand':>9}"
                  + ("  at" if len(points) > 1 else "")]
        for r in p.itertuples(index=False):
            fc = f"{r.forecast_per_day:.2f}" if math.isfinite(r.forecast_per_day) else "fixed"
            oh = f"{r.on_hand:g}" if math.isfinite(r.on_hand) else "-"
            at = f"  {r.buffer}" if len(points) > 1 else ""
            lines.append(f"  {r.item:<16}{r.units_needed:>7g}{fc:>14}{r.target:>8g}{oh:>9}{at}")
    frame = pd.DataFrame(t)
    # A network's trace says where: the site of each holder that has one.
    sites = len(set(frame["site"]) - {""}) > 1
    at = f"{'site':<14}" if sites else ""
    lines += ["", f"  {'step':<12}{'activity':<22}{'held by':<18}{at}{'queued':>9}{'start':>9}"
              f"{'end':>9}{'wait':>9}{'work':>9}  why"]
    phase = None
    for r in frame.itertuples(index=False):
        if r.phase != phase:
            if r.phase == "cycle":
                lines.append(f"  ── received, day {o['received']:.2f} " + "─" * 40)
            elif phase == "cycle" and math.isfinite(o["delivered"]):
                lines.append(f"  ── delivered, day {o['delivered']:.2f} " + "─" * 40)
            phase = r.phase
        lines.append(
            f"  {r.step:<12}{_clip(r.activity, 21):<22}{_clip(r.department, 17):<18}"
            + (f"{_clip(r.site, 13):<14}" if sites else "")
            + f"{r.queued:>9.2f}{r.start:>9.2f}{r.end:>9.2f}{_dur(r.wait, '-'):>9}"
            f"{_dur(r.work, '-'):>9}  {r.detail}".rstrip())
    if phase == "cycle" and math.isfinite(o["delivered"]):
        lines.append(f"  ── delivered, day {o['delivered']:.2f} " + "─" * 40)
    return "\n".join(lines)


_dur = format_duration  # keeps the narrative's table rows readable


def _day(days: float) -> str:
    return f"{days:.2f}" if math.isfinite(days) else "-"


def _pct(part: float, whole: float) -> str:
    return f"{part / whole:.0%}" if whole > 0 else "-"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _records(df: pd.DataFrame) -> list[dict]:
    return [{k: finite_or_none(v) for k, v in row.items()} for row in df.to_dict("records")]
