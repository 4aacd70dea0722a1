"""Staple yourself to an order: pick one order of the Run page's run and follow it through the
company (narrative timeline, Gantt chart, war-room chart), then see where time goes for all."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st
import ui

from simulator import plots
from simulator.plots.trace import UNTIL
from simulator.trace import PICKS, SCOPES, TraceError, pick_order

BY_ID = "by id"
PICK_HELP = {"slowest": "the longest cycle time", "late": "the latest against its due date",
             "random": "a delivered order drawn from the run's seed", BY_ID: "type an order id"}

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

left, right = st.columns([2, 1])
how = left.radio("Pick an order", [*PICKS, BY_ID], horizontal=True, key="staple.pick",
                 captions=[PICK_HELP[p] for p in [*PICKS, BY_ID]])
order_id = None
if how == BY_ID:
    order_id = right.number_input("Order id", min_value=0, max_value=len(result.orders) - 1,
                                  value=0, step=1, key="staple.order_id")
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
    cols = st.columns(5)
    cols[0].metric("Cycle time", ui.days(o["cycle_time"]),
                   help="Receipt to delivery.")
    cols[1].metric("Waiting", ui.days(o["waiting"]),
                   help="Time between receipt and delivery when nobody worked on the order.")
    cols[2].metric("Worked on", ui.days(o["working"]))
    late = o["late_by"]
    cols[3].metric("Late by", ui.days(late)
                   if ui.is_number(late) and late > 0 else "on time" if o["on_time"] else "n/a",
                   help="Delivery (or the run's end, if still open) minus due date.")
    cols[4].metric("D (days given)", ui.days(o["demand_lead_time"]))

    until = st.segmented_control("Show the journey until", list(UNTIL), key="staple.until",
                                 default=ui.default(plots.order_timeline, "until"))
    until = until or ui.default(plots.order_timeline, "until")  # a click can deselect
    ui.show_figure(("order_timeline", *key, order_id, until),
                   lambda: plots.order_timeline(trace, until=until),
                   caption="Gantt chart: hatched = waiting, solid = worked on, coloured by who "
                   "held the order.")

    tab_story, tab_table, tab_plan = st.tabs(["Narrative timeline", "Records", "Planning context"])
    with tab_story:
        st.code(trace.narrative(), language=None)
    with tab_table:
        st.dataframe(pd.DataFrame(trace), hide_index=True)
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
                       value=ui.default(plots.war_room, "max_orders"), key="staple.max_orders")
ui.show_figure(("war_room", *key, order_id, max_orders),
               lambda: plots.war_room(result, highlight=order_id, max_orders=max_orders))

st.header("Where time goes, for all orders")
scope = st.radio("Measured", list(SCOPES), horizontal=True, key="staple.scope",
                 format_func={"cycle": "receipt to delivery (cycle time)",
                              "cash": "receipt to payment (order to cash)"}.get)
where = result.where_time_goes(scope)
left, right = st.columns([3, 2])
with left:
    ui.show_figure(("time_breakdown", *key, scope), lambda: plots.time_breakdown(where))
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
