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

"Mine" is decided in one place, the statements below: by profile id (two profiles never
share one), never by name. An action's owner is free text, so an action is owned by me when
its owner is written as my name.

The statements are SQL text that SQLite and PostgreSQL both run, through SQLAlchemy
(:func:`my_work`) or through the driver alone (:func:`read_my_work`): the desktop app paints
its first screen from them before SQLAlchemy has loaded (:mod:`auditapp.ui.shell.start`), so
this module imports neither SQLAlchemy nor a mapped class.

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
from typing import TYPE_CHECKING, Any

from auditapp.models.enums import ActionStatus, AuditStatus
from auditapp.rules.actions import is_overdue
from auditapp.rules.permissions import Actor, Permission, allowed

if TYPE_CHECKING:
    from auditapp.storage.engine import Database

#: Runs one statement of SQL text with named (``:name``) parameters and returns its rows: a
#: read-only sqlite3 connection's, or a SQLAlchemy session's (:func:`my_work`).
Run = Callable[[str, Mapping[str, object]], Sequence[Sequence[Any]]]

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


def draft_order(item: DraftItem) -> tuple[bool, date, date, int]:
    """Drafts with a due date first, soonest due; then the oldest audit first."""
    return (item.due_date is None, item.due_date or item.audit_date, item.audit_date,
            item.audit_id)


def my_work(db: Database, reader: Actor, today: date | None = None,
            limit: int | None = SCREENFUL, whole: Collection[Group] = ()) -> MyWork:
    """What ``reader`` has to do (a read: it shows the reader their own work, and no
    grades), in one transaction: see :func:`read_my_work`."""
    from sqlalchemy import text

    with db.transaction() as session:
        return read_my_work(lambda sql, values: session.execute(text(sql), values).all(),
                            reader, today, limit, whole)


def read_my_work(run: Run, reader: Actor, today: date | None = None,
                 limit: int | None = SCREENFUL, whole: Collection[Group] = ()) -> MyWork:
    """What ``reader`` has to do, read through ``run``: at most ``limit`` rows of each group
    (None: every row), and every row of the groups in ``whole`` ("Show all"); an action is
    overdue when due before ``today``."""
    today = today or date.today()
    read = {group: _READERS[group](run, reader, today, None if group in whole else limit)
            for group in Group}
    return MyWork(read[Group.DRAFTS][0], read[Group.RETURNED][0], read[Group.ACTIONS][0],
                  read[Group.MODERATION][0],
                  totals={group: total for group, (_rows, total) in read.items()})


# The statements are SQL text that SQLite and PostgreSQL both run, so that the first screen
# can be read before SQLAlchemy has loaded. "Mine" is decided in them by profile id (an
# audit's auditor, a moderation's moderator: two profiles never share one), never by name;
# an action's owner is free text, so an action is also mine when its owner, trimmed and
# lower-cased, is my name (:func:`_owner_key`). Each statement is ordered, cut at ``:limit``
# when there is one, and carries its group's total as a window count on every row.

_DRAFTS = """
SELECT audits.id, cases.reference, templates.title, audits.audit_date, audits.answered,
       audits.applicable, count(*) OVER ()
FROM audits
JOIN cases ON cases.id = audits.case_id
JOIN templates ON templates.id = audits.template_id
WHERE audits.auditor_id = :reader AND audits.status = :draft
  AND audits.returned_comment = ''
ORDER BY audits.audit_date, audits.id"""

#: The latest return for rework of each audit wins.
_RETURNED = """
SELECT audits.id, cases.reference, templates.title, audits.audit_date,
       audits.returned_comment,
       (SELECT change_events.actor FROM change_events WHERE change_events.audit_id = audits.id
          AND change_events.field = :returned ORDER BY change_events.seq DESC LIMIT 1),
       (SELECT change_events.at FROM change_events WHERE change_events.audit_id = audits.id
          AND change_events.field = :returned ORDER BY change_events.seq DESC LIMIT 1),
       count(*) OVER ()
FROM audits
JOIN cases ON cases.id = audits.case_id
JOIN templates ON templates.id = audits.template_id
WHERE audits.auditor_id = :reader AND audits.status = :draft
  AND audits.returned_comment <> ''
ORDER BY audits.audit_date, audits.id"""

#: Overdue first, then soonest due, then those with no due date: overdue is due before
#: today, so ordering by the due date (undated last) puts the overdue ones first.
_ACTIONS = """
SELECT actions.id, actions.audit_id, actions.question_id, questions.key, cases.reference,
       actions.text, actions.owner, actions.priority, actions.due_date, count(*) OVER ()
FROM actions
JOIN audits ON audits.id = actions.audit_id
JOIN cases ON cases.id = audits.case_id
LEFT JOIN questions ON questions.id = actions.question_id
WHERE actions.status = :open
  AND (audits.auditor_id = :reader OR lower(trim(actions.owner)) = :owner)
ORDER BY actions.due_date IS NULL, actions.due_date, actions.id"""

#: Submitted audits I may moderate (not my own, and not ones another moderator has
#: started): sampled ones first, then the oldest first.
_MODERATION = """
SELECT audits.id, cases.reference, templates.title, users.name, audits.audit_date,
       audits.id IN (SELECT moderation_sample_audits.audit_id
                     FROM moderation_sample_audits) AS sampled,
       moderations.blind_grade IS NOT NULL, count(*) OVER ()
FROM audits
JOIN cases ON cases.id = audits.case_id
JOIN templates ON templates.id = audits.template_id
JOIN users ON users.id = audits.auditor_id
LEFT JOIN moderations ON moderations.audit_id = audits.id
WHERE audits.status = :submitted AND audits.auditor_id <> :reader
  AND (moderations.id IS NULL OR moderations.moderator_id = :reader)
ORDER BY sampled DESC, audits.audit_date, audits.id"""


def _owner_key(name: str) -> str:
    """A name as an action's owner is compared with it: spaces trimmed and collapsed,
    lower case."""
    return " ".join(name.split()).lower()


def _day(value: Any) -> date:
    """A date as the driver gives it: a date (PostgreSQL) or ISO text (SQLite)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def _moment(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def _first(run: Run, statement: str, values: dict[str, object], limit: int | None
           ) -> tuple[Sequence[Sequence[Any]], int]:
    """The first ``limit`` rows of an ordered statement and how many it has in all."""
    if limit is not None:
        statement += " LIMIT :limit"
        values = {**values, "limit": limit}
    rows = run(statement, values)
    return rows, (int(rows[0][-1]) if rows else 0)


def _drafts(run: Run, reader: Actor, _today: date, limit: int | None
            ) -> tuple[tuple[DraftItem, ...], int]:
    """Oldest first in SQL: no draft has a due date until the audit programme fills it,
    and then the statement must order by it first, as :func:`draft_order` does."""
    rows, total = _first(run, _DRAFTS, {"reader": reader.id, "draft": AuditStatus.DRAFT.value},
                         limit)
    return tuple(sorted((DraftItem(r[0], r[1], r[2], _day(r[3]), r[4], r[5]) for r in rows),
                        key=draft_order)), total


def _returned(run: Run, reader: Actor, _today: date, limit: int | None
              ) -> tuple[tuple[ReturnedItem, ...], int]:
    rows, total = _first(run, _RETURNED, {"reader": reader.id, "draft": AuditStatus.DRAFT.value,
                                          "returned": RETURNED_FIELD}, limit)
    return tuple(ReturnedItem(r[0], r[1], r[2], _day(r[3]), r[4], r[5] or "", _moment(r[6]))
                 for r in rows), total


def _actions(run: Run, reader: Actor, today: date, limit: int | None
             ) -> tuple[tuple[ActionItem, ...], int]:
    rows, total = _first(run, _ACTIONS, {"reader": reader.id, "open": ActionStatus.OPEN.value,
                                         "owner": _owner_key(reader.name)}, limit)
    items = []
    for r in rows:
        due = _day(r[8]) if r[8] is not None else None
        items.append(ActionItem(r[0], r[1], r[2], r[3] or "", r[4], r[5], r[6], str(r[7]), due,
                                is_overdue(ActionStatus.OPEN, due, today)))
    return tuple(items), total


def _moderation(run: Run, reader: Actor, _today: date, limit: int | None
                ) -> tuple[tuple[ModerationItem, ...], int]:
    if not allowed(reader, Permission.MODERATE):
        return (), 0
    rows, total = _first(run, _MODERATION, {"reader": reader.id,
                                            "submitted": AuditStatus.SUBMITTED.value}, limit)
    return tuple(ModerationItem(r[0], r[1], r[2], r[3], _day(r[4]), bool(r[5]), bool(r[6]))
                 for r in rows), total


_READERS: dict[Group, Callable[[Run, Actor, date, int | None], tuple[tuple[Any, ...], int]]] = {
    Group.DRAFTS: _drafts, Group.RETURNED: _returned, Group.MODERATION: _moderation,
    Group.ACTIONS: _actions}
