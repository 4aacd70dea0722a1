# Source of notebooks/08-promises.ipynb (percent format; build with notebooks/build.py).

# %% [markdown]
# # Lesson 8 — Promises: available-to-promise, capable-to-promise and the quote
#
# **Learning objectives.** After this lesson you can
#
# 1. tell the customer's **requested** date from the firm's **promised** date, and say what
#    available-to-promise (ATP) and capable-to-promise (CTP) count when they work out a promise;
# 2. work out an ATP promise by hand in a case with an exact answer, and check it against the
#    simulator to the last digit;
# 3. read on time against the request (`otif_request`) and against the promise
#    (`otif_promise`), promise accuracy and promise error, and explain why a firm can meet every
#    requested date and still break its promises;
# 4. weigh a quoting policy's safety buffer: promises kept against quotes the customers refuse,
#    with confidence intervals;
# 5. compare shipping an order's lines as they are ready (partial) with shipping it complete.
#
# **Time:** about 50 minutes. The notebook runs top to bottom in well under two minutes.

# %% [markdown]
# ## The idea
#
# A customer asks for delivery by a date: the **requested** date, D days after the order
# (receipt + D). At pricing the firm **quotes** a lead time; the customer accepts it or walks
# away when it is longer than they will wait (`quote_tolerance` × D). The quote the customer
# accepts is the **promise**: the date the firm commits to. The two dates need not agree: a
# firm may promise earlier than asked (a customer happy to get it sooner) or later (a customer
# who accepts a small delay).
#
# How the firm works out a promise is its **promising method** (`steps.pricing.promising`):
#
# * `request`: the requested date; nothing is estimated.
# * `atp` (available to promise): the work from the decoupling point to the customer, without
#   queues; first the replenishment lead time if the stock there (net of backorders and of
#   units promised to earlier orders) does not cover the order.
# * `ctp` (capable to promise): as `atp`, with each station's time scaled by its queue now.
#
# plus `buffer_days` of safety on an `atp` or `ctp` promise. **Available to promise** is
# `on hand - backordered - allocated`: a unit promised to one customer is not promised to the
# next. ATP asks *is the material there?*; CTP also asks *is the capacity there?*.
#
# A promise can be judged two ways, and the simulator reports both (only for a scenario with a
# promising method): `otif_request`, in full by the requested date, and `otif_promise`, in full
# by the promised date (SCOR RL.2.2). **Promise accuracy** is the share of orders delivered
# within `tolerance_days` either side of the promise (early is not accurate either: the
# customer planned for the promised day); **promise error** is the mean of delivered − promised
# (+ late, − early).

# %% [markdown]
# ## Setup
#
# Two scenarios. `mts-retailer` (make-to-stock kitchen appliances, one unit an order) has two
# cases with an exact answer. The quoting policies are compared on `classroom`, a small
# make-to-order workshop: one product, assembled to order from stocked raw material
# (procurement takes 5 days when the stock is short), one clerk in the office. We load it with
# `RATE` inquiries a day and let customers ask for D uniform between 2 and 8 days; a customer
# refuses a quote longer than 1.5 × D.

# %%
# %matplotlib inline
import numpy as np
import pandas as pd

from simulator import charts, load_scenario, plots, simulate
from simulator.experiment import compare, summarize
from simulator.kpis import flat_kpis
from simulator.teach import check, check_choice

SEED = 1  # every run below is reproducible from this seed
REPS = 5  # replications per alternative
POLICY = "steps.pricing.promising"
RATE = 2.0  # inquiries a day at the workshop
D_LOW, D_HIGH, TOLERANCE = 2.0, 8.0, 1.5  # D ~ uniform(D_LOW, D_HIGH); refused above TOLERANCE x D
pd.options.display.precision = 3

workshop = load_scenario("classroom", {
    "steps.generation.channels.phone.rate_per_day": RATE * 2 / 3,
    "steps.generation.channels.web.rate_per_day": RATE / 3,
    "customers.regular.demand_lead_time": {"dist": "uniform", "low": D_LOW, "high": D_HIGH},
    "customers.regular.quote_tolerance": TOLERANCE,
})
print(f"workshop: {RATE:g} inquiries a day, D uniform({D_LOW:g}, {D_HIGH:g}) days, quotes above "
      f"{TOLERANCE:g} x D refused; {workshop.horizon_days:g} days measured after "
      f"{workshop.warmup_days:g} of warm-up")

# %% [markdown]
# ## Step 1 — an ATP promise you can work out by hand
#
# On `mts-retailer` an order's path after the decision to promise is: planned admin time
# (entry 0 + selection 0 + scheduling 0.01 days, the steps' mean times), then distribution to
# the customer, a triangular(0.5, 1, 2) transit with mean 7/6 days. We hold the finished goods
# at a fixed 100,000 units, far above 40 days of demand: ATP covers every order, so every
# promise is admin time + expected transit, whatever the order.

# %%
EXACT = {"horizon_days": 40, "warmup_days": 0, POLICY: {"method": "atp"}}
ample = simulate(load_scenario("mts-retailer", {**EXACT,
                                                "chain.buffers.finished_goods.target": 100_000}),
                 SEED)
accepted = ample.orders[ample.orders["received"].notna()]
admin = 0.0 + 0.0 + 0.01
transit = (0.5 + 1 + 2) / 3
print(f"{len(accepted)} orders; distinct promised lead times: "
      f"{sorted(set(accepted['quote'].round(10)))}")
print(f"by hand: admin {admin:g} + transit {transit:.4f} = {admin + transit:.4f} days")

# %% [markdown]
# Every order gets the same promise, and it is the hand calculation. Now the opposite case: no
# finished goods at all (and returns not put back into stock). ATP never covers an order, so
# the promise adds the **replenishment lead time**: the assembly of the order's unit at the
# contract manufacturer, 0.05 days per unit on average (its inputs and queues aside).

# %%
empty = simulate(load_scenario("mts-retailer", {**EXACT, "chain.buffers.finished_goods.target": 0,
                                                "steps.returns.rate": 0}), SEED)
accepted_empty = empty.orders[empty.orders["received"].notna()]
print(accepted_empty["quote"].round(4).value_counts().rename("orders").to_string())
print(f"by hand: {admin:g} + 0.05 + {transit:.4f} = {admin + 0.05 + transit:.4f} days")

# %% [markdown]
# ATP is an accounting identity: it is exact when the times it adds are. What it does not
# know is the queue at assembly or at the lanes: **an ATP promise is as good as the assumption
# that capacity is free.** The next step shows what that assumption costs.

# %% [markdown]
# ## Step 2 — three ways to promise
#
# The workshop promises with `request`, `atp` and `ctp` in turn. `compare` runs each `REPS`
# times with common random numbers (replication r of every method sees the same inquiries).

# %%
METHODS = {m: {POLICY: {"method": m}} for m in ("request", "atp", "ctp")}
PROMISE_KPIS = ["otif_request", "otif_promise", "promise_accuracy", "promise_error",
                "orders_lost"]


def table(comparison, kpis, names):
    """Mean ± 95% half-width per alternative and KPI."""
    s = comparison.summary[comparison.summary["kpi"].isin(kpis)]
    s = s.assign(value=[f"{m:.3f} ± {h:.3f}" for m, h in zip(s["mean"], s["half_width"],
                                                             strict=True)])
    return s.pivot(index="kpi", columns="alternative", values="value").loc[kpis, list(names)]


methods = compare(workshop, METHODS, reps=REPS, seed=SEED, workers=1)
table(methods, [*PROMISE_KPIS, "utilization.assembly"], METHODS)

# %%
charts.comparison_chart(methods.summary, PROMISE_KPIS,
                        title=f"Three promising methods at the workshop, {REPS} replications")

# %% [markdown]
# **Reading the table.**
#
# * `request` promises the requested date, so `otif_promise` *is* `otif_request`. Its quotes
#   are what the customers asked for, so no one refuses and every inquiry becomes an order:
#   the workshop is the busiest of the three and meets fewer requested dates. Its accuracy is
#   poor: most orders arrive days before the date the customer was told (a negative error).
# * `atp` counts the raw material (an order it cannot cover is promised the 5-day procurement,
#   which some customers refuse) but not the queues: it keeps fewer than half of its promises.
#   Its mean error hides two kinds of order: the short promises, made as if the office and the
#   assembler were idle, are late; the long ones, made for the procurement, are early (the
#   material arrives sooner than a full procurement, from a replenishment already on order).
# * `ctp` adds the queues: it keeps more promises and is the most accurate.
#
# Meeting the requested date and keeping the promise are different things: all three methods
# deliver most orders by the requested date, and the same deliveries break two fifths (`ctp`)
# to more than half (`atp`) of the promises. A firm that promises earlier than asked, to win the order,
# must then keep the earlier date.

# %% [markdown]
# ## Step 3 — a buffer: safer promises, fewer customers
#
# A CTP promise is an expected time; about half the orders take longer. A **buffer** of b days
# added to every promise makes it safer, but the quote is the promise: a customer with a short
# D refuses the longer quote. With D uniform on (2, 8) and refusal above 1.5 D, a quote q is
# refused with probability P(1.5 D < q) = (q/1.5 − 2)/6 for q between 3 and 12 days. Two
# lines go with the measured share of inquiries lost: the refusal rule applied to the quotes
# each buffer actually made (it should sit inside the intervals), and a **prediction** made
# before trying the buffer: the unbuffered quotes, each plus b.

# %%
BUFFERS = [0, 1, 2, 3]
PREDICTED = "predicted from the unbuffered quotes + b"


def run_keeping_quotes(scenario, seed):
    """A run's KPIs (what compare keeps by default) and the quotes of the window's inquiries."""
    result = simulate(scenario, seed)
    o = result.orders
    return {**flat_kpis(result.kpis),
            "quotes": o.loc[o["inquiry"] >= scenario.warmup_days, "quote"].dropna().tolist()}


buffers = compare(workshop, {f"b={b:g}": {POLICY: {"method": "ctp", "buffer_days": b}}
                             for b in BUFFERS}, reps=REPS, seed=SEED, workers=1,
                  measure=run_keeping_quotes)
runs = buffers.runs.assign(lost_share=buffers.runs["orders_lost"] / buffers.runs["inquiries"])
SWEEP_KPIS = ["otif_promise", "promise_accuracy", "lost_share"]
swept = pd.concat([summarize(runs[runs["alternative"] == f"b={b:g}"], SWEEP_KPIS).assign(buffer=b)
                   for b in BUFFERS], ignore_index=True).assign(what="workshop")


def refused(quote):
    """P(TOLERANCE x D < quote) for D uniform(D_LOW, D_HIGH)."""
    return np.clip((np.asarray(quote) / TOLERANCE - D_LOW) / (D_HIGH - D_LOW), 0, 1)


def quotes(b):
    """Every quote of the window's inquiries, over the replications with buffer b."""
    return np.concatenate(runs.loc[runs["alternative"] == f"b={b:g}", "quotes"].tolist())


GIVEN = "given each buffer's own quotes"
predicted = pd.DataFrame(
    [{"buffer": b, "kpi": "lost_share", "what": PREDICTED, "value": refused(quotes(0) + b).mean()}
     for b in BUFFERS]
    + [{"buffer": b, "kpi": "lost_share", "what": GIVEN, "value": refused(quotes(b)).mean()}
       for b in BUFFERS])
plots.sim_vs_theory(swept, predicted, x="buffer", group="what", kpis=SWEEP_KPIS,
                    xlabel="buffer added to every CTP promise (days)",
                    ylabels={"otif_promise": "on time vs promise",
                             "promise_accuracy": "within ±1 day of promise",
                             "lost_share": "inquiries lost (quote refused)"},
                    title=f"A quoting buffer at the workshop: {REPS} replications, 95% intervals")

# %%
table_b = swept.pivot(index="buffer", columns="kpi", values="mean")[SWEEP_KPIS]
# Quotes that include the 5-day procurement (the buffer taken off): the raw material was short.
table_b.assign(procurement_quotes=[float(np.mean(quotes(b) - b > 5)) for b in BUFFERS])

# %% [markdown]
# **The trade-off.** One day of buffer lifts the promises kept from under two thirds to over
# 90%; two days keep nearly all of them. Accuracy falls at once: with a buffer the goods
# arrive before the promised day more often, and two days early is as inaccurate as two days
# late for a customer who planned for that day. And every day of buffer loses more
# inquiries: the quote is longer, and customers with a short D walk away.
#
# The refusal rule applied to each buffer's own quotes follows the measurements (at the edge
# of their interval at 3 days): the customers refuse as the rule says. The prediction from the
# unbuffered quotes loses far more than happens: **the customers a buffer turns away free the
# raw material**, so fewer orders find it short and are quoted the 5-day procurement (the last
# column), and the quotes shrink. A quoting policy changes the load it quotes for. Which buffer
# is right depends on what a broken promise costs against a lost customer.

# %% [markdown]
# ## Step 4 — partial or complete shipment
#
# An order of several lines (products) can ship **complete** (each line waits for the others,
# one shipment) or **partial** (each line ships when it is ready). On the pump maker
# (`default`, three pump models assembled to order) at half its usual demand, every class
# orders 1, 2 or 3 lines, equally likely; we compare the two shipping policies on the same
# orders (60 days).

# %%
CLASSES = ("key_accounts", "distributors", "end_users")
LINES = {"dist": "empirical", "values": [1, 2, 3], "weights": [1, 1, 1]}
pumps = load_scenario("default")
half = {f"steps.generation.channels.{ch}.rate_per_day": c.rate_per_day / 2
        for ch, c in pumps.steps.generation.channels.items()}
lined = pumps.with_overrides(horizon_days=60, warmup_days=10, **half,
                             **{f"customers.{c}.lines": LINES for c in CLASSES})
SHIPPING = {s: {f"customers.{c}.shipping": s for c in CLASSES} for s in ("complete", "partial")}
SHIP_KPIS = ["lines_per_order", "shipments_per_order", "split_shipment_rate",
             "time_to_first_shipment", "cycle_time_mean", "otif"]
shipping = compare(lined, SHIPPING, reps=REPS, seed=SEED, workers=1)
table(shipping, SHIP_KPIS, SHIPPING)

# %%
charts.comparison_chart(shipping.summary, ["time_to_first_shipment", "shipments_per_order",
                                           "cycle_time_mean", "otif"],
                        title=f"Ship complete or partial: {REPS} replications, same orders")

# %% [markdown]
# Shipping partial gets the first goods to the customer sooner (the ready lines do not wait
# for the slowest), at the price of more shipments: one per line, so about as many as the
# order has lines. But the order is delivered when its **last** line arrives, and the last of
# two or three shipments, each with its own random transit, tends to arrive later than one
# shipment carrying everything: the mean cycle time *grows* a little (the paired difference
# excludes 0), and OTIF does not improve. Partial shipment serves a customer who can use part
# of the order; it costs the firm transport and handling, and does not make the order complete
# sooner.

# %% [markdown]
# ## Exercises
#
# Each exercise has a cell that checks your answer: set the variable and run the cell.
#
# 1. **A buffered ATP promise.** On `mts-retailer` with ample finished goods (Step 1), the
#    policy adds a buffer of 0.5 days. What lead time (days) does ATP promise every order?
#    Checked against the simulator's promises within 0.001 days.

# %%
my_atp_promise = None  # your answer: days
buffered = simulate(load_scenario("mts-retailer", {
    **EXACT, "chain.buffers.finished_goods.target": 100_000,
    POLICY: {"method": "atp", "buffer_days": 0.5}}), SEED)
buffered_quotes = buffered.orders.loc[buffered.orders["received"].notna(), "quote"]
check(my_atp_promise, expected=float(buffered_quotes.mean()), tol=0.001, name="ATP promise",
      why="Admin time + expected transit + the buffer; ATP covers every order, so no "
          "replenishment time.",
      hint="Start from Step 1's promise: what does a buffer add?")

# %% [markdown]
# 2. **Which method is most accurate?** At the workshop (Step 2), which method delivers the
#    largest share of orders within ±1 day of the promise: "request", "atp" or "ctp"?

# %%
my_method = None  # your answer: "request", "atp" or "ctp"
accuracy = methods.summary[methods.summary["kpi"] == "promise_accuracy"].set_index("alternative")
check_choice(my_method, str(accuracy["mean"].idxmax()), list(METHODS), name="method",
             why="CTP counts the queues an order will meet; ATP assumes free capacity and "
                 "request ignores the process altogether.",
             hint="Which method looks at both the material and the capacity?")

# %% [markdown]
# 3. **The share of quotes refused.** A customer with D uniform between 2 and 8 days refuses a
#    quote longer than 1.5 × D. If every quote were 4 days, what share of inquiries would be
#    lost? Checked against the exact value within 0.01.

# %%
my_lost_share = None  # your answer: a share between 0 and 1
check(my_lost_share, expected=float(refused(4.0)), tol=0.01, name="share lost",
      why="A quote of 4 days is refused when D < 4/1.5 = 2.67 days: (2.67 - 2)/6 of customers.",
      hint="For which D is 1.5 × D below 4? How likely is such a D, uniform on (2, 8)?")

# %% [markdown]
# 4. **Shipments per order.** With 1, 2 or 3 lines equally likely and ship partial, how many
#    shipments does a delivered order need on average? Checked against the simulation's 95%
#    interval (Step 4), widened by 0.1.

# %%
my_shipments = None  # your answer: shipments per order
s = shipping.summary.set_index(["alternative", "kpi"]).loc[("partial", "shipments_per_order")]
check(my_shipments, expected=(s["mean"] - s["half_width"], s["mean"] + s["half_width"]), tol=0.1,
      name="shipments per order",
      why="Each line ships on its own: the mean number of lines, (1 + 2 + 3)/3 = 2.",
      hint="How many shipments does a line make when it ships as soon as it is ready?")

# %% [markdown]
# ---
# ## Answers
#
# *For the teacher, or for after you have tried.*

# %% [markdown]
# **1. A buffered ATP promise.**

# %%
print(f"{admin:g} + {transit:.4f} + 0.5 = {admin + transit + 0.5:.4f} days; the simulator "
      f"promised {buffered_quotes.min():.4f} to {buffered_quotes.max():.4f}")
check(admin + transit + 0.5, expected=float(buffered_quotes.mean()), tol=0.001,
      name="ATP promise")

# %% [markdown]
# **2. Which method is most accurate?** `ctp` (see Step 2): it scales each station's time by
# the queue in front of it, so its promises are closest to the deliveries. `atp` is late on the
# orders it covers from stock, `request` far early on most orders.

# %%
accuracy[["mean", "half_width"]]

# %% [markdown]
# **3. The share of quotes refused.**

# %%
print(f"P(1.5 D < 4) = P(D < {4 / 1.5:.3f}) = ({4 / 1.5:.3f} - 2) / 6 = {refused(4.0):.4f}")

# %% [markdown]
# **4. Shipments per order.**

# %%
print(f"E[lines] = (1 + 2 + 3) / 3 = 2; simulated {s['mean']:.3f} ± {s['half_width']:.3f} "
      "shipments per delivered order")
check(2.0, expected=(s["mean"] - s["half_width"], s["mean"] + s["half_width"]), tol=0.1,
      name="shipments per order")
