"""Experiments for planners: replications with confidence intervals, comparisons, sweeps over
(decoupling point x P:D), the decoupling-point advisor and warm-up analysis, run serially, in
local processes or on Dask. Every function returns tidy pandas DataFrames.

Replication ``r`` of an experiment with base seed ``s`` runs with the seed ``(s, r)``, whatever
the alternative or cell, the worker or the engine: alternatives share random streams (common
random numbers) and results are identical serial or parallel.

    from simulator import load_scenario
    from simulator.experiment import compare, sweep, advise, warmup
    sc = load_scenario("default")
    compare(sc, ["mts", "ato", "mto"], reps=10).summary
    sweep(sc, [0.5, 1, 2, 4], reps=10, out="runs/sweep").summary
    advise(sc, 0.95, [1, 2, 4]).recommendations
    optimize(sc, ["decoupling_point=all", "departments.sales.staff=2..6"], ["cost_total"],
             ["otif>=0.95"]).designs
"""

from .advise import VERDICTS, Advice, advise, assess
from .compare import EVENT_KPIS, MAIN_KPIS, Comparison, compare, resolve_alternatives, summarize_comparison
from .events import AROUND_EVENTS, around_events_frame, run_around_events
from .optimize import Objective, Optimization, Variable, optimize
from .plan import (
    PRECISION_KPIS,
    replicate,
    replication_seed,
    run_cells,
    run_once,
)
from .runners import (
    DaskRunner,
    ExperimentError,
    Outcome,
    ProcessRunner,
    SerialRunner,
    Task,
    available_cores,
    make_runner,
)
from .stats import (
    interval,
    lower_bound,
    mser,
    paired_difference,
    replications_needed,
    summarize,
    t_half_width,
    welch_difference,
    welch_moving_average,
)
from .sweep import (
    STRATEGY_ORDER,
    SWEEP_KPIS,
    Cell,
    SweepResult,
    demand_lead_times,
    strategy_list,
    summarize_cells,
    sweep,
    sweep_cells,
)
from .warmup import WARMUP_SERIES, WarmupResult, daily_series, warmup

__all__ = [
    "AROUND_EVENTS",
    "EVENT_KPIS",
    "MAIN_KPIS",
    "PRECISION_KPIS",
    "STRATEGY_ORDER",
    "SWEEP_KPIS",
    "VERDICTS",
    "WARMUP_SERIES",
    "Advice",
    "Cell",
    "Comparison",
    "DaskRunner",
    "ExperimentError",
    "Objective",
    "Optimization",
    "Outcome",
    "ProcessRunner",
    "SerialRunner",
    "SweepResult",
    "Task",
    "Variable",
    "WarmupResult",
    "advise",
    "around_events_frame",
    "assess",
    "available_cores",
    "compare",
    "daily_series",
    "demand_lead_times",
    "interval",
    "lower_bound",
    "make_runner",
    "mser",
    "optimize",
    "paired_difference",
    "replicate",
    "replication_seed",
    "replications_needed",
    "resolve_alternatives",
    "run_around_events",
    "run_cells",
    "run_once",
    "strategy_list",
    "summarize",
    "summarize_cells",
    "summarize_comparison",
    "sweep",
    "sweep_cells",
    "t_half_width",
    "warmup",
    "welch_difference",
    "welch_moving_average",
]
