"""Colours and small visual helpers shared by every screen."""

from __future__ import annotations

from PySide6.QtGui import QColor

from auditapp.rules.grades import Grade

#: One colour per grade, the same in every list, chart and export preview. Chosen to stay
#: distinguishable for the common forms of colour blindness (blue / teal / amber / red).
GRADE_COLOURS = {
    Grade.OUTSTANDING: QColor("#1f5fa8"),
    Grade.GOOD: QColor("#2e8b57"),
    Grade.REQUIRES_IMPROVEMENT: QColor("#d68910"),
    Grade.INADEQUATE: QColor("#c0392b"),
}
#: Status words as users read them.
STATUS_LABELS = {"draft": "Draft", "submitted": "Submitted", "moderated": "Moderated",
                 "closed": "Closed"}


def grade_colour(value: int | None) -> QColor | None:
    """The colour for a stored grade, or None when there is none."""
    return GRADE_COLOURS[Grade(value)] if value is not None else None
