"""The scenario editor's tables: a scenario's sections of named entries (products, customers,
departments, stages, stock points...) as tables of text cells and back, checked by the library's
validation (:func:`simulator.scenario.parse_scenario`), each problem named by its path."""

from __future__ import annotations

import copy

import pandas as pd
import yaml

from simulator import Scenario, ScenarioError
from simulator.scenario import parse_scenario

CHAIN_SECTIONS = ("products", "components", "customers", "departments", "chain.stages",
                  "chain.buffers")
NETWORK_SECTIONS = ("products", "customers", "departments", "network.sites",
                    "network.work_centers", "network.items", "network.stock_points",
                    "network.lanes")
TITLES = {"products": "Products and bills of materials", "chain.stages": "Stages",
          "chain.buffers": "Stock points (buffers)", "network.sites": "Sites",
          "network.work_centers": "Work centres", "network.items": "Items and bills of materials",
          "network.stock_points": "Stock points", "network.lanes": "Lanes"}
SOURCE = "edited scenario"
NAME = "name"
VALUE = "value"  # the one column of a section whose entries are single values


def cell(value) -> str:
    """A field as the table shows it: YAML in one line (numbers, words, lists, distributions)."""
    return yaml.safe_dump(value, default_flow_style=True, width=10_000, sort_keys=False).strip().removesuffix(
        "\n...").removesuffix("...").strip()


def section_table(entries: dict) -> pd.DataFrame:
    """A mapping of named entries ({name: {field: value}}) as a table: one row per entry, one
    text column per field."""
    if entries and not any(isinstance(e, dict) for e in entries.values()):
        return pd.DataFrame({NAME: list(entries), VALUE: [cell(v) for v in entries.values()]})
    fields = list(dict.fromkeys(f for e in entries.values() if isinstance(e, dict) for f in e))
    return pd.DataFrame([{NAME: name, **{f: cell((e or {}).get(f)) for f in fields}}
                         for name, e in entries.items()], columns=[NAME, *fields])


def table_section(table: pd.DataFrame, section: str) -> tuple[dict, list[str]]:
    """The table back as {name: {field: value}} (each cell read as YAML), and the problems
    found on the way (a cell that is not YAML, a row without a name or named twice)."""
    out: dict = {}
    problems = []
    for i, row in enumerate(table.to_dict("records"), start=1):
        name = str(row.get(NAME) or "").strip()
        if not name:
            if any(str(v or "").strip() for k, v in row.items() if k != NAME):
                problems.append(f"{section}, row {i}: give the entry a name")
            continue
        if name in out:
            problems.append(f"{section}.{name}: the name is used twice")
            continue
        entry = {}
        for field, text in row.items():
            if field == NAME or text is None or (isinstance(text, float) and pd.isna(text)):
                continue
            try:
                entry[field] = yaml.safe_load(str(text)) if str(text).strip() else None
            except yaml.YAMLError as err:
                problems.append(f"{section}.{name}.{field}: not a value ({str(err).splitlines()[0]})")
        out[name] = entry[VALUE] if list(table.columns) == [NAME, VALUE] else entry
    return out, problems


def get(d: dict, dotted: str):
    for part in dotted.split("."):
        d = d[part]
    return d


def put(d: dict, dotted: str, value) -> None:
    *head, last = dotted.split(".")
    for part in head:
        d = d[part]
    d[last] = value



def sections(data: dict) -> tuple[str, ...]:
    """The sections a scenario (as a dict) is edited by: a chain's or a network's."""
    return CHAIN_SECTIONS if data.get("chain") else NETWORK_SECTIONS


def edited_scenario(data: dict, tables: dict[str, pd.DataFrame], name: str
                    ) -> tuple[Scenario | None, list[str]]:
    """The scenario ``data`` with each section replaced by its edited table and the new
    ``name``, validated: (scenario, []) or (None, problems by path)."""
    edited = copy.deepcopy(data)
    problems: list[str] = []
    for section, table in tables.items():
        entries, found = table_section(table, section)
        problems += found
        put(edited, section, entries)
    edited["name"] = name
    if problems:
        return None, problems
    try:
        return parse_scenario(edited, SOURCE), []
    except ScenarioError as err:
        # One problem reads "SOURCE: path: message", several "SOURCE: N problems" + a line each.
        lines = str(err).splitlines()
        return None, [line.strip() for line in lines[1:]] or [
            lines[0].removeprefix(f"{SOURCE}: ")]


def problems_of(section: str, problems: list[str]) -> list[str]:
    """The problems whose path lies in ``section``."""
    return [p for p in problems if p.startswith((section + ".", section + ","))]
