"""The limits, and the database columns that must hold what the limits let in."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import String

from auditapp.models import (
    Action,
    Answer,
    BundleImport,
    Case,
    ChangeEvent,
    Question,
    Section,
    Template,
    User,
)
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
    (Template.__table__.c.key, limits.TEMPLATE_ID_CHARS),
    (Template.__table__.c.title, limits.TITLE_CHARS),
    (Template.__table__.c.source_name, limits.FILE_NAME_CHARS),
    (Section.__table__.c.key, limits.ITEM_ID_CHARS),
    (Section.__table__.c.title, limits.TITLE_CHARS),
    (Question.__table__.c.key, limits.ITEM_ID_CHARS),
    (BundleImport.__table__.c.file_name, limits.FILE_NAME_CHARS),
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


def test_a_file_with_a_million_problems_costs_what_a_hundred_do() -> None:
    problems = limits.Problems()
    for number in range(1_000_000):
        problems.add(f"row {number}: wrong")
    assert len(problems.listed) == limits.PROBLEMS_SHOWN
    assert problems.more == 1_000_000 - limits.PROBLEMS_SHOWN
    assert problems.summary("sample.csv") == "sample.csv: 1,000,000 problems"


def test_the_schema_and_the_template_limits_agree() -> None:
    """What a template may hold fits the columns it is stored in (checked above)."""
    from auditapp.checklists.schema import json_schema

    definitions = json_schema()["definitions"]
    assert definitions["Section"]["properties"]["title"]["maxLength"] == limits.TITLE_CHARS
    assert definitions["Question"]["properties"]["id"]["maxLength"] == limits.ITEM_ID_CHARS
    assert definitions["Option"]["properties"]["code"]["maxLength"] == limits.ANSWER_CODE_CHARS


def test_a_compression_bomb_is_named_before_it_is_inflated() -> None:
    assert limits.inflate_problem(1_000, 50_000) is None  # small parts may inflate as they like
    assert limits.inflate_problem(100_000, 5_000_000) is None
    assert limits.inflate_problem(918_000, 900_000_000) == (
        "it would inflate 980 times (from 918,000 to 900,000,000 bytes); at most 100 times is "
        "allowed")
