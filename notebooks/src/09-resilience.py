# Source of notebooks/09-resilience.ipynb (percent format; build with notebooks/build.py).

# %% [markdown]
# # Lesson 9 — Resilience: a supplier outage and a demand surge
#
# **Learning objectives.** After this lesson you can
#
# 1. describe a disruption by what it cuts (supply or demand), when and for how long, and add
#    one to a scenario as an event;
# 2. read the resilience KPIs: **time to survive** of each stock point (how long it serves
#    demand once supply stops) and **time to recover** (how long after the event the service
#    is back to normal), with the peak backlog and the orders late because of the event;
# 3. estimate a stock point's time to survive from its stock and the demand rate, and explain
#    why the stock upstream and on the way adds to it;
# 4. say what a buffer buys against each kind of event, and where it buys most, from
#    replications shown as bands.
#
# **Time:** about 50 minutes. The notebook runs top to bottom in well under two minutes.

# %% [markdown]
# ## The idea
#
# Simchi-Levi's **time to survive** (TTS) is how long a node can keep serving demand after its
# supply stops; the **time to recover** (TTR) is how long the supplier needs to be back. A node
# is at risk when TTS < TTR: its customers will feel the outage. TTS is a property of the
# network's stock, so it is a design choice: every unit of stock buys 1/λ days of it, where it
# sits decides whom it protects.
#
# The simulator measures both from a run (see `docs/events.md`): time to survive per stock
# point, from the event's start to its first new backorder (and the *expected* value from its
# stock on hand at the start and its demand rate); time to recover from the event's **end** to
# the first day from which rolling OTIF, backlog and backorders stay within their pre-event
# range for a week.

# %% [markdown]
# ## Setup
#
# `scenarios/validation/two_echelon.yaml` is a small network: a plant stock `plant_stock` buys
# from the supplier `vendor` (a constant lead time L0 = 5 days) and ships to a distribution
# centre `dc_stock` (a constant transit L1 = 2 days), which serves Poisson demand. Both keep base
# stock. We raise demand to `RATE` a day, give them base-stock levels with a few units of
# safety stock, and let customers accept delivery the next day. Two events, written here as
# overrides of the scenario's `events:` section, start two months after the warm-up:
#
# * `OUTAGE`: the vendor delivers nothing for two weeks;
# * `SURGE`: demand doubles for two weeks.

# %%
# %matplotlib inline
import pandas as pd

from simulator import charts, load_scenario, plots, simulate
from simulator.experiment import around_events_frame, compare, replicate, run_around_events, summarize
from simulator.teach import check, check_choice
from simulator.theory import base_stock_poisson

SEED = 1  # every run below is reproducible from this seed
REPS = 6  # replications per alternative
RATE = 4.0  # units (orders of one unit) a day
PLANT_STOCK, DC_STOCK = 25, 12  # base-stock levels S0 and S1
START, DURATION = 160, 14  # the events' first day and length (days)
EXTRA = 30  # the extra buffer the alternatives hold (units)
OUTAGE = {"effect": "outage", "target": "vendor", "start": START, "duration": DURATION}
SURGE = {"effect": "demand", "factor": 2.0, "start": START, "duration": DURATION}
pd.options.display.precision = 2

base = load_scenario("validation/two_echelon", {
    "horizon_days": 200,
    "steps.generation.channels.web.rate_per_day": RATE,
    "network.stock_points.plant_stock.target": PLANT_STOCK,
    "network.stock_points.dc_stock.target": DC_STOCK,
    "customers.all.demand_lead_time": 1,
})
L0 = base.network.sites["vendor"].lead_time.mean()
L1 = base.network.lanes["plant_to_dc"].time.mean()
print(f"demand {RATE:g}/day; plant lead time L0 = {L0:g} days (lead-time demand {RATE * L0:g}), "
      f"transit L1 = {L1:g} days ({RATE * L1:g} units on the way); S0 = {PLANT_STOCK}, "
      f"S1 = {DC_STOCK}")
print(f"measured from day {base.warmup_days:g} to {base.warmup_days + base.horizon_days:g}; "
      f"events from day {START} to {START + DURATION}")

# %% [markdown]
# ## Step 1 — one outage, one run
#
# The outage as one run first, to see what the simulator reports. `result.resilience` has one
# row per event (`occurrences`) and one per stock point it cut (`stock_points`).

# %%
result = simulate(base.with_overrides(**{"events.outage": OUTAGE}), (SEED, 0))
occurrence = result.resilience.occurrences.iloc[0]
print(f"recovered on day {occurrence['recovered']:g}: {occurrence['time_to_recover']:g} days "
      f"after the end; peak backlog {occurrence['peak_backlog']:g} orders; "
      f"{occurrence['orders_late_event']:g} orders late because of the event")
result.resilience.stock_points[["stock_point", "expected", "measured"]]

# %% [markdown]
# The plant runs out first: its stock on hand at the start lasts about as long as the
# *expected* column says (on hand / demand rate). The distribution centre survives far longer
# than its own on-hand stock suggests: units on the way from the plant keep arriving for L1
# days, and the plant keeps shipping while it has stock. **The time to survive of a stock point
# includes everything between it and the cut.**

# %% [markdown]
# ## Step 2 — what a buffer buys against the outage
#
# Three designs face the same outage: the base design (`lean`), `EXTRA` more units at the
# plant, and `EXTRA` more at the distribution centre. `compare` runs each `REPS` times with
# common random numbers (replication r of every design sees the same demand), and
# `run_around_events` keeps each run's daily indicators around the event for the bands.

# %%
DESIGNS = {
    "lean": {},
    f"plant +{EXTRA}": {"network.stock_points.plant_stock.target": PLANT_STOCK + EXTRA},
    f"dc +{EXTRA}": {"network.stock_points.dc_stock.target": DC_STOCK + EXTRA},
}
KPIS = ["otif", "time_to_recover", "peak_backlog", "orders_late_event",
        "time_to_survive.plant_stock", "time_to_survive.dc_stock", "inventory_mean"]


def table(comparison, kpis):
    """Mean ± 95% half-width per design and KPI."""
    s = comparison.summary[comparison.summary["kpi"].isin(kpis)]
    s = s.assign(value=[f"{m:.2f} ± {h:.2f}" for m, h in zip(s["mean"], s["half_width"],
                                                               strict=True)])
    return s.pivot(index="kpi", columns="alternative", values="value").loc[
        [k for k in kpis if k in set(s["kpi"])], list(DESIGNS)]


outage = compare(base.with_overrides(**{"events.outage": OUTAGE}), DESIGNS, reps=REPS,
                 seed=SEED, workers=1, measure=run_around_events)
table(outage, KPIS)

# %%
charts.event_bands(around_events_frame(outage.runs),
                   title=f"A {DURATION}-day supplier outage: {REPS} replications per design")

# %% [markdown]
# **Reading the bands.** Each band spans the replications' lowest and highest value on that
# day, the line is their mean; the grey span is the outage. In the lean design the backlog
# climbs a few days into the outage — once the plant and the pipeline are empty — and falls
# when deliveries resume. Thirty units buy about 30/λ ≈ 7.5 days of survival, so both buffered
# designs shrink the peak; neither lasts the full two weeks.

# %%
peaks = outage.summary[outage.summary["kpi"] == "peak_backlog"].set_index("alternative")
for name in DESIGNS:
    print(f"{name:>9}: peak backlog {peaks.loc[name, 'mean']:.1f} ± "
          f"{peaks.loc[name, 'half_width']:.1f} orders")
late = outage.runs.pivot(index="replication", columns="alternative", values="orders_late_event")
same = bool((late[f"plant +{EXTRA}"] == late[f"dc +{EXTRA}"]).all())
print(f"plant +{EXTRA} and dc +{EXTRA} late the same orders in every replication: {same}")

# %% [markdown]
# Against an outage **it does not matter where the thirty units sit** (the two buffered
# designs lie on top of each other in the figure): once supply stops, every unit between the
# customers and the cut — the *echelon stock* — serves demand, wherever it waits. The time to
# recover hardly moves either: every design runs out before the outage ends, the backlog clears
# within days of the end, and rolling OTIF, which looks back a week, needs that week to forget
# the late orders. A buffer shortens the exposure; it shortens the recovery only if it lasts
# the whole outage.

# %% [markdown]
# ## Step 3 — the same buffers against a demand surge
#
# Now supply is fine, but demand doubles for two weeks. The plant's extra stock is two days
# (L1) from the customers; the distribution centre's is at hand.

# %%
surge = compare(base.with_overrides(**{"events.surge": SURGE}), DESIGNS, reps=REPS, seed=SEED,
                workers=1, measure=run_around_events)
table(surge, ["otif", "time_to_recover", "peak_backlog", "orders_late_event", "inventory_mean"])

# %%
charts.event_bands(around_events_frame(surge.runs),
                   title=f"Demand doubles for {DURATION} days: {REPS} replications per design")

# %%
surge_peaks = surge.summary[surge.summary["kpi"] == "peak_backlog"].set_index("alternative")
best_against_surge = surge_peaks.loc[[n for n in DESIGNS if n != "lean"], "mean"].idxmin()
print(f"against the surge, the lowest peak backlog: {best_against_surge}")

# %% [markdown]
# A surge has no time to survive (supply is not cut), but buffers still matter: extra demand
# is served from stock until the replenishments catch up. Stock close to the customer serves
# the surge at once; stock at the plant must first travel L1 days, and the distribution
# centre's base stock, sized for normal demand, runs short in the meantime. Against the outage
# the place of the buffer did not matter. **Where a buffer buys most depends on the event.**

# %% [markdown]
# ## Step 4 — how many days a unit of stock buys
#
# We add 0 to 40 units at the plant and measure the time to survive of both stock points in
# the outage. A rough estimate of the plant's: its expected stock on hand before the event,
# E[on hand] of base stock with Poisson lead-time demand (lesson 5), divided by λ. The
# distribution centre's adds its own base stock S1 (on hand and on the way), S1/λ more days.

# %%
EXTRAS = [0, 10, 20, 30, 40]
rows, estimates = [], []
for extra in EXTRAS:
    scen = base.with_overrides(**{"events.outage": OUTAGE,
                                  "network.stock_points.plant_stock.target": PLANT_STOCK + extra})
    runs = replicate(scen, REPS, seed=SEED)
    runs = runs.rename(columns={"time_to_survive.plant_stock": "plant",
                                "time_to_survive.dc_stock": "distribution centre"})
    for point in ("plant", "distribution centre"):
        rows.append(summarize(runs, [point]).assign(extra=extra, kpi="time_to_survive",
                                                    stock_point=point))
    plant_days = base_stock_poisson(RATE, L0, PLANT_STOCK + extra)["inventory_codp_mean"] / RATE
    estimates += [{"extra": extra, "stock_point": "plant", "value": plant_days},
                  {"extra": extra, "stock_point": "distribution centre",
                   "value": plant_days + DC_STOCK / RATE}]
survive = pd.concat(rows, ignore_index=True)
estimate = pd.DataFrame(estimates).assign(kpi="time_to_survive")
plots.sim_vs_theory(survive, estimate, x="extra", group="stock_point", kpis="time_to_survive",
                    xlabel="extra units at the plant", dodge=0.6,
                    ylabels={"time_to_survive": "time to survive (days)"},
                    reference={"time_to_survive": (DURATION, "the outage's length")},
                    title=f"Time to survive a supplier outage, λ = {RATE:g}/day")

# %% [markdown]
# Every extra unit at the plant buys about 1/λ = 0.25 days for both stock points, and the
# estimate (the lines) follows the measurements within their intervals (wide ones: one outage
# per run is one sample of how much stock was on hand when it struck). Where the line
# crosses the outage's length, the customers stop feeling the outage: that is the buffer the
# risk calls for, and its holding cost is the price of the insurance.

# %% [markdown]
# ## Exercises
#
# Each exercise has a cell that checks your answer: set the variable and run the cell.
#
# 1. **A bigger plant stock.** With S0 = 45 (20 more than the base design), how many days does
#    the plant's stock last after the vendor stops? Estimate it; it is checked against the
#    simulation's 95% interval (widened by a day).

# %%
my_plant_days = None  # your answer: days
plant45 = survive[(survive["extra"] == 20) & (survive["stock_point"] == "plant")].iloc[0]
check(my_plant_days, expected=(plant45["mean"] - plant45["half_width"],
                               plant45["mean"] + plant45["half_width"]), tol=1.0,
      name="time to survive", why="Its stock on hand, about S0 - λL0, lasts (S0 - λL0)/λ days.",
      hint="How many units are on hand at the plant on average (S0 minus the lead-time demand), "
           "and how fast does demand take them?")

# %% [markdown]
# 2. **Where against a surge?** Against the two-week demand surge, where do the extra units
#    give the lower peak backlog: "plant" or "dc"?

# %%
my_place = None  # your answer: "plant" or "dc"
check_choice(my_place, best_against_surge.split()[0], ["plant", "dc"], name="place",
             why="Stock at the DC serves the extra demand at once; the plant's is L1 days away.",
             hint="Which stock can reach a customer the same day?")

# %% [markdown]
# 3. **How much for the whole outage?** How many units of safety stock at the plant (on top of
#    the lead-time demand λL0) would let it survive the whole 14-day outage on average? Checked
#    against λ × 14 within 2 units.

# %%
my_units = None  # your answer: units
check(my_units, expected=RATE * DURATION, tol=2, name="safety stock",
      why="Each day of survival takes λ units on hand.", hint="Units = days × demand per day.")

# %% [markdown]
# ---
# ## Answers
#
# *For the teacher, or for after you have tried.*

# %% [markdown]
# **1. A bigger plant stock.**

# %%
on_hand = base_stock_poisson(RATE, L0, PLANT_STOCK + 20)["inventory_codp_mean"]
print(f"E[on hand] = {on_hand:.2f} units -> {on_hand / RATE:.2f} days; simulated "
      f"{plant45['mean']:.2f} ± {plant45['half_width']:.2f} days")
check(on_hand / RATE, expected=(plant45["mean"] - plant45["half_width"],
                                plant45["mean"] + plant45["half_width"]), tol=1.0,
      name="time to survive")

# %% [markdown]
# **2. Where against a surge?** The distribution centre (see Step 3): its units serve the extra
# demand the day it arrives. The plant's must travel first, and they only refill the DC's
# normal base stock.

# %% [markdown]
# **3. How much for the whole outage?**

# %%
print(f"λ × duration = {RATE:g} × {DURATION} = {RATE * DURATION:g} units of safety stock, "
      f"{RATE * DURATION / (PLANT_STOCK - RATE * L0):.0f} times the base design's "
      f"{PLANT_STOCK - RATE * L0:g}")

# %% [markdown]
# On average that is enough; to survive most outages of that length the buffer must also cover
# the variability of demand over 14 days (about $\sqrt{\lambda \cdot 14}$ more, times a safety
# factor) — and the outage's own length is uncertain. Whether such a buffer pays is the
# question of lesson 10: its holding cost every day against the cost of an outage that may
# come once in years.
