"""What every piece of a running model sees of the run: the environment, the plan, the random
sources, the records and the other pieces. :class:`simulator.model.world.World` is the one
implementation; the pieces depend on this view, not on the world, so nothing imports back up."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..plan import Plan
    from ..records import LevelLog, ShipmentLog, StepLog, Vocabulary
    from ..scenario import Scenario
    from .environment import Environment
    from .sampling import Samplers
    from .stations import Station


class RunContext(Protocol):
    env: Environment
    scenario: Scenario
    plan: Plan
    samplers: Samplers
    order_log: StepLog
    job_log: StepLog
    levels: LevelLog
    shipments: ShipmentLog
    activities: Vocabulary
    stations: dict[str, Station]
    departments: dict[str, Station]
    supplier_codes: dict[str, int]
    customer_code: int
    # The pieces that call each other (stock points release jobs to the flow, the flow takes
    # from stock points, orders start the cycle): typed by their own modules.
    stock: dict[str, Any]
    flow: Any
    demand: Any
    promising: Any
    cycle: Any
    disruptions: Any  # model.disruptions.Disruptions, or None without events
    changes: Any  # model.changes.Changes, or None without change requests and patience
    sourcing: Any  # model.sourcing.Sourcing, or None without distributed order management
