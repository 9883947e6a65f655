"""Counting audits and grades for a period: the numbers every report must agree on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select

from auditapp.models import Audit, AuditStatus, Moderation
from auditapp.rules.grades import GRADES_BEST_FIRST, NOT_GRADED
from auditapp.storage.engine import Database

#: Drafts are work in progress and never counted.
COUNTED_STATUSES = (AuditStatus.SUBMITTED, AuditStatus.MODERATED, AuditStatus.CLOSED)


def final_grade_column() -> ColumnElement[int | None]:
    """:func:`auditapp.rules.grades.final_grade` in SQL, for queries that count by it (with
    the moderation outer-joined): the moderated grade where there is one, else the
    auditor's. ``tests/services/reporting/test_stats.py`` holds the two to each other."""
    return func.coalesce(Moderation.grade, Audit.overall_grade)


def counted_audits(
    date_from: date | None = None, date_to: date | None = None
) -> Select[Any]:
    """Ids of the audits that count in a period (inclusive dates), moderation joined."""
    query = (select(Audit.id).outerjoin(Moderation, Moderation.audit_id == Audit.id)
             .where(Audit.status.in_(COUNTED_STATUSES)))
    if date_from is not None:
        query = query.where(Audit.audit_date >= date_from)
    if date_to is not None:
        query = query.where(Audit.audit_date <= date_to)
    return query


@dataclass(frozen=True)
class GradeCounts:
    """How many audits a period holds and how many got each final grade."""

    audits: int
    by_grade: dict[str, int]  # grade words, best first, then "Not graded"

    def as_json(self) -> dict[str, object]:
        """The shape ``auditapp stats --json`` prints."""
        return {"audits": self.audits, "by_grade": dict(self.by_grade)}


def grade_counts(
    db: Database, date_from: date | None = None, date_to: date | None = None
) -> GradeCounts:
    """Audits submitted or later with an audit date in the period, by final grade."""
    # The same count as counted_audits and final_grade_column, written on the tables (SQL
    # Core) rather than the mapped classes: the ORM would configure every mapper first, a
    # tenth of a second or more of `auditapp stats` (tests/services/reporting/test_stats.py
    # holds the two to each other).
    audits, moderations = Audit.__table__, Moderation.__table__
    grade = func.coalesce(moderations.c.grade, audits.c.overall_grade)
    # Group by the expression, not a label: SQLite would read "grade" as moderations.grade.
    query = (select(grade, func.count())
             .select_from(audits.outerjoin(moderations,
                                           moderations.c.audit_id == audits.c.id))
             .where(audits.c.status.in_(COUNTED_STATUSES)).group_by(grade))
    if date_from is not None:
        query = query.where(audits.c.audit_date >= date_from)
    if date_to is not None:
        query = query.where(audits.c.audit_date <= date_to)
    with db.transaction() as session:
        counts: dict[int | None, int] = {grade: count for grade, count in session.execute(query)}
    by_grade = {grade.label: counts.get(int(grade), 0) for grade in GRADES_BEST_FIRST}
    by_grade[NOT_GRADED] = counts.get(None, 0)
    return GradeCounts(sum(by_grade.values()), by_grade)
