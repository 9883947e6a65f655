"""The share of audits graded Good or better over time, as a p-chart: plain data for the
board report's control chart and the words that follow from it.

Each point is a calendar month or quarter of the scope (clipped to it at either end): the
audits graded in it (their final grade; audits not graded are left out) and how many of
them were Good or Outstanding, with its Wilson 95 % interval and its own control limits
(see :mod:`auditapp.rules.statistics`).

Small numbers are protected as the board pack protects them: a point with fewer than the
threshold's graded audits is not plotted but marked withheld, and so is a point whose share
would tell a count from 1 to threshold - 1 (2 Good of 20, or 18 of 20: the share and the
limits, which give n away, would pin it). A withheld point takes no part in the centre line
or the rules, so nothing shown depends on its counts; it breaks a run or a trend.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from sqlalchemy import func

from auditapp.models import Audit
from auditapp.rules.grades import GRADES_BEST_FIRST, Grade
from auditapp.rules.limits import check_threshold
from auditapp.rules.statistics import (
    SHIFT_POINTS,
    TREND_POINTS,
    Interval,
    Signal,
    change_words,
    p_chart,
    special_causes,
    wilson_interval,
)
from auditapp.rules.wording import MONTHS
from auditapp.services.reporting.board_figures import BoardPack
from auditapp.services.reporting.figures import Quarter, ReportScope, scoped_audits
from auditapp.services.reporting.stats import final_grade_column
from auditapp.storage.engine import Database

Spacing = Literal["month", "quarter"]
SPACINGS: tuple[Spacing, ...] = ("month", "quarter")
_GOOD_OR_BETTER = {int(Grade.OUTSTANDING), int(Grade.GOOD)}
_GRADES = {int(g) for g in GRADES_BEST_FIRST}


@dataclass(frozen=True)
class PeriodCount:
    """One month or quarter's graded audits and how many were Good or better."""

    key: str  # the ISO date of its first day
    label: str  # "Apr 2026", "Apr–Jun 2026", clipped: "10–30 Apr 2026"
    graded: int
    good: int


@dataclass(frozen=True)
class ChartPoint:
    """One point as the chart shows it. A withheld point carries no counts: only why."""

    key: str
    label: str
    withheld: str  # "" when shown, else the reason in words
    graded: int | None = None
    good: int | None = None
    interval: Interval | None = None  # Wilson 95 % of the share
    lower_limit: float | None = None
    upper_limit: float | None = None

    @property
    def share(self) -> float | None:
        """The share Good or better, or None when withheld."""
        return None if self.good is None or not self.graded else self.good / self.graded


@dataclass(frozen=True)
class ControlChart:
    """The p-chart of the share Good or better: points in time order, the centre line
    (None when no point is shown), the special causes and the words for the board."""

    spacing: Spacing
    threshold: int
    points: tuple[ChartPoint, ...]
    centre: float | None
    signals: tuple[Signal, ...]
    words: tuple[str, ...]

    @property
    def shown(self) -> tuple[ChartPoint, ...]:
        """The points plotted as values."""
        return tuple(p for p in self.points if not p.withheld)


# --- the periods ------------------------------------------------------------------------------


def _month_of(day: date) -> tuple[date, date]:
    start = day.replace(day=1)
    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start, following - timedelta(days=1)


def _month_label(first: date, last: date) -> str:
    whole = _month_of(first)
    month = f"{MONTHS[first.month - 1]} {first.year}"
    if (first, last) == whole:
        return month
    return f"{first.day}\u2013{last.day} {month}"


def _periods(first: date, last: date, spacing: Spacing) -> list[tuple[date, date, str]]:
    """The months or quarters from ``first`` to ``last``, clipped to them: start, end, label."""
    periods = []
    day = first
    while day <= last:
        if spacing == "quarter":
            whole = Quarter.containing(day)
            clipped = whole.clipped(first, last)
            periods.append((clipped.start, clipped.end, clipped.label))
            day = whole.end + timedelta(days=1)
        else:
            start, end = _month_of(day)
            start, end = max(start, first), min(end, last)
            periods.append((start, end, _month_label(start, end)))
            day = end + timedelta(days=1)
    return periods


def period_counts(db: Database, scope: ReportScope, spacing: Spacing) -> list[PeriodCount]:
    """Graded audits and those Good or better for each month or quarter of ``scope`` (a
    period with both ends; its team, template and reader narrow it as everywhere)."""
    if spacing not in SPACINGS:
        raise ValueError(f"by month or by quarter, not {spacing!r}")
    first, last = scope.ends()
    grade = final_grade_column()
    query = (scoped_audits(scope).with_only_columns(Audit.audit_date, grade, func.count())
             .group_by(Audit.audit_date, grade))
    with db.transaction() as session:
        rows = session.execute(query).all()
    periods = _periods(first, last, spacing)
    starts = [start for start, _end, _label in periods]
    graded: dict[date, int] = defaultdict(int)
    good: dict[date, int] = defaultdict(int)
    for day, value, count in rows:
        if value not in _GRADES:
            continue
        start = max(s for s in starts if s <= day)
        graded[start] += count
        good[start] += count if value in _GOOD_OR_BETTER else 0
    return [PeriodCount(start.isoformat(), label, graded[start], good[start])
            for start, _end, label in periods]


# --- the chart --------------------------------------------------------------------------------


def _withheld_reason(count: PeriodCount, threshold: int) -> str:
    if count.graded == 0:
        return "no audits graded"
    if count.graded < threshold:
        return f"fewer than {threshold} audits graded"
    below = count.graded - count.good
    if 0 < count.good < threshold or 0 < below < threshold:
        return f"withheld: the share would show a count below {threshold}"
    return ""


def build_chart(counts: Sequence[PeriodCount], threshold: int, spacing: Spacing,
                also_withheld: Callable[[PeriodCount], bool] = lambda _count: False
                ) -> ControlChart:
    """The control chart of ``counts`` with small numbers withheld (and any point
    ``also_withheld`` names, such as one the board pack withholds)."""
    check_threshold(threshold)
    reasons = []
    for count in counts:
        reason = _withheld_reason(count, threshold)
        if not reason and also_withheld(count):
            reason = "withheld, as in the tables"
        reasons.append(reason)
    gaps = [None if reason else (c.good, c.graded)
            for c, reason in zip(counts, reasons, strict=True)]
    if all(gap is None for gap in gaps):
        empty = tuple(ChartPoint(c.key, c.label, reason)
                      for c, reason in zip(counts, reasons, strict=True))
        return ControlChart(spacing, threshold, empty, None, (), (
            "Too few audits graded to draw the chart: every point is withheld.",))
    chart = p_chart(gaps)
    points = []
    for count, reason, point in zip(counts, reasons, chart.points, strict=True):
        if point is None:
            points.append(ChartPoint(count.key, count.label, reason))
        else:
            points.append(ChartPoint(count.key, count.label, "", count.graded, count.good,
                                     wilson_interval(count.good, count.graded),
                                     point.lower_limit, point.upper_limit))
    return ControlChart(spacing, threshold, tuple(points), chart.centre, special_causes(chart),
                        tuple(change_words(chart, [c.label for c in counts])))


def share_good_chart(db: Database, scope: ReportScope, spacing: Spacing, threshold: int
                     ) -> ControlChart:
    """The control chart of the share Good or better by month or quarter across ``scope``."""
    check_threshold(threshold)
    return build_chart(period_counts(db, scope, spacing), threshold, spacing)


def pack_chart(pack: BoardPack) -> ControlChart:
    """The control chart of a board pack's trend quarters, from the pack's own figures: a
    quarter is shown only where the pack shows both its Good or better count and its
    graded total, so the chart publishes nothing the pack's tables do not."""
    protection = pack.protection
    counts = [PeriodCount(q.key, q.label, q.graded, q.good_or_better)
              for q in pack.figures.trend]

    def hidden(count: PeriodCount) -> bool:
        return not (protection.shown(("quarter", count.key, "gob"))
                    and protection.shown(("quarter", count.key, "total")))

    return build_chart(counts, pack.figures.threshold, "quarter", hidden)


# --- in words, for both editions of the board report --------------------------------------------

#: The headings of the table that follows the chart (:func:`chart_rows`).
CHART_COLUMNS = ("Quarter", "Audits graded", "Good or better", "Share", "95% interval",
                 "Control limits")
CHART_TABLE_CAPTION = ("Share Good or better by quarter, with its 95% interval and control "
                       "limits")


def chart_caption(chart: ControlChart) -> str:
    """What the chart shows and what its limits are, for the text beside it."""
    return (f"The share of audits graded Good or better in each {chart.spacing}, with the "
            f"average (the centre line) and each {chart.spacing}'s control limits (three "
            "standard errors of a proportion either side of the average, wider for fewer "
            f"audits). A point outside the limits, a run of {SHIFT_POINTS} on one side of the "
            f"average or {TREND_POINTS} rising or falling in a row would be special cause; "
            "anything else is common-cause variation, to be read as no significant change. "
            "A withheld point is drawn as a hatched band, never as zero, and takes no part "
            "in the average or the rules.")


def chart_alt(chart: ControlChart) -> str:
    """The chart described in words (alt text): its span, centre, range, withheld points
    and reading."""
    points = chart.points
    shown = chart.shown
    alt = (f"Control chart (p-chart) of the share of audits graded Good or better, by "
           f"{chart.spacing} from {points[0].label} to {points[-1].label}. ")
    if chart.centre is not None:
        alt += (f"Centre line (average) {round(100 * chart.centre)}%; shares from "
                f"{min(round(100 * (p.share or 0)) for p in shown)}% to "
                f"{max(round(100 * (p.share or 0)) for p in shown)}%. ")
    withheld = len(points) - len(shown)
    if withheld:
        alt += (f"{withheld} {chart.spacing}{'s are' if withheld > 1 else ' is'} "
                "withheld. ")
    return alt + " ".join(chart.words) + " The figures are in the table that follows."


def _percent(value: float | None) -> str:
    return "" if value is None else f"{round(100 * value)}%"


def chart_rows(pack: BoardPack, chart: ControlChart) -> list[list[str]]:
    """The chart as table rows under :data:`CHART_COLUMNS`: a shown point with its counts,
    share, interval and limits; a withheld one with the pack's printed symbols and dashes."""
    rows = []
    for point in chart.points:
        prefix = ("quarter", point.key)
        if point.withheld:
            rows.append([point.label, pack.count(*prefix, "total"), pack.count(*prefix, "gob"),
                         pack.share((*prefix, "gob"), (*prefix, "total")), "\u2013",
                         "\u2013"])
            continue
        interval, low, high = point.interval, point.lower_limit, point.upper_limit
        rows.append([point.label, f"{point.graded:,}", f"{point.good:,}",
                     _percent(point.share),
                     f"{_percent(interval.lower)}\u2013{_percent(interval.upper)}"
                     if interval else "",
                     f"{_percent(low)}\u2013{_percent(high)}"])
    return rows
