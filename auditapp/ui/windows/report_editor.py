"""The editor of one board report: a plain-text box for each narrative part, autosaved as the
audit editor saves, beside a live preview of the report (its front sheet, the words as they
are typed, and the headline figures, read off the UI thread). Release and produce from here.

A released report opens read-only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from auditapp.errors import ConcurrentEditError
from auditapp.exporters.board_report import produce_report
from auditapp.exporters.report_preview import preview_html
from auditapp.inputs.board_words import NARRATIVE
from auditapp.rules.markings import MEANINGS, OFFICIAL
from auditapp.rules.permissions import Actor
from auditapp.rules.wording import day_text
from auditapp.services.reporting.board_figures import BoardPack
from auditapp.services.reporting.board_reports import (
    REQUIRED,
    ReportRow,
    preview_pack,
    read_report,
    release_report,
    save_words,
)
from auditapp.services.settings import council_name
from auditapp.storage.engine import Database
from auditapp.ui.widgets import alerts
from auditapp.ui.widgets.keys import standard_shortcuts
from auditapp.ui.widgets.screens import fit_to_screen
from auditapp.ui.widgets.workers import Job, start_job, start_job_with_progress

SAVE_DELAY_MS = 500
RETRY_DELAY_MS = 3000
PREVIEW_DELAY_MS = 250
#: The tabs' short names for the narrative parts (the headings are the full names).
TAB_NAMES = {"summary": "&Summary", "recommendations": "Re&commendations",
             "key_messages": "&Key messages", "next_steps": "&Next steps",
             "background": "&Background", "implications_for_children": "C&hildren",
             "risks": "R&isks"}
EDITIONS = {"pdf": ("PDF", "PDF files (*.pdf)"), "docx": ("Word", "Word documents (*.docx)")}


@dataclass(frozen=True)
class _Conflict:
    message: str


class ReportAutoSaver(QObject):
    """Saves a report's words in the background, one save at a time, each checked against
    the revision last read or saved here. A refused save (someone saved the report since)
    keeps its words and stops saving until :meth:`rebase`; a failed one is retried."""

    saved = Signal(object)  # ReportRow
    saving = Signal()
    failed = Signal(str)
    conflicted = Signal(str)

    def __init__(self, db: Database, report_id: int, revision: int, actor: Actor,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.report_id = report_id
        self.revision = revision
        self.actor = actor
        self.conflict = ""
        self.last_error = ""
        self.pending: dict[str, str] = {}
        self._in_flight: dict[str, str] | None = None
        self._landed: int | None = None
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._start_save)

    @property
    def unsaved(self) -> dict[str, str]:
        """The parts not yet in the database."""
        return {**(self._in_flight or {}), **self.pending}

    def set_part(self, part: str, text: str) -> None:
        """Queue a part's text."""
        self.pending[part] = text
        if not self._timer.isActive():
            self._timer.start(SAVE_DELAY_MS)

    def rebase(self, revision: int) -> None:
        """The report was read again at ``revision``: save the kept words on top."""
        self.revision = revision
        self.conflict = self.last_error = ""
        if self.pending:
            self._timer.start(SAVE_DELAY_MS)

    def _save(self, words: dict[str, str], revision: int) -> ReportRow | _Conflict:
        try:
            row = save_words(self.db, self.report_id, words, revision, self.actor)
        except ConcurrentEditError as exc:
            return _Conflict(str(exc))
        self._landed = row.revision
        return row

    def flush(self) -> bool:
        """Save everything now (on close, before a release or a production); True when
        nothing is left unsaved."""
        self._timer.stop()
        self._pool.waitForDone()
        if self._landed is not None:
            self.revision = max(self.revision, self._landed)
        if not self.pending or self.conflict:
            return not self.pending and not self.last_error
        words, self.pending = self.pending, {}
        try:
            result = self._save(words, self.revision)
        except Exception as exc:  # kept to save again; the window tells the user
            self.pending = {**words, **self.pending}
            self._failed(str(exc))
            return False
        if isinstance(result, _Conflict):
            self.pending = {**words, **self.pending}
            self._conflicted(result.message)
            return False
        self._saved(result)
        return True

    def _start_save(self) -> None:
        if self._in_flight is not None or not self.pending or self.conflict:
            return
        words, self.pending = self.pending, {}
        self._in_flight = words
        self.saving.emit()
        revision = self.revision
        start_job(self, lambda: self._save(words, revision), on_finished=self._on_saved,
                  on_failed=self._on_failed, pool=self._pool)

    def _on_saved(self, result: ReportRow | _Conflict) -> None:
        words, self._in_flight = self._in_flight or {}, None
        if isinstance(result, _Conflict):
            self.pending = {**words, **self.pending}
            self._conflicted(result.message)
            return
        self._saved(result)
        if self.pending:
            self._start_save()

    def _on_failed(self, message: str) -> None:
        words, self._in_flight = self._in_flight or {}, None
        self.pending = {**words, **self.pending}
        self._failed(message)
        self._timer.start(RETRY_DELAY_MS)

    def _saved(self, row: ReportRow) -> None:
        self.last_error = ""
        self.revision = max(self.revision, row.revision)
        self.saved.emit(row)

    def _conflicted(self, message: str) -> None:
        self.conflict = self.last_error = message
        self.conflicted.emit(message)

    def _failed(self, message: str) -> None:
        self.last_error = message
        self.failed.emit(message)


class ReportEditorWindow(QMainWindow):
    """One board report: its words, a live preview, release and produce."""

    report_changed = Signal(int)  # released, or its settings changed: the list changes
    closed = Signal(int)

    def __init__(self, db: Database, row: ReportRow, actor: Actor,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.row = row
        self.council = council_name(db)
        self._figures: BoardPack | str | None = None
        self._asked = 0  # readings of the figures asked for
        self._job: Job | None = None
        self._loading = False
        self.autosaver = ReportAutoSaver(db, row.id, row.revision, actor, self)
        self.boxes: dict[str, QPlainTextEdit] = {}
        self._build()
        self._connect()
        self._show_row(row)
        self._read_figures()
        fit_to_screen(self, 1240, 760)
        self.boxes["summary"].setFocus()  # the cursor where the writing starts

    # --- building ------------------------------------------------------------------------

    def _build(self) -> None:
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.title.setAccessibleName("Report title")
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setAccessibleName("Report")
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background: #fff4e5; color: #5c3300; padding: 6px")
        self.banner.setAccessibleName("Notice")
        self.reload_button = QPushButton("Re&load")
        self.reload_button.setAccessibleName("Reload the report")
        banner_row = QHBoxLayout()
        banner_row.addWidget(self.banner, 1)
        banner_row.addWidget(self.reload_button)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Parts of the report")
        # The parts a release needs first, then the others, each under its tab.
        for part in sorted(NARRATIVE, key=lambda p: p not in REQUIRED):
            heading = NARRATIVE[part]
            box = QPlainTextEdit()
            box.setTabChangesFocus(True)
            box.setAccessibleName(heading)
            box.setPlaceholderText(
                f"{heading}{' (needed before release)' if part in REQUIRED else ''}: "
                "paragraphs, a blank line between them; or a list, one point a line "
                "starting with \"- \".")
            self.boxes[part] = box
            self.tabs.addTab(box, TAB_NAMES[part])
        self.preview = QTextBrowser()
        self.preview.setAccessibleName("Preview of the report")
        self.preview.setOpenLinks(False)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.tabs)
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(0, 3)  # room for every part's tab at 125 % on 1366x768
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        self.status = QLabel()
        self.status.setAccessibleName("Save status")
        self.settings_button = QPushButton("S&ettings\u2026")
        self.settings_button.setAccessibleName("Change the report's settings")
        self.release_button = QPushButton("&Release\u2026")
        self.release_button.setAccessibleName("Release the report")
        self.pdf_button = QPushButton("Produce &PDF\u2026")
        self.pdf_button.setAccessibleName("Produce the report as a PDF")
        self.word_button = QPushButton("Produce &Word\u2026")
        self.word_button.setAccessibleName("Produce the report as a Word edition")
        self.close_button = QPushButton("Close")
        self.close_button.setAccessibleName("Close the report")
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        for button in (self.settings_button, self.release_button, self.pdf_button,
                       self.word_button, self.close_button):
            buttons.addWidget(button)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.title)
        layout.addWidget(self.heading)
        layout.addLayout(banner_row)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self.setCentralWidget(body)
        order = [self.tabs, *self.boxes.values(), self.preview, self.settings_button,
                 self.release_button,
                 self.pdf_button, self.word_button, self.close_button]
        for first, second in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(first, second)
        close = QAction("Close", self)
        close.setShortcuts([*standard_shortcuts(QKeySequence.StandardKey.Close),
                            QKeySequence(Qt.Key.Key_Escape)])
        close.triggered.connect(self.close)
        self.addAction(close)
        for keys, step in (("Ctrl+PgDown", 1), ("Ctrl+PgUp", -1)):
            turn = QAction("Next part" if step > 0 else "Previous part", self)
            turn.setShortcut(QKeySequence(keys))
            turn.triggered.connect(lambda _checked=False, s=step: self._turn(s))
            self.addAction(turn)

    def _turn(self, step: int) -> None:
        """Ctrl+PgDown / Ctrl+PgUp: the next or previous part, with the cursor in its box."""
        self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())
        widget = self.tabs.currentWidget()
        if widget is not None:
            widget.setFocus()

    def _connect(self) -> None:
        for part, box in self.boxes.items():
            box.textChanged.connect(lambda p=part, b=box: self._typed(p, b))
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.timeout.connect(self._render)
        self.autosaver.saving.connect(lambda: self.status.setText("Saving\u2026"))
        self.autosaver.saved.connect(self._saved)
        self.autosaver.failed.connect(
            lambda message: self.status.setText(f"Not saved yet (trying again): {message}"))
        self.autosaver.conflicted.connect(self._conflicted)
        self.reload_button.clicked.connect(self.reload)
        self.settings_button.clicked.connect(self.change_settings)
        self.release_button.clicked.connect(self.release)
        self.pdf_button.clicked.connect(lambda: self.produce("pdf"))
        self.word_button.clicked.connect(lambda: self.produce("docx"))
        self.close_button.clicked.connect(self.close)

    # --- showing the report --------------------------------------------------------------

    def _show_row(self, row: ReportRow, keep: dict[str, str] | None = None) -> None:
        """Show ``row``; ``keep``: parts typed here and not yet saved, shown over it."""
        self.row = row
        settings = row.settings
        self.setWindowTitle(f"{settings.title} \u2013 board report {row.id}")
        state = (f"Released {day_text(row.released_at.date())} as release {row.release}: "
                 "read-only" if row.frozen and row.released_at else "Draft")
        self.title.setText(settings.title)
        self.heading.setText(f"{settings.committee}, "
                             f"{day_text(settings.meeting_date)} \u00b7 "
                             f"{settings.scope.period_text()} \u00b7 {settings.scope_text()} "
                             f"\u00b7 {settings.marking} \u00b7 {state}")
        self._loading = True
        for part, box in self.boxes.items():
            text = (keep or {}).get(part, row.words.get(part, ""))
            if box.toPlainText() != text:
                box.setPlainText(text)
            box.setReadOnly(row.frozen)
        self._loading = False
        self.release_button.setEnabled(not row.frozen)
        self.settings_button.setEnabled(not row.frozen)
        self.status.setText("" if row.frozen else "Every change is saved as you type.")
        self.banner.setVisible(False)
        self.reload_button.setVisible(False)
        if row.frozen:
            self._notice("Released: its words and settings can no longer change. Produce "
                         "it again at any time: the same file, for as long as the audits "
                         "it counted are unchanged.", reload=False)
        self._render()

    def _notice(self, text: str, reload: bool) -> None:
        self.banner.setText(text)
        self.banner.setVisible(True)
        self.reload_button.setVisible(reload)

    def _words(self) -> dict[str, str]:
        return {part: box.toPlainText() for part, box in self.boxes.items()}

    def _typed(self, part: str, box: QPlainTextEdit) -> None:
        if self._loading or self.row.frozen:
            return
        self.autosaver.set_part(part, box.toPlainText())
        self.status.setText("Not saved yet")
        self._preview_timer.start(PREVIEW_DELAY_MS)

    def _render(self) -> None:
        bar = self.preview.verticalScrollBar()
        position = bar.value()
        self.preview.setHtml(preview_html(self.row, self._words(), self.council,
                                          self._figures))
        bar.setValue(position)

    def _read_figures(self) -> None:
        """Read the figures off the UI thread; only the latest reading is shown (settings
        changed meanwhile make an earlier one stale)."""
        self._figures = None
        self._asked += 1
        asked, report = self._asked, self.row.id

        def done(pack: BoardPack) -> None:
            if asked == self._asked:
                self._figures = pack
                self._render()

        def failed(message: str) -> None:
            if asked == self._asked:
                self._figures = message
                self._render()

        start_job(self, lambda: preview_pack(self.db, report, self.actor),
                  on_finished=done, on_failed=failed)

    def _saved(self, row: ReportRow) -> None:
        self.row = row
        self.status.setText(f"Saved {datetime.now():%H:%M:%S}")

    def _conflicted(self, message: str) -> None:
        self.status.setText("Not saved: the report was changed elsewhere")
        self._notice(message, reload=True)

    def reload(self) -> None:
        """Read the report again after someone else saved it: their words are shown for the
        parts not changed here, and the parts changed here are kept and saved on top."""
        keep = self.autosaver.unsaved
        row = read_report(self.db, self.row.id, self.actor)
        self._show_row(row, keep)
        self.autosaver.rebase(row.revision)

    # --- release and produce --------------------------------------------------------------

    def _saved_now(self) -> bool:
        if self.autosaver.flush():
            return True
        alerts.warn(self, "Not saved", "The latest words are not saved: "
                    f"{self.autosaver.last_error or 'try again'}")
        return False

    def change_settings(self) -> None:
        """Change a draft's settings (the words are saved first); its figures are read
        again for the new period and scope."""
        from auditapp.ui.dialogs.new_report import NewReportDialog

        if self.row.frozen or not self._saved_now():
            return
        dialog = NewReportDialog(self.db, self.actor, self, draft=self.row,
                                 revision=self.autosaver.revision)
        if not dialog.exec() or dialog.started is None:
            return
        self.autosaver.revision = dialog.started.revision
        self._show_row(dialog.started)
        self._read_figures()
        self.report_changed.emit(self.row.id)

    def release(self) -> None:
        """Release the report after saying what that means."""
        if self.row.frozen or not self._saved_now():
            return
        marking = self.row.settings.marking
        published = ("It is marked OFFICIAL: to be published, for example on the council's "
                     "website." if marking == OFFICIAL else
                     f"It is marked {marking}: {MEANINGS.get(marking, '')}.")
        if not alerts.ask(
                self, "Release the report",
                "Releasing records this report's figures in the release register: no later "
                "release may count any of its audits, so that no two published reports can "
                f"be set against each other. {published}\n\nOnce released, its words and "
                "settings can no longer change; it can be produced again at any time as the "
                "same file.", yes="Release"):
            return
        report, revision = self.row.id, self.autosaver.revision
        self._run("Releasing the report",
                  lambda: release_report(self.db, report, revision, self.actor),
                  self._released, "Not released", cancellable=False)

    def _released(self, row: ReportRow) -> None:
        self.autosaver.revision = row.revision
        self._show_row(row)
        self.status.setText(f"Released as release {row.release}")
        self.report_changed.emit(row.id)

    def produce(self, edition: str) -> None:
        """Write the report as a PDF or a Word edition, where the user says."""
        if not self.row.frozen and not self._saved_now():
            return
        name, filters = EDITIONS[edition]
        suggested = f"{self.row.settings.title[:80]}.{edition}".replace("/", "-")
        path = alerts.pick_save_path(self, f"Produce the report as {name}", suggested,
                                     filters)
        if path is None:
            return
        if path.suffix.lower() != f".{edition}":
            path = path.with_name(f"{path.name}.{edition}")
        report = self.row.id
        self._run(f"Producing the {name} edition",
                  lambda: produce_report(self.db, report, path, edition, self.actor),
                  lambda _result: self._produced(path), f"{name} edition not produced")

    def _produced(self, path: Path) -> None:
        self.status.setText(f"Wrote {path}")

    def _run(self, title: str, work: Callable[[], Any], on_done: Callable[[Any], None],
             failure: str, cancellable: bool = True) -> None:
        """Run ``work`` off the UI thread behind a progress dialog."""
        self._job = start_job_with_progress(self, title, work, on_done, failure, cancellable)

    # --- closing ---------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if not self.row.frozen and not self.autosaver.flush():
            parts = ", ".join(NARRATIVE[p] for p in self.autosaver.unsaved)
            if not alerts.ask(self, "Close without saving?",
                              f"These parts are not saved: {parts}. "
                              f"{self.autosaver.last_error}\n\nClose anyway and lose them?",
                              yes="Close and lose them", no="Keep the window open"):
                event.ignore()
                return
        self.closed.emit(self.row.id)
        event.accept()
