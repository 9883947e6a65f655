"""Exports from the desktop: the findings workbook, the board pack (as a PDF or as the Word
edition, from a words file) and an audit's feedback PDF.

The choices are the command line's. The export runs on a pool thread with a progress bar
and Cancel (a cancelled export leaves no file behind); when it is done the file can be
opened, or shown in its folder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from auditapp.rules.limits import DEFAULT_THRESHOLD, MAX_THRESHOLD, MIN_THRESHOLD
from auditapp.rules.markings import MARKINGS, MEANINGS, OFFICIAL_SENSITIVE
from auditapp.rules.permissions import Actor
from auditapp.services.reporting.board_figures import default_period
from auditapp.services.reporting.figures import ReportScope, list_teams
from auditapp.services.template_list import list_templates
from auditapp.storage.engine import Database
from auditapp.ui.dialogs.export_kinds import ExportKind
from auditapp.ui.widgets import alerts
from auditapp.ui.widgets.dates import date_edit, picked_date
from auditapp.ui.widgets.keys import enter_presses
from auditapp.ui.widgets.workers import Job, start_job

ANY = "Any"
EDITIONS = {"PDF (for the board's pack)": ".pdf",
            "Word edition (accessible: the copy to publish)": ".docx"}
#: What the export dialog says of the two editions (and the README says too).
TAGGING = ("The PDF is made with reportlab, which cannot tag a PDF: it is not tagged for "
           "accessibility, so it is not the copy to publish on a website. The Word edition "
           "is the accessible route for publication: real headings, table headers and alt "
           "text, and a tagged PDF when saved as PDF from Word or LibreOffice. A report "
           "whose words are written in the app is prepared in Work \u203a Board reports.")


class ExportDialog(QDialog):
    """Choose what the export covers and where it goes, then watch it run."""

    def __init__(self, db: Database, kind: ExportKind, reader: Actor,
                 parent: QWidget | None = None, audit_id: int | None = None,
                 suggested_name: str | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.kind = kind
        self.reader = reader  # a moderator's exports leave out what is withheld from them
        self.audit_id = audit_id
        self.job: Job | None = None
        self.written: Path | None = None
        self.setWindowTitle(kind.title)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)
        if kind is not ExportKind.FEEDBACK:
            self._period_rows(form)
        if kind is ExportKind.WORKBOOK:
            self._filter_rows(form)
        if kind is ExportKind.BOARD_PACK:
            self.threshold = QSpinBox()
            self.threshold.setRange(MIN_THRESHOLD, MAX_THRESHOLD)
            self.threshold.setValue(DEFAULT_THRESHOLD)
            self.threshold.setAccessibleName("Suppress counts below")
            form.addRow("&Suppress counts below:", self.threshold)
            note = QLabel("Counts from 1 up to this number are shown as “<N”, and no other "
                          "figure lets them be worked out. The pack holds no case "
                          "references, names or free text.")
            note.setWordWrap(True)
            form.addRow(note)
            self.for_release = QCheckBox("For &release (a practice lead records it in the "
                                         "release register)")
            self.for_release.setAccessibleName("For release")
            self.for_release.setToolTip("Without it the pack is a draft, marked on every page "
                                        "as not for release. A release counts its own period "
                                        "only, and is refused if it counts an audit another "
                                        "release counts.")
            form.addRow(self.for_release)
            self._edition_rows(form)
        self.path = QLineEdit(str(Path.home() / (suggested_name or kind.value[2])))
        self.path.setAccessibleName("Save as")
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        label = QLabel("Save &as:")
        label.setBuddy(self.path)
        form.addRow(label, row)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Export progress")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        layout.addWidget(self.progress)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton("&Export",
                                                    QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button = self.buttons.addButton("&Open file",
                                                  QDialogButtonBox.ButtonRole.ActionRole)
        self.folder_button = self.buttons.addButton("Show in &folder",
                                                    QDialogButtonBox.ButtonRole.ActionRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        for button in (self.open_button, self.folder_button):
            button.setEnabled(False)
        self.cancel_button.setEnabled(False)
        self.export_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.reject)
        self.open_button.clicked.connect(lambda: self._reveal(open_file=True))
        self.folder_button.clicked.connect(lambda: self._reveal(open_file=False))
        layout.addWidget(self.buttons)
        enter_presses(self, self.export_button)
        self.resize(560, self.sizeHint().height())

    # --- choices -----------------------------------------------------------------------------

    def _period_rows(self, form: QFormLayout) -> None:
        """The period, by default the board pack's (the command line's rule) for a board pack,
        and the six months from the first of a month up to today for the findings."""
        if self.kind is ExportKind.BOARD_PACK:
            first, last = default_period(date.today(), None, None).ends()
            start, end = QDate(first.year, first.month, first.day), QDate(
                last.year, last.month, last.day)
        else:
            end = QDate.currentDate()
            start = end.addMonths(-6)
            start = QDate(start.year(), start.month(), 1)
        self.date_from = date_edit("Period from", start)
        self.date_to = date_edit("Period to", end)
        row = QHBoxLayout()
        row.addWidget(self.date_from)
        row.addWidget(QLabel("to"))
        row.addWidget(self.date_to)
        row.addStretch(1)
        label = QLabel("&Period:")
        label.setBuddy(self.date_from)
        form.addRow(label, row)

    def _edition_rows(self, form: QFormLayout) -> None:
        """PDF or Word edition; the Word edition's words file and marking; and what each is
        for (the PDF is not tagged, the Word edition is the accessible route)."""
        self.edition = QComboBox()
        self.edition.addItems(list(EDITIONS))
        self.edition.setAccessibleName("Edition")
        form.addRow("E&dition:", self.edition)
        self.words = QLineEdit()
        self.words.setAccessibleName("Words file")
        self.words.setPlaceholderText("the report's words (docs/board-words.example.yaml)")
        self.words_browse = QPushButton("Bro&wse…")
        self.words_browse.setAccessibleName("Choose the words file")
        self.words_browse.clicked.connect(self._browse_words)
        row = QHBoxLayout()
        row.addWidget(self.words, 1)
        row.addWidget(self.words_browse)
        self.words_label = QLabel("&Words file:")
        self.words_label.setBuddy(self.words)
        form.addRow(self.words_label, row)
        self.marking = QComboBox()
        self.marking.addItems([f"{m} \u2013 {MEANINGS[m]}" for m in MARKINGS])
        self.marking.setCurrentIndex(MARKINGS.index(OFFICIAL_SENSITIVE))
        self.marking.setAccessibleName("Protective marking")
        self.marking_label = QLabel("Mar&king:")
        self.marking_label.setBuddy(self.marking)
        form.addRow(self.marking_label, self.marking)
        tagging = QLabel(TAGGING)
        tagging.setWordWrap(True)
        tagging.setAccessibleName("About the editions")
        form.addRow(tagging)
        self.edition.currentIndexChanged.connect(self._edition_changed)
        self._edition_changed()

    def _word(self) -> bool:
        return hasattr(self, "edition") and self.edition.currentIndex() == 1

    def _edition_changed(self) -> None:
        word = self._word()
        for widget in (self.words, self.words_browse, self.words_label, self.marking,
                       self.marking_label):
            widget.setVisible(word)
        if hasattr(self, "path"):
            path = Path(self.path.text())
            self.path.setText(str(path.with_suffix(".docx" if word else ".pdf")))

    def _browse_words(self) -> None:
        path = alerts.pick_open_path(self, "The report's words", "YAML (*.yaml *.yml)")
        if path is not None:
            self.words.setText(str(path))

    def _filter_rows(self, form: QFormLayout) -> None:
        self.team = QComboBox()
        self.team.addItems([ANY, *list_teams(self.db)])
        self.team.setAccessibleName("Team")
        form.addRow("&Team:", self.team)
        self.template = QComboBox()
        self.template.addItem(ANY, None)
        for key, title in sorted({(r.key, r.title) for r in list_templates(self.db)}):
            self.template.addItem(title, key)
        self.template.setAccessibleName("Template")
        form.addRow("Te&mplate:", self.template)

    def scope(self) -> ReportScope:
        """The period and filters chosen."""
        team = self.team.currentText() if hasattr(self, "team") else ANY
        return ReportScope(
            picked_date(self.date_from), picked_date(self.date_to),
            None if team == ANY else team,
            self.template.currentData() if hasattr(self, "template") else None, self.reader)

    def _browse(self) -> None:
        filters = "Word documents (*.docx)" if self._word() else self.kind.value[1]
        path = alerts.pick_save_path(self, self.kind.title, self.path.text(), filters)
        if path is not None:
            self.path.setText(str(path))

    # --- running -----------------------------------------------------------------------------

    def work(self) -> Callable[[], Iterator[tuple[int, int]]]:
        """The export as a progress generator, for a pool thread. The exporters are imported
        here so that reportlab and openpyxl's writers load on the first export, not at
        start-up."""
        out = Path(self.path.text()).expanduser()
        if self.kind is ExportKind.FEEDBACK:
            from auditapp.exporters.audit_pdf import export_audit_pdf

            assert self.audit_id is not None
            audit_id = self.audit_id
            reader = self.reader
            return lambda: export_audit_pdf(self.db, audit_id, out, reader)
        scope = self.scope()
        if self._word():
            return self._word_work(out, scope)
        if self.kind is ExportKind.BOARD_PACK:
            from auditapp.exporters.board_pdf import export_board_pack

            threshold = self.threshold.value()
            release = self.reader if self.for_release.isChecked() else None
            return lambda: export_board_pack(self.db, out, scope, threshold, date.today(),
                                             release=release)
        from auditapp.exporters.xlsx import export_workbook

        return lambda: export_workbook(self.db, out, scope, date.today())

    def _word_work(self, out: Path, scope: ReportScope
                   ) -> Callable[[], Iterator[tuple[int, int]]]:
        from auditapp.exporters.board_docx import export_board_docx
        from auditapp.inputs.board_words import read_board_words

        words_file = Path(self.words.text()).expanduser()
        threshold = self.threshold.value()
        marking = MARKINGS[self.marking.currentIndex()]
        release = self.reader if self.for_release.isChecked() else None

        def work() -> Iterator[tuple[int, int]]:
            words = read_board_words(words_file)  # on the pool thread: a file of any size
            return export_board_docx(self.db, out, scope, words, marking, threshold,
                                     date.today(), release=release)

        return work

    def start(self) -> None:
        """Run the export in the background."""
        if not self.path.text().strip():
            self.message.setText("Choose where to save the file.")
            return
        if self._word() and not self.words.text().strip():
            self.message.setText("Choose the words file of the Word edition (or prepare a "
                                 "report with its words in Work \u203a Board reports).")
            return
        if hasattr(self, "date_from") and self.date_from.date() > self.date_to.date():
            self.message.setText("The period must start before it ends.")
            return
        self._running(True)
        self.message.setText("Exporting…")
        self.progress.setRange(0, 0)
        target = Path(self.path.text()).expanduser()
        self.job = start_job(self, self.work(), on_progress=self._on_progress,
                             on_finished=lambda _r: self._done(target),
                             on_failed=self._failed, on_cancelled=self._cancelled)

    def cancel(self) -> None:
        """Stop the export; nothing is left behind."""
        if self.job is not None:
            self.message.setText("Cancelling…")
            self.job.cancel()

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _running(self, running: bool) -> None:
        self.export_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.close_button.setEnabled(not running)

    def _done(self, target: Path) -> None:
        self._running(False)
        self.job = None
        self.written = target
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.message.setText(f"Saved {target}")
        self.open_button.setEnabled(True)
        self.folder_button.setEnabled(True)

    def _failed(self, message: str) -> None:
        self._running(False)
        self.job = None
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.message.setText(f"Not exported: {message}")

    def _cancelled(self) -> None:
        self._running(False)
        self.job = None
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.message.setText("Cancelled: no file was written.")

    def _reveal(self, open_file: bool) -> None:
        if self.written is not None:
            target = self.written if open_file else self.written.parent
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))

    def reject(self) -> None:  # noqa: D102 - Qt override: closing stops a running export
        self.cancel()
        super().reject()
