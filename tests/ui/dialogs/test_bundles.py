"""Bundle export and import dialogs, typed and clicked on real databases, and the editor's
answer to a concurrent edit."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from auditapp.services.audits.editing import AnswerChange, AuditChanges, load_audit, save_changes
from auditapp.services.sync import bundles
from auditapp.services.sync.bundle_file import BundlePassphraseError
from auditapp.services.templates import find_template_id, import_template_file
from auditapp.storage.database import open_database
from auditapp.storage.engine import Database
from auditapp.ui.dialogs.bundles import (
    KEEP_HERE,
    TAKE_BUNDLE,
    BundleExportDialog,
    BundleImportDialog,
)
from auditapp.ui.shell.main_window import MainWindow
from auditapp.ui.widgets import alerts
from tests.builders import (
    LEAD,
    LONG,
    SMALL_TEMPLATE,
    add_people,
    answer,
    choose,
    click,
    first_page,
    make_audit,
    menu_item,
    open_editor,
    press,
    question_ids,
    show_active,
    stored_answers,
    type_date,
    type_text,
    wait_saved,
)


def _laptop(path: Path) -> Database:
    db = open_database(path)
    add_people(db)
    import_template_file(db, SMALL_TEMPLATE, LEAD)
    return db


def _export_dialog(qtbot: QtBot, db: Database) -> BundleExportDialog:
    dialog = BundleExportDialog(db, LEAD)
    qtbot.addWidget(dialog)
    show_active(qtbot, dialog)
    return dialog


def _import_dialog(qtbot: QtBot, db: Database, path: Path | None = None) -> BundleImportDialog:
    dialog = BundleImportDialog(db, LEAD, path=path)
    qtbot.addWidget(dialog)
    show_active(qtbot, dialog)
    return dialog


def _export(qtbot: QtBot, dialog: BundleExportDialog) -> None:
    press(qtbot, dialog, "Export")
    qtbot.waitUntil(lambda: dialog.message.text() != "Exporting…"
                    and dialog.export_button.isEnabled(), timeout=LONG)


def test_export_dialog_writes_a_protected_bundle(qtbot: QtBot, db: Database,
                                                 small_template_id: int, tmp_path: Path
                                                 ) -> None:
    make_audit(db, small_template_id, "C-A1")
    dialog = _export_dialog(qtbot, db)
    assert dialog.encrypt.isChecked()  # protected unless the person says otherwise
    out = tmp_path / "mine.auditbundle"
    type_text(qtbot, dialog.path, str(out))
    type_text(qtbot, dialog.passphrase, "short")
    type_text(qtbot, dialog.again, "short")
    press(qtbot, dialog, "Export")
    assert "at least 8" in dialog.message.text() and not out.exists()
    type_text(qtbot, dialog.passphrase, "a long passphrase")
    type_text(qtbot, dialog.again, "a long passphrase, typed differently")
    press(qtbot, dialog, "Export")
    assert dialog.message.text() == "The two passphrases differ." and not out.exists()
    type_text(qtbot, dialog.again, "a long passphrase")
    _export(qtbot, dialog)
    assert dialog.message.text() == (f"Wrote 1 audits to {out} (protected with its "
                                     "passphrase).")
    assert dialog.result_ is not None and dialog.result_.encrypted
    assert bundles.open_bundle(out, "a long passphrase").manifest["audits"][0][
        "case_reference"] == "C-A1"
    with pytest.raises(BundlePassphraseError, match="is encrypted: give its passphrase"):
        bundles.open_bundle(out)


def test_export_unprotected_for_one_auditor_changed_lately(
        qtbot: QtBot, db: Database, small_template_id: int, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    make_audit(db, small_template_id, "C-A1", auditor="Alex")
    make_audit(db, small_template_id, "C-B1", auditor="Sam")
    out = tmp_path / "sams.auditbundle"
    monkeypatch.setattr(alerts, "pick_save_path", lambda *_a: out)
    dialog = _export_dialog(qtbot, db)
    press(qtbot, dialog, "Browse…")
    assert dialog.path.text() == str(out)
    choose(qtbot, dialog.auditor, "Sam")
    assert not dialog.since.isEnabled()
    click(qtbot, dialog.use_since)
    assert dialog.since.isEnabled()
    type_date(qtbot, dialog.since, date(2020, 1, 1))
    click(qtbot, dialog.encrypt)
    assert not dialog.passphrase.isEnabled() and not dialog.again.isEnabled()
    _export(qtbot, dialog)
    assert "NOT protected: keep it on encrypted storage" in dialog.message.text()
    manifest = bundles.open_bundle(out).manifest
    assert [a["case_reference"] for a in manifest["audits"]] == ["C-B1"]


def _two_laptops_in_conflict(tmp_path: Path) -> tuple[Database, Database, int, Path]:
    """Laptop a and b both changed A.1 of the same audit since they last met."""
    a, b = _laptop(tmp_path / "a.sqlite"), _laptop(tmp_path / "b.sqlite")
    audit = make_audit(a, find_template_id(a, "small-test"), "C-A1")
    answer(a, audit, "A.1", "P", "Drafted")
    start = tmp_path / "start.auditbundle"
    bundles.run_export(a, start, LEAD)
    bundles.run_import(b, bundles.open_bundle(start), LEAD)
    answer(a, audit, "A.1", "Y", "Drafted")
    answer(b, 1, "A.1", "N", "Drafted", actor=LEAD)
    back = tmp_path / "back.auditbundle"
    bundles.run_export(b, back, LEAD)
    return a, b, audit, back


def _response(db: Database, audit: int, key: str) -> str | None:
    return load_audit(db, audit, LEAD).answers[question_ids(db, audit)[key]].response


def test_import_dialog_asks_for_every_conflict_then_imports(
        qtbot: QtBot, tmp_path: Path) -> None:
    a, b, audit, back = _two_laptops_in_conflict(tmp_path)
    try:
        dialog = _import_dialog(qtbot, a, back)
        assert not dialog.passphrase.isEnabled()  # a plain bundle needs none
        press(qtbot, dialog, "Read bundle")
        qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1, timeout=LONG)
        table = dialog.table
        assert table.rowCount() == 1
        assert [table.item(0, c).text() for c in (2, 3)] == ["Yes", "No"]
        press(qtbot, dialog, "Import")
        assert "every conflict" in dialog.message.text()
        assert _response(a, audit, "A.1") == "Y"  # nothing imported yet
        choose(qtbot, table.choice_box(0), TAKE_BUNDLE)
        press(qtbot, dialog, "Import")
        qtbot.waitUntil(lambda: dialog.report is not None, timeout=LONG)
        assert dialog.pages.currentIndex() == 2
        assert "1 conflict settled" in dialog.report_text.toPlainText()
        assert dialog.message.text().startswith("Done:")
        assert not dialog.next_button.isVisible()
        assert _response(a, audit, "A.1") == "N"
    finally:
        a.dispose()
        b.dispose()


def test_keep_this_databases_for_all_from_the_file_menu(qtbot: QtBot, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    a, b, audit, back = _two_laptops_in_conflict(tmp_path)
    try:
        window = MainWindow(a, LEAD)
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.audits_loaded, timeout=LONG):
            show_active(qtbot, window)
        monkeypatch.setattr(alerts, "pick_open_path", lambda *_a: back)
        menu_item(qtbot, window, "File", "Import a bundle…")
        (dialog,) = window.findChildren(BundleImportDialog)
        show_active(qtbot, dialog)
        press(qtbot, dialog, "Browse…")
        assert dialog.path.text() == str(back)
        press(qtbot, dialog, "Read bundle")
        qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1, timeout=LONG)
        press(qtbot, dialog, f"{KEEP_HERE} for all")
        assert dialog.table.choice_box(0).currentText() == KEEP_HERE
        press(qtbot, dialog, "Import")
        qtbot.waitUntil(lambda: dialog.report is not None, timeout=LONG)
        assert _response(a, audit, "A.1") == "Y"  # this database's answer kept
        with qtbot.waitSignal(window.audits_loaded, timeout=LONG):  # the list is read again
            press(qtbot, dialog, "Close")
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
        dialog = _import_dialog(qtbot, other)
        assert not dialog.passphrase.isEnabled()  # no file yet
        type_text(qtbot, dialog.path, str(path))
        assert dialog.passphrase.isEnabled()  # an encrypted bundle: it is asked for
        type_text(qtbot, dialog.passphrase, "the wrong passphrase")
        press(qtbot, dialog, "Read bundle")
        qtbot.waitUntil(lambda: "Nothing was imported" in dialog.message.text(), timeout=LONG)
        assert "does not open" in dialog.message.text()
        assert dialog.next_button.isEnabled() and dialog.pages.currentIndex() == 0
        assert bundles.preview_import(other, bundles.open_bundle(path, "the right passphrase")
                                      , LEAD).count(bundles.ADDED) == 1
        type_text(qtbot, dialog.passphrase, "the right passphrase")
        press(qtbot, dialog, "Read bundle")  # no conflict: imported straight away
        qtbot.waitUntil(lambda: dialog.report is not None, timeout=LONG)
        assert "added" in dialog.report_text.toPlainText()
        assert load_audit(other, 1, LEAD).case_reference == "C-A1"
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
    qtbot.waitUntil(lambda: bool(asked), timeout=LONG)
    assert "Lee Lead saved it at" in asked[0]
    wait_saved(qtbot, editor)
    assert stored_answers(db, audit)["A.1"][0] == "Y" and stored_answers(db, audit)["A.2"] == ("N",
                                                                              "Seen by Lee")
    assert first_page(editor).cards[1].response == "N"  # their answer is on screen now
    editor.close()
