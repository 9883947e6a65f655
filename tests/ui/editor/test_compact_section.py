"""A section on one screen: at 1366x768 and 100 % a seven-question section of the shipped
pathway plan template fits without scrolling, each question's text and answers on one row,
the evidence box one line until it is used and growing as it is typed; the navigator shows
whole section titles at 100 % and 125 %."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QStyle
from pytestqt.qtbot import QtBot

from auditapp.services.templates import find_template_id, install_shipped_templates
from auditapp.storage.engine import Database
from auditapp.ui.editor.question_card import NEEDS_EVIDENCE_STYLE
from auditapp.ui.editor.section_page import SectionPage
from auditapp.ui.editor.window import AuditEditorWindow
from tests.builders import (
    LAPTOP,
    LONG,
    answer,
    answer_button,
    click,
    current_page,
    first_page,
    make_audit,
    open_editor,
    type_into,
)


@pytest.fixture
def editor(qtbot: QtBot, db: Database) -> AuditEditorWindow:
    """A new audit on the shipped pathway plan template; its first section has seven
    questions, as a typical section does."""
    install_shipped_templates(db)
    audit = make_audit(db, find_template_id(db, "pathway-plan-quality"))
    return open_editor(qtbot, db, audit)


def _settle(qtbot: QtBot, editor: AuditEditorWindow, size: str) -> SectionPage:
    editor.resize(LAPTOP[size])
    qtbot.waitUntil(lambda: editor.size() == LAPTOP[size])
    qtbot.wait(10)  # one pass of the event loop lays the page out at its new size
    return current_page(editor, SectionPage)


def test_a_seven_question_section_fits_without_scrolling(qtbot: QtBot,
                                                        editor: AuditEditorWindow) -> None:
    page = _settle(qtbot, editor, "100%")
    assert len(page.cards) == 7
    assert page.scroll_area.verticalScrollBar().maximum() == 0  # nothing to scroll
    viewport = page.scroll_area.viewport()
    for widget in (*page.cards, page.grade, page.comment):
        bottom = widget.mapTo(viewport, widget.rect().bottomLeft()).y()
        assert 0 <= bottom < viewport.height(), widget.accessibleName()
    for card in page.cards:  # the answers sit on the question's row, not under it
        button = answer_button(card, card.question.scale[0]["label"])
        middle = button.mapTo(card, button.rect().center()).y()
        assert card.title.y() <= middle <= card.title.geometry().bottom(), card.question.key
        assert not card.guidance.isVisible()  # guidance on demand (G)


def test_guidance_shows_on_demand(qtbot: QtBot, editor: AuditEditorWindow) -> None:
    card = first_page(editor).cards[0]
    assert card.hasFocus()
    qtbot.keyClick(card, Qt.Key.Key_G)
    assert card.guidance.isVisible() and card.guidance.text() == card.question.guidance
    qtbot.keyClick(card, Qt.Key.Key_G)
    assert not card.guidance.isVisible()


def test_the_evidence_box_is_one_line_until_used_and_grows_as_you_type(
        qtbot: QtBot, editor: AuditEditorWindow) -> None:
    page = _settle(qtbot, editor, "100%")
    box = page.cards[0].evidence
    line = box.fontMetrics().lineSpacing()
    one_line = box.height()
    assert box.lines() == 1 and one_line < 2 * line
    type_into(qtbot, box, "Plan dated 3 March")
    assert box.height() == one_line
    assert box.verticalScrollBar().maximum() == 0  # no scroll bar beside a line that fits
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.keyClicks(box, "Reviewed at the LAC review")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.keyClicks(box, "Young person's signature on page 4")
    assert box.lines() == 3 and box.height() == one_line + 2 * line
    for _ in range(10):  # at most eight lines high; then the box scrolls
        qtbot.keyClick(box, Qt.Key.Key_Return)
        qtbot.keyClicks(box, "more")
    assert box.height() == one_line + 7 * line
    qtbot.keyClick(box, Qt.Key.Key_Tab)  # Tab leaves it, typing no tab
    assert page.cards[1].hasFocus() and "\t" not in box.toPlainText()


def test_a_note_wrapped_onto_more_lines_by_a_narrower_window_shows_whole(
        qtbot: QtBot, db: Database) -> None:
    """At 125 % a saved note that wrapped onto a second line showed half of it."""
    install_shipped_templates(db)
    audit = make_audit(db, find_template_id(db, "pathway-plan-quality"))
    note = "Clearly recorded in the current plan and reviewed at the last meeting. " * 2
    answer(db, audit, "S1.1", "Y", note.strip())
    editor = open_editor(qtbot, db, audit)
    box = _settle(qtbot, editor, "100%").cards[0].evidence
    line = box.fontMetrics().lineSpacing()
    wide = box.lines()
    _settle(qtbot, editor, "125%")
    qtbot.waitUntil(lambda: box.lines() > wide, timeout=LONG)
    assert box.lines() <= 8
    qtbot.waitUntil(lambda: box.height() >= box.lines() * line, timeout=LONG)
    assert box.verticalScrollBar().maximum() == 0  # every line of it on show


def test_the_outline_asking_for_evidence_goes_as_the_note_is_typed(
        qtbot: QtBot, editor: AuditEditorWindow) -> None:
    card = first_page(editor).cards[1]
    click(qtbot, answer_button(card, "No"))
    assert card.evidence.styleSheet() == NEEDS_EVIDENCE_STYLE
    assert card.evidence.accessibleDescription() == "An evidence note is needed."
    type_into(qtbot, card.evidence, "N")  # the first letter, before any save
    assert card.evidence.styleSheet() == ""
    assert card.evidence.accessibleDescription() == ""


@pytest.mark.parametrize("size", sorted(LAPTOP))
def test_the_navigator_shows_whole_section_titles(qtbot: QtBot, editor: AuditEditorWindow,
                                                 size: str) -> None:
    _settle(qtbot, editor, size)
    tree = editor.navigator
    metrics = tree.fontMetrics()
    for row in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(row)
        rect = tree.visualItemRect(item)
        margin = tree.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None,
                                          tree) + 1  # as Qt's style draws an item's text
        width = tree.columnWidth(0) - 2 * margin
        needed = metrics.boundingRect(QRect(0, 0, width, 10_000),
                                      int(Qt.TextFlag.TextWordWrap), item.text(0))
        assert needed.height() <= rect.height(), item.text(0)
        assert tree.textElideMode() == Qt.TextElideMode.ElideNone
