"""Indicators against hand-worked figures."""

from __future__ import annotations

import pytest

from auditapp.rules.indicators import (
    OTHER_AGE,
    TOO_FEW,
    Eligibility,
    IndicatorResult,
    age_band,
    counts_answer,
    judgement,
)


def test_seven_of_twelve_is_58_percent_with_its_wilson_interval() -> None:
    # By hand: p = 7/12 = 0.5833; z = 1.96; centre (p + z²/2n) / (1 + z²/n) = 0.5631;
    # half-width z·sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n) = 0.2436: 31.95 % to 80.67 %
    # (31.9 % when cut rather than rounded to one place).
    result = IndicatorResult(7, 12, target=80, min_n=10)
    assert round(result.percentage or 0, 1) == 58.3
    interval = result.interval
    assert interval is not None
    assert (round(100 * interval.lower, 2), round(100 * interval.upper, 2)) == (31.95, 80.67)
    assert result.met is False and judgement(result) == "not met"


def test_a_target_reached_exactly_is_met() -> None:
    result = IndicatorResult(9, 10, target=90, min_n=10)
    assert result.met is True and judgement(result) == "met"


def test_below_its_least_n_an_indicator_is_too_few_to_judge() -> None:
    result = IndicatorResult(4, 4, target=50, min_n=5)
    assert result.too_few and result.met is None and judgement(result) == TOO_FEW
    # n = min_n is judged
    assert not IndicatorResult(0, 5, target=50, min_n=5).too_few


def test_nothing_answered_has_no_share() -> None:
    result = IndicatorResult(0, 0, target=None, min_n=1)
    assert result.percentage is None and result.interval is None and result.too_few


def test_no_target_gives_no_judgement() -> None:
    assert judgement(IndicatorResult(5, 20, target=None, min_n=10)) == ""


@pytest.mark.parametrize(("count", "n", "min_n"), [(3, 2, 1), (-1, 4, 1), (1, 4, 0)])
def test_impossible_figures_are_refused(count: int, n: int, min_n: int) -> None:
    with pytest.raises(ValueError, match="count of a total|min_n"):
        IndicatorResult(count, n, target=None, min_n=min_n)


@pytest.mark.parametrize(("age", "band"), [(15, OTHER_AGE), (16, "16-17"), (17, "16-17"),
                                           (18, "18-20"), (20, "18-20"), (21, "21-25"),
                                           (25, "21-25"), (26, OTHER_AGE), (None, OTHER_AGE)])
def test_age_bands(age: int | None, band: str) -> None:
    assert age_band(age) == band


def test_eligibility() -> None:
    everyone = Eligibility()
    assert everyone.admits("qualifying", True, None) and everyone.describe() == ""
    leavers = Eligibility(("eligible", "relevant"), None, ("16-17",))
    assert leavers.admits("relevant", False, 17)
    assert not leavers.admits("relevant", False, 18)
    assert not leavers.admits("former relevant", False, 17)
    uasc = Eligibility(uasc=True)
    assert uasc.admits("eligible", True, 30) and not uasc.admits("eligible", False, 17)
    assert leavers.describe() == "eligible or relevant; aged 16-17"


def test_not_applicable_and_unanswered_are_outside_the_denominator() -> None:
    assert counts_answer("NA", None, {"Y"}) == (False, False)
    assert counts_answer(None, None, {"Y"}) == (False, False)
    assert counts_answer("Y", 2, {"Y"}) == (True, True)
    assert counts_answer("N", 0, {"Y"}) == (True, False)
