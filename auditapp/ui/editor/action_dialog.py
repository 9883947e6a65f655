"""Adding or editing one action raised by an audit.

OK saves the action through the function the dialog is given. If that refuses it (an
immediate action due too late, an audit no longer a draft), the dialog says why and stays
open with everything typed, to be put right or cancelled.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from auditapp.errors import UserError
from auditapp.models import ActionPriority, ActionStatus
from auditapp.services.audits.editing import ActionInfo, ActionInput
from auditapp.services.templates import TemplateInfo
from auditapp.ui.widgets.dates import date_edit

#: Saves what the dialog holds; raises UserError to refuse it.
SaveAction = Callable[[ActionInput], object]


class ActionDialog(QDialog):
    """What must happen, who owns it, and by when."""

    def __init__(self, template: TemplateInfo, action: ActionInfo | None = None, *,
                 save: SaveAction, question_id: int | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._save = save
        self.setWindowTitle("Edit action" if action else "Add action")
        form = QFormLayout(self)
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setAccessibleName("What must happen")
        form.addRow("&What must happen:", self.text)
        self.owner = QLineEdit()
        self.owner.setAccessibleName("Owner")
        self.owner.setPlaceholderText("Role and name, e.g. Personal adviser")
        form.addRow("&Owner:", self.owner)
        due_row = QHBoxLayout()
        self.has_due = QCheckBox("&Due by")
        self.due = date_edit("Due date")
        self.has_due.setAccessibleName("Action has a due date")
        self.has_due.toggled.connect(self.due.setEnabled)
        due_row.addWidget(self.has_due)
        due_row.addWidget(self.due, 1)
        form.addRow(QLabel("Due date:"), due_row)
        self.priority = QComboBox()
        for priority in ActionPriority:
            self.priority.addItem(priority.value.capitalize(), priority)
        self.priority.setAccessibleName("Priority")
        form.addRow("&Priority:", self.priority)
        self.status = QComboBox()
        for status in ActionStatus:
            self.status.addItem(status.value.capitalize(), status)
        self.status.setAccessibleName("Status")
        form.addRow("&Status:", self.status)
        self.question = QComboBox()
        self.question.addItem("(the whole audit)", None)
        for section in template.sections:
            for q in section.questions:
                self.question.addItem(f"{q.key} {q.text[:70]}", q.id)
        self.question.setAccessibleName("Linked question")
        form.addRow("&Linked question:", self.question)
        self.message = QLabel()
        self.message.setStyleSheet("color: #c0392b")
        form.addRow(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self._load(action, question_id)

    def _load(self, action: ActionInfo | None, question_id: int | None) -> None:
        today = date.today()
        self.due.setDate(QDate(today.year, today.month, today.day).addDays(28))
        self.has_due.setChecked(True)
        self.question.setCurrentIndex(max(self.question.findData(question_id), 0))
        if action is None:
            return
        self.text.setPlainText(action.text)
        self.owner.setText(action.owner)
        self.has_due.setChecked(action.due_date is not None)
        if action.due_date:
            self.due.setDate(QDate(action.due_date.year, action.due_date.month,
                                   action.due_date.day))
        self.priority.setCurrentIndex(self.priority.findData(ActionPriority(action.priority)))
        self.status.setCurrentIndex(self.status.findData(ActionStatus(action.status)))
        self.question.setCurrentIndex(max(self.question.findData(action.question_id), 0))

    def value(self) -> ActionInput:
        """The action as entered."""
        chosen = self.due.date()
        due = (date(chosen.year(), chosen.month(), chosen.day()) if self.has_due.isChecked()
               else None)
        return ActionInput(self.text.toPlainText().strip(), self.owner.text().strip(), due,
                           ActionPriority(self.priority.currentData()),
                           ActionStatus(self.status.currentData()),
                           self.question.currentData())

    def _accept(self) -> None:
        if not self.text.toPlainText().strip():
            self.message.setText("Say what must happen.")
            self.text.setFocus()
            return
        try:
            self._save(self.value())
        except UserError as exc:
            self.message.setText(str(exc))
            return
        self.accept()
