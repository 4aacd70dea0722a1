# Source of notebooks/03-ato-risk-pooling.ipynb (percent format; build with notebooks/build.py).

# %% [markdown]
# # Lesson 3 — Assemble-to-order and risk pooling
#
# **Learning objectives.** After this lesson you can
#
# 1. explain why stock of a *common component* needs less safety stock than stock of the *finished
#    products* built from it, for the same fill rate;
# 2. size base-stock levels with the Poisson base-stock formulas and check them against the
#    simulator, with confidence intervals;
# 3. state the square-root law, its assumptions, and see where it is only an approximation;
# 4. name the price of postponement: under assemble-to-order the customer waits for assembly.
#
# **Time:** about 45 minutes. The notebook runs top to bottom in well under a minute.

# %% [markdown]
# ## The idea
#
# A company sells several end products that differ only late in the process — think of one pump
# body sold with different labels, or one PC board sold in several configurations. It can hold
# stock in two places:
#
# * **dedicated finished-goods stock** (make-to-stock): one stock per product; a customer is served
#   at once if *their* product is on the shelf;
# * **pooled component stock** (assemble-to-order): one stock of the common component; every
#   order, whatever the product, draws from the same pile and is assembled after it arrives.
#
# Each stock must cover the demand that arrives while it is being replenished (the *lead-time
# demand*) plus a **safety stock** against the randomness of that demand. Demand for a single
# product is erratic; the total over all products is relatively smoother, because a high week for
# one product tends to be offset by a low week for another. If the products' demands are
# independent, with the same standard deviation σ of lead-time demand, the safety stock needed for
# the same service level z is
#
# * dedicated: $n \cdot z\sigma$ (one buffer per product),
# * pooled: $z\sqrt{n\sigma^2} = \sqrt{n}\cdot z\sigma$ (one buffer for the sum),
#
# so pooling divides the safety stock by $\sqrt{n}$: the **square-root law**. It rests on a normal
# approximation of demand; with small, discrete demand the exact numbers differ, and this lesson
# measures by how much.

# %% [markdown]
# ## Setup
#
# We use the simulator's base-stock reduction `scenarios/validation/base_stock.yaml`: the whole
# order management cycle with every office step instantaneous, so that the only thing an order can
# wait for is stock. On top of it we describe the company of this lesson with overrides:
#
# * demand: Poisson, `RATE` orders a day in total, one unit each, split evenly over `n` products;
# * every product is built from one unit of the same component, `common`;
# * making a component (fabrication) takes exactly `LEAD_TIME` days, with unlimited capacity;
#   assembly is instantaneous for now (we add an assembly time at the end);
# * **dedicated** design: decoupling point `mts`, a base stock `S` per product at finished goods,
#   nothing stocked at components, so a finished product is replenished in `LEAD_TIME` days;
# * **pooled** design: decoupling point `ato`, a base stock `S` of `common` at components,
#   replenished in the same `LEAD_TIME` days.
#
# Both designs run on the *same* chain: only the decoupling point moves.

# %%
# %matplotlib inline
import numpy as np
import pandas as pd

from simulator import charts, load_scenario, plots, simulate
from simulator.experiment import replicate, summarize
from simulator.teach import check, check_choice
from simulator.theory import base_stock_poisson, mm1_within

SEED = 1  # every run below is reproducible from this seed
REPS = 5  # replications per design: enough for 95% intervals of a few percent
RATE = 2.0  # orders (= units) per day, all products together
LEAD_TIME = 5.0  # days to replenish a stock point
TARGET = 0.95  # unit fill rate every design must reach
N_PRODUCTS = [1, 2, 4, 8]
DESIGNS = {"dedicated": "mts", "pooled": "ato"}
pd.options.display.precision = 3


def pooling_scenario(n, design, base_stock, shares=None, assembly=0.0, horizon=730):
    """The lesson's company with n products; design 'dedicated' or 'pooled'.

    base_stock is one number (every product, or the component) or a dict product -> number.
    """
    shares = shares or [1] * n
    products = {f"p{i + 1}": {"share": s, "bill_of_materials": {"common": 1}}
                for i, s in enumerate(shares)}
    overrides = {
        "products": products,
        "steps.generation.channels.web.rate_per_day": RATE,
        "chain.stages.fabrication": {"servers": None, "time": LEAD_TIME},
        "chain.stages.assembly": {"servers": None, "time": assembly},
        "horizon_days": horizon,
        "decoupling_point": DESIGNS[design],
    }
    if design == "dedicated":
        overrides["chain.buffers.components.target"] = 0  # made to order for the finished stock
        overrides["chain.buffers.finished_goods.target"] = base_stock
    else:
        overrides["chain.buffers.components.target"] = base_stock
    return load_scenario("validation/base_stock", overrides)


sc = pooling_scenario(4, "pooled", 16)
print(f"{sc.name}: decoupling point {sc.codp}, {len(sc.products)} products, "
      f"{sc.inquiry_rate:g} orders/day, {sc.horizon_days:g} measured days after "
      f"{sc.warmup_days:g} days of warm-up")

# %% [markdown]
# ## Step 1 — size the stocks with the Poisson formulas
#
# With Poisson demand at rate λ and a constant lead time L, the lead-time demand $D_L$ is Poisson
# with mean λL. A base-stock level S serves a unit at once when fewer than S units are on order,
# so the **unit fill rate is $P(D_L \le S-1)$**; the expected on-hand stock is $E[(S-D_L)^+]$ and
# the safety stock is $S - \lambda L$ (what is kept beyond the average lead-time demand).
# `simulator.validation.base_stock_poisson` evaluates these formulas. For each number of products
# we look for the smallest S that reaches the target fill rate:
#
# * dedicated: each product sees demand λ/n, so its own S comes from Poisson(λL/n), and the
#   company holds n such stocks;
# * pooled: the component sees all the demand, Poisson(λL).

# %%
def smallest_base_stock(rate, lead_time, target):
    """The smallest S whose Poisson unit fill rate reaches target."""
    s = 0
    while base_stock_poisson(rate, lead_time, s)["fill_rate"] < target:
        s += 1
    return s


rows = []
for n in N_PRODUCTS:
    s_each = smallest_base_stock(RATE / n, LEAD_TIME, TARGET)
    each = base_stock_poisson(RATE / n, LEAD_TIME, s_each)
    s_pool = smallest_base_stock(RATE, LEAD_TIME, TARGET)
    pool = base_stock_poisson(RATE, LEAD_TIME, s_pool)
    rows.append({
        "n": n,
        "S per product": s_each, "dedicated total S": n * s_each,
        "dedicated fill rate": each["fill_rate"],
        "dedicated safety stock": n * (s_each - RATE / n * LEAD_TIME),
        "pooled S": s_pool, "pooled fill rate": pool["fill_rate"],
        "pooled safety stock": s_pool - RATE * LEAD_TIME,
    })
plan = pd.DataFrame(rows).set_index("n")
plan

# %% [markdown]
# Because S is a whole number, no design hits the target exactly: each reaches *at least* 95%,
# some a little more. Keep that in mind when comparing stocks — it is part of why the exact
# numbers drift from the square-root law.

# %% [markdown]
# ## Step 2 — simulate both designs
#
# Each design and each n runs `REPS` independent replications of two simulated years. Besides
# the simulator's KPIs (`fill_rate`, `inventory_codp_mean`: time-average units on hand at the
# decoupling point, `backorders_mean`) we measure the safety stock as on-hand minus backordered
# units: on average that equals S minus the units on order, i.e. $S-\lambda L$.

# %%
KPIS = ["fill_rate", "inventory_codp_mean", "safety_stock"]
levels = {"dedicated": plan["S per product"], "pooled": plan["pooled S"]}

summaries = []
for n in N_PRODUCTS:
    for design in DESIGNS:
        runs = replicate(pooling_scenario(n, design, int(levels[design][n])), REPS, seed=SEED)
        runs["safety_stock"] = runs["inventory_codp_mean"] - runs["backorders_mean"]
        summaries.append(summarize(runs, KPIS).assign(n=n, design=design))
sim = pd.concat(summaries, ignore_index=True)
sim.pivot_table(index="n", columns=["kpi", "design"], values="mean")

# %% [markdown]
# Now the same quantities from theory, in the long format the plotting function takes, and the
# figure: simulated means with 95% confidence intervals (markers) against theory (lines). The
# dashed line is the square-root law: the pooled safety stock times $\sqrt{n}$.

# %%
theory_rows = []
for n in N_PRODUCTS:
    each = base_stock_poisson(RATE / n, LEAD_TIME, int(plan.loc[n, "S per product"]))
    pool = base_stock_poisson(RATE, LEAD_TIME, int(plan.loc[n, "pooled S"]))
    for design, values in (("dedicated", {"fill_rate": each["fill_rate"],
                                          "inventory_codp_mean": n * each["inventory_codp_mean"],
                                          "safety_stock": plan.loc[n, "dedicated safety stock"]}),
                           ("pooled", {"fill_rate": pool["fill_rate"],
                                       "inventory_codp_mean": pool["inventory_codp_mean"],
                                       "safety_stock": plan.loc[n, "pooled safety stock"]})):
        theory_rows += [{"n": n, "design": design, "kpi": k, "value": v} for k, v in values.items()]
grid = np.linspace(1, max(N_PRODUCTS), 50)
pooled_ss = plan.loc[1, "pooled safety stock"]
theory_rows += [{"n": x, "design": "square-root law: √n × pooled", "kpi": "safety_stock",
                 "value": np.sqrt(x) * pooled_ss} for x in grid]
theory = pd.DataFrame(theory_rows)

fig = plots.sim_vs_theory(
    sim, theory, x="n", group="design", kpis=["fill_rate", "safety_stock"],
    xlabel="number of end products sharing the component",
    ylabels={"fill_rate": "unit fill rate (share)", "safety_stock": "safety stock (units)"},
    reference={"fill_rate": (TARGET, f"target {TARGET:.0%}")}, dodge=0.12,
    title=f"Dedicated vs pooled stock at ≥{TARGET:.0%} fill rate (Poisson demand "
          f"{RATE:g}/day, lead time {LEAD_TIME:g} days)",
)
fig

# %% [markdown]
# **Reading the figure.** Every design is sized to reach the target (top panel: the theory
# lines lie above it), and the simulation agrees with the Poisson formulas — the check below
# counts the 95% intervals that contain the formula's value. With one product the two designs
# are the same system and give the same numbers. As the number of products grows, the dedicated
# safety stock grows while the pooled one stays put: the pooled stock serves the same total
# demand whatever the mix. The table below puts the saving next to $\sqrt{n}$.

# %%
agree = sim.merge(theory[theory["design"].isin(list(DESIGNS))], on=["n", "design", "kpi"])
agree["inside"] = (agree["mean"] - agree["value"]).abs() <= agree["half_width"]
print(f"{agree['inside'].sum()} of {len(agree)} intervals contain the theoretical value")

# %%
safety = sim[sim["kpi"] == "safety_stock"].pivot(index="n", columns="design", values="mean")
ratio = pd.DataFrame({
    "dedicated SS (sim)": safety["dedicated"],
    "pooled SS (sim)": safety["pooled"],
    "ratio (sim)": safety["dedicated"] / safety["pooled"],
    "ratio (Poisson theory)": plan["dedicated safety stock"] / plan["pooled safety stock"],
    "√n (square-root law)": np.sqrt(plan.index.to_numpy()),
})
ratio

# %%
n_max = max(N_PRODUCTS)
exact, law = ratio.loc[n_max, "ratio (Poisson theory)"], ratio.loc[n_max, "√n (square-root law)"]
print(f"With {n_max} products, dedicated stocks need {exact:.2f} times the pooled safety stock; "
      f"the square-root law says {law:.2f}.")
print("The exact saving is", "larger" if exact > law else "smaller", "than the law predicts.")

# %% [markdown]
# Why the difference? The law assumes normally distributed lead-time demand and a continuous
# stock level. Here each of the n products sees only λL/n units of lead-time demand: a skewed
# Poisson distribution, and S must be rounded *up* to a whole unit for each product separately.
# Each product's rounding adds up to one unit of extra stock, and n products round n times; the
# pooled stock rounds once.

# %% [markdown]
# ## Step 3 — the price of postponement
#
# Pooling is not free. With the stock at the components, every order must still be assembled
# after it arrives, so the customer waits for assembly; with finished-goods stock that work was
# done in advance. Let assembly take time: one assembler with exponential times of mean 0.25 days
# (so it is busy about half the time). Customers now give a demand lead time D of 1 day. We keep
# the stock levels of Step 1 for four products and look at cycle time and on-time delivery.

# %%
N = 4
ASSEMBLY = {"dist": "exponential", "mean": 0.25}
assembly_overrides = {"chain.stages.assembly.servers": 1, "customers.*.demand_lead_time": 1}
postponement = []
for design in DESIGNS:
    scen = pooling_scenario(N, design, int(levels[design][N]), assembly=ASSEMBLY)
    scen = scen.with_overrides(**assembly_overrides)
    runs = replicate(scen, REPS, seed=SEED)
    postponement.append(summarize(runs, ["fill_rate", "cycle_time_mean", "cycle_time_p95", "otif"])
                        .assign(design=design))
postponement = pd.concat(postponement).pivot(index="kpi", columns="design",
                                             values=["mean", "half_width"])
postponement

# %%
one_run = simulate(pooling_scenario(N, "pooled", int(levels["pooled"][N]), assembly=ASSEMBLY)
                   .with_overrides(**assembly_overrides), seed=SEED)
charts.cycle_time_distribution(one_run)

# %%
sized = plan.loc[N, "dedicated fill rate"]
measured = postponement.loc["fill_rate", ("mean", "dedicated")]
print(f"dedicated design: fill rate {measured:.3f} with the assembler's queue in the "
      f"replenishment lead time, {sized:.3f} sized for an instantaneous assembly")

# %% [markdown]
# Under the dedicated design, assembly happens while the stock is replenished, hidden from the
# customer: an order served from the shelf leaves at once (a cycle time of zero), and the
# assembler's queue only lengthens the replenishment lead time — so the fill rate falls short of
# the level sized in Step 1 for an instantaneous assembly. Under the pooled design every order
# spends the assembly time and the queue in front of the assembler *after* it arrives: the
# histogram above is the assembler's time in system. Pooling buys a smaller stock with a longer
# customer lead time; it pays when customers accept a D longer than the assembly (P:D, lesson 2).

# %% [markdown]
# ## Exercises
#
# Each exercise has a cell that checks your answer: set the variable to your answer and run the
# cell. It tells you if you are right and, if not, in which direction you are off. Work it out
# with `smallest_base_stock` and `base_stock_poisson` as in Step 1.
#
# 1. **A higher target.** Size both designs for a 99% fill rate with four products. How many
#    units of safety stock does pooling save now (to one decimal), and is the ratio of the two
#    safety stocks "closer" to or "further" from $\sqrt{4}$ than at 95%?

# %%
s99_each = smallest_base_stock(RATE / 4, LEAD_TIME, 0.99)
s99_pool = smallest_base_stock(RATE, LEAD_TIME, 0.99)
ss99_ded, ss99_pool = 4 * (s99_each - RATE / 4 * LEAD_TIME), s99_pool - RATE * LEAD_TIME
ss95_ratio = plan.loc[4, "dedicated safety stock"] / plan.loc[4, "pooled safety stock"]
closer = abs(ss99_ded / ss99_pool - 2) < abs(ss95_ratio - 2)
my_saving = None  # your answer: units of safety stock saved
my_closer = None  # your answer: "closer" or "further"
check(my_saving, expected=ss99_ded - ss99_pool, tol=0.05, name="saving",
      why="Both safety stocks grow with the target; the dedicated ones grow four times.",
      hint="Saving = 4 × (S per product − λL/4) − (pooled S − λL), each S the smallest reaching 99%.")
check_choice(my_closer, "closer" if closer else "further", ["closer", "further"], name="ratio",
             why="Rounding S up to whole units decides how far the ratio is from √n.",
             hint="Compute the ratio of the safety stocks at 99% and at 95% and compare each with 2.")

# %% [markdown]
# 2. **More volume.** Size both designs for eight products at 10 and at 100 times the demand
#    rate (`RATE`). Does the ratio of dedicated to pooled safety stock move towards $\sqrt{8}$
#    ("yes" or "no")? Why? (The answers confirm the pooled design's fill rate at 10 times the
#    volume with a simulation.)

# %%
volume = []
for factor in (1, 10, 100):
    rate = RATE * factor
    s_each = smallest_base_stock(rate / 8, LEAD_TIME, TARGET)
    s_pool = smallest_base_stock(rate, LEAD_TIME, TARGET)
    ss_ded, ss_pool = 8 * (s_each - rate / 8 * LEAD_TIME), s_pool - rate * LEAD_TIME
    volume.append({"orders/day": rate, "S per product": s_each, "pooled S": s_pool,
                   "dedicated SS": ss_ded, "pooled SS": ss_pool, "ratio": ss_ded / ss_pool})
volume = pd.DataFrame(volume).set_index("orders/day")
gaps = (volume["ratio"] - np.sqrt(8)).abs()
my_towards = None  # your answer: "yes" or "no"
check_choice(my_towards, "yes" if gaps.iloc[-1] < gaps.iloc[0] else "no", ["yes", "no"],
             name="towards √8",
             why="Rounding matters less next to a large safety stock, and a Poisson demand with "
                 "a large mean is close to the normal the law assumes.",
             hint="Tabulate the ratio at 1, 10 and 100 times RATE and compare it with √8.")

# %% [markdown]
# 3. **How long must customers wait?** In Step 3 the pooled design has one assembler with
#    exponential times of mean 0.25 days and λ = 2 orders a day. Treating the assembler as an
#    M/M/1 queue and ignoring stock-outs, what demand lead time D (in days, to two decimals)
#    lets 95% of orders arrive on time? The answers check it with a simulation.

# %%
mu = 1 / ASSEMBLY["mean"]
d95 = np.log(20) / (mu - RATE)
my_d = None  # your answer: D in days
check(my_d, expected=d95, tol=0.01, name="D",
      why="The M/M/1 time in system is exponential with rate μ − λ: P(T ≤ D) = 1 − e^{−(μ−λ)D}.",
      hint="Solve 1 − exp(−(μ − λ)D) = 0.95 with μ = 1/0.25 a day.")

# %% [markdown]
# 4. **Discussion.** Your company has 200 variants built from 5 common modules. A promotion
#    lifts the demand of all variants together. Which assumption of the square-root law does
#    that break: "independent demands", "normal demand" or "equal lead times"? Which other
#    assumptions would you check before promising a $\sqrt{200}$ saving to management?

# %%
my_assumption = None  # your answer: one of the three
check_choice(my_assumption, "independent demands",
             ["independent demands", "normal demand", "equal lead times"], name="assumption",
             why="Demands that move together do not offset each other: there is less to pool.",
             hint="Pooling works because a high week for one variant meets a low week of another.")

# %% [markdown]
# ---
# ## Answers
#
# *For the teacher, or for after you have tried.*

# %% [markdown]
# **1. A higher target.**

# %%
print(f"99%: S per product {s99_each}, pooled S {s99_pool}")
print(f"safety stock dedicated {ss99_ded:.1f} vs pooled {ss99_pool:.1f} units: "
      f"pooling saves {ss99_ded - ss99_pool:.1f} units, ratio {ss99_ded / ss99_pool:.2f}")
print(f"at 95% the ratio was {ss95_ratio:.2f}; √4 = 2")

# %% [markdown]
# A higher target raises both safety stocks, so the absolute saving grows. The ratio moves with
# the rounding of S: compare the two printed ratios with 2. The simulator agrees with these
# formulas (Step 2), so the sizing can be trusted without rerunning it.

# %% [markdown]
# **2. More volume.**

# %%
print(volume)
print(f"distance of the ratio from √8 = {np.sqrt(8):.3f}:", gaps.round(3).tolist())

# Check the pooled sizing at 10x by simulation (a shorter horizon: ten times the orders per day).
big = pooling_scenario(8, "pooled", int(volume["pooled S"].iloc[1]), horizon=146).with_overrides(
    **{"steps.generation.channels.web.rate_per_day": RATE * 10})
fr = summarize(replicate(big, REPS, seed=SEED), ["fill_rate"]).iloc[0]
print(f"pooled fill rate at {RATE * 10:g} orders/day: {fr['mean']:.3f} ± {fr['half_width']:.3f}")

# %% [markdown]
# The distance from $\sqrt{8}$ shrinks as the volume grows. Two things made the exact saving
# larger than the law at low volume, and both fade with volume: rounding S up costs each
# product less than one unit, which is little next to a large safety stock; and Poisson demand
# with a large mean is close to the normal distribution the law assumes. The square-root law is
# a statement about fast movers; for slow movers, size with the exact formula.

# %% [markdown]
# **3. How long must customers wait?** In an M/M/1 queue the time in system is exponential with
# rate μ − λ, so $P(T \le D) = 1 - e^{-(\mu-\lambda)D}$ (`simulator.theory.mm1_within`);
# 95% on time needs $D = \ln 20 / (\mu - \lambda)$.

# %%
print(f"D = ln 20 / (μ - λ) = {d95:.2f} days; check: mm1_within gives {mm1_within(RATE, mu, d95):.3f}")
scen = pooling_scenario(N, "pooled", int(levels["pooled"][N]), assembly=ASSEMBLY).with_overrides(
    **{"chain.stages.assembly.servers": 1, "customers.*.demand_lead_time": float(d95)})
otif = summarize(replicate(scen, REPS, seed=SEED), ["otif"]).iloc[0]
print(f"simulated OTIF at D = {d95:.2f} days: {otif['mean']:.3f} ± {otif['half_width']:.3f}")

# %% [markdown]
# The simulated on-time share comes out near 95%. The M/M/1 formula ignores the component
# stock: an order that finds no component on hand (about one unit in twenty at this stock
# level, see the fill rate in Step 3) waits for it first, so the real share can fall a little
# short of the formula.

# %% [markdown]
# **4. Discussion.** Independent demands. The law assumes (a) independent demands — variants
# often move together (a promotion, a season), and positively correlated demand pools less;
# (b) similar demand per variant — when a few runners carry most of the demand, there is less
# variability left to pool than with an even mix; (c) the same lead time and service level
# before and after pooling — postponement adds assembly in front of the customer (Step 3);
# (d) normal demand and continuous stock — for slow movers the exact, integer sizing differs
# (Step 2, exercise 2); (e) the modules really are common: 200 variants built from 5 modules
# are 5 pools, each with its own demand, not one.
