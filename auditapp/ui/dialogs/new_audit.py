"""Starting an audit: pick a case (or enter a new one) and a template version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from auditapp.models import CareLeaverCategory
from auditapp.services.cases import MAX_AGE, MIN_AGE, CaseInput, CaseRow, check_reference
from auditapp.services.template_list import TemplateRow
from auditapp.ui.widgets.dates import date_edit, picked_date
from auditapp.ui.widgets.keys import enter_presses


@dataclass(frozen=True)
class NewAuditRequest:
    """What the dialog collected."""

    case_id: int | None  # an existing case, or None for ``new_case``
    new_case: CaseInput | None
    template_id: int
    auditor: str
    audit_date: date


class NewAuditDialog(QDialog):
    """Pick or enter the case, pick the template version, start."""

    def __init__(self, cases: list[CaseRow], templates: list[TemplateRow], auditor: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New audit")
        self.cases = cases
        layout = QVBoxLayout(self)
        layout.addWidget(self._case_box())
        layout.addWidget(self._audit_box(templates, auditor))
        self.message = QLabel()
        self.message.setStyleSheet("color: #c0392b")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox()
        # Made before Cancel, so that Tab from the last field reaches it first.
        self.start_button = buttons.addButton("&Start audit",
                                              QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        enter_presses(self, self.start_button)
        self.request: NewAuditRequest | None = None
        self._toggle_new(not cases)
        # The keyboard starts on the first thing to fill in: the case to choose, or the new
        # case's reference when there is none to choose.
        (self.existing if cases else self.reference).setFocus()

    def _case_box(self) -> QGroupBox:
        box = QGroupBox("Case")
        form = QFormLayout(box)
        self.use_existing = QRadioButton("An &existing case")
        self.use_new = QRadioButton("A &new case")
        choice = QButtonGroup(self)
        choice.addButton(self.use_existing)
        choice.addButton(self.use_new)
        self.use_existing.setEnabled(bool(self.cases))
        form.addRow(self.use_existing)
        self.existing = QComboBox()
        self.existing.setEditable(True)
        self.existing.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for case in self.cases:
            self.existing.addItem(f"{case.reference} ({case.category}, {case.team or 'no team'})",
                                  case.id)
        completer = self.existing.completer()
        assert completer is not None  # an editable combo box has its completer
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.existing.setAccessibleName("Existing case")
        form.addRow("&Case:", self.existing)
        form.addRow(self.use_new)
        self.reference = QLineEdit()
        self.reference.setPlaceholderText("Pseudonymous case reference – never a name")
        self.reference.setAccessibleName("Case reference")
        form.addRow("&Reference:", self.reference)
        self.category = QComboBox()
        for category in CareLeaverCategory:
            self.category.addItem(category.value.capitalize(), category)
        self.category.setAccessibleName("Care leaver category")
        form.addRow("Ca&tegory:", self.category)
        self.uasc = QCheckBox("&Unaccompanied asylum-seeking young person")
        form.addRow(self.uasc)
        self.age = QSpinBox()
        self.age.setRange(MIN_AGE - 1, MAX_AGE)  # the one below the youngest: not recorded
        self.age.setSpecialValueText("Not recorded")
        self.age.setValue(self.age.minimum())
        self.age.setAccessibleName("Age at audit")
        form.addRow("&Age at audit:", self.age)
        self.team = QLineEdit()
        self.team.setAccessibleName("Team")
        teams = sorted({c.team for c in self.cases if c.team})
        self.team.setCompleter(QCompleter(teams, self))
        form.addRow("Tea&m:", self.team)
        self.worker = QLineEdit()
        self.worker.setAccessibleName("Social worker or personal adviser")
        form.addRow("&Worker or PA:", self.worker)
        self.use_existing.toggled.connect(lambda on: self._toggle_new(not on))
        self.use_new.toggled.connect(self._toggle_new)
        return box

    def _audit_box(self, templates: list[TemplateRow], auditor: str) -> QGroupBox:
        box = QGroupBox("Audit")
        form = QFormLayout(box)
        self.template = QComboBox()
        for row in templates:
            if not row.retired:
                self.template.addItem(f"{row.title} (v{row.version}, {row.questions} questions)",
                                      row.id)
        self.template.setAccessibleName("Template version")
        form.addRow("Tem&plate:", self.template)
        self.auditor = QLineEdit(auditor)
        self.auditor.setAccessibleName("Auditor")
        form.addRow("Au&ditor:", self.auditor)
        self.audit_date = date_edit("Audit date")
        form.addRow("Aud&it date:", self.audit_date)
        return box

    def _toggle_new(self, new: bool) -> None:
        self.use_new.setChecked(new)
        self.use_existing.setChecked(not new)
        self.existing.setEnabled(not new)
        for widget in (self.reference, self.category, self.uasc, self.age, self.team,
                       self.worker):
            widget.setEnabled(new)

    def _accept(self) -> None:
        try:
            self.request = self._collect()
        except ValueError as exc:
            self.message.setText(str(exc))
            return
        self.accept()

    def _collect(self) -> NewAuditRequest:
        if self.template.currentData() is None:
            raise ValueError("There is no template to audit against: import one first.")
        if not self.auditor.text().strip():
            raise ValueError("Give the auditor's name.")
        case_id: int | None = None
        new_case: CaseInput | None = None
        if self.use_new.isChecked():
            reference = check_reference(self.reference.text())
            if any(c.reference == reference for c in self.cases):
                raise ValueError(f"Case {reference} already exists: choose it as an existing "
                                 "case.")
            new_case = CaseInput(reference, CareLeaverCategory(self.category.currentData()),
                                 self.uasc.isChecked(),
                                 None if self.age.value() == self.age.minimum()
                                 else self.age.value(),
                                 self.team.text().strip(), self.worker.text().strip())
        else:
            case_id = self.existing.currentData()
            if case_id is None:
                raise ValueError("Choose a case.")
        return NewAuditRequest(case_id, new_case, int(self.template.currentData()),
                               self.auditor.text().strip(),
                               picked_date(self.audit_date))
