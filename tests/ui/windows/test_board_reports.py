"""The Board reports window (Work › Board reports, Ctrl+Shift+B), driven by keys and clicks:
a report started, written and previewed by keyboard alone; a released report read-only; a
refused release one message and nothing changed; a save from a stale read refused and
nothing lost; words typed just before closing saved; a report produced from the window."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QPlainTextEdit
from pytestqt.qtbot import QtBot

from auditapp.exporters.board_pdf import export_board_pack
from auditapp.services.reporting import board_reports as reports
from auditapp.services.reporting.figures import ReportScope
from auditapp.storage.engine import Database
from auditapp.ui.dialogs.new_report import NewReportDialog
from auditapp.ui.shell.main_window import MainWindow
from auditapp.ui.widgets import alerts
from auditapp.ui.windows.board_reports import BoardReportsWindow
from auditapp.ui.windows.report_editor import ReportEditorWindow
from tests.builders import (
    ALEX,
    LEAD,
    LONG,
    answer_dialogs,
    click,
    press,
    shortcut,
    show_active,
    unnamed_controls,
)

H1 = reports.ReportSettings(
    title="Case file audits: first half of 2026", date_from=date(2026, 1, 1),
    date_to=date(2026, 6, 30), committee="Corporate Parenting Partnership Board",
    meeting_date=date(2026, 7, 21), author="Lee Lead", marking="OFFICIAL", threshold=5)
WORDS = {"summary": "Plans are better.", "recommendations": "- Note the findings",
         "key_messages": "Plans reviewed on time.", "next_steps": "Forty audits a quarter."}


def open_reports(qtbot: QtBot, db: Database) -> BoardReportsWindow:
    """Ctrl+Shift+B in the main window, as a practice lead."""
    main = MainWindow(db, LEAD)
    qtbot.addWidget(main)
    with qtbot.waitSignal(main.audits_loaded, timeout=LONG):
        show_active(qtbot, main)
    shortcut(qtbot, main, "Ctrl+Shift+B")
    (window,) = main.findChildren(BoardReportsWindow)
    qtbot.waitUntil(window.isActiveWindow, timeout=LONG)
    return window


def open_editor(qtbot: QtBot, window: BoardReportsWindow, report: int) -> ReportEditorWindow:
    """Select the report in the list and press Enter."""
    for row in range(window.reports.topLevelItemCount()):
        item = window.reports.topLevelItem(row)
        if item is not None and item.data(0, Qt.ItemDataRole.UserRole) == report:
            window.reports.setCurrentItem(item)
    window.reports.setFocus()
    qtbot.keyClick(window.reports, Qt.Key.Key_Return)
    editor = window.editors[report]
    qtbot.waitUntil(editor.isActiveWindow, timeout=LONG)
    return editor


def typed(qtbot: QtBot, box: QPlainTextEdit, text: str) -> None:
    box.setFocus()
    qtbot.waitUntil(box.hasFocus, timeout=LONG)
    qtbot.keyClicks(box, text)


def wait_saved(qtbot: QtBot, editor: ReportEditorWindow) -> None:
    qtbot.waitUntil(lambda: editor.status.text().startswith("Saved")
                    and not editor.autosaver.unsaved, timeout=LONG)


def stored(db: Database, report: int) -> reports.ReportRow:
    return reports.read_report(db, report, LEAD)


def test_the_window_is_only_a_practice_leads(qtbot: QtBot, demo_copy: Database) -> None:
    main = MainWindow(demo_copy, ALEX)
    qtbot.addWidget(main)
    assert not main.reports_action.isEnabled()
    assert "prepare board reports" in main.reports_action.toolTip()


def test_a_report_started_written_and_previewed_by_keyboard_alone(
        qtbot: QtBot, demo_copy: Database) -> None:
    window = open_reports(qtbot, demo_copy)
    assert unnamed_controls(window) == []

    def fill(dialog: QDialog) -> None:
        assert isinstance(dialog, NewReportDialog) and unnamed_controls(dialog) == []
        title = QApplication.focusWidget()
        assert isinstance(title, QLineEdit) and title is dialog.title  # the first field
        qtbot.keyClick(title, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(title, "Audits for the July board")
        qtbot.keyClick(title, Qt.Key.Key_Return)  # Enter starts it

    with answer_dialogs(qtbot, fill):
        qtbot.keyClick(window.reports, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    (row,) = reports.list_reports(demo_copy, LEAD)
    assert row.settings.title == "Audits for the July board" and row.status == "Draft"
    editor = window.editors[row.id]
    qtbot.waitUntil(editor.isActiveWindow, timeout=LONG)
    assert unnamed_controls(editor) == []
    # The cursor starts in the summary; Tab leaves a box (to the preview), Shift+Tab comes back.
    summary = editor.boxes["summary"]
    assert summary.hasFocus()
    qtbot.keyClicks(summary, "Most plans are reviewed on time.")
    qtbot.keyClick(summary, Qt.Key.Key_Tab)
    assert editor.preview.hasFocus() and "\t" not in summary.toPlainText()
    qtbot.keyClick(editor.preview, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert summary.hasFocus()
    qtbot.waitUntil(lambda: "Most plans are reviewed on time." in editor.preview.toPlainText(),
                    timeout=LONG)
    qtbot.waitUntil(lambda: "Audits completed" in editor.preview.toPlainText(), timeout=LONG)
    wait_saved(qtbot, editor)
    assert stored(demo_copy, row.id).words["summary"] == "Most plans are reviewed on time."
    # Ctrl+Z undoes in the box, and the undo is saved too.
    qtbot.keyClick(summary, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: summary.toPlainText() == "", timeout=LONG)
    wait_saved(qtbot, editor)
    assert stored(demo_copy, row.id).words["summary"] == ""
    # Ctrl+PgDown to the next part; Escape closes; Enter in the list opens it again.
    qtbot.keyClick(summary, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert editor.tabs.currentWidget() is editor.boxes["recommendations"]
    assert editor.boxes["recommendations"].hasFocus()
    qtbot.keyClick(editor.boxes["recommendations"], Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: row.id not in window.editors, timeout=LONG)
    assert open_editor(qtbot, window, row.id).row.settings.title == "Audits for the July board"


def test_words_typed_just_before_closing_are_saved(qtbot: QtBot, demo_copy: Database) -> None:
    row = reports.start_report(demo_copy, H1, LEAD)
    window = open_reports(qtbot, demo_copy)
    editor = open_editor(qtbot, window, row.id)
    typed(qtbot, editor.boxes["summary"], "Typed and closed at once.")
    qtbot.keyClick(editor.boxes["summary"], Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: row.id not in window.editors, timeout=LONG)
    assert stored(demo_copy, row.id).words["summary"] == "Typed and closed at once."


def test_a_save_from_a_stale_read_is_refused_and_nothing_is_lost(
        qtbot: QtBot, demo_copy: Database) -> None:
    row = reports.start_report(demo_copy, H1, LEAD)
    window = open_reports(qtbot, demo_copy)
    editor = open_editor(qtbot, window, row.id)
    # Someone else saves the report (another laptop on the shared database).
    reports.save_words(demo_copy, row.id, {"next_steps": "Theirs."}, row.revision, LEAD)
    typed(qtbot, editor.boxes["summary"], "Mine.")
    qtbot.waitUntil(editor.banner.isVisible, timeout=LONG)
    assert "saved elsewhere" in editor.banner.text()
    assert stored(demo_copy, row.id).words["summary"] == ""  # refused: not written
    assert editor.boxes["summary"].toPlainText() == "Mine."  # and not lost
    click(qtbot, editor.reload_button)
    wait_saved(qtbot, editor)
    saved = stored(demo_copy, row.id)
    assert saved.words["summary"] == "Mine." and saved.words["next_steps"] == "Theirs."
    assert editor.boxes["next_steps"].toPlainText() == "Theirs."


def test_a_released_report_opens_read_only(qtbot: QtBot, demo_copy: Database) -> None:
    row = reports.start_report(demo_copy, H1, LEAD)
    row = reports.save_words(demo_copy, row.id, WORDS, row.revision, LEAD)
    row = reports.release_report(demo_copy, row.id, row.revision, LEAD)
    window = open_reports(qtbot, demo_copy)
    status = window.reports.topLevelItem(0)
    assert status is not None and status.text(4) == "Released"
    editor = open_editor(qtbot, window, row.id)
    assert all(box.isReadOnly() for box in editor.boxes.values())
    assert not editor.release_button.isEnabled() and not editor.settings_button.isEnabled()
    typed(qtbot, editor.boxes["summary"], "Changed after release")
    qtbot.wait(600)  # longer than the autosave delay: nothing may be queued to save
    assert editor.boxes["summary"].toPlainText() == WORDS["summary"]
    assert not editor.autosaver.unsaved
    assert stored(demo_copy, row.id) == row


def test_a_refused_release_is_one_message_and_nothing_changes(
        qtbot: QtBot, demo_copy: Database, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    list(export_board_pack(demo_copy, tmp_path / "q2.pdf",
                           ReportScope(date(2026, 4, 1), date(2026, 6, 30)), release=LEAD))
    row = reports.start_report(demo_copy, H1, LEAD)
    row = reports.save_words(demo_copy, row.id, WORDS, row.revision, LEAD)
    questions: list[str] = []
    warnings: list[str] = []
    monkeypatch.setattr(alerts, "ask", lambda _p, title, text, **_k: questions.append(text)
                        or True)
    monkeypatch.setattr(alerts, "warn", lambda _p, title, text, *_a: warnings.append(text))
    window = open_reports(qtbot, demo_copy)
    editor = open_editor(qtbot, window, row.id)
    press(qtbot, editor, "Release…")
    qtbot.waitUntil(lambda: bool(warnings), timeout=LONG)
    assert "release register" in questions[0] and "published" in questions[0]
    assert len(warnings) == 1 and "Not released" in warnings[0] and "\n" not in warnings[0]
    assert stored(demo_copy, row.id) == row
    assert editor.release_button.isEnabled() and not editor.boxes["summary"].isReadOnly()


def test_release_then_produce_from_the_window(qtbot: QtBot, demo_copy: Database,
                                              tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    row = reports.start_report(demo_copy, replace(H1, marking="OFFICIAL-SENSITIVE"), LEAD)
    row = reports.save_words(demo_copy, row.id, WORDS, row.revision, LEAD)
    monkeypatch.setattr(alerts, "ask", lambda *_a, **_k: True)
    out = tmp_path / "board"
    monkeypatch.setattr(alerts, "pick_save_path", lambda *_a: out)
    window = open_reports(qtbot, demo_copy)
    editor = open_editor(qtbot, window, row.id)
    press(qtbot, editor, "Release…")
    qtbot.waitUntil(lambda: editor.row.frozen, timeout=LONG)
    assert all(box.isReadOnly() for box in editor.boxes.values())
    assert stored(demo_copy, row.id).status == "Released"
    qtbot.waitUntil(lambda: window.reports.topLevelItem(0) is not None
                    and window.reports.topLevelItem(0).text(4) == "Released", timeout=LONG)
    press(qtbot, editor, "Produce PDF…")
    pdf = tmp_path / "board.pdf"
    qtbot.waitUntil(lambda: editor.status.text() == f"Wrote {pdf}", timeout=LONG)
    cover = PdfReader(pdf).pages[0].extract_text()
    assert "OFFICIAL-SENSITIVE" in cover and "DRAFT" not in cover


def test_a_drafts_settings_are_changed_from_the_editor(qtbot: QtBot, demo_copy: Database
                                                      ) -> None:
    row = reports.start_report(demo_copy, H1, LEAD)
    window = open_reports(qtbot, demo_copy)
    editor = open_editor(qtbot, window, row.id)
    typed(qtbot, editor.boxes["summary"], "Kept.")

    def retitle(dialog: QDialog) -> None:
        assert isinstance(dialog, NewReportDialog)
        assert dialog.committee.text() == H1.committee and dialog.threshold.value() == 5
        dialog.title.setFocus()
        qtbot.keyClick(dialog.title, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(dialog.title, "Retitled")
        qtbot.keyClick(dialog.title, Qt.Key.Key_Return)

    with answer_dialogs(qtbot, retitle):
        press(qtbot, editor, "Settings…")
    saved = stored(demo_copy, row.id)
    assert saved.settings == replace(H1, title="Retitled") and saved.words["summary"] == "Kept."
    assert editor.title.text() == "Retitled"
    qtbot.waitUntil(lambda: "Audits completed" in editor.preview.toPlainText(), timeout=LONG)
    item = window.reports.topLevelItem(0)
    assert item is not None and item.text(0) == "Retitled"
