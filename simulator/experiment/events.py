"""Experiments with disruptions: each replication's indicators around the event, kept with its
KPIs, so a comparison can draw the replications as a band (:func:`simulator.charts.event_bands`)
and the dashboard can chart them (:func:`around_events_frame`)."""

from __future__ import annotations

import json

import pandas as pd

from ..kpis import finite_or_none, flat_kpis
from ..result import simulate
from ..scenario import Scenario
from ..streams import Seed
from .plan import WARNINGS, warnings_text

AROUND_EVENTS = "around_events"
"""The runs-table column holding a run's indicators around its first disruption (JSON text)."""

SERIES = ("otif_rolling", "backlog", "backorders")


def run_around_events(scenario: Scenario, seed: Seed) -> dict:
    """One run's KPI row (as :func:`~simulator.experiment.plan.run_once`) and, in the column
    :data:`AROUND_EVENTS`, its daily indicators around the first disruption."""
    result = simulate(scenario, seed)
    row = flat_kpis(result.kpis)
    row[WARNINGS] = warnings_text(row.get(WARNINGS, []))
    daily = result.around_events()
    events = result.events
    first = events[events["start"] >= scenario.warmup_days].head(1)
    row[AROUND_EVENTS] = json.dumps({
        "duration": float(first["end"].iloc[0] - first["start"].iloc[0]) if len(first) else None,
        "since_start": finite_or_none(daily["since_start"].tolist()),
        **{c: finite_or_none(daily[c].tolist()) for c in SERIES}})
    return row


def around_events_frame(runs: pd.DataFrame, by: str = "alternative") -> pd.DataFrame:
    """Long table of a runs table's indicators around the event: ``by``, replication,
    since_start (days), duration (days), otif_rolling, backlog, backorders (one row per run
    and day); failed runs and runs without a disruption are left out."""
    frames = []
    for _, row in runs.iterrows():
        text = row.get(AROUND_EVENTS)
        if not isinstance(text, str):
            continue
        data = json.loads(text)
        if not data["since_start"]:
            continue
        frame = pd.DataFrame({c: data[c] for c in ("since_start", *SERIES)}, dtype=float)
        frame.insert(0, "replication", row["replication"])
        frame.insert(0, by, row[by])
        frame["duration"] = data["duration"]
        frames.append(frame)
    columns = [by, "replication", "since_start", *SERIES, "duration"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)


__all__ = ["AROUND_EVENTS", "around_events_frame", "run_around_events"]
