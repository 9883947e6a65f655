"""Counting audits and grades for a period: the numbers every report must agree on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Date, Select, bindparam, func, select, text

from auditapp.models.enums import AuditStatus
from auditapp.rules.grades import GRADES_BEST_FIRST, NOT_GRADED
from auditapp.storage.engine import Database

#: Drafts are work in progress and never counted.
COUNTED_STATUSES = (AuditStatus.SUBMITTED, AuditStatus.MODERATED, AuditStatus.CLOSED)


def final_grade_column() -> ColumnElement[int | None]:
    """:func:`auditapp.rules.grades.final_grade` in SQL, for queries that count by it (with
    the moderation outer-joined): the moderated grade where there is one, else the
    auditor's. ``tests/services/reporting/test_stats.py`` holds the two to each other."""
    from auditapp.models import Audit, Moderation  # see grade_counts: stats loads no ORM

    return func.coalesce(Moderation.grade, Audit.overall_grade)


def counted_audits(
    date_from: date | None = None, date_to: date | None = None
) -> Select[Any]:
    """Ids of the audits that count in a period (inclusive dates), moderation joined."""
    from auditapp.models import Audit, Moderation

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
    # The same count as counted_audits and final_grade_column, in SQL text on a plain
    # connection: `auditapp stats` then loads no ORM (tests/services/reporting/test_stats.py
    # holds the two to each other). Grouped by the expression, not a label: SQLite would read
    # "grade" as moderations.grade.
    bounds = [(name, test, value) for name, test, value in
              (("date_from", ">=", date_from), ("date_to", "<=", date_to)) if value is not None]
    statuses = {f"status_{i}": status.value for i, status in enumerate(COUNTED_STATUSES)}
    query = text(_GRADE_COUNTS.format(
        statuses=", ".join(f":{name}" for name in statuses),
        period="".join(f" AND audits.audit_date {test} :{name}" for name, test, _ in bounds),
    )).bindparams(*(bindparam(name, value, type_=Date) for name, _, value in bounds))
    with db.reading() as connection:
        counts: dict[int | None, int] = {grade: count for grade, count
                                         in connection.execute(query, statuses)}
    by_grade = {grade.label: counts.get(int(grade), 0) for grade in GRADES_BEST_FIRST}
    by_grade[NOT_GRADED] = counts.get(None, 0)
    return GradeCounts(sum(by_grade.values()), by_grade)


_GRADE_COUNTS = """
SELECT coalesce(moderations.grade, audits.overall_grade), count(*)
FROM audits LEFT OUTER JOIN moderations ON moderations.audit_id = audits.id
WHERE audits.status IN ({statuses}){period}
GROUP BY coalesce(moderations.grade, audits.overall_grade)
"""
