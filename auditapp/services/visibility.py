"""What a reader may see of an audit: blind moderation, on every read path.

:func:`~auditapp.rules.permissions.grades_withheld` is the rule; here it is applied to
queries (:func:`withheld_condition`, its SQL twin, which the reports, the audit list and the
bundle export use) and to one audit (:func:`audit_withheld`, for the editor and the history).
What is withheld is the auditor's judgement: section grades and their comments, the overall
grade and its rationale, and the grades the rule suggested from the answers.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, select
from sqlalchemy.orm import Session, aliased

from auditapp.errors import NotFoundError
from auditapp.models import Audit, AuditStatus, Moderation, Role
from auditapp.rules.permissions import Actor, grades_withheld

#: History entries about the auditor's judgement: (entity, field), any field when None.
_JUDGEMENT_ENTRIES = {("judgement", None), ("audit", "overall_grade"),
                      ("audit", "grade_rationale")}


def withheld_condition(reader: Actor) -> ColumnElement[bool]:
    """SQL that is true for the audits whose grades are withheld from ``reader`` (the rule
    of :func:`~auditapp.rules.permissions.grades_withheld`, over ``audits``)."""
    if reader.role != Role.MODERATOR:
        return false()
    moderation = aliased(Moderation)  # apart from any moderation the outer query joins
    blind_recorded = exists().where(moderation.audit_id == Audit.id,
                                    moderation.blind_grade.is_not(None))
    return and_(Audit.status == AuditStatus.SUBMITTED, ~blind_recorded,
                Audit.auditor_id != reader.id)


def audit_withheld(session: Session, audit_id: int, reader: Actor) -> bool:
    """Whether one audit's grades are withheld from ``reader``; NotFoundError if there is
    no such audit."""
    row = session.execute(
        select(Audit.status, Audit.auditor_id, Moderation.blind_grade)
        .outerjoin(Moderation, Moderation.audit_id == Audit.id)
        .where(Audit.id == audit_id)).first()
    if row is None:
        raise NotFoundError(f"No audit with number {audit_id}.")
    return grades_withheld(reader, row.status, row.auditor_id, row.blind_grade is not None)


def withheld_entry(entity: str, field: str, key: str = "") -> bool:
    """Whether a history entry is about the auditor's judgement (so withheld with it). A
    settled conflict (entity "bundle") is named by the field it settled."""
    if entity == "bundle":
        group, _, settled = key.partition("|")
        entity, field = group.partition(" ")[0], settled
    return (entity, None) in _JUDGEMENT_ENTRIES or (entity, field) in _JUDGEMENT_ENTRIES
