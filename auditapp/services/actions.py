"""The actions tracker: every action across audits, followed to the end.

Actions are tracked separately from their audit's status: an action raised by a submitted,
moderated or closed audit can still be marked done or cancelled, and each change is in the
audit's history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from auditapp.errors import NotFoundError, UserError
from auditapp.models import Action, ActionStatus, Audit, Case, Question
from auditapp.rules.actions import is_overdue
from auditapp.rules.limits import LONG_TEXT_CHARS, require_date, require_length
from auditapp.rules.permissions import Actor, Permission, require
from auditapp.services.history import record_change
from auditapp.storage.engine import Database


@dataclass(frozen=True)
class TrackedAction:
    """An action with what the tracker shows about its audit and question."""

    id: int
    audit_id: int
    case_reference: str
    team: str
    auditor: str
    audit_date: date
    question_id: int | None
    question_key: str
    question_text: str
    text: str
    owner: str
    due_date: date | None
    priority: str
    status: str
    completed_on: date | None
    status_note: str
    overdue: bool


def list_tracked_actions(db: Database, today: date | None = None) -> list[TrackedAction]:
    """Every action, the soonest due first; ``overdue`` is judged against ``today``."""
    today = today or date.today()
    # Columns, not ORM objects: the tracker lists every action of every audit.
    query = (
        select(Action.id, Action.audit_id, Case.reference, Case.team, Audit.auditor,
               Audit.audit_date, Action.question_id, Question.key, Question.text, Action.text,
               Action.owner, Action.due_date, Action.priority, Action.status,
               Action.completed_on, Action.status_note)
        .join(Audit, Audit.id == Action.audit_id)
        .join(Case, Case.id == Audit.case_id)
        .outerjoin(Question, Question.id == Action.question_id)
        .order_by(Action.due_date.is_(None), Action.due_date, Action.id)
    )
    with db.transaction() as session:
        return [
            TrackedAction(
                r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7] or "", r[8] or "", r[9],
                r[10], r[11], r[12].value, r[13].value, r[14], r[15],
                is_overdue(r[13].value, r[11], today))
            for r in session.execute(query)
        ]


def _set_status(db: Database, action_id: int, status: ActionStatus, note: str,
                completed_on: date | None, actor: Actor) -> None:
    require(actor, Permission.TRACK_ACTIONS)
    require_length("The note", note, LONG_TEXT_CHARS)
    require_date("The completion date", completed_on)
    with db.transaction() as session:
        action = session.get(Action, action_id)
        if action is None:
            raise NotFoundError(f"No action with number {action_id}.")
        for name, new in (("status", status.value), ("status_note", note),
                          ("completed_on", completed_on)):
            old = getattr(action, name)
            record_change(session, action.audit_id, actor, "action", str(action.id), name,
                          old.value if isinstance(old, ActionStatus) else old, new)
        action.status = status
        action.status_note = note
        action.completed_on = completed_on
        action.closed_by_id = None if status == ActionStatus.OPEN else actor.id


def complete_action(db: Database, action_id: int, note: str, completed_on: date,
                    actor: Actor) -> None:
    """Mark an action done, with what was done and when."""
    if not note.strip():
        raise UserError("Say what was done: a completion note is needed.")
    if completed_on > date.today():
        raise UserError("The completion date cannot be in the future.")
    _set_status(db, action_id, ActionStatus.DONE, note.strip(), completed_on, actor)


def cancel_action(db: Database, action_id: int, reason: str, actor: Actor) -> None:
    """Cancel an action, with the reason."""
    if not reason.strip():
        raise UserError("Give the reason the action is cancelled.")
    _set_status(db, action_id, ActionStatus.CANCELLED, reason.strip(), None, actor)


def reopen_action(db: Database, action_id: int, actor: Actor) -> None:
    """Open a done or cancelled action again (it was closed by mistake)."""
    _set_status(db, action_id, ActionStatus.OPEN, "", None, actor)
