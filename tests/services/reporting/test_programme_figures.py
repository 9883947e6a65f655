"""Completed against planned, hand-worked: which lines count for a period, which audits are
completed in them, which drafts are past their due date, and the next period's lines."""

from __future__ import annotations

from datetime import date

import pytest

from auditapp.rules.grades import Grade
from auditapp.services.audits.editing import submit_audit
from auditapp.services.audits.workflow import close_audit
from auditapp.services.programme import PlannedLine, set_planned
from auditapp.services.reporting.board_figures import board_figures, board_pack, disclosure_model
from auditapp.services.reporting.figures import ReportScope
from auditapp.services.reporting.programme_figures import following_period, programme_figures
from auditapp.storage.engine import Database
from tests.builders import ALEX, LEAD, MO, complete_audit, graded_audit, make_audit

pytestmark = pytest.mark.both_backends

H1 = ReportScope(date(2026, 1, 1), date(2026, 6, 30))
AS_AT = date(2026, 6, 30)
KEY = "small-test"


def _submitted(db: Database, template: int, reference: str, day: date, team: str) -> int:
    audit = make_audit(db, template, reference, day, team=team)
    complete_audit(db, audit)
    submit_audit(db, audit, ALEX)
    return audit


@pytest.fixture
def planned(db: Database, small_template_id: int) -> Database:
    """The programme and audits worked by hand below.

    North plans 4 in Q1 and 3 in Q2, South 2 in Q1; North plans 5 for Q3 (the next period)
    and 9 for a 2025 quarter (outside the report). Completed: North on 1 Feb, 31 Mar (then
    closed) and 10 Apr, South on 10 Jan; East (no plan) on 5 Feb. Drafts: North 15 Mar (Q1
    ended: past due), North 1 May (Q2 ends on the report's date: not yet), South 2 Feb (past
    due); a draft of 1 Aug is in the next period."""
    for period, team, count in (((date(2026, 1, 1), date(2026, 3, 31)), "North", 4),
                                ((date(2026, 4, 1), date(2026, 6, 30)), "North", 3),
                                ((date(2026, 1, 1), date(2026, 3, 31)), "South", 2),
                                ((date(2026, 7, 1), date(2026, 9, 30)), "North", 5),
                                ((date(2025, 10, 1), date(2025, 12, 31)), "North", 9)):
        set_planned(db, PlannedLine(*period, team, KEY, count), LEAD)
    t = small_template_id
    _submitted(db, t, "N-1", date(2026, 2, 1), "North")
    close_audit(db, _submitted(db, t, "N-2", date(2026, 3, 31), "North"), LEAD)
    _submitted(db, t, "N-3", date(2026, 4, 10), "North")
    _submitted(db, t, "S-1", date(2026, 1, 10), "South")
    _submitted(db, t, "E-1", date(2026, 2, 5), "East")
    for reference, day, team in (("D-1", date(2026, 3, 15), "North"),
                                 ("D-2", date(2026, 5, 1), "North"),
                                 ("D-3", date(2026, 2, 2), "South"),
                                 ("D-4", date(2026, 8, 1), "North")):
        make_audit(db, t, reference, day, team=team)
    return db


def test_completed_against_planned_by_hand(planned: Database) -> None:
    figures = programme_figures(planned, H1, AS_AT)
    assert [(t.team, t.template_key, t.planned, t.completed, t.overdue)
            for t in figures.tallies] == [("North", KEY, 7, 3, 1), ("South", KEY, 2, 1, 1)]
    assert (figures.planned, figures.completed, figures.overdue) == (9, 4, 2)
    assert figures.next_period == (date(2026, 7, 1), date(2026, 12, 31))
    assert figures.next_lines == (PlannedLine(date(2026, 7, 1), date(2026, 9, 30), "North",
                                              KEY, 5),)
    assert figures.tallies[0].title == "Small test checklist"


def test_a_draft_is_past_due_only_after_its_lines_last_day(planned: Database) -> None:
    early = programme_figures(planned, H1, date(2026, 3, 31))
    assert [t.overdue for t in early.tallies] == [0, 0]
    late = programme_figures(planned, H1, date(2026, 7, 1))
    assert [t.overdue for t in late.tallies] == [2, 1]  # D-2's Q2 has ended too


def test_a_line_reaching_past_the_period_is_not_counted_in_it(planned: Database) -> None:
    q1 = programme_figures(planned, ReportScope(date(2026, 1, 1), date(2026, 3, 31)), AS_AT)
    assert [(t.team, t.planned, t.completed) for t in q1.tallies] == [("North", 4, 2),
                                                                      ("South", 2, 1)]
    may = programme_figures(planned, ReportScope(date(2026, 4, 1), date(2026, 5, 31)), AS_AT)
    assert may.tallies == ()  # Q2's line ends after May


def test_a_scope_of_one_team_counts_its_lines_only(planned: Database) -> None:
    south = programme_figures(planned, ReportScope(*H1.ends(), team="South"), AS_AT)
    assert [(t.team, t.planned, t.completed) for t in south.tallies] == [("South", 2, 1)]
    assert south.next_lines == ()


def test_blind_audits_are_left_out_for_a_moderator(planned: Database) -> None:
    figures = programme_figures(planned, ReportScope(*H1.ends(), reader=MO), AS_AT)
    # Submitted and not yet blind-graded: withheld from Mo, so not counted; N-2 is closed.
    assert [t.completed for t in figures.tallies] == [1, 0]


def test_following_period_mirrors_the_previous_one() -> None:
    assert following_period(H1) == (date(2026, 7, 1), date(2026, 12, 31))
    assert following_period(ReportScope(date(2026, 11, 1), date(2027, 1, 31))) == (
        date(2027, 2, 1), date(2027, 4, 30))
    assert following_period(ReportScope(date(2026, 1, 5), date(2026, 1, 14))) == (
        date(2026, 1, 15), date(2026, 1, 24))


def test_the_pack_ties_completed_counts_to_the_template_and_withholds_small_ones(
        planned: Database, small_template_id: int) -> None:
    for i in range(3):  # enough audits for a pack at threshold 3
        graded_audit(planned, small_template_id, f"X-{i}", date(2026, 5, 2), Grade.GOOD)
    figures = board_figures(planned, H1, 3, AS_AT)
    model = disclosure_model(figures)
    tie = next(parts for total, parts in model.sums if total == ("template", KEY))
    assert set(tie) == {("programme", "North", KEY, "completed"),
                        ("programme", "South", KEY, "completed"),
                        ("programme", "unplanned", KEY)}
    # 8 audits of the template: North's 3 and the three X-* (North's team, dated in Q2),
    # South's 1, and East's 1, which no line plans.
    assert model.values[("programme", "North", KEY, "completed")] == 6
    assert model.values[("programme", "unplanned", KEY)] == 1
    pack = board_pack(figures)
    assert pack.count("programme", "South", KEY, "completed") == "<3"
    # Two drafts past due in all: below N, so not broken down by team (a dash).
    assert pack.count("programme", "overdue") == "<3"
    assert pack.count("programme", "South", KEY, "overdue") == "\u2013"
