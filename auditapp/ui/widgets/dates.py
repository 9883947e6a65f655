"""Date fields, the same everywhere: a calendar to pick from, and day month year.

Tab leaves a date field like any other field (Qt's own date field moves between its day,
month and year on Tab, and never leaves one that shows a special text such as "Any").
Inside the field, typing moves on by itself when a part is full; Ctrl+Left and Ctrl+Right
(or typing a space) move between the parts, and Up and Down change the part.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDateEdit, QWidget

#: Qt's spelling of the house date form (:func:`auditapp.rules.wording.day_text`): 1 Jan 2026.
DATE_FORMAT = "d MMM yyyy"
#: The floor of an optional date field; while it shows this date the field reads "Any".
NO_DATE = QDate(2000, 1, 1)
_NOT_TAB = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier


class DateField(QDateEdit):
    """A date field with a calendar, which Tab and Shift+Tab leave."""

    def event(self, event: QEvent) -> bool:  # noqa: D102 - Qt override
        if (isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
                and not event.modifiers() & _NOT_TAB):
            backwards = (event.key() == Qt.Key.Key_Backtab
                         or bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier))
            QWidget.focusNextPrevChild(self, not backwards)
            return True
        return super().event(event)


def date_edit(accessible_name: str, value: QDate | None = None) -> DateField:
    """A date field with a calendar, set to ``value`` (default today)."""
    edit = DateField(value if value is not None else QDate.currentDate())
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(DATE_FORMAT)
    edit.setAccessibleName(accessible_name)
    return edit


def optional_date_edit(accessible_name: str, empty_text: str = "Any") -> DateField:
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
