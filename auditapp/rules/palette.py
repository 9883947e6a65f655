"""How grades look: one colour per grade, the same on every screen and in every export.

Colours are hex RGB strings without a ``#`` (as the workbook writer takes them); screens and
PDFs put one in front. Greens for Outstanding and Good, amber for Requires improvement, red
for Inadequate, grey for no grade.
"""

from __future__ import annotations

from auditapp.rules.grades import NOT_GRADED, Grade, grade_label

#: The fill of each grade, by its words.
GRADE_COLOURS = {
    Grade.OUTSTANDING.label: "1B7837",
    Grade.GOOD.label: "7FBC41",
    Grade.REQUIRES_IMPROVEMENT.label: "F1A340",
    Grade.INADEQUATE.label: "D73027",
    NOT_GRADED: "BDBDBD",
}
#: The text colour that reads on each grade's fill.
GRADE_TEXT_COLOURS = {
    Grade.OUTSTANDING.label: "FFFFFF",
    Grade.GOOD.label: "000000",
    Grade.REQUIRES_IMPROVEMENT.label: "000000",
    Grade.INADEQUATE.label: "FFFFFF",
    NOT_GRADED: "000000",
}
HEADER_FILL = "1F3864"
HEADER_TEXT = "FFFFFF"
WITHHELD = "D9D9D9"  # a figure withheld to protect small numbers


def grade_colour(value: int | None) -> str:
    """The fill of a stored grade (the grey of no grade for None)."""
    return GRADE_COLOURS[grade_label(value)]


def grade_text_colour(value: int | None) -> str:
    """The text colour that reads on :func:`grade_colour`."""
    return GRADE_TEXT_COLOURS[grade_label(value)]
