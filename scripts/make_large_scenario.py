"""Write scenarios/large.yaml, the benchmark network (about ten times scenarios/multi-site.yaml),
and print the mean loads of a network scenario.

    .venv/bin/python scripts/make_large_scenario.py            # writes scenarios/large.yaml
    .venv/bin/python scripts/make_large_scenario.py --loads scenarios/multi-site.yaml

The large scenario is the multi-site pump maker grown by acquisitions: four plants, eight regional
distribution centres, four suppliers, 20 product families of 12 pumps (240 products) and about
600 inquiries a day. Every number is derived here, deterministically (no random draws), so the
file is the same on every run. Work centre servers and department staff are sized so that each
runs at about TARGET_LOAD of its open hours at the mean; the loads printed are computed by hand
from the file (rate x work / (servers x open share of the week)), not by the model.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
from collections import defaultdict
from pathlib import Path

import yaml
from pydantic import TypeAdapter

from simulator.distributions import Distribution

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "scenarios" / "large.yaml"
TARGET_LOAD = 0.65
_DIST = TypeAdapter(Distribution)


def mean(spec) -> float:
    return _DIST.validate_python(spec).mean()


# ------------------------------------------------------------------ loads by hand


def open_share(calendar: dict | None) -> float:
    """Share of the year a calendar is open (holidays on working weekdays taken off)."""
    if calendar is None:
        return 1.0
    weekly = sum(end - start for start, end in calendar["hours"]) * len(calendar["days"])
    days = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
    open_days = {days[d] for d in calendar["days"]}
    holidays = sum(1 for h in calendar.get("holidays", []) if h.weekday() in open_days)
    per_year = 365 / 7 * len(calendar["days"])
    return weekly / 168 * (1 - holidays / per_year)


def loads(data: dict) -> dict[str, float]:
    """Utilisation of every department and work centre at the mean demand.

    Orders are inquiries less credit rejections (lost quotes are ignored: an upper bound). A
    product at its decoupling point's stock (``mts``) is assembled in the DC stock point's lots,
    every other product per order; stocked items in lots (base stock: lot_size, sS and RQ:
    order_quantity, TS: one job per item per review period)."""
    net, steps = data["network"], data["steps"]
    calendars = data.get("calendars", {})
    channels = steps["generation"]["channels"]
    inquiries = sum(c["rate_per_day"] for c in channels.values())
    orders = inquiries * (1 - steps["selection"].get("credit_reject_rate", 0))
    products = data["products"]
    share_total = sum(p["share"] for p in products.values())
    regions = net["regions"]
    region_total = sum(r["share"] for r in regions.values())
    bom = {name: item.get("bill_of_materials", {}) for name, item in net["items"].items()}
    bom.update({name: p["bill_of_materials"] for name, p in products.items()})
    lots: dict[tuple[str, str], tuple[str, float]] = {}
    for sp in net["stock_points"].values():
        for item in sp["items"]:
            policy = sp["policy"]
            size = {"base_stock": sp.get("lot_size", 1), "sS": sp.get("order_quantity"),
                    "RQ": sp.get("order_quantity"), "TS": sp.get("review_period")}[policy]
            lots[(sp["site"], item)] = (policy, size)
    centres = net["work_centers"]
    work: dict[str, float] = defaultdict(float)
    flow: dict[tuple[str, str], float] = defaultdict(float)  # units a day through each node

    def jobs_for(site, item, units, parent_jobs):
        policy, size = lots.get((site, item), (None, None))
        if policy is None:
            return parent_jobs
        # TS: one job per item per review, shared out over the demands that pass the node.
        return units / flow[site, item] / size if policy == "TS" else units / size

    def walk(site, item, units):  # first pass: the flow through each node
        flow[site, item] += units
        routing = net["routings"].get(site, {})
        if item in routing.get("make", {}):
            for child, qty in bom[item].items():
                walk(site, child, units * qty)
        elif item in routing.get("transfer", {}):
            walk(routing["transfer"][item], item, units)

    def obtain(site, item, units, jobs):
        routing = net["routings"].get(site, {})
        if item in routing.get("make", {}):
            make = routing["make"][item]  # a work centre, or {work_center, time}
            name = make if isinstance(make, str) else make["work_center"]
            wc = centres[name]
            time = wc.get("time", 0) if isinstance(make, str) else make.get("time", wc.get("time", 0))
            per_unit = wc.get("per", "order") == "unit"
            work[name] += mean(time) * (units if per_unit else jobs)
            work[name] += mean(wc.get("setup_time", 0)) * jobs
            for child, qty in bom[item].items():
                obtain(site, child, units * qty, jobs_for(site, child, units * qty, jobs))
        elif item in routing.get("transfer", {}):
            src = routing["transfer"][item]
            obtain(src, item, units, jobs_for(src, item, units, jobs))

    demands = []  # (DC, product, units a day, orders a day, stocked at the DC)
    for pname, product in products.items():
        p_orders = orders * product["share"] / share_total
        units = p_orders * mean(product.get("order_size", 1))
        mts = product.get("decoupling_point", data.get("decoupling_point")) == "mts"
        for region in regions.values():
            r = region["share"] / region_total
            demands.append((region["served_from"], pname, units * r, p_orders * r, mts))
    for dc, pname, units, _, _ in demands:
        walk(dc, pname, units)
    for dc, pname, units, p_orders, mts in demands:
        obtain(dc, pname, units, jobs_for(dc, pname, units, p_orders) if mts else p_orders)

    staff_work: dict[str, float] = defaultdict(float)
    gen, pricing = steps["generation"], steps["pricing"]
    staff_work[gen["department"]] += inquiries * mean(gen.get("time", 0))
    staff_work[pricing["department"]] += inquiries * mean(pricing.get("time", 0))
    entry = steps["entry"]
    redo = 1 / (1 - entry.get("error_rate", 0))
    staff_work[entry["department"]] += redo * sum(
        c["rate_per_day"] * mean(c.get("entry_time", 0)) for c in channels.values())
    staff_work[steps["selection"]["department"]] += inquiries * mean(steps["selection"].get("time", 0))
    staff_work[steps["scheduling"]["department"]] += orders * mean(steps["scheduling"].get("time", 0))
    bill = steps["billing"]
    staff_work[bill["department"]] += orders * (
        mean(bill.get("time", 0)) + bill.get("error_rate", 0) * mean(bill.get("correction_time", 0)))
    ret = steps["returns"]
    staff_work[ret["department"]] += orders * ret.get("rate", 0) * mean(ret.get("time", 0))
    svc = steps["service"]
    staff_work[svc["department"]] += orders * svc.get("rate", 0) * svc.get("visits", 1) * mean(
        svc.get("time", 0))
    plan = steps["planning"]
    staff_work[plan["department"]] += mean(plan.get("time", 0)) / plan["period_days"]

    util = {}
    for name, dep in data["departments"].items():
        share = open_share(calendars.get(dep.get("calendar")))
        util[f"department {name}"] = staff_work[name] / (dep["staff"] * share)
    sites = net["sites"]
    for name, wc in centres.items():
        cal = wc.get("calendar", sites[wc["site"]].get("calendar"))
        share = open_share(calendars.get(cal))
        b = wc.get("breakdowns")
        if b:
            up, down = mean(b["time_between_failures"]), mean(b["repair_time"])
            share *= up / (up + down)
        util[f"work centre {name}"] = work[name] / (wc["servers"] * share)
    util["orders per year (upper bound)"] = orders * 365
    return util


# ------------------------------------------------------------------ the large network


PLANTS = {  # name: (latitude, longitude, what it makes besides its families' pumps)
    "brno": (49.20, 16.61, "small motors m1, m2"),
    "lyon": (45.76, 4.84, "medium motors m3, m4"),
    "porto": (41.15, -8.61, "control units (all three)"),
    "gdansk": (54.35, 18.65, "large motors m5, m6"),
}
DCS = {  # dc: (latitude, longitude, region, share of orders)
    "hamburg": (53.55, 9.99, "north_germany", 3),
    "stockholm": (59.33, 18.07, "nordics", 2),
    "nuremberg": (49.45, 11.08, "south_germany", 5),
    "warsaw": (52.23, 21.01, "east", 3),
    "milan": (45.46, 9.19, "italy", 3),
    "barcelona": (41.39, 2.17, "iberia", 3),
    "paris": (48.86, 2.35, "france", 4),
    "birmingham": (52.49, -1.89, "uk", 3),
}
MOTOR_PLANT = {"m1": "brno", "m2": "brno", "m3": "lyon", "m4": "lyon", "m5": "gdansk", "m6": "gdansk"}
CTRL_PLANT = "porto"
# Size classes: hydraulic sizes, motors, controls, order size, per-unit assembly time, price base.
CLASSES = {
    "small": {"sizes": [25, 32, 40], "motors": ["m1", "m2"], "ctrls": ["basic", "smart"],
              "order_size": {"dist": "empirical", "values": [1, 2, 4, 6, 10], "weights": [5, 2, 2, 1, 1]},
              "assembly": 0.0083, "price": 180, "family_share": 6},
    "medium": {"sizes": [40, 65, 80], "motors": ["m3", "m4"], "ctrls": ["basic", "smart"],
               "order_size": {"dist": "empirical", "values": [1, 2, 3], "weights": [6, 3, 1]},
               "assembly": 0.03, "price": 950, "family_share": 4},
    "large": {"sizes": [80, 100, 125], "motors": ["m5", "m6"], "ctrls": ["smart", "premium"],
              "order_size": {"dist": "empirical", "values": [1, 2], "weights": [4, 1]},
              "assembly": 0.06, "price": 1900, "family_share": 5},
}
PLANT_CLASSES = ["small", "small", "medium", "medium", "large"]  # five families at each plant
PRODUCT_WEIGHTS = [12, 9, 7, 6, 5, 4, 4, 3, 3, 2, 2, 1]          # within a family, best seller first
HOLIDAYS = [dt.date.fromisoformat(d) for d in (
    "2026-04-03", "2026-04-06", "2026-05-01", "2026-05-14", "2026-05-25", "2026-12-24",
    "2026-12-25", "2026-12-31", "2027-01-01")]
CHANNELS = {"web": 230, "phone": 110, "edi": 180, "sales_rep": 70}


def road_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance times 1.3 for the road network."""
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 1.3 * 2 * 6371 * math.asin(math.sqrt(h))


def transit(km: float) -> dict:
    """Road transit: half a day to load plus 900 km a day (two drivers); up to half as long again."""
    mode = round(0.5 + km / 900, 1)
    return {"dist": "triangular", "low": round(0.8 * mode, 1), "mode": mode, "high": round(1.5 * mode, 1)}


def families() -> list[dict]:
    out = []
    for p, plant in enumerate(PLANTS):
        for k, cls in enumerate(PLANT_CLASSES):
            # C1a, C1b, I1a, I1b, E1a: class letter, plant number, first or second of the class.
            code = {"small": "C", "medium": "I", "large": "E"}[cls] + f"{p + 1}{'ab'[k % 2]}"
            out.append({"code": code, "plant": plant, "cls": cls})
    return out


def build() -> dict:
    fams = families()
    products, items, make = {}, {}, defaultdict(dict)
    plant_uses: dict[str, set[str]] = defaultdict(set)   # plant -> sub-assemblies its pumps need
    for fam in fams:
        c, code, plant = CLASSES[fam["cls"]], fam["code"], fam["plant"]
        combos = [(s, m, ctl) for s in c["sizes"] for m in c["motors"] for ctl in c["ctrls"]]
        for weight, (size, motor, ctrl) in zip(PRODUCT_WEIGHTS, combos, strict=True):
            name = f"{code}-{size}{motor.upper()}{ctrl[0].upper()}"
            hyd = f"hyd_{code.lower()}_{size}"
            price = c["price"] * (1 + (size - c["sizes"][0]) / 100) + 60 * int(motor[1]) + \
                {"basic": 0, "smart": 80, "premium": 200}[ctrl]
            products[name] = {"share": round(c["family_share"] * weight / sum(PRODUCT_WEIGHTS), 4),
                              "price": int(round(price, -1)), "order_size": c["order_size"],
                              "bill_of_materials": {hyd: 1, f"motor_{motor}": 1, f"ctrl_{ctrl}": 1}}
            if weight == PRODUCT_WEIGHTS[0] and fam["cls"] == "small":
                products[name]["decoupling_point"] = "mts"   # each small family's best seller
            make[plant][name] = f"assembly_{plant}"
            plant_uses[plant] |= {f"motor_{motor}", f"ctrl_{ctrl}"}
        impeller = "impeller_moulded" if fam["cls"] == "small" else f"impeller_{code.lower()}"
        if fam["cls"] != "small":
            items[impeller] = {"value": 40 if fam["cls"] == "medium" else 60,
                               "bill_of_materials": {f"casting_imp_{fam['cls']}": 1}}
            make[plant][impeller] = f"machining_{plant}"
        for size in c["sizes"]:
            scale = size / 25
            hyd, housing, casting = (f"{k}_{code.lower()}_{size}" for k in ("hyd", "housing", "casting"))
            hyd_bom = {housing: 1, impeller: 1}
            if fam["cls"] != "small":
                hyd_bom["seal_kit"] = 1
            items[hyd] = {"value": round(20 * scale ** 1.5), "bill_of_materials": hyd_bom}
            items[housing] = {"value": round(12 * scale ** 1.5), "bill_of_materials": {casting: 1}}
            items[casting] = {"value": round(6 * scale ** 1.5)}
            make[plant][hyd] = f"subassembly_{plant}"
            make[plant][housing] = f"machining_{plant}"
    for motor, plant in MOTOR_PLANT.items():
        k = int(motor[1])
        big = k >= 4
        shaft, bearing = ("shaft_l", "bearing_l") if big else ("shaft_s", "bearing_s")
        items[f"motor_{motor}"] = {"value": 30 * k + 10, "bill_of_materials": {
            f"stator_{motor}": 1, shaft: 1, bearing: 2}}
        items[f"stator_{motor}"] = {"value": 15 * k, "bill_of_materials": {
            "copper_wire": k, f"lamination_{motor}": 1}}
        items[f"lamination_{motor}"] = {"value": 4 * k}
        make[plant][f"motor_{motor}"] = f"subassembly_{plant}"
        make[plant][f"stator_{motor}"] = f"winding_{plant}"
        make[plant][shaft] = f"machining_{plant}"
    for ctrl, value in {"basic": 40, "smart": 80, "premium": 150}.items():
        items[f"ctrl_{ctrl}"] = {"value": value, "bill_of_materials": {
            f"pcb_{ctrl}": 1, "enclosure": 1, "cable_set": 1}}
        items[f"pcb_{ctrl}"] = {"value": value // 2, "bill_of_materials": {
            "pcb_bare": 1, f"elec_kit_{ctrl}": 1}}
        items[f"elec_kit_{ctrl}"] = {"value": value // 3}
        make[CTRL_PLANT][f"ctrl_{ctrl}"] = f"subassembly_{CTRL_PLANT}"
        make[CTRL_PLANT][f"pcb_{ctrl}"] = f"electronics_{CTRL_PLANT}"
    items["shaft_s"] = {"value": 6, "bill_of_materials": {"bar_steel": 1}}
    items["shaft_l"] = {"value": 25, "bill_of_materials": {"bar_steel": 4}}
    for name, value in {"casting_imp_medium": 25, "casting_imp_large": 35, "bar_steel": 3,
                        "copper_wire": 10, "bearing_s": 2, "bearing_l": 12, "seal_kit": 15,
                        "pcb_bare": 3, "impeller_moulded": 3, "enclosure": 5, "cable_set": 4}.items():
        items[name] = {"value": value}
    suppliers = {  # supplier: (lead time mean, cv, reliability, late_by high, what)
        "castings_co": (15, 0.3, 0.85, 10, "housing castings"),
        "forge_co": (10, 0.3, 0.9, 7, "impeller castings and steel bar"),
        "parts_co": (5, 0.4, 0.95, 5, "bearings, seals, enclosures, cables, moulded impellers"),
        "electro_co": (7, 0.4, 0.92, 6, "copper wire, laminations, bare boards, electronics kits"),
    }

    def supplier_of(item: str) -> str:
        if item.startswith("casting_imp") or item == "bar_steel":
            return "forge_co"
        if item.startswith("casting_"):
            return "castings_co"
        if item.startswith(("copper", "lamination", "pcb_bare", "elec_kit")):
            return "electro_co"
        return "parts_co"

    # Routings: each plant makes what it makes, transfers the sub-assemblies made elsewhere and
    # buys every bought item its makes need.
    routings: dict[str, dict] = {}
    transfers: dict[str, dict[str, str]] = defaultdict(dict)
    for plant in PLANTS:
        for sub in sorted(plant_uses[plant]):
            if sub not in make[plant]:
                maker = MOTOR_PLANT.get(sub.removeprefix("motor_"), CTRL_PLANT)
                transfers[plant][sub] = maker
    bought: dict[str, set[str]] = defaultdict(set)
    for plant in PLANTS:
        for item in make[plant]:
            for child in (products.get(item) or items[item])["bill_of_materials"]:
                if child in items and "bill_of_materials" not in items[child]:
                    bought[plant].add(child)
    for plant in PLANTS:
        routings[f"plant_{plant}"] = {
            "make": dict(make[plant]),
            "buy": {i: supplier_of(i) for i in sorted(bought[plant])},
            **({"transfer": {i: f"plant_{s}" for i, s in sorted(transfers[plant].items())}}
               if transfers[plant] else {}),
        }
    maker_of = {p: plant for plant in PLANTS for p in make[plant] if p in products}
    for dc in DCS:
        routings[f"dc_{dc}"] = {"transfer": {p: f"plant_{maker_of[p]}" for p in products}}
    return {"products": products, "items": items, "make": make, "routings": routings,
            "transfers": transfers, "bought": bought, "suppliers": suppliers, "fams": fams}


def flow(value) -> str:
    return yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10**6).strip()


def render(staff: dict[str, int], servers: dict[str, int]) -> str:
    """The scenario as commented YAML text, with the given staff and servers."""
    b = build()
    products, items, routings = b["products"], b["items"], b["routings"]
    inquiries = sum(CHANNELS.values())
    out = [
        "# Aldermoor Pumps Group (large): the benchmark network, about ten times multi-site.yaml.",
        "# GENERATED by scripts/make_large_scenario.py (edit the script, not this file, and re-run it).",
        f"# Four plants, {len(DCS)} regional distribution centres, four suppliers, {len(b['fams'])}"
        f" pump families of 12 ({len(products)} products),",
        f"# {inquiries} inquiries a day (about {inquiries * 0.98 * 365 / 1000:.0f},000 orders a year)."
        " Each plant makes five families (two of small",
        "# circulators, two of inline pumps, one of end-suction pumps) from its own hydraulic units;",
        "# motor units come from Brno (m1, m2), Lyon (m3, m4) and Gdansk (m5, m6), control units from",
        "# Porto, on daily trucks between plants. Bill of materials: pump -> hydraulic, motor and",
        "# control unit -> housing, impeller, shaft, stator, circuit board -> castings, bar, wire,",
        "# laminations, parts.",
        "# Sub-assemblies are stocked at the plants (assemble-to-order); each small family's best seller",
        "# is also stocked at every DC (make-to-stock). Lanes: transit from road distance (900 km a",
        "# day plus half a day to load), cost per unit from distance. Servers and staff are sized",
        f"# to about {TARGET_LOAD:.0%} of open hours at the mean (the script prints every load).",
        "# All times in days (working time of the calendar), rates per day, money in euros.",
        "name: large",
        "description: >-",
        f"  Benchmark network: four plants, {len(DCS)} distribution centres, four suppliers, "
        f"{len(products)} pumps with",
        "  a three-level bill of materials; about 200,000 orders a year. Generated by",
        "  scripts/make_large_scenario.py.",
        "horizon_days: 365",
        "warmup_days: 60",
        "start_date: 2026-01-05         # a Monday",
        "decoupling_point: ato",
        "priority_rule: edd",
        "",
        "departments:                   # sized to the order rate; office hours",
    ]
    for dep in ("sales", "customer_service", "credit", "planning", "scheduling", "finance"):
        rate = {"sales": 55, "customer_service": 40, "credit": 50, "planning": 60,
                "scheduling": 50, "finance": 45}[dep]
        out.append(f"  {dep}: {flow({'staff': staff[dep], 'cost_per_hour': rate, 'calendar': 'office'})}")
    field = {"staff": staff["field_service"], "cost_per_hour": 65, "calendar": "field"}
    out.append(f"  field_service: {flow(field)}   # commissioning visits")
    channel_entry = {"web": 0.001, "phone": {"dist": "lognormal", "mean": 0.008, "cv": 0.6},
                     "edi": 0.0003, "sales_rep": {"dist": "lognormal", "mean": 0.01, "cv": 0.8}}
    out += [
        "",
        "steps:                         # the ten steps as in multi-site.yaml",
        "  planning: {department: planning, time: {dist: triangular, low: 0.2, mode: 0.4, high: 0.8},"
        " period_days: 7,",
        "             method: exponential_smoothing, alpha: 0.3, service_target: 0.95}",
        "  generation:",
        "    department: sales",
        "    time: {dist: exponential, mean: 0.004}",
        "    channels:",
        *(f"      {ch}: {flow({'rate_per_day': r, 'entry_time': channel_entry[ch]})}"
          for ch, r in CHANNELS.items()),
        "    seasonality: {amplitude: 0.15, period_days: 365, phase_days: 200}",
        "  pricing: {department: sales, time: {dist: gamma, mean: 0.006, cv: 0.7},",
        "            engineering_time: {dist: gamma, mean: 2.0, cv: 0.5}, quote_margin_days: 1}",
        "  entry: {department: customer_service, error_rate: 0.04}",
        "  selection: {department: credit, time: {dist: exponential, mean: 0.002}, credit_reject_rate: 0.02,",
        "              credit_hold_rate: 0.04, credit_hold_time: {dist: uniform, low: 0.5, high: 3}}",
        "  scheduling: {department: scheduling, time: {dist: exponential, mean: 0.003}}",
        "  billing: {department: finance, time: {dist: exponential, mean: 0.002}, error_rate: 0.04,",
        "            dispute_delay: {dist: uniform, low: 5, high: 20}, correction_time: {dist: exponential,"
        " mean: 0.05},",
        "            payment_terms_days: 45, payment_delay: {dist: gamma, mean: 8, cv: 1.0}}",
        "  returns: {department: customer_service, time: {dist: exponential, mean: 0.05}, rate: 0.03,",
        "            delay: {dist: uniform, low: 3, high: 30}, restock_share: 0.5}",
        "  service: {department: field_service, time: {dist: triangular, low: 0.15, mode: 0.25, high: 0.35},",
        "            rate: 0.08, visits: 1, delay: {dist: uniform, low: 2, high: 15}}",
        "",
        "customers:                     # D = demand lead time; quotes above tolerance * D are refused",
        "  wholesalers:  {share: 3, count: 600, priority: 0, demand_lead_time: {dist: uniform, low: 5,"
        " high: 10}, quote_tolerance: 1.5}",
        "  installers:   {share: 5, count: 25000, priority: 1, demand_lead_time: {dist: uniform, low: 4,"
        " high: 10}, quote_tolerance: 1.3}",
        "  oem_projects: {share: 2, count: 1500, priority: 2, demand_lead_time: {dist: uniform, low: 10,"
        " high: 25}, quote_tolerance: 1.2}",
        "",
        "# Families: C = small circulators, I = inline, E = end-suction; the digit is the plant (1 Brno,",
        "# 2 Lyon, 3 Porto, 4 Gdansk). Product name: family-size, motor, control (B, S, P).",
        "products:",
    ]
    # YAML anchors (&name, then *name) keep repeated values short: the file parses faster.
    anchored: set[str] = set()

    def once(anchor: str, value) -> str:
        if anchor in anchored:
            return f"*{anchor}"
        anchored.add(anchor)
        return f"&{anchor} {flow(value)}"

    for fam in b["fams"]:
        out.append(f"  # {fam['code']}: {fam['cls']} pumps made at {fam['plant'].capitalize()}")
        for name, p in products.items():
            if name.startswith(fam["code"] + "-"):
                fields = [f"share: {p['share']}", f"price: {p['price']}",
                          f"order_size: {once(fam['cls'], p['order_size'])}",
                          f"bill_of_materials: {flow(p['bill_of_materials'])}"]
                if "decoupling_point" in p:
                    fields.append(f"decoupling_point: {p['decoupling_point']}")
                out.append(f"  {name}: {{{', '.join(fields)}}}")
    out += ["", "calendars:                     # when departments and work centres work"]
    cals = {
        "office": ([[8, 12], [13, 17]], "order desks and offices: 8 hours, lunch at noon"),
        "field": ([[7, 12], [13, 17]], "field technicians"),
        "two_shifts": ([[6, 22]], "the plants: early and late shift"),
        "three_shifts": ([[0, 24]], "sub-assembly and circuit-board lines run nights too"),
    }
    for name, (hours, why) in cals.items():
        out.append(f"  {name}: {{days: [mon, tue, wed, thu, fri], hours: {flow(hours)}, "
                   f"holidays: {once('holidays', HOLIDAYS)}}}   # {why}")
    out += ["", "network:", "  sites:"]
    for plant, (_, _, what) in PLANTS.items():
        out.append(f"    plant_{plant}: {{kind: plant, calendar: two_shifts}}   # also {what}")
    for dc, (_, _, region, _) in DCS.items():
        out.append(f"    dc_{dc}: {{kind: dc}}   # serves {region}")
    for sup, (lt, cv, rel, late, what) in b["suppliers"].items():
        spec = {"kind": "supplier", "lead_time": {"dist": "gamma", "mean": lt, "cv": cv},
                "reliability": rel, "late_by": {"dist": "uniform", "low": 1, "high": late}}
        out.append(f"    {sup}: {flow(spec)}   # {what}")
    out += ["", "  work_centers:                 # per-unit working time; set-up per job"]
    for spec_name, spec in work_centres(servers).items():
        out.append(f"    {spec_name}: {flow(spec)}")
    out += ["", "  items:                        # value and bill of materials below the pumps"]
    for name, item in sorted(items.items()):
        out.append(f"    {name}: {flow(item)}")
    out += ["", "  routings:"]
    for site, routing in routings.items():
        if site.startswith("dc_"):  # every DC transfers each pump from the plant that makes it
            out.append(f"    {site}: {once('dc_routing', routing)}")
            continue
        out.append(f"    {site}:")
        for kind, mapping in routing.items():
            out.append(f"      {kind}: {flow(mapping)}")
    out += ["", "  lanes:                        # road transit from distance; cost per unit carried"]
    for name, lane in lanes(b).items():
        out.append(f"    {name}: {flow(lane)}")
    out += ["", "  regions:"]
    for dc, (_, _, region, share) in DCS.items():
        out.append(f"    {region}: {{share: {share}, served_from: dc_{dc}}}")
    out += ["", "  stock_points:                 # holding cost about 25% a year of the value held"]
    for name, sp in stock_points(b).items():
        if sp["site"].startswith("dc_"):  # every DC can stock every pump
            rest = flow({k: v for k, v in sp.items() if k not in ("site", "items")})[1:]
            out.append(f"    {name}: {{site: {sp['site']}, items: {once('all_pumps', sp['items'])}, {rest}")
            continue
        out.append(f"    {name}: {flow(sp)}")
    out += ["", "  engineering: {work_center: design_lyon}   # only engineer-to-order work", "",
            "costs: {backorder_per_unit_day: 10, lost_sale_per_unit: 200, hours_per_day: 8,"
            " supplier_payment_days: 60}", ""]
    return "\n".join(out)


def work_centres(servers: dict[str, int]) -> dict[str, dict]:
    b = build()
    out = {}
    for plant in PLANTS:
        # One per-unit assembly time for the plant's mix: weighted by its units.
        units = defaultdict(float)
        for fam in b["fams"]:
            if fam["plant"] == plant:
                c = CLASSES[fam["cls"]]
                units[fam["cls"]] += c["family_share"] * mean(c["order_size"])
        assembly = sum(CLASSES[k]["assembly"] * u for k, u in units.items()) / sum(units.values())
        cells = {
            "assembly": ({"dist": "gamma", "mean": round(assembly, 4), "cv": 0.5}, 0.005, 40, None),
            "subassembly": ({"dist": "gamma", "mean": 0.008, "cv": 0.5}, 0.01, 38, "three_shifts"),
            "machining": ({"dist": "gamma", "mean": 0.006, "cv": 0.6}, 0.04, 46, None),
        }
        if plant in MOTOR_PLANT.values():
            cells["winding"] = ({"dist": "gamma", "mean": 0.008, "cv": 0.3}, 0.03, 40, None)
        if plant == CTRL_PLANT:
            cells["electronics"] = ({"dist": "gamma", "mean": 0.002, "cv": 0.3}, 0.05, 60, "three_shifts")
        for kind, (time, setup, cost, cal) in cells.items():
            name = f"{kind}_{plant}"
            spec = {"site": f"plant_{plant}", "servers": servers.get(name, 1), "per": "unit",
                    "time": time, "setup_time": setup, "cost_per_hour": cost}
            if cal:
                spec["calendar"] = cal
            if kind == "machining":
                spec["breakdowns"] = {"time_between_failures": {"dist": "exponential", "mean": 20},
                                      "repair_time": {"dist": "exponential", "mean": 0.25}}
            out[name] = spec
    out["design_lyon"] = {"site": "plant_lyon", "servers": 6, "time": {"dist": "gamma", "mean": 3, "cv": 0.5},
                          "cost_per_hour": 70, "calendar": "office"}
    return out


def lanes(b: dict) -> dict[str, dict]:
    out = {}
    for plant, (la, lo, _) in PLANTS.items():
        for dc, (dla, dlo, _, _) in DCS.items():
            km = road_km((la, lo), (dla, dlo))
            out[f"{plant}_to_{dc}"] = {"from": f"plant_{plant}", "to": f"dc_{dc}", "transit": transit(km),
                                       "cost_per_unit": round(1 + km * 0.006, 1)}
    pairs = sorted({(src.removeprefix("plant_"), plant) for plant, t in b["transfers"].items()
                    for src in (f"plant_{s}" for s in t.values())})
    for src, dst in pairs:
        km = road_km(PLANTS[src][:2], PLANTS[dst][:2])
        out[f"{src}_to_{dst}"] = {"from": f"plant_{src}", "to": f"plant_{dst}", "transit": transit(km),
                                  "cost_per_unit": round(0.5 + km * 0.003, 1)}
    for dc, (_, _, region, _) in DCS.items():
        out[f"{dc}_to_{region}"] = {"from": f"dc_{dc}", "to": region,
                                    "transit": {"dist": "triangular", "low": 0.5, "mode": 1, "high": 3},
                                    "cost_per_unit": 6.0}
    return out


def stock_points(b: dict) -> dict[str, dict]:
    """Planned lead times are the planner's figures: automatic ones assume no queue and no
    closed hours, which leaves plant stocks short (see scenarios/multi-site.yaml)."""
    items, make, products = b["items"], b["make"], b["products"]
    transit_mean = {name: mean(lane["transit"]) for name, lane in lanes(b).items()}
    out = {}
    for dc in DCS:
        inbound = max(transit_mean[f"{plant}_to_{dc}"] for plant in PLANTS)
        out[f"{dc}_pumps"] = {"site": f"dc_{dc}", "items": list(products), "policy": "base_stock",
                              "target": "auto", "lot_size": 5, "holding_cost": 0.5,
                              "planned_lead_time": round(inbound + 2, 1)}
    for n, plant in enumerate(PLANTS):
        made = [i for i in make[plant] if i in items]
        subs = [i for i in made if i.startswith(("hyd_", "motor_", "ctrl_"))]
        comps = [i for i in made if i not in subs]
        alternate = n % 2 == 0
        out[f"{plant}_subassemblies"] = (
            {"site": f"plant_{plant}", "items": subs, "policy": "base_stock", "target": "auto",
             "lot_size": 20, "holding_cost": 0.05, "planned_lead_time": 1.5} if alternate else
            {"site": f"plant_{plant}", "items": subs, "policy": "sS", "reorder_point": "auto",
             "order_quantity": 20, "target": "auto", "holding_cost": 0.05, "planned_lead_time": 1.5})
        if b["transfers"][plant]:
            inbound = max(transit_mean[f"{src}_to_{plant}"] for src in b["transfers"][plant].values())
            out[f"{plant}_from_plants"] = {"site": f"plant_{plant}", "items": sorted(b["transfers"][plant]),
                                           "policy": "TS", "review_period": 1, "target": "auto",
                                           "holding_cost": 0.05, "planned_lead_time": round(inbound + 1, 1)}
        out[f"{plant}_components"] = (
            {"site": f"plant_{plant}", "items": comps, "policy": "sS", "reorder_point": "auto",
             "order_quantity": 100, "target": "auto", "holding_cost": 0.03, "planned_lead_time": 2}
            if alternate else
            {"site": f"plant_{plant}", "items": comps, "policy": "base_stock", "target": "auto",
             "lot_size": 50, "holding_cost": 0.03, "planned_lead_time": 2})
        castings = sorted(i for i in b["bought"][plant] if i.startswith("casting_") or i == "bar_steel")
        parts = sorted(set(b["bought"][plant]) - set(castings))
        out[f"{plant}_castings"] = {"site": f"plant_{plant}", "items": castings, "policy": "TS",
                                    "review_period": 7, "target": "auto", "holding_cost": 0.01,
                                    "planned_lead_time": 18}
        out[f"{plant}_parts"] = {"site": f"plant_{plant}", "items": parts, "policy": "RQ",
                                 "reorder_point": "auto", "order_quantity": 1000, "holding_cost": 0.005}
    return out


def sized() -> tuple[str, dict[str, float]]:
    """Render with one server everywhere, compute the loads, size servers and staff, render again."""
    staff = dict.fromkeys(("sales", "customer_service", "credit", "planning", "scheduling", "finance",
                           "field_service"), 1)
    servers: dict[str, int] = {}
    first = yaml.safe_load(render(staff, servers))
    for key, load in loads(first).items():
        kind, _, name = key.partition(" ")
        if kind == "department":
            staff[name] = max(1, math.ceil(load / TARGET_LOAD))
        elif kind == "work":
            wc = name.removeprefix("centre ")
            servers[wc] = max(1, math.ceil(load / TARGET_LOAD))
    servers["design_lyon"] = 6
    text = render(staff, servers)
    return text, loads(yaml.safe_load(text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", metavar="FILE", help="print the mean loads of a network scenario")
    args = parser.parse_args()
    if args.loads:
        util = loads(yaml.safe_load(Path(args.loads).read_text()))
    else:
        text, util = sized()
        OUT.write_text(text)
        print(f"wrote {OUT.relative_to(ROOT)}")
    for key, value in util.items():
        print(f"{key:45s} {value:10.0f}" if value > 10 else f"{key:45s} {value:10.0%}")


if __name__ == "__main__":
    main()
