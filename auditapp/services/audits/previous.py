"""The audit before: what the last audit of a case found, shown beside a re-audit of it.

An audit follows the latest earlier audit of the same case that is no longer a draft
(earlier by audit date, then by number): :func:`earlier_audit_id` finds it when the audit
is started, and the audit records it. The editor then shows, beside each question, that
audit's answer; beside each section, the grade that counted there (the moderated one where
it was moderated); and that audit's actions that are still open.

Answers and sections are matched by their keys, so a re-audit on a newer version of the
template still finds them; a question or section the earlier version did not have shows
nothing.

Blind moderation holds here too (:mod:`auditapp.services.visibility`): a moderator who has
yet to grade the earlier audit blind gets its answers and actions but not its grades.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from auditapp.errors import NotFoundError
from auditapp.models import (
    Action,
    ActionStatus,
    Answer,
    Audit,
    AuditStatus,
    ModeratedSection,
    Question,
    SectionJudgement,
)
from auditapp.rules.actions import is_overdue
from auditapp.rules.grades import final_grade
from auditapp.rules.permissions import Actor
from auditapp.services.templates import TemplateInfo, read_template_info
from auditapp.services.visibility import audit_withheld
from auditapp.storage.engine import Database


@dataclass(frozen=True)
class EarlierAnswer:
    """A question's answer in the earlier audit."""

    code: str | None
    label: str  # the option's words on the earlier audit's own scale; "" when unanswered
    evidence: str


@dataclass(frozen=True)
class EarlierAction:
    """An action the earlier audit raised that is still open."""

    id: int
    text: str
    owner: str
    due_date: date | None
    priority: str
    overdue: bool
    question_key: str  # "" for an action on the whole audit


@dataclass(frozen=True)
class PreviousAudit:
    """What the audit a re-audit follows found."""

    audit_id: int
    audit_date: date
    auditor: str
    status: str
    template_title: str
    template_version: int
    final_grade: int | None
    answers: dict[str, EarlierAnswer]  # by question key
    section_grades: dict[str, int | None]  # by section key: the grade that counted
    open_actions: tuple[EarlierAction, ...]
    #: The earlier audit's grades are withheld from this reader (blind moderation): the final
    #: grade is None and there are no section grades.
    grades_withheld: bool = False


def earlier_audit_id(session: Session, case_id: int, audit_date: date,
                     audit_id: int | None = None) -> int | None:
    """The audit an audit of ``case_id`` dated ``audit_date`` follows: the latest earlier
    audit of the case that is no longer a draft (for equal dates, the lower number comes
    first; ``audit_id`` is the audit itself, None while it is being started)."""
    if audit_id is None:
        earlier = Audit.audit_date <= audit_date
    else:
        earlier = and_(Audit.id != audit_id,
                       or_(Audit.audit_date < audit_date,
                           and_(Audit.audit_date == audit_date, Audit.id < audit_id)))
    return session.scalar(
        select(Audit.id)
        .where(Audit.case_id == case_id, Audit.status != AuditStatus.DRAFT, earlier)
        .order_by(Audit.audit_date.desc(), Audit.id.desc()).limit(1))


def previous_audit(db: Database, audit_id: int, reader: Actor, today: date | None = None
                   ) -> PreviousAudit | None:
    """What the audit that ``audit_id`` follows found, as ``reader`` may see it, or None
    when it follows none. An action is overdue when its due date is before ``today``."""
    today = today or date.today()
    with db.transaction() as session:
        audit = session.get(Audit, audit_id)
        if audit is None:
            raise NotFoundError(f"No audit with number {audit_id}.")
        earlier = session.get(Audit, audit.follows_id) if audit.follows_id else None
        if earlier is None:
            return None
        template = read_template_info(session, earlier.template_id)
        withheld = audit_withheld(session, earlier.id, reader)
        return PreviousAudit(
            earlier.id, earlier.audit_date, earlier.auditor, earlier.status.value,
            template.title, template.version,
            None if withheld else final_grade(
                earlier.moderation.grade if earlier.moderation else None,
                earlier.overall_grade),
            _answers(session, earlier.id),
            {} if withheld else _section_grades(session, earlier, template),
            _open_actions(session, earlier.id, today), withheld)


def _answers(session: Session, audit_id: int) -> dict[str, EarlierAnswer]:
    rows = session.execute(
        select(Question.key, Question.scale, Answer.response, Answer.evidence)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.audit_id == audit_id)).all()
    answers = {}
    for key, scale, code, evidence in rows:
        label = next((o["label"] for o in scale if o["code"] == code), "") if code else ""
        answers[key] = EarlierAnswer(code, label, evidence)
    return answers


def _section_grades(session: Session, audit: Audit, template: TemplateInfo
                    ) -> dict[str, int | None]:
    """Each section's grade that counted: the moderated final grade where there is one."""
    moderated: dict[int, int | None] = {}
    if audit.moderation is not None:
        moderated = dict(session.execute(
            select(ModeratedSection.section_id, ModeratedSection.grade)
            .where(ModeratedSection.moderation_id == audit.moderation.id)).all())
    rows = session.execute(
        select(SectionJudgement.section_id, SectionJudgement.grade)
        .where(SectionJudgement.audit_id == audit.id)).all()
    return {template.section(section_id).key: final_grade(moderated.get(section_id), grade)
            for section_id, grade in rows}


def _open_actions(session: Session, audit_id: int, today: date) -> tuple[EarlierAction, ...]:
    rows = session.execute(
        select(Action.id, Action.text, Action.owner, Action.due_date, Action.priority,
               Action.status, Question.key)
        .outerjoin(Question, Question.id == Action.question_id)
        .where(Action.audit_id == audit_id, Action.status == ActionStatus.OPEN)
        .order_by(Action.due_date.is_(None), Action.due_date, Action.id)).all()
    return tuple(EarlierAction(r[0], r[1], r[2], r[3], r[4].value,
                               is_overdue(r[5], r[3], today), r[6] or "") for r in rows)
