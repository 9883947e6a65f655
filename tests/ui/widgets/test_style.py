"""The screens colour grades from the one palette the exports use."""

from __future__ import annotations

from auditapp.models import AuditStatus
from auditapp.rules import palette
from auditapp.rules.grades import Grade
from auditapp.ui.widgets.style import (
    GRADE_COLOURS,
    NOT_GRADED_COLOUR,
    STATUS_LABELS,
    grade_colour,
    grade_text_colour,
)


def test_screen_colours_are_the_palette() -> None:
    for grade in Grade:
        assert GRADE_COLOURS[grade].name().upper() == f"#{palette.grade_colour(grade)}"
        assert grade_colour(int(grade)) == GRADE_COLOURS[grade]
        assert grade_text_colour(int(grade)).name().upper() == \
            f"#{palette.grade_text_colour(grade)}"
    assert NOT_GRADED_COLOUR.name().upper() == f"#{palette.grade_colour(None)}"
    assert grade_colour(None) is None


def test_every_status_has_its_words() -> None:
    assert STATUS_LABELS == {"draft": "Draft", "submitted": "Submitted",
                             "moderated": "Moderated", "closed": "Closed"}
    assert set(STATUS_LABELS) == {s.value for s in AuditStatus}
