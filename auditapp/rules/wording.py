"""Dates as people read them, the same in every window, message and report.

The house form is the day without a leading zero, the month's short name and the year:
``1 Jan 2026``. Files keep their own formats: ISO dates in JSON, CSV and on the command line
(where dates are typed as YYYY-MM-DD), real date cells in workbooks.
"""

from __future__ import annotations

from datetime import date

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_text(day: date) -> str:
    """A date as people read it: 1 Jan 2026 (a datetime gives its date)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
