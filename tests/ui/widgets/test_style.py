"""The screens colour grades from the one palette the exports use, and every text they write
on a colour reads at WCAG AA contrast."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from pytestqt.qtbot import QtBot

from auditapp.models import AuditStatus
from auditapp.rules import palette
from auditapp.rules.grades import GRADES_BEST_FIRST, NOT_GRADED, Grade
from auditapp.services.reporting.figures import GradeTally
from auditapp.storage.engine import Database
from auditapp.ui.editor.navigator import GRADE_COLUMN
from auditapp.ui.editor.question_card import NEEDS_EVIDENCE_STYLE
from auditapp.ui.widgets.grades import GradeBadge
from auditapp.ui.widgets.style import (
    GRADE_COLOURS,
    NOT_GRADED_COLOUR,
    STATUS_LABELS,
    grade_colour,
    grade_text_colour,
)
from auditapp.ui.windows.actions_tracker import OVERDUE_BACKGROUND
from auditapp.ui.windows.dashboard import HeatTable
from auditapp.ui.windows.moderation import DIFFERS_BACKGROUND, DIFFERS_TEXT
from tests.builders import make_audit, open_editor


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


# --- WCAG AA contrast of every text the screens write on a colour ------------------------------
#
# The ratio is worked out here afresh (WCAG 2.x relative luminance), not with the app's own
# helper, so that a mistake in the helper cannot hide a bad pair.

AA_TEXT = 4.5
AA_NON_TEXT = 3.0  # an outline that means something (WCAG 1.4.11)


def _luminance(colour: QColor) -> float:
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    return (0.2126 * linear(colour.red()) + 0.7152 * linear(colour.green())
            + 0.0722 * linear(colour.blue()))


def ratio(first: QColor, second: QColor) -> float:
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _over(colour: QColor, base: QColor) -> QColor:
    alpha = colour.alpha() / 255
    return QColor(*(round(alpha * c + (1 - alpha) * b) for c, b in
                    ((colour.red(), base.red()), (colour.green(), base.green()),
                     (colour.blue(), base.blue()))))


def test_the_old_navigator_pairs_were_unreadable() -> None:
    """The attack: Good's green and Requires improvement's amber written on white, as the
    navigator wrote them after the palette changed."""
    white = QColor("#ffffff")
    assert ratio(GRADE_COLOURS[Grade.GOOD], white) < 2.5
    assert ratio(GRADE_COLOURS[Grade.REQUIRES_IMPROVEMENT], white) < 2.5


def test_the_navigator_writes_each_grade_readably(qtbot: QtBot, db: Database,
                                                 small_template_id: int) -> None:
    editor = open_editor(qtbot, db, make_audit(db, small_template_id))
    navigator = editor.navigator
    (section, *_rest) = navigator.section_ids()
    item = navigator.topLevelItem(0)
    for grade in (*Grade, None):
        for given, suggested in ((grade, None), (None, grade)):
            navigator.show_section(section, 0, 3, given, suggested)
            background = item.background(GRADE_COLUMN)
            if grade is None:
                assert background.style() == Qt.BrushStyle.NoBrush  # the list's own colours
                continue
            assert background.style() != Qt.BrushStyle.NoBrush  # on its fill, not on white
            text = item.foreground(GRADE_COLUMN).color()
            assert ratio(text, background.color()) >= AA_TEXT, (grade, given, suggested)


def test_grade_badges_are_readable() -> None:
    for grade in Grade:
        badge = GradeBadge()
        badge.set_grade(int(grade))
        style = badge.styleSheet()
        text = QColor(re.search(r"(?<!-)color: (#\w{6})", style).group(1))  # type: ignore[union-attr]
        fill = QColor(re.search(r"background: (#\w{6})", style).group(1))  # type: ignore[union-attr]
        assert ratio(text, fill) >= AA_TEXT, grade


def test_heat_table_cells_are_readable_at_every_share(qtbot: QtBot) -> None:
    table = HeatTable("Section grades")
    qtbot.addWidget(table)
    base = table.palette().color(QPalette.ColorRole.Base)
    tallies = []
    for share in range(0, 101, 5):
        for grade in GRADES_BEST_FIRST:
            counts = {g.label: 0 for g in GRADES_BEST_FIRST} | {NOT_GRADED: 0}
            counts[grade.label] = share
            counts[next(g for g in GRADES_BEST_FIRST if g != grade).label] = 100 - share
            tallies.append((GradeTally(f"{grade}-{share}", "row", counts), None))
    table.fill(tallies)
    for row in range(table.rowCount()):
        for column in range(1, table.columnCount()):
            item = table.item(row, column)
            shown = _over(item.background().color(), base)
            assert ratio(item.foreground().color(), shown) >= AA_TEXT, (row, column)


def test_other_marks_are_readable() -> None:
    white = QColor("#ffffff")
    assert ratio(DIFFERS_TEXT, DIFFERS_BACKGROUND) >= AA_TEXT  # moderation: "differs"
    assert ratio(QColor("#000000"), OVERDUE_BACKGROUND) >= AA_TEXT  # tracker: overdue
    assert ratio(QColor("#b03a2e"), white) >= AA_TEXT  # a question's "(critical)"
    assert ratio(QColor("#1b2631"), QColor("#eef3f8")) >= AA_TEXT  # guidance
    border = re.search(r"#\w{6}", NEEDS_EVIDENCE_STYLE)
    assert border is not None
    assert ratio(QColor(border.group(0)), white) >= AA_NON_TEXT  # evidence needed
