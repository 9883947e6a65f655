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
    grade = final_grade_column()
    # Group by the expression, not a label: SQLite would read "grade" as moderations.grade.
    query = counted_audits(date_from, date_to).with_only_columns(grade, func.count()) \
        .group_by(grade)
    with db.transaction() as session:
        counts = dict(session.execute(query).all())
    by_grade = {grade.label: counts.get(int(grade), 0) for grade in GRADES_BEST_FIRST}
    by_grade[NOT_GRADED] = counts.get(None, 0)
    return GradeCounts(sum(by_grade.values()), by_grade)
