"""The new-audit dialog: an existing case or a new one, a template version, the auditor and
the date, typed and clicked; each mistake said in the dialog, which stays open."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from auditapp.models import CareLeaverCategory
from auditapp.services.audits.editing import list_audits
from auditapp.services.cases import list_cases
from auditapp.services.template_list import list_templates
from auditapp.services.templates import install_shipped_templates, set_template_retired
from auditapp.storage.engine import Database
from auditapp.ui.dialogs.new_audit import NewAuditDialog
from auditapp.ui.shell.main_window import MainWindow
from tests.builders import (
    ALEX,
    LEAD,
    LONG,
    answer_dialogs,
    choose,
    click,
    make_case,
    mnemonic_clashes,
    press,
    shortcut,
    show_active,
    type_date,
    type_text,
)


def open_window(qtbot: QtBot, db: Database) -> MainWindow:
    window = MainWindow(db, ALEX)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.audits_loaded, timeout=LONG):
        show_active(qtbot, window)
    return window


def run_dialog(qtbot: QtBot, db: Database, *handlers: object) -> NewAuditDialog:
    """The dialog as the main window makes it, run modally and answered by the handlers."""
    dialog = NewAuditDialog(list_cases(db), list_templates(db, include_retired=False), "Alex")
    qtbot.addWidget(dialog)
    with answer_dialogs(qtbot, *handlers):  # type: ignore[arg-type]
        dialog.exec()
    return dialog


def test_an_existing_case_is_chosen_from_the_list(qtbot: QtBot, db: Database,
                                                 small_template_id: int) -> None:
    make_case(db, "C-001", team="North")
    second = make_case(db, "C-002", team="South", category=CareLeaverCategory.RELEVANT)

    def pick(dialog: QDialog) -> None:
        assert isinstance(dialog, NewAuditDialog)
        assert dialog.use_existing.isChecked()  # there are cases: an existing one first
        assert not dialog.reference.isEnabled()
        assert dialog.existing.itemText(1) == "C-002 (relevant, South)"
        choose(qtbot, dialog.existing, "C-002 (relevant, South)")
        type_text(qtbot, dialog.auditor, "Sam Patel")
        type_date(qtbot, dialog.audit_date, date(2026, 2, 28))
        press(qtbot, dialog, "Start audit")

    dialog = run_dialog(qtbot, db, pick)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.request is not None
    assert (dialog.request.case_id, dialog.request.new_case, dialog.request.template_id,
            dialog.request.auditor, dialog.request.audit_date) == (
        second, None, small_template_id, "Sam Patel", date(2026, 2, 28))


def test_ctrl_n_on_an_existing_case_starts_its_audit(qtbot: QtBot, db: Database,
                                                    small_template_id: int) -> None:
    make_case(db, "C-001")
    window = open_window(qtbot, db)

    def start(dialog: QDialog) -> None:
        press(qtbot, dialog, "Start audit")  # the first case, today, the only template

    with answer_dialogs(qtbot, start):
        shortcut(qtbot, window, "Ctrl+N")
    (row,) = list_audits(db, LEAD)
    assert (row.case_reference, row.auditor, row.audit_date) == ("C-001", "Alex", date.today())
    qtbot.addWidget(window.editors[row.id])


def test_the_radio_buttons_switch_between_existing_and_new(qtbot: QtBot, db: Database,
                                                          small_template_id: int) -> None:
    make_case(db, "C-001")

    def switch(dialog: QDialog) -> None:
        assert isinstance(dialog, NewAuditDialog)
        new_fields = (dialog.reference, dialog.category, dialog.uasc, dialog.age, dialog.team,
                      dialog.worker)
        click(qtbot, dialog.use_new)
        assert dialog.use_new.isChecked() and not dialog.use_existing.isChecked()
        assert all(w.isEnabled() for w in new_fields)
        assert not dialog.existing.isEnabled()
        click(qtbot, dialog.use_existing)
        assert not any(w.isEnabled() for w in new_fields)
        assert dialog.existing.isEnabled()
        press(qtbot, dialog, "Cancel")

    dialog = run_dialog(qtbot, db, switch)
    assert dialog.result() == QDialog.DialogCode.Rejected


@pytest.mark.parametrize(("reference", "said"), [
    ("Jane Smith", "never a name"),
    ("C-001", "Case C-001 already exists: choose it as an existing case."),
    ("", "is not a case reference")])
def test_a_bad_reference_is_said_and_nothing_is_started(
        qtbot: QtBot, db: Database, small_template_id: int, reference: str,
        said: str) -> None:
    make_case(db, "C-001")
    window = open_window(qtbot, db)
    seen: list[str] = []

    def fill_in(dialog: QDialog) -> None:
        assert isinstance(dialog, NewAuditDialog)
        click(qtbot, dialog.use_new)
        type_text(qtbot, dialog.reference, reference)
        press(qtbot, dialog, "Start audit")
        assert dialog.isVisible()  # still open, to put it right
        seen.append(dialog.message.text())
        press(qtbot, dialog, "Cancel")

    with answer_dialogs(qtbot, fill_in):
        shortcut(qtbot, window, "Ctrl+N")
    assert said in seen[0]
    assert list_audits(db, LEAD) == []
    assert [c.reference for c in list_cases(db)] == ["C-001"]
    assert window.editors == {}


def test_the_auditor_is_required_and_escape_cancels(qtbot: QtBot, db: Database,
                                                   small_template_id: int) -> None:
    seen: list[str] = []

    def fill_in(dialog: QDialog) -> None:
        assert isinstance(dialog, NewAuditDialog)
        type_text(qtbot, dialog.reference, "C-009")
        type_text(qtbot, dialog.auditor, "   ")
        press(qtbot, dialog, "Start audit")
        seen.append(dialog.message.text())
        qtbot.keyClick(dialog.reference, Qt.Key.Key_Escape)

    dialog = run_dialog(qtbot, db, fill_in)
    assert seen == ["Give the auditor's name."]
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert dialog.request is None


def test_retired_versions_are_not_offered_and_no_template_is_said(
        qtbot: QtBot, db: Database) -> None:
    install_shipped_templates(db)
    rows = list_templates(db)
    for row in rows[1:]:
        set_template_retired(db, row.id, True, LEAD)
    seen: list[list[str]] = []

    def look(dialog: QDialog) -> None:
        assert isinstance(dialog, NewAuditDialog)
        seen.append([dialog.template.itemText(i) for i in range(dialog.template.count())])
        press(qtbot, dialog, "Cancel")

    run_dialog(qtbot, db, look)
    assert seen == [[f"{rows[0].title} (v{rows[0].version}, {rows[0].questions} questions)"]]
    set_template_retired(db, rows[0].id, True, LEAD)
    messages: list[str] = []

    def start(dialog: QDialog) -> None:
        assert isinstance(dialog, NewAuditDialog)
        type_text(qtbot, dialog.reference, "C-010")
        press(qtbot, dialog, "Start audit")
        messages.append(dialog.message.text())
        press(qtbot, dialog, "Cancel")

    run_dialog(qtbot, db, start)
    assert messages == ["There is no template to audit against: import one first."]


def test_tab_past_the_date_reaches_start_and_enter_starts(
        qtbot: QtBot, db: Database, small_template_id: int) -> None:
    """Tab from the date once landed on Cancel before Start; a date once took three Tabs."""
    make_case(db, "C-009")
    reached: list[object] = []

    def fill_in(dialog: QDialog) -> None:
        assert isinstance(dialog, NewAuditDialog)
        choose(qtbot, dialog.template, dialog.template.itemText(
            dialog.template.findData(small_template_id)))
        qtbot.keyClick(dialog.template, Qt.Key.Key_Tab)
        assert dialog.auditor.hasFocus()
        qtbot.keyClick(dialog.auditor, Qt.Key.Key_Tab)
        assert dialog.audit_date.hasFocus()
        qtbot.keyClicks(dialog.audit_date, "04")  # the day, typed as tabbed in
        qtbot.keyClick(dialog.audit_date, Qt.Key.Key_Tab)  # one Tab leaves the date
        reached.append(QApplication.focusWidget())
        qtbot.keyClick(dialog.start_button, Qt.Key.Key_Return)

    dialog = run_dialog(qtbot, db, fill_in)
    assert reached == [dialog.start_button]
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.request is not None and dialog.request.audit_date.day == 4
    assert mnemonic_clashes(dialog) == {}
