# Source of notebooks/06-inventory-policies.ipynb (percent format; build with notebooks/build.py).

# %% [markdown]
# # Lesson 6 — Inventory policies: base stock, (s,S), (R,Q) and (T,S)
#
# **Learning objectives.** After this lesson you can
#
# 1. describe the four classic replenishment policies — base stock, (s,S), (R,Q) and periodic
#    review (T,S) — by what triggers an order and how much it orders;
# 2. check the simulator's fill rate, backorders and stock on hand of each policy against its
#    closed form (Zipkin, *Foundations of Inventory Management*), with confidence intervals
#    from replications;
# 3. explain why the reorder point protects against the demand over the lead time, and why a
#    review period adds to the time the stock must cover;
# 4. trade the cost of ordering against the cost of holding: the economic order quantity.
#
# **Time:** about 60 minutes. The notebook runs top to bottom in well under two minutes.

# %% [markdown]
# ## The idea
#
# A stock point watches its **inventory position**: on hand, plus on order, minus backordered.
# Demand lowers it; an order placed raises it at once, although the goods arrive only a lead
# time L later. The policies differ in *when* they order and *how much*:
#
# | policy | when it orders | how much |
# |---|---|---|
# | base stock S | after every demand | what was demanded (one for one), so the position stays S |
# | (R,Q) | when the position falls to the reorder point R | a fixed quantity Q |
# | (s,S) | when the position falls to s or below | up to S |
# | (T,S) | every T days (a review) | up to S |
#
# Whatever the policy, an order placed now arrives after L days, and nothing ordered later can
# arrive before it. So the stock on hand in L days is the position now minus the demand over
# the next L days, the **lead-time demand** $D_L$. With Poisson demand at rate λ, $D_L$ is
# Poisson with mean λL: the closed forms are sums over its distribution.

# %% [markdown]
# ## Setup
#
# The scenario `scenarios/validation/rq.yaml` reduces the order management cycle to one stock
# point `fg` at a depot: Poisson demand for one product, bought from a supplier who always
# delivers exactly L days after the order, every office step instantaneous. We change only the
# stock point's policy fields, with overrides. Holding a unit costs `HOLDING` per day; placing a
# replenishment order costs `ORDER_COST` (the simulator records every replenishment order; we
# price them here).

# %%
# %matplotlib inline
import numpy as np
import pandas as pd

from simulator import load_scenario, plots, simulate
from simulator.experiment import summarize
from simulator.teach import check, check_choice
from simulator.theory import base_stock_poisson, rq_poisson, ss_poisson, ts_poisson
from simulator.validation import stock_point_figures

SEED = 1  # every run below is reproducible from this seed
REPS = 5  # replications per policy setting
HORIZON = 1000  # simulated days per replication (after the scenario's warm-up)
HOLDING = 1.0  # cost per unit-day on hand
ORDER_COST = 8.0  # cost per replenishment order placed
FIGURES = ["fill_rate", "backorders_mean", "on_hand_mean"]
LABELS = {"fill_rate": "unit fill rate (share)", "backorders_mean": "backorders (units)",
          "on_hand_mean": "on hand (units)", "orders_per_day": "orders per day"}
pd.options.display.precision = 3

base = load_scenario("validation/rq", {"horizon_days": HORIZON,
                                       "network.stock_points.fg.holding_cost": HOLDING})
RATE = base.inquiry_rate
LEAD_TIME = base.network.sites["vendor"].lead_time.mean()  # constant: its mean is L
print(f"demand λ = {RATE:g} units/day, lead time L = {LEAD_TIME:g} days, "
      f"mean lead-time demand λL = {RATE * LEAD_TIME:g} units")

# The fields each policy takes; the others are cleared so the stock point stays valid.
FIELDS = {"base_stock": ["target"], "RQ": ["reorder_point", "order_quantity"],
          "sS": ["reorder_point", "order_quantity"], "TS": ["review_period", "target"]}


def scenario_of(policy, **values):
    """The depot under `policy` with its fields (target, reorder_point, order_quantity,
    review_period); (s,S) is given as reorder_point s and order_quantity S - s."""
    fields = {k: None for k in ("target", "reorder_point", "order_quantity", "review_period")}
    fields.update(values)
    if policy == "sS":
        fields["target"] = "auto"  # S = s + (S - s)
    return base.with_overrides(**{"network.stock_points.fg.policy": policy},
                               **{f"network.stock_points.fg.{k}": v for k, v in fields.items()})


def run_policy(policy, reps=REPS, **values):
    """One row per replication: the stock point's figures in the measured window and the
    replenishment orders it placed per day. Replication r runs with the seed (SEED, r)."""
    scen = scenario_of(policy, **values)
    t0, t1 = scen.warmup_days, scen.warmup_days + scen.horizon_days
    rows = []
    for r in range(reps):
        result = simulate(scen, (SEED, r))
        jobs = result.jobs
        placed = jobs[(jobs["kind"] == "replenishment") & jobs["released"].between(t0, t1)]
        rows.append({**stock_point_figures(result, "fg"),
                     "orders_per_day": placed["job"].nunique() / (t1 - t0)})
    return pd.DataFrame(rows)

# %% [markdown]
# ## Step 1 — four policies, four closed forms
#
# One setting of each policy, each run `REPS` times. The theory comes from
# `simulator.theory`: `base_stock_poisson`, `rq_poisson`, `ss_poisson` and `ts_poisson`. The
# orders per day are λ for base stock (one order per unit), λ/Q for (R,Q), λ/(S-s) for (s,S)
# with unit demand, and for (T,S) one order per review that saw any demand,
# $(1-e^{-\lambda T})/T$.

# %%
SETTINGS = {
    "base stock S=8": ("base_stock", {"target": 8}, base_stock_poisson(RATE, LEAD_TIME, 8),
                       RATE),
    "(R,Q) R=5 Q=4": ("RQ", {"reorder_point": 5, "order_quantity": 4},
                      rq_poisson(RATE, LEAD_TIME, 5, 4), RATE / 4),
    "(s,S) s=5 S=9": ("sS", {"reorder_point": 5, "order_quantity": 4},
                      ss_poisson(RATE, LEAD_TIME, 5, 9), RATE / 4),
    "(T,S) T=4 S=10": ("TS", {"review_period": 4, "target": 10},
                       ts_poisson(RATE, LEAD_TIME, 4, 10), (1 - np.exp(-RATE * 4)) / 4),
}
rows = []
for name, (policy, values, theory, orders) in SETTINGS.items():
    theory = {**theory, "on_hand_mean": theory.get("on_hand_mean",
                                                   theory.get("inventory_codp_mean"))}
    summary = summarize(run_policy(policy, **values), [*FIGURES, "orders_per_day"])
    for row in summary.itertuples():
        value = orders if row.kpi == "orders_per_day" else theory[row.kpi]
        rows.append({"policy": name, "kpi": row.kpi, "simulated": row.mean, "±": row.half_width,
                     "theory": value, "inside": abs(row.mean - value) <= row.half_width})
step1 = pd.DataFrame(rows)
step1["simulated ± 95% CI (theory)"] = [f"{r.simulated:.3f} ± {r._4:.3f} ({r.theory:.3f})"
                                        for r in step1.itertuples()]
print(f"{step1['inside'].sum()} of {len(step1)} 95% intervals contain the theoretical value")
step1.pivot(index="policy", columns="kpi", values="simulated ± 95% CI (theory)")[
    [*FIGURES, "orders_per_day"]].loc[list(SETTINGS)]

# %% [markdown]
# The simulated intervals contain the formulas (with 95% intervals, one miss in twenty is
# chance). Two things to notice. **(s,S) and (R,Q) give identical numbers**: with demand one
# unit at a time, the position falls to s exactly, and ordering up to S = s + Q is ordering Q.
# They differ only when a demand can jump below s (batch demand). And **base stock places an
# order for every unit demanded**, four times as many as the others here: they save orders by
# holding a cycle stock, and pay for it with stock or fill rate.

# %% [markdown]
# ## Step 2 — the reorder point covers the lead-time demand
#
# Take (R,Q) with Q = 4 and move R. When the position reaches R an order leaves, and it arrives
# L days later: in between, only the R units (plus what was on order) serve the demand. So R is
# compared with the lead-time demand λL: below it, most cycles end in backorders; above it, the
# extra units are **safety stock**, $R - \lambda L$.

# %%
Q = 4
R_LEVELS = list(range(0, 11))
summaries, theory_rows = [], []
for r in R_LEVELS:
    summaries.append(summarize(run_policy("RQ", reorder_point=r, order_quantity=Q), FIGURES)
                     .assign(R=r))
    theory_rows += [{"R": r, "kpi": k, "value": v}
                    for k, v in rq_poisson(RATE, LEAD_TIME, r, Q).items() if k in FIGURES]
rq_sim, rq_theory = pd.concat(summaries, ignore_index=True), pd.DataFrame(theory_rows)
inside = rq_sim.merge(rq_theory, on=["R", "kpi"])
inside = ((inside["mean"] - inside["value"]).abs() <= inside["half_width"]).mean()
print(f"{inside:.0%} of the intervals contain the theoretical value")
plots.sim_vs_theory(rq_sim, rq_theory, x="R", kpis=FIGURES, xlabel="reorder point R (units)",
                    ylabels=LABELS, vline=(RATE * LEAD_TIME, "lead-time demand λL"),
                    title=f"(R,Q) with Q = {Q}, Poisson demand {RATE:g}/day, L = {LEAD_TIME:g} "
                          f"days")

# %% [markdown]
# Below λL the fill rate is poor and backorders pile up; the steep part of the curve sits
# around λL, and each unit of safety stock above it buys less fill rate than the one before.
# On hand rises almost one for one with R once R is well above λL: the average stock is about
# $R - \lambda L + (Q+1)/2$, safety stock plus half an order (the **cycle stock**).

# %% [markdown]
# ## Step 3 — a review period adds to the time to cover
#
# Under (T,S) the stock point orders only at reviews. An order placed at a review must last
# until the *next* review's order arrives: T + L days later. So S must cover the demand over
# T + L, not L. We keep S = 12 and lengthen T.

# %%
S_TS = 12
PERIODS = [1, 2, 4, 7, 10]
summaries, theory_rows = [], []
for t in PERIODS:
    summaries.append(summarize(run_policy("TS", review_period=t, target=S_TS),
                               ["fill_rate", "on_hand_mean", "orders_per_day"]).assign(T=t))
    theory = ts_poisson(RATE, LEAD_TIME, t, S_TS)
    theory_rows += [{"T": t, "kpi": k, "value": theory[k]} for k in ("fill_rate", "on_hand_mean")]
    theory_rows.append({"T": t, "kpi": "orders_per_day", "value": (1 - np.exp(-RATE * t)) / t})
ts_sim, ts_theory = pd.concat(summaries, ignore_index=True), pd.DataFrame(theory_rows)
plots.sim_vs_theory(ts_sim, ts_theory, x="T", kpis=["fill_rate", "on_hand_mean", "orders_per_day"],
                    xlabel="review period T (days)", ylabels=LABELS,
                    title=f"(T,S) with S = {S_TS}, Poisson demand {RATE:g}/day, L = {LEAD_TIME:g} "
                          f"days")

# %%
def smallest_ts_level(period, target):
    """The smallest S whose (T,S) fill rate reaches target (theory)."""
    return next(s for s in range(1000) if ts_poisson(RATE, LEAD_TIME, period, s)["fill_rate"]
                >= target)


pd.DataFrame({"λ(L+T)": [RATE * (LEAD_TIME + t) for t in PERIODS],
              "S for a 95% fill rate": [smallest_ts_level(t, 0.95) for t in PERIODS]},
             index=pd.Index(PERIODS, name="T (days)"))

# %% [markdown]
# Longer reviews save orders (the bottom panel) and cost fill rate at the same S: the level
# needed for 95% grows with λ(L+T), the demand over the **protection interval** L + T.
# Continuous review is the limit T → 0, where (T,S) becomes base stock.

# %% [markdown]
# ## Step 4 — ordering against holding
#
# A larger Q means fewer orders (λ/Q per day, each costing K = `ORDER_COST`) but more cycle
# stock (about Q/2 on average, each unit costing h = `HOLDING` a day). The sum
# $K\lambda/Q + hQ/2$ is smallest at the **economic order quantity** $Q^* = \sqrt{2K\lambda/h}$.
# We keep the reorder point at `R_FIXED` (two units of safety stock), so only Q changes; the
# simulator counts the orders and measures the stock.

# %%
def smallest_reorder_point(rate, lead_time, q, target):
    """The smallest R whose (R,Q) fill rate reaches target (theory)."""
    return next(r for r in range(-q, 1000) if rq_poisson(rate, lead_time, r, q)["fill_rate"]
                >= target)


R_FIXED = 7
EOQ = np.sqrt(2 * ORDER_COST * RATE / HOLDING)
COST_KPIS = ["ordering_cost", "holding_cost", "cost_per_day"]
summaries, theory_rows = [], []
for q in range(1, 11):
    runs = run_policy("RQ", reorder_point=R_FIXED, order_quantity=q)
    runs["ordering_cost"] = ORDER_COST * runs["orders_per_day"]
    runs["holding_cost"] = HOLDING * runs["on_hand_mean"]
    runs["cost_per_day"] = runs["ordering_cost"] + runs["holding_cost"]
    summaries.append(summarize(runs, COST_KPIS).assign(Q=q))
    t = rq_poisson(RATE, LEAD_TIME, R_FIXED, q)
    costs = {"ordering_cost": ORDER_COST * RATE / q, "holding_cost": HOLDING * t["on_hand_mean"]}
    costs["cost_per_day"] = sum(costs.values())
    theory_rows += [{"Q": q, "kpi": k, "value": v} for k, v in costs.items()]
cost_sim, cost_theory = pd.concat(summaries, ignore_index=True), pd.DataFrame(theory_rows)
total = cost_sim[cost_sim["kpi"] == "cost_per_day"].set_index("Q")
cheapest = total["mean"].idxmin()
print(f"EOQ = sqrt(2Kλ/h) = {EOQ:.2f}; cheapest simulated Q: {cheapest} "
      f"({total.loc[cheapest, 'mean']:.2f} ± {total.loc[cheapest, 'half_width']:.2f} a day); "
      f"Q = 1 (base stock): {total.loc[1, 'mean']:.2f} ± {total.loc[1, 'half_width']:.2f}")
plots.sim_vs_theory(cost_sim, cost_theory, x="Q", kpis=COST_KPIS, xlabel="order quantity Q (units)",
                    ylabels={"ordering_cost": "ordering (money/day)",
                             "holding_cost": "holding (money/day)",
                             "cost_per_day": "ordering + holding (money/day)"},
                    vline=(EOQ, f"EOQ = {EOQ:.1f}"),
                    title=f"(R,Q) with R = {R_FIXED}: K = {ORDER_COST:g} per order, "
                          f"h = {HOLDING:g} per unit-day")

# %% [markdown]
# Ordering cost falls as 1/Q, holding grows by about h/2 per unit of Q (half an order more
# cycle stock), and the total is flat around the EOQ: a Q a little off costs little, which is
# why a rough estimate of K is good enough. (A larger Q also raises the fill rate at the same
# R — cycle stock protects too — so at a fixed service target the best Q is a little larger.)

# %% [markdown]
# ## Exercises
#
# Each exercise has a cell that checks your answer: set the variable to your answer and run the
# cell. It tells you if you are right and, if not, in which direction you are off. Work it out
# with the theory functions above, or with `run_policy`.
#
# 1. **Twice the demand.** λ doubles to 2 units a day, with L = 5 and Q = 4. What is the
#    smallest reorder point R with a fill rate of at least 95%?

# %%
my_reorder_point = None  # your answer: R (units)
check(my_reorder_point, expected=smallest_reorder_point(2.0, LEAD_TIME, 4, 0.95), tol=0,
      name="R", why="The lead-time demand doubles to 10; the safety stock grows far less than that.",
      hint="R must cover λL = 10 units plus safety stock.")

# %% [markdown]
# 2. **Weekly reviews.** Back to λ = 1. With (T,S), T = 7 days and S = 12, what fill rate do
#    you expect? Your answer is checked against the simulation's 95% interval (widened by 0.01).

# %%
weekly = summarize(run_policy("TS", review_period=7, target=12), ["fill_rate"]).iloc[0]
my_weekly_fill_rate = None  # your answer: a share, e.g. 0.9
check(my_weekly_fill_rate, expected=(weekly["mean"] - weekly["half_width"],
                                     weekly["mean"] + weekly["half_width"]), tol=0.01,
      name="fill rate", why="S = 12 covers λ(L+T) = 12 on average: no safety stock at all.",
      hint="S must cover the demand over L + T; compare S with λ(L+T).")

# %% [markdown]
# 3. **Same or different?** With unit Poisson demand, how do (s,S) with s = 3, S = 10 and
#    (R,Q) with R = 3, Q = 7 compare? Answer "same", "(s,S) better" or "(R,Q) better".

# %%
my_choice = None  # your answer: one of the three
check_choice(my_choice, "same", ["same", "(s,S) better", "(R,Q) better"], name="choice",
             why="Unit demand lowers the position to s exactly; ordering up to S is ordering S - s.",
             hint="Where is the position when (s,S) orders, if demand comes one unit at a time?")

# %% [markdown]
# 4. **Expensive orders.** Placing an order now costs 50 instead of 8 (h = 1, λ = 1). What is
#    the economic order quantity $Q^*$ (to one decimal)?

# %%
my_eoq = None  # your answer: Q* (units)
check(my_eoq, expected=np.sqrt(2 * 50 * RATE / HOLDING), tol=0.05, name="Q*",
      why="Q* grows with the square root of K: six times the cost, about 2.5 times the quantity.",
      hint="Q* = sqrt(2Kλ/h).")

# %% [markdown]
# ---
# ## Answers
#
# *For the teacher, or for after you have tried.*

# %% [markdown]
# **1. Twice the demand.**

# %%
for rate in (1.0, 2.0):
    r = smallest_reorder_point(rate, LEAD_TIME, 4, 0.95)
    print(f"λ = {rate:g}: R = {r}, lead-time demand {rate * LEAD_TIME:g}, "
          f"safety stock R - λL = {r - rate * LEAD_TIME:g}")
check(smallest_reorder_point(2.0, LEAD_TIME, 4, 0.95),
      expected=smallest_reorder_point(2.0, LEAD_TIME, 4, 0.95), name="R")

# %% [markdown]
# The standard deviation of a Poisson lead-time demand is $\sqrt{\lambda L}$: twice the demand
# needs about √2 times the safety stock, not twice (the square-root law of lesson 3, over time);
# here 3 units become 4, whole units rounding the √2.

# %% [markdown]
# **2. Weekly reviews.**

# %%
theory7 = ts_poisson(RATE, LEAD_TIME, 7, 12)["fill_rate"]
print(f"simulated {weekly['mean']:.3f} ± {weekly['half_width']:.3f}; theory {theory7:.3f}")
check(theory7, expected=(weekly["mean"] - weekly["half_width"],
                         weekly["mean"] + weekly["half_width"]), tol=0.01, name="fill rate")

# %% [markdown]
# The protection interval is L + T = 12 days, and S = 12 is exactly its mean demand: no safety
# stock. The fill rate is lower than base stock's with S = 8 in Step 1, although S is half as
# large again — because the review period adds seven days of demand the stock must cover.

# %% [markdown]
# **3. Same or different?**

# %%
same_s = run_policy("sS", reorder_point=3, order_quantity=7)
same_r = run_policy("RQ", reorder_point=3, order_quantity=7)
print("identical runs under the same seeds:", same_s.equals(same_r))

# %% [markdown]
# The two policies place the same orders at the same moments, so under the same seeds the
# runs are identical, not just close.

# %% [markdown]
# **4. Expensive orders.**

# %%
eoq50 = np.sqrt(2 * 50 * RATE / HOLDING)
print(f"Q* = sqrt(2 x 50 x 1 / 1) = {eoq50:.2f}; with K = {ORDER_COST:g} it was {EOQ:.2f}")

# %% [markdown]
# Six and a quarter times the ordering cost gives $\sqrt{6.25} = 2.5$ times the order quantity.
