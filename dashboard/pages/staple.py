"""Staple yourself to an order: pick one order of the Run page's run and follow it through the
company (narrative timeline, Gantt chart, war-room chart), then see where time goes for all."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st
import ui

from simulator import charts
from simulator import format as fmt
from simulator.charts import UNTIL
from simulator.trace import (
    PICKS,
    SCOPES,
    TraceError,
    changes_table,
    explain_outcome,
    lines_table,
    order_list,
    pick_order,
    promise_table,
)

BY_ID = "by id"
LIST = "from a list"
PICK_HELP = {"slowest": "the longest cycle time", "late": "the latest against its due date",
             "random": "a delivered order drawn from the run's seed",
             LIST: "filter: late, lost, cancelled, class, product, site", BY_ID: "type an order id"}
STATUSES = ("delivered", "open", "lost", "rejected", "cancelled")
PLAY_FRAMES, PLAY_SECONDS = 30, 1.0  # a replay: the wall's span in 30 frames, one a second

scenario, seed, label = ui.current()
result = ui.run(scenario, seed)
key = ui.run_key(result)

st.title("Staple yourself to an order")
st.markdown(
    "Every time the order sits unattended, the customer sits unattended (Shapiro, Rangan and "
    "Sviokla, 1992). Pick an order of the run and follow it: who held it, when, for how long, "
    "and why it waited.")
st.markdown(ui.describe(scenario, seed))
st.caption("The run is the Run page's: change the scenario or the seed there.")


def listed_order() -> int | None:
    """An order chosen from the run's orders, filtered by status, lateness, class, product."""
    o = result.orders
    with st.container(horizontal=True, wrap=True):
        status = st.multiselect("Status", STATUSES, key="staple.status", placeholder="all",
                                help="lost: the customer refused the quote; rejected: the "
                                "credit check refused the order; open: not delivered by the end.")
        classes = st.multiselect("Customer class", sorted(o["customer_class"].astype(str).unique()),
                                 key="staple.class", placeholder="all")
        ln = result.lines
        offered = ln["product"] if not ln.empty else o["product"]  # every line's product
        products = st.multiselect("Product", sorted(offered.astype(str).unique()),
                                  key="staple.product", placeholder="all",
                                  help="An order of several lines matches on any of them.")
        sites = sorted(s for s in o["site"].astype(str).unique() if s)
        chosen_sites = st.multiselect("Site", sites, key="staple.site", placeholder="all",
                                      help="The site that served the order.") \
            if len(sites) > 1 else []
        late = st.checkbox("late only", key="staple.late",
                           help="Delivered after the due date, or still open past it.")
        changed = st.checkbox("changed only", key="staple.changed",
                              help="The customer changed the quantity or the date.") \
            if o["changed"].any() else False
    orders = order_list(result, status=status or None, late=late,
                        customer_class=classes or None, product=products or None,
                        site=chosen_sites or None, changed=changed)
    if not len(orders):
        st.info("No order of this run matches these filters.")
        return None
    names = {int(r.id): f"#{r.id} · {r.status}"
             + (", changed" if r.changed else "")
             + (f", late by {fmt.format_duration(r.late_by)}" if r.late else "")
             + f" · {r.customer_class} · {r.quantity} x {r.product}"
             + (f" + {r.lines - 1} line{'s' if r.lines > 2 else ''}" if r.lines > 1 else "")
             + (f" · {r.site}" if len(sites) > 1 else "")
             for r in orders.itertuples(index=False)}
    return st.selectbox(f"Order ({len(orders):,} of {len(o):,} match)", list(names),
                        format_func=names.get, key="staple.listed")


def order_cards(o: dict) -> None:
    """The order's numbers; a lost or rejected order says why instead of showing n/a."""
    dur = fmt.format_duration
    outcome = explain_outcome(result, o)
    if o["status"] in ("lost", "rejected"):
        st.warning(outcome)
        tolerance = scenario.customers[o["customer_class"]].quote_tolerance
        with st.container(horizontal=True, wrap=True):
            st.metric("Quoted lead time", dur(o["quoted_lead_time"]), border=True,
                      help="The lead time the firm quoted at pricing (step 3).")
            st.metric("D (days given)", dur(o["demand_lead_time"]), border=True,
                      help="The customer's demand lead time: due date = receipt + D.")
            st.metric("Customer accepts up to",
                      dur(tolerance * o["demand_lead_time"]) if tolerance else "any quote",
                      border=True, help="The customer's quote tolerance x D.")
        return
    if o["status"] == "cancelled":
        st.warning(outcome)
    else:
        st.info(outcome)
    delivered = o["status"] == "delivered"
    late = o["late_by"]
    with st.container(horizontal=True, wrap=True):
        st.metric("Cycle time", dur(o["cycle_time"]) if delivered else "not delivered",
                  help="Receipt to delivery.", border=True)
        st.metric("Waiting", dur(o["waiting"]) if delivered else "not delivered", border=True,
                  help="Time between receipt and delivery when nobody worked on the order.")
        st.metric("Worked on", dur(o["working"]) if delivered else "not delivered", border=True)
        st.metric("Late by", dur(late) if fmt.is_number(late) and late > 0 else
                  "on time" if o["on_time"] else "not due yet", border=True,
                  help="Delivery (or the run's end, if still open) minus due date.")
        st.metric("D (days given)", dur(o["demand_lead_time"]), border=True)


def records_table(trace) -> pd.DataFrame:
    """The journey as text, narrow enough to keep each record's reason in full on a small screen
    (exact times are in the narrative)."""
    def dur(days) -> str:
        # A bare "-" would be a markdown bullet; a no-break space keeps "2.33 d" on one line
        # (at 1024 px the narrow column put the unit under its number).
        return fmt.format_duration(days, "–").replace(" ", "\u00a0")

    return pd.DataFrame({
        "step · activity": [f"{s} · {a}" if s != a else s
                            for s, a in zip(trace["step"].astype(str), trace["activity"],
                                            strict=True)],
        "held by": trace["department"].str.replace("_", " "),
        "from day": trace["queued"].map("{:.2f}".format),
        "wait": [dur(w) for w in trace["wait"]], "work": [dur(w) for w in trace["work"]],
        "why": [d or "–" for d in trace["detail"]],
    })


DAYS = ("day", "ready", "shipped", "delivered")  # days of the run, shown as the narrative does


def small_table(frame: pd.DataFrame) -> None:
    """A short table of the order that wraps its text instead of cutting a column (at 1024 px a
    dataframe scrolled its last columns out of sight)."""
    days = {c: "{:.2f}" for c in DAYS if c in frame.columns}
    st.table(frame.style.format(days, na_rep="–"), border="horizontal", hide_index=True)


def order_lines_and_promise(trace) -> None:
    """The order's lines (where each came from, when it shipped), its promise against the
    request, and the customer's changes and cancellation, when it has them."""
    o = trace.order
    if o["status"] in ("lost", "rejected"):  # never an order: no line, no promise
        return
    lines = lines_table(result, trace)
    if len(lines) == 1:  # its number says nothing, and at 1024 px its column pushed the table
        lines = lines.drop(columns="line")  # 2 px past its box
    shipments = f"; {o['shipments']} shipment{'s' if o['shipments'] != 1 else ''}" \
        if "shipments" in o else ""
    st.markdown(f"**Lines** ({len(lines)}{shipments}; days of the run; *via*: the sites the "
                "line crossed, in order):")
    small_table(lines)
    st.markdown("**The promise against the request:**" if o["promise_method"] else
                "**The request** (no promise policy: the firm commits to the requested date):")
    small_table(promise_table(result, o))
    changes = changes_table(trace)
    if len(changes):
        st.markdown("**Changes and cancellation** (the customer's requests):")
        small_table(changes)


left, right = st.columns([2, 1])
how = left.radio("Pick an order", [*PICKS, LIST, BY_ID], horizontal=True, key="staple.pick",
                 captions=[PICK_HELP[p] for p in [*PICKS, LIST, BY_ID]])
order_id = None
if how == BY_ID:
    order_id = right.number_input("Order id", min_value=0, max_value=len(result.orders) - 1,
                                  value=0, step=1, key="staple.order_id")
elif how == LIST:
    order_id = listed_order()
else:
    try:
        order_id = pick_order(result, how)
    except TraceError as err:
        st.warning(f"{err}. Pick another way.")

if order_id is not None:
    try:
        trace = result.trace(order_id)
    except TraceError as err:
        st.warning(str(err))
        st.stop()
    o = trace.order
    st.subheader(f"Order {o['id']}: {o['quantity']} x {o['product']} for {o['customer']} "
                 f"({o['customer_class']}), via {o['channel']} [{o['status']}]")
    order_cards(o)

    until = st.segmented_control("Show the journey until", list(UNTIL), key="staple.until",
                                 default=ui.default(charts.order_timeline, "until"))
    until = until or ui.default(charts.order_timeline, "until")  # a click can deselect
    ui.show_chart(("order_timeline", *key, order_id, until),
                  lambda: charts.order_timeline(trace, until=until),
                  caption="Gantt chart: light orange = waiting, solid = worked on, coloured by who "
                  "held the order. Hover a bar for the step, the holder, the times and why it "
                  "waited; drag or scroll to zoom, double click to reset.")

    order_lines_and_promise(trace)

    tab_table, tab_story, tab_plan = st.tabs(["Records and why", "Narrative timeline",
                                              "Planning context"])
    with tab_table:
        st.table(records_table(trace), border="horizontal", hide_index=True)
    with tab_story:
        st.code(trace.narrative(), language=None)
    with tab_plan:
        if len(trace.planning):
            st.markdown(f"Forecast and stock target in force at `{scenario.codp}` when the order "
                        "arrived, per item it needed:")
            st.dataframe(trace.planning, hide_index=True)
        else:
            st.info("This order took nothing from stock (no decoupling stock).")

st.header("The war room")
st.markdown("Departments, stages and buffers as swimlanes; each order a line crossing between "
            "them, late orders in red, the picked order in black.")
max_orders = st.slider("Orders on the wall", min_value=10, max_value=150, step=10,
                       value=ui.default(charts.war_room, "max_orders"), key="staple.max_orders")
ids, wall_start, wall_days = charts.war_room_orders(result, order_id, max_orders=max_orders)
first_day = round(wall_start, 1)
last_day = max(round(float(result.steps.loc[result.steps["order"].isin(ids), "end"].max()), 1),
               first_day + 0.1)
PLAYING = "staple.playing"
playing = bool(st.session_state.get(PLAYING))


# Streamlit has no animation: while playing, the fragment reruns itself every PLAY_SECONDS
# (only the wall is redrawn, not the page) and moves the replay on by one frame.
@st.fragment(run_every=PLAY_SECONDS if playing else None)
def replay_wall() -> None:
    frame = max(0.1, round((last_day - first_day) / PLAY_FRAMES, 1))
    day = min(max(float(st.session_state.get("staple.replay", last_day)), first_day), last_day)
    if playing:
        day = min(last_day, round(day + frame, 1))
    # Set, not passed as the slider's value: a new order or wall size moves the range.
    st.session_state["staple.replay"] = day
    if playing and day >= last_day:  # the end: stop the timer (a full rerun drops run_every)
        st.session_state[PLAYING] = False
        st.rerun()
    button, slider = st.columns([1, 5], vertical_alignment="bottom")
    if button.button("Pause" if playing else "Play", icon=":material/pause:" if playing
                     else ":material/play_arrow:", key="staple.play", width="stretch",
                     help="Step the wall through simulated time, one frame a second"):
        st.session_state[PLAYING] = not playing
        if not playing and day >= last_day:  # from the start again
            st.session_state["staple.replay"] = first_day
        st.rerun()  # a full rerun: the fragment's timer starts or stops
    replay = slider.slider("Replay: the wall as it stood on day", min_value=first_day,
                           max_value=last_day, step=0.1, key="staple.replay",
                           disabled=playing,
                           help="Move (or press an arrow key on the slider), or press Play, to "
                           "replay the war room over simulated time; at the right end it shows "
                           "every order's whole journey.")
    ui.show_chart(("war_room", *key, order_id, max_orders, replay),
                  lambda: charts.war_room(result, highlight=order_id, max_orders=max_orders,
                                          until_day=None if replay >= last_day else replay))


replay_wall()

st.header("Where time goes, for all orders")
scope = st.radio("Measured", list(SCOPES), horizontal=True, key="staple.scope",
                 format_func={"cycle": "receipt to delivery (cycle time)",
                              "cash": "receipt to payment (order to cash)"}.get)
where = result.where_time_goes(scope)
left, right = st.columns([3, 2])
with left:
    ui.show_chart(("time_breakdown", *key, scope), lambda: charts.time_breakdown(where))
with right:
    if where.orders and math.isfinite(where.mean_time):
        percent = {"share": st.column_config.NumberColumn(format="percent")}
        st.markdown("**Waiting vs working by department** (days per order):")
        st.dataframe(where.by_department.rename(columns={"department": "holder"}),
                     hide_index=True, column_config=percent)
        st.markdown("**Top delay causes:**")
        st.dataframe(where.causes.head(10), hide_index=True, column_config=percent)
    else:
        st.info("No delivered order in the measured window.")
