"""Bundle export and import dialogs, and the editor's answer to a concurrent edit, driven
through real widgets on real databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from auditapp.services.audits.editing import AnswerChange, AuditChanges, load_audit, save_changes
from auditapp.services.sync import bundles
from auditapp.services.templates import find_template_id, import_template_file
from auditapp.storage.database import open_database
from auditapp.storage.engine import Database
from auditapp.ui.dialogs.bundles import TAKE_BUNDLE, BundleExportDialog, BundleImportDialog
from auditapp.ui.widgets import alerts
from tests.builders import (
    LEAD,
    SMALL_TEMPLATE,
    answer,
    first_page,
    make_audit,
    open_editor,
    question_ids,
    stored_answers,
    wait_saved,
)


def _laptop(path: Path) -> Database:
    db = open_database(path)
    import_template_file(db, SMALL_TEMPLATE, LEAD)
    return db


def test_export_dialog_writes_a_protected_bundle(qtbot: QtBot, db: Database,
                                                 small_template_id: int, tmp_path: Path
                                                 ) -> None:
    make_audit(db, small_template_id, "C-A1")
    dialog = BundleExportDialog(db, LEAD)
    qtbot.addWidget(dialog)
    out = tmp_path / "mine.auditbundle"
    dialog.path.setText(str(out))
    dialog.passphrase.setText("short")
    dialog.again.setText("short")
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert "at least 8" in dialog.message.text() and not out.exists()
    dialog.passphrase.setText("a long passphrase")
    dialog.again.setText("a long passphrase")
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_ is not None, timeout=10_000)
    assert "protected with its passphrase" in dialog.message.text()
    assert bundles.open_bundle(out, "a long passphrase").manifest["audits"][0][
        "case_reference"] == "C-A1"


def test_import_dialog_asks_for_every_conflict_then_imports(
        qtbot: QtBot, tmp_path: Path) -> None:
    a, b = _laptop(tmp_path / "a.sqlite"), _laptop(tmp_path / "b.sqlite")
    try:
        audit = make_audit(a, find_template_id(a, "small-test"), "C-A1")
        answer(a, audit, "A.1", "P", "Drafted")
        start = tmp_path / "start.auditbundle"
        bundles.run_export(a, start, LEAD)
        bundles.run_import(b, bundles.open_bundle(start), LEAD)
        answer(a, audit, "A.1", "Y", "Drafted")
        answer(b, 1, "A.1", "N", "Drafted", actor=LEAD)
        back = tmp_path / "back.auditbundle"
        bundles.run_export(b, back, LEAD)

        dialog = BundleImportDialog(a, LEAD, path=back)
        qtbot.addWidget(dialog)
        assert not dialog.passphrase.isEnabled()  # a plain bundle needs none
        qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1, timeout=10_000)
        table = dialog.table
        assert table.rowCount() == 1
        assert [table.item(0, c).text() for c in (2, 3)] == ["Yes", "No"]
        qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
        assert "every conflict" in dialog.message.text()
        assert load_audit(a, audit).answers[question_ids(a, audit)["A.1"]].response == "Y"
        table.choice_box(0).setCurrentText(TAKE_BUNDLE)
        qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.report is not None, timeout=10_000)
        assert "1 conflict settled" in dialog.report_text.toPlainText()
        assert load_audit(a, audit).answers[question_ids(a, audit)["A.1"]].response == "N"
    finally:
        a.dispose()
        b.dispose()


def test_import_dialog_refuses_a_wrong_passphrase(qtbot: QtBot, db: Database,
                                                  small_template_id: int, tmp_path: Path
                                                  ) -> None:
    make_audit(db, small_template_id, "C-A1")
    path = tmp_path / "locked.auditbundle"
    bundles.run_export(db, path, LEAD, passphrase="the right passphrase")
    other = _laptop(tmp_path / "other.sqlite")
    try:
        dialog = BundleImportDialog(other, LEAD, path=path)
        qtbot.addWidget(dialog)
        assert dialog.passphrase.isEnabled()
        dialog.passphrase.setText("the wrong passphrase")
        qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "Nothing was imported" in dialog.message.text(), timeout=10_000)
        assert "does not open" in dialog.message.text()
        assert bundles.preview_import(other, bundles.open_bundle(path, "the right passphrase")
                                   ).count(bundles.ADDED) == 1
    finally:
        other.dispose()


def test_editor_offers_to_reload_when_someone_else_saved(
        qtbot: QtBot, db: Database, small_template_id: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    audit = make_audit(db, small_template_id)
    editor = open_editor(qtbot, db, audit)
    # Someone else (on a shared database) saves another answer of the same audit.
    question = question_ids(db, audit)["A.2"]
    save_changes(db, audit, AuditChanges(answers={question: AnswerChange(
        question, "N", "Seen by Lee")}), LEAD)
    asked: list[str] = []

    def reload(_parent: object, title: str, text: str, **_kw: object) -> bool:
        asked.append(text)
        return True

    monkeypatch.setattr(alerts, "ask", reload)
    page = first_page(editor)
    page.cards[0].setFocus()
    qtbot.keyClick(page.cards[0], Qt.Key.Key_1)  # A.1: Yes, on top of a stale revision
    qtbot.waitUntil(lambda: bool(asked), timeout=5000)
    assert "Lee Lead saved it at" in asked[0]
    wait_saved(qtbot, editor)
    assert stored_answers(db, audit)["A.1"][0] == "Y" and stored_answers(db, audit)["A.2"] == ("N",
                                                                              "Seen by Lee")
    assert first_page(editor).cards[1].response == "N"  # their answer is on screen now
    editor.close()
