# Source of notebooks/04-utilisation-and-variability.ipynb (percent format; build with
# notebooks/build.py).

# %% [markdown]
# # Lesson 4 — Utilisation and variability: why queues explode
#
# **Learning objectives.** After this lesson you can
#
# 1. compute a stage's utilisation ρ = λ·E[S] and measure it in a simulation;
# 2. predict the mean wait in queue of a single-server stage with the M/M/1 and
#    Pollaczek-Khinchine formulas, and check the predictions against the simulator with
#    confidence intervals;
# 3. explain the "VUT" structure of the wait — Variability × Utilisation × Time — and which lever
#    helps most at high load;
# 4. connect the wait to on-time delivery: the share of orders delivered within the customer's
#    demand lead time D;
# 5. recognise why simulation results get noisy near full load, and what that means for the
#    length and number of runs.
#
# **Time:** about 45 minutes. The notebook runs top to bottom in well under a minute.

# %% [markdown]
# ## The idea
#
# Orders arrive at a stage at random, on average λ per day, and each takes a random service time
# S, on average E[S] days, on one server. The server is busy a share **ρ = λ·E[S]** of the time
# (its utilisation); for the stage to keep up, ρ must stay below 1. When orders arrive as a
# Poisson stream, the mean wait in queue is given by the **Pollaczek-Khinchine formula**
#
# $$W_q = \underbrace{\frac{1+c_s^2}{2}}_{V}\;\underbrace{\frac{\rho}{1-\rho}}_{U}\;
# \underbrace{E[S]}_{T},$$
#
# where $c_s$ is the coefficient of variation of the service time (standard deviation / mean).
# Three levers, multiplied:
#
# * **V — variability.** Constant service times ($c_s = 0$) halve the wait of exponential ones
#   ($c_s = 1$, the M/M/1 queue, where $W_q = \rho/(\mu-\lambda)$).
# * **U — utilisation.** $\rho/(1-\rho)$ is 1 at half load, 4 at 80%, 9 at 90%, 19 at 95%: the
#   last few percent of utilisation are paid for with very long queues.
# * **T — time.** Waits scale with the service time itself.
#
# In the order management cycle every department and every stage is such a server; this lesson
# isolates one and checks the formula against the simulator.

# %% [markdown]
# ## Setup
#
# The scenario `scenarios/validation/mg1.yaml` reduces the whole cycle to one queue: Poisson
# orders, and only the distribution stage (one server) takes time — every department is
# instantaneous, nothing is stocked. So an order's cycle time is its wait in that queue plus its
# service. We vary the arrival rate (the load) and the service-time distribution (mean 1 day):
# constant, exponential, and gamma with a coefficient of variation of 1.5.

# %%
# %matplotlib inline
import numpy as np
import pandas as pd

from simulator import charts, load_scenario, plots, simulate
from simulator.experiment import replications_needed, summarize
from simulator.plan import compile_plan
from simulator.teach import check, check_choice
from simulator.theory import mg1_wait, mm1_within, mmc_wait
from simulator.validation import queue_wait

SEED = 1  # every run below is reproducible from this seed
REPS = 5  # replications per cell
ORDERS = 1500  # about this many orders per replication: the horizon is ORDERS / λ days
LOADS = [0.3, 0.5, 0.7, 0.85]  # utilisations to simulate
SERVICES = {  # name -> (service-time distribution with mean 1 day, squared cv c_s^2)
    "constant (c² = 0)": (1.0, 0.0),
    "exponential (c² = 1)": ({"dist": "exponential", "mean": 1.0}, 1.0),
    "gamma, cv 1.5 (c² = 2.25)": ({"dist": "gamma", "mean": 1.0, "cv": 1.5}, 2.25),
}
pd.options.display.precision = 3


def queue_scenario(rho, service, servers=1, orders=ORDERS):
    """The one-queue scenario at utilisation rho per server, with the given service time."""
    rate = rho * servers  # service mean is 1 day: λ = ρ·c
    return load_scenario("validation/mg1", {
        "steps.generation.channels.web.rate_per_day": rate,
        "chain.stages.distribution.time": service,
        "chain.stages.distribution.servers": servers,
        "horizon_days": orders / rate,
        "warmup_days": 50,  # the file's 1000 days are for its long validation runs
    })


def measure(scenario, reps=REPS):
    """Replications (seeds (SEED, r)) of one scenario: wait in queue at the stage, its
    utilisation, and the order KPIs; returns one row per replication."""
    rows = []
    for r in range(reps):
        result = simulate(scenario, (SEED, r))
        rows.append({"wait": queue_wait(result, "distribution"),
                     "utilization": result.kpis["utilization"]["distribution"],
                     "cycle_time_mean": result.kpis["cycle_time_mean"],
                     "otif": result.kpis["otif"]})
    return pd.DataFrame(rows)


sc = queue_scenario(0.5, SERVICES["exponential (c² = 1)"][0])
service = compile_plan(sc).stations["distribution"].expected_time()
print(f"{sc.name}: λ = {sc.inquiry_rate:g}/day, E[S] = {service:g} "
      f"day, horizon {sc.horizon_days:g} days, customers' D = {sc.mean_demand_lead_time:g} days")

# %% [markdown]
# ## Step 1 — sweep the load for three levels of variability
#
# Each cell (load × service distribution) runs `REPS` replications. `queue_wait` (from
# `simulator.validation`) averages, over the orders received after the warm-up, the time from
# joining the stage's queue to the start of service.

# %%
summaries = []
for name, (service, _) in SERVICES.items():
    for rho in LOADS:
        runs = measure(queue_scenario(rho, service))
        summaries.append(summarize(runs).assign(rho=rho, service=name))
sim = pd.concat(summaries, ignore_index=True)
sim[sim["kpi"] == "wait"].pivot(index="rho", columns="service", values="mean")

# %% [markdown]
# The formulas, on a fine grid of loads: M/M/1 for exponential service
# (`simulator.validation.mmc_wait` with one server), Pollaczek-Khinchine for the others
# (`mg1_wait`), and the utilisation ρ itself.

# %%
grid = np.linspace(0.05, 0.9, 60)
rows = []
for name, (_, scv) in SERVICES.items():
    for rho in grid:
        wait = mmc_wait(rho, 1.0, 1) if scv == 1.0 else mg1_wait(rho, 1.0, scv)
        rows.append({"rho": rho, "service": name, "kpi": "wait", "value": wait})
rows += [{"rho": rho, "service": "ρ = λ·E[S]", "kpi": "utilization", "value": rho}
         for rho in grid]
theory = pd.DataFrame(rows)

fig = plots.sim_vs_theory(
    sim, theory, x="rho", group="service", kpis=["wait", "utilization"],
    xlabel="utilisation ρ = λ·E[S] (share of time busy)",
    ylabels={"wait": "mean wait in queue $W_q$ (days)",
             "utilization": "measured utilisation (share)"},
    title="One server, Poisson arrivals, mean service 1 day", dodge=0.008,
)
fig

# %%
agree = sim[sim["kpi"] == "wait"].copy()
agree["theory"] = [mmc_wait(r, 1.0, 1) if SERVICES[s][1] == 1.0 else mg1_wait(r, 1.0, SERVICES[s][1])
                   for r, s in zip(agree["rho"], agree["service"], strict=True)]
agree["inside"] = (agree["mean"] - agree["theory"]).abs() <= agree["half_width"]
print(f"{agree['inside'].sum()} of {len(agree)} 95% intervals of W_q contain the formula's value")
agree[["service", "rho", "mean", "half_width", "theory", "inside"]]

# %% [markdown]
# **Reading the figure.** At low load the three curves are close: there is hardly a queue,
# whatever the variability. As ρ grows they fan out, in the ratio of their V factors
# (0.5 : 1 : 1.625), and all three bend upwards — $\rho/(1-\rho)$ has no upper bound. The bottom
# panel checks that the stage really is as busy as λ·E[S] says.

# %% [markdown]
# ## Step 2 — V × U × T at the highest load
#
# The same numbers, split into the three factors, at the highest simulated load.

# %%
rho = max(LOADS)
vut = pd.DataFrame([
    {"service": name, "V = (1+c²)/2": (1 + scv) / 2, "U = ρ/(1-ρ)": rho / (1 - rho), "T = E[S]": 1.0,
     "W_q = V·U·T": (1 + scv) / 2 * rho / (1 - rho)}
    for name, (_, scv) in SERVICES.items()
]).set_index("service")
simulated = sim[(sim["kpi"] == "wait") & (sim["rho"] == rho)].set_index("service")
vut["W_q simulated"] = simulated["mean"]
vut["± (95% CI)"] = simulated["half_width"]
vut

# %% [markdown]
# ## Step 3 — from waiting to on-time delivery
#
# Customers in this scenario give a demand lead time D. With exponential service the time in an
# M/M/1 system is itself exponential, with rate μ − λ, so the share of orders delivered within D
# is $1 - e^{-(\mu-\lambda)D}$ (`simulator.validation.mm1_within`). At the highest load:

# %%
exp_service = SERVICES["exponential (c² = 1)"][0]
busy = queue_scenario(rho, exp_service)
d = busy.mean_demand_lead_time
otif = sim[(sim["kpi"] == "otif") & (sim["rho"] == rho) & (sim["service"].str.startswith("exp"))]
print(f"ρ = {rho}: on time within D = {d:g} days, simulated {otif['mean'].iloc[0]:.3f} ± "
      f"{otif['half_width'].iloc[0]:.3f}, M/M/1 {mm1_within(rho, 1.0, d):.3f}")
charts.cycle_time_distribution(simulate(busy, (SEED, 0)))

# %% [markdown]
# At this load the mean time in system, $1/(\mu-\lambda)$, is already longer than D. But even at
# loads where the mean is well inside D, some orders are late, because the exponential tail of
# the time in system is long. The M/M/1 formulas for every simulated load:

# %%
pd.DataFrame({
    "mean time in system 1/(μ-λ) (days)": [1 / (1 - r) for r in LOADS],
    "D (days)": [d] * len(LOADS),
    "on time within D (M/M/1)": [mm1_within(r, 1.0, d) for r in LOADS],
    "late": [1 - mm1_within(r, 1.0, d) for r in LOADS],
}, index=pd.Index(LOADS, name="ρ"))

# %% [markdown]
# A stage that is "on average fast enough" is not on time for every order; a promise that must
# hold for 95% of orders needs capacity to spare. The P:D lesson (lesson 2) builds on this.

# %% [markdown]
# ## Step 4 — noise near full load
#
# Look again at the error bars of Step 1: they widen quickly with the load. Near full load a
# queue has long busy periods, so consecutive orders wait together and a run of a given length
# holds fewer independent pieces of information. The relative half-width of the 95% interval of
# $W_q$ (half-width / mean), per load:

# %%
waits = sim[sim["kpi"] == "wait"].assign(relative=lambda t: t["half_width"] / t["mean"])
relative = waits.pivot(index="rho", columns="service", values="relative")
print(relative.round(3))
print("highest-load / lowest-load relative half-width:",
      (relative.loc[max(LOADS)] / relative.loc[min(LOADS)]).round(1).to_dict())

# %% [markdown]
# The same number of orders buys a much less precise answer at high load. That is why the
# validation runs of `simulator.validation` use far longer horizons at ρ = 0.9 than at 0.5, and
# why the exercises below ask how many replications a precise answer would need.

# %% [markdown]
# ## Exercises
#
# Each exercise has a cell that checks your answer: set the variable to your answer and run the
# cell. It tells you if you are right and, if not, in which direction you are off. Work it out
# with the formulas (`mmc_wait`, `mg1_wait`); the answers confirm them with simulations.
#
# 1. **Halve the wait.** A stage runs at ρ = 0.8 with exponential service times. Making service
#    times constant halves its mean wait. To which load ρ (to three decimals) must demand fall
#    to halve it instead, service staying exponential?

# %%
my_load = None  # your answer: ρ
check(my_load, expected=2 / 3, tol=0.001, name="ρ",
      why="U = ρ/(1−ρ) must fall from 4 to 2: ρ = 2/3, a sixth less demand.",
      hint="Halve ρ/(1−ρ) at ρ = 0.8 and solve for ρ.")

# %% [markdown]
# 2. **Two servers.** Replace the one server by two, each as fast as before, and double the
#    demand so that each is still 80% busy. What is the mean wait in queue (days, M/M/c
#    formula `mmc_wait`, to two decimals)? Compare it with the single server at 80%.

# %%
my_wait_two = None  # your answer: W_q in days
check(my_wait_two, expected=mmc_wait(1.6, 1.0, 2), tol=0.005, name="W_q with two servers",
      why="With two servers an order waits only when both are busy.",
      hint="mmc_wait(arrival rate, service rate, servers) with λ = 1.6 and μ = 1 a day.")

# %% [markdown]
# 3. **95% load.** Predict the mean wait in queue at ρ = 0.95 with exponential service (days).
#    Then simulate `REPS` replications of `ORDERS` orders: how wide is the interval? Use
#    `simulator.experiment.replications_needed` to estimate how many replications a ±10%
#    answer would need.

# %%
my_wait_95 = None  # your answer: W_q in days
check(my_wait_95, expected=mmc_wait(0.95, 1.0, 1), tol=0.05, name="W_q at 95%",
      why="ρ/(1−ρ) = 19 at 95% load, times V = 1 and T = 1 day.",
      hint="W_q = V·U·T with V = 1 for exponential service.")

# %% [markdown]
# 4. **Which lever?** At ρ = 0.9 with exponential service, which helps more: cutting the
#    coefficient of variation to 0.5 ("cv 0.5"), or cutting the load to 0.8 ("load 0.8")?

# %%
lever = "load 0.8" if mg1_wait(0.8, 1.0, 1.0) < mg1_wait(0.9, 1.0, 0.25) else "cv 0.5"
my_lever = None  # your answer: "cv 0.5" or "load 0.8"
check_choice(my_lever, lever, ["cv 0.5", "load 0.8"], name="lever",
             why="At high load U dominates: 9 → 4, while V moves only from 1 to 0.625.",
             hint="Compute V·U·T for both changes with mg1_wait.")

# %% [markdown]
# ---
# ## Answers
#
# *For the teacher, or for after you have tried.*

# %% [markdown]
# **1. Halve the wait.** Constant service halves V from 1 to 0.5, so it halves the wait at any
# load. Lowering the load instead needs $\rho/(1-\rho)$ to fall from 4 to 2, i.e. ρ = 2/3: a
# sixth less demand (or a server a fifth faster).

# %%
print(f"M/M/1 at 0.8: {mmc_wait(0.8, 1.0, 1):.2f} days; M/D/1 at 0.8: {mg1_wait(0.8, 1.0, 0):.2f}; "
      f"M/M/1 at 2/3: {mmc_wait(2 / 3, 1.0, 1):.2f}")
w = summarize(measure(queue_scenario(0.8, 1.0)), ["wait"]).iloc[0]
print(f"simulated M/D/1 at 0.8: {w['mean']:.2f} ± {w['half_width']:.2f} days")

# %% [markdown]
# **2. Two servers.**

# %%
one, two = mmc_wait(0.8, 1.0, 1), mmc_wait(1.6, 1.0, 2)
print(f"M/M/1 at 80%: W_q = {one:.2f} days; M/M/2 at 80% each: W_q = {two:.2f} days "
      f"({two / one:.0%} of the single server's wait)")
w = summarize(measure(queue_scenario(0.8, exp_service, servers=2)), ["wait"]).iloc[0]
print(f"simulated M/M/2: {w['mean']:.2f} ± {w['half_width']:.2f} days")

# %% [markdown]
# With two servers an arriving order waits only when *both* are busy, which happens less often
# than one server being busy at the same utilisation: pooling capacity cuts the wait, the same
# idea as pooling stock in lesson 3.

# %% [markdown]
# **3. 95% load.**

# %%
print(f"M/M/1 at 0.95: W_q = {mmc_wait(0.95, 1.0, 1):.1f} days")
runs = measure(queue_scenario(0.95, exp_service))
w = summarize(runs, ["wait"]).iloc[0]
print(f"simulated: {w['mean']:.1f} ± {w['half_width']:.1f} days "
      f"(relative half-width {w['half_width'] / w['mean']:.0%})")
print(f"replications for ±10%: about {replications_needed(runs['wait'], 0.10)}")

# %% [markdown]
# The interval is very wide, and even its centre is unreliable: at 95% load a run of this length
# sees only a few long busy periods. Getting a precise answer needs many more replications or
# much longer runs (the number printed above is only an estimate, itself based on five noisy
# values).

# %% [markdown]
# **4. Which lever?**

# %%
print(f"now (ρ 0.9, c² 1): {mg1_wait(0.9, 1.0, 1.0):.2f} days")
print(f"cv 0.5 (c² 0.25):  {mg1_wait(0.9, 1.0, 0.25):.2f} days")
print(f"ρ 0.8:             {mg1_wait(0.8, 1.0, 1.0):.2f} days")

# %% [markdown]
# Here lowering the load wins: it moves U from 9 to 4, while the lower variability moves V only
# from 1 to 0.625. At lower loads the balance can tip the other way — try ρ = 0.7 against 0.6.
