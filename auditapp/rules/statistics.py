"""Uncertainty and change over time for a proportion: the Wilson interval, the p-chart, and
NHS England's *Making Data Count* rules for special-cause variation.

A board is told a share with its interval, and whether it has changed by a control chart
rather than by comparing two points (30 % against 27 % is well within chance).

- **Wilson 95 % score interval**: the method OHID's Fingertips uses for proportions. Unlike
  p +/- 1.96 se it stays inside [0, 1] and behaves at 0 %, 100 % and with small n.
- **p-chart**: the centre line is the share over all points (total successes over total
  trials, so a point of 200 audits weighs more than one of 20); each point has its own
  3-sigma binomial limits, ``centre +/- 3 * sqrt(centre * (1 - centre) / n)``, clipped to
  [0, 1], so a smaller point has wider limits.
- **Rules** (special cause), on consecutive points; a gap (a withheld point) breaks a run
  and a trend:

  * a point above the upper or below the lower limit;
  * a *shift*: :data:`SHIFT_POINTS` (7) or more points in a row on one side of the centre
    line. Seven is the run Making Data Count's tools use (NHSRplotthedots, which mirrors
    them, tests ``seven_point_one_side_mean``): by chance alone 7 points in a row fall on one
    given side with probability 1/128, so a run that long is rarely noise. A point exactly
    on the centre line belongs to neither side and ends a run;
  * a *trend*: :data:`TREND_POINTS` (6) or more points in a row each higher than the one
    before (or each lower). Six is the length our issue asks for; Making Data Count's later
    Excel tool and NHSRplotthedots count seven. Six points in a row rising or falling happen
    by chance with probability 2/720 for a given six. Two equal shares end a trend.

  Making Data Count's fourth rule (two of three points close to a limit) is not used: with a
  handful of months or quarters a board sees it mostly as noise.

Pure functions: numbers in, plain results out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

#: The 97.5th percentile of the standard normal distribution: a two-sided 95 % interval.
Z95 = 1.959963984540054
#: A run of this many points or more on one side of the centre line is special cause.
SHIFT_POINTS = 7
#: This many points or more in a row, each above (or below) the last, is special cause.
TREND_POINTS = 6
#: Control limits at this many standard errors from the centre line.
SIGMAS = 3.0


@dataclass(frozen=True)
class Interval:
    """A range of proportions, both ends between 0 and 1."""

    lower: float
    upper: float

    def __contains__(self, value: float) -> bool:
        return self.lower <= value <= self.upper


def _check_counts(successes: int, trials: int) -> None:
    if trials <= 0:
        raise ValueError("a proportion needs at least one trial")
    if not 0 <= successes <= trials:
        raise ValueError(f"{successes} successes of {trials} trials")


def wilson_interval(successes: int, trials: int, z: float = Z95) -> Interval:
    """The Wilson score interval for ``successes`` out of ``trials`` (95 % by default):
    ``(p + z^2/2n +/- z * sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)``."""
    _check_counts(successes, trials)
    p = successes / trials
    z2 = z * z
    denominator = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / denominator
    # At 0 and 1 the formula gives the end exactly, up to rounding: keep it inside [0, 1].
    lower = 0.0 if successes == 0 else max(0.0, centre - half)
    upper = 1.0 if successes == trials else min(1.0, centre + half)
    return Interval(lower, upper)


# --- the p-chart ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartPoint:
    """One point of a p-chart: its counts, its share and its own control limits."""

    successes: int
    trials: int
    lower_limit: float
    upper_limit: float

    @property
    def share(self) -> float:
        """successes / trials."""
        return self.successes / self.trials

    @property
    def side(self) -> int:
        """+1 above the limits, -1 below, 0 within them."""
        if self.share > self.upper_limit:
            return 1
        return -1 if self.share < self.lower_limit else 0


@dataclass(frozen=True)
class PChart:
    """A p-chart: the centre line and the points in order; None is a gap (a period whose
    figures are not shown), which takes no part in the centre line or the rules."""

    centre: float
    points: tuple[ChartPoint | None, ...]


def p_chart(counts: Sequence[tuple[int, int] | None]) -> PChart:
    """The p-chart of ``counts``, each ``(successes, trials)`` of one period or None for a
    gap. Raises ``ValueError`` when no point has a trial or a count is impossible."""
    shown = [c for c in counts if c is not None]
    for successes, trials in shown:
        _check_counts(successes, trials)
    total = sum(trials for _, trials in shown)
    if total == 0:
        raise ValueError("a p-chart needs at least one point")
    centre = sum(successes for successes, _ in shown) / total
    points: list[ChartPoint | None] = []
    for count in counts:
        if count is None:
            points.append(None)
            continue
        successes, trials = count
        spread = SIGMAS * math.sqrt(centre * (1 - centre) / trials)
        points.append(ChartPoint(successes, trials, max(0.0, centre - spread),
                                 min(1.0, centre + spread)))
    return PChart(centre, tuple(points))


# --- special causes ---------------------------------------------------------------------------


class Rule(Enum):
    """The Making Data Count rules used here."""

    OUTSIDE_LIMITS = "outside the limits"
    SHIFT = "a run on one side of the centre line"
    TREND = "a trend"


@dataclass(frozen=True)
class Signal:
    """A special cause: which rule, the points it spans (indexes into the chart's points,
    both ends included) and its direction (+1 up, -1 down)."""

    rule: Rule
    first: int
    last: int
    direction: int

    @property
    def points(self) -> int:
        """How many points it spans."""
        return self.last - self.first + 1


def _runs(values: Sequence[int | None]) -> list[tuple[int, int, int]]:
    """Maximal runs of equal non-zero values, unbroken by gaps: (first, last, value)."""
    runs: list[tuple[int, int, int]] = []
    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            value = values[start]
            if value:  # neither a gap (None) nor 0
                runs.append((start, i - 1, value))
            start = i
    return runs


def _sides(chart: PChart) -> list[int | None]:
    """For each point, +1 above the centre line, -1 below, 0 on it, None for a gap."""
    return [None if p is None else (p.share > chart.centre) - (p.share < chart.centre)
            for p in chart.points]


def _steps(chart: PChart) -> list[int | None]:
    """For each pair of neighbouring points, +1 rising, -1 falling, 0 level, None across
    a gap; step i is from point i to point i + 1."""
    points = chart.points
    steps: list[int | None] = []
    for before, after in zip(points, points[1:], strict=False):
        if before is None or after is None:
            steps.append(None)
        else:
            steps.append((after.share > before.share) - (after.share < before.share))
    return steps


def special_causes(chart: PChart) -> tuple[Signal, ...]:
    """Every special cause on the chart, in the order its last point falls (then by rule)."""
    signals = [Signal(Rule.OUTSIDE_LIMITS, i, i, p.side)
               for i, p in enumerate(chart.points) if p is not None and p.side]
    signals += [Signal(Rule.SHIFT, first, last, side)
                for first, last, side in _runs(_sides(chart))
                if last - first + 1 >= SHIFT_POINTS]
    # A run of k steps in one direction spans k + 1 points.
    signals += [Signal(Rule.TREND, first, last + 1, step)
                for first, last, step in _runs(_steps(chart))
                if last - first + 2 >= TREND_POINTS]
    order = list(Rule)
    return tuple(sorted(signals, key=lambda s: (s.last, s.first, order.index(s.rule))))


# --- in words ---------------------------------------------------------------------------------


NO_CHANGE = "No significant change"


def _span(signal: Signal, labels: Sequence[str]) -> str:
    if signal.first == signal.last:
        return labels[signal.first]
    return f"{labels[signal.first]} to {labels[signal.last]}"


def _rule_words(signal: Signal, labels: Sequence[str]) -> str:
    if signal.rule is Rule.OUTSIDE_LIMITS:
        where = "above the upper" if signal.direction > 0 else "below the lower"
        return f"a point {where} control limit ({_span(signal, labels)})"
    if signal.rule is Rule.SHIFT:
        side = "above" if signal.direction > 0 else "below"
        return (f"{signal.points} points in a row {side} the centre line "
                f"({_span(signal, labels)})")
    way = "rising" if signal.direction > 0 else "falling"
    return f"{signal.points} points in a row, each {way} ({_span(signal, labels)})"


def change_words(chart: PChart, labels: Sequence[str], higher_is_better: bool = True
                 ) -> list[str]:
    """What the chart says, one sentence per finding, for a board: "No significant change"
    (common-cause variation only) or, for each special cause, "Special cause: improvement"
    or "Special cause: concern" with the rule and the points. ``labels`` names each point
    (a month or a quarter); ``higher_is_better`` says which way is improvement."""
    if len(labels) != len(chart.points):
        raise ValueError("one label per point")
    signals = special_causes(chart)
    shown = sum(p is not None for p in chart.points)
    if not signals:
        words = (f"{NO_CHANGE}: every point is within the control limits, with no run of "
                 f"{SHIFT_POINTS} on one side of the centre line and no trend of "
                 f"{TREND_POINTS} (common-cause variation).")
        if shown < SHIFT_POINTS:
            words += (f" With only {shown} point{'s' if shown != 1 else ''} shown, a run "
                      f"or a trend could not yet be seen.")
        return [words]
    result = []
    for signal in signals:
        good = (signal.direction > 0) == higher_is_better
        result.append(f"Special cause: {'improvement' if good else 'concern'}, "
                      f"{_rule_words(signal, labels)}.")
    return result
