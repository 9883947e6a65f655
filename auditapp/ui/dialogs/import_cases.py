"""Importing a sample of cases from a spreadsheet: every problem listed, nothing half-done."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from auditapp.rules.permissions import Actor
from auditapp.services.cases import CaseImportResult, import_cases
from auditapp.services.template_list import TemplateRow
from auditapp.storage.engine import Database
from auditapp.ui.widgets import alerts
from auditapp.ui.widgets.dates import date_edit, picked_date
from auditapp.ui.widgets.keys import enter_presses
from auditapp.ui.widgets.workers import start_job

HELP = ("One row per sampled case. Columns: reference and category (required); uasc, age, "
        "team, worker, audit date and auditor (optional). If any row has a problem, nothing "
        "is imported and every problem is listed below.")


class ImportCasesDialog(QDialog):
    """Pick the file, the template and the defaults; see the outcome or the problems."""

    def __init__(self, db: Database, templates: list[TemplateRow], actor: Actor,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.setWindowTitle("Import cases")
        self.resize(640, 480)
        form = QFormLayout(self)
        intro = QLabel(HELP)
        intro.setWordWrap(True)
        form.addRow(intro)
        row = QHBoxLayout()
        self.path = QLineEdit()
        self.path.setAccessibleName("Spreadsheet to import")
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._browse)
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        label = QLabel("&File:")
        label.setBuddy(self.path)
        form.addRow(label, row)
        self.template = QComboBox()
        for template in templates:
            self.template.addItem(f"{template.title} (v{template.version})", template.id)
        self.template.setAccessibleName("Template for the new audits")
        form.addRow("&Template:", self.template)
        self.auditor = QLineEdit(actor.name)
        self.auditor.setAccessibleName("Auditor for rows without one")
        form.addRow("&Auditor (rows without one):", self.auditor)
        self.audit_date = date_edit("Audit date for rows without one")
        form.addRow("Audit &date (rows without one):", self.audit_date)
        self.outcome = QPlainTextEdit()
        self.outcome.setReadOnly(True)
        self.outcome.setAccessibleName("Import outcome")
        form.addRow(self.outcome)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.import_button = self.buttons.addButton("&Import",
                                                    QDialogButtonBox.ButtonRole.ActionRole)
        self.import_button.clicked.connect(self.start_import)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        enter_presses(self, self.import_button)
        self.imported = False

    def _browse(self) -> None:
        path = alerts.pick_open_path(self, "Choose the sample of cases",
                                     "Spreadsheets (*.xlsx *.csv)")
        if path is not None:
            self.path.setText(str(path))

    def start_import(self) -> None:
        """Import in the background; the dialog shows the result or every problem."""
        path = Path(self.path.text().strip())
        if not self.path.text().strip():
            self.outcome.setPlainText("Choose a spreadsheet first.")
            return
        template_id = self.template.currentData()
        auditor = self.auditor.text().strip()
        audit_date = picked_date(self.audit_date)
        self.import_button.setEnabled(False)
        self.outcome.setPlainText("Importing…")
        start_job(self, lambda: import_cases(self.db, path, template_id, self.actor, auditor,
                                             audit_date),
                  on_finished=self._done, on_failed=self._failed_text)

    def _done(self, result: CaseImportResult) -> None:
        self.imported = True
        self.import_button.setEnabled(True)
        self.outcome.setPlainText(
            f"Imported {_count(result.rows, 'row')}: {_count(result.cases_created, 'new case')}, "
            f"{_count(result.cases_updated, 'existing case')}, "
            f"{_count(result.audits_created, 'draft audit')}.")

    def _failed_text(self, message: str) -> None:
        self.import_button.setEnabled(True)
        self.outcome.setPlainText(message)


def _count(number: int, noun: str) -> str:
    """"1 new case", "2 new cases"."""
    return f"{number} {noun}{'' if number == 1 else 's'}"
