"""KPIs stay honest under overload: cutting capacity into overload never raises OTIF or perfect
order and never lowers the total cost. Same seed on both sides (common random numbers: the same
inquiries arrive), several scenarios, resources and seeds."""

import pytest

from simulator import load_scenario, simulate

ANY_QUOTE = {"customers.*.quote_tolerance": None}
CUTS = [
    # (scenario, base overrides, capacity field, before, after)
    ("default", {"decoupling_point": "eto"}, "departments.sales.staff", 3, 1),
    ("eto-project-shop", {**ANY_QUOTE, "horizon_days": 730}, "chain.stages.engineering.servers", 3, 2),
    # Customers who accept any quote: the cut shows as overload, not as quotes turned down.
    ("default", ANY_QUOTE, "chain.stages.assembly.servers", 2, 1),
    ("mto-machine-builder", ANY_QUOTE, "chain.stages.assembly.servers", 2, 1),
    ("classroom", {**ANY_QUOTE, "chain.stages.fabrication.time": 1.0},
     "chain.stages.fabrication.servers", 2, 1),
]
SEEDS = (1, 2, 3)


@pytest.mark.parametrize(("name", "base", "field", "before", "after"), CUTS,
                         ids=[f"{c[0]}-{c[2]}" for c in CUTS])
def test_cutting_capacity_into_overload_never_looks_better(name, base, field, before, after):
    sc = load_scenario(name, {"horizon_days": 120, **base})
    worse = []
    for seed in SEEDS:
        full = simulate(sc.with_overrides(**{field: before}), seed).kpis
        cut = simulate(sc.with_overrides(**{field: after}), seed).kpis
        resource = field.split(".")[-2]
        assert any(w["code"] == "overload" and w["resource"] == resource for w in cut["warnings"])
        for kpi in ("otif", "perfect_order"):
            if cut[kpi] > full[kpi]:
                worse.append(f"seed {seed}: {kpi} {full[kpi]:.3f} -> {cut[kpi]:.3f}")
        if cut["cost_total"] < full["cost_total"]:
            worse.append(f"seed {seed}: cost_total {full['cost_total']:,.0f} -> {cut['cost_total']:,.0f}")
    assert not worse, f"cutting {field} {before} -> {after} improved a KPI:\n" + "\n".join(worse)
