"""The one grade palette: a colour for every grade and for none, as hex, with readable text."""

from __future__ import annotations

import re

from auditapp.rules import palette
from auditapp.rules.grades import NOT_GRADED, Grade

HEX = re.compile(r"^[0-9A-F]{6}$")


def _luminance(colour: str) -> float:
    """WCAG relative luminance of a hex colour."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_every_grade_and_no_grade_has_a_fill_and_a_text_colour_in_hex() -> None:
    names = {g.label for g in Grade} | {NOT_GRADED}
    assert set(palette.GRADE_COLOURS) == names == set(palette.GRADE_TEXT_COLOURS)
    colours = [*palette.GRADE_COLOURS.values(), *palette.GRADE_TEXT_COLOURS.values(),
               palette.HEADER_FILL, palette.HEADER_TEXT, palette.WITHHELD]
    assert all(HEX.match(c) for c in colours)


def test_grades_are_told_apart_by_colour() -> None:
    assert len(set(palette.GRADE_COLOURS.values())) == len(palette.GRADE_COLOURS)


def test_stored_grades_find_their_colours() -> None:
    assert palette.grade_colour(int(Grade.INADEQUATE)) == "D73027"
    assert palette.grade_colour(None) == palette.GRADE_COLOURS[NOT_GRADED]
    assert palette.grade_text_colour(int(Grade.OUTSTANDING)) == "FFFFFF"


def test_text_on_each_fill_has_at_least_the_contrast_of_large_text() -> None:
    """WCAG 2 asks 3:1 for large or bold text, which is how grades are written on their
    colours (badges, the PDF's grade boxes)."""
    for name, fill in palette.GRADE_COLOURS.items():
        lighter, darker = sorted((_luminance(fill),
                                  _luminance(palette.GRADE_TEXT_COLOURS[name])), reverse=True)
        assert (lighter + 0.05) / (darker + 0.05) >= 3, name
