"""Colours and small visual helpers shared by every screen.

Every text drawn on a colour from the grade palette is checked for WCAG AA contrast (4.5:1)
by tests/ui/widgets/test_style.py: a grade is written on its fill in the palette's text
colour for it, never as coloured text on white (Good's green and Requires improvement's
amber read at about 2:1 on white); shaded cells get black or white, whichever reads.
"""

from __future__ import annotations

from PySide6.QtGui import QColor

from auditapp.models.enums import AuditStatus
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


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4


def luminance(colour: QColor) -> float:
    """WCAG 2 relative luminance of an opaque colour."""
    red, green, blue = (_linear(c) for c in (colour.redF(), colour.greenF(), colour.blueF()))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: QColor, second: QColor) -> float:
    """WCAG 2 contrast ratio of two opaque colours (1 to 21; AA asks 4.5 for text)."""
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def blended(colour: QColor, base: QColor) -> QColor:
    """A translucent colour as it shows over an opaque ``base``."""
    alpha = colour.alphaF()
    return QColor.fromRgbF(*(alpha * c + (1 - alpha) * b for c, b in
                             ((colour.redF(), base.redF()), (colour.greenF(), base.greenF()),
                              (colour.blueF(), base.blueF()))))


def readable_on(background: QColor) -> QColor:
    """Black or white, whichever reads better on ``background`` (at least 4.58:1)."""
    black, white = QColor("#000000"), QColor("#ffffff")
    return black if contrast(black, background) >= contrast(white, background) else white
