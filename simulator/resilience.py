"""Resilience KPIs of one run: how far each disruption pushed the run off its course, how long it
took to come back, what it cost, and how long each stock point's stock lasted (docs/events.md).

Read from the run's orders, levels and time series only. Definitions, per occurrence of an
event that starts inside the measured window (after warm-up, before the horizon's end):

- **Daily indicators** (each day's end): *rolling OTIF*, the share of accepted orders due in the
  last ``window`` days that were delivered by their due date (open ones count as late, and so
  does an inquiry never quoted, at inquiry + D, as in kpis' otif; no order due: undefined, read
  as within band); *backlog*, orders received and not yet delivered;
  *backorders*, units waiting at the decoupling stock.
- **Pre-event band**: the ``baseline`` days before the event's start (after warm-up; fewer
  than ``window`` such days: every KPI of the occurrence is undefined; likewise when more than
  :data:`OVERLOAD_SHARE` of the band's inquiries were never quoted by the horizon's end: the run
  is overloaded before the event, with no steady course to recover to). The band is the range
  the indicators had then: rolling OTIF at least its lowest, backlog and backorders at most
  their highest.
- **Time to recover**: from the event's end to the first day at or after it from which all
  three indicators stay inside the band for ``window`` days; undefined when that never happens
  within the horizon (never a flattering number: "not recovered").
- **Impact window**: the event's start to its recovery (to the horizon's end, or the next
  occurrence's start, if sooner).
- **Peak backlog / backorders**: the highest daily value in the impact window.
- **Orders late (lost) because of the event**: orders due (inquiries) in the impact window that
  were late (lost or rejected), minus what the pre-event share would have made late (lost)
  of them; **revenue** the same with each order's price x quantity summed over its lines
  (:func:`order_revenue`). An excess can be negative (noise; the CRN comparison with the same
  seed without the event is sharper). Lost units count every line's (``units``).
- **Extra cost**: backorder penalty on the backordered unit-days above the pre-event mean in the
  impact window, plus the lost-sale cost of the excess lost units (holding and labour are not
  counted: compare cost_total with and without the event for those).
- **Time to survive**, per stock point, of an event that cuts supply (every effect but demand):
  *expected*, the fewest days any of its items lasts on the stock on hand at the start at the
  plan's demand rate on it; *measured*, days from the start to its first new backorder
  (undefined if none before the horizon's end).

Per run (the KPI dict): the worst time to recover (undefined if any occurrence never recovered),
the highest peaks, the sums of the excesses, and the shortest times to survive.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .records import step_values_at

if TYPE_CHECKING:
    from .records import RunView

BASELINE_DAYS = 28
"""Days before an event that set its pre-event band."""
WINDOW_DAYS = 7
"""Days of the rolling OTIF, and days the indicators must stay in band to count as recovered."""

WHY_UNDEFINED = "why_undefined"
"""The key of a run's KPI dict that holds, for each of its undefined resilience KPIs, the run's
own reason (``{"time_to_recover": "overloaded before the event: ..."}``; nested KPIs by their
flat name, ``time_to_survive.plant``): what an n/a says instead of the registry's list of
possible reasons (:func:`simulator.format.explain_na`)."""

OVERLOAD_SHARE = 0.1
"""More than this share of the pre-event band's inquiries never quoted by the horizon's end: the
run is overloaded before the event, and its resilience KPIs are undefined."""

NAN = float("nan")
SUPPLY_EFFECTS = ("outage", "late", "stop", "staff", "closed")

EVENT_COLUMNS = ["event", "effect", "target", "start", "end"]


def events_frame(events: list[tuple]) -> pd.DataFrame:
    """The run's disruptions as a table: event, effect, target, start, end."""
    return pd.DataFrame(events, columns=EVENT_COLUMNS)


def _judged(o: pd.DataFrame) -> np.ndarray:
    """Orders judged on time or late: accepted, and not cancelled on the customer's request or
    because the customer refused a re-quote (an order cancelled because it was late counts, as
    late: see kpis.otif)."""
    return (o["due"].notna().to_numpy() & (o["status"] != "rejected").to_numpy()
            & ~o["cancelled_for"].isin(["customer", "quote"]).to_numpy())


def order_revenue(r: RunView) -> np.ndarray:
    """Each order's revenue: price x quantity summed over its lines (one line: the order's
    product x quantity)."""
    o = r.orders
    price = {p: s.price for p, s in r.scenario.products.items()}
    revenue = (o["product"].map(price).astype(float) * o["quantity"]).to_numpy(copy=True)
    ln = r.lines
    if len(ln):  # a multi-line run: every line's, in the order's row
        per_order = (ln["product"].astype(str).map(price).astype(float)
                     * ln["quantity"]).groupby(ln["order"].to_numpy()).sum()
        pos = o["id"].to_numpy()
        have = np.isin(pos, per_order.index.to_numpy())
        revenue[have] = per_order.reindex(pos[have]).to_numpy()
    return revenue


def _never_quoted(o: pd.DataFrame) -> np.ndarray:
    """Inquiries still waiting for their quote at the run's end (open, no due date)."""
    return (o["status"] == "open").to_numpy() & o["due"].isna().to_numpy()


def daily_indicators(r: RunView, timeseries: pd.DataFrame, window: int = WINDOW_DAYS) -> pd.DataFrame:
    """day, otif_rolling, backlog, backorders: the indicators recovery is judged on."""
    days = timeseries["day"].to_numpy()
    o = r.orders
    accepted = _judged(o)
    # Judged like kpis' otif: an inquiry never quoted is late at its requested date (inquiry +
    # D), so an overloaded quoting step reads as failing, not as a trickle of perfect orders.
    stuck = _never_quoted(o)
    due = np.concatenate((o["due"].to_numpy()[accepted],
                          (o["inquiry"] + o["demand_lead_time"]).to_numpy()[stuck]))
    late = np.concatenate((~(o["delivered"].to_numpy()[accepted]
                             <= o["due"].to_numpy()[accepted] + 1e-9),  # open ones are late
                           np.ones(int(stuck.sum()), dtype=bool)))
    order = np.argsort(due, kind="stable")
    due, late = due[order], late[order]
    cum_late = np.concatenate(([0], np.cumsum(late)))
    hi = np.searchsorted(due, days, side="right")
    lo = np.searchsorted(due, days - window, side="right")
    count = hi - lo
    with np.errstate(invalid="ignore", divide="ignore"):
        otif = np.where(count > 0, 1 - (cum_late[hi] - cum_late[lo]) / np.maximum(count, 1), NAN)
    return pd.DataFrame({"day": days, "otif_rolling": otif,
                         "backlog": timeseries["wip"].to_numpy(),
                         "backorders": timeseries["backorders"].to_numpy()})


@dataclass
class Resilience:
    """``occurrences``: one row per disruption in the window with its KPIs and ``why`` (the
    reason a KPI is undefined, '' if none); ``stock_points``: one row per (occurrence, stock
    point) with the expected and measured time to survive; ``kpis``: the run's summary."""

    occurrences: pd.DataFrame
    stock_points: pd.DataFrame
    kpis: dict


def resilience(r: RunView, events: list[tuple], timeseries: pd.DataFrame,
               baseline: int = BASELINE_DAYS, window: int = WINDOW_DAYS) -> Resilience:
    sc = r.scenario
    t0, t1 = sc.warmup_days, sc.warmup_days + sc.horizon_days
    daily = daily_indicators(r, timeseries, window)
    day = daily["day"].to_numpy()
    occ = sorted((e for e in events if t0 <= e[3] < t1), key=lambda e: e[3])
    o = r.orders
    revenue = order_revenue(r)
    accepted = _judged(o)
    due = o["due"].to_numpy()
    late = accepted & ~(o["delivered"].to_numpy() <= due + 1e-9)
    lost = o["status"].isin(["lost", "rejected"]).to_numpy()
    inquiry = o["inquiry"].to_numpy()
    stuck = _never_quoted(o)
    costs = sc.costs
    rows, survive = [], []
    for k, (name, effect, target, start, end) in enumerate(occ):
        row = {"event": name, "effect": effect, "target": target, "start": start, "end": end}
        base = (day > max(start - baseline, t0)) & (day <= start)
        if base.sum() < window:
            row["why"] = (f"fewer than {window} days between the end of warm-up and the "
                          "event's start: no pre-event band")
            rows.append(row)
            continue
        b0 = max(start - baseline, t0)
        inq_base = (inquiry >= b0) & (inquiry < start)
        unquoted = int((inq_base & stuck).sum())
        if unquoted > OVERLOAD_SHARE * inq_base.sum():
            row["why"] = (f"overloaded before the event: {unquoted:,} of the {int(inq_base.sum()):,} "
                          "inquiries of the pre-event band were never quoted by the horizon's "
                          "end, so there is no steady course to be pushed off and recover to "
                          "(see the run's warnings)")
            rows.append(row)
            continue
        otif_low = np.nanmin(daily["otif_rolling"].to_numpy()[base], initial=np.inf)
        backlog_high = daily["backlog"].to_numpy()[base].max()
        backorders_high = daily["backorders"].to_numpy()[base].max()
        otif = daily["otif_rolling"].to_numpy()
        in_band = ((np.isnan(otif) | (otif >= otif_low - 1e-12))
                   & (daily["backlog"].to_numpy() <= backlog_high)
                   & (daily["backorders"].to_numpy() <= backorders_high))
        recovered = NAN
        first = int(np.searchsorted(day, end, side="left"))
        for i in range(first, len(day) - window + 1):
            if day[i] + window - 1 > t1:
                break
            if in_band[i:i + window].all():
                recovered = float(day[i])
                break
        nxt = occ[k + 1][3] if k + 1 < len(occ) else math.inf
        stop = min(t1, nxt, recovered if not math.isnan(recovered) else math.inf)
        impact = (day >= start) & (day <= max(stop, start))
        row.update(band_otif=otif_low, band_backlog=backlog_high,
                   band_backorders=backorders_high, recovered=recovered,
                   time_to_recover=max(0.0, recovered - end) if not math.isnan(recovered) else NAN,
                   peak_backlog=float(daily["backlog"].to_numpy()[impact].max()),
                   peak_backorders=float(daily["backorders"].to_numpy()[impact].max()))
        row["why"] = "" if not math.isnan(recovered) else (
            f"not recovered by day {t1:g} (the horizon's end): the indicators never stayed in "
            f"the pre-event band for {window} days")
        # Excess late and lost orders against the pre-event shares.
        due_base = accepted & (due >= b0) & (due < start)
        due_in = accepted & (due >= start) & (due < stop)
        late_share = late[due_base].sum() / due_base.sum() if due_base.any() else 0.0
        row["orders_late_event"] = float(late[due_in].sum() - late_share * due_in.sum())
        row["revenue_late_event"] = float(revenue[due_in & late].sum()
                                          - late_share * revenue[due_in].sum())
        inq_in = (inquiry >= start) & (inquiry < stop)
        lost_share = lost[inq_base].sum() / inq_base.sum() if inq_base.any() else 0.0
        row["orders_lost_event"] = float(lost[inq_in].sum() - lost_share * inq_in.sum())
        row["revenue_lost_event"] = float(revenue[inq_in & lost].sum()
                                          - lost_share * revenue[inq_in].sum())
        units = o["units"].to_numpy()  # every line's
        lost_units = float(units[inq_in & lost].sum() - lost_share * units[inq_in].sum())
        back = daily["backorders"].to_numpy()
        excess_unit_days = float((back[impact] - back[base].mean()).sum())
        row["extra_cost_event"] = (excess_unit_days * costs.backorder_per_unit_day
                                   + lost_units * costs.lost_sale_per_unit)
        rows.append(row)
        if effect in SUPPLY_EFFECTS:
            survive += _survive(r, name, start, t1)
    table = pd.DataFrame(rows, columns=[*EVENT_COLUMNS, "recovered", "time_to_recover",
                                        "peak_backlog", "peak_backorders", "orders_late_event",
                                        "revenue_late_event", "orders_lost_event",
                                        "revenue_lost_event", "extra_cost_event", "band_otif",
                                        "band_backlog", "band_backorders", "why"])
    stock = pd.DataFrame(survive, columns=["event", "start", "stock_point", "expected",
                                           "measured", "why"])
    return Resilience(table, stock, _summary(table, stock))


def _survive(r: RunView, name: str, start: float, t1: float) -> list[dict]:
    """Expected and measured time to survive of every stock point at an event's start."""
    plan = r.plan
    lv = r.level_columns
    by_point: dict[str, list] = {}
    for key, (buffer, item) in enumerate(r.level_keys):
        by_point.setdefault(buffer, []).append((key, item))
    out = []
    for sp_name, keys in by_point.items():
        site = plan.stock_points[sp_name].site
        expected, measured = math.inf, math.inf
        for key, item in keys:
            sel = lv["key"] == key
            t = lv["time"][sel]
            at = np.array([start])
            on_hand = float(step_values_at(t, lv["on_hand"][sel], r.initial_stock[sp_name][item],
                                           at)[0])
            back0 = float(step_values_at(t, lv["backordered"][sel], 0.0, at)[0])
            rate = plan.node_demand.get((site, item), (0.0,))[0]
            if rate > 0:
                expected = min(expected, on_hand / rate)
            after = (t >= start) & (t <= t1) & (lv["backordered"][sel] > back0)
            if back0 > 0:
                measured = 0.0
            elif after.any():
                measured = min(measured, float(t[after][0] - start))
        why = "" if math.isfinite(measured) else "no backorder before the horizon's end"
        out.append({"event": name, "start": start, "stock_point": sp_name,
                    "expected": expected if math.isfinite(expected) else NAN,
                    "measured": measured if math.isfinite(measured) else NAN, "why": why})
    return out


def _summary(table: pd.DataFrame, stock: pd.DataFrame) -> dict:
    """The run's resilience KPIs (see the module's docstring)."""
    k: dict = {"disruptions": len(table)}
    ttr = table["time_to_recover"]
    k["time_to_recover"] = float(ttr.max()) if len(table) and ttr.notna().all() else NAN
    for c in ("peak_backlog", "peak_backorders"):
        k[c] = float(table[c].max()) if table[c].notna().any() else NAN
    for c in ("orders_late_event", "revenue_late_event", "orders_lost_event",
              "revenue_lost_event", "extra_cost_event"):
        k[c] = float(table[c].sum()) if table[c].notna().any() else NAN
    k["time_to_survive"] = {sp: float(g["measured"].min()) if g["measured"].notna().any()
                            else NAN for sp, g in stock.groupby("stock_point", sort=False)}
    k["time_to_survive_expected"] = {sp: float(g["expected"].min()) if g["expected"].notna().any()
                                     else NAN for sp, g in stock.groupby("stock_point", sort=False)}
    why = _reasons(table, stock, k)
    if why:
        k[WHY_UNDEFINED] = why
    return k


def _reasons(table: pd.DataFrame, stock: pd.DataFrame, k: dict) -> dict[str, str]:
    """For each undefined KPI of ``k``, the run's own reason: the ``why`` of the occurrences
    (stock points) that left it undefined, each occurrence named when there are several."""
    def why(rows: pd.DataFrame, several: bool) -> str:
        texts = [(f"{r['event']} (day {r['start']:g}): " if several else "") + r["why"]
                 for _, r in rows.iterrows() if isinstance(r["why"], str) and r["why"]]
        return "; ".join(dict.fromkeys(texts))

    out: dict[str, str] = {}
    for name, value in k.items():
        if isinstance(value, dict):
            for sp, v in value.items():
                if name == "time_to_survive" and math.isnan(v):
                    out[f"{name}.{sp}"] = why(stock[stock["stock_point"] == sp], False)
        elif isinstance(value, float) and math.isnan(value):
            out[name] = (why(table[table[name].isna()], len(table) > 1) if len(table) else
                         "no disruption started between the end of warm-up and the horizon's end")
    return {name: text for name, text in out.items() if text}


def around_events(r: RunView, events: list[tuple], timeseries: pd.DataFrame,
                  before: int = BASELINE_DAYS, after: int | None = None) -> pd.DataFrame:
    """The daily indicators around the first disruption in the window, by days from its start
    (``after``: days after its end, default 2 x its duration and at least 28): what the plots
    and the dashboard chart (one run; stack runs for a band)."""
    sc = r.scenario
    t0, t1 = sc.warmup_days, sc.warmup_days + sc.horizon_days
    occ = sorted((e for e in events if t0 <= e[3] < t1), key=lambda e: e[3])
    daily = daily_indicators(r, timeseries)
    if not occ:
        return daily.iloc[0:0].assign(since_start=[])
    _, _, _, start, end = occ[0]
    after = max(28, int(2 * (end - start))) if after is None else after
    sel = (daily["day"] >= start - before) & (daily["day"] <= end + after)
    out = daily[sel].copy()
    out.insert(1, "since_start", out["day"] - start)
    return out.reset_index(drop=True)


__all__ = ["BASELINE_DAYS", "WHY_UNDEFINED", "WINDOW_DAYS", "Resilience", "around_events",
           "daily_indicators", "events_frame", "order_revenue", "resilience"]
