"""Audit bundles from the desktop: export audits to a file, import a file from a colleague.

The import runs in three steps in one window: read and check the bundle (off the UI
thread), settle each conflict (the field, this database's value and the bundle's, and a
choice that must be made), then import with progress and show what was done. Nothing is
imported until every conflict has a choice.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from auditapp.errors import UserError
from auditapp.models import Role
from auditapp.rules.permissions import Actor
from auditapp.services.audits.editing import list_audits
from auditapp.services.sync import bundle_file, bundles
from auditapp.services.sync.merge import Side
from auditapp.storage.engine import Database
from auditapp.ui.widgets import alerts
from auditapp.ui.widgets.dates import date_edit, picked_date
from auditapp.ui.widgets.keys import enter_presses
from auditapp.ui.widgets.workers import Job, start_job

FILTER = f"Audit bundles (*{bundle_file.SUFFIX})"
ANY = "Any auditor"
PERSONAL_DATA = ("A bundle holds personal data: case references, answers, evidence and "
                 "names. Protect it with a passphrase, carry it only on encrypted storage, "
                 "and delete it once it has been imported.")
CHOOSE, KEEP_HERE, TAKE_BUNDLE = "Choose…", "Keep this database's", "Take the bundle's"


def _path_row(form: QFormLayout, label: str, edit: QLineEdit, browse: QPushButton) -> None:
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    row.addWidget(browse)
    caption = QLabel(label)
    caption.setBuddy(edit)
    form.addRow(caption, row)


def _secret(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setAccessibleName(name)
    return edit


class BundleExportDialog(QDialog):
    """Choose which audits go into a bundle, protect it, and write it."""

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.actor = db, actor
        self.job: Job | None = None
        self.result_: bundles.ExportResult | None = None
        self.setWindowTitle("Export audits to a bundle")
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("x" * 80))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)
        self.auditor = QComboBox()
        self.auditor.addItems([ANY, *sorted({r.auditor for r in list_audits(db, actor)})])
        self.auditor.setAccessibleName("Only the audits of")
        form.addRow("Only the audits &of:", self.auditor)
        if actor.role != Role.PRACTICE_LEAD:  # the service exports only their own anyway
            self.auditor.setEnabled(False)
            self.auditor.setToolTip("You export your own audits (a moderator: those you "
                                    "moderated); a practice lead exports anyone's.")
        self.use_since = QCheckBox("Only audits &changed since")
        self.since = date_edit("Changed since", QDate.currentDate().addDays(-7))
        self.since.setEnabled(False)
        self.use_since.toggled.connect(self.since.setEnabled)
        form.addRow(self.use_since, self.since)
        self.encrypt = QCheckBox("&Protect with a passphrase")
        self.encrypt.setChecked(True)
        self.passphrase, self.again = _secret("Passphrase"), _secret("Passphrase again")
        self.encrypt.toggled.connect(self.passphrase.setEnabled)
        self.encrypt.toggled.connect(self.again.setEnabled)
        form.addRow(self.encrypt)
        form.addRow("Passp&hrase:", self.passphrase)
        form.addRow("A&gain:", self.again)
        name = f"audits-{date.today():%Y%m%d}{bundle_file.SUFFIX}"
        self.path = QLineEdit(str(Path.home() / name))
        self.path.setAccessibleName("Save as")
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._browse)
        _path_row(form, "Save &as:", self.path, browse)
        warning = QLabel(PERSONAL_DATA)
        warning.setWordWrap(True)
        layout.addWidget(warning)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Export progress")
        layout.addWidget(self.progress)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = buttons.addButton("&Export", QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.clicked.connect(self.start)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        enter_presses(self, self.export_button)
        self.resize(560, self.sizeHint().height())

    def _browse(self) -> None:
        path = alerts.pick_save_path(self, "Export audits to a bundle", self.path.text(), FILTER)
        if path is not None:
            self.path.setText(str(path))

    def _passphrase(self) -> str | None:
        if not self.encrypt.isChecked():
            return None
        if self.passphrase.text() != self.again.text():
            raise ValueError("The two passphrases differ.")
        return bundle_file.check_bundle_passphrase(self.passphrase.text())

    def start(self) -> None:
        """Write the bundle in the background."""
        try:
            passphrase = self._passphrase()
        except (ValueError, UserError) as exc:
            self.message.setText(str(exc))
            return
        auditor = None if self.auditor.currentText() == ANY else self.auditor.currentText()
        since = picked_date(self.since) if self.use_since.isChecked() else None
        out = Path(self.path.text()).expanduser()
        self.export_button.setEnabled(False)
        self.message.setText("Exporting…")
        self.job = start_job(
            self, lambda: bundles.export_bundle(self.db, out, self.actor, since=since,
                                             auditor=auditor, passphrase=passphrase),
            on_progress=self._progress, on_finished=self._finished, on_failed=self._failed)

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _finished(self, result: bundles.ExportResult) -> None:
        self.result_ = result
        self.export_button.setEnabled(True)
        protected = "protected with its passphrase" if result.encrypted else \
            "NOT protected: keep it on encrypted storage"
        self.message.setText(f"Wrote {result.audits} audits to {result.path} ({protected}).")

    def _failed(self, message: str) -> None:
        self.export_button.setEnabled(True)
        self.message.setText(f"Not exported: {message}")


class ConflictTable(QTableWidget):
    """Each conflict: the audit, the field, this database's value, the bundle's, a choice."""

    COLUMNS = ("Audit", "What", "In this database", "In the bundle", "Keep")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(self.COLUMNS), parent)
        self.setHorizontalHeaderLabels(self.COLUMNS)
        self.setAccessibleName("Conflicts to settle")
        self.setWordWrap(True)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.conflicts: list[bundles.ConflictInfo] = []

    def show_conflicts(self, conflicts: tuple[bundles.ConflictInfo, ...]) -> None:
        """Fill the table; every choice starts unmade."""
        self.conflicts = list(conflicts)
        self.setRowCount(len(conflicts))
        for row, conflict in enumerate(conflicts):
            texts = (conflict.audit, conflict.what, conflict.local, conflict.remote)
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setToolTip(f"{text}\n(when the two last met: {conflict.base})")
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.setItem(row, column, item)
            choice = QComboBox()
            choice.addItems([CHOOSE, KEEP_HERE, TAKE_BUNDLE])
            choice.setAccessibleName(f"Keep which value of {conflict.what}")
            self.setCellWidget(row, 4, choice)
        self.resizeRowsToContents()

    def choice_box(self, row: int) -> QComboBox:
        """The choice of one row."""
        widget = self.cellWidget(row, 4)
        assert isinstance(widget, QComboBox)
        return widget

    def choose_all(self, text: str) -> None:
        """The same choice for every row."""
        for row in range(self.rowCount()):
            self.choice_box(row).setCurrentText(text)

    def choices(self) -> dict[str, str] | None:
        """Every conflict's choice by its id, or None while any is unmade."""
        sides = {KEEP_HERE: Side.LOCAL, TAKE_BUNDLE: Side.REMOTE}
        chosen = {c.id: sides.get(self.choice_box(row).currentText(), "")
                  for row, c in enumerate(self.conflicts)}
        return chosen if all(chosen.values()) else None


class BundleImportDialog(QDialog):
    """Read a bundle, settle its conflicts, import it, and say what was done."""

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None,
                 path: Path | None = None) -> None:
        super().__init__(parent)
        self.db, self.actor = db, actor
        self.job: Job | None = None
        self.bundle: bundles.Bundle | None = None
        self.report: bundles.ImportReport | None = None
        self.setWindowTitle("Import an audit bundle")
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("x" * 80))
        layout = QVBoxLayout(self)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._file_page(path))
        self.pages.addWidget(self._conflict_page())
        self.pages.addWidget(self._report_page())
        layout.addWidget(self.pages, 1)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Import progress")
        layout.addWidget(self.progress)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.next_button = buttons.addButton("&Read bundle",
                                             QDialogButtonBox.ButtonRole.ActionRole)
        self.next_button.clicked.connect(self._next)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        enter_presses(self, self.next_button)
        self.resize(900, 560)
        if path is not None:  # opened on a file: its passphrase, or reading it, comes next
            (self.passphrase if self.passphrase.isEnabled() else self.next_button).setFocus()

    # --- pages -----------------------------------------------------------------------------

    def _file_page(self, path: Path | None) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.path = QLineEdit(str(path) if path else "")
        self.path.setAccessibleName("Bundle file")
        self.path.textChanged.connect(self._file_changed)
        browse = QPushButton("Br&owse…")
        browse.clicked.connect(self._browse)
        _path_row(form, "&Bundle:", self.path, browse)
        self.passphrase = _secret("Bundle passphrase")
        form.addRow("Pass&phrase:", self.passphrase)
        note = QLabel("Audits new here are added; audits changed only in the bundle are "
                      "updated; where the same field was changed here and in the bundle "
                      "you choose which to keep. Nothing is imported until every choice is "
                      "made.")
        note.setWordWrap(True)
        form.addRow(note)
        self._file_changed()
        return page

    def _conflict_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.conflict_intro = QLabel()
        self.conflict_intro.setWordWrap(True)
        layout.addWidget(self.conflict_intro)
        self.table = ConflictTable()
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        for text in (KEEP_HERE, TAKE_BUNDLE):
            button = QPushButton(f"{text} for all")
            button.clicked.connect(lambda _=False, t=text: self.table.choose_all(t))
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        return page

    def _report_page(self) -> QWidget:
        self.report_text = QPlainTextEdit()
        self.report_text.setReadOnly(True)
        self.report_text.setAccessibleName("What the import did")
        return self.report_text

    def _browse(self) -> None:
        path = alerts.pick_open_path(self, "Import an audit bundle", FILTER)
        if path is not None:
            self.path.setText(str(path))

    def _file_changed(self) -> None:
        text = self.path.text().strip()
        self.passphrase.setEnabled(bool(text) and bundle_file.is_encrypted(Path(text)))

    # --- steps -----------------------------------------------------------------------------

    def _next(self) -> None:
        page = self.pages.currentIndex()
        if page == 0:
            self.read()
        elif page == 1:
            self.import_settled()

    def _busy(self, text: str) -> None:
        self.next_button.setEnabled(False)
        self.message.setText(text)

    def read(self) -> None:
        """Read and check the bundle and see what importing it would do (in the background)."""
        path = Path(self.path.text().strip()).expanduser()
        passphrase = self.passphrase.text() or None
        self._busy("Reading the bundle…")

        def work() -> tuple[bundles.Bundle, bundles.ImportReport]:
            bundle = bundles.open_bundle(path, passphrase)
            return bundle, bundles.preview_import(self.db, bundle, self.actor)

        self.job = start_job(self, work, on_finished=self._read_done, on_failed=self._failed)

    def _read_done(self, result: tuple[bundles.Bundle, bundles.ImportReport]) -> None:
        self.bundle, preview = result
        if not preview.conflicts:
            self._import({})
            return
        self.conflict_intro.setText(
            f"From {self.bundle.source}.\n{len(preview.conflicts)} field(s) were changed both "
            "here and in the bundle since the two last met. Choose which value to keep for "
            "each; nothing is imported until every choice is made.")
        self.table.show_conflicts(preview.conflicts)
        self.pages.setCurrentIndex(1)
        self.next_button.setText("&Import")
        self.next_button.setEnabled(True)
        self.message.setText("")

    def import_settled(self) -> None:
        """Import with the choices made in the conflict table."""
        choices = self.table.choices()
        if choices is None:
            self.message.setText("Choose which value to keep for every conflict first.")
            return
        self._import(choices)

    def _import(self, choices: dict[str, str]) -> None:
        assert self.bundle is not None
        bundle = self.bundle
        self._busy("Importing…")
        self.job = start_job(
            self, lambda: bundles.import_bundle(self.db, bundle, self.actor, choices),
            on_progress=self._progress, on_finished=self._imported, on_failed=self._failed)

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _imported(self, report: bundles.ImportReport) -> None:
        self.report = report
        lines = [f"Imported from {self.bundle.source if self.bundle else 'the bundle'}.",
                 f"{report.summary()}; {report.history_added} history entries added.", ""]
        lines += [f"{o.outcome:<10} {o.audit}" for o in report.outcomes]
        lines += [f"settled    {c.audit}: {c.what}" for c in report.conflicts]
        self.report_text.setPlainText("\n".join(lines))
        self.pages.setCurrentIndex(2)
        self.next_button.hide()
        self.message.setText(f"Done: {report.summary()}.")

    def _failed(self, message: str) -> None:
        self.next_button.setEnabled(True)
        self.message.setText(f"Nothing was imported: {message}")

