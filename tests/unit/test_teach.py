"""The self-checking exercises' verdicts (simulator.teach)."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.teach import check, check_choice, choice_verdict, verdict


def test_number_within_tolerance_is_right_and_shows_why():
    v = verdict(9.4, 9, tol=0.5, why="R covers lead-time demand.")
    assert v.correct is True
    assert "9.4" in v.message and "9 ± 0.5" in v.message and "R covers" in v.message


@pytest.mark.parametrize(("answer", "direction"), [(10, "too high"), (8, "too low")])
def test_wrong_number_says_direction_and_tolerance_not_the_answer(answer, direction):
    v = verdict(answer, 9, tol=0.5, hint="look at λL")
    assert v.correct is False
    assert direction in v.message and "± 0.5" in v.message and "Hint: look at λL" in v.message
    assert "9 ±" not in v.message  # the expected value is not given away


def test_relative_tolerance():
    assert verdict(102, 100, rel=0.05).correct is True
    assert verdict(106, 100, rel=0.05).correct is False
    assert verdict(106, 100, tol=1, rel=0.05).correct is False  # the larger slack counts


def test_interval_from_replications():
    assert verdict(0.52, (0.50, 0.55)).correct is True
    assert verdict(0.49, (0.50, 0.55)).correct is False
    assert verdict(0.49, (0.50, 0.55), tol=0.02).correct is True
    assert "too high" in verdict(0.6, (0.50, 0.55)).message


def test_exact_integer_answer():
    assert verdict(7, 7).correct is True
    assert verdict(6, 7).correct is False


def test_numpy_scalars_are_numbers():
    assert verdict(np.float64(3.0), 3).correct is True
    assert verdict(np.int64(3), 3).correct is True


@pytest.mark.parametrize("answer", [None, ...])
def test_no_answer_yet(answer):
    v = verdict(answer, 3)
    assert v.correct is None and "no answer yet" in v.message


@pytest.mark.parametrize("answer", ["seven", True, float("nan")])
def test_not_a_number_is_wrong_with_a_reason(answer):
    v = verdict(answer, 7)
    assert v.correct is False and "expected a number" in v.message


def test_bad_tolerance_or_interval_is_refused():
    with pytest.raises(ValueError, match="tol"):
        verdict(1, 1, tol=-1)
    with pytest.raises(ValueError, match="low <= high"):
        verdict(1, (2, 1))


OPTIONS = ["base_stock", "sS", "RQ", "TS"]


def test_choice_right_ignores_case_and_blanks():
    v = choice_verdict(" rq ", "RQ", OPTIONS, why="fixed Q")
    assert v.correct is True and "RQ" in v.message and "fixed Q" in v.message


def test_choice_wrong_gives_hint_not_answer():
    v = choice_verdict("TS", "RQ", OPTIONS, hint="which one orders a fixed quantity?")
    assert v.correct is False and "Hint" in v.message and "RQ" not in v.message


def test_choice_not_an_option_lists_the_options():
    v = choice_verdict("EOQ", "RQ", OPTIONS)
    assert v.correct is False and "not an option" in v.message and "base_stock" in v.message


def test_choice_several_right_answers():
    assert choice_verdict("sS", ["RQ", "sS"], OPTIONS).correct is True


def test_choice_correct_must_be_an_option():
    with pytest.raises(ValueError, match="not among the options"):
        choice_verdict("RQ", "EOQ", OPTIONS)


def test_check_prints_the_verdict_once(capsys):
    assert check(5, 5) is None
    assert check_choice(None, "RQ", OPTIONS) is None
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and out[0].startswith("✓") and "no answer yet" in out[1]
