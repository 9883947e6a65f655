"""The action dialog: opened from the actions page as a user opens it (what it refuses, and
that a refusal keeps everything typed), and on its own, filled from the keyboard."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QPushButton
from pytestqt.qtbot import QtBot

from auditapp.models import ActionPriority, ActionStatus
from auditapp.rules.actions import add_working_days
from auditapp.rules.wording import day_text
from auditapp.services.audits.editing import ActionInput, add_action, load_audit
from auditapp.services.templates import template_info
from auditapp.storage.engine import Database
from auditapp.ui.editor.action_dialog import SUGGESTED_DUE_DAYS, ActionDialog
from auditapp.ui.editor.actions_page import ActionsPage
from auditapp.ui.editor.window import AuditEditorWindow
from auditapp.ui.widgets import alerts
from auditapp.ui.widgets.dates import picked_date
from tests.builders import (
    ALEX,
    LEAD,
    LONG,
    answer_dialogs,
    answering,
    choose,
    choose_page,
    click,
    focus,
    make_audit,
    modal_dialog,
    open_editor,
    press,
    question_ids,
    type_date,
    type_into,
    type_text,
)

TODAY = date.today()
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


def test_the_defaults_pass_every_rule_and_a_refusal_keeps_what_was_typed(
        qtbot: QtBot, db: Database, audit: int) -> None:
    editor = open_editor(qtbot, db, audit)
    dialog = _open_add_dialog(qtbot, editor)
    assert dialog.priority.currentData() == ActionInput("").priority == ActionPriority.NORMAL
    assert dialog.has_due.isChecked()
    assert picked_date(dialog.due) == TODAY + timedelta(days=SUGGESTED_DUE_DAYS)
    type_into(qtbot, dialog.text, "Safety plan for the weekend")
    type_into(qtbot, dialog.owner, "Duty social worker")
    choose(qtbot, dialog.priority, "Immediate")  # brings the due date forward
    latest = add_working_days(TODAY, 5)
    assert picked_date(dialog.due) == latest
    assert day_text(latest) in dialog.hint.text()
    type_date(qtbot, dialog.due, TODAY + timedelta(days=20))
    assert "within five working days" in dialog.hint.text()  # said before OK
    click(qtbot, _button(dialog, OK))
    assert "within five working days" in dialog.message.text()
    assert dialog.isVisible()
    assert dialog.text.toPlainText() == "Safety plan for the weekend"
    assert dialog.owner.text() == "Duty social worker"
    assert load_audit(db, audit, LEAD).actions == ()

    click(qtbot, dialog.has_due)  # no due date at all: refused too, still open
    assert not dialog.due.isEnabled()
    assert "A due date: needed before the audit can be submitted" in dialog.hint.text()
    click(qtbot, _button(dialog, OK))
    assert "needs a due date" in dialog.message.text()
    assert dialog.isVisible()
    click(qtbot, dialog.has_due)
    assert dialog.due.isEnabled()
    qtbot.keyClick(dialog.priority, Qt.Key.Key_Down)  # High: twenty days is fine
    assert dialog.priority.currentData() == ActionPriority.HIGH
    click(qtbot, _button(dialog, OK))
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None, timeout=LONG)
    (saved,) = load_audit(db, audit, LEAD).actions
    assert (saved.text, saved.owner, saved.priority, saved.due_date) == (
        "Safety plan for the weekend", "Duty social worker", ActionPriority.HIGH,
        TODAY + timedelta(days=20))


def test_the_defaults_saved_as_they_are(qtbot: QtBot, db: Database, audit: int) -> None:
    """A new action left at its defaults is one the domain accepts (it refused them once)."""
    editor = open_editor(qtbot, db, audit)
    dialog = _open_add_dialog(qtbot, editor)
    type_into(qtbot, dialog.text, "Review the plan with the young person")
    assert "An owner: needed before the audit can be submitted" in dialog.hint.text()
    qtbot.keyClick(dialog.owner, Qt.Key.Key_Return)  # Enter is OK
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None, timeout=LONG)
    (saved,) = load_audit(db, audit, LEAD).actions
    assert (saved.priority, saved.due_date) == (
        ActionPriority.NORMAL, TODAY + timedelta(days=SUGGESTED_DUE_DAYS))


def test_an_action_needs_to_say_what_must_happen(qtbot: QtBot, db: Database, audit: int,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr(alerts, "ask", answering(asked, True))
    editor = open_editor(qtbot, db, audit)
    dialog = _open_add_dialog(qtbot, editor)
    type_into(qtbot, dialog.owner, "Personal adviser")
    click(qtbot, _button(dialog, OK))
    assert dialog.message.text() == "Say what must happen."
    assert dialog.text.hasFocus()
    assert dialog.isVisible()
    click(qtbot, _button(dialog, CANCEL))
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None, timeout=LONG)
    assert asked == ["Discard this action?"]  # an owner was typed
    assert load_audit(db, audit, LEAD).actions == ()



def run(qtbot: QtBot, dialog: ActionDialog, handler: object) -> int:
    """exec() the dialog, as the editor does, answered by the handler."""
    qtbot.addWidget(dialog)
    with answer_dialogs(qtbot, handler):  # type: ignore[arg-type]
        return dialog.exec()


def _question_text(dialog: ActionDialog, key: str) -> str:
    return next(dialog.question.itemText(i) for i in range(dialog.question.count())
                if dialog.question.itemText(i).startswith(f"{key} "))


def test_filled_from_the_keyboard_ok_returns_what_was_typed(
        qtbot: QtBot, db: Database, small_template_id: int) -> None:
    template = template_info(db, small_template_id)
    due = TODAY + timedelta(days=40)

    def fill_in(dialog: QDialog) -> None:
        assert isinstance(dialog, ActionDialog)
        assert dialog.windowTitle() == "Add action"
        focus(qtbot, dialog.text)
        qtbot.keyClicks(dialog.text, "Book a pathway plan review")
        qtbot.keyClick(dialog.text, Qt.Key.Key_Tab)  # Tab leaves the text box
        assert QApplication.focusWidget() is dialog.owner
        qtbot.keyClicks(dialog.owner, "PA Jones")
        qtbot.keyClick(dialog.owner, Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is dialog.has_due
        assert dialog.has_due.isChecked()  # due in four weeks unless changed
        qtbot.keyClick(dialog.has_due, Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is dialog.due
        type_date(qtbot, dialog.due, due)
        choose(qtbot, dialog.priority, "High")
        choose(qtbot, dialog.question, _question_text(dialog, "A.2"))
        press(qtbot, dialog, "OK")

    saved: list[ActionInput] = []
    dialog = ActionDialog(template, save=saved.append)
    assert run(qtbot, dialog, fill_in) == QDialog.DialogCode.Accepted
    assert saved == [dialog.value()]
    assert dialog.value() == ActionInput(
        "Book a pathway plan review", "PA Jones", due, ActionPriority.HIGH,
        ActionStatus.OPEN, question_ids(db, make_audit(db, small_template_id))["A.2"])


def test_nothing_to_do_is_refused_and_no_due_date_is_allowed(
        qtbot: QtBot, db: Database, small_template_id: int) -> None:
    said: list[str] = []

    def fill_in(dialog: QDialog) -> None:
        assert isinstance(dialog, ActionDialog)
        type_text(qtbot, dialog.owner, "Team manager")
        press(qtbot, dialog, "OK")
        assert dialog.isVisible()
        said.append(dialog.message.text())
        assert dialog.text.hasFocus()  # back where the text is missing
        qtbot.keyClicks(dialog.text, "   Agree who holds the plan  ")
        click(qtbot, dialog.has_due)  # no due date
        assert not dialog.due.isEnabled()
        choose(qtbot, dialog.priority, "Normal")
        qtbot.keyClick(dialog.owner, Qt.Key.Key_Return)  # Enter is OK

    saved: list[ActionInput] = []
    dialog = ActionDialog(template_info(db, small_template_id), save=saved.append)
    assert run(qtbot, dialog, fill_in) == QDialog.DialogCode.Accepted
    assert said == ["Say what must happen."]
    assert saved == [dialog.value()]
    assert dialog.value() == ActionInput("Agree who holds the plan", "Team manager", None,
                                         ActionPriority.NORMAL, ActionStatus.OPEN, None)


def test_editing_shows_the_action_and_escape_asks_before_dropping_a_change(
        qtbot: QtBot, db: Database, small_template_id: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    audit = make_audit(db, small_template_id)
    question = question_ids(db, audit)["B.1"]
    add_action(db, audit, ActionInput("Share the plan", "PA A", TODAY + timedelta(days=3),
                                      ActionPriority.HIGH, question_id=question), ALEX)
    (action,) = load_audit(db, audit, LEAD).actions
    seen: list[tuple[str, ...]] = []
    asked: list[str] = []
    answers = iter([False, True])  # keep editing, then discard

    def ask(_parent: object, title: str, *_args: object, **_kwargs: object) -> bool:
        asked.append(title)
        return next(answers)

    monkeypatch.setattr(alerts, "ask", ask)

    def look(dialog: QDialog) -> None:
        assert isinstance(dialog, ActionDialog)
        seen.append((dialog.windowTitle(), dialog.text.toPlainText(), dialog.owner.text(),
                     picked_date(dialog.due).isoformat(), dialog.priority.currentText(),
                     dialog.status.currentText(), dialog.question.currentText()[:3]))
        assert "About question B.1" in dialog.context.text()
        type_text(qtbot, dialog.owner, "Someone else")
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        assert dialog.isVisible() and dialog.owner.text() == "Someone else"  # kept
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    saved: list[ActionInput] = []
    dialog = ActionDialog(load_audit(db, audit, LEAD).template, action, save=saved.append)
    assert run(qtbot, dialog, look) == QDialog.DialogCode.Rejected
    assert saved == []
    assert asked == ["Discard this action?", "Discard this action?"]
    assert seen == [("Edit action", "Share the plan", "PA A",
                     (TODAY + timedelta(days=3)).isoformat(), "High", "Open", "B.1")]
    assert load_audit(db, audit, LEAD).actions[0].owner == "PA A"


def test_escape_with_nothing_changed_closes_without_asking(
        qtbot: QtBot, db: Database, small_template_id: int) -> None:
    def escape(dialog: QDialog) -> None:
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    dialog = ActionDialog(template_info(db, small_template_id), save=lambda _v: None)
    assert run(qtbot, dialog, escape) == QDialog.DialogCode.Rejected
