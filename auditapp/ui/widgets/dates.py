"""Date fields, the same everywhere: a calendar to pick from, and day month year."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit

#: Qt's spelling of the house date form (:func:`auditapp.rules.wording.day_text`): 1 Jan 2026.
DATE_FORMAT = "d MMM yyyy"
#: The floor of an optional date field; while it shows this date the field reads "Any".
NO_DATE = QDate(2000, 1, 1)


def date_edit(accessible_name: str, value: QDate | None = None) -> QDateEdit:
    """A date field with a calendar, set to ``value`` (default today)."""
    edit = QDateEdit(value if value is not None else QDate.currentDate())
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(DATE_FORMAT)
    edit.setAccessibleName(accessible_name)
    return edit


def optional_date_edit(accessible_name: str, empty_text: str = "Any") -> QDateEdit:
    """A date field for a filter, reading ``empty_text`` until a date is chosen."""
    edit = date_edit(accessible_name, NO_DATE)
    edit.setMinimumDate(NO_DATE)
    edit.setSpecialValueText(empty_text)  # shown while the date is at its minimum
    return edit


def optional_date(edit: QDateEdit) -> date | None:
    """The date chosen in an optional date field, or None."""
    return None if edit.date() == NO_DATE else picked_date(edit)


def picked_date(edit: QDateEdit) -> date:
    """The date shown in a date field, as a Python date."""
    value = edit.date().toPython()
    assert isinstance(value, date)
    return value
