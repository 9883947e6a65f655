"""The auditor's editor, driven through its real widgets on a real database file."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from auditapp.rules.grades import Grade
from auditapp.services.audits.editing import ActionInput, add_action, load_audit
from auditapp.storage.engine import Database
from auditapp.ui.editor.actions_page import ActionsPage
from auditapp.ui.editor.navigator import ACTIONS_PAGE, OVERALL_PAGE
from auditapp.ui.editor.overall_page import OverallPage
from auditapp.ui.editor.section_page import SectionPage
from auditapp.ui.editor.window import AuditEditorWindow
from auditapp.ui.widgets import alerts
from tests.builders import (
    ALEX,
    first_page,
    make_audit,
    open_editor,
    stored_answers,
    unnamed_controls,
    wait_saved,
)


@pytest.fixture
def audit(db: Database, small_template_id: int) -> int:
    return make_audit(db, small_template_id)


def test_answer_by_keyboard_and_find_it_again_in_a_fresh_window(
        qtbot: QtBot, db: Database, audit: int) -> None:
    editor = open_editor(qtbot, db, audit)
    page = first_page(editor)
    page.cards[0].setFocus()
    qtbot.keyClick(page.cards[0], Qt.Key.Key_1)          # A.1: Yes
    qtbot.keyClick(page.cards[0], Qt.Key.Key_Down)
    assert page.cards[1].hasFocus()
    qtbot.keyClick(page.cards[1], Qt.Key.Key_3)          # A.2: No
    qtbot.keyClick(page.cards[1], Qt.Key.Key_Return)     # into the evidence note
    assert page.cards[1].evidence.hasFocus()
    qtbot.keyClicks(page.cards[1].evidence, "Review overdue by 3 weeks")
    qtbot.keyClick(page.cards[2], Qt.Key.Key_2)          # A.3 on the 'met' scale: Not met
    wait_saved(qtbot, editor)
    assert editor.save_label.text().startswith("Saved at")
    answers = stored_answers(db, audit)
    assert answers["A.1"] == ("Y", "")
    assert answers["A.2"] == ("N", "Review overdue by 3 weeks")
    assert answers["A.3"] == ("NM", "")
    editor.close()

    again = open_editor(qtbot, db, audit)
    cards = first_page(again).cards
    assert [c.response for c in cards] == ["Y", "N", "NM"]
    assert cards[1].evidence.toPlainText() == "Review overdue by 3 weeks"
    assert again.navigator.topLevelItem(0).text(1) == "3/3"


def test_suggested_grades_follow_the_answers(qtbot: QtBot, db: Database, audit: int) -> None:
    editor = open_editor(qtbot, db, audit)
    page = first_page(editor)
    for card in page.cards[:2]:
        card.setFocus()
        qtbot.keyClick(card, Qt.Key.Key_1)
    qtbot.keyClick(page.cards[2], Qt.Key.Key_1)
    wait_saved(qtbot, editor)
    assert page.suggested.text() == "Good"
    page.cards[0].setFocus()
    qtbot.keyClick(page.cards[0], Qt.Key.Key_3)  # critical question answered No
    wait_saved(qtbot, editor)
    assert page.suggested.text() == "Inadequate"


def test_undo_and_redo_answers_and_grades(qtbot: QtBot, db: Database, audit: int) -> None:
    editor = open_editor(qtbot, db, audit)
    page = first_page(editor)
    card = page.cards[0]
    card.setFocus()
    qtbot.keyClick(card, Qt.Key.Key_1)
    qtbot.keyClick(card, Qt.Key.Key_2)
    assert card.response == "P"
    qtbot.keyClick(card, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert card.response == "Y"
    qtbot.keyClick(card, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert card.response is None
    qtbot.keyClick(card, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert card.response == "Y"
    wait_saved(qtbot, editor)
    assert stored_answers(db, audit)["A.1"][0] == "Y"
    editor.request_section_grade(page.section.id, int(Grade.GOOD))
    assert page.grade.grade() == Grade.GOOD
    editor.undo_stack.undo()
    assert page.grade.grade() is None
    wait_saved(qtbot, editor)
    assert load_audit(db, audit).judgements[page.section.id].grade is None


def test_closing_with_a_change_pending_saves_it(qtbot: QtBot, db: Database,
                                               audit: int) -> None:
    editor = open_editor(qtbot, db, audit)
    card = first_page(editor).cards[0]
    card.setFocus()
    qtbot.keyClick(card, Qt.Key.Key_2)
    qtbot.keyClicks(card.evidence, "Partly")
    assert editor.autosaver.has_unsaved  # the autosave timer has not fired yet
    editor.close()
    assert stored_answers(db, audit)["A.1"] == ("P", "Partly")


def test_submit_is_blocked_and_every_problem_is_a_link(
        qtbot: QtBot, db: Database, audit: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(alerts, "ask", lambda *a, **k: pytest.fail("must not ask to submit"))
    editor = open_editor(qtbot, db, audit)
    card = first_page(editor).cards[0]
    card.setFocus()
    qtbot.keyClick(card, Qt.Key.Key_3)  # No, without evidence
    editor.submit_action.trigger()
    assert editor.problems_dock.isVisible()
    messages = [editor.problems_dock.problem_list.item(i).text().split(" – ")[0]
                for i in range(editor.problems_dock.problem_list.count())]
    assert "A.1: answered 'No' without an evidence note" in messages
    assert "A.2: not answered" in messages
    assert "No overall grade given" in messages
    evidence_item = editor.problems_dock.problem_list.item(messages.index(
        "A.1: answered 'No' without an evidence note"))
    editor.problems_dock.problem_list.itemClicked.emit(evidence_item)
    assert first_page(editor).cards[0].evidence.hasFocus()
    b_item = next(editor.problems_dock.problem_list.item(i) for i, m in enumerate(messages)
                  if m.startswith("B.1"))
    editor.problems_dock.problem_list.itemClicked.emit(b_item)
    page = editor.stack.currentWidget()
    assert isinstance(page, SectionPage)
    assert page.section.key == "B"
    assert page.cards[0].hasFocus()
    overall_item = editor.problems_dock.problem_list.item(messages.index("No overall grade given"))
    editor.problems_dock.problem_list.itemClicked.emit(overall_item)
    assert isinstance(editor.stack.currentWidget(), OverallPage)
    assert load_audit(db, audit).status == "draft"


def _complete_through_the_ui(qtbot: QtBot, editor: AuditEditorWindow) -> None:
    for index in range(editor.navigator.topLevelItemCount()):
        key = editor.navigator.topLevelItem(index).data(0, Qt.ItemDataRole.UserRole)
        page = editor.show_page(key)
        if isinstance(page, SectionPage):
            for card in page.cards:
                card.setFocus()
                qtbot.keyClick(card, Qt.Key.Key_1)
            wait_saved(qtbot, editor)
            page.use_button.click()
    wait_saved(qtbot, editor)
    overall = editor.show_page(OVERALL_PAGE)
    assert isinstance(overall, OverallPage)
    overall.use_button.click()
    qtbot.keyClicks(overall.narrative["strengths"], "Warm relationship with the PA.")


def test_complete_audit_submits_and_becomes_read_only(
        qtbot: QtBot, db: Database, audit: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(alerts, "ask", lambda *a, **k: True)
    editor = open_editor(qtbot, db, audit)
    _complete_through_the_ui(qtbot, editor)
    with qtbot.waitSignal(editor.audit_changed):
        editor.submit_action.trigger()
    assert not editor.problems_dock.isVisible()
    document = load_audit(db, audit)
    assert document.status == "submitted"
    assert document.overall_grade == Grade.GOOD
    assert document.strengths == "Warm relationship with the PA."
    assert editor.banner.isVisible()
    assert not editor.submit_action.isEnabled()
    page = editor.show_page(editor.navigator.topLevelItem(0).data(0, Qt.ItemDataRole.UserRole))
    assert isinstance(page, SectionPage)
    card = page.cards[0]
    card.setFocus()
    qtbot.keyClick(card, Qt.Key.Key_3)
    assert card.response == "Y"  # keys do nothing on a submitted audit
    assert card.evidence.isReadOnly()
    assert not page.grade.isEnabled()
    editor.close()
    assert stored_answers(db, audit)["A.1"][0] == "Y"


def test_actions_page_lists_actions(qtbot: QtBot, db: Database, audit: int) -> None:
    add_action(db, audit, ActionInput("Book a review", "PA A", date(2026, 4, 1)), ALEX)
    editor = open_editor(qtbot, db, audit)
    page = editor.show_page(ACTIONS_PAGE)
    assert isinstance(page, ActionsPage)
    assert page.model.rowCount() == 1
    assert page.model.index(0, 1).data() == "PA A"




def test_every_control_has_an_accessible_name(qtbot: QtBot, db: Database, audit: int) -> None:
    editor = open_editor(qtbot, db, audit)
    for index in range(editor.navigator.topLevelItemCount()):
        editor.show_page(editor.navigator.topLevelItem(index).data(0, Qt.ItemDataRole.UserRole))
    assert unnamed_controls(editor) == []
