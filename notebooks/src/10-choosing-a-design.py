# Source of notebooks/10-choosing-a-design.ipynb (percent format; build with notebooks/build.py).

# %% [markdown]
# # Lesson 10 — Choosing a design: optimisation you can trust
#
# **Learning objectives.** After this lesson you can
#
# 1. explain why one simulation run, or one mean without an interval, does not tell which of
#    two designs is better — and show two single runs that disagree;
# 2. use **common random numbers** (CRN) so that designs are compared on the same demand, and
#    read a paired difference with its confidence interval;
# 3. select the best design under a service constraint with a **ranking-and-selection**
#    procedure (KN++) and state what its answer guarantees;
# 4. draw the **cost-versus-OTIF Pareto front** and read the trade-off off it, intervals
#    included.
#
# **Time:** about 50 minutes. The notebook runs top to bottom in well under two minutes.

# %% [markdown]
# ## The idea
#
# A simulation run is one sample of a random future. Two designs run once each are two samples:
# the one that looks cheaper may just have met the easier demand. Three tools turn samples into
# an answer:
#
# * **replications** and a **confidence interval** for each mean (lessons 2 to 5);
# * **common random numbers**: replication r of every design sees the same demand, so the
#   *difference* between two designs varies far less than either design — the noise they share
#   cancels;
# * a **ranking-and-selection** procedure: KN++ (Kim and Nelson 2006) runs every design a few
#   times, then keeps adding replications only to designs still in contention and eliminates
#   one as soon as another is better by more than a slack that shrinks with the replications.
#   It stops with a statement: *with probability at least 95%, the selected design is the best,
#   or within δ of the best* — δ, the **indifference zone**, is the difference you do not care
#   about.

# %% [markdown]
# ## Setup
#
# The two-echelon network of lesson 9 (a plant stock feeding a distribution centre, Poisson
# demand of `RATE` a day, customers accept next-day delivery), now with costs: holding a unit
# costs 0.5 a day at the plant and 1 at the distribution centre (more value, more expensive
# space), a backordered unit costs 4 a day. The design question: the two base-stock levels.
# The objective is the total cost over the run, the constraint OTIF ≥ 95%.

# %%
# %matplotlib inline
import tempfile

import pandas as pd

from simulator import load_scenario, simulate
from simulator.charts import optimization_chart
from simulator.experiment import compare, optimize
from simulator.teach import check, check_choice

SEED = 1  # every run below is reproducible from this seed
RATE = 4.0  # units (orders of one unit) a day
DC, PLANT = "network.stock_points.dc_stock.target", "network.stock_points.plant_stock.target"
pd.options.display.precision = 3

base = load_scenario("validation/two_echelon", {
    "horizon_days": 150,
    "steps.generation.channels.web.rate_per_day": RATE,
    "network.stock_points.plant_stock.holding_cost": 0.5,
    "network.stock_points.dc_stock.holding_cost": 1.0,
    "costs.backorder_per_unit_day": 4,
    "customers.all.demand_lead_time": 1,
    DC: 12, PLANT: 25,
})
A = {DC: 12, PLANT: 25}
B = {DC: 16, PLANT: 20}  # more at the distribution centre, less at the plant
print(f"demand {RATE:g}/day; {base.horizon_days:g} days measured after {base.warmup_days:g} "
      f"of warm-up; design A: {A}; design B: {B}")

# %% [markdown]
# ## Step 1 — two single runs disagree
#
# Run A and B once each, each with a seed of its own — as anyone who runs the model twice would.
# Then do it again with two other seeds, until a pair of runs ranks them the other way.

# %%
def total_cost(design, seed):
    return simulate(base.with_overrides(**design), seed).kpis["cost_total"]


first = {"A": total_cost(A, (SEED, 0)), "B": total_cost(B, (SEED, 1))}
winner = min(first, key=first.get)
for k in range(1, 40):
    other = {"A": total_cost(A, (SEED, 2 * k)), "B": total_cost(B, (SEED, 2 * k + 1))}
    if min(other, key=other.get) != winner:
        break
print(f"seeds 0 and 1: A costs {first['A']:,.0f}, B {first['B']:,.0f} -> {winner} is cheaper")
print(f"seeds {2 * k} and {2 * k + 1}: A costs {other['A']:,.0f}, B {other['B']:,.0f} -> "
      f"{min(other, key=other.get)} is cheaper ({k} tries)")

# %% [markdown]
# Each run on its own is a correct simulation of the design — of *one* future. A planner who
# ran only one of them would have an answer, and the other planner the opposite answer. Neither
# is an answer.

# %% [markdown]
# ## Step 2 — intervals, and what common random numbers buy
#
# Five replications of each. First with independent random numbers (every run of B has demand
# of its own), then with common random numbers (replication r of A and B see the same demand).
# `compare` gives each mean with its 95% interval and the difference B − A with its interval:
# Welch's for independent runs, the paired t interval under CRN.

# %%
REPS = 5
rows = []
for crn in (False, True):
    c = compare(base, {"A": A, "B": B}, reps=REPS, seed=SEED, workers=1,
                common_random_numbers=crn, kpis=["cost_total"])
    s = c.summary[c.summary["kpi"] == "cost_total"].set_index("alternative")
    rows.append({"random numbers": "common" if crn else "independent",
                 "A": f"{s.loc['A', 'mean']:,.0f} ± {s.loc['A', 'half_width']:,.0f}",
                 "B": f"{s.loc['B', 'mean']:,.0f} ± {s.loc['B', 'half_width']:,.0f}",
                 "B - A": f"{s.loc['B', 'diff']:+,.0f} ± {s.loc['B', 'diff_half_width']:,.0f}",
                 "diff": s.loc["B", "diff"], "diff_half_width": s.loc["B", "diff_half_width"]})
crn_table = pd.DataFrame(rows).set_index("random numbers")
crn_table[["A", "B", "B - A"]]

# %%
ind, com = crn_table.loc["independent"], crn_table.loc["common"]
print(f"half-width of B - A: {ind['diff_half_width']:,.0f} independent, "
      f"{com['diff_half_width']:,.0f} common: {ind['diff_half_width'] / com['diff_half_width']:.1f} "
      f"times narrower with CRN")
decided = abs(com["diff"]) > com["diff_half_width"]
print("with CRN the interval of B - A", "excludes 0: the ranking is settled" if decided
      else "still contains 0: more replications are needed")

# %% [markdown]
# A mean alone (the first number of each cell) hides how far it could be off; with independent
# random numbers the intervals of A and B overlap. What matters for the choice is the
# *difference*, and under common random numbers it is measured on the same demand, so the noise
# the two designs share cancels: an interval k times narrower would take k² times as many
# independent replications. This is what ranking and selection builds on.

# %% [markdown]
# ## Step 3 — select the best design with KN++
#
# `optimize` runs every design of a small space: the distribution centre's base stock 8 to 16
# (steps of 2) and the plant's 20, 25 or 30. It starts with 5 replications each and adds replications to
# the designs still in contention, up to 15. δ = 50 (money over the run): designs closer than that
# are equally good to us. A design counts as feasible when the one-sided 97.5% lower bound of its
# OTIF is at least 95% (half the 5% error goes to the constraint, half to the selection).

# %%
SPACE = [f"{DC}=8..16:2", f"{PLANT}=20..30:5"]
folder = tempfile.mkdtemp(prefix="omcsim-lesson10-")  # the journal: step 4 reuses these runs
best = optimize(base, SPACE, ["cost_total"], ["otif>=0.95"], delta=50, reps=5, max_reps=15,
                seed=SEED, workers=1, out=folder)
print(best.statement)
def short(designs):
    """The designs table with short names: dc_stock=12, plant_stock=25."""
    return designs.assign(design=designs["design"].str.replace("network.stock_points.", "")
                          .str.replace(".target", ""))


designs = short(best.designs)
designs[["design", "n", "cost_total_mean", "cost_total_half_width", "otif_mean",
         "otif_half_width", "status"]]

# %%
fig = optimization_chart(designs, ["cost_total"], title="Total cost of each design, mean ± 95% CI")
fig

# %% [markdown]
# Read the statuses (`n` is each design's replications): *infeasible* designs fail the OTIF
# constraint with confidence (too little stock somewhere); *eliminated* ones lost to a feasible
# design by more than the slack; *unclear* ones could be proven neither feasible nor
# infeasible within `max_reps` — they are never selected, and the statement names one if its
# mean looks better than the selection, as the cheapest-looking design here; a *contender*
# would be a design still within reach of the best when the replications ran out. Notice how
# few replications most designs needed: a clearly worse design is dropped after the first
# five, and the effort goes to the close calls.

# %% [markdown]
# ## Step 4 — the cost-versus-OTIF front
#
# A constraint hides a trade-off: how much does each point of OTIF cost? With two objectives
# (minimise cost, maximise OTIF) `optimize` returns the **Pareto front**: the designs no other
# beats on both. The same journal is reused, so the first five replications of every design
# cost nothing now.

# %%
front = optimize(base, SPACE, ["cost_total", "otif"], reps=5, seed=SEED, workers=1, out=folder)
print(f"{front.reused} runs reused from step 3")
front_designs = short(front.designs)
fig = optimization_chart(front_designs, ["cost_total", "otif"],
                         title="Cost against OTIF: the Pareto front (5 replications each)")
fig

# %%
on_front = front_designs[front_designs["status"] == "front"].sort_values("cost_total_mean")
on_front[["design", "cost_total_mean", "cost_total_half_width", "otif_mean", "otif_half_width"]]

# %% [markdown]
# Moving along the front buys OTIF with cost. The last points are expensive: the final fraction
# of a percent of OTIF costs as much as the first several — the service curve of lessons 5 and
# 6 again, now for a whole network. The intervals on both axes matter: neighbours on the front
# whose intervals overlap are not reliably different, and the front itself is a statement about
# means, so it is worth re-running its designs with more replications before choosing.

# %% [markdown]
# ## Exercises
#
# Each exercise has a cell that checks your answer: set the variable and run the cell.
#
# 1. **How many replications?** With independent random numbers, the half-width of B − A in
#    Step 2 came from 5 replications. About how many replications would halve it?

# %%
my_reps = None  # your answer: a number of replications
check(my_reps, expected=4 * REPS, rel=0.15, name="replications",
      why="The half-width shrinks as 1/√n: half the width takes four times the runs.",
      hint="How does the half-width of a mean depend on the number of replications n?")

# %% [markdown]
# 2. **A guarantee.** KN++ stopped with a selected design and δ = 50. Which statement is what
#    it guarantees? (a) "the selected design is the cheapest"; (b) "with probability at least
#    95%, it is the cheapest feasible design or within 50 of it"; (c) "its cost is within 50 of
#    the mean shown".

# %%
my_statement = None  # your answer: "a", "b" or "c"
check_choice(my_statement, "b", ["a", "b", "c"], name="statement",
             why="Ranking and selection makes a probability statement about the choice, up to δ.",
             hint="A simulation never proves anything for certain; what is δ for?")

# %% [markdown]
# 3. **A stricter target.** The service target rises to OTIF ≥ 99%. From the front in Step 4,
#    what is the cheapest design whose mean OTIF reaches 99%? Give its distribution centre's
#    base stock.

# %%
strict = on_front[on_front["otif_mean"] >= 0.99].sort_values("cost_total_mean").iloc[0]
my_dc_stock = None  # your answer: the distribution centre's base stock (units)
check(my_dc_stock, expected=int(strict[DC]), tol=0, name="DC base stock",
      why="Read along the front from the cheap end to the first design with OTIF >= 99%.",
      hint="Sort the front by cost and find the first design that meets the target.")

# %% [markdown]
# ---
# ## Answers
#
# *For the teacher, or for after you have tried.*

# %% [markdown]
# **1. How many replications?** The half-width of a mean is $t \cdot s/\sqrt{n}$: to halve it,
# $n$ must grow four times, from 5 to 20 (a little fewer, because the t factor also shrinks).
# Common random numbers did better than that for free in Step 2.

# %% [markdown]
# **2. A guarantee.** (b). Not (a): no finite number of runs makes that certain, and designs
# within δ of each other are allowed to swap. Not (c): that is the confidence interval of the
# mean, a different statement.

# %% [markdown]
# **3. A stricter target.**

# %%
print(f"cheapest front design with mean OTIF >= 99%: {strict['design']} "
      f"(cost {strict['cost_total_mean']:,.0f} ± {strict['cost_total_half_width']:,.0f}, "
      f"OTIF {strict['otif_mean']:.3f} ± {strict['otif_half_width']:.3f})")
strict99 = optimize(base, SPACE, ["cost_total"], ["otif>=0.99"], delta=50, reps=5, max_reps=15,
                    seed=SEED, workers=1, out=folder)
print(strict99.statement)

# %% [markdown]
# The front reads off means; `optimize` with the constraint `otif>=0.99` judges the constraint
# with confidence and may need more replications, or call a design on the edge *unclear*. Both
# are worth doing: the front to see the trade-off, the selection to commit to a design.
