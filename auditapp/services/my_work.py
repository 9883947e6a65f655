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

Each group is read a screenful at a time: the first read lists at most :data:`SCREENFUL`
rows of each group, in the group's order, with how many the group holds, so what the
window waits for does not grow with the file (a large council's file holds thousands of
open actions). A group asked for whole ("Show all") is read whole.

Nothing here shows a grade, so blind moderation (:mod:`auditapp.services.visibility`) has
nothing to withhold from these lists.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, func, or_, select
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

#: How many rows of each group the first read lists: more than a screen shows.
SCREENFUL = 50

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


class Group(StrEnum):
    """The four groups of My work."""

    DRAFTS = "drafts"
    RETURNED = "returned"
    MODERATION = "moderation"
    ACTIONS = "actions"


Item = DraftItem | ReturnedItem | ActionItem | ModerationItem


@dataclass(frozen=True)
class MyWork:
    """Everything on my desk: the first rows of each group (all of them when the group is
    no longer than the limit it was read with) and how many each group holds."""

    drafts: tuple[DraftItem, ...]
    returned: tuple[ReturnedItem, ...]
    actions: tuple[ActionItem, ...]
    moderation: tuple[ModerationItem, ...]
    totals: Mapping[Group, int] = field(default_factory=dict)

    def listed(self, group: Group) -> tuple[Item, ...]:
        """The rows read of ``group``."""
        return getattr(self, group.value)  # type: ignore[no-any-return]

    def total(self, group: Group) -> int:
        """How many rows ``group`` holds (more than :meth:`listed` when it was cut)."""
        return self.totals.get(group, len(self.listed(group)))


def _mine(column: InstrumentedAttribute[int], reader: Actor) -> ColumnElement[bool]:
    """Whether a column holding a profile id (an audit's auditor, a moderation's moderator)
    is the reader's: the one place that decides what "mine" means."""
    return column == reader.id


def draft_order(item: DraftItem) -> tuple[bool, date, date, int]:
    """Drafts with a due date first, soonest due; then the oldest audit first."""
    return (item.due_date is None, item.due_date or item.audit_date, item.audit_date,
            item.audit_id)


def my_work(db: Database, reader: Actor, today: date | None = None,
            limit: int | None = SCREENFUL, whole: Collection[Group] = ()) -> MyWork:
    """What ``reader`` has to do (a read: it shows the reader their own work, and no
    grades): at most ``limit`` rows of each group (None: every row), and every row of the
    groups in ``whole`` ("Show all"); an action is overdue when due before ``today``."""
    today = today or date.today()
    with db.transaction() as session:
        read = {group: _READERS[group](session, reader, today,
                                       None if group in whole else limit)
                for group in Group}
    return MyWork(read[Group.DRAFTS][0], read[Group.RETURNED][0], read[Group.ACTIONS][0],
                  read[Group.MODERATION][0],
                  totals={group: total for group, (_rows, total) in read.items()})


def _first(session: Session, query: Select[*tuple[Any, ...]], limit: int | None
           ) -> tuple[Sequence[Row[*tuple[Any, ...]]], int]:
    """The first ``limit`` rows of an ordered query and how many it has in all, in one
    statement (a window count rides on each row)."""
    rows = session.execute(query.add_columns(func.count().over()).limit(limit)).all()
    return rows, (rows[0][-1] if rows else 0)


def _draft_query(reader: Actor) -> Select[int, str, str, date, int, int, str]:
    return (select(Audit.id, Case.reference, Template.title, Audit.audit_date,
                   Audit.answered, Audit.applicable, Audit.returned_comment)
            .join(Case, Case.id == Audit.case_id)
            .join(Template, Template.id == Audit.template_id)
            .where(Audit.status == AuditStatus.DRAFT, _mine(Audit.auditor_id, reader))
            .order_by(Audit.audit_date, Audit.id))


def _drafts(session: Session, reader: Actor, _today: date, limit: int | None
            ) -> tuple[tuple[DraftItem, ...], int]:
    """Oldest first in SQL: no draft has a due date until the audit programme fills it,
    and then the query must order by it first, as :func:`draft_order` does."""
    rows, total = _first(session, _draft_query(reader).where(Audit.returned_comment == ""),
                         limit)
    return tuple(sorted((DraftItem(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows),
                        key=draft_order)), total


def _returned(session: Session, reader: Actor, _today: date, limit: int | None
              ) -> tuple[tuple[ReturnedItem, ...], int]:
    rows, total = _first(session, _draft_query(reader).where(Audit.returned_comment != ""),
                         limit)
    returns: dict[int, tuple[str, datetime | None]] = {
        audit_id: (who, when) for audit_id, who, when in session.execute(
        select(ChangeEvent.audit_id, ChangeEvent.actor, ChangeEvent.at)
        .where(ChangeEvent.field == RETURNED_FIELD,
               ChangeEvent.audit_id.in_([r[0] for r in rows]))
        .order_by(ChangeEvent.seq))}  # the latest return of each audit wins
    return tuple(ReturnedItem(r[0], r[1], r[2], r[3], r[6], *returns.get(r[0], ("", None)))
                 for r in rows), total


def _actions(session: Session, reader: Actor, today: date, limit: int | None
             ) -> tuple[tuple[ActionItem, ...], int]:
    """Overdue first, then soonest due, then those with no due date. Overdue is due before
    today, so ordering by the due date (undated last) puts the overdue ones first."""
    owned = func.lower(func.trim(Action.owner)) == " ".join(reader.name.split()).lower()
    rows, total = _first(session, (
        select(Action.id, Action.audit_id, Action.question_id, Question.key, Case.reference,
               Action.text, Action.owner, Action.priority, Action.due_date)
        .join(Audit, Audit.id == Action.audit_id)
        .join(Case, Case.id == Audit.case_id)
        .outerjoin(Question, Question.id == Action.question_id)
        .where(Action.status == ActionStatus.OPEN,
               or_(_mine(Audit.auditor_id, reader), owned))
        .order_by(Action.due_date.is_(None), Action.due_date, Action.id)), limit)
    return tuple(ActionItem(r[0], r[1], r[2], r[3] or "", r[4], r[5], r[6], r[7].value, r[8],
                            is_overdue(ActionStatus.OPEN, r[8], today)) for r in rows), total


def _moderation(session: Session, reader: Actor, _today: date, limit: int | None
                ) -> tuple[tuple[ModerationItem, ...], int]:
    """Sampled first, then the oldest audit first."""
    if not allowed(reader, Permission.MODERATE):
        return (), 0
    sampled = Audit.id.in_(select(ModerationSampleAudit.audit_id).scalar_subquery())
    rows, total = _first(session, (
        select(Audit.id, Case.reference, Template.title, Audit.auditor, Audit.audit_date,
               sampled, Moderation.blind_grade.is_not(None))
        .join(Case, Case.id == Audit.case_id)
        .join(Template, Template.id == Audit.template_id)
        .outerjoin(Moderation, Moderation.audit_id == Audit.id)
        .where(Audit.status == AuditStatus.SUBMITTED, ~_mine(Audit.auditor_id, reader),
               or_(Moderation.id.is_(None), _mine(Moderation.moderator_id, reader)))
        .order_by(sampled.desc(), Audit.audit_date, Audit.id)), limit)
    return tuple(ModerationItem(r[0], r[1], r[2], r[3], r[4], bool(r[5]), bool(r[6]))
                 for r in rows), total


_READERS: dict[Group, Callable[[Session, Actor, date, int | None],
                               tuple[tuple[Any, ...], int]]] = {
    Group.DRAFTS: _drafts, Group.RETURNED: _returned, Group.MODERATION: _moderation,
    Group.ACTIONS: _actions}
