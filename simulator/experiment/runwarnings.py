"""Run warnings across replications: which warnings the runs of an alternative or a sweep cell
showed, in how many of them, and the worst figure, e.g. "overload: sales 3.70 in 10/10 runs".

Each run's warnings are the ``warnings`` column of a runs table (JSON text, see
:func:`simulator.experiment.plan.warnings_text`); the codes are documented in
:data:`simulator.kpis.WARNING_CODES`.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import pandas as pd

from ..kpis import WARNING_CODES
from .plan import WARNINGS, optional_text, read_warnings

UNSTABLE = ("overload", "backlog")
"""Codes that make an alternative unstable: its queues grow without bound (offered load >= 1,
or work piling up), so its KPIs depend on the run length and it is never recommended."""

# The worst figure of most codes is the largest (load, open cases); of these the smallest.
_SMALLER_IS_WORSE = {"run_too_short"}
_FIGURE = {
    "overload": "{:.2f}",
    "demand_turned_away": "{:.2f} if every quote were accepted",
    "peak_overload": "{:.2f} at the peak",
    "backlog": "{:,.0f} open",
    "run_too_short": "horizon {:g} d",
}

TABLE_COLUMNS = ("code", "resource", "runs", "of", "worst", "message")


def warning_table(runs: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """One row per group of ``by`` columns (an alternative, a cell; no columns: one group), code
    and resource that occurred: ``runs`` with that warning, ``of`` successful runs in the group, the ``worst``
    figure and the ``message`` of the run that had it. Groups in the order of ``runs``, codes
    in the order of :data:`WARNING_CODES`."""
    by = list(by)
    rows = []
    if len(runs):
        ok = runs["error"].isna() if "error" in runs else pd.Series(True, index=runs.index)
        texts = runs[WARNINGS] if WARNINGS in runs else pd.Series(None, index=runs.index)
        groups = runs.groupby(by, sort=False, dropna=False) if by else [((), runs)]
        for key, group in groups:
            key = key if isinstance(key, tuple) else (key,)
            good = group.index[ok[group.index]]
            seen: dict[tuple[str, str | None], list[dict]] = {}
            for i in good:
                for w in read_warnings(texts[i]):
                    seen.setdefault((w["code"], w["resource"]), []).append(w)
            for (code, resource), found in sorted(seen.items(), key=_order):
                pick = min if code in _SMALLER_IS_WORSE else max
                worst = pick(found, key=lambda w: _number(w["figure"]))
                rows.append({**dict(zip(by, key, strict=True)), "code": code,
                             "resource": resource, "runs": len(found), "of": len(good),
                             "worst": _number(worst["figure"]), "message": worst["message"]})
    table = pd.DataFrame(rows, columns=[*by, *TABLE_COLUMNS])
    table["resource"] = optional_text(table["resource"])  # None for a warning about the run
    return table


def _order(item) -> tuple:
    # By code; resources of one code stay in the order the runs name them (departments first).
    (code, _), _ = item
    codes = list(WARNING_CODES)
    return (codes.index(code) if code in codes else len(codes), code)


def _number(figure) -> float:
    return float("nan") if figure is None else float(figure)


def in_words(row) -> str:
    """One warning row of :func:`warning_table` in words: 'overload: sales 3.70 in 10/10 runs'."""
    figure = _FIGURE.get(row["code"], "{:g}").format(row["worst"])
    where = f"{row['resource']} " if isinstance(row["resource"], str) else ""
    return f"{row['code']}: {where}{figure} in {row['runs']}/{row['of']} runs"


def summaries(runs: pd.DataFrame, by: Sequence[str]) -> dict[Hashable, str]:
    """Per group of ``by`` (a value, or a tuple of values for several columns): its warnings in
    words, '; '-separated ('' for a group without any). Groups without a warning are absent."""
    table = warning_table(runs, by)
    out: dict[Hashable, list[str]] = {}
    for _, row in table.iterrows():
        key = row[by[0]] if len(by) == 1 else tuple(row[c] for c in by)
        out.setdefault(key, []).append(in_words(row))
    return {key: "; ".join(texts) for key, texts in out.items()}


def unstable(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of a :func:`warning_table` that make their group unstable (:data:`UNSTABLE`)."""
    return table[table["code"].isin(UNSTABLE)]
