"""The final grade counted in SQL is the grading rule's, for every combination of grades."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select

from auditapp.models import Audit, AuditStatus, Moderation
from auditapp.rules.grades import GRADES_BEST_FIRST, NOT_GRADED, final_grade
from auditapp.services.audits.editing import list_audits, load_audit
from auditapp.services.reporting.stats import counted_audits, final_grade_column, grade_counts
from auditapp.storage.engine import Database
from tests.builders import LEAD, MO, make_audit

pytestmark = pytest.mark.both_backends

GRADES = (None, 1, 2, 3, 4)


def _audits_with_grades(db: Database, template_id: int) -> dict[int, tuple[int | None, ...]]:
    """One audit for each (moderated, auditor's) pair; no moderation where it is None."""
    audits = {}
    for number, (moderated, auditor) in enumerate(itertools.product(GRADES, GRADES)):
        audit_id = make_audit(db, template_id, f"C-{number}")
        with db.transaction() as session:
            audit = session.get(Audit, audit_id)
            assert audit is not None
            audit.overall_grade = auditor
            if moderated is not None:
                session.add(Moderation(audit_id=audit_id, moderator_id=MO.id, grade=moderated,
                                       moderated_on=date(2026, 3, 2), agreed=False))
        audits[audit_id] = (moderated, auditor)
    return audits


def test_sql_python_and_the_plain_data_agree_on_the_final_grade(
        db: Database, small_template_id: int) -> None:
    audits = _audits_with_grades(db, small_template_id)
    query = select(Audit.id, final_grade_column()).outerjoin(
        Moderation, Moderation.audit_id == Audit.id)
    with db.transaction() as session:
        in_sql = dict(session.execute(query).all())
    assert in_sql == {a: final_grade(*grades) for a, grades in audits.items()}
    assert {row.id: row.final_grade for row in list_audits(db, LEAD)} == in_sql
    assert {a: load_audit(db, a, LEAD).final_grade for a in audits} == in_sql


@pytest.mark.parametrize(("date_from", "date_to"), [
    (None, None), (date(2026, 2, 1), None), (None, date(2026, 2, 28)),
    (date(2026, 2, 1), date(2026, 2, 28))])
def test_the_stats_count_is_the_final_grade_of_the_counted_audits(
        db: Database, small_template_id: int, date_from: date | None,
        date_to: date | None) -> None:
    """grade_counts (SQL text on a plain connection, so that `stats` loads no ORM) counts
    what counted_audits and final_grade_column select: every status, grade pair and a
    spread of dates, filtered."""
    audits = _audits_with_grades(db, small_template_id)
    statuses = itertools.cycle(AuditStatus)
    with db.transaction() as session:
        for number, audit_id in enumerate(audits):
            audit = session.get(Audit, audit_id)
            assert audit is not None
            audit.status = next(statuses)
            audit.audit_date = date(2026, 1 + number % 3, 1 + number % 28)
    grade = final_grade_column()
    query = counted_audits(date_from, date_to).add_columns(grade)
    with db.transaction() as session:
        expected = Counter(row[1] for row in session.execute(query))
    counts = grade_counts(db, date_from, date_to)
    assert counts.by_grade == {**{g.label: expected[int(g)] for g in GRADES_BEST_FIRST},
                               NOT_GRADED: expected[None]}
    assert counts.audits == sum(expected.values()) > 0
