# Source of notebooks/07-omnichannel.ipynb (percent format; build with notebooks/build.py).

# %% [markdown]
# # Lesson 7 — Distributed order management and omnichannel
#
# **Learning objectives.** After this lesson you can
#
# 1. explain what a **sourcing rule** decides (which site fulfils an order) and name the usual
#    ones: fixed, priority, nearest with stock, lowest cost to serve, fewest splits;
# 2. work out an order's **cost to serve** (last-leg transport + handling) by hand and check it
#    against the simulator exactly;
# 3. compare sourcing rules on speed (cycle time, OTIF), cost to serve and stock, with
#    confidence intervals from replications, and say why the cheapest rule is not the best;
# 4. say when a rule that sources **line by line** splits an order of several lines across
#    sites, what `fewest_splits` buys against it (fewer shipments) and what it costs, and why a
#    network whose DCs hold little finished stock hardly ever splits;
# 5. describe ship-from-store and pickup in store (click & collect), and what the customer's
#    own collection time does to the cycle time.
#
# **Time:** about 65 minutes. The notebook runs top to bottom in under two minutes.

# %% [markdown]
# ## The idea
#
# A retailer with distribution centres (DCs) and stores holds stock in many places. An
# online order can be fulfilled by any of them that has a lane to the customer: the region's
# DC by parcel carrier, the other DC, or a store by a local courier (**ship-from-store**). A
# customer can also order online and collect in a store (**pickup in store**, click & collect):
# from the store's own shelf, or carried there from a DC.
#
# **Distributed order management** (DOM) decides, order by order, which site fulfils it. The
# simulator's rules (`network.sourcing`, docs/order-life.md "Distributed order management"):
#
# * `fixed`: always the region's first site (its DC), whatever its stock;
# * `priority`: the first site in the region's list that holds the stock now, else the fixed;
# * `nearest_with_stock`: among the sites holding the stock now, the one with the shortest
#   expected transit to the customer (or to the pickup store), else the fixed one;
# * `lowest_cost`: the lowest **cost to serve**: units × (transport cost per unit on the last
#   leg + the site's handling cost per unit), plus a backorder cost for the expected wait if the
#   site does not hold the stock now;
# * `fewest_splits`: a site that can serve the whole order.
#
# The decision is taken when fulfilment starts, on the stock of that moment. An order of several
# lines is sourced **line by line**: its lines may come from different sites (a **split**), each
# site sending its own shipment.

# %% [markdown]
# ## Setup

# %%
# %matplotlib inline
import pandas as pd

from simulator import charts, load_scenario, simulate
from simulator.experiment import compare, paired_difference
from simulator.teach import check, check_choice

SEED = 1  # every run below is reproducible from this seed
REPS = 3  # replications per rule
pd.options.display.precision = 3

# %% [markdown]
# ## Part 1 — orders of several lines: the multi-site manufacturer
#
# `scenarios/multi-site.yaml` is a pump maker with two plants (Brno, Lyon) and three DCs
# (Hamburg, Nuremberg, Barcelona). Each region lists its own DC first and a neighbouring DC
# second, a longer and dearer last leg: `north: [dc_hamburg, dc_nuremberg]`. A wholesaler orders
# one to five pumps on one order, an installer one or two; the shipped rule is `fewest_splits`.
#
# A DC ships a line from its own stock only if the pump is **made to stock** (decoupling point
# `mts`). Most pumps are **assembled to order** (`ato`): from the plant's sub-assemblies, for the
# order, whichever DC it is sent from. We run ten days after a six-day warm-up, once with the
# rule that looks at one line at a time, `nearest_with_stock`.

# %%
MS_RUN = {"horizon_days": 10, "warmup_days": 6}
shipped = load_scenario("multi-site", {**MS_RUN, "network.sourcing": "nearest_with_stock"})
dp = {p: spec.decoupling_point or shipped.decoupling_point for p, spec in shipped.products.items()}
mts_share = sum(spec.share for p, spec in shipped.products.items() if dp[p] == "mts") / sum(
    spec.share for spec in shipped.products.values())
one = simulate(shipped, (SEED, 0))
lines = one.lines.assign(decoupling_point=lambda d: d["product"].map(dp))
print(f"pumps made to stock at the DCs: {sorted(p for p in dp if dp[p] == 'mts')}, "
      f"{mts_share:.0%} of the demand by the product mix")
print(f"lines for them in the run: {(lines['decoupling_point'] == 'mts').mean():.0%}; "
      f"orders split across DCs: {one.kpis['split_sourcing_rate']:.2%}")

# %% [markdown]
# **Why the shipped network rarely splits.** Only three high runners are stocked at the DCs.
# Every other line is assembled to order at a plant: every DC obtains it the same way and none
# holds it now, so the rules send it from the region's own DC (`fewest_splits`: from the DC
# the order's other lines come from), and it splits nothing. An order of several lines can
# split only when it has a line for a stocked pump *and* the own DC is out of that pump while
# the neighbour has it. With most pumps stocked at the DCs (`decoupling_point: mts` for every
# product), every line takes DC stock, and a DC short of one line of an order is common. The
# same three rules, the same customers (common random numbers):

# %%
MS_RULES = ["nearest_with_stock", "lowest_cost", "fewest_splits"]
MS_KPIS = ["split_sourcing_rate", "split_shipment_rate", "shipments_per_order", "cost_to_serve",
           "cycle_time_mean", "time_to_first_shipment", "otif"]
stocked = load_scenario("multi-site", {**MS_RUN, "decoupling_point": "mts"})
ms = compare(stocked, {r: {"network.sourcing": r} for r in MS_RULES}, reps=REPS, seed=SEED,
             workers=1)
m = ms.summary[ms.summary["kpi"].isin(MS_KPIS)]
m = m.assign(value=[f"{a:.3g} ± {h:.2g}" for a, h in zip(m["mean"], m["half_width"], strict=True)],
             vs_nearest=[f"{d:+.3g} ± {h:.2g}" if n else "" for d, h, n
                         in zip(m["diff"], m["diff_half_width"], m["diff_n"], strict=True)])
m.pivot(index="kpi", columns="alternative", values="value").loc[MS_KPIS, MS_RULES]

# %% [markdown]
# The paired differences to `nearest_with_stock` (mean ± 95% half-width over the replications):

# %%
m.pivot(index="kpi", columns="alternative", values="vs_nearest").loc[MS_KPIS, MS_RULES[1:]]

# %%
charts.comparison_chart(ms.summary, [*MS_KPIS[:4], "time_to_first_shipment"],
                        title=f"Sourcing per line at the multi-site manufacturer, every pump "
                              f"stocked at the DCs, {REPS} replications")

# %% [markdown]
# The share of orders split across DCs, replication by replication (the same customers in a
# row):

# %%
ms.runs.pivot(index="replication", columns="alternative", values="split_sourcing_rate")[MS_RULES]

# %% [markdown]
# **Reading the results.**
#
# * In the shipped network `nearest_with_stock` split none of the run's orders: only three
#   pumps, about 30% of the lines, are stocked at the DCs, and the other lines go to the own DC
#   under any rule. That is why the shipped rule, `fewest_splits`, rarely has anything to do.
# * With every pump stocked at the DCs, `nearest_with_stock` and `lowest_cost` split some
#   orders in every replication (2 to 8%): the own DC is both the nearest and the cheapest, so
#   both rules send a line the own DC is out of to the neighbour, and the order goes in at
#   least two shipments. `fewest_splits` first looks for one DC holding every line and splits almost
#   none.
# * Fewer splits mean fewer shipments per order and fewer orders delivered in more than one
#   shipment, in every replication (the installers ship complete, one shipment per DC; the
#   wholesalers take each line as it is ready, so they get several shipments under any rule).
# * The price: to keep an order together, `fewest_splits` sends the *whole* order to the
#   neighbour when only it holds every line, a dearer last leg for the lines the own DC had, so
#   its cost to serve is the highest of the three in every replication here; `lowest_cost`,
#   which prices every line, is the cheapest (its paired difference excludes 0). Speed hardly
#   moves: with stock at the DCs every rule ships within hours, and OTIF is about 99% under
#   all three.
# * Three replications of ten days are short: `fewest_splits` splits fewer orders in every
#   replication, but the 95% interval of the mean difference still reaches 0, because how
#   often a DC runs short differs much from one replication to the next. A claim about the
#   mean needs longer runs or more replications (lesson 10); the lesson keeps them short to run
#   in a class.
#
# A split costs a second delivery to the customer (and a second delivery note); keeping orders
# together costs transport. Which is worse depends on what the customer pays for, which no rule
# knows by itself.

# %% [markdown]
# ## Part 2 — the omnichannel retailer
#
# `scenarios/omnichannel-retailer.yaml` is an outdoor retailer in Great Britain: two DCs
# (Midlands, South), five stores, about 86 inquiries a day from a web shop (home delivery),
# click & collect and in-store orders (60% collected later in the store). Each region lists its
# candidate sites, its DC first: `london: [dc_south, store_london, dc_midlands]`. A DC picks
# and packs a unit for £0.80 and sends it by parcel carrier for £4.00 to £7.00 in 1 to 5 days;
# a store picks from the shelf for £3.00 and sends it by local courier for £3.50 within a day.
# Customers ask for delivery in 2, 3 or 5 days.
#
# Its orders have one line each, so no order splits: here the rules choose between a DC and a
# store, speed against cost to serve. We run four weeks after the retailer's six-week warm-up.

# %%
DAYS = 28  # days measured after the warm-up
retailer = load_scenario("omnichannel-retailer", {"horizon_days": DAYS})
print(f"{retailer.name}: sourcing rule {retailer.network.sourcing}; {DAYS} days measured after "
      f"{retailer.warmup_days:g} of warm-up")
pd.DataFrame({region: {"candidate sites (fixed first)": ", ".join(r.sites)}
              for region, r in retailer.network.regions.items()}).T

# %% [markdown]
# ## Step 1 — one order, sourced
#
# One run with the scenario's own rule, `nearest_with_stock`. The orders frame says, per
# order, the site that fulfilled it, why (`sourced_by`), whether it was collected in store
# (`pickup`) and its cost to serve.

# %%
nearest = simulate(retailer, (SEED, 0))
o = nearest.orders
done = o[(o["status"] == "delivered") & (o["inquiry"] >= retailer.warmup_days)]
done[["channel", "region", "product", "units", "site", "pickup", "sourced_by",
      "cost_to_serve"]].head(8)

# %% [markdown]
# The trace of the first order shows the decision as a step of fulfilment, with its reason:

# %%
first = int(done["id"].iloc[0])
steps = nearest.trace(first)
steps[steps["step"] == "fulfillment"][["activity", "department", "start", "end", "detail"]]

# %% [markdown]
# **Cost to serve, by hand.** The London store shipping a unit to a London customer costs
# its handling (£3.00) plus the courier (£3.50): £6.50 a unit. Collected in the store from its
# own shelf, there is no last leg: £3.00. Sent by the South DC's parcel carrier: £0.80 +
# £4.00 = £4.80. The few orders a DC carries to the store for pickup (the store was out of the
# item) pay the DC's handling and the truck to the store: £0.80 + £0.60 from the South DC.

# %%
london = done[done["region"] == "london"].assign(per_unit=lambda d: d["cost_to_serve"] / d["units"])
london.groupby(["site", "pickup"])["per_unit"].agg(["min", "max", "count"])

# %% [markdown]
# ## Step 2 — three sourcing rules
#
# The same four weeks, the same customers (common random numbers), under three rules. We leave
# out `priority`: it differs from `fixed` only when the region's DC is out of the item, which
# at this retailer almost never happens (its results are `fixed`'s within the intervals), and
# `fewest_splits`, which with one-line orders *is* `priority` (Part 1 shows it on orders of
# several lines).

# %%
RULES = ["fixed", "nearest_with_stock", "lowest_cost"]
KPIS = ["otif", "cycle_time_mean", "cost_to_serve", "orders_cancelled", "inventory_value_mean"]
rules = compare(retailer, {r: {"network.sourcing": r} for r in RULES}, reps=REPS, seed=SEED,
                workers=1)
s = rules.summary[rules.summary["kpi"].isin(KPIS)]
s = s.assign(value=[f"{m:.3g} ± {h:.2g}" for m, h in zip(s["mean"], s["half_width"], strict=True)])
s.pivot(index="kpi", columns="alternative", values="value").loc[KPIS, RULES]

# %%
charts.comparison_chart(rules.summary, KPIS,
                        title=f"Sourcing rules at the omnichannel retailer, {REPS} replications")

# %% [markdown]
# Where the orders went, share of the orders delivered per site (mean of the replications):

# %%
# Each run's by_site.<site> column holds that site's figures; share_fulfilled is one of them.
sites = [c for c in rules.runs.columns if c.startswith("by_site.")]
shares = pd.DataFrame({c.split(".", 1)[1]: rules.runs[c].map(lambda k: k["share_fulfilled"])
                       for c in sites})
shares.groupby(rules.runs["alternative"]).mean().T[RULES]

# %% [markdown]
# **Reading the results.**
#
# * `fixed` sends every home delivery to the region's DC; the stores serve only their own click
#   & collect and in-store orders. Parcels take one to five days against a D of two to five,
#   so about one order in eight is late.
# * `nearest_with_stock` ships from the store whenever it has the item: a courier within the
#   day. The cycle time halves and OTIF rises, but the store's handling and courier cost more
#   per unit than the DC's pick and parcel, so the cost to serve rises.
# * `lowest_cost` does the sum for every order: a DC is cheaper to every region, so it ships
#   everything from the DCs, even the click & collect orders, carried to the store. Its cost to
#   serve is the lowest, and it is the slowest, with the most orders late and the most
#   cancelled (customers who run out of patience, on top of the few cancelled on request under
#   any rule): the rule counts the cost of the last leg, not the cost of a late order.
# * Both rules that move orders away from the fixed sites hold more stock on average (the
#   paired differences exclude 0): where the orders go changes where stock sits idle. Why,
#   site by site, is a good question to explore with longer runs.
#
# A sourcing rule is a trade-off between speed and cost to serve; it also moves stock between
# DCs and stores, which changes what the replenishment must carry.

# %% [markdown]
# ## Step 3 — pickup in store
#
# A click & collect order ends when the customer collects it, a gamma-distributed delay with
# mean 1.2 days after it is ready in the store (an in-store order collected later: mean 2
# days). Its cycle time therefore includes the customer's own time:

# %%
cycle = done.assign(cycle_time=done["delivered"] - done["received"])
cycle.groupby(["channel", "pickup"])["cycle_time"].agg(["mean", "count"])

# %% [markdown]
# The home-delivered orders (web, and in-store orders sent home) take little more than half a
# day: the store's courier. The collected ones take longer, and almost all of it is the
# customer: an order that is on the store's shelf is ready at once and then waits for its
# customer. A firm judged on cycle time should measure the collection delay apart: it is not
# the firm's to shorten (the `customer collects` step of the trace is held by the customer).

# %% [markdown]
# ## Exercises
#
# Each exercise has a cell that checks your answer: set the variable and run the cell.
#
# 1. **Fewer splits.** In Part 1 (every pump stocked at the DCs), by how much does
#    `fewest_splits` lower the share of orders split across DCs against `nearest_with_stock`?
#    Answer as a share (0.03 for 3 percentage points); checked against the mean paired
#    difference within 0.01.

# %%
my_fewer_splits = None  # your answer: a share
split_pair = ms.runs.pivot(index="replication", columns="alternative", values="split_sourcing_rate")
fewer = paired_difference(split_pair["nearest_with_stock"], split_pair["fewest_splits"])
check(my_fewer_splits, expected=fewer["mean"], tol=0.01, name="splits avoided",
      why="nearest_with_stock takes each line from the nearest DC holding it, so a line the own "
          "DC is out of goes to the neighbour; fewest_splits first looks for one DC holding "
          "every line of the order.",
      hint="The split_sourcing_rate row of the paired differences, sign reversed.")

# %% [markdown]
# 2. **Cost to serve.** A web order for 3 base layers from a Leeds customer (region
#    `yorkshire`) is shipped from `store_leeds` by its courier. What is its cost to serve, in
#    pounds? Checked against the simulator's cost per unit within 1p.

# %%
my_cost_to_serve = None  # your answer: pounds
leeds = done[(done["site"] == "store_leeds") & ~done["pickup"]]
leeds_per_unit = float((leeds["cost_to_serve"] / leeds["units"]).mean())
check(my_cost_to_serve, expected=3 * leeds_per_unit, tol=0.01, name="cost to serve",
      why="Per unit: the store's handling (3.00) + the courier (3.50); times 3 units.",
      hint="Look up the store's handling_cost and the lane leeds_courier's cost_per_unit.")

# %% [markdown]
# 3. **The fastest rule.** Which rule gives the shortest mean cycle time: "fixed",
#    "priority", "nearest_with_stock" or "lowest_cost"?

# %%
my_fastest = None  # your answer: a rule's name
cycle_means = rules.summary[rules.summary["kpi"] == "cycle_time_mean"].set_index("alternative")
check_choice(my_fastest, str(cycle_means["mean"].idxmin()), [*RULES, "priority"],
             name="fastest rule",
             why="It ships from the store whenever the store holds the item: a courier within "
                 "the day instead of a parcel of one to five days.",
             hint="Which rule looks at the transit time?")

# %% [markdown]
# 4. **The cheapest rule, and what it costs.** By how many pounds per order is the cost to
#    serve of `lowest_cost` below that of `nearest_with_stock`? Checked against the paired
#    difference's 95% interval, widened by £0.10.

# %%
my_saving = None  # your answer: pounds per order (a positive number)
paired = rules.runs.pivot(index="replication", columns="alternative", values="cost_to_serve")
saving = paired_difference(paired["nearest_with_stock"], paired["lowest_cost"])
check(my_saving, expected=(saving["mean"] - saving["half_width"],
                           saving["mean"] + saving["half_width"]), tol=0.10,
      name="saving per order",
      why="The stores' handling and courier cost more per unit than a DC's pick and parcel.",
      hint="Subtract the two cost_to_serve means of Step 2.")

# %% [markdown]
# 5. **Collection time.** Among the click & collect orders of Step 1's run, what is the mean
#    cycle time, receipt to collection, in days? Estimate it from the scenario's collection
#    delay (the order is usually on the shelf); checked against the run's mean within 0.15
#    days.

# %%
my_collect_days = None  # your answer: days
cc = cycle[cycle["channel"] == "click_collect"]["cycle_time"]
check(my_collect_days, expected=float(cc.mean()), tol=0.15, name="click & collect cycle time",
      why="Almost all of it is the customer's collection delay, mean 1.2 days.",
      hint="Look at the channel's pickup: collect_delay in the scenario.")

# %% [markdown]
# ---
# ## Answers
#
# *For the teacher, or for after you have tried.*

# %% [markdown]
# **1. Fewer splits.**

# %%
print(f"nearest_with_stock - fewest_splits = {fewer['mean']:.3f} ± {fewer['half_width']:.3f} "
      f"of the orders split across DCs (paired over {REPS} replications)")
check(fewer["mean"], expected=fewer["mean"], tol=0.01, name="splits avoided")

# %% [markdown]
# **2. Cost to serve.**

# %%
print(f"3 x (3.00 + 3.50) = {3 * (3.00 + 3.50):.2f} pounds; the simulator: "
      f"{3 * leeds_per_unit:.2f}")
check(3 * (3.00 + 3.50), expected=3 * leeds_per_unit, tol=0.01, name="cost to serve")

# %% [markdown]
# **3. The fastest rule.** `nearest_with_stock` (see Step 2).

# %%
cycle_means[["mean", "half_width"]].loc[RULES]

# %% [markdown]
# **4. The cheapest rule, and what it costs.**

# %%
print(f"nearest_with_stock - lowest_cost = {saving['mean']:.2f} ± {saving['half_width']:.2f} "
      f"pounds per order (paired over {REPS} replications)")

# %% [markdown]
# The saving is bought with speed: compare the two rules' OTIF, cycle time and cancellations
# in Step 2. Whether it pays depends on what a late or cancelled order costs, which the rule
# does not count.

# %% [markdown]
# **5. Collection time.**

# %%
waiting = o[(o["channel"] == "click_collect") & (o["status"] == "open")
            & (o["inquiry"] >= retailer.warmup_days)]
print(f"collect delay mean 1.2 days; click & collect cycle time in the run {cc.mean():.2f} days "
      f"over {len(cc)} orders collected; {len(waiting)} more were still open at the end")
check(1.2, expected=float(cc.mean()), tol=0.15, name="click & collect cycle time")

# %% [markdown]
# The run's mean is a little below the delay's mean: the customers slowest to collect in the
# last days of the run had not collected by its end, and an order counts once it is delivered.
