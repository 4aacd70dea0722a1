"""Self-checking exercises for the lessons: a student's own answer against the simulation or the
theory, with a stated tolerance, and why when it is wrong.

    from simulator.teach import check, check_choice
    my_reorder_point = 9                      # the student's answer
    check(my_reorder_point, expected=best_r, tol=0, why="R covers the lead-time demand ...")
    check(my_fill_rate, expected=(low, high), tol=0.01)   # inside a simulated 95% interval
    check_choice(my_policy, correct="RQ", options=["base_stock", "sS", "RQ", "TS"], why="...")

:func:`verdict` and :func:`choice_verdict` decide and return a :class:`Verdict`; :func:`check`
and :func:`check_choice` print it (what an answer cell calls). A wrong numeric answer is told
its direction (too high or too low) and the tolerance, never the expected value, so the student
can try again; a right one is shown the expected value and the reason.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import SupportsFloat

__all__ = ["Verdict", "check", "check_choice", "choice_verdict", "verdict"]

RIGHT, WRONG, OPEN = "✓", "✗", "…"


@dataclass(frozen=True)
class Verdict:
    """``correct`` is None while no answer is given; ``message`` says it in words."""

    correct: bool | None
    message: str

    def __str__(self) -> str:
        return self.message


def _number(x: float) -> str:
    return f"{x:.4g}"


def _bounds(expected: float | Sequence[float], tol: float, rel: float) -> tuple[float, float, str]:
    """(low, high, what was expected in words) of the accepted answers."""
    if isinstance(expected, (int, float)):
        e = float(expected)
        slack = max(tol, rel * abs(e))
        return e - slack, e + slack, f"{_number(e)} ± {_number(slack)}"
    low, high = (float(v) for v in expected)
    if not low <= high:
        raise ValueError(f"expected: an interval (low, high) needs low <= high, got ({low}, {high})")
    shown = f"[{_number(low)}, {_number(high)}]"
    return low - tol, high + tol, shown + (f" ± {_number(tol)}" if tol else "")


def verdict(answer: object, expected: float | Sequence[float], *, tol: float = 0.0,
            rel: float = 0.0, why: str = "", hint: str = "", name: str = "your answer") -> Verdict:
    """Is ``answer`` within ``tol`` (absolute) or ``rel`` (relative) of ``expected``, a number,
    or inside ``expected`` = (low, high) widened by ``tol`` (a confidence interval)?

    None (or ...) is no answer yet. Wrong: the direction, the tolerance and ``hint``. Right: the
    expected value and ``why``."""
    if tol < 0 or rel < 0:
        raise ValueError(f"tol and rel must be >= 0, got tol={tol}, rel={rel}")
    low, high, shown = _bounds(expected, tol, rel)
    if answer is None or answer is Ellipsis:
        return Verdict(None, f"{OPEN} {name}: no answer yet — set it and run this cell again.")
    # ints, floats, numpy scalars; True is not 1 and "7" is not 7
    if isinstance(answer, (bool, str)) or not isinstance(answer, SupportsFloat):
        return Verdict(False, f"{WRONG} {name} = {answer!r}: expected a number.")
    value = float(answer)
    if math.isnan(value):
        return Verdict(False, f"{WRONG} {name} is NaN: expected a number.")
    if low <= value <= high:
        text = f"{RIGHT} {name} = {_number(value)}: right (expected {shown})."
        return Verdict(True, text + (f" {why}" if why else ""))
    direction = "too high" if value > high else "too low"
    accepted = (f"within ± {_number((high - low) / 2)} of the expected value"
                if isinstance(expected, (int, float)) else "inside the expected interval"
                + (f" (± {_number(tol)})" if tol else ""))
    text = f"{WRONG} {name} = {_number(value)} is {direction}: the answer must be {accepted}."
    return Verdict(False, text + (f" Hint: {hint}" if hint else ""))


def _key(option: object) -> str:
    return str(option).strip().casefold()


def choice_verdict(answer: object, correct: object | Sequence[object], options: Sequence[object],
                   *, why: str = "", hint: str = "", name: str = "your choice") -> Verdict:
    """Is ``answer`` (compared without case or surrounding blanks) the ``correct`` option (or one
    of several correct ones)? An answer that is not among ``options`` is told what is allowed."""
    allowed = {_key(o): o for o in options}
    right = [correct] if isinstance(correct, str) or not isinstance(correct, Sequence) else correct
    missing = [c for c in right if _key(c) not in allowed]
    if missing:
        raise ValueError(f"correct: {missing} not among the options {list(options)}")
    if answer is None or answer is Ellipsis:
        return Verdict(None, f"{OPEN} {name}: no answer yet — choose one of "
                             f"{', '.join(map(str, options))}.")
    if _key(answer) not in allowed:
        return Verdict(False, f"{WRONG} {name} = {answer!r} is not an option: choose one of "
                              f"{', '.join(map(str, options))}.")
    if _key(answer) in {_key(c) for c in right}:
        return Verdict(True, f"{RIGHT} {name} = {allowed[_key(answer)]}: right." + (f" {why}" if why else ""))
    return Verdict(False, f"{WRONG} {name} = {allowed[_key(answer)]}: not this one."
                   + (f" Hint: {hint}" if hint else ""))


def check(answer: object, expected: float | Sequence[float], **kwargs) -> None:
    """Print :func:`verdict` (the call an exercise's answer cell makes; it returns nothing, so
    a notebook shows the verdict once)."""
    print(verdict(answer, expected, **kwargs))


def check_choice(answer: object, correct: object | Sequence[object], options: Sequence[object],
                 **kwargs) -> None:
    """Print :func:`choice_verdict`."""
    print(choice_verdict(answer, correct, options, **kwargs))
