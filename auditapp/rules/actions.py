"""Rules for actions raised by audits: what "overdue" means and how soon "immediate" is."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from auditapp.models.enums import ActionStatus
from auditapp.rules.wording import day_text

#: An immediate-safeguarding action must be due within this many working days of being raised.
IMMEDIATE_WORKING_DAYS = 5


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days (Monday to Friday) after ``start``.

    Bank holidays are not known offline and are not skipped: the rule errs towards sooner.
    """
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current


def immediate_due_problem(due: date | None, raised_on: date) -> str | None:
    """Why an immediate action's due date is not acceptable, or None if it is."""
    latest = add_working_days(raised_on, IMMEDIATE_WORKING_DAYS)
    if due is None:
        return (f"An immediate safeguarding action needs a due date, at the latest "
                f"{day_text(latest)} (five working days).")
    if due > latest:
        return (f"An immediate safeguarding action must be due within five working days: "
                f"by {day_text(latest)}, not {day_text(due)}.")
    return None


class ActionState(StrEnum):
    """Where an action stands on a given day. Only the status is stored: an open action whose
    due date has passed is overdue, and a done one was done on time or late."""

    OPEN = "open"
    OVERDUE = "overdue"
    DONE_ON_TIME = "done on time"
    DONE_LATE = "done late"
    CANCELLED = "cancelled"


def action_state(status: ActionStatus | str, due: date | None, completed: date | None,
                 as_at: date) -> ActionState:
    """Where an action stands on ``as_at``: overdue means still open with a due date before
    that day (due that very day is not yet overdue)."""
    if status == ActionStatus.DONE:
        late = due is not None and completed is not None and completed > due
        return ActionState.DONE_LATE if late else ActionState.DONE_ON_TIME
    if status == ActionStatus.CANCELLED:
        return ActionState.CANCELLED
    return ActionState.OVERDUE if due is not None and due < as_at else ActionState.OPEN


def is_overdue(status: ActionStatus | str, due: date | None, today: date) -> bool:
    """An open action whose due date has passed (see :func:`action_state`)."""
    return action_state(status, due, None, today) is ActionState.OVERDUE
