# Source of notebooks/02-pd-and-decoupling-point.ipynb (percent format; build with
# notebooks/build.py).

# %% [markdown]
# # Lesson 2 — P:D and the decoupling point
#
# **Learning objectives.** After this lesson you can
#
# 1. define the customer order decoupling point (CODP) and the four strategies it gives:
#    make-to-stock, assemble-to-order, make-to-order, engineer-to-order;
# 2. compute P, the production lead time, and the P:D ratio, and apply the textbook rule for
#    placing the decoupling point;
# 3. move the decoupling point for several demand lead times D in the simulator and read OTIF,
#    stock and cycle time, with confidence intervals;
# 4. find where the textbook rule breaks, and explain why: queueing, variability and the office
#    steps make the real lead time longer and spread out.
#
# **Time:** about 60 minutes. The notebook runs top to bottom in well under a minute.

# %% [markdown]
# ## The idea
#
# The fulfilment chain runs engineering → procurement → [raw material] → fabrication →
# [components] → assembly → [finished goods] → distribution. The **decoupling point** is the last
# stock point: upstream of it the company works to forecasts to keep the stock at its target;
# downstream, it works only on customer orders. Where it sits names the strategy:
#
# | strategy | stock at the decoupling point | work after the order arrives |
# |---|---|---|
# | make-to-stock (`mts`) | finished goods | distribution |
# | assemble-to-order (`ato`) | components | assembly, distribution |
# | make-to-order (`mto`) | raw material | fabrication, assembly, distribution |
# | engineer-to-order (`eto`) | nothing | all five stages |
#
# Hal Mather's **P:D ratio** compares P, the production lead time of the whole chain, with D,
# the demand lead time customers give. If D ≥ P the company can do everything after the order
# arrives; the smaller D is against P, the more it must rely on forecasts and stock. The
# **textbook rule**: put the decoupling point at the most upstream buffer whose *downstream* lead
# time still fits inside D — as little stock as possible, as much as necessary.
#
# The rule uses expected processing times. Real orders also queue for busy stages and staff,
# processing times vary, stock runs out, and the office steps (entry, credit check,
# scheduling) take time too. This lesson measures what that does to the rule.

# %% [markdown]
# ## Setup
#
# The `classroom` scenario (a small make-to-order workshop, one product from two components)
# with four changes for this lesson, made as overrides so the scenario file stays as it is:
#
# * customers accept any quoted lead time (`quote_tolerance: null`), so every inquiry becomes an
#   order and OTIF covers all of them (exercise 1 puts the refusals back);
# * engineering gets six engineers, so engineer-to-order is feasible at all (with one engineer
#   and 3 days per order it could not keep up with 1.5 orders a day);
# * finished goods and components get a value and a holding cost, so stock is valued and
#   priced at every decoupling point (the file prices only raw material);
# * planning sizes the finished-goods and component stocks for a replenishment lead time of
#   1.5 days (the time to make them plus some queueing), instead of the bare processing time.

# %%
# %matplotlib inline
import numpy as np
import pandas as pd

from simulator import charts, load_scenario, simulate
from simulator.experiment import assess, compare, lower_bound, sweep
from simulator.plan import compile_plan
from simulator.teach import check, check_choice

SEED = 1  # every run below is reproducible from this seed
REPS = 4  # replications per (decoupling point, D) cell
TARGET = 0.95  # the OTIF a decoupling point must reach
UPSTREAM_FIRST = ["eto", "mto", "ato", "mts"]  # least stock first
pd.options.display.precision = 3

workshop = load_scenario("classroom", {
    "horizon_days": 200,
    "customers.*.quote_tolerance": None,
    "chain.stages.engineering.servers": 6,
    "chain.buffers.finished_goods": {"unit_value": 200, "holding_cost": 0.5,
                                     "planned_lead_time": 1.5},
    "chain.buffers.components": {"holding_cost": 0.2, "planned_lead_time": 1.5},
})
P = compile_plan(workshop).production_lead_time
print(f"P = {P:.2f} days (expected time of all five stages for an average order, no queueing)")


def plan_for(strategy):
    """The compiled plan of the workshop with its decoupling point at `strategy`: its
    downstream lead time is the expected time of the work after the decoupling point, for an
    average order and without queueing (what the textbook rule compares with D)."""
    return compile_plan(workshop.with_overrides(decoupling_point=strategy))


lead_times = pd.Series({s: plan_for(s).downstream_lead_time() for s in UPSTREAM_FIRST},
                       name="downstream lead time (days)")
product = next(iter(workshop.products))
lead_times.to_frame().assign(stages=[
    ", ".join(station for station, _ in plan_for(s).order_route(product, "customers", 1)[1])
    for s in UPSTREAM_FIRST])

# %% [markdown]
# We will try P:D ratios from 0.5 (customers give twice the production lead time) to 6 (they
# give a sixth of it); each ratio sets every customer's D = P / ratio. The textbook rule for a
# given D: the first strategy in the list above (most upstream, least stock) whose downstream
# lead time fits in D.

# %%
PD_RATIOS = [0.5, 0.75, 1, 2, 3, 4, 6]


def textbook_rule(d):
    for strategy in UPSTREAM_FIRST:
        if lead_times[strategy] <= d + 1e-9:  # P:D = 1 means D = P exactly
            return strategy
    return None  # even make-to-stock does not fit


pd.DataFrame({"D (days)": [P / r for r in PD_RATIOS],
              "textbook rule": [textbook_rule(P / r) for r in PD_RATIOS]},
             index=pd.Index(PD_RATIOS, name="P:D"))

# %% [markdown]
# ## Step 1 — sweep the decoupling point and D
#
# `simulator.experiment.sweep` runs every decoupling point for every P:D ratio (every customer
# gets D = P / ratio), `REPS` replications each. Replication r of every cell uses the same
# seed, so all cells see the same inquiries (common random numbers) and the curves are smooth.

# %%
result = sweep(workshop, PD_RATIOS, reps=REPS, seed=SEED, workers=1)
result.summary[result.summary["kpi"] == "otif"].pivot(
    index="pd", columns="strategy", values="mean")[["mts", "ato", "mto", "eto"]]

# %%
charts.kpi_vs_pd(result.summary,
                 kpis=["otif", "cycle_time_mean", "inventory_value_mean", "fill_rate"],
                 target_otif=TARGET,
                 title=f"Classroom workshop: four decoupling points, {REPS} replications per point")

# %% [markdown]
# **Reading the figure** (P:D on the x-axis: D is long on the left, short on the right). The
# cycle time of a strategy does not depend on D — the work after the order is the same — but
# whether that cycle time fits inside D does: OTIF falls as D shrinks, earliest for
# engineer-to-order, latest for make-to-stock. Stock is the price: the further downstream the
# decoupling point, the more value sits in stock (finished goods are worth more than parts).
# The fill rate shows how well the stock at the decoupling point protects orders.

# %% [markdown]
# ## Step 2 — where the rule breaks
#
# For each D we compare the rule's choice with what the simulation supports: the most upstream
# decoupling point whose OTIF reaches the target with 95% confidence (its one-sided lower
# confidence bound is at least `TARGET`).

# %%
runs = result.runs[result.runs["error"].isna()]
bounds = runs.groupby(["pd", "strategy"])["otif"].agg(
    mean="mean", lower=lambda x: lower_bound(x, 0.95))


def supported(ratio):
    for strategy in UPSTREAM_FIRST:
        if bounds.loc[(ratio, strategy), "lower"] >= TARGET:
            return strategy
    return None


rows = []
for ratio in PD_RATIOS:
    rule = textbook_rule(P / ratio)
    rows.append({"P:D": ratio, "D (days)": P / ratio, "textbook rule": rule,
                 "OTIF of the rule's choice": bounds.loc[(ratio, rule), "mean"] if rule else np.nan,
                 "most upstream meeting target": supported(ratio)})
verdict = pd.DataFrame(rows).set_index("P:D")
verdict["rule holds"] = verdict["textbook rule"] == verdict["most upstream meeting target"]
verdict

# %%
broken = verdict[~verdict["rule holds"]]
print(f"the rule's choice differs from the most upstream one that meets {TARGET:.0%} OTIF for "
      f"{len(broken)} of {len(verdict)} P:D ratios: {broken.index.tolist()}")

# %% [markdown]
# Where the rule breaks, D exceeds the downstream lead time of the rule's choice, but not by
# enough: the rule says "it fits", but only *on average and without queues* — many orders take
# longer than average, and every order also passes the office. The simulation asks for a more
# downstream decoupling point (more stock) or a longer D. Step 4 measures how much longer.

# %% [markdown]
# ## Step 3 — why: look inside one cell
#
# Take the highest P:D where the rule's choice falls short and look at where the time goes
# (lesson 1) in one run of that choice.

# %%
short = verdict[verdict["OTIF of the rule's choice"] < TARGET]
ratio_broken = short.index.max()
d_broken = P / ratio_broken
choice = verdict.loc[ratio_broken, "textbook rule"]
cell = workshop.with_overrides(**{"decoupling_point": choice,
                                  "customers.*.demand_lead_time": d_broken})
one = simulate(cell, (SEED, 0))
print(f"P:D = {ratio_broken:g} (D = {d_broken:.2f} days), rule's choice {choice}: downstream lead time "
      f"{lead_times[choice]:.2f} days, simulated mean cycle time "
      f"{one.kpis['cycle_time_mean']:.2f} days, p95 {one.kpis['cycle_time_p95']:.2f}")
print(one.where_time_goes().render(top=5))
charts.cycle_time_distribution(one)

# %% [markdown]
# The cycle time is longer than the downstream processing time: it adds the office steps, the
# queues at the stages, waits for stock at the decoupling point, and credit holds — and it is
# spread out, so a D that fits the average still leaves the slow tail late.

# %% [markdown]
# ## Step 4 — how much room does each strategy need?
#
# For each decoupling point, the shortest D of the sweep at which it meets the target with 95%
# confidence, against its downstream lead time:

# %%
need = {}
for strategy in UPSTREAM_FIRST:
    ok = [P / r for r in PD_RATIOS if bounds.loc[(r, strategy), "lower"] >= TARGET]
    need[strategy] = min(ok) if ok else np.nan
room = pd.DataFrame({"downstream lead time (days)": lead_times,
                     "shortest D meeting target (days)": pd.Series(need)})
room["ratio"] = room["shortest D meeting target (days)"] / room["downstream lead time (days)"]
room

# %% [markdown]
# The ratio is the "safety factor" on lead time that the rule leaves out; the rule assumes 1.
# (The sweep tried only the D values of its P:D ratios, so the true shortest D lies between the
# one shown and the next shorter one tried.)

# %%
print(f"safety factors between {room['ratio'].min():.1f} and {room['ratio'].max():.1f}")

# %% [markdown]
# ## Exercises
#
# Each exercise has a cell that checks your answer: set the variable to your answer and run the
# cell. It tells you if you are right and, if not, in which direction you are off. Work it out
# with `compare`, `sweep` and `assess` as above (seed `SEED`, `REPS` replications).
#
# 1. **Customers who walk away.** Put the customers' quote tolerance back (1.5: a customer
#    refuses a quote longer than 1.5 × D). For make-to-order at D = 3 days, compare OTIF and the
#    number of lost orders with and without it. How many orders are lost per replication on
#    average with it (checked against the simulation's 95% interval, widened by 2 orders)? And
#    why does OTIF go *up* when customers can refuse: (a) refusals give the workshop less to
#    do, so every order is faster; (b) the orders that would have been late are the ones
#    refused, and they never count against OTIF; (c) customers who refuse are given priority?

# %%
mto3 = workshop.with_overrides(**{"decoupling_point": "mto", "customers.*.demand_lead_time": 3})
walk = compare(mto3, {"accept any quote": {},
                      "refuse above 1.5 × D": {"customers.*.quote_tolerance": 1.5}},
               reps=REPS, seed=SEED, workers=1)
lost = walk.summary.set_index(["alternative", "kpi"]).loc[("refuse above 1.5 × D", "orders_lost")]
my_lost = None  # your answer: orders lost per replication
my_why = None  # your answer: "a", "b" or "c"
check(my_lost, expected=(lost["mean"] - lost["half_width"], lost["mean"] + lost["half_width"]),
      tol=2, name="lost orders", hint="Run both alternatives with compare and read orders_lost.")
check_choice(my_why, "b", ["a", "b", "c"], name="why",
             why="A long quote means a busy workshop: the customers who would have waited "
                 "longest walk away, and OTIF counts only the orders that stayed.",
             hint="Which customers refuse: those quoted a short lead time or a long one?")

# %% [markdown]
# 2. **A calmer office.** Remove credit holds and entry errors (`steps.selection.credit_hold_rate`
#    and `steps.entry.error_rate` to 0). Does make-to-order now meet the target (lower
#    confidence bound of OTIF at least `TARGET`) at P:D = 3, at 4, at "both" or at "neither"?

# %%
calm = workshop.with_overrides(**{"steps.selection.credit_hold_rate": 0,
                                  "steps.entry.error_rate": 0})
calm_sweep = sweep(calm, [3, 4], strategies="mto", reps=REPS, seed=SEED, workers=1)
calm_runs = calm_sweep.runs[calm_sweep.runs["error"].isna()]
calm_bounds = calm_runs.groupby("pd")["otif"].agg(mean="mean", lower=lower_bound)
meets = [f"{r:g}" for r in (3, 4) if calm_bounds.loc[r, "lower"] >= TARGET]
calm_answer = "both" if len(meets) == 2 else (meets[0] if meets else "neither")
my_calm = None  # your answer: "3", "4", "both" or "neither"
check_choice(my_calm, calm_answer, ["3", "4", "both", "neither"], name="meets the target at",
             why="The office steps are part of the customer's lead time; removing their delays "
                 "shortens and narrows the cycle time.",
             hint="Sweep the calm workshop at P:D 3 and 4 for mto and compare lower_bound(otif) "
                  "with TARGET.")

# %% [markdown]
# 3. **The cheapest choice.** The advisor `simulator.experiment.assess(runs, target)` picks, for
#    each D, the *cheapest* decoupling point that meets the target, from the sweep you already
#    ran. For how many of the seven P:D ratios does it differ from the most upstream one that
#    meets the target (the `verdict` table; where neither finds one, they agree)?

# %%
table, recommendations = assess(result.runs, TARGET)
advice = recommendations.set_index("pd")[["recommended"]].join(
    verdict[["textbook rule", "most upstream meeting target"]]).fillna("none")
differ = int((advice["recommended"] != advice["most upstream meeting target"]).sum())
my_differ = None  # your answer: a count from 0 to 7
check(my_differ, expected=differ, tol=0, name="ratios that differ",
      why="The advisor minimises total cost, the most upstream choice minimises stock.",
      hint="Join assess's recommendations with the verdict table and count the rows that differ.")

# %% [markdown]
# 4. **Discussion.** Mather's advice for a company with P:D > 1: forecast better, become more
#    flexible, detect forecast errors quickly — or shorten P. Which one moves the numbers of
#    Step 4 (the shortest D each decoupling point needs) directly: "forecast better",
#    "detect errors quickly" or "shorten P"?

# %%
my_remedy = None  # your answer: one of the three
check_choice(my_remedy, "shorten P", ["forecast better", "detect errors quickly", "shorten P"],
             name="remedy",
             why="A shorter, narrower cycle time after the decoupling point fits a shorter D; "
                 "forecasts only make the stock at the decoupling point cheaper.",
             hint="Step 4 measures the time of the work after the decoupling point.")

# %% [markdown]
# ---
# ## Answers
#
# *For the teacher, or for after you have tried.*

# %% [markdown]
# **1. Customers who walk away.**

# %%
walk.summary[walk.summary["kpi"].isin(["otif", "orders_lost", "inquiries"])].pivot(
    index="kpi", columns="alternative", values="mean")

# %% [markdown]
# (b). When customers can refuse, the orders that would have been late are the ones whose quote
# was long (the workshop was busy), and those customers walk away: they never become orders, so
# they do not count against OTIF. OTIF looks better while the company loses sales — always read
# OTIF together with lost orders.

# %% [markdown]
# **2. A calmer office.**

# %%
for ratio, row in calm_bounds.iterrows():
    before = bounds.loc[(ratio, "mto")]
    print(f"P:D = {ratio:g}: MTO OTIF {row['mean']:.3f} (lower bound {row['lower']:.3f}) vs "
          f"{before['mean']:.3f} (lower bound {before['lower']:.3f}) with the office as it was")
print(f"meets {TARGET:.0%} with 95% confidence at: {calm_answer}")

# %% [markdown]
# Office delays are part of the customer's lead time even though the textbook rule counts only
# production. Removing them shortens and narrows the cycle time; compare the lower bounds above
# with the target to see whether that alone is enough.

# %% [markdown]
# **3. The cheapest choice.**

# %%
print(advice)
print(f"the advisor differs from the most upstream choice at {differ} of {len(advice)} ratios")
# Where the money goes at P:D = 2 (mean over the replications; labour is the same for all).
runs[runs["pd"] == 2].groupby("strategy")[["cost_holding", "cost_backorder", "cost_total"]].mean()

# %% [markdown]
# The advisor minimises the simulated total cost (holding, backorder penalties, lost sales,
# labour) among the decoupling points that meet the target; the most upstream choice minimises
# stock. They can differ when holding stock downstream is cheap next to what it saves — fewer
# backorder penalties at the decoupling point — which depends on the costs in the scenario.
# `table` explains every verdict in words (`table[["pd", "strategy", "verdict",
# "reason"]]`).

# %% [markdown]
# **4. Discussion.** Shortening P (faster stages, more capacity, less queueing) and reducing
# variability move Step 4 directly: a shorter and narrower cycle time fits a shorter D at the
# same decoupling point. Better and faster-corrected forecasts do not change the downstream
# lead time; they make the stock at the decoupling point cheaper for the same fill rate, which
# matters once the decoupling point must move downstream. Flexibility (capacity that follows
# demand) shortens the queues and so works on both.
