"""Network: the Run page's scenario as a diagram of sites, work centres, stock points and lanes,
with the decoupling point marked, and each stock point's role in this run."""

from __future__ import annotations

import pandas as pd
import streamlit as st
import ui

from simulator import charts
from simulator.plan import compile_plan

scenario, seed, label = ui.current()
plan = compile_plan(scenario)
st.title("Network")
st.markdown(ui.describe(scenario))
st.markdown("Each site is a box holding its work centres (blue) and stock points (cylinders); "
            "grey arrows are the material flow inside a site, blue arrows the lanes between "
            "sites and to the customers' regions. The **decoupling point** (orange, bold) is the "
            "stock the orders take from: upstream of it work is pushed by the forecast, "
            "downstream pulled by the order. Dashed: a stock point this strategy leaves empty. "
            "A textbook chain is drawn as the one-site network it compiles to.")
st.graphviz_chart(charts.network_diagram(plan), width="stretch")

codp = charts.decoupling_stock_points(plan)
st.subheader("Stock points")
st.dataframe(pd.DataFrame([{
    "stock point": sp.name, "site": sp.site,
    "role": "decoupling point" if sp.name in codp else "stocked" if sp.active else "not stocked",
    "policy": sp.policy, "items": ", ".join(sp.items)} for sp in plan.stock_points.values()]),
    hide_index=True, column_config={"items": st.column_config.TextColumn(width="large")})
st.caption("The war room over simulated time (slider: the wall as it stood on a day) is on the "
           "**Staple yourself** page.")
