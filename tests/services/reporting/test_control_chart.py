"""The control chart of the share Good or better: counts by month and quarter from a real
database, small numbers withheld, and the board pack's own quarters."""

from __future__ import annotations

from datetime import date

import pytest

from auditapp.errors import UserError
from auditapp.rules.grades import Grade
from auditapp.rules.statistics import NO_CHANGE, wilson_interval
from auditapp.services.reporting.board_figures import board_figures, board_pack
from auditapp.services.reporting.control_chart import (
    PeriodCount,
    build_chart,
    pack_chart,
    period_counts,
    share_good_chart,
)
from auditapp.services.reporting.figures import ReportScope
from auditapp.services.reporting.stats import grade_counts
from auditapp.storage.engine import Database
from tests.builders import graded_audit, make_audit

O, G, RI, I = (Grade.OUTSTANDING, Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE)
HALF_YEAR = ReportScope(date(2026, 1, 1), date(2026, 6, 30))

#: Audits by month of 2026: January 3 Good of 6; February 2 (too few); March none;
#: April 4 Good of 5 (the one below Good would show); May 0 of 4; June 6 of 6.
MONTHS = {1: [G, G, G, RI, RI, RI], 2: [G, G], 4: [G, O, G, G, I], 5: [RI, RI, I, RI],
          6: [G, G, G, O, O, O]}


@pytest.fixture
def half_year(db: Database, small_template_id: int) -> Database:
    for month, grades in MONTHS.items():
        for i, grade in enumerate(grades):
            graded_audit(db, small_template_id, f"M{month}-{i}", date(2026, month, 10 + i),
                         grade)
    graded_audit(db, small_template_id, "JULY", date(2026, 7, 1), RI)  # after the period
    make_audit(db, small_template_id, "DRAFT", date(2026, 6, 2))  # a draft never counts
    return db


def test_monthly_points_withhold_small_numbers(half_year: Database) -> None:
    chart = share_good_chart(half_year, HALF_YEAR, "month", 3)
    assert [p.label for p in chart.points] == ["Jan 2026", "Feb 2026", "Mar 2026",
                                               "Apr 2026", "May 2026", "Jun 2026"]
    assert [p.withheld for p in chart.points] == [
        "", "fewer than 3 audits graded", "no audits graded",
        "withheld: the share would show a count below 3", "", ""]
    assert [(p.good, p.graded) for p in chart.points] == [
        (3, 6), (None, None), (None, None), (None, None), (0, 4), (6, 6)]
    # The centre line is over the shown points only: (3 + 0 + 6) / (6 + 4 + 6) = 9/16.
    assert chart.centre == pytest.approx(9 / 16)
    january = chart.points[0]
    assert january.interval == wilson_interval(3, 6)
    # sigma = sqrt(0.5625 * 0.4375 / 6) = 0.202520; 3 sigma = 0.607559, so the
    # lower limit 0.5625 - 0.6076 < 0 is clipped to 0, the upper 1.17 to 1.
    assert (january.lower_limit, january.upper_limit) == (0.0, 1.0)
    assert chart.signals == ()
    assert chart.words[0].startswith(NO_CHANGE)
    assert "only 3 points shown" in chart.words[0]


def test_quarterly_points_add_up_the_months(half_year: Database) -> None:
    """Jan-Mar: 5 Good or better of 8; Apr-Jun: 4 + 0 + 6 = 10 of 15; centre 15/23."""
    chart = share_good_chart(half_year, HALF_YEAR, "quarter", 3)
    assert [(p.label, p.good, p.graded) for p in chart.points] == [
        ("Jan\u2013Mar 2026", 5, 8), ("Apr\u2013Jun 2026", 10, 15)]
    assert chart.centre == pytest.approx(15 / 23)
    assert sum(p.graded or 0 for p in chart.points) == grade_counts(
        half_year, *HALF_YEAR.ends()).audits


def test_a_period_clipped_at_both_ends(half_year: Database) -> None:
    scope = ReportScope(date(2026, 1, 12), date(2026, 5, 11))
    counts = period_counts(half_year, scope, "month")
    assert [c.label for c in counts] == ["12\u201331 Jan 2026", "Feb 2026", "Mar 2026",
                                         "Apr 2026", "1\u201311 May 2026"]
    # January's audits are on the 10th to the 15th: four from the 12th (G, RI, RI, RI);
    # May's on the 10th and 11th (RI, RI).
    assert [(c.good, c.graded) for c in counts] == [(1, 4), (2, 2), (0, 0), (4, 5), (0, 2)]
    quarters = period_counts(half_year, scope, "quarter")
    assert [c.label for c in quarters] == ["12 Jan\u2013Mar 2026", "Apr\u201311 May 2026"]


def test_every_point_withheld_draws_no_chart(half_year: Database) -> None:
    chart = share_good_chart(half_year, HALF_YEAR, "month", 7)
    assert all(p.withheld for p in chart.points) and chart.centre is None
    assert chart.words == ("Too few audits graded to draw the chart: every point is "
                           "withheld.",)


def test_bad_options_are_refused(half_year: Database) -> None:
    with pytest.raises(UserError, match="between 2 and 50"):
        share_good_chart(half_year, HALF_YEAR, "month", 1)
    with pytest.raises(ValueError, match="by month or by quarter"):
        period_counts(half_year, HALF_YEAR, "week")  # type: ignore[arg-type]


def test_a_run_of_seven_months_is_special_cause() -> None:
    """Plain counts through the same chart: seven months of 14/20 after seven of 9/20
    (centre 0.575, 3 sigma = 3 * sqrt(0.575 * 0.425 / 20) = 0.3316: all within the limits).
    18/20 would be withheld at 5: its 2 below Good would show."""
    counts = [PeriodCount(f"2025-{m:02}-01", f"M{m}", 20, 9 if m <= 7 else 14)
              for m in range(1, 15)]
    chart = build_chart(counts, 5, "month")
    assert chart.words == (
        "Special cause: concern, 7 points in a row below the centre line (M1 to M7).",
        "Special cause: improvement, 7 points in a row above the centre line (M8 to M14).")
    assert build_chart([PeriodCount("2025-01-01", "M1", 20, 18)], 5, "month").centre is None


def test_the_pack_chart_shows_only_what_the_pack_shows(demo_db: Database) -> None:
    figures = board_figures(demo_db, HALF_YEAR, 5, HALF_YEAR.ends()[1])
    pack = board_pack(figures)
    chart = pack_chart(pack)
    assert [p.key for p in chart.points] == [q.key for q in figures.trend]
    for point, quarter in zip(chart.points, figures.trend, strict=True):
        printed = (pack.protection.shown(("quarter", quarter.key, "gob"))
                   and pack.protection.shown(("quarter", quarter.key, "total")))
        if point.withheld:
            assert point.good is None and point.graded is None
        else:
            assert printed
            assert (point.good, point.graded) == (quarter.good_or_better, quarter.graded)
            assert pack.count("quarter", quarter.key, "total") == f"{quarter.graded:,}"
    assert len(chart.shown) >= 4  # 300 demo audits over two years: most quarters shown
