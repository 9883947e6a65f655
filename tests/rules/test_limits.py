"""The limits, and the database columns that must hold what the limits let in."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import String

from auditapp.models import Action, Answer, Case, ChangeEvent, User
from auditapp.rules import limits


@pytest.mark.parametrize(("column", "limit"), [
    (User.__table__.c.name, limits.NAME_CHARS),
    (User.__table__.c.name_key, limits.NAME_CHARS),
    (ChangeEvent.__table__.c.actor, limits.NAME_CHARS),
    (Action.__table__.c.owner, limits.NAME_CHARS),
    (Case.__table__.c.team, limits.NAME_CHARS),
    (Case.__table__.c.worker, limits.NAME_CHARS),
    (Case.__table__.c.reference, limits.REFERENCE_CHARS),
    (Answer.__table__.c.response, limits.ANSWER_CODE_CHARS),
])
def test_each_column_holds_what_its_limit_lets_in(column: object, limit: int) -> None:
    assert isinstance(column.type, String)  # type: ignore[attr-defined]
    assert column.type.length == limit  # type: ignore[attr-defined]


def test_lengths() -> None:
    assert limits.length_problem("Evidence", "x" * 5, 5) is None
    assert limits.length_problem("Evidence", "x" * 6, 5) == (
        "Evidence is 6 characters long; at most 5 are allowed")


def test_dates() -> None:
    assert limits.date_problem("Due date", date(2026, 1, 1)) is None
    assert limits.date_problem("Due date", date(9999, 12, 31)) == (
        "Due date 9999-12-31 is outside 1900 to 2100")
    assert limits.date_problem("Due date", limits.EARLIEST_DATE) is None
    assert limits.date_problem("Due date", limits.LATEST_DATE) is None
