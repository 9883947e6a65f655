"""An action raised from a question: A on the focused question, or its Action… button; the
dialog comes tied to the question, with its text as context, checks every rule before it
closes, and keeps everything typed when it refuses; the keyboard goes back to the question."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from auditapp.models import ActionPriority
from auditapp.services.audits.editing import load_audit
from auditapp.storage.engine import Database
from auditapp.ui.editor.action_dialog import ActionDialog
from auditapp.ui.editor.actions_page import ActionsPage
from tests.builders import (
    LEAD,
    LONG,
    choose,
    choose_page,
    click,
    first_page,
    make_audit,
    modal_dialog,
    open_editor,
    question_ids,
    submitted_audit,
    type_date,
    type_into,
)

TODAY = date.today()


@pytest.fixture
def audit(db: Database, small_template_id: int) -> int:
    return make_audit(db, small_template_id)


def test_a_on_a_question_raises_an_action_tied_to_it(qtbot: QtBot, db: Database,
                                                     audit: int) -> None:
    editor = open_editor(qtbot, db, audit)
    card = first_page(editor).cards[1]  # A.2
    card.setFocus()
    qtbot.keyClick(card, Qt.Key.Key_3)  # No
    qtbot.keyClick(card, Qt.Key.Key_A)
    dialog = modal_dialog(qtbot, ActionDialog)
    assert dialog.question.currentData() == question_ids(db, audit)["A.2"]
    assert "About question A.2" in dialog.context.text()
    assert card.question.text in dialog.context.text()
    assert dialog.text.hasFocus()  # straight to saying what must happen
    qtbot.keyClicks(dialog.text, "Book the overdue review")
    qtbot.keyClick(dialog.text, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.owner, "Personal adviser")
    qtbot.keyClick(dialog.owner, Qt.Key.Key_Return)  # Enter is OK
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None, timeout=LONG)
    (saved,) = load_audit(db, audit, LEAD).actions
    assert (saved.text, saved.owner, saved.question_id) == (
        "Book the overdue review", "Personal adviser", question_ids(db, audit)["A.2"])
    qtbot.waitUntil(card.hasFocus, timeout=LONG)  # back on the question, for the next answer
    assert "1 in this audit" in editor.statusBar().currentMessage()
    actions = choose_page(qtbot, editor, "Actions", ActionsPage)
    assert actions.model.rowCount() == 1


def test_the_action_button_on_a_card_and_a_refusal_that_keeps_everything(
        qtbot: QtBot, db: Database, audit: int) -> None:
    editor = open_editor(qtbot, db, audit)
    card = first_page(editor).cards[0]  # A.1, critical
    click(qtbot, card.action_button)
    dialog = modal_dialog(qtbot, ActionDialog)
    assert "About question A.1" in dialog.context.text()
    type_into(qtbot, dialog.text, "Safety plan before the weekend")
    type_into(qtbot, dialog.owner, "Duty social worker")
    choose(qtbot, dialog.priority, "Immediate")
    type_date(qtbot, dialog.due, TODAY + timedelta(days=30))  # too late for immediate
    click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Ok))
    assert "within five working days" in dialog.message.text()
    assert dialog.isVisible()
    assert (dialog.text.toPlainText(), dialog.owner.text()) == (
        "Safety plan before the weekend", "Duty social worker")
    assert dialog.question.currentData() == card.question.id  # still tied to A.1
    assert load_audit(db, audit, LEAD).actions == ()
    type_date(qtbot, dialog.due, TODAY + timedelta(days=1))
    click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Ok))
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None, timeout=LONG)
    (saved,) = load_audit(db, audit, LEAD).actions
    assert (saved.priority, saved.due_date, saved.question_id) == (
        ActionPriority.IMMEDIATE, TODAY + timedelta(days=1), card.question.id)


def test_a_submitted_audit_takes_no_action_from_a_question(
        qtbot: QtBot, db: Database, small_template_id: int) -> None:
    audit = submitted_audit(db, small_template_id)
    editor = open_editor(qtbot, db, audit)
    card = first_page(editor).cards[0]
    assert not card.action_button.isEnabled()
    card.setFocus()
    qtbot.keyClick(card, Qt.Key.Key_A)
    assert QApplication.activeModalWidget() is None
