"""The Wilson interval, the p-chart and the Making Data Count rules against figures worked by
hand (the arithmetic is in each test), and properties of the interval."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditapp.rules.statistics import (
    NO_CHANGE,
    SHIFT_POINTS,
    TREND_POINTS,
    Rule,
    Signal,
    change_words,
    p_chart,
    special_causes,
    wilson_interval,
)

Z2 = 1.959963984540054 ** 2  # 3.841459


def test_wilson_30_of_100() -> None:
    """p = 0.3, n = 100, z^2 = 3.8415: denominator 1 + 3.8415/100 = 1.038415;
    centre (0.3 + 3.8415/200) / 1.038415 = 0.319207 / 1.038415 = 0.307399;
    half 1.96 * sqrt(0.3 * 0.7 / 100 + 3.8415/40000) / 1.038415
         = 1.96 * sqrt(0.0021 + 0.0000960) / 1.038415 = 1.96 * 0.046862 / 1.038415 = 0.088450;
    so 0.21895 to 0.39585 (21.9 % to 39.6 %)."""
    interval = wilson_interval(30, 100)
    assert interval.lower == pytest.approx(0.21895, abs=5e-5)
    assert interval.upper == pytest.approx(0.39585, abs=5e-5)


def test_wilson_0_of_10_and_10_of_10() -> None:
    """p = 0: centre = (z^2/20) / (1 + z^2/10) = 0.192073 / 1.384146 = 0.138766 and
    half = z * (z/20) / 1.384146, the same, so 0 to 0.277533; 10 of 10 mirrors it:
    0.722467 to 1. A normal-approximation interval would be 0 to 0 and 1 to 1."""
    assert wilson_interval(0, 10).lower == 0.0
    assert wilson_interval(0, 10).upper == pytest.approx(0.277533, abs=5e-6)
    assert wilson_interval(10, 10).lower == pytest.approx(0.722467, abs=5e-6)
    assert wilson_interval(10, 10).upper == 1.0


def test_wilson_20_of_40_is_35_to_65_percent() -> None:
    """domain.md section 12's example: half = 1.96 * sqrt(0.25/40 + z^2/6400) / (1 + z^2/40)
    = 1.96 * 0.082765 / 1.096036 = 0.148005, so 35.2 % to 64.8 %."""
    interval = wilson_interval(20, 40)
    assert (round(100 * interval.lower), round(100 * interval.upper)) == (35, 65)
    assert interval.lower == pytest.approx(0.5 - 0.148005, abs=5e-6)


@pytest.mark.parametrize(("successes", "trials"), [(0, 0), (-1, 5), (6, 5), (1, -2)])
def test_impossible_counts_are_refused(successes: int, trials: int) -> None:
    with pytest.raises(ValueError, match="trial"):
        wilson_interval(successes, trials)


@settings(max_examples=500)
@given(st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_the_interval_holds_the_share_and_stays_in_0_to_1(counts: tuple[int, int]) -> None:
    successes, trials = counts
    interval = wilson_interval(successes, trials)
    assert 0.0 <= interval.lower <= successes / trials <= interval.upper <= 1.0


@settings(max_examples=300)
@given(st.integers(1, 500), st.integers(0, 100), st.integers(2, 10))
def test_the_interval_narrows_as_n_grows(n: int, percent: int, factor: int) -> None:
    """The same share of more audits is known more precisely."""
    successes = round(n * percent / 100)
    small = wilson_interval(successes, n)
    large = wilson_interval(successes * factor, n * factor)
    assert large.upper - large.lower < small.upper - small.lower


def test_p_chart_centre_is_weighted_and_limits_follow_each_n() -> None:
    """Points 10/50, 30/100, 20/50: centre = 60/200 = 0.3 (the plain mean of the shares,
    0.2, 0.3, 0.4, would also be 0.3; with 10/50, 30/100, 45/50 it is 85/200 = 0.425 against
    0.4667). sigma(n=50) = sqrt(0.3 * 0.7 / 50) = 0.064807, limits 0.3 -/+ 0.194422 =
    0.105578 to 0.494422; sigma(n=100) = sqrt(0.0021) = 0.045826, limits 0.162523 to
    0.437477."""
    chart = p_chart([(10, 50), (30, 100), (20, 50)])
    assert chart.centre == pytest.approx(0.3)
    first, second, _ = chart.points
    assert first is not None and second is not None
    assert first.lower_limit == pytest.approx(0.105578, abs=5e-6)
    assert first.upper_limit == pytest.approx(0.494422, abs=5e-6)
    assert second.lower_limit == pytest.approx(0.162523, abs=5e-6)
    assert second.upper_limit == pytest.approx(0.437477, abs=5e-6)
    assert p_chart([(10, 50), (30, 100), (45, 50)]).centre == pytest.approx(0.425)


def test_limits_are_clipped_to_0_and_1() -> None:
    """Centre 0.9 (45/50 + 0/0 left out as a gap); n = 5: 3 * sqrt(0.9 * 0.1 / 5) = 0.4025,
    so the upper limit 1.3025 is clipped to 1; centre 0.05 with n = 4: the lower limit
    0.05 - 3 * sqrt(0.0475 / 4) = -0.277 is clipped to 0."""
    high = p_chart([(40, 45), (5, 5), None])
    assert high.centre == pytest.approx(0.9)
    assert high.points[1] is not None and high.points[1].upper_limit == 1.0
    assert high.points[2] is None
    low = p_chart([(0, 16), (1, 4)])
    assert low.points[1] is not None and low.points[1].lower_limit == 0.0


def test_a_chart_needs_a_point() -> None:
    with pytest.raises(ValueError, match="at least one point"):
        p_chart([None, None])


def test_the_issues_30_against_27_percent_is_no_change() -> None:
    """The issue's board pack said "up 3 points" for 30 % against 27 %. Its p = 0.21 is a
    two-proportion z-test with about 700 audits in each period: pooled p = 0.285,
    se = sqrt(0.285 * 0.715 * 2/700) = 0.024129, z = 0.03 / 0.024129 = 1.243, two-sided
    p = 0.214. On a p-chart: sigma = sqrt(0.285 * 0.715 / 700) = 0.017062, limits
    0.285 -/+ 0.051186 = 0.2338 to 0.3362; both points are inside. At 100 a period the
    Wilson intervals (19.3-36.4 % and 21.9-39.6 %) overlap almost entirely."""
    for n in (100, 700):
        chart = p_chart([(27 * n // 100, n), (30 * n // 100, n)])
        assert special_causes(chart) == ()
        assert change_words(chart, ["Jan\u2013Jun", "Jul\u2013Dec"])[0].startswith(NO_CHANGE)
    wide = p_chart([(189, 700), (210, 700)])
    assert wide.points[0] is not None
    assert wide.points[0].lower_limit == pytest.approx(0.285 - 3 * math.sqrt(
        0.285 * 0.715 / 700), abs=1e-9) == pytest.approx(0.2338, abs=5e-5)
    assert wilson_interval(27, 100).upper > wilson_interval(30, 100).lower


def _chart(shares: list[int | None], n: int = 100) -> list[tuple[int, int] | None]:
    return [None if s is None else (s, n) for s in shares]


def test_a_point_outside_the_limits() -> None:
    """Ten points of 30/100 and one of 55/100: centre = 355/1100 = 0.322727, sigma =
    sqrt(0.322727 * 0.677273 / 100) = 0.046752, upper limit 0.322727 + 0.140256 = 0.462983:
    0.55 is above it;
    the ten points at 0.30 are all below the centre but ten in a row is broken by point 5."""
    shares = [30] * 5 + [55] + [30] * 5
    chart = p_chart(_chart(shares))
    assert chart.points[5] is not None
    assert chart.points[5].upper_limit == pytest.approx(0.462983, abs=5e-6)
    assert special_causes(chart) == (Signal(Rule.OUTSIDE_LIMITS, 5, 5, 1),)
    words = change_words(chart, [f"M{i}" for i in range(11)])
    assert words == ["Special cause: improvement, a point above the upper control limit (M5)."]


def test_a_run_of_seven_on_one_side_but_not_of_six() -> None:
    """Seven points at 32 % after seven at 28 %: centre 0.30, every point inside the limits
    (sigma 0.0458, 3 sigma 0.1375); the last seven are a run above the centre line and the
    first seven a run below. Six and six is no run."""
    assert SHIFT_POINTS == 7
    chart = p_chart(_chart([28] * 7 + [32] * 7))
    assert special_causes(chart) == (Signal(Rule.SHIFT, 0, 6, -1), Signal(Rule.SHIFT, 7, 13, 1))
    words = change_words(chart, [f"Q{i}" for i in range(14)])
    assert words == [
        "Special cause: concern, 7 points in a row below the centre line (Q0 to Q6).",
        "Special cause: improvement, 7 points in a row above the centre line (Q7 to Q13)."]
    assert special_causes(p_chart(_chart([28] * 6 + [32] * 6))) == ()


def test_a_point_on_the_centre_line_or_a_gap_breaks_a_run() -> None:
    """Six points at 32 %, one at 30 % among them, six at 28 %: centre 390/1300 = 0.30, so
    the 30 % point is on the line and the seven points above are no run; nor are seven
    points above with a gap among them."""
    chart = p_chart(_chart([32, 32, 32, 30, 32, 32, 32] + [28] * 6))
    assert chart.centre == pytest.approx(0.30)
    assert [s.rule for s in special_causes(chart)] == []
    gap = _chart([32] * 3 + [None] + [32] * 4 + [28] * 8)
    assert [(s.rule, s.first) for s in special_causes(p_chart(gap))] == [(Rule.SHIFT, 8)]


def test_a_trend_of_six_rising_or_falling() -> None:
    """25, 26, ..., 30 % (six points, five rises) then down again: every point within the
    limits (centre about 0.28, 3 sigma 0.135), no run of seven; five rising points are no
    trend; a level step breaks one."""
    assert TREND_POINTS == 6
    rising = p_chart(_chart([25, 26, 27, 28, 29, 30, 27, 27]))
    assert special_causes(rising) == (Signal(Rule.TREND, 0, 5, 1),)
    falling = p_chart(_chart([30, 29, 28, 27, 26, 25]))
    assert change_words(falling, list("abcdef"), higher_is_better=True) == [
        "Special cause: concern, 6 points in a row, each falling (a to f)."]
    assert change_words(falling, list("abcdef"), higher_is_better=False)[0].startswith(
        "Special cause: improvement")
    assert special_causes(p_chart(_chart([25, 26, 27, 28, 29, 27]))) == ()
    assert special_causes(p_chart(_chart([25, 26, 27, 27, 28, 29, 30]))) == ()
    assert special_causes(p_chart(_chart([25, 26, 27, None, 28, 29, 30]))) == ()


def test_no_change_says_when_too_few_points_are_shown() -> None:
    words = change_words(p_chart(_chart([30, None, 31])), ["a", "b", "c"])
    assert words == [f"{NO_CHANGE}: every point is within the control limits, with no run of 7 "
                     "on one side of the centre line and no trend of 6 (common-cause "
                     "variation). With only 2 points shown, a run or a trend could not yet "
                     "be seen."]
    with pytest.raises(ValueError, match="one label"):
        change_words(p_chart(_chart([30])), [])


@settings(max_examples=300)
@given(st.lists(st.one_of(st.none(), st.integers(0, 40).map(lambda s: (s, 40))),
                min_size=1, max_size=30).filter(lambda c: any(p is not None for p in c)))
def test_every_signal_is_true_of_the_points(counts: list[tuple[int, int] | None]) -> None:
    """Whatever the series, each signal spans shown points only and says what they are."""
    chart = p_chart(counts)
    for signal in special_causes(chart):
        span = chart.points[signal.first:signal.last + 1]
        assert all(p is not None for p in span)
        shares = [p.share for p in span if p is not None]
        if signal.rule is Rule.OUTSIDE_LIMITS:
            point = span[0]
            assert point is not None
            assert (point.share > point.upper_limit if signal.direction > 0
                    else point.share < point.lower_limit)
        elif signal.rule is Rule.SHIFT:
            assert len(shares) >= SHIFT_POINTS
            assert all((s - chart.centre) * signal.direction > 0 for s in shares)
        else:
            assert len(shares) >= TREND_POINTS
            assert all((b - a) * signal.direction > 0
                       for a, b in zip(shares, shares[1:], strict=False))
