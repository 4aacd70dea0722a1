"""omcsim: a discrete-event simulator of the order management cycle.

The public API::

    from simulator import load_scenario, simulate
    result = simulate(load_scenario("default"), seed=1)
    result.kpis, result.orders, result.steps, result.timeseries
"""

from ._version import __version__
from .result import simulate
from .scenario import (
    STAGES,
    STEPS,
    STRATEGIES,
    Scenario,
    ScenarioError,
    available_scenarios,
    load_scenario,
)

__all__ = [
    "STAGES",
    "STEPS",
    "STRATEGIES",
    "Scenario",
    "ScenarioError",
    "__version__",
    "available_scenarios",
    "load_scenario",
    "simulate",
]
