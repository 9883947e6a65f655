"""The house form of a date in people's text: 1 Jan 2026."""

from __future__ import annotations

from datetime import date, datetime

from auditapp.rules.wording import MONTHS, day_text


def test_day_without_a_leading_zero_then_short_month_then_year() -> None:
    assert day_text(date(2026, 1, 1)) == "1 Jan 2026"
    assert day_text(date(2025, 12, 31)) == "31 Dec 2025"


def test_every_month_has_its_short_english_name() -> None:
    assert [day_text(date(2026, m, 9)).split()[1] for m in range(1, 13)] == list(MONTHS)


def test_a_moment_is_written_as_its_day() -> None:
    assert day_text(datetime(2026, 3, 4, 23, 59)) == "4 Mar 2026"
