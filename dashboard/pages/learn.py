"""Learn: the ten steps of the order management cycle and P:D and the decoupling point, each
illustrated with the scenario the Run page shows, and the lessons (their objectives and a
preview figure, from the notebooks themselves)."""

from __future__ import annotations

import pandas as pd
import streamlit as st
import ui
from lessons import lessons

from simulator import STEPS
from simulator.plan import compile_plan
from simulator.scenario import STAGES, STRATEGIES

# The textbook chain's stages after each decoupling point (a lesson's table, not the model's).
WORK_AFTER = {"none": STAGES, "raw_material": STAGES[2:], "components": STAGES[3:],
              "finished_goods": STAGES[4:], "digital": ("none: a download (P = 0)",)}

# The README's teacher command (tests/packaging/test_packaging_teach.py runs it on a fresh copy).
TEACHER_COMMAND = "bash scripts/setup.sh --teach && .venv/bin/jupyter lab notebooks/"

# What each step is (Shapiro, Rangan and Sviokla, HBR 1992) and what the simulator does in it.
STEP_TEXT = {
    "planning": ("Order planning", "Forecast demand and set capacity and stock targets before "
                 "orders arrive.", "Every period the planner forecasts demand at each stocked "
                 "buffer and sets its base-stock target from the forecast, its error and a service "
                 "target (or keeps a fixed target)."),
    "generation": ("Order generation", "Customers' inquiries arrive through channels; not all "
                   "become orders.", "Poisson inquiries per channel, with seasonality; product "
                   "mix, order size, customer class and demand lead time D; sales qualifies each."),
    "pricing": ("Cost estimation and pricing", "Quote a price and a lead time: instant from a "
                "catalogue, days of engineering for a custom product.", "A quote takes staff time "
                "and promises a lead time from the current load; a customer refuses quotes above "
                "tolerance x D (a lost order)."),
    "entry": ("Order receipt and entry", "Enter the order; errors mean rework.",
              "Entry time depends on the channel; a share of entries is wrong and redone."),
    "selection": ("Order selection and prioritization", "Accept or reject (credit, capacity), "
                  "and decide who goes first.", "Credit check with rejections and credit holds; "
                  "the priority rule orders every queue from here on."),
    "scheduling": ("Scheduling", "Slot the order into production or allocate stock: sales wants "
                   "speed, manufacturing wants efficient runs.", "The scheduler slots the order "
                   "and allocates stock at the decoupling point."),
    "fulfillment": ("Fulfillment", "Procure, make, assemble, ship: where most orders wait.",
                    "Wait for stock at the decoupling buffer (a backorder), then the stages "
                    "downstream of it."),
    "billing": ("Billing", "Invoice after shipment; wrong invoices delay the cash.",
                "Invoice, disputes and corrections of wrong invoices, payment after the terms "
                "plus a delay."),
    "returns": ("Returns and claims", "Handle returns and claims; restock or scrap.",
                "A share of delivered orders comes back and is handled by staff."),
    "service": ("Postsales service", "Installation and service visits.",
                "Field service visits a share of the delivered orders."),
}


def owner(scenario, step: str) -> str:
    """Who does the step in this scenario, with the staff count."""
    if step == "fulfillment":
        stations = [s for s, _ in compile_plan(scenario).order_route(
            next(iter(scenario.products)), next(iter(compile_plan(scenario).regions)), 1)[1] if s]
        return "the chain: " + ", ".join(stations)
    dep = getattr(scenario.steps, step).department
    staff = scenario.departments[dep].staff
    return f"{dep.replace('_', ' ')} ({'unlimited' if staff is None else staff} staff)"


scenario, seed, label = ui.current()
st.title("Learn: the order management cycle")
st.markdown(
    "Shapiro, Rangan and Sviokla (*Staple Yourself to an Order*, Harvard Business Review, 1992) "
    "followed single orders through 18 companies. Every time the order sits unattended, the "
    "customer sits unattended; orders get dropped between departments, and the whole cycle is "
    "invisible to senior executives. The simulator walks every inquiry through the ten steps below "
    "and records who held it, how long it waited and how long it was worked on, and why."
)
st.caption(f"Examples from the scenario the Run page shows: {ui.describe(scenario)}")

tab_steps, tab_pd, tab_nb = st.tabs(["The ten steps", "P:D and the decoupling point", "Lessons"])

with tab_steps:
    rows = [{"#": i, "step": STEP_TEXT[s][0], "what it is": STEP_TEXT[s][1],
             "in the simulator": STEP_TEXT[s][2], f"done by, in {scenario.name}": owner(scenario, s)}
            for i, s in enumerate(STEPS, start=1)]
    st.table(pd.DataFrame(rows), hide_index=True)
    st.markdown("See one order's journey through these steps on the **Staple yourself** page.")

with tab_pd:
    p, d = compile_plan(scenario).production_lead_time, scenario.mean_demand_lead_time
    st.markdown(
        "The **customer order decoupling point** (CODP) is the last stock point: where a product "
        "becomes tied to one customer's order. Upstream of it, work is pushed by the forecast to "
        "keep the buffer at its target and competes on cost; downstream, work is pulled by the "
        "order and competes on speed. The four strategies are four positions of that point; a "
        "digital copy (DC, Mather's fifth option) has no stock and no chain at all:"
    )
    st.table(pd.DataFrame(
        [{"strategy": s.upper(), "stock held at the CODP": codp.replace("_", " "),
          "work done after the order arrives": ", ".join(WORK_AFTER[codp]),
          "in this scenario": "current" if codp == scenario.codp else ""}
         for s, codp in STRATEGIES.items()]).set_index("strategy"))
    st.markdown(
        f"**P:D** (Hal Mather): P is the production lead time of the whole chain "
        f"({' -> '.join(STAGES)}), D the demand lead time the customer gives. Roughly: "
        "engineer-to-order when D >> P, make-to-order when D > P, assemble-to-order when D < P, "
        "make-to-stock when D = 0. The higher P:D, the more the firm relies on forecasts and stock."
    )
    ui.kpi_cards({"production_lead_time": p, "demand_lead_time": d,
                  "pd_ratio": compile_plan(scenario).pd_ratio},
                 ("production_lead_time", "demand_lead_time", "pd_ratio"))
    st.markdown(
        "A first rule: put the CODP at the most upstream buffer whose downstream lead time still "
        "fits inside D. The rule hides what the simulator shows: queueing, variability, forecast "
        "error and capacity make the real lead time longer and spread out. Try it: move the "
        "decoupling point and D on the **Run** page, compare strategies with confidence intervals "
        "on **Compare**, and let the advisor on **Sweep** find the cheapest decoupling point that "
        "meets an OTIF target."
    )

with tab_nb:
    st.markdown("Each lesson is a Jupyter notebook: objectives, the idea in its own words, runs of "
                "the simulator, the library's figures, exercises that check your answer, and the "
                "answers at the end. Set up once, from the repository folder, with JupyterLab "
                f"and a kernel of the project's `.venv`, then open a lesson:\n```sh\n"
                f"{TEACHER_COMMAND}\n```")
    found = lessons()
    if not found:
        st.info("No lessons in notebooks/ yet.")
    for lesson in found:
        st.subheader(f"Lesson {lesson.number} — {lesson.title}")
        text, figure = st.columns([3, 2])
        text.markdown(f"*{lesson.time.capitalize()}.* After this lesson you can\n\n" + "\n".join(
            f"{i}. {objective}" for i, objective in enumerate(lesson.objectives, start=1)))
        text.markdown(f"`.venv/bin/jupyter lab notebooks/{lesson.notebook.name}`")
        text.download_button("Download the notebook", lesson.notebook.read_bytes(),
                             lesson.notebook.name, "application/x-ipynb+json",
                             key=f"nb.{lesson.notebook.name}")
        if lesson.preview:
            figure.image(str(lesson.preview), caption=f"From lesson {lesson.number}",
                         width="stretch")
