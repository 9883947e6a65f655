"""The action dialog, opened from the actions page as a user opens it: what it refuses, and
that a refusal keeps everything typed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QPushButton
from pytestqt.qtbot import QtBot

from auditapp.models import ActionPriority
from auditapp.services.audits.editing import load_audit
from auditapp.storage.engine import Database
from auditapp.ui.editor.action_dialog import ActionDialog
from auditapp.ui.editor.actions_page import ActionsPage
from auditapp.ui.editor.window import AuditEditorWindow
from tests.builders import (
    PATIENCE_MS,
    choose_page,
    click,
    make_audit,
    modal_dialog,
    open_editor,
    type_into,
)

OK = QDialogButtonBox.StandardButton.Ok
CANCEL = QDialogButtonBox.StandardButton.Cancel


@pytest.fixture
def audit(db: Database, small_template_id: int) -> int:
    return make_audit(db, small_template_id)


def _open_add_dialog(qtbot: QtBot, editor: AuditEditorWindow) -> ActionDialog:
    click(qtbot, choose_page(qtbot, editor, "Actions", ActionsPage).add_button)
    return modal_dialog(qtbot, ActionDialog)


def _button(dialog: ActionDialog, which: QDialogButtonBox.StandardButton) -> QPushButton:
    return dialog.buttons.button(which)


def test_an_immediate_action_due_too_late_is_refused_keeping_what_was_typed(
        qtbot: QtBot, db: Database, audit: int) -> None:
    editor = open_editor(qtbot, db, audit)
    dialog = _open_add_dialog(qtbot, editor)
    assert dialog.priority.currentData() == ActionPriority.IMMEDIATE  # the first priority
    assert dialog.has_due.isChecked()  # due in four weeks: too late for an immediate action
    type_into(qtbot, dialog.text, "Safety plan for the weekend")
    type_into(qtbot, dialog.owner, "Duty social worker")
    click(qtbot, _button(dialog, OK))
    assert "within five working days" in dialog.message.text()
    assert dialog.isVisible()
    assert dialog.text.toPlainText() == "Safety plan for the weekend"
    assert dialog.owner.text() == "Duty social worker"
    assert load_audit(db, audit).actions == ()

    click(qtbot, dialog.has_due)  # no due date at all: refused too, still open
    assert not dialog.due.isEnabled()
    click(qtbot, _button(dialog, OK))
    assert "needs a due date" in dialog.message.text()
    assert dialog.isVisible()
    click(qtbot, dialog.has_due)
    assert dialog.due.isEnabled()
    qtbot.keyClick(dialog.priority, Qt.Key.Key_Down)  # High: four weeks is fine
    assert dialog.priority.currentData() == ActionPriority.HIGH
    click(qtbot, _button(dialog, OK))
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None, timeout=PATIENCE_MS)
    (saved,) = load_audit(db, audit).actions
    assert (saved.text, saved.owner, saved.priority) == (
        "Safety plan for the weekend", "Duty social worker", ActionPriority.HIGH)


def test_an_action_needs_to_say_what_must_happen(qtbot: QtBot, db: Database,
                                                 audit: int) -> None:
    editor = open_editor(qtbot, db, audit)
    dialog = _open_add_dialog(qtbot, editor)
    type_into(qtbot, dialog.owner, "Personal adviser")
    click(qtbot, _button(dialog, OK))
    assert dialog.message.text() == "Say what must happen."
    assert dialog.text.hasFocus()
    assert dialog.isVisible()
    click(qtbot, _button(dialog, CANCEL))
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None, timeout=PATIENCE_MS)
    assert load_audit(db, audit).actions == ()
