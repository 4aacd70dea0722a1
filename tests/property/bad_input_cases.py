"""Bad-input cases generated from the scenario JSON schema, shared by the property test
(test_bad_inputs.py, in-process) and the campaign script (bad_inputs_campaign.py, subprocesses).

Every numeric field the schema reaches from a full scenario (every section, the first key of each
dict-valued section such as channels, customers, products, departments, stages, buffers) gets each
of BAD_VALUES; every distribution-valued field gets every distribution family, with each numeric
parameter of the family set to each bad value. A case is one ``--set PATH=YAML`` override.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass

import yaml

from simulator import load_scenario
from simulator.scenario import Scenario

BAD_VALUES = {
    "nan": ".nan", "inf": ".inf", "-inf": "-.inf", "-1": "-1", "1e308": "1e308",
    "1e-320": "1e-320", "true": "true", "x": "x",
}
"""Name -> the YAML text of the value (YAML's own spelling of NaN and infinity)."""

MUST_REFUSE = {"nan", "inf", "-inf", "1e308", "true", "x"}
"""Values no field accepts (every number is finite and bounded, none is true/false or text);
-1 and 1e-320 are valid in some fields."""

EXAMPLES = {
    "constant": {"dist": "constant", "value": 1.0},
    "exponential": {"dist": "exponential", "mean": 1.0},
    "uniform": {"dist": "uniform", "low": 0.5, "high": 1.5},
    "triangular": {"dist": "triangular", "low": 0.5, "mode": 1.0, "high": 1.5},
    "normal": {"dist": "normal", "mean": 1.0, "sd": 0.5},
    "lognormal": {"dist": "lognormal", "mean": 1.0, "cv": 0.5},
    "gamma": {"dist": "gamma", "mean": 1.0, "cv": 0.5},
    "empirical": {"dist": "empirical", "values": [1.0, 2.0], "weights": [1.0, 1.0]},
}
"""A valid spec of every distribution family; the schema's discriminator must list no other."""


@dataclass(frozen=True)
class Case:
    path: str  # the field the message must name
    value: str  # YAML text
    override: str  # PATH=YAML for --set

    @property
    def id(self) -> str:
        return self.override


def full_scenario() -> dict:
    """The default scenario with every optional section filled in (breakdowns, component
    values, numeric buffer targets, planned lead times, a promise policy, change requests and
    patience), a 5-day horizon and no warm-up, as the plain data a YAML file holds."""
    data = load_scenario("default").model_dump(mode="json", by_alias=True)
    data.update(horizon_days=5.0, warmup_days=0.0)
    data["chain"]["stages"]["assembly"]["breakdowns"] = {
        "time_between_failures": {"dist": "exponential", "mean": 20.0}, "repair_time": 0.5}
    component = sorted(data["products"][next(iter(data["products"]))]["bill_of_materials"])[0]
    data["components"] = {component: 10.0}
    buffers = data["chain"].setdefault("buffers", {})
    buffers.setdefault("finished_goods", {})["target"] = 5.0
    buffers["finished_goods"]["planned_lead_time"] = 2.0
    data["steps"]["pricing"]["promising"] = {"method": "atp", "buffer_days": 0.5,
                                             "tolerance_days": 1.0}
    buffers.setdefault("components", {})["target"] = {component: 5.0}
    data["customers"]["key_accounts"]["patience"] = {"dist": "exponential", "mean": 2.0}
    data["customers"]["key_accounts"]["changes"] = {
        "cancel": 0.1, "quantity": 0.1, "quantity_factor": {"dist": "uniform", "low": 0.5,
                                                            "high": 1.5},
        "date": 0.1, "lead_time": 4.0, "delay": {"dist": "exponential", "mean": 1.0}}
    Scenario.model_validate(copy.deepcopy(data))  # the base itself must be valid
    return data


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].split("/")[-1]]
    return node


def numeric_fields(schema: dict, data) -> Iterator[tuple[str, str]]:
    """(dotted path, kind) for every numeric field of the schema reached in ``data``, once per
    schema location (the first key of a dict-valued section stands for all its keys); kind is
    'number' or 'distribution'."""
    seen = set()

    def found(path, where, kind):
        if (where, kind) not in seen:
            seen.add((where, kind))
            yield path, kind

    def join(a, b):
        return f"{a}.{b}" if a else str(b)

    def walk(node: dict, value, path: str, where: str):
        node = _resolve(schema, node)
        if "discriminator" in node:
            if isinstance(value, dict | float | int):
                yield from found(path, where, "distribution")
            return
        if "anyOf" in node:
            for option in node["anyOf"]:
                yield from walk(option, value, path, where)
            return
        kind = node.get("type")
        if kind in ("number", "integer"):
            if isinstance(value, int | float) and not isinstance(value, bool):
                yield from found(path, where, "number")
        elif kind == "array" and isinstance(value, list) and value:
            yield from walk(node["items"], value[0], join(path, 0), join(where, 0))
        elif kind == "object" and isinstance(value, dict):
            for name, sub in node.get("properties", {}).items():
                if name in value:
                    yield from walk(sub, value[name], join(path, name), join(where, name))
            extra = node.get("additionalProperties")
            if isinstance(extra, dict):
                for key, sub_value in value.items():
                    yield from walk(extra, sub_value, join(path, key), join(where, "*"))

    yield from walk(schema, data, "", "")


def distribution_families(schema: dict) -> dict[str, dict]:
    """Family name -> its schema, from the discriminator of the first distribution field."""
    for node in schema["$defs"].values():
        for prop in node.get("properties", {}).values():
            if "discriminator" in prop:
                return {name: _resolve(schema, {"$ref": ref})
                        for name, ref in prop["discriminator"]["mapping"].items()}
    raise AssertionError("the schema has no distribution field")


def _flow(value) -> str:
    return yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()


def cases(schema: dict | None = None, data: dict | None = None) -> list[Case]:
    schema = schema or Scenario.model_json_schema(by_alias=True)
    data = data or full_scenario()
    families = distribution_families(schema)
    assert set(families) == set(EXAMPLES), "add an example of every distribution family"
    out = []
    for path, kind in numeric_fields(schema, data):
        if kind == "number":
            out += [Case(path, text, f"{path}={text}") for text in BAD_VALUES.values()]
            continue
        for family, spec in EXAMPLES.items():
            for param, param_schema in families[family]["properties"].items():
                if param_schema.get("type") == "array" or "anyOf" in param_schema:
                    param_path = f"{param}.0"
                elif param_schema.get("type") in ("number", "integer"):
                    param_path = param
                else:
                    continue
                for text in BAD_VALUES.values():
                    bad = copy.deepcopy(spec)
                    if param_path.endswith(".0"):
                        bad[param_path[:-2]][0] = "@@"
                    else:
                        bad[param] = "@@"
                    # Splice the raw YAML text in, so .nan stays YAML's NaN, not a string.
                    flow = _flow(bad).replace("'@@'", text)
                    out.append(Case(path, text, f"{path}={flow}"))
    return out


LINE_CASES = [
    # Lines and shipping (docs/order-life.md): (path the message names, --set override).
    ("customers.key_accounts.lines", "customers.key_accounts.lines=250"),
    ("customers.key_accounts.lines", "customers.key_accounts.lines={dist: exponential, mean: 1e6}"),
    ("customers.key_accounts.lines", "customers.key_accounts.lines=x"),
    ("customers.key_accounts.line_mix", "customers.key_accounts.line_mix={P100: -1}"),
    ("customers.key_accounts.line_mix", "customers.key_accounts.line_mix={P100: 0}"),
    ("customers.key_accounts.line_mix", "customers.key_accounts.line_mix={nothing: 1}"),
    ("customers.key_accounts.line_mix", "customers.key_accounts.line_mix=[P100]"),
    ("customers.key_accounts.shipping", "customers.key_accounts.shipping=sometimes"),
    ("customers.key_accounts.shipping", "customers.key_accounts.shipping=partial_quantities"),
]
"""Hand-written bad values of the fields of multi-line orders: each must exit 2 naming its path."""
