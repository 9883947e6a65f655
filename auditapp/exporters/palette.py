"""The colours every export gives the grades, so a grade looks the same everywhere."""

from __future__ import annotations

from auditapp.rules.grades import NOT_GRADED, Grade

#: Hex RGB by grade words: greens for Outstanding and Good, amber, red, grey.
GRADE_COLOURS = {
    Grade.OUTSTANDING.label: "1B7837",
    Grade.GOOD.label: "7FBC41",
    Grade.REQUIRES_IMPROVEMENT.label: "F1A340",
    Grade.INADEQUATE.label: "D73027",
    NOT_GRADED: "BDBDBD",
}
#: Text colour that reads on each grade colour.
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
