"""The building blocks of the scenario format shared by its sections: bounds that keep every run
finite, the error type, the strict base model, and a process (servers doing timed work) that chain
stages, work centres and lanes all are."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from .distributions import LARGEST, Distribution, refuse_booleans

# Bounds that keep every run finite in time and memory; `omcsim schema` shows them per field.
MAX_DAYS = 36_500
"""Longest horizon, warm-up, payment term or planned lead time: 100 years."""
MIN_HORIZON = 0.01
"""Shortest horizon, days (a quarter of an hour): shorter ones vanish next to the warm-up in
floating point, and every rate per day would divide by zero."""
MAX_INQUIRIES = 1_000_000
"""Most inquiries one run may expect (rates x (1 + seasonal amplitude) x (warm-up + horizon));
a run takes about a millisecond per inquiry."""
MAX_PLANNING_RUNS = 100_000
"""Most planning runs one run may make ((warm-up + horizon) / planning period)."""
MAX_FAILURES = 1_000_000
"""Most breakdowns one run may expect over all servers of all stages."""
MAX_SERVERS = 10_000
"""Most staff in a department or servers at a stage (each can be a process); null = unlimited."""
MAX_UNITS = 10_000
"""Largest lot size, bill-of-materials quantity and mean order size: stages that work per unit
draw one time per unit."""
MAX_LINES = 100
"""Most lines an order may have on average (each line is a parallel branch of fulfilment)."""
MAX_MONEY = 1e12
"""Largest price, cost rate or unit value, in the scenario's currency."""
MAX_FILE_BYTES = 2_000_000
"""Largest scenario file read: the shipped ones are under 10 kB; parsing a huge file is slow."""
MAX_YAML_DEPTH = 50
"""Deepest nesting of mappings and lists in a scenario file (the format needs fewer than 10)."""
MAX_YAML_NODES = 1_000_000
"""Most YAML nodes after expanding aliases (a small file of nested aliases can expand to billions)."""


class ScenarioError(ValueError):
    """A scenario, override or argument is invalid; the message names the field and what is allowed."""


class SpecModel(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True,
                              validate_default=True, allow_inf_nan=False)

    _no_booleans = model_validator(mode="before")(classmethod(
        lambda cls, data: refuse_booleans(data)))


class Breakdowns(SpecModel):
    time_between_failures: Distribution = Field(description="Days from a repair to the next failure.")
    repair_time: Distribution


class Stage(SpecModel):
    servers: int | None = Field(1, ge=1, le=MAX_SERVERS,
                                  description="Parallel servers; null = unlimited.")
    time: Distribution = Field(0.0, description="Processing time, days.")
    per: Literal["order", "unit"] = Field("order", description="Time per job or per unit.")
    setup_time: Distribution = Field(
        0.0, description="Set-up time per job (an order, or a replenishment lot), days: what "
        "makes long runs efficient and order-by-order work costly.",
    )
    breakdowns: Breakdowns | None = None
    cost_per_hour: float = Field(0.0, ge=0, le=MAX_MONEY, description="Labour cost per server-hour.")
    calendar: str | None = Field(
        None, description="The calendar (network.calendars) of its working hours; null = "
        "around the clock (a chain stage), or its site's calendar (a work centre).")

    @model_validator(mode="after")
    def _breakdowns_need_servers(self):
        if self.breakdowns is not None and self.servers is None:
            raise ValueError("breakdowns need a number of servers (servers: null is unlimited)")
        return self



def _stock_level(value):
    """One message for the three forms of a stock level, not one per member of the union."""
    def units(v):
        return isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= LARGEST

    if isinstance(value, dict):
        for item, v in value.items():
            if not units(v):
                raise ValueError(f"{item}: expected a number of units from 0 to {LARGEST:g} "
                                 f"(finite), got {v!r}")
        return value
    if value == "auto" or units(value):
        return value
    raise ValueError(f"expected 'auto', a number of units from 0 to {LARGEST:g} (finite), "
                     "or item -> such a number")


StockLevel = Annotated[
    Literal["auto"] | Annotated[float, Field(ge=0, le=LARGEST)]
    | dict[str, Annotated[float, Field(ge=0, le=LARGEST)]],
    BeforeValidator(_stock_level),
]
"""A stock level (a target, a reorder point): 'auto' (planning sets it from the forecast and the
service target), one number of units for every item, or item -> number."""
