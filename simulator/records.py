"""Columnar recorders: what happened, appended cheaply during a run, turned into frames once.

During a run nothing builds a dict or a DataFrame per event. A step record is packed by one
``struct`` call and appended to a bytearray (44 bytes per record, read back as numpy columns
without copying); names are stored once in a :class:`Vocabulary` and records carry their codes.
Frames are made at the end, on demand, with categorical columns.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from .plan import Plan
    from .scenario import Scenario
    from .streams import Seed

# Why an order waited before a piece of work started.
REASONS = (
    "none",          # no wait
    "queue",         # queued for the named department's staff or the named stage's servers
    "breakdown",     # queued while a server of the named stage was down for repair
    "stock-out",     # waited for stock at the named buffer (a backorder)
    "credit hold",   # held by the credit department
    "entry rework",  # order entry had an error and was redone
    "invoice error",  # a wrong invoice was disputed before it was corrected
    "payment terms",  # waiting for the customer's payment
    "inputs",        # a replenishment job waited for its inputs at the upstream buffer
    "scheduled",     # a post-sales event waiting for its planned time (return, visit)
    "closed",        # the department or work centre was closed (outside its calendar's hours)
    "supplier",      # waiting for a supplier's delivery
    "outage",        # a supplier or lane delivered nothing (an event of the scenario)
    "stopped",       # the work centre or its site was stopped (an event of the scenario)
    "card authorisation",  # the card payment was being authorised (at entry)
    "fraud review",  # the fraud check sent the order to a reviewer
    "prepayment",    # waiting for the customer to pay in advance (at selection)
    "other lines",   # a multi-line order waited for its other lines (to ship or to arrive)
    "customer cancel",  # the customer asked to cancel the order (docs/order-life.md)
    "patience",      # the customer cancelled a late order: their patience ran out
    "change",        # the customer changed the order's quantity or date
    "sourcing",      # distributed order management chose the site that fulfils the order
    "collection",    # waiting in the store for the customer to collect the order
)
REASON_CODE = {r: i for i, r in enumerate(REASONS)}

LINE_COLUMNS = ("order", "line", "job", "product", "quantity", "site", "units_requested",
                "units_from_stock", "ready", "shipped", "delivered", "status", "part_job")
"""The per-line table of a multi-line run (``RunRecords.lines``, ``RunResult.lines``): one row
per line of every order (an order of one line is its own line 0); ``job`` is the job (kind
``line``) that fulfilled the line, -1 for the line the order's own case followed; ``site``
the site that fulfilled it ("" for a digital line); ``status``
is the one state the line ended the run in: delivered, shipped, ready, open, lost, rejected;
``part_job`` is the job that shipped the part on hand of a line split under
``split_quantities`` (-1: the line shipped whole)."""
REQUOTE = "re-quote"
"""The zero-duration record of an order re-quoted after a change of its quantity or date
(model/changes.py), held by the pricing department: a message, not work, like the
acknowledgement."""
ACKNOWLEDGE = "acknowledge order"
"""The zero-duration record of an order's acknowledgement at scheduling (its promised date sent
to the customer): a message, not work, so no department counts it as a case served."""


class Vocabulary:
    """Interns names (activities, resources) as small integer codes."""

    def __init__(self, names=()):
        self.names: list[str] = []
        self.codes: dict[str, int] = {}
        for n in names:
            self(n)

    def __call__(self, name: str) -> int:
        code = self.codes.get(name)
        if code is None:
            code = self.codes[name] = len(self.names)
            self.names.append(name)
        return code


class _PackedRows:
    """Rows packed by a ``struct`` into a bytearray, with the two C calls bound once (a bound
    method of a Struct cannot be pickled, so they are bound again after unpickling)."""

    FORMAT: struct.Struct  # the row layout, a class attribute (a Struct cannot be pickled)
    BUFFER: str  # the name of the bytearray attribute

    def _bind(self) -> None:
        self._append = getattr(self, self.BUFFER).extend
        self._pack = self.FORMAT.pack

    def __getstate__(self):
        state = self.__dict__.copy()
        del state["_append"], state["_pack"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._bind()


class StepLog(_PackedRows):
    """One row per case (order or job) per activity: who held it, when it queued, started, ended.

    ``wait = start - queued`` is time spent waiting (for ``reason``), ``work = end - start`` is
    time worked on. Rows are appended when the activity ends.
    """

    INT_COLUMNS = ("case", "step", "activity", "resource", "reason")
    FLOAT_COLUMNS = ("queued", "start", "end")
    RECORD = FORMAT = struct.Struct("<5i3d")
    BUFFER = "_records"
    DTYPE = np.dtype([(c, "<i4") for c in INT_COLUMNS] + [(c, "<f8") for c in FLOAT_COLUMNS])

    def __init__(self, steps: tuple[str, ...], activities: Vocabulary, resources: Vocabulary):
        self.steps = steps
        self.activities = activities
        self.resources = resources
        self._records = bytearray()
        # add() runs once per record: bind the two C calls it makes (2.5x faster than extending
        # two typed arrays with tuples).
        self._bind()

    def add(self, case, step, activity, resource, reason, queued, start, end):
        self._append(self._pack(case, step, activity, resource, reason, queued, start, end))

    def __len__(self):
        return len(self._records) // self.RECORD.size

    @property
    def nbytes(self) -> int:
        return len(self._records)

    def columns(self) -> dict[str, np.ndarray]:
        """Raw numpy columns (codes, not names): cheap, for KPI arithmetic."""
        rows = np.frombuffer(self._records, dtype=self.DTYPE)
        return {c: rows[c] for c in (*self.INT_COLUMNS, *self.FLOAT_COLUMNS)}

    def frame(self, case_name: str = "case") -> pd.DataFrame:
        c = self.columns()
        return pd.DataFrame({
            case_name: c["case"].astype(np.int64),
            "step": pd.Categorical.from_codes(c["step"], categories=list(self.steps)),
            "activity": _categorical(c["activity"], self.activities.names),
            "resource": _categorical(c["resource"], self.resources.names),
            "queued": c["queued"],
            "start": c["start"],
            "end": c["end"],
            "wait": c["start"] - c["queued"],
            "work": c["end"] - c["start"],
            "reason": pd.Categorical.from_codes(c["reason"], categories=list(REASONS)),
        })


class ShipmentLog(_PackedRows):
    """One row per shipment a lane carried: (job: 1 for a job's, 0 for an order's; case; lane
    (a resource code); units; start and end of the transit)."""

    COLUMNS = ("job", "case", "lane", "units", "start", "end")
    ROW = FORMAT = struct.Struct("<3i4xd2d")
    BUFFER = "_rows"
    DTYPE = np.dtype([("job", "<i4"), ("case", "<i4"), ("lane", "<i4"), ("pad", "<i4"),
                      ("units", "<f8"), ("start", "<f8"), ("end", "<f8")])

    def __init__(self):
        self._rows = bytearray()
        self._bind()

    def add(self, job, case, lane, units, start, end):
        self._append(self._pack(job, case, lane, units, start, end))

    def columns(self) -> dict[str, np.ndarray]:
        rows = np.frombuffer(self._rows, dtype=self.DTYPE)
        return {c: rows[c] for c in self.COLUMNS}


class LevelLog(_PackedRows):
    """Piecewise-constant levels (on hand, backordered units, waiting orders) of buffer items.

    A row is appended at every change: (time, key, on_hand, backordered units, waiting orders).
    """

    COLUMNS = ("time", "key", "on_hand", "backordered", "waiting")

    ROW = FORMAT = struct.Struct("<5d")
    BUFFER = "_rows"

    def __init__(self):
        self._rows = bytearray()
        self._bind()  # as in StepLog
        self.keys: list[tuple[str, str]] = []  # key code -> (buffer, item)

    def register(self, buffer: str, item: str) -> int:
        self.keys.append((buffer, item))
        return len(self.keys) - 1

    def add(self, time, key, on_hand, backordered, waiting):
        self._append(self._pack(time, key, on_hand, backordered, waiting))

    def columns(self) -> dict[str, np.ndarray]:
        rows = np.frombuffer(self._rows, dtype="<f8").reshape(-1, len(self.COLUMNS))
        return {c: rows[:, i] for i, c in enumerate(self.COLUMNS)}

    def frame(self) -> pd.DataFrame:
        c = self.columns()
        key = c["key"].astype(int)
        buffers = [b for b, _ in self.keys]
        items = [i for _, i in self.keys]
        return pd.DataFrame({
            "time": c["time"],
            "buffer": pd.Categorical(np.asarray(buffers, dtype=object)[key] if len(key) else []),
            "item": pd.Categorical(np.asarray(items, dtype=object)[key] if len(key) else []),
            "on_hand": c["on_hand"],
            "backordered": c["backordered"],
            "waiting_orders": c["waiting"],
        })


def _categorical(codes: np.ndarray, names: list[str]) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, categories=list(dict.fromkeys(names)))


def time_average(times: np.ndarray, values: np.ndarray, initial: float, t0: float, t1: float):
    """Time-average and maximum over [t0, t1] of a step function that is ``initial`` before the
    first change and jumps to ``values[i]`` at ``times[i]`` (times sorted)."""
    if t1 <= t0:
        return float("nan"), float("nan")
    # Value in force at t0: the last change at or before t0.
    i0 = np.searchsorted(times, t0, side="right")
    v0 = values[i0 - 1] if i0 > 0 else initial
    inside = slice(i0, np.searchsorted(times, t1, side="right"))
    ts = np.concatenate(([t0], times[inside], [t1]))
    vs = np.concatenate(([v0], values[inside]))
    area = float(np.dot(vs, np.diff(ts)))
    return area / (t1 - t0), float(vs.max())


def step_values_at(times: np.ndarray, values: np.ndarray, initial: float, at: np.ndarray):
    """Values of the same step function at the instants ``at`` (e.g. each day's end)."""
    idx = np.searchsorted(times, at, side="right")
    padded = np.concatenate(([initial], values))
    return padded[idx]


@dataclass
class RunRecords:
    """Everything one run produced, as plain data: what the results layer reads (it never sees
    the model). ``resource_kinds[code]`` says what each resource is (department, work_center,
    lane, stock_point, supplier, customer); ``jobs[job]`` is (kind, stock point, item, quantity,
    released) for every case of the job log."""

    scenario: Any
    seed: Any
    orders: dict[str, list]
    order_log: StepLog
    job_log: StepLog
    levels: LevelLog
    shipments: ShipmentLog
    resource_kinds: list[str]
    initial_stock: dict[str, dict[str, int]]
    planning_rows: list[tuple]
    jobs: list[tuple]
    open_work: dict[str, int]
    sim_events: int
    wall_seconds: float
    events: list[tuple] = field(default_factory=list)
    """Every disruption that happened: (event, effect, target, start, end)."""
    lines: dict[str, list] = field(default_factory=dict)
    """One row per line of every order (model.orders.LINE_COLUMNS); empty unless some customer
    class orders several lines."""


class RunView(Protocol):
    """What a run's results offer the modules that read them (KPIs, traces):
    :class:`simulator.result.RunResult` is one. They depend on this view, not on the class, so
    the results layer sits above them."""

    scenario: Scenario
    plan: Plan
    seed: Seed
    orders: pd.DataFrame
    step_columns: dict[str, np.ndarray]
    job_columns: dict[str, np.ndarray]
    level_columns: dict[str, np.ndarray]
    shipment_columns: dict[str, np.ndarray]
    level_keys: list[tuple[str, str]]
    initial_stock: dict[str, dict[str, int]]
    resource_names: list[str]
    resource_kinds: list[str]
    activity_names: list[str]
    open_work: dict[str, int]
    sim_events: int
    wall_seconds: float
    events: pd.DataFrame  # the run's disruptions: event, effect, target, start, end
    lines: pd.DataFrame  # one row per order line (multi-line runs; else empty)

    @property
    def steps(self) -> pd.DataFrame: ...

    @property
    def planning(self) -> pd.DataFrame: ...
