"""The result of one run: KPIs, tidy DataFrames, and writing them with their provenance."""

from __future__ import annotations

import json
import shlex
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from .kpis import compute_kpis, finite_or_none
from .model.world import run
from .plan import Kind, compile_plan
from .provenance import provenance
from .records import LINE_COLUMNS, RunRecords, step_values_at
from .resilience import Resilience, around_events, events_frame, resilience
from .scenario import STEPS, Scenario
from .streams import Seed, format_seed
from .trace import TraceFrame, WhereTimeGoes, trace, where_time_goes


class RunResult:
    """What one run of a scenario with a seed produced.

    ``kpis`` is a dict (see :mod:`simulator.kpis` for every definition); ``orders`` has one row
    per inquiry; ``steps`` one row per order per activity; ``jobs`` the replenishment, planning
    and repair work; ``levels`` every change of stock and backorders; ``timeseries`` one row per
    day; ``planning`` every forecast and target set.
    """

    def __init__(self, records: RunRecords):
        self.records = records
        self.scenario: Scenario = records.scenario
        self.plan = compile_plan(self.scenario)
        self.seed: Seed = records.seed
        orders = pd.DataFrame(records.orders).astype({"invoice_error": bool, "returned": bool,
                                                         "changed": bool})
        for c in ("channel", "customer_class", "region", "product", "status"):
            orders[c] = orders[c].astype("category")
        self.orders = orders
        self._step_log = records.order_log
        self._job_log = records.job_log
        self._levels = records.levels
        self.level_keys = list(records.levels.keys)
        self.initial_stock = records.initial_stock
        self._planning_rows = records.planning_rows
        self._jobs_meta = records.jobs
        self.sim_events = records.sim_events
        self.wall_seconds = records.wall_seconds
        # Cases queued or in work at each department, work centre and lane at the end of the run.
        self.open_work = dict(records.open_work)
        self.step_columns = records.order_log.columns()
        self.job_columns = records.job_log.columns()
        self.level_columns = records.levels.columns()
        self.shipment_columns = records.shipments.columns()
        self.resource_names = list(records.order_log.resources.names)
        self.resource_kinds = list(records.resource_kinds)
        self.activity_names = list(records.order_log.activities.names)
        lines = pd.DataFrame(records.lines, columns=list(LINE_COLUMNS))
        lines["product"] = lines["product"].astype("category")
        lines["status"] = lines["status"].astype("category")
        self.lines = lines
        self.orders["stock_wait"] = self._stock_wait()
        self.events = events_frame(records.events)
        self.kpis = compute_kpis(self)
        if self.scenario.events:  # without events the KPIs stay exactly as they were
            self.kpis.update(self.resilience.kpis)

    def _stock_wait(self) -> np.ndarray:
        """Per order: days waited for stock at its decoupling point (NaN if it took none; the
        longest wait if it took from several stock points)."""
        out = np.full(len(self.orders), np.nan)
        c = self.step_columns
        sel = np.isin(c["resource"], self.resource_codes(Kind.STOCK_POINT))
        if sel.any():
            waits = pd.Series(c["start"][sel] - c["queued"][sel]).groupby(c["case"][sel]).max()
            out[waits.index.to_numpy()] = waits.to_numpy()
        jobs = self.lines[self.lines["job"] >= 0]
        if len(jobs):  # lines fulfilled by jobs of their own wait for stock there
            j = self.job_columns
            order_of = pd.Series(jobs["order"].to_numpy(), index=jobs["job"].to_numpy())
            sel = (np.isin(j["resource"], self.resource_codes(Kind.STOCK_POINT))
                   & np.isin(j["case"], order_of.index.to_numpy()))
            waits = pd.Series(j["start"][sel] - j["queued"][sel]).groupby(
                order_of.loc[j["case"][sel]].to_numpy()).max()
            ids = waits.index.to_numpy()
            out[ids] = np.fmax(out[ids], waits.to_numpy())
        return out

    def resource_codes(self, kind: Kind) -> np.ndarray:
        """Codes of the resources of one kind (departments, work centres, lanes, stock points...)."""
        return np.array([i for i, k in enumerate(self.resource_kinds) if k == kind.value], dtype=np.int32)

    @property
    def warnings(self) -> list[dict]:
        """What makes this run's numbers doubtful (overload, backlog, too short a run): a list of
        ``{"code", "resource", "figure", "message"}``, empty when all is well; the codes are in
        :data:`simulator.kpis.WARNING_CODES`."""
        return self.kpis["warnings"]

    # ------------------------------------------------------------------ frames

    @cached_property
    def steps(self) -> pd.DataFrame:
        """One row per order per activity: step, activity, resource (department, stage, buffer or
        customer), queued, start, end, wait = start - queued, work = end - start, reason."""
        df = self._step_log.frame("order")
        return df.sort_values(["order", "queued", "end"], kind="stable").reset_index(drop=True)

    @cached_property
    def jobs(self) -> pd.DataFrame:
        """Work that is not a customer order: replenishment jobs (case >= 0, with buffer, item
        and quantity), planning runs and repairs (``kind`` says which)."""
        df = self._job_log.frame("job")
        meta = pd.DataFrame(self._jobs_meta,
                            columns=["kind", "buffer", "item", "quantity", "released"])
        meta.index.name = "job"
        return df.join(meta, on="job")

    @cached_property
    def levels(self) -> pd.DataFrame:
        return self._levels.frame()

    @cached_property
    def planning(self) -> pd.DataFrame:
        return pd.DataFrame(self._planning_rows,
                            columns=["time", "buffer", "item", "forecast_per_day", "target",
                                     "lead_time"])

    @cached_property
    def timeseries(self) -> pd.DataFrame:
        """One row per day (level at the day's end): backordered units, waiting orders and units
        on hand at the decoupling stock; units on hand and backordered per stock point; orders in
        progress (WIP) and delivered."""
        sc = self.scenario
        end = sc.warmup_days + sc.horizon_days
        days = np.arange(1, int(np.floor(end)) + 1, dtype=float)
        out = {"day": days}
        lv = self.level_columns
        on_hand: dict[str, np.ndarray] = {}
        backordered: dict[str, np.ndarray] = {}
        codp_points = self.plan.codp_points
        codp_on_hand = np.zeros(len(days))
        back = np.zeros(len(days))
        waiting = np.zeros(len(days))
        for key, (buffer, item) in enumerate(self.level_keys):
            sel = lv["key"] == key
            t = lv["time"][sel]
            on_hand[buffer] = on_hand.get(buffer, 0) + step_values_at(
                t, lv["on_hand"][sel], self.initial_stock[buffer][item], days)
            backordered[buffer] = backordered.get(buffer, 0) + step_values_at(
                t, lv["backordered"][sel], 0.0, days)
            if item in codp_points.get(buffer, ()):
                back += step_values_at(t, lv["backordered"][sel], 0.0, days)
                waiting += step_values_at(t, lv["waiting"][sel], 0.0, days)
                codp_on_hand += step_values_at(t, lv["on_hand"][sel],
                                               self.initial_stock[buffer][item], days)
        out["backorders"] = back
        out["backorder_orders"] = waiting
        out["on_hand_codp"] = codp_on_hand
        for buffer, v in on_hand.items():
            out[f"on_hand_{buffer}"] = v
        for buffer, v in backordered.items():
            out[f"backordered_{buffer}"] = v
        o = self.orders
        rec = o["received"].to_numpy()
        dlv = o["delivered"].fillna(np.inf).to_numpy()
        left = o["delivered"].fillna(o["cancelled"]).fillna(np.inf).to_numpy()  # or cancelled
        accepted = ~np.isnan(rec) & (o["status"] != "rejected").to_numpy()
        rec_sorted = np.sort(rec[accepted])
        dlv_sorted = np.sort(left[accepted])
        out["wip"] = (np.searchsorted(rec_sorted, days, side="right")
                      - np.searchsorted(dlv_sorted, days, side="right")).astype(float)
        out["delivered"] = np.diff(np.searchsorted(np.sort(dlv[np.isfinite(dlv)]), days,
                                                   side="right"), prepend=0).astype(float)
        return pd.DataFrame(out)

    @cached_property
    def resilience(self) -> Resilience:
        """Resilience KPIs per disruption and per stock point (:mod:`simulator.resilience`)."""
        return resilience(self, self.records.events, self.timeseries)

    def around_events(self) -> pd.DataFrame:
        """Daily rolling OTIF, backlog and backorders around the first disruption, by days
        since its start (:func:`simulator.resilience.around_events`)."""
        return around_events(self, self.records.events, self.timeseries)

    @property
    def recorded_steps(self) -> int:
        return len(self._step_log) + len(self._job_log)

    @property
    def record_bytes(self) -> int:
        return self._step_log.nbytes + self._job_log.nbytes

    # ------------------------------------------------------------------ staple yourself to an order

    def trace(self, order_id: int) -> TraceFrame:
        """One order's journey: a :class:`simulator.trace.TraceFrame` (one row per step and
        sub-step, with ``.order``, ``.planning`` and ``.narrative()``)."""
        return trace(self, order_id)

    def where_time_goes(self, scope: str = "cycle") -> WhereTimeGoes:
        """Mean waiting vs working per step and per department, and the top delay causes
        (:func:`simulator.trace.where_time_goes`)."""
        return where_time_goes(self, scope)

    # ------------------------------------------------------------------ output

    def kpis_json(self) -> str:
        return json.dumps(finite_or_none(self.kpis), indent=2)

    def save(self, directory: str | Path) -> Path:
        """Write KPIs, tables (Parquet) and provenance: the resolved scenario, and ``run.json``
        with the seed, the command that reruns the run from any directory, the command that
        made it, the model code digest and the package versions."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        (d / "kpis.json").write_text(self.kpis_json() + "\n")
        self.orders.to_parquet(d / "orders.parquet", index=False)
        self.steps.to_parquet(d / "steps.parquet", index=False)
        self.jobs.to_parquet(d / "jobs.parquet", index=False)
        self.timeseries.to_parquet(d / "timeseries.parquet", index=False)
        self.planning.to_parquet(d / "planning.parquet", index=False)
        if not self.lines.empty:  # one row per order line (docs/order-life.md)
            self.lines.to_parquet(d / "lines.parquet", index=False)
        if self.scenario.events:  # what happened, and what it did (docs/events.md)
            self.events.to_parquet(d / "events.parquet", index=False)
            self.resilience.occurrences.to_parquet(d / "resilience.parquet", index=False)
            self.resilience.stock_points.to_parquet(d / "time_to_survive.parquet", index=False)
        scenario_file = d / "scenario.yaml"
        scenario_file.write_text(self.scenario.to_yaml())
        record = {
            **provenance(),
            "seed": self.kpis["seed"],
            "scenario": self.scenario.name,
            "reproduce": shlex.join(["omcsim", "run", str(scenario_file.resolve()),
                                     "--seed", format_seed(self.seed)]),
            "steps": list(STEPS),
        }
        (d / "run.json").write_text(json.dumps(record, indent=2) + "\n")
        return d


def simulate(scenario: Scenario, seed: Seed = 1, progress: bool = False) -> RunResult:
    """Run ``scenario`` once with ``seed`` (a pure function of the two) and compute its results."""
    return RunResult(run(scenario, seed, progress))
