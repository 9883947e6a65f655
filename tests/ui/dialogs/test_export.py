"""Exports from the desktop: run off the UI thread, cancel cleanly, and open the result."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from auditapp.rules.suppression import DEFAULT_THRESHOLD, MAX_THRESHOLD, MIN_THRESHOLD
from auditapp.services.audits.editing import list_audits
from auditapp.services.reporting.board_figures import default_period
from auditapp.services.reporting.figures import ReportScope
from auditapp.services.reporting.stats import grade_counts
from auditapp.storage.engine import Database
from auditapp.ui.dialogs.export import ExportDialog, ExportKind


def _run(qtbot: QtBot, dialog: ExportDialog) -> None:
    dialog.start()
    assert not dialog.export_button.isEnabled()
    assert dialog.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.job is None, timeout=60_000)


def test_workbook_export_writes_the_period_and_offers_to_open_it(
        qtbot: QtBot, demo_db: Database, tmp_path: Path) -> None:
    dialog = ExportDialog(demo_db, ExportKind.WORKBOOK)
    qtbot.addWidget(dialog)
    dialog.date_from.setDate(QDate(2025, 1, 1))
    dialog.date_to.setDate(QDate(2025, 12, 31))
    target = tmp_path / "findings.xlsx"
    dialog.path.setText(str(target))
    _run(qtbot, dialog)
    assert dialog.message.text() == f"Saved {target}"
    assert dialog.open_button.isEnabled()
    assert dialog.folder_button.isEnabled()
    audits = load_workbook(target, read_only=True)["Audits"]
    rows = sum(1 for _ in audits.iter_rows(min_row=2, values_only=True))
    assert rows == grade_counts(demo_db, date(2025, 1, 1), date(2025, 12, 31)).audits
    assert dialog.scope() == ReportScope(date(2025, 1, 1), date(2025, 12, 31), None, None)


def test_cancelling_leaves_no_file(qtbot: QtBot, demo_db: Database, tmp_path: Path) -> None:
    dialog = ExportDialog(demo_db, ExportKind.WORKBOOK)
    qtbot.addWidget(dialog)
    dialog.date_from.setDate(QDate(2020, 1, 1))
    target = tmp_path / "cancelled.xlsx"
    dialog.path.setText(str(target))
    dialog.start()
    job = dialog.job
    assert job is not None
    # Cancel from the worker thread at its first step, so the export cannot outrun it.
    job.signals.progress.connect(lambda *_: job.cancel(), Qt.ConnectionType.DirectConnection)
    qtbot.waitUntil(lambda: dialog.job is None, timeout=60_000)
    assert dialog.message.text() == "Cancelled: no file was written."
    assert list(tmp_path.iterdir()) == []
    assert dialog.export_button.isEnabled()


def test_board_pack_and_feedback_pdf(qtbot: QtBot, demo_db: Database, tmp_path: Path) -> None:
    board = ExportDialog(demo_db, ExportKind.BOARD_PACK)
    qtbot.addWidget(board)
    board.date_from.setDate(QDate(2026, 1, 1))
    board.date_to.setDate(QDate(2026, 6, 30))
    board.threshold.setValue(5)
    board.path.setText(str(tmp_path / "board.pdf"))
    _run(qtbot, board)
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "board.pdf").pages)
    assert "DEMO-" not in text
    audit = list_audits(demo_db)[0]
    feedback = ExportDialog(demo_db, ExportKind.FEEDBACK, audit_id=audit.id)
    qtbot.addWidget(feedback)
    feedback.path.setText(str(tmp_path / "feedback.pdf"))
    _run(qtbot, feedback)
    assert audit.case_reference in PdfReader(tmp_path / "feedback.pdf").pages[0].extract_text()


def test_the_board_pack_offers_the_domain_threshold_range_and_default(
        qtbot: QtBot, demo_db: Database) -> None:
    dialog = ExportDialog(demo_db, ExportKind.BOARD_PACK)
    qtbot.addWidget(dialog)
    spin = dialog.threshold
    assert (spin.minimum(), spin.maximum(), spin.value()) == (
        MIN_THRESHOLD, MAX_THRESHOLD, DEFAULT_THRESHOLD)


def test_the_board_pack_period_defaults_as_on_the_command_line(
        qtbot: QtBot, demo_db: Database) -> None:
    dialog = ExportDialog(demo_db, ExportKind.BOARD_PACK)
    qtbot.addWidget(dialog)
    today = date.today()
    assert (dialog.scope().date_from, dialog.scope().date_to) == \
        default_period(today, None, None).ends()
    assert dialog.scope().date_to == today


def test_an_empty_period_says_so(qtbot: QtBot, demo_db: Database, tmp_path: Path) -> None:
    dialog = ExportDialog(demo_db, ExportKind.BOARD_PACK)
    qtbot.addWidget(dialog)
    dialog.date_from.setDate(QDate(2010, 1, 1))
    dialog.date_to.setDate(QDate(2010, 6, 30))
    dialog.path.setText(str(tmp_path / "empty.pdf"))
    _run(qtbot, dialog)
    assert dialog.message.text().startswith("Not exported:")
    assert not (tmp_path / "empty.pdf").exists()
