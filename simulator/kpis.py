"""KPI definitions: each KPI is defined here, once, and computed from a run's records.

The measured window is [warm-up end, warm-up + horizon]. Order KPIs use the **cohort** of inquiries
that arrived inside the window (an order belongs to the window its inquiry was received in); time
averages integrate the piecewise-constant levels over the window. Definitions follow
``shared/DOMAIN.md`` (SCOR names where they exist).

The flow KPIs ``wip_mean``, ``throughput_per_day`` and ``cycle_time_*`` share one other basis, the
**window's deliveries**, so that Little's law L = lambda W holds between them: WIP is the
time-average over the window of orders received (not rejected) and not yet delivered, whenever
they arrived; throughput counts the orders delivered inside the window; cycle time is the mean
receipt-to-delivery time of those same orders. The edge terms (time before the window of orders
delivered in it, time in it of orders still open at its end) cancel in expectation in steady
state, so wip_mean - throughput_per_day x cycle_time_mean is zero up to the run's statistical
error; on the cohort basis it was biased (about +1% at one year).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .load import offered_load
from .plan import Kind
from .records import ACKNOWLEDGE, REASON_CODE, REQUOTE, time_average

if TYPE_CHECKING:
    from .records import RunView

BACKLOG_MIN_CASES = 10
BACKLOG_SHARE = 0.1
RUN_LENGTH_FACTOR = 3
OPEN_SHARE = 0.15
# Records that are not a server's work: waits held by the customer, a buffer or a hold.
_NOT_SERVED = [REASON_CODE[r] for r in ("stock-out", "credit hold", "invoice error", "payment terms",
                                         "inputs", "scheduled", "card authorisation", "prepayment",
                                         "other lines", "sourcing", "collection")]

KPI_DEFINITIONS: dict[str, tuple[str, str]] = {
    # name: (unit, definition)
    "inquiries": ("count", "Inquiries received in the window (step 2)."),
    "orders_lost": ("count", "Inquiries lost because the quoted lead time exceeded what the "
                    "customer accepts (step 3)."),
    "orders_rejected": ("count", "Orders rejected: at selection (credit or fraud check, step "
                        "5), or at entry (a declined card)."),
    "orders_delivered": ("count", "Orders delivered by the end of the run."),
    "orders_open": ("count", "Orders neither lost, rejected, cancelled nor delivered at the end "
                    "of the run; lost + rejected + cancelled + delivered + open = inquiries."),
    # Changes and cancellations (docs/order-life.md): only in runs of a scenario whose customer
    # classes change or cancel orders or have a patience.
    "orders_cancelled": ("count", "Orders cancelled by the customer: on request before "
                         "fulfilment, or a late order once the customer's patience ran out."),
    "orders_changed": ("count", "Orders whose quantity or date the customer changed before "
                       "fulfilment."),
    "cancellation_rate": ("share", "Orders cancelled / orders received (quotes accepted), over "
                          "the window's inquiries."),
    # Payment and fraud (docs/order-life.md): only in runs of a scenario whose channels have them.
    "card_decline_rate": ("share", "Card authorisations declined / card authorisations made, "
                          "over the window's inquiries."),
    "fraud_reject_rate": ("share", "Orders rejected by the fraud check / orders fraud-checked, "
                          "over the window's inquiries."),
    "fraud_review_time_mean": ("days", "Fraud review time: from the review's request to its "
                               "end (waiting for a reviewer and the review), mean over the "
                               "window's reviewed orders."),
    # Lines and shipping (docs/order-life.md): only in runs where some class orders lines.
    "lines_per_order": ("ratio", "Lines per order, mean over the window's orders received."),
    "line_fill_rate": ("share", "Lines served complete from decoupling stock at once / lines "
                       "that demanded decoupling stock (of the window's orders); at least "
                       "order_fill_rate."),
    "line_backorder_count": ("count", "Lines of the window's orders that had to wait for stock "
                             "at their decoupling point (backorders per line)."),
    "shipments_per_order": ("ratio", "Shipments to the customer per delivered order of the "
                            "window (1 when shipped complete from one site)."),
    "split_shipment_rate": ("share", "Delivered orders of the window shipped in more than one "
                            "shipment / delivered orders of the window."),
    "time_to_first_shipment": ("days", "Receipt to the first shipment (handed to the lane), "
                               "mean over the window's orders that shipped."),
    # Distributed order management (docs/order-life.md): only in runs of a scenario using it.
    "cost_to_serve": ("money", "Cost to serve per order: units x (transport cost per unit of "
                      "its last leg, to the region or to the pickup store, + handling cost per "
                      "unit at the site that fulfilled it), summed over its physical lines (each "
                      "from its own site), mean over the window's delivered physical orders."),
    "pickup_share": ("share", "Orders collected by the customer in a store / orders delivered, "
                     "over the window's inquiries."),
    "split_sourcing_rate": ("share", "Delivered orders of the window whose physical lines were "
                            "fulfilled at more than one site / delivered orders of the window "
                            "with a physical line (orders of lines, distributed order "
                            "management)."),
    "fill_rate": ("share", "Unit fill rate (type 2, beta): units demanded at the decoupling "
                  "buffer that were served from stock on hand at once / units demanded there. "
                  "Undefined (null) without decoupling stock."),
    "order_fill_rate": ("share", "Orders served complete from decoupling stock at once (every "
                        "line of them) / orders that demanded decoupling stock."),
    "otif": ("share", "On time in full: orders delivered complete by their due date (receipt + D) "
             "/ orders and inquiries whose requested date fell before the run's end: accepted "
             "orders due by then, and inquiries still waiting for their quote whose inquiry + D "
             "has passed (open ones count as not on time, so overload cannot raise otif); an "
             "order cancelled because it was late (patience) counts as not on time, one the "
             "customer cancelled on request is left out."),
    "perfect_order": ("share", "SCOR RL.1.1 per order: on time against the commit date (the "
                      "promised date; the requested date where no promise is made: without a "
                      "promise policy, and for inquiries before their quote), in full, invoice "
                      "correct and not returned; judged like otif, on orders and inquiries whose "
                      "commit date fell before the run's end."),
    # Promises (docs/order-life.md): only in runs of a scenario with a promise policy.
    "otif_request": ("share", "On time in full against the requested date (receipt + D): otif."),
    "otif_promise": ("share", "SCOR RL.2.2: orders delivered in full by their promised date / "
                     "orders and inquiries whose commit date (promised, or requested before a "
                     "quote) fell before the run's end; open ones count as not on time."),
    "promise_accuracy": ("share", "Orders delivered within the policy's tolerance_days either side "
                         "of their promised date / orders promised that were delivered, or are "
                         "still open past promise + tolerance at the end."),
    "promise_error": ("days", "Mean of delivered - promised over the window's delivered orders "
                      "(+ = late, - = early)."),
    "cycle_time_mean": ("days", "Order fulfilment cycle time (SCOR RS.1.1), receipt to "
                        "delivery, mean over the orders delivered inside the window (Little's W; "
                        "the basis of wip_mean and throughput_per_day)."),
    "cycle_time_p50": ("days", "Median cycle time (same orders as cycle_time_mean)."),
    "cycle_time_p90": ("days", "90th percentile of cycle time."),
    "cycle_time_p95": ("days", "95th percentile of cycle time."),
    "order_to_cash_mean": ("days", "Receipt to payment received, mean over paid orders (a "
                           "prepaid order is paid before fulfilment; a card is charged at "
                           "billing)."),
    "lateness_mean": ("days", "Mean of max(0, delivered - due) over delivered orders."),
    "backorders_mean": ("units", "Time-average units backordered at the decoupling buffer."),
    "backorders_max": ("units", "Largest number of units backordered at the decoupling buffer."),
    "backorder_orders_mean": ("orders", "Time-average orders waiting for decoupling stock."),
    "backorder_count": ("count", "Orders that had to wait for stock at the decoupling buffer."),
    "backorder_delay_mean": ("days", "Mean wait for decoupling stock over orders that "
                             "demanded it (zero for those served at once)."),
    "inventory_mean": ("units", "Time-average units on hand, all stocked buffers together."),
    "inventory_codp_mean": ("units", "Time-average units on hand at the decoupling buffer."),
    "inventory_value_mean": ("money", "Time-average value on hand (units x unit value)."),
    "wip_mean": ("orders", "Time-average over the window of orders received (not rejected) and "
                 "not yet delivered (nor cancelled), whenever they arrived (Little's L = "
                 "throughput_per_day x cycle_time_mean, up to edge effects that cancel in "
                 "expectation; with cancellations L also holds the cancelled orders' time, so "
                 "L exceeds that product)."),
    "throughput_per_day": ("orders/day", "Orders delivered inside the window per day of the window "
                           "(Little's lambda), whenever they arrived."),
    "cost_holding": ("money", "Holding cost: unit-days on hand x holding cost, per buffer."),
    "cost_backorder": ("money", "Backordered unit-days at the decoupling buffer x penalty."),
    "cost_lost_sales": ("money", "Units of lost, rejected and cancelled orders x lost-sale cost."),
    "cost_labour": ("money", "Staff and servers x paid hours x rate (unlimited ones: busy hours)."),
    "cost_overdue": ("money", "Backorder penalty on orders and inquiries still open at the end "
                     "(whenever they arrived): units x days inside the window from their requested "
                     "date (receipt + D, or inquiry + D before receipt) to the end x penalty; days "
                     "an order spends waiting for decoupling stock are left out (they are in "
                     "cost_backorder)."),
    "cost_transport": ("money", "Units carried on every lane (orders and replenishment, arriving "
                       "inside the window) x the lane's cost per unit."),
    "in_transit_mean": ("units", "Time-average units on lanes (in transit), orders and "
                        "replenishment together."),
    "cost_total": ("money", "Holding + backorder + overdue + lost sales + labour + transport."),
    "days_sales_outstanding": ("days", "Invoice to payment, mean over paid orders; an order "
                               "paid before its invoice (prepaid) counts 0 days: it was never "
                               "owed."),
    "inventory_days_of_supply": ("days", "Inventory units / units delivered per day."),
    "cash_to_cash": ("days", "SCOR AM.1.1: inventory days of supply + days sales outstanding - "
                     "days payables outstanding."),
    "production_lead_time": ("days", "P: expected lead time of the whole chain for an average "
                             "order, no queueing."),
    "demand_lead_time": ("days", "D: the customers' mean demand lead time."),
    "pd_ratio": ("ratio", "P / D (null when D = 0; 0 when P = 0 < D: digital copies)."),
    "utilization": ("share", "Per department and stage: busy server-time / (servers x window); "
                    "null for unlimited ones. Repairs do not count as busy."),
    # Resilience (simulator/resilience.py, docs/events.md): only in runs of a scenario with events.
    "disruptions": ("count", "Occurrences of the scenario's events starting inside the window."),
    "time_to_recover": ("days", "Worst over the disruptions: from an event's end to the first day "
                        "from which rolling OTIF, backlog and backorders stay within their "
                        "pre-event range for 7 days."),
    "peak_backlog": ("orders", "Most orders open on a day from an event's start to its recovery."),
    "peak_backorders": ("units", "Most units backordered at the decoupling stock on a day from "
                        "an event's start to its recovery."),
    "orders_late_event": ("count", "Orders due from an event's start to its recovery that were "
                          "late, minus the pre-event late share of them."),
    "revenue_late_event": ("money", "Revenue (price x quantity) of those late orders, in excess "
                           "of the pre-event share."),
    "orders_lost_event": ("count", "Inquiries from an event's start to its recovery that were "
                          "lost or rejected, minus the pre-event share of them."),
    "revenue_lost_event": ("money", "Revenue of those lost inquiries, in excess of the "
                           "pre-event share."),
    "extra_cost_event": ("money", "Backorder penalty above the pre-event mean and lost-sale cost "
                         "of the excess lost units, from an event's start to its recovery."),
    "time_to_survive": ("days", "Per stock point: days from a supply event's start to its first "
                        "new backorder (shortest over the events)."),
    "time_to_survive_expected": ("days", "Per stock point: the fewest days any item's stock on "
                                 "hand at a supply event's start lasts at the plan's demand rate."),
    "sim_events": ("count", "SimPy events processed by the run."),
    "wall_seconds": ("s", "Wall-clock time of the whole run."),
}


RESILIENCE_KPIS = ("disruptions", "time_to_recover", "peak_backlog", "peak_backorders",
                   "orders_late_event", "revenue_late_event", "orders_lost_event",
                   "revenue_lost_event", "extra_cost_event", "time_to_survive",
                   "time_to_survive_expected")
"""The KPIs of a run of a scenario with events (none without: its KPIs stay as they were)."""
PAYMENT_KPIS = ("card_decline_rate", "fraud_reject_rate", "fraud_review_time_mean")
"""The KPIs of a run of a scenario with payment methods or fraud checks (Scenario.pays)."""
LINE_KPIS = ("lines_per_order", "line_fill_rate", "line_backorder_count", "shipments_per_order",
             "split_shipment_rate", "time_to_first_shipment")
"""The KPIs of a run of a scenario where some customer class orders lines (Scenario.multi_line)."""
PROMISE_KPIS = ("otif_request", "otif_promise", "promise_accuracy", "promise_error")
"""The KPIs of a run of a scenario with a promise policy (steps.pricing.promising)."""
CHANGE_KPIS = ("orders_cancelled", "orders_changed", "cancellation_rate")
"""The KPIs of a run of a scenario whose customers change or cancel orders
(Scenario.changes_orders)."""
DOM_KPIS = ("cost_to_serve", "pickup_share")
"""The KPIs of a run with distributed order management (Scenario.distributes)."""
DOM_LINE_KPIS = ("split_sourcing_rate",)
"""The KPIs of a run with distributed order management and orders of several lines."""
OPTIONAL_KPIS = (*RESILIENCE_KPIS, *PAYMENT_KPIS, *LINE_KPIS, *PROMISE_KPIS, *CHANGE_KPIS,
                 *DOM_KPIS, *DOM_LINE_KPIS)

def reported_optional_kpis(sc) -> tuple[str, ...]:
    """The optional KPIs (:data:`OPTIONAL_KPIS`) a run of scenario ``sc`` reports: those of the
    parts it uses (every other KPI is in every run)."""
    return (*(RESILIENCE_KPIS if sc.events else ()), *(PAYMENT_KPIS if sc.pays else ()),
            *(LINE_KPIS if sc.multi_line else ()),
            *(PROMISE_KPIS if sc.steps.pricing.promising is not None else ()),
            *(CHANGE_KPIS if sc.changes_orders else ()), *(DOM_KPIS if sc.distributes else ()),
            *(DOM_LINE_KPIS if sc.distributes and sc.multi_line else ()))


HIGHER, LOWER, NEITHER = "higher", "lower", "neither"
"""A KPI's direction: higher is better, lower is better, or neither (a setting, a size)."""

_NO_BAND = ("no event in the window, fewer than 7 pre-event days after warm-up, or the run "
            "overloaded before the event (most inquiries never quoted: no steady course to "
            "recover to)")
_PRESENTATION: dict[str, tuple[str, str, str]] = {
    # name: (label, direction, why it can be undefined: what a bare "n/a" would hide)
    "inquiries": ("Inquiries", NEITHER, ""),
    "orders_lost": ("Orders lost", LOWER, ""),
    "orders_rejected": ("Orders rejected", LOWER, ""),
    "orders_delivered": ("Orders delivered", HIGHER, ""),
    "orders_open": ("Orders open", LOWER, ""),
    "orders_cancelled": ("Orders cancelled", LOWER, ""),
    "orders_changed": ("Orders changed", NEITHER, ""),
    "cancellation_rate": ("Cancellation rate", LOWER, "no order of the window was received"),
    "card_decline_rate": ("Card decline rate", LOWER, "no card payment was authorised"),
    "fraud_reject_rate": ("Fraud reject rate", LOWER, "no order was fraud-checked"),
    "fraud_review_time_mean": ("Fraud review time", LOWER, "no order was reviewed for fraud"),
    "lines_per_order": ("Lines per order", NEITHER, "no order of the window was received"),
    "line_fill_rate": ("Line fill rate", HIGHER, "no decoupling stock, or no line demanded it"),
    "line_backorder_count": ("Lines backordered", LOWER, ""),
    "shipments_per_order": ("Shipments per order", LOWER, "no order of the window was delivered"),
    "split_shipment_rate": ("Split shipments", LOWER, "no order of the window was delivered"),
    "time_to_first_shipment": ("Time to first shipment", LOWER,
                               "no order of the window shipped"),
    "cost_to_serve": ("Cost to serve", LOWER, "no physical order of the window was delivered"),
    "pickup_share": ("Pickup in store", NEITHER, "no order of the window was delivered"),
    "split_sourcing_rate": ("Orders split across sites", LOWER,
                            "no physical order of the window was delivered"),
    "fill_rate": ("Fill rate", HIGHER, "no decoupling stock, or no order demanded it"),
    "order_fill_rate": ("Order fill rate", HIGHER, "no decoupling stock, or no order demanded it"),
    "otif": ("OTIF", HIGHER, "no order or inquiry was due before the run's end"),
    "perfect_order": ("Perfect order", HIGHER, "no order or inquiry was due before the run's end"),
    "otif_request": ("OTIF (requested date)", HIGHER,
                     "no order or inquiry was due before the run's end"),
    "otif_promise": ("OTIF (promised date)", HIGHER,
                     "no order or inquiry had its commit date before the run's end"),
    "promise_accuracy": ("Promise accuracy", HIGHER,
                         "no promised order was delivered, nor is overdue beyond the tolerance"),
    "promise_error": ("Promise error", NEITHER, "no promised order of the window was delivered"),
    "cycle_time_mean": ("Mean cycle time", LOWER, "no order was delivered in the window"),
    "cycle_time_p50": ("Cycle time p50", LOWER, "no order was delivered in the window"),
    "cycle_time_p90": ("Cycle time p90", LOWER, "no order was delivered in the window"),
    "cycle_time_p95": ("Cycle time p95", LOWER, "no order was delivered in the window"),
    "order_to_cash_mean": ("Order to cash", LOWER, "no order of the window was paid"),
    "lateness_mean": ("Mean lateness", LOWER, "no order of the window was delivered"),
    "backorders_mean": ("Backorders", LOWER, ""),
    "backorders_max": ("Most backorders", LOWER, ""),
    "backorder_orders_mean": ("Orders waiting for stock", LOWER, ""),
    "backorder_count": ("Orders backordered", LOWER, ""),
    "backorder_delay_mean": ("Backorder delay", LOWER, "no order demanded decoupling stock"),
    "inventory_mean": ("Inventory", LOWER, ""),
    "inventory_codp_mean": ("Stock at CODP", LOWER, ""),
    "inventory_value_mean": ("Inventory value", LOWER, ""),
    "wip_mean": ("Work in progress", LOWER, ""),
    "throughput_per_day": ("Throughput", HIGHER, ""),
    "cost_holding": ("Holding cost", LOWER, ""),
    "cost_backorder": ("Backorder cost", LOWER, ""),
    "cost_lost_sales": ("Lost-sales cost", LOWER, ""),
    "cost_labour": ("Labour cost", LOWER, ""),
    "cost_overdue": ("Overdue cost", LOWER, ""),
    "cost_transport": ("Transport cost", LOWER, ""),
    "in_transit_mean": ("In transit", NEITHER, ""),
    "cost_total": ("Total cost", LOWER, ""),
    "days_sales_outstanding": ("Days sales outstanding", LOWER, "no order of the window was paid"),
    "inventory_days_of_supply": ("Inventory days of supply", LOWER,
                                 "nothing was delivered in the window"),
    "cash_to_cash": ("Cash to cash", LOWER,
                     "no order of the window was paid, or nothing was delivered"),
    "production_lead_time": ("P (production lead time)", NEITHER, ""),
    "demand_lead_time": ("D (demand lead time)", NEITHER, ""),
    "pd_ratio": ("P:D", NEITHER, "D = 0: customers want delivery at once; with P = 0 too "
                 "(digital copies) it is 0 / 0, nothing to compare"),
    "utilization": ("Utilisation", NEITHER, "unlimited capacity: a pure delay has no utilisation"),
    "disruptions": ("Disruptions", NEITHER, ""),
    "time_to_recover": ("Time to recover", LOWER, _NO_BAND + ", or never recovered within the "
                        "horizon"),
    "peak_backlog": ("Peak backlog", LOWER, _NO_BAND),
    "peak_backorders": ("Peak backorders", LOWER, _NO_BAND),
    "orders_late_event": ("Orders late (event)", LOWER, _NO_BAND),
    "revenue_late_event": ("Revenue late (event)", LOWER, _NO_BAND),
    "orders_lost_event": ("Orders lost (event)", LOWER, _NO_BAND),
    "revenue_lost_event": ("Revenue lost (event)", LOWER, _NO_BAND),
    "extra_cost_event": ("Extra cost (event)", LOWER, _NO_BAND),
    "time_to_survive": ("Time to survive", HIGHER, "no backorder before the horizon's end"),
    "time_to_survive_expected": ("Time to survive (expected)", HIGHER,
                                 "no demand reaches the stock point"),
    "sim_events": ("Simulated events", NEITHER, ""),
    "wall_seconds": ("Wall time", NEITHER, ""),
}
# KPIs that can be negative: payables can outlast the rest; an order can arrive before its
# promise; an event's excess over the
# pre-event rate is noise around zero when it did little.
_SIGNED = {"cash_to_cash", "promise_error", "orders_late_event", "revenue_late_event", "orders_lost_event",
           "revenue_lost_event", "extra_cost_event"}


@dataclass(frozen=True)
class KPI:
    """One KPI's metadata: what the CLI, the dashboard, the charts and the reports show of it."""

    name: str
    label: str
    unit: str
    direction: str
    definition: str
    undefined: str
    """Why the KPI can be undefined (shown with "n/a"); empty if it never is."""
    low: float | None
    high: float | None
    """The range the KPI lives in: an interval is never drawn or printed beyond it."""


KPIS: dict[str, KPI] = {
    name: KPI(name=name, label=label, unit=unit, direction=direction, definition=definition,
              undefined=undefined, low=None if name in _SIGNED else 0.0,
              high=1.0 if unit == "share" else None)
    for name, (unit, definition) in KPI_DEFINITIONS.items()
    for label, direction, undefined in [_PRESENTATION[name]]
}
"""The KPI registry: label, unit, direction, definition and range of every KPI, in report order."""


WARNING_CODES: dict[str, str] = {
    # code: what it means. Every warning is {"code", "resource", "figure", "message"}.
    "overload": "A department or stage is offered load >= 1 (work arriving per day / server-days "
                "available per day, from the scenario and the run's quote acceptance, see "
                "simulator/load.py): its queue grows without bound, so every KPI it touches "
                "depends on the run length. figure = the offered load.",
    "demand_turned_away": "Offered load >= 1 if every quote were accepted, but below 1 at the "
                          "run's quote acceptance: the resource keeps up only because customers "
                          "refuse the lead times it makes the firm quote (see orders_lost). "
                          "figure = the load with every quote accepted.",
    "peak_overload": "Offered load below 1 on average but >= 1 at the seasonal peak (demand rate "
                     "x (1 + amplitude)): queues build up every season and drain after. "
                     "figure = the peak load.",
    "backlog": "The run shows work piling up: cases queued or in work at a department or stage "
               f"at the end are at least {BACKLOG_MIN_CASES} and more than {BACKLOG_SHARE:.0%} of "
               "what it served in the window. figure = the open cases.",
    "run_too_short": "The window is too short for its numbers: the horizon is shorter than the "
                     f"warm-up, or than {RUN_LENGTH_FACTOR} x the 95th percentile cycle time, or "
                     f"(without an overload or backlog to explain it) more than {OPEN_SHARE:.0%} "
                     "of the window's inquiries are still open at the end. figure = horizon days.",
}
"""The registry of run warnings (``RunResult.warnings``, ``kpis["warnings"]``)."""


def delivered_in_window(orders: pd.DataFrame, t0: float, t1: float) -> pd.Series:
    """The orders the flow KPIs (cycle time, throughput) are measured on: delivered in [t0, t1]."""
    return (orders["status"] == "delivered") & (orders["delivered"] >= t0) & (orders["delivered"] <= t1)


def _share(num: float, den: float) -> float:
    return num / den if den > 0 else float("nan")


def _quantile(values: np.ndarray, q: float) -> float:
    return float(np.quantile(values, q)) if len(values) else float("nan")


def compute_kpis(r: RunView) -> dict:
    sc = r.scenario
    t0, t1 = sc.warmup_days, sc.warmup_days + sc.horizon_days
    length = t1 - t0
    orders = r.orders
    cohort = orders[orders["inquiry"] >= t0]
    status = cohort["status"]
    delivered = cohort[status == "delivered"]
    k: dict = {
        "scenario": sc.name,
        "strategy": sc.strategy,
        "decoupling_point": sc.codp,
        "seed": r.seed if isinstance(r.seed, int) else list(r.seed),
        "inquiries": len(cohort),
        "orders_lost": int((status == "lost").sum()),
        "orders_rejected": int((status == "rejected").sum()),
        "orders_delivered": len(delivered),
        "orders_open": int((status == "open").sum()),
    }
    if sc.pays:
        k.update(_payment_kpis(r, cohort))
    if sc.multi_line:
        k.update(_line_kpis(r, cohort, delivered))
    if sc.changes_orders:
        cancelled = int((status == "cancelled").sum())
        k["orders_cancelled"] = cancelled
        k["orders_changed"] = int(cohort["changed"].sum())
        k["cancellation_rate"] = _share(cancelled, int(cohort["received"].notna().sum()))
    if sc.distributes:
        served = delivered["cost_to_serve"].dropna()
        k["cost_to_serve"] = float(served.mean()) if len(served) else float("nan")
        k["pickup_share"] = _share(int(delivered["pickup"].sum()), len(delivered))
        if sc.multi_line:
            sites = _line_sites(r, delivered)
            k["split_sourcing_rate"] = _share(int((sites.groupby("order")["site"].nunique()
                                                   > 1).sum()), sites["order"].nunique())

    demanded = cohort[cohort["units_requested"] > 0]
    k["fill_rate"] = _share(demanded["units_from_stock"].sum(), demanded["units_requested"].sum())
    k["order_fill_rate"] = _share(
        (demanded["units_from_stock"] == demanded["units_requested"]).sum(), len(demanded))

    # The requested date: receipt + D, or inquiry + D for inquiries stuck before receipt.
    requested = cohort["due"].fillna(cohort["inquiry"] + cohort["demand_lead_time"])
    # A late order the customer gave up on is a service failure: judged, never on time.
    judged = (status.isin(["delivered", "open"]) | (cohort["cancelled_for"] == "patience")) \
        & (requested <= t1)
    on_time = ((status == "delivered") & (cohort["delivered"] <= cohort["due"] + 1e-9))[judged]
    k["otif"] = _share(on_time.sum(), judged.sum())
    # SCOR judges "on time" against the commit date: the promise where one was made. Without
    # a promise policy the firm commits to the requested date (promised = due), so then this
    # is otif's date and perfect_order is 0.1's.
    commit = cohort["promised"].fillna(requested)
    committed = status.isin(["delivered", "open"]) & (commit <= t1)
    kept = ((status == "delivered") & (cohort["delivered"] <= commit + 1e-9))[committed]
    perfect = kept & ~cohort["invoice_error"][committed] & ~cohort["returned"][committed]
    k["perfect_order"] = _share(perfect.sum(), committed.sum())
    policy = sc.steps.pricing.promising
    if policy is not None:
        k["otif_request"] = k["otif"]
        k["otif_promise"] = _share(kept.sum(), committed.sum())
        k.update(_promise_kpis(cohort, t1, policy.tolerance_days))
    flow = orders[delivered_in_window(orders, t0, t1)]
    ct = (flow["delivered"] - flow["received"]).to_numpy()
    k["cycle_time_mean"] = float(ct.mean()) if len(ct) else float("nan")
    for q in (50, 90, 95):
        k[f"cycle_time_p{q}"] = _quantile(ct, q / 100)
    paid = cohort[cohort["paid"].notna()]
    k["order_to_cash_mean"] = float((paid["paid"] - paid["received"]).mean()) if len(paid) \
        else float("nan")
    k["lateness_mean"] = float(np.maximum(0, delivered["delivered"] - delivered["due"]).mean()) \
        if len(delivered) else float("nan")

    # Backorders and inventory from the level log.
    lv = r.level_columns
    plan = r.plan
    codp_points = plan.codp_points
    back_mean = waiting_mean = 0.0
    inventory: dict[str, float] = {}
    codp_inventory = 0.0
    value = 0.0
    by_stock_point = {
        name: {"site": sp.site, "inventory_mean": 0.0, "inventory_value_mean": 0.0,
               "backorders_mean": 0.0, "cost_holding": 0.0}
        for name, sp in plan.stock_points.items() if sp.active}
    for key, (buffer, item) in enumerate(r.level_keys):
        sel = lv["key"] == key
        times = lv["time"][sel]
        initial = r.initial_stock[buffer][item]
        on_hand, _ = time_average(times, lv["on_hand"][sel], initial, t0, t1)
        inventory[buffer] = inventory.get(buffer, 0.0) + on_hand
        value += on_hand * plan.item_value(buffer, item)
        backordered = time_average(times, lv["backordered"][sel], 0.0, t0, t1)[0]
        point = by_stock_point[buffer]
        point["inventory_mean"] += on_hand
        point["inventory_value_mean"] += on_hand * plan.item_value(buffer, item)
        point["backorders_mean"] += backordered
        point["cost_holding"] += on_hand * plan.stock_points[buffer].holding_cost * length
        if item in codp_points.get(buffer, ()):
            codp_inventory += on_hand
            back_mean += backordered
            waiting_mean += time_average(times, lv["waiting"][sel], 0.0, t0, t1)[0]
    k["backorders_mean"] = back_mean
    k["backorders_max"] = _codp_backorder_max(r, t0, t1)
    k["backorder_orders_mean"] = waiting_mean
    k["backorder_count"] = int((demanded["units_from_stock"] < demanded["units_requested"]).sum())
    k["backorder_delay_mean"] = float(demanded["stock_wait"].mean()) if len(demanded) \
        else float("nan")
    k["inventory_mean"] = float(sum(inventory.values()))
    k["inventory_codp_mean"] = float(codp_inventory)
    k["inventory_by_buffer"] = inventory
    k["inventory_value_mean"] = value

    rec = orders.dropna(subset=["received"])
    rec = rec[rec["status"] != "rejected"]
    ends = rec["delivered"].fillna(rec["cancelled"]).fillna(t1).clip(upper=t1).to_numpy()
    starts = rec["received"].clip(lower=t0).to_numpy()
    k["wip_mean"] = float(np.maximum(0, ends - starts).sum() / length)
    k["throughput_per_day"] = len(flow) / length

    # Costs.
    holding = sum(inventory.get(b, 0.0) * plan.stock_points[b].holding_cost
                  for b in inventory) * length
    backorder = back_mean * length * sc.costs.backorder_per_unit_day
    lost_units = cohort.loc[status.isin(["lost", "rejected", "cancelled"]), "units"].sum()
    lost = float(lost_units) * sc.costs.lost_sale_per_unit
    util, labour, busy = _utilisation_and_labour(r, t0, t1)
    overdue = _overdue_unit_days(r, t0, t1) * sc.costs.backorder_per_unit_day
    lane_cost, in_transit = _transport(r, t0, t1)
    transport = float(sum(lane_cost.values()))
    k.update(cost_holding=holding, cost_backorder=backorder, cost_overdue=overdue,
             cost_lost_sales=lost, cost_labour=labour, cost_transport=transport,
             cost_total=holding + backorder + overdue + lost + labour + transport)
    k["in_transit_mean"] = in_transit

    # Days owed: a prepaid order (paid before its invoice) was never owed.
    dso = float(np.maximum(0, paid["paid"] - paid["invoiced"]).mean()) if len(paid) \
        else float("nan")
    units_per_day = delivered["units"].sum() / length
    dis = _share(k["inventory_mean"], units_per_day)
    k["days_sales_outstanding"] = dso
    k["inventory_days_of_supply"] = dis
    k["cash_to_cash"] = dis + dso - sc.costs.supplier_payment_days

    k["production_lead_time"] = plan.production_lead_time
    k["demand_lead_time"] = sc.mean_demand_lead_time
    k["pd_ratio"] = plan.pd_ratio
    k["utilization"] = util
    k["by_stock_point"] = by_stock_point
    k["by_site"] = _by_site(r, flow, by_stock_point, busy, lane_cost)
    k["sim_events"] = r.sim_events
    k["wall_seconds"] = r.wall_seconds
    k["warnings"] = run_warnings(r, k)
    return k


def _line_kpis(r: RunView, cohort: pd.DataFrame, delivered: pd.DataFrame) -> dict:
    """Lines and shipments of the window's orders (docs/order-life.md, "Lines and shipping")."""
    lines = r.lines[r.lines["order"].isin(cohort["id"])]
    demanded = lines[lines["units_requested"] > 0]
    received = cohort[cohort["received"].notna()]
    shipped = cohort[cohort["first_shipment"].notna()]
    return {
        "lines_per_order": float(received["line_count"].mean()) if len(received)
        else float("nan"),
        "line_fill_rate": _share(
            int((demanded["units_from_stock"] == demanded["units_requested"]).sum()),
            len(demanded)),
        "line_backorder_count": int((demanded["units_from_stock"]
                                     < demanded["units_requested"]).sum()),
        "shipments_per_order": float(delivered["shipments"].mean()) if len(delivered)
        else float("nan"),
        "split_shipment_rate": _share(int((delivered["shipments"] > 1).sum()), len(delivered)),
        "time_to_first_shipment": float((shipped["first_shipment"] - shipped["received"]).mean())
        if len(shipped) else float("nan"),
    }


def _line_sites(r: RunView, orders: pd.DataFrame) -> pd.DataFrame:
    """The physical lines of ``orders`` (order, site): a digital line has no site."""
    lines = r.lines[r.lines["order"].isin(orders["id"])]
    return lines.loc[lines["site"] != "", ["order", "site"]]


def _payment_kpis(r: RunView, cohort: pd.DataFrame) -> dict:
    """Card declines, fraud rejections and fraud review time of the window's inquiries, from
    the records of their card authorisations, fraud checks and reviews."""
    c = r.step_columns
    mine = np.isin(c["case"], cohort["id"].to_numpy())

    def records(activity):
        code = r.activity_names.index(activity)
        return mine & (c["activity"] == code)

    why = cohort["rejected_for"]
    reviews = records("fraud review")
    review_time = (c["end"] - c["queued"])[reviews]
    return {
        "card_decline_rate": _share(int((why == "card declined").sum()),
                                    int(records("card authorisation").sum())),
        "fraud_reject_rate": _share(int((why == "fraud").sum()), int(records("fraud check").sum())),
        "fraud_review_time_mean": float(review_time.mean()) if len(review_time) else float("nan"),
    }


def _promise_kpis(cohort: pd.DataFrame, t1: float, tolerance: float) -> dict:
    """Promise accuracy and error of the window's promised orders. An order still open at the
    end past its promise + tolerance cannot be accurate any more: it counts as a miss (so
    overload cannot raise the accuracy); one open within it is not judged yet."""
    promised = cohort["promised"]
    delivered = (cohort["status"] == "delivered") & promised.notna()
    error = (cohort["delivered"] - promised)[delivered]
    judged = delivered | ((cohort["status"] == "open") & (promised + tolerance < t1))
    return {
        "promise_accuracy": _share(int((error.abs() <= tolerance + 1e-9).sum()), int(judged.sum())),
        "promise_error": float(error.mean()) if len(error) else float("nan"),
    }


# ---------------------------------------------------------------- warnings


def _warning(code: str, resource: str | None, figure: float, message: str) -> dict:
    return {"code": code, "resource": resource, "figure": figure, "message": message}


def load_warnings(scenario, acceptance: float | None = None) -> list[dict]:
    """``overload``, ``demand_turned_away`` and ``peak_overload`` warnings from the scenario alone.

    ``acceptance``: the share of quotes accepted in a run (:func:`quote_acceptance`); None before
    a run, when every quote counts as accepted (the most work that can arrive)."""
    offered = offered_load(scenario)
    faced = offered if acceptance is None else offered_load(scenario, acceptance)
    out = []
    for name, ld in faced.items():
        if not ld.limited:
            continue
        full = offered[name]
        if ld.load >= 1:
            out.append(_warning("overload", name, ld.load,
                                f"{name}: offered load {ld.load:.2f} ({ld.describe()})"))
        elif full.load >= 1:
            out.append(_warning("demand_turned_away", name, full.load,
                                f"{name}: offered load {full.load:.2f} if every quote were "
                                f"accepted, {ld.load:.2f} as customers accepted {acceptance:.0%} "
                                f"of quotes ({full.describe()})"))
        elif ld.peak_load >= 1:
            out.append(_warning("peak_overload", name, ld.peak_load,
                                f"{name}: offered load {ld.load:.2f}, {ld.peak_load:.2f} at the "
                                f"seasonal peak ({ld.describe()})"))
    return out


def quote_acceptance(r: RunView) -> float:
    """Share of the window's quoted inquiries whose quote was accepted (1 if none was quoted)."""
    cohort = r.orders[r.orders["inquiry"] >= r.scenario.warmup_days]
    lost = int((cohort["status"] == "lost").sum())
    quoted = lost + int(cohort["received"].notna().sum())
    return 1 - lost / quoted if quoted else 1.0


def run_warnings(r: RunView, k: dict) -> list[dict]:
    """Every warning about one run (see :data:`WARNING_CODES`)."""
    sc = r.scenario
    t0, t1 = sc.warmup_days, sc.warmup_days + sc.horizon_days
    out = load_warnings(sc, quote_acceptance(r))
    served = _served(r, t0, t1)
    for name, open_cases in r.open_work.items():
        n = served.get(name, 0)
        # A station that keeps a calendar gathers a closure's arrivals (a weekend's) by right.
        st = r.plan.stations.get(name)
        closed = r.plan.clocks[st.calendar].longest_closure if st and st.calendar else 0.0
        allowed = BACKLOG_SHARE * n + n / (t1 - t0) * closed
        if open_cases >= BACKLOG_MIN_CASES and open_cases > allowed:
            out.append(_warning("backlog", name, open_cases,
                                f"{name}: {open_cases:,} cases waiting or in work at the end of the "
                                f"run, against {n:,} finished in the {t1 - t0:g}-day window"))
    short = []
    if sc.horizon_days < sc.warmup_days:
        short.append(f"the horizon ({sc.horizon_days:g} d) is shorter than the warm-up "
                     f"({sc.warmup_days:g} d)")
    p95 = k["cycle_time_p95"]
    if math.isfinite(p95) and sc.horizon_days < RUN_LENGTH_FACTOR * p95:
        short.append(f"the horizon ({sc.horizon_days:g} d) is under {RUN_LENGTH_FACTOR} x the "
                     f"95th percentile cycle time ({p95:.1f} d)")
    open_share = _share(k["orders_open"], k["inquiries"])
    if not out and open_share > OPEN_SHARE:
        short.append(f"{open_share:.0%} of the window's inquiries are still open at the end")
    if short:
        out.append(_warning("run_too_short", None, sc.horizon_days,
                            "run too short: " + "; ".join(short)))
    return out


def _served(r: RunView, t0: float, t1: float) -> dict[str, int]:
    """Cases each department and stage finished working on inside the window."""
    count = np.zeros(len(r.resource_names), dtype=np.int64)
    # Neither a repair nor an acknowledgement or a re-quote (messages) is a case served.
    not_cases = [r.activity_names.index(a) for a in ("repair", ACKNOWLEDGE, REQUOTE)
                 if a in r.activity_names]
    for cols in (r.step_columns, r.job_columns):
        keep = ((cols["end"] >= t0) & (cols["end"] <= t1) & ~np.isin(cols["activity"], not_cases)
                & ~np.isin(cols["reason"], _NOT_SERVED))
        count += np.bincount(cols["resource"][keep], minlength=len(count))[: len(count)]
    return {name: int(count[i]) for i, name in enumerate(r.resource_names)}


def _overdue_unit_days(r: RunView, t0: float, t1: float) -> float:
    """Units x days past the requested date inside the window [t0, t1] of every order and inquiry
    still open at the end (whenever it arrived); an order waiting for decoupling stock at the end
    counts only until that wait began (the wait is in the backorder cost)."""
    o = r.orders
    requested = o["due"].fillna(o["inquiry"] + o["demand_lead_time"]).to_numpy()
    open_ = (o["status"] == "open").to_numpy() & (requested < t1)
    ids = o["id"].to_numpy()[open_]
    stop = np.full(len(ids), t1)
    if r.plan.codp_points and "schedule" in r.activity_names:
        # Scheduling is the step right before the stock wait; the wait is recorded when it ends.
        c = r.step_columns
        sched = c["activity"] == r.activity_names.index("schedule")
        since = np.full(len(o), np.nan)
        since[c["case"][sched]] = c["end"][sched]
        waiting = np.isnan(o["stock_wait"].to_numpy()[ids]) & ~np.isnan(since[ids])
        stop[waiting] = np.minimum(since[ids][waiting], t1)
    days = np.clip(stop - np.maximum(requested[open_], t0), 0, None)
    return float(np.dot(days, o["units"].to_numpy()[open_]))


def _codp_backorder_max(r: RunView, t0: float, t1: float) -> float:
    """Exact maximum of total backordered units at the decoupling buffer over the window."""
    lv = r.level_columns
    points = r.plan.codp_points
    keys = [i for i, (b, item) in enumerate(r.level_keys) if item in points.get(b, ())]
    sel = np.isin(lv["key"], keys)
    times, key, back = lv["time"][sel], lv["key"][sel].astype(int), lv["backordered"][sel]
    if not len(times):
        return 0.0
    # The total is the running sum of each item's changes (rows are in time order).
    delta = np.empty(len(back))
    for kk in keys:
        rows = key == kk
        delta[rows] = np.diff(back[rows], prepend=0.0)
    total = np.cumsum(delta)
    return time_average(times, total, 0.0, t0, t1)[1]


def _utilisation_and_labour(r: RunView, t0: float, t1: float) -> tuple[dict, float, dict]:
    """Busy share of each station's open time in the window (a station with a calendar counts
    only its open hours, busy and available), and labour cost."""
    sc = r.scenario
    plan = r.plan
    length = t1 - t0
    busy = np.zeros(len(r.resource_names))
    repair = r.activity_names.index("repair") if "repair" in r.activity_names else -2
    clocks = {r.resource_names.index(n): plan.clocks[st.calendar]
              for n, st in plan.stations.items() if st.calendar is not None}
    for cols in (r.step_columns, r.job_columns):
        keep = cols["activity"] != repair
        overlap = np.clip(np.minimum(cols["end"], t1) - np.maximum(cols["start"], t0), 0, None)
        for code, clock in clocks.items():  # work pauses while closed: count open hours only
            rows = np.flatnonzero(keep & (cols["resource"] == code) & (overlap > 0))
            for i in rows:
                overlap[i] = clock.open_time(max(cols["start"][i], t0), min(cols["end"][i], t1))
        busy += np.bincount(cols["resource"][keep], weights=overlap[keep],
                            minlength=len(busy))[: len(busy)]
    hours = sc.costs.hours_per_day
    util, labour = {}, 0.0
    capacity_days: dict[str, float] = {}
    for name, st in plan.stations.items():
        capacity, rate = st.servers, st.cost_per_hour
        code = r.resource_names.index(name)
        b = busy[code]
        if capacity:
            available = clocks[code].open_time(t0, t1) if code in clocks else length
            util[name] = float(b / (capacity * available)) if available > 0 else float("nan")
            capacity_days[name] = capacity * available
            labour += capacity * length * hours * rate
        else:
            util[name] = float("nan")
            labour += b * 24 * rate  # unlimited: paid for busy hours only
    busy_by_name = {name: (float(busy[r.resource_names.index(name)]), capacity_days.get(name))
                    for name in plan.stations}
    return util, labour, busy_by_name


def _transport(r: RunView, t0: float, t1: float) -> tuple[dict[str, float], float]:
    """Cost per lane of the units it carried (shipments arriving inside the window), and the
    time-average units in transit over the window, orders and replenishment together."""
    plan = r.plan
    length = t1 - t0
    cost: dict[str, float] = {}
    in_transit = 0.0
    for name, st in plan.stations.items():
        if st.kind is not Kind.LANE:
            continue
        code = r.resource_names.index(name)
        sh = r.shipment_columns
        sel = sh["lane"] == code
        units, start, end = sh["units"][sel], sh["start"][sel], sh["end"][sel]
        arrived = (end >= t0) & (end <= t1)
        cost[name] = st.cost_per_unit * float(units[arrived].sum())
        overlap = np.clip(np.minimum(end, t1) - np.maximum(start, t0), 0, None)
        in_transit += float(np.dot(units, overlap)) / length
    return cost, in_transit


def _by_site(r: RunView, flow: pd.DataFrame, by_stock_point: dict, busy: dict,
             lane_cost: dict) -> dict:
    """Per site (plants, distribution centres, stores): stock held there, how busy its work
    centres were (busy / available server-days, unlimited ones left out), the transport cost of
    the lanes leaving it and the orders it shipped in the window; with distributed order
    management the site each order was fulfilled at, and its share of the window's orders.
    With orders of lines and distributed order management an order counts at every site that
    fulfilled a line of it, and the share is of the orders' physical lines (so shares still
    add up to 1 when orders are split across sites)."""
    plan = r.plan
    out = {}
    distributes = r.scenario.distributes
    per_line = distributes and r.scenario.multi_line
    if per_line:
        lines = _line_sites(r, flow)
        line_sites = lines["site"].astype(str)
        shipped = lines.drop_duplicates()["site"].astype(str)
    else:
        shipped = (flow["site"].astype(str) if distributes else
                   flow["region"].astype(str).map({n: reg.site for n, reg in plan.regions.items()}))
    for site in (s for s, spec in plan.network.sites.items() if spec.kind != "supplier"):
        points = [p for p in by_stock_point.values() if p["site"] == site]
        centres = [busy[n] for n, st in plan.stations.items()
                   if st.kind is Kind.WORK_CENTER and st.site == site and busy[n][1]]
        out[site] = {
            "inventory_mean": sum(p["inventory_mean"] for p in points),
            "inventory_value_mean": sum(p["inventory_value_mean"] for p in points),
            "utilization": (sum(b for b, _ in centres) / sum(c for _, c in centres)
                            if centres else float("nan")),
            "cost_transport": sum(c for lane, c in lane_cost.items()
                                  if plan.stations[lane].site == site),
            "orders_shipped": int((shipped == site).sum()),
        }
        if per_line:
            out[site]["share_fulfilled"] = _share(int((line_sites == site).sum()), len(lines))
        elif distributes:
            out[site]["share_fulfilled"] = _share(out[site]["orders_shipped"], len(flow))
    return out


def finite_or_none(value):
    """A value JSON can hold, the one helper for it: NaN and infinity (an undefined KPI) become
    null, numpy scalars plain Python ones; mappings and lists are converted all through."""
    if isinstance(value, dict):
        return {k: finite_or_none(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_or_none(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    return value


def flat_kpis(kpis: dict) -> dict:
    """KPIs as one flat mapping, the one flattener: a nested mapping (utilisation per department
    and stage, inventory per buffer) becomes ``name.key`` entries; other values are kept."""
    row: dict[str, object] = {}
    for name, value in kpis.items():
        if isinstance(value, dict):
            row.update((f"{name}.{sub}", v) for sub, v in value.items())
        else:
            row[name] = value
    return row


def registry_name(kpi: str) -> str:
    """The registry entry of a KPI column: ``utilization.assembly`` -> ``utilization``."""
    return kpi if kpi in KPIS else kpi.split(".")[0]


def kpi_table(kpis: dict) -> pd.DataFrame:
    """The registry's KPIs as a tidy table (kpi, label, value, unit, definition), in registry
    order, nested ones flattened (``utilization.assembly``)."""
    flat = flat_kpis({name: kpis.get(name) for name in KPIS
                      if name in kpis or name not in OPTIONAL_KPIS})
    rows = []
    for key, value in flat.items():
        k = KPIS[registry_name(key)]
        sub = key[len(k.name) + 1:]
        rows.append((key, f"{k.label}: {sub}" if sub else k.label, value, k.unit, k.definition))
    return pd.DataFrame(rows, columns=["kpi", "label", "value", "unit", "definition"])
