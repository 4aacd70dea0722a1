"""How numbers read, everywhere: the one formatter of KPI values, intervals, changes and units.

The CLI tables, experiment summaries, the dashboard's cards, tables and chart axes and the
notebooks all call these functions, so a KPI reads the same wherever it appears. What a KPI is
(label, unit, direction, definition, range) comes from the registry,
:data:`simulator.kpis.KPIS`; this module only decides how it is written:

- shares in percent (``98.8%``), their differences in percentage points (``-37.3 pp``);
- durations in days (``3.32 d``), or hours and minutes below a day (``2.4 h``, ``12 min``);
- money with thousands separators and the scenario's currency when it has one;
- an interval as ``mean ± half-width`` with the digits its half-width justifies (two
  significant digits of the half-width), one rule for every KPI; an interval of a KPI that
  cannot leave a range (a share in [0, 1], a count >= 0) is written as ``mean (low to high)``
  when mean ± half-width would cross that range.
"""

from __future__ import annotations

import math
import numbers
import re

from .kpis import KPI, KPIS, registry_name
from .resilience import WHY_UNDEFINED

NA = "n/a"

# How each registry unit is written after a value ("" = nothing), and as a column or axis unit.
_SUFFIX = {"share": "%", "days": " d", "units": " units", "orders": " orders",
           "orders/day": " orders/d", "s": " s", "count": "", "ratio": "", "money": ""}
_UNIT_TEXT = {"share": "%", "days": "days", "units": "units", "orders": "orders",
              "orders/day": "orders per day", "s": "seconds", "count": "count", "ratio": "ratio",
              "money": "money"}


def kpi_info(name: str) -> KPI | None:
    """The registry entry of a KPI (or of a nested column such as ``utilization.assembly``)."""
    return KPIS.get(registry_name(name))


def is_number(value) -> bool:
    """A finite real number, numpy's included (not a bool, not NaN, not None)."""
    return (isinstance(value, numbers.Real) and not isinstance(value, bool)
            and math.isfinite(value))


def currency_of(scenario) -> str | None:
    """The scenario's currency, if it names one. (Scenarios state amounts "in the scenario's
    currency" without naming it yet; the day the scenario gets a ``currency`` field, every
    money value shows it, from here.)"""
    return getattr(scenario, "currency", None)


def label(name: str) -> str:
    """A KPI's label: ``OTIF``, ``Mean cycle time``, ``Utilisation: assembly``."""
    k = kpi_info(name)
    if k is None:
        return name.replace("_", " ")
    sub = name[len(k.name) + 1:]
    return f"{k.label}: {sub.replace('_', ' ')}" if sub else k.label


def unit_text(name: str, currency: str | None = None) -> str:
    """The unit as a table column or an axis shows it: ``%``, ``days``, ``units``, ``EUR``."""
    k = kpi_info(name)
    if k is None:
        return ""
    if k.unit == "money":
        return currency or "money"
    return _UNIT_TEXT.get(k.unit, k.unit)


def axis_label(name: str, currency: str | None = None) -> str:
    """``Mean cycle time (days)``, ``OTIF (%)``, ``Total cost (money)``."""
    unit = unit_text(name, currency)
    return f"{label(name)} ({unit})" if unit and unit not in ("count", "ratio") else label(name)


def in_sentence(name: str) -> str:
    """A KPI's label inside a sentence: ``total cost``, ``mean cycle time``, but ``OTIF``."""
    text = label(name)
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def bound_text(name: str, op: str, bound: float, currency: str | None = None) -> str:
    """A constraint on a KPI in words: ``otif >= 0.95`` reads ``OTIF at least 95.0%``."""
    return f"{in_sentence(name)} {'at least' if op == '>=' else 'at most'} " \
        f"{format_value(name, bound, currency)}"


def why_undefined(name: str) -> str:
    """Why a KPI can be n/a, in words (empty when it never is)."""
    k = kpi_info(name)
    return k.undefined if k is not None else ""


def na_reason(name: str, why: str = "", otherwise: str = "undefined in this run") -> str:
    """Why KPI ``name`` is n/a: the run's own reason ``why`` when it has one (:func:`own_reason`,
    an experiment summary's ``why``), else the registry's reasons the KPI can be undefined
    for, else ``otherwise``."""
    return why or why_undefined(name) or otherwise


def explain_na(name: str, why: str = "") -> str:
    """``n/a: no order was delivered in the window``: an n/a that explains itself
    (:func:`na_reason`)."""
    return f"{NA}: {na_reason(name, why)}"


def own_reason(kpis: dict, name: str) -> str:
    """Why KPI ``name`` is undefined in the run whose KPI dict is ``kpis``, in the run's own
    words (``overloaded before the event: 812 of the 830 inquiries ...``), or '' when the run
    gives none (then :func:`explain_na` gives the registry's)."""
    return (kpis.get(WHY_UNDEFINED) or {}).get(name, "")


def own_reasons(rows, name: str) -> str:
    """The reasons the runs of an experiment (``rows``: runs-table rows, the flat KPIs of each
    run) give for KPI ``name`` being undefined, or ''. Reasons alike but for their figures
    (each replication's own count) are written once, with the first run's figures."""
    column = f"{WHY_UNDEFINED}.{name}"
    if column not in rows:
        return ""
    alike: dict[str, list[str]] = {}
    for text in rows[column]:
        if isinstance(text, str) and text:
            alike.setdefault(re.sub(r"\d[\d,.]*", "#", text), []).append(text)
    return "; ".join(texts[0] + (f" (the first of {len(texts)} runs alike)"
                                 if len(set(texts)) > 1 else "") for texts in alike.values())


def higher_is_better(name: str) -> bool | None:
    """True, False, or None when neither direction is better."""
    k = kpi_info(name)
    if k is None or k.direction == "neither":
        return None
    return k.direction == "higher"


# ---------------------------------------------------------------- numbers


_PER_ORDER = {"cost_to_serve"}
"""Money KPIs per order, written with cents."""


def _digits(x: float) -> int:
    """Decimals for a value shown alone: about three significant digits, none from 1000 on."""
    x = abs(x)
    return 0 if x >= 1000 or x == 0 else 1 if x >= 10 else 2 if x >= 1 else 3


def _number(x: float, digits: int, sign: str = "") -> str:
    return f"{x:{sign},.{digits}f}"


def _scaled(name: str, value: float) -> float:
    k = kpi_info(name)
    return 100 * value if k is not None and k.unit == "share" else value


def _suffix(name: str, currency: str | None, difference: bool = False) -> str:
    k = kpi_info(name)
    if k is None:
        return ""
    if k.unit == "share" and difference:
        return " pp"
    if k.unit == "money":
        return f" {currency}" if currency else ""
    return _SUFFIX.get(k.unit, f" {k.unit}")


def format_duration(days, zero: str = "0", digits: int = 2) -> str:
    """A duration in the unit a person reads best: minutes, hours or days ('-' if undefined)."""
    if days is None or not is_number(days):
        return "-"
    if days <= 0:
        return zero
    if days < 1 / 2880:
        return "<1 min"
    if days < 1 / 24:
        return f"{days * 1440:.0f} min"
    if days < 1:
        return f"{days * 24:.1f} h"
    return f"{days:.{digits}f} d"


def format_value(name: str, value, currency: str | None = None) -> str:
    """A KPI value in its unit: ``98.8%``, ``3.32 d``, ``5.1 h``, ``0.069 units``,
    ``2,734,125 EUR``, ``13``; ``n/a`` when undefined (:func:`explain_na` says why)."""
    if not is_number(value):
        return NA
    value = float(value)
    k = kpi_info(name)
    unit = k.unit if k is not None else ""
    if unit == "share":
        return f"{100 * value:.1f}%"
    if unit == "days":
        text = format_duration(abs(value), zero="0 d")
        return f"-{text}" if value < 0 else text
    if unit in ("money", "count"):
        # A cost per order is a few units of money: whole numbers would hide its differences.
        return _number(value, 2 if name in _PER_ORDER else 0) + _suffix(name, currency)
    if unit == "ratio":
        return f"{value:.2f}"
    return _number(value, _digits(value)) + _suffix(name, currency)


def pd_note(p: float, d: float) -> str:
    """What P:D is where it is 0 or undefined, to print beside it: '' where it is a plain
    ratio."""
    if p == 0:
        return " (P = D = 0: digital copies wanted at once)" if d == 0 else " (P = 0: digital copies)"
    return " (D = 0)" if d == 0 else ""


def format_delta(name: str, value, reference, currency: str | None = None) -> str | None:
    """The change ``value - reference`` in the KPI's unit (shares in percentage points), or None
    when there is none or either side is undefined."""
    if not (is_number(value) and is_number(reference)) or value == reference:
        return None
    d = _scaled(name, float(value) - float(reference))
    k = kpi_info(name)
    if k is not None and k.unit == "days":  # as the values read: days, or hours below a day
        return ("+" if d > 0 else "-") + format_duration(abs(d))
    digits = 1 if k is not None and k.unit == "share" else 2 if name in _PER_ORDER else \
        0 if k is not None and k.unit in ("money", "count") else _digits(d)
    return _number(d, digits, "+") + _suffix(name, currency, difference=True)


def interval_digits(half_width: float, mean: float) -> int:
    """The one digit rule of intervals: two significant digits of the half-width (at most 4
    decimals), none for values from 1000 on; a zero half-width keeps the value's own digits."""
    if abs(mean) >= 1000:
        return 0
    if half_width == 0:
        return _digits(mean)
    return min(4, max(0, 1 - math.floor(math.log10(half_width))))


def interval_bounds(name: str, mean: float, half_width: float) -> tuple[float, float]:
    """mean ± half-width, kept inside the KPI's range (a share in [0, 1], a count >= 0): what a
    chart draws as the band and a table prints."""
    k = kpi_info(name)
    hw = half_width if is_number(half_width) else 0.0
    lo, hi = mean - hw, mean + hw
    if k is not None:
        if k.low is not None:
            lo = max(lo, k.low)
        if k.high is not None:
            hi = min(hi, k.high)
    return lo, hi


def format_interval(name: str, mean, half_width, signed: bool = False,
                    currency: str | None = None) -> str:
    """A mean and its 95% half-width (``signed``: a difference, with its sign; shares in
    percentage points) in the KPI's unit, digits from the half-width. A non-signed interval
    that would leave the KPI's range is written with its bounds: ``0.012 (0 to 0.042) units``."""
    if not is_number(mean):
        return NA
    mean = float(mean)
    sign = "+" if signed else ""
    suffix = _suffix(name, currency, difference=signed)
    m = _scaled(name, mean)
    if not is_number(half_width):
        k = kpi_info(name)
        digits = 1 if k is not None and k.unit == "share" else _digits(m)
        return _number(m, digits, sign) + suffix
    hw = _scaled(name, float(half_width))
    digits = interval_digits(hw, m)
    lo, hi = interval_bounds(name, mean, float(half_width))
    if not signed and (lo > mean - half_width or hi < mean + half_width):
        lo, hi = _scaled(name, lo), _scaled(name, hi)
        return (f"{_number(m, digits)} ({_number(lo, digits)} to {_number(hi, digits)})"
                + suffix)
    return f"{_number(m, digits, sign)} ± {_number(hw, digits)}{suffix}"
