"""A section page of the editor: answering, evidence, the section's grade and comment,
driven with the mouse and the keyboard on a real database file."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from auditapp.rules.grades import Grade
from auditapp.services.audits.editing import load_audit
from auditapp.storage.engine import Database
from tests.builders import (
    ALT,
    LEAD,
    answer_button,
    choose_grade,
    click,
    click_card,
    first_page,
    make_audit,
    navigator_cell,
    open_editor,
    stored_answers,
    type_into,
    wait_saved,
)


@pytest.fixture
def audit(db: Database, small_template_id: int) -> int:
    return make_audit(db, small_template_id)


def test_answer_by_clicking_the_answer_buttons_and_clear(qtbot: QtBot, db: Database,
                                                         audit: int) -> None:
    editor = open_editor(qtbot, db, audit)
    card = first_page(editor).cards[1]
    click(qtbot, answer_button(card, "No"))
    assert card.response == "N"
    click(qtbot, answer_button(card, "Partly"))
    assert card.response == "P"
    wait_saved(qtbot, editor)
    assert stored_answers(db, audit)["A.2"] == ("P", "")
    assert navigator_cell(editor, 0, 1) == "1/3"
    click(qtbot, card.clear_button)
    assert card.response is None
    wait_saved(qtbot, editor)
    assert stored_answers(db, audit)["A.2"] == (None, "")
    assert navigator_cell(editor, 0, 1) == "0/3"


def test_digits_answer_the_focused_question_and_zero_clears(qtbot: QtBot, db: Database,
                                                            audit: int) -> None:
    editor = open_editor(qtbot, db, audit)
    card = first_page(editor).cards[2]  # A.3, on the two-answer 'met' scale
    click_card(qtbot, card)
    qtbot.keyClick(card, Qt.Key.Key_3)  # no third answer on this scale: nothing happens
    assert card.response is None
    qtbot.keyClick(card, Qt.Key.Key_1)
    assert card.response == "M"
    qtbot.keyClick(card, Qt.Key.Key_0)
    assert card.response is None
    qtbot.keyClick(card, Qt.Key.Key_2)
    wait_saved(qtbot, editor)
    assert stored_answers(db, audit)["A.3"] == ("NM", "")


def test_evidence_typed_is_saved_and_enter_leads_into_it(qtbot: QtBot, db: Database,
                                                        audit: int) -> None:
    editor = open_editor(qtbot, db, audit)
    card = first_page(editor).cards[0]
    click_card(qtbot, card)
    qtbot.keyClick(card, Qt.Key.Key_3)  # No: needs an evidence note, and the box says so
    assert card.evidence.styleSheet()
    qtbot.keyClick(card, Qt.Key.Key_Return)
    assert card.evidence.hasFocus()
    qtbot.keyClicks(card.evidence, "No plan on the file")
    wait_saved(qtbot, editor)
    assert stored_answers(db, audit)["A.1"] == ("N", "No plan on the file")
    type_into(qtbot, first_page(editor).cards[1].evidence, "Reviewed in March")
    wait_saved(qtbot, editor)
    assert stored_answers(db, audit)["A.2"] == (None, "Reviewed in March")


def test_g_and_the_guidance_button_show_the_guidance(qtbot: QtBot, db: Database,
                                                     audit: int) -> None:
    editor = open_editor(qtbot, db, audit)
    card = first_page(editor).cards[0]
    click_card(qtbot, card)
    qtbot.keyClick(card, Qt.Key.Key_G)
    assert card.guidance.isVisible()
    click(qtbot, card.guidance_button)
    assert not card.guidance.isVisible()


def test_suggested_grades_follow_the_answers(qtbot: QtBot, db: Database, audit: int) -> None:
    editor = open_editor(qtbot, db, audit)
    page = first_page(editor)
    click_card(qtbot, page.cards[0])
    for card in page.cards:
        qtbot.keyClick(card, Qt.Key.Key_1)
        qtbot.keyClick(card, Qt.Key.Key_Down)
    wait_saved(qtbot, editor)
    assert page.suggested.text() == "Good"
    assert page.grade.hasFocus()  # Down from the last question reaches the grade
    click_card(qtbot, page.cards[0])
    qtbot.keyClick(page.cards[0], Qt.Key.Key_3)  # critical question answered No
    wait_saved(qtbot, editor)
    assert page.suggested.text() == "Inadequate"
    assert navigator_cell(editor, 0, 2) == "(Inadequate)"  # suggested, not given


def test_section_grade_and_comment_are_saved(qtbot: QtBot, db: Database, audit: int) -> None:
    editor = open_editor(qtbot, db, audit)
    page = first_page(editor)
    choose_grade(qtbot, page.grade, "Requires improvement to be good")
    qtbot.keyClick(page, Qt.Key.Key_C, ALT)  # the comment's label: Alt+C
    assert page.comment.hasFocus()
    qtbot.keyClicks(page.comment, "Plan late but good")
    wait_saved(qtbot, editor)
    judgement = load_audit(db, audit, LEAD).judgements[page.section.id]
    assert (judgement.grade, judgement.comment) == (Grade.REQUIRES_IMPROVEMENT,
                                                    "Plan late but good")
    assert navigator_cell(editor, 0, 2) == "RI"
    qtbot.keyClick(page, Qt.Key.Key_G, ALT)  # the grade's label: Alt+G
    assert page.grade.hasFocus()
    choose_grade(qtbot, page.grade, "Outstanding")
    wait_saved(qtbot, editor)
    assert load_audit(db, audit, LEAD).judgements[page.section.id].grade == Grade.OUTSTANDING


def test_use_suggested_grade_copies_the_suggestion(qtbot: QtBot, db: Database,
                                                   audit: int) -> None:
    editor = open_editor(qtbot, db, audit)
    page = first_page(editor)
    click_card(qtbot, page.cards[0])
    for card in page.cards:
        qtbot.keyClick(card, Qt.Key.Key_1)
    wait_saved(qtbot, editor)
    assert page.grade.grade() is None
    click(qtbot, page.use_button)
    assert page.grade.grade() == Grade.GOOD
    wait_saved(qtbot, editor)
    assert load_audit(db, audit, LEAD).judgements[page.section.id].grade == Grade.GOOD
    assert navigator_cell(editor, 0, 2) == "Good"
