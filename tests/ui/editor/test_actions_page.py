"""The actions page: adding, editing and removing an audit's actions through its buttons and
the action dialog, on a real database file."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from auditapp.models import ActionPriority
from auditapp.services.audits.editing import ActionInput, add_action, load_audit
from auditapp.storage.engine import Database
from auditapp.ui.editor.action_dialog import ActionDialog
from auditapp.ui.editor.actions_page import ActionsPage
from auditapp.ui.widgets import alerts
from tests.builders import (
    ALEX,
    CTRL,
    LEAD,
    LONG,
    answering,
    choose_page,
    click,
    double_click,
    make_audit,
    modal_dialog,
    open_editor,
    type_into,
)


@pytest.fixture
def audit(db: Database, small_template_id: int) -> int:
    return make_audit(db, small_template_id)


def _cell(page: ActionsPage, row: int, column: int) -> QModelIndex:
    return page.model.index(row, column)


def _click_row(qtbot: QtBot, page: ActionsPage, row: int) -> None:
    click(qtbot, page.table.viewport(), page.table.visualRect(_cell(page, row, 0)).center())


def _choose(qtbot: QtBot, dialog: ActionDialog, priority: str) -> None:
    """Step the priority list to ``priority`` with the arrow keys."""
    combo = dialog.priority
    for _ in range(combo.count()):
        if combo.currentText() == priority:
            return
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    raise AssertionError(priority)


def _ok(qtbot: QtBot, dialog: ActionDialog) -> None:
    click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Ok))


def _wait_closed(qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None, timeout=LONG)


def test_actions_page_lists_actions(qtbot: QtBot, db: Database, audit: int) -> None:
    add_action(db, audit, ActionInput("Book a review", "PA A", date(2026, 4, 1)), ALEX)
    editor = open_editor(qtbot, db, audit)
    page = choose_page(qtbot, editor, "Actions", ActionsPage)
    assert page.model.rowCount() == 1
    assert page.model.index(0, 1).data() == "PA A"


def test_add_an_action_through_its_dialog(qtbot: QtBot, db: Database, audit: int) -> None:
    editor = open_editor(qtbot, db, audit)
    page = choose_page(qtbot, editor, "Actions", ActionsPage)
    click(qtbot, page.add_button)
    dialog = modal_dialog(qtbot, ActionDialog)
    assert dialog.windowTitle() == "Add action"
    type_into(qtbot, dialog.text, "Book a pathway plan review")
    type_into(qtbot, dialog.owner, "Personal adviser")
    _choose(qtbot, dialog, "Normal")
    with qtbot.waitSignal(editor.audit_changed, timeout=LONG):
        _ok(qtbot, dialog)
    _wait_closed(qtbot)
    assert page.model.rowCount() == 1
    assert [_cell(page, 0, c).data() for c in (0, 1, 3, 4)] == [
        "Book a pathway plan review", "Personal adviser", "Normal", "Open"]
    (saved,) = load_audit(db, audit, LEAD).actions
    assert (saved.text, saved.owner, saved.priority) == (
        "Book a pathway plan review", "Personal adviser", ActionPriority.NORMAL)
    assert saved.due_date is not None and saved.due_date > date.today()


def test_edit_an_action_with_the_edit_button(qtbot: QtBot, db: Database, audit: int) -> None:
    add_action(db, audit, ActionInput("Book a review", "PA A", date(2026, 4, 1)), ALEX)
    editor = open_editor(qtbot, db, audit)
    page = choose_page(qtbot, editor, "Actions", ActionsPage)
    _click_row(qtbot, page, 0)
    click(qtbot, page.edit_button)
    dialog = modal_dialog(qtbot, ActionDialog)
    assert dialog.windowTitle() == "Edit action"
    assert (dialog.text.toPlainText(), dialog.owner.text()) == ("Book a review", "PA A")
    click(qtbot, dialog.owner)
    qtbot.keyClick(dialog.owner, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(dialog.owner, "Team manager")
    _ok(qtbot, dialog)
    _wait_closed(qtbot)
    assert _cell(page, 0, 1).data() == "Team manager"
    assert load_audit(db, audit, LEAD).actions[0].owner == "Team manager"


def test_double_clicking_an_action_edits_it(qtbot: QtBot, db: Database, audit: int) -> None:
    add_action(db, audit, ActionInput("Book a review", "PA A", date(2026, 4, 1)), ALEX)
    editor = open_editor(qtbot, db, audit)
    page = choose_page(qtbot, editor, "Actions", ActionsPage)
    double_click(qtbot, page.table.viewport(), page.table.visualRect(_cell(page, 0, 0)).center())
    dialog = modal_dialog(qtbot, ActionDialog)
    assert dialog.text.toPlainText() == "Book a review"
    click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel))
    _wait_closed(qtbot)
    assert load_audit(db, audit, LEAD).actions[0].owner == "PA A"


def test_remove_an_action_after_saying_yes(qtbot: QtBot, db: Database, audit: int,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    add_action(db, audit, ActionInput("Book a review", "PA A", date(2026, 4, 1)), ALEX)
    asked: list[str] = []
    monkeypatch.setattr(alerts, "ask", answering(asked, True))
    editor = open_editor(qtbot, db, audit)
    page = choose_page(qtbot, editor, "Actions", ActionsPage)
    click(qtbot, page.remove_button)  # nothing selected: nothing asked
    assert asked == []
    _click_row(qtbot, page, 0)
    click(qtbot, page.remove_button)
    assert asked == ["Remove action"]
    assert page.model.rowCount() == 0
    assert load_audit(db, audit, LEAD).actions == ()
