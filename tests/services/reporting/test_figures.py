"""The figures behind the exports: quarters, sections, lines of enquiry, actions."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from auditapp.models import ActionStatus, Audit, Case, Template
from auditapp.rules.actions import action_state
from auditapp.services.reporting.figures import (
    GRADE_COLUMNS,
    ReportScope,
    list_teams,
    period_figures,
    quarter_tallies,
    scoped_audits,
)
from auditapp.services.reporting.stats import grade_counts
from auditapp.storage.engine import Database

pytestmark = pytest.mark.both_backends

PERIOD = ReportScope(date(2025, 7, 1), date(2026, 6, 30))


def test_quarters_cover_the_period_clipped_at_both_ends(demo_db: Database) -> None:
    scope = ReportScope(date(2025, 2, 10), date(2025, 8, 20))
    quarters = quarter_tallies(demo_db, scope)
    assert [q.label for q in quarters] == ["10 Feb\u2013Mar 2025", "Apr\u2013Jun 2025",
                                           "Jul\u201320 Aug 2025"]
    assert [q.key for q in quarters] == ["2025-02-10", "2025-04-01", "2025-07-01"]
    assert sum(q.total for q in quarters) == grade_counts(demo_db, *scope.ends()).audits


def test_a_conditional_section_counts_only_the_audits_it_applies_to(demo_db: Database
                                                                     ) -> None:
    figures = period_figures(demo_db, PERIOD, PERIOD.date_to)
    uasc_section = next(s for s in figures.sections if s.key == "pathway-plan-quality/S10")
    with demo_db.transaction() as session:
        uasc_audits = session.scalar(scoped_audits(PERIOD).where(
            Case.uasc.is_(True), Template.key == "pathway-plan-quality")
            .with_only_columns(func.count()))
        all_audits = session.scalar(scoped_audits(PERIOD).where(
            Template.key == "pathway-plan-quality").with_only_columns(func.count()))
    assert not uasc_section.always_applies
    assert uasc_section.total == uasc_audits < all_audits
    first = next(s for s in figures.sections if s.key == "pathway-plan-quality/S1")
    assert first.total == all_audits


def test_a_line_of_enquiry_adds_up_every_section_tagged_with_it(demo_db: Database) -> None:
    figures = period_figures(demo_db, PERIOD, PERIOD.date_to)
    line = next(line for line in figures.lines_of_enquiry if line.key == "KLOE1")
    tagged = [s for s in figures.sections if "KLOE1" in s.tags]
    assert {s.template_key for s in tagged} >= {"pathway-plan-quality", "peer-review-kloe"}
    for grade in GRADE_COLUMNS:
        assert line.counts[grade] == sum(s.counts[grade] for s in tagged)


def test_overall_figures_and_moderation_add_up(demo_db: Database) -> None:
    figures = period_figures(demo_db, PERIOD, PERIOD.date_to)
    assert dict(figures.overall.counts) == grade_counts(demo_db, *PERIOD.ends()).by_grade
    assert sum(t.audits for t in figures.templates) == figures.overall.total
    moderation = figures.moderation
    assert moderation.same + moderation.raised + moderation.lowered == moderation.moderated > 0
    with demo_db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Audit)) > figures.overall.total


@pytest.mark.parametrize(("status", "due", "completed", "state"), [
    (ActionStatus.OPEN, date(2026, 6, 29), None, "overdue"),
    (ActionStatus.OPEN, date(2026, 6, 30), None, "open"),
    (ActionStatus.OPEN, None, None, "open"),
    (ActionStatus.DONE, date(2026, 6, 1), date(2026, 6, 1), "done on time"),
    (ActionStatus.DONE, date(2026, 6, 1), date(2026, 6, 2), "done late"),
    (ActionStatus.CANCELLED, date(2026, 1, 1), None, "cancelled"),
])
def test_where_an_action_stands(status: ActionStatus, due: date | None,
                                completed: date | None, state: str) -> None:
    assert action_state(status, due, completed, date(2026, 6, 30)) == state


def test_teams_to_choose_from(demo_db: Database) -> None:
    from auditapp.services.demo import TEAMS

    assert list_teams(demo_db) == sorted(TEAMS)
