"""My work: what the signed-in person has to do, gathered from every audit.

Four lists, each row enough to open the audit it is about:

* **drafts**: my draft audits, those with a due date first (soonest first), then the oldest
  first. The due date is the audit programme's; there is no audit programme yet, so no
  draft has one until it exists (it will fill ``DraftItem.due_date``, and the order already
  takes it into account);
* **returned**: my audits a moderator sent back for rework, with what to put right, who sent
  them back and when;
* **actions**: open actions raised by my audits or owned by me (an owner written as my
  name), overdue first, then soonest due;
* **moderation**: for moderators and practice leads, the submitted audits I may moderate
  (not my own, and not ones another moderator has started), sampled ones first, then
  oldest first.

"Mine" is decided in one place, :func:`_mine`: by profile id (two profiles never share
one), never by name. An action's owner is free text, so an action is owned by me when its
owner is written as my name.

Nothing here shows a grade, so blind moderation (:mod:`auditapp.services.visibility`) has
nothing to withhold from these lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from auditapp.models import (
    Action,
    ActionStatus,
    Audit,
    AuditStatus,
    Case,
    ChangeEvent,
    Moderation,
    ModerationSampleAudit,
    Question,
    Template,
)
from auditapp.rules.actions import is_overdue
from auditapp.rules.permissions import Actor, Permission, allowed
from auditapp.storage.engine import Database

#: The history entry that records a return for rework (see services.moderation).
RETURNED_FIELD = "returned for rework"


@dataclass(frozen=True)
class DraftItem:
    """One of my draft audits."""

    audit_id: int
    case_reference: str
    template_title: str
    audit_date: date
    answered: int
    applicable: int
    due_date: date | None = None  # the audit programme's, once there is one


@dataclass(frozen=True)
class ReturnedItem:
    """One of my audits returned for rework."""

    audit_id: int
    case_reference: str
    template_title: str
    audit_date: date
    comment: str
    returned_by: str
    returned_at: datetime | None


@dataclass(frozen=True)
class ActionItem:
    """An open action of mine."""

    action_id: int
    audit_id: int
    question_id: int | None
    question_key: str
    case_reference: str
    text: str
    owner: str
    priority: str
    due_date: date | None
    overdue: bool


@dataclass(frozen=True)
class ModerationItem:
    """A submitted audit I may moderate."""

    audit_id: int
    case_reference: str
    template_title: str
    auditor: str
    audit_date: date
    sampled: bool
    started: bool  # my blind grades are recorded


@dataclass(frozen=True)
class MyWork:
    """Everything on my desk."""

    drafts: tuple[DraftItem, ...]
    returned: tuple[ReturnedItem, ...]
    actions: tuple[ActionItem, ...]
    moderation: tuple[ModerationItem, ...]


def _mine(column: InstrumentedAttribute[int], reader: Actor) -> ColumnElement[bool]:
    """Whether a column holding a profile id (an audit's auditor, a moderation's moderator)
    is the reader's: the one place that decides what "mine" means."""
    return column == reader.id


def draft_order(item: DraftItem) -> tuple[bool, date, date, int]:
    """Drafts with a due date first, soonest due; then the oldest audit first."""
    return (item.due_date is None, item.due_date or item.audit_date, item.audit_date,
            item.audit_id)


def my_work(db: Database, reader: Actor, today: date | None = None) -> MyWork:
    """What ``reader`` has to do (a read: it shows the reader their own work, and no
    grades); an action is overdue when due before ``today``."""
    today = today or date.today()
    with db.transaction() as session:
        return MyWork(_drafts(session, reader), _returned(session, reader),
                      _actions(session, reader, today), _moderation(session, reader))


def _draft_query(reader: Actor) -> Select[int, str, str, date, int, int, str]:
    return (select(Audit.id, Case.reference, Template.title, Audit.audit_date,
                   Audit.answered, Audit.applicable, Audit.returned_comment)
            .join(Case, Case.id == Audit.case_id)
            .join(Template, Template.id == Audit.template_id)
            .where(Audit.status == AuditStatus.DRAFT, _mine(Audit.auditor_id, reader)))


def _drafts(session: Session, reader: Actor) -> tuple[DraftItem, ...]:
    rows = session.execute(_draft_query(reader).where(Audit.returned_comment == "")).all()
    return tuple(sorted((DraftItem(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows),
                        key=draft_order))


def _returned(session: Session, reader: Actor) -> tuple[ReturnedItem, ...]:
    rows = session.execute(_draft_query(reader).where(Audit.returned_comment != "")
                           .order_by(Audit.audit_date, Audit.id)).all()
    returns: dict[int, tuple[str, datetime | None]] = {
        audit_id: (who, when) for audit_id, who, when in session.execute(
        select(ChangeEvent.audit_id, ChangeEvent.actor, ChangeEvent.at)
        .where(ChangeEvent.field == RETURNED_FIELD,
               ChangeEvent.audit_id.in_([r[0] for r in rows]))
        .order_by(ChangeEvent.seq))}  # the latest return of each audit wins
    return tuple(ReturnedItem(r[0], r[1], r[2], r[3], r[6], *returns.get(r[0], ("", None)))
                 for r in rows)


def _actions(session: Session, reader: Actor, today: date) -> tuple[ActionItem, ...]:
    owned = func.lower(func.trim(Action.owner)) == " ".join(reader.name.split()).lower()
    rows = session.execute(
        select(Action.id, Action.audit_id, Action.question_id, Question.key, Case.reference,
               Action.text, Action.owner, Action.priority, Action.due_date)
        .join(Audit, Audit.id == Action.audit_id)
        .join(Case, Case.id == Audit.case_id)
        .outerjoin(Question, Question.id == Action.question_id)
        .where(Action.status == ActionStatus.OPEN,
               or_(_mine(Audit.auditor_id, reader), owned))).all()
    items = [ActionItem(r[0], r[1], r[2], r[3] or "", r[4], r[5], r[6], r[7].value, r[8],
                        is_overdue(ActionStatus.OPEN, r[8], today)) for r in rows]
    return tuple(sorted(items, key=lambda a: (not a.overdue, a.due_date is None,
                                              a.due_date or today, a.action_id)))


def _moderation(session: Session, reader: Actor) -> tuple[ModerationItem, ...]:
    if not allowed(reader, Permission.MODERATE):
        return ()
    sampled = select(ModerationSampleAudit.audit_id).scalar_subquery()
    rows = session.execute(
        select(Audit.id, Case.reference, Template.title, Audit.auditor, Audit.audit_date,
               Audit.id.in_(sampled), Moderation.blind_grade.is_not(None))
        .join(Case, Case.id == Audit.case_id)
        .join(Template, Template.id == Audit.template_id)
        .outerjoin(Moderation, Moderation.audit_id == Audit.id)
        .where(Audit.status == AuditStatus.SUBMITTED, ~_mine(Audit.auditor_id, reader),
               or_(Moderation.id.is_(None), _mine(Moderation.moderator_id, reader)))).all()
    items = [ModerationItem(r[0], r[1], r[2], r[3], r[4], bool(r[5]), bool(r[6]))
             for r in rows]
    return tuple(sorted(items, key=lambda m: (not m.sampled, m.audit_date, m.audit_id)))
