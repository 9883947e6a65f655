"""Rules for actions raised by audits: what "overdue" means and how soon "immediate" is."""

from __future__ import annotations

from datetime import date, timedelta

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
                f"{latest:%d %b %Y} (five working days).")
    if due > latest:
        return (f"An immediate safeguarding action must be due within five working days: "
                f"by {latest:%d %b %Y}, not {due:%d %b %Y}.")
    return None


def is_overdue(status: str, due: date | None, today: date) -> bool:
    """An open action whose due date has passed."""
    return status == "open" and due is not None and due < today
