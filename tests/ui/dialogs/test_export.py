"""Exports from the desktop, typed and clicked: each kind runs off the UI thread and writes
its file, Cancel (or Escape) while it runs leaves no file, and Open file / Show in folder
hand the file to the desktop."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from auditapp.exporters import audit_pdf, board_pdf, xlsx
from auditapp.exporters.pdf_layout import read_stamp
from auditapp.models import Release, ReleasedAudit
from auditapp.rules.limits import DEFAULT_THRESHOLD, MAX_THRESHOLD, MIN_THRESHOLD
from auditapp.services.audits.editing import list_audits
from auditapp.services.reporting.board_figures import default_period
from auditapp.services.reporting.figures import ReportScope, list_teams
from auditapp.services.reporting.manifest import Manifest
from auditapp.services.reporting.stats import grade_counts
from auditapp.storage.database import open_database
from auditapp.storage.engine import Database
from auditapp.ui.dialogs.export import ExportDialog, ExportKind
from auditapp.ui.widgets import alerts
from tests.builders import (
    ALT,
    LEAD,
    LONG,
    choose,
    click,
    press,
    show_active,
    type_date,
    type_text,
)


def open_dialog(qtbot: QtBot, db: Database, kind: ExportKind,
                audit_id: int | None = None) -> ExportDialog:
    dialog = ExportDialog(db, kind, LEAD, audit_id=audit_id)
    qtbot.addWidget(dialog)
    show_active(qtbot, dialog)
    return dialog


def run(qtbot: QtBot, dialog: ExportDialog) -> None:
    """Click Export and wait (however long it takes) until the dialog is ready again."""
    press(qtbot, dialog, "Export")
    assert not dialog.export_button.isEnabled()
    assert dialog.cancel_button.isEnabled() and not dialog.close_button.isEnabled()
    qtbot.waitUntil(dialog.export_button.isEnabled, timeout=LONG)
    assert not dialog.cancel_button.isEnabled() and dialog.close_button.isEnabled()


class DesktopOpener(QObject):
    """Stands in for the desktop's file opener, through Qt's own URL handler hook."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[Path] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(Path(url.toLocalFile()))


@pytest.fixture
def desktop() -> Iterator[DesktopOpener]:
    opener = DesktopOpener()
    QDesktopServices.setUrlHandler("file", opener, "open")
    yield opener
    QDesktopServices.unsetUrlHandler("file")


def test_workbook_export_writes_the_period_and_offers_to_open_it(
        qtbot: QtBot, demo_db: Database, tmp_path: Path, desktop: DesktopOpener) -> None:
    dialog = open_dialog(qtbot, demo_db, ExportKind.WORKBOOK)
    assert not dialog.open_button.isEnabled() and not dialog.folder_button.isEnabled()
    type_date(qtbot, dialog.date_from, date(2025, 1, 1))
    type_date(qtbot, dialog.date_to, date(2025, 12, 31))
    target = tmp_path / "findings.xlsx"
    type_text(qtbot, dialog.path, str(target))
    run(qtbot, dialog)
    assert dialog.message.text() == f"Saved {target}"
    assert dialog.progress.value() == dialog.progress.maximum() == 1
    audits = load_workbook(target, read_only=True)["Audits"]
    rows = sum(1 for _ in audits.iter_rows(min_row=2, values_only=True))
    assert rows == grade_counts(demo_db, date(2025, 1, 1), date(2025, 12, 31)).audits
    assert dialog.scope() == ReportScope(date(2025, 1, 1), date(2025, 12, 31), None, None,
                                         LEAD)
    press(qtbot, dialog, "Open file")
    press(qtbot, dialog, "Show in folder")
    assert desktop.opened == [target, tmp_path]


def test_workbook_export_for_one_team(qtbot: QtBot, demo_db: Database,
                                      tmp_path: Path) -> None:
    team = list_teams(demo_db)[0]
    dialog = open_dialog(qtbot, demo_db, ExportKind.WORKBOOK)
    type_date(qtbot, dialog.date_from, date(2024, 1, 1))
    type_date(qtbot, dialog.date_to, date(2026, 6, 30))
    choose(qtbot, dialog.team, team)
    target = tmp_path / "team.xlsx"
    type_text(qtbot, dialog.path, str(target))
    run(qtbot, dialog)
    sheet = load_workbook(target, read_only=True)["Audits"]
    header, *rows = list(sheet.iter_rows(values_only=True))
    teams = {row[header.index("Team")] for row in rows}
    assert rows and teams == {team}


def test_browse_chooses_where_to_save(qtbot: QtBot, demo_db: Database, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[tuple[str, str]] = []
    chosen = tmp_path / "chosen.pdf"
    monkeypatch.setattr(alerts, "pick_save_path",
                        lambda _p, _t, suggested, filters: asked.append((suggested, filters))
                        or chosen)
    dialog = open_dialog(qtbot, demo_db, ExportKind.BOARD_PACK)
    press(qtbot, dialog, "Browse…")
    assert asked == [(str(Path.home() / "board-pack.pdf"), "PDF files (*.pdf)")]
    assert dialog.path.text() == str(chosen)


def test_board_pack_and_feedback_pdf(qtbot: QtBot, demo_db: Database, tmp_path: Path) -> None:
    board = open_dialog(qtbot, demo_db, ExportKind.BOARD_PACK)
    type_date(qtbot, board.date_from, date(2026, 1, 1))
    type_date(qtbot, board.date_to, date(2026, 6, 30))
    type_text(qtbot, board.threshold, "6")
    assert board.threshold.value() == 6
    type_text(qtbot, board.path, str(tmp_path / "board.pdf"))
    run(qtbot, board)
    assert board.message.text() == f"Saved {tmp_path / 'board.pdf'}"
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "board.pdf").pages)
    assert "DEMO-" not in text
    assert "A count from 1 to 5 is shown as <6." in " ".join(text.split())  # the typed 6
    audit = list_audits(demo_db, LEAD)[0]
    feedback = open_dialog(qtbot, demo_db, ExportKind.FEEDBACK, audit_id=audit.id)
    assert not hasattr(feedback, "date_from")  # one audit: no period to choose
    type_text(qtbot, feedback.path, str(tmp_path / "feedback.pdf"))
    run(qtbot, feedback)
    assert audit.case_reference in PdfReader(tmp_path / "feedback.pdf").pages[0].extract_text()


def test_the_board_pack_offers_the_domain_threshold_range_and_default(
        qtbot: QtBot, demo_db: Database) -> None:
    dialog = ExportDialog(demo_db, ExportKind.BOARD_PACK, LEAD)
    qtbot.addWidget(dialog)
    spin = dialog.threshold
    assert (spin.minimum(), spin.maximum(), spin.value()) == (
        MIN_THRESHOLD, MAX_THRESHOLD, DEFAULT_THRESHOLD)


def test_the_board_pack_says_it_is_not_the_copy_to_publish(qtbot: QtBot,
                                                           demo_db: Database) -> None:
    """Issue 15: reportlab writes no tagged PDF; the dialog points to the Word edition."""
    board = ExportDialog(demo_db, ExportKind.BOARD_PACK, LEAD)
    qtbot.addWidget(board)
    show_active(qtbot, board)
    notes = [label.text() for label in board.findChildren(QLabel) if label.isVisible()]
    assert any("not tagged for accessibility" in n
               and "Word edition is the accessible route for publication" in n for n in notes)
    workbook = ExportDialog(demo_db, ExportKind.WORKBOOK, LEAD)
    qtbot.addWidget(workbook)
    assert not any("tagged" in label.text() for label in workbook.findChildren(QLabel))


def test_the_board_pack_period_defaults_as_on_the_command_line(
        qtbot: QtBot, demo_db: Database) -> None:
    dialog = ExportDialog(demo_db, ExportKind.BOARD_PACK, LEAD)
    qtbot.addWidget(dialog)
    today = date.today()
    assert (dialog.scope().date_from, dialog.scope().date_to) == \
        default_period(today, None, None).ends()
    assert dialog.scope().date_to == today


def test_an_empty_period_says_so(qtbot: QtBot, demo_db: Database, tmp_path: Path) -> None:
    dialog = open_dialog(qtbot, demo_db, ExportKind.BOARD_PACK)
    type_date(qtbot, dialog.date_from, date(2010, 1, 1))
    type_date(qtbot, dialog.date_to, date(2010, 6, 30))
    type_text(qtbot, dialog.path, str(tmp_path / "empty.pdf"))
    run(qtbot, dialog)
    assert dialog.message.text().startswith("Not exported:")
    assert not dialog.open_button.isEnabled()
    assert list(tmp_path.iterdir()) == []


def test_a_reversed_period_or_no_file_is_said_before_anything_runs(
        qtbot: QtBot, demo_db: Database, tmp_path: Path) -> None:
    dialog = open_dialog(qtbot, demo_db, ExportKind.WORKBOOK)
    type_date(qtbot, dialog.date_from, date(2026, 6, 1))
    type_date(qtbot, dialog.date_to, date(2026, 1, 1))
    type_text(qtbot, dialog.path, str(tmp_path / "x.xlsx"))
    press(qtbot, dialog, "Export")
    assert dialog.message.text() == "The period must start before it ends."
    assert dialog.export_button.isEnabled() and dialog.job is None
    type_text(qtbot, dialog.path, "")
    press(qtbot, dialog, "Export")
    assert dialog.message.text() == "Choose where to save the file."
    assert list(tmp_path.iterdir()) == []


# --- cancelling while the export runs -------------------------------------------------------

EXPORTERS: dict[ExportKind, tuple[object, str]] = {
    ExportKind.WORKBOOK: (xlsx, "export_workbook"),
    ExportKind.BOARD_PACK: (board_pdf, "export_board_pack"),
    ExportKind.FEEDBACK: (audit_pdf, "export_audit_pdf"),
}


class Hold:
    """Holds the real exporter at its first step taken while its temporary file exists,
    until the test lets go: so Cancel is clicked while the file is being written on any
    machine, however fast or slow."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.reached, self.release, self.closed = (threading.Event(), threading.Event(),
                                                   threading.Event())

    def wrap(self, real: Callable[..., Iterator[tuple[int, int]]]
             ) -> Callable[..., Iterator[tuple[int, int]]]:
        def held(*args: object, **kwargs: object) -> Iterator[tuple[int, int]]:
            steps = real(*args, **kwargs)
            try:
                for step in steps:
                    if not self.reached.is_set() and any(self.folder.iterdir()):
                        self.reached.set()
                        self.release.wait(LONG / 1000)
                    yield step
            finally:
                steps.close()
                self.closed.set()
        return held


def _start_held(qtbot: QtBot, demo_db: Database, tmp_path: Path, kind: ExportKind,
                monkeypatch: pytest.MonkeyPatch) -> tuple[ExportDialog, Hold]:
    module, name = EXPORTERS[kind]
    hold = Hold(tmp_path)
    monkeypatch.setattr(module, name, hold.wrap(getattr(module, name)))
    audit = list_audits(demo_db, LEAD)[0].id if kind is ExportKind.FEEDBACK else None
    dialog = open_dialog(qtbot, demo_db, kind, audit_id=audit)
    if kind is not ExportKind.FEEDBACK:
        type_date(qtbot, dialog.date_from, date(2024, 7, 1))
        type_date(qtbot, dialog.date_to, date(2026, 6, 30))
    type_text(qtbot, dialog.path, str(tmp_path / "out.file"))
    press(qtbot, dialog, "Export")
    qtbot.waitUntil(hold.reached.is_set, timeout=LONG)
    assert [p.suffix for p in tmp_path.iterdir()] == [".part"]  # being written now
    return dialog, hold


@pytest.mark.parametrize("kind", list(ExportKind))
def test_cancel_while_running_leaves_no_file(qtbot: QtBot, demo_db: Database, tmp_path: Path,
                                             kind: ExportKind,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    dialog, hold = _start_held(qtbot, demo_db, tmp_path, kind, monkeypatch)
    assert dialog.message.text() == "Exporting…"
    press(qtbot, dialog, "Cancel")
    assert dialog.message.text() == "Cancelling…"
    hold.release.set()
    qtbot.waitUntil(dialog.export_button.isEnabled, timeout=LONG)
    assert hold.closed.is_set()
    assert dialog.message.text() == "Cancelled: no file was written."
    assert list(tmp_path.iterdir()) == []
    assert not dialog.open_button.isEnabled()
    assert dialog.isVisible()  # Cancel stops the export, not the dialog


def test_escape_while_running_closes_and_leaves_no_file(
        qtbot: QtBot, demo_db: Database, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    dialog, hold = _start_held(qtbot, demo_db, tmp_path, ExportKind.WORKBOOK, monkeypatch)
    assert not dialog.close_button.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    hold.release.set()
    qtbot.waitUntil(hold.closed.is_set, timeout=LONG)
    qtbot.waitUntil(lambda: dialog.job is None, timeout=LONG)
    assert list(tmp_path.iterdir()) == []


def test_a_typed_path_and_enter_export_without_a_file_picker(
        qtbot: QtBot, demo_db: Database, tmp_path: Path) -> None:
    """Browse… once took Enter, so a typed path and Enter opened the file picker (the test's
    file pickers fail the test if anything opens one)."""
    dialog = open_dialog(qtbot, demo_db, ExportKind.WORKBOOK)
    target = tmp_path / "typed.xlsx"
    type_text(qtbot, dialog.path, str(target))
    qtbot.keyClick(dialog.path, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.written == target, timeout=LONG)
    assert "Audits" in load_workbook(target, read_only=True).sheetnames
    assert dialog.export_button.isDefault()
    browse = next(b for b in dialog.findChildren(QPushButton) if b.text() == "&Browse…")
    assert not browse.autoDefault() and not browse.isDefault()


@pytest.fixture
def demo_copy(demo_db_file: Path, tmp_path: Path) -> Iterator[Database]:
    """A copy of the demo database of this test's own: a release is recorded in it."""
    path = tmp_path / "demo.sqlite"
    shutil.copy(demo_db_file, path)
    database = open_database(path, backup=False)
    yield database
    database.dispose()


def _releases(db: Database) -> list[tuple[date, date, int]]:
    with db.transaction() as session:
        return [(r.date_from, r.date_to, len(session.scalars(
                    select(ReleasedAudit.audit_uid).where(ReleasedAudit.release_id == r.id))
                    .all())) for r in session.scalars(select(Release)).all()]


def _board_for_release(qtbot: QtBot, db: Database, first: date, last: date, out: Path,
                       keys: bool) -> ExportDialog:
    """The board pack dialog filled in, "For release" ticked (with Alt+R, or a click)."""
    board = open_dialog(qtbot, db, ExportKind.BOARD_PACK)
    type_date(qtbot, board.date_from, first)
    type_date(qtbot, board.date_to, last)
    type_text(qtbot, board.path, str(out))
    assert not board.for_release.isChecked()
    if keys:  # the mnemonic runs from the event loop
        qtbot.keyClick(board.path, Qt.Key.Key_R, ALT)
    else:
        click(qtbot, board.for_release)
    qtbot.waitUntil(board.for_release.isChecked, timeout=LONG)
    return board


def test_a_pack_ticked_for_release_is_registered_and_an_overlapping_one_refused(
        qtbot: QtBot, demo_copy: Database, tmp_path: Path) -> None:
    out = tmp_path / "h1.pdf"
    board = _board_for_release(qtbot, demo_copy, date(2026, 1, 1), date(2026, 6, 30), out,
                               keys=False)
    run(qtbot, board)
    assert board.message.text() == f"Saved {out}"
    manifest = Manifest.from_json(read_stamp(out) or "", out.name)
    assert manifest.release
    assert _releases(demo_copy) == [(date(2026, 1, 1), date(2026, 6, 30),
                                     len(manifest.audits))]
    assert board_pdf.DRAFT not in " ".join(PdfReader(out).pages[0].extract_text().split())

    # A second release over an overlapping period: refused in one clear line, no file.
    overlapping = tmp_path / "apr-sep.pdf"
    board = _board_for_release(qtbot, demo_copy, date(2026, 4, 1), date(2026, 9, 30),
                               overlapping, keys=True)
    run(qtbot, board)
    message = board.message.text()
    assert message.startswith("Not exported: Not released: ")
    assert (f"counted by release {manifest.release} (1 Jan 2026 to 30 Jun 2026, released by "
            f"{LEAD.name} on ") in message
    assert "Export it as a draft, or choose a period after that release." in message
    assert "\n" not in message and "Traceback" not in message
    assert not overlapping.exists()
    assert len(_releases(demo_copy)) == 1


EXAMPLE_WORDS = Path(__file__).resolve().parents[3] / "docs" / "board-words.example.yaml"


def test_the_board_pack_as_the_word_edition(qtbot: QtBot, demo_db: Database,
                                            tmp_path: Path) -> None:
    """Edition › Word edition: the words file and the marking appear, the file is a .docx,
    and the Word edition is written with those words."""
    from docx import Document

    dialog = open_dialog(qtbot, demo_db, ExportKind.BOARD_PACK)
    assert not dialog.words.isVisible()
    choose(qtbot, dialog.edition, "Word edition (accessible: the copy to publish)")
    assert dialog.words.isVisible() and dialog.marking.isVisible()
    assert dialog.path.text().endswith(".docx")
    type_text(qtbot, dialog.words, str(EXAMPLE_WORDS))
    out = tmp_path / "board.docx"
    type_text(qtbot, dialog.path, str(out))
    run(qtbot, dialog)
    assert dialog.message.text() == f"Saved {out}"
    document = Document(str(out))
    assert document.sections[0].header.paragraphs[0].text.startswith("OFFICIAL-SENSITIVE")
    assert "Example Borough Council" in "\n".join(p.text for p in document.paragraphs)


def test_a_hostile_words_file_is_one_line_and_no_file(qtbot: QtBot, demo_db: Database,
                                                      tmp_path: Path) -> None:
    dialog = open_dialog(qtbot, demo_db, ExportKind.BOARD_PACK)
    choose(qtbot, dialog.edition, "Word edition (accessible: the copy to publish)")
    words = tmp_path / "words.yaml"
    words.write_bytes(EXAMPLE_WORDS.read_bytes() + b"\nverdict: guilty\n")
    type_text(qtbot, dialog.words, str(words))
    out = tmp_path / "board.docx"
    type_text(qtbot, dialog.path, str(out))
    run(qtbot, dialog)
    assert dialog.message.text().startswith(f"Not exported: {words}:")
    assert "unknown field 'verdict'" in dialog.message.text()
    assert "\n" not in dialog.message.text() and not out.exists()
