"""``omcsim validate``, ``omcsim schema`` and ``omcsim scenarios``: the scenario format."""

from __future__ import annotations

from ..plan import compile_plan
from ..scenario import SCENARIO_DIR, available_scenarios, json_schema, load_scenario


def register(sub) -> None:
    p = sub.add_parser("validate", help="check a scenario file",
                       description="Check a scenario file; exit 0 if valid, 2 with the problems.")
    p.add_argument("scenario", help="a scenario file or the name of one in scenarios/")
    p.set_defaults(handler=validate)
    p = sub.add_parser("schema", help="print the scenario JSON schema")
    p.set_defaults(handler=schema)
    p = sub.add_parser("scenarios", help="list the named scenarios")
    p.set_defaults(handler=listing)


def validate(args) -> int:
    sc = load_scenario(args.scenario)
    plan = compile_plan(sc)
    shape = (f"{len(plan.network.sites)} sites, " if sc.network is not None else "")
    print(f"{args.scenario}: valid ({sc.name}: decoupling point {sc.codp}, {shape}"
          f"{len(sc.products)} products, P = {plan.production_lead_time:.2f} days, "
          f"D = {sc.mean_demand_lead_time:.2f} days)")
    return 0


def schema(args) -> int:
    print(json_schema())
    return 0


def listing(args) -> int:
    for name in available_scenarios():
        sc = load_scenario(name)
        first = sc.description.split(". ")[0].strip()
        print(f"{name:<22} {sc.strategy or sc.codp:<5} {first}")
    print(f"\n(in {SCENARIO_DIR})")
    return 0
