"""How much auditapp takes: the limits every way in (the editor, the services, imports of
templates, case samples and bundles) checks, and the database's columns agree with.

A limit bounds memory and time whatever the input, and keeps a value inside its column on
PostgreSQL (SQLite does not enforce lengths). ``tests/rules/test_limits.py`` holds the model's
column lengths to these numbers.
"""

from __future__ import annotations

from datetime import date

#: A person's name (profile, auditor, moderator, action owner), a team or a worker.
NAME_CHARS = 120
#: A case reference (pseudonymous: letters, digits, / _ . -).
REFERENCE_CHARS = 40
#: An answer's code on its scale ("Y", "NA", ...).
ANSWER_CODE_CHARS = 10
#: Free text: evidence, comments, rationale, narrative, action text, notes. Far beyond any
#: real note (a long evidence note is a few thousand characters), and small enough to hold.
LONG_TEXT_CHARS = 100_000
#: The dates auditapp takes anywhere (audit dates, due dates, periods).
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def length_problem(what: str, value: str, limit: int) -> str | None:
    """Why ``value`` is too long for ``what``, or None if it fits."""
    if len(value) <= limit:
        return None
    return f"{what} is {len(value):,} characters long; at most {limit:,} are allowed"


def date_problem(what: str, value: date) -> str | None:
    """Why ``value`` is outside the dates auditapp takes, or None if it is inside."""
    if EARLIEST_DATE <= value <= LATEST_DATE:
        return None
    return (f"{what} {value.isoformat()} is outside {EARLIEST_DATE.year} to "
            f"{LATEST_DATE.year}")
