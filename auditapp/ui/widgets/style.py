"""Colours and small visual helpers shared by every screen."""

from __future__ import annotations

from PySide6.QtGui import QColor

from auditapp.models import AuditStatus
from auditapp.rules import palette
from auditapp.rules.grades import Grade

#: The grades' colours on screen: those of :mod:`auditapp.rules.palette`, as in every export.
GRADE_COLOURS = {grade: QColor(f"#{palette.grade_colour(grade)}") for grade in Grade}
NOT_GRADED_COLOUR = QColor(f"#{palette.grade_colour(None)}")
#: Status words as users read them.
STATUS_LABELS = {status.value: status.value.capitalize() for status in AuditStatus}


def grade_colour(value: int | None) -> QColor | None:
    """The colour for a stored grade, or None when there is none."""
    return GRADE_COLOURS[Grade(value)] if value is not None else None


def grade_text_colour(value: int | None) -> QColor:
    """The text colour that reads on :func:`grade_colour`."""
    return QColor(f"#{palette.grade_text_colour(value)}")
