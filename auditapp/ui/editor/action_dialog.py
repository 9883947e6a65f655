"""Adding or editing one action raised by an audit.

OK saves the action through the function the dialog is given, which applies every rule of
the domain (something must be said to happen; an immediate action is due within five
working days). If it refuses, the dialog says why and stays open with everything typed, to
be put right or cancelled; cancelling what was typed asks first. While the user types, the
dialog says what the rules will ask: an immediate action's latest due date, and the owner
and due date that submitting the audit needs. A new action starts at the domain's default
priority, due in four weeks; choosing Immediate brings a later due date forward to the
latest the rule allows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from PySide6.QtCore import QDate
from PySide6.QtGui import QCloseEvent
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
from auditapp.rules.actions import IMMEDIATE_WORKING_DAYS, add_working_days, immediate_due_problem
from auditapp.rules.wording import day_text
from auditapp.services.audits.editing import ActionInfo, ActionInput
from auditapp.services.templates import TemplateInfo
from auditapp.ui.widgets import alerts
from auditapp.ui.widgets.dates import date_edit, picked_date

#: Saves what the dialog holds; raises UserError to refuse it.
SaveAction = Callable[[ActionInput], object]
#: A new action is due this many days from today unless changed (the app's suggestion; the
#: domain sets no due date for a normal or high priority action).
SUGGESTED_DUE_DAYS = 28
NEEDED_TO_SUBMIT = "needed before the audit can be submitted"


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class ActionDialog(QDialog):
    """What must happen, who owns it, and by when."""

    def __init__(self, template: TemplateInfo, action: ActionInfo | None = None, *,
                 save: SaveAction, question_id: int | None = None,
                 parent: QWidget | None = None, today: date | None = None) -> None:
        super().__init__(parent)
        self._save = save
        self._template = template
        self._today = today or date.today()
        self._loaded: ActionInput | None = None
        #: Whether there was a due date, and which, before Immediate brought it forward.
        self._moved_from: tuple[bool, QDate] | None = None
        self._moving = False
        self.setWindowTitle("Edit action" if action else "Add action")
        form = QFormLayout(self)
        self.context = QLabel()
        self.context.setWordWrap(True)
        self.context.setAccessibleName("The question the action is about")
        form.addRow(self.context)
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setAccessibleName("What must happen")
        self.text.setMinimumHeight(self.text.fontMetrics().lineSpacing() * 3 + 14)
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
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setAccessibleName("What the rules ask")
        form.addRow(self.hint)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c0392b")
        form.addRow(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self._load(action, question_id)
        self._connect()
        self._show_rules()

    def _load(self, action: ActionInfo | None, question_id: int | None) -> None:
        self.due.setDate(_qdate(self._today + timedelta(days=SUGGESTED_DUE_DAYS)))
        self.has_due.setChecked(True)
        default = ActionInput("")  # the domain's defaults for a new action
        self.priority.setCurrentIndex(self.priority.findData(default.priority))
        self.status.setCurrentIndex(self.status.findData(default.status))
        self.question.setCurrentIndex(max(self.question.findData(question_id), 0))
        if action is not None:
            self.text.setPlainText(action.text)
            self.owner.setText(action.owner)
            self.has_due.setChecked(action.due_date is not None)
            if action.due_date:
                self.due.setDate(_qdate(action.due_date))
            self.priority.setCurrentIndex(self.priority.findData(ActionPriority(action.priority)))
            self.status.setCurrentIndex(self.status.findData(ActionStatus(action.status)))
            self.question.setCurrentIndex(max(self.question.findData(action.question_id), 0))
        self._loaded = self.value()
        self._show_context()

    def _connect(self) -> None:
        self.priority.currentIndexChanged.connect(self._on_priority)
        self.question.currentIndexChanged.connect(self._show_context)
        self.owner.textChanged.connect(self._show_rules)
        self.has_due.toggled.connect(self._on_due_edited)
        self.due.dateChanged.connect(self._on_due_edited)

    # --- what the dialog shows ---------------------------------------------------------------

    def _show_context(self) -> None:
        """The linked question's text, so the action reads against it."""
        question_id = self.question.currentData()
        if question_id is None:
            self.context.setText("An action on the whole audit.")
            return
        question = self._template.question(question_id)
        self.context.setText(f"<b>About question {question.key}</b>: {question.text}")

    def _latest_immediate_due(self) -> date:
        return add_working_days(self._today, IMMEDIATE_WORKING_DAYS)

    def _on_priority(self) -> None:
        """Immediate: bring a later (or missing) due date forward to the latest allowed.
        Another priority puts back the due date that was there, unless it was changed since
        (stepping through the priorities with the arrow keys changes nothing)."""
        if self.priority.currentData() == ActionPriority.IMMEDIATE:
            latest = self._latest_immediate_due()
            if not self.has_due.isChecked() or picked_date(self.due) > latest:
                self._moved_from = (self.has_due.isChecked(), self.due.date())
                self._set_due(True, _qdate(latest))
        elif self._moved_from is not None:
            self._set_due(*self._moved_from)
            self._moved_from = None
        self._show_rules()

    def _set_due(self, has_due: bool, day: QDate) -> None:
        self._moving = True
        self.due.setDate(day)
        self.has_due.setChecked(has_due)
        self._moving = False

    def _on_due_edited(self) -> None:
        if not self._moving:
            self._moved_from = None  # the user's own date now: keep it
        self._show_rules()

    def _show_rules(self) -> None:
        notes = []
        value = self.value()
        if value.priority == ActionPriority.IMMEDIATE:
            problem = immediate_due_problem(value.due_date, self._today)
            notes.append(problem or "An immediate (safeguarding) action: due by "
                         f"{day_text(self._latest_immediate_due())} at the latest.")
        missing = [name for name, given in (("an owner", value.owner),
                                            ("a due date", value.due_date)) if not given]
        if missing:
            notes.append(f"{' and '.join(missing).capitalize()}: {NEEDED_TO_SUBMIT}.")
        self.hint.setText(" ".join(notes))

    # --- the answer ----------------------------------------------------------------------------

    def value(self) -> ActionInput:
        """The action as entered."""
        due = picked_date(self.due) if self.has_due.isChecked() else None
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
        self._loaded = self.value()
        self.accept()

    def reject(self) -> None:  # noqa: D102 - Qt override: nothing typed is lost unasked
        if self.value() != self._loaded and not alerts.ask(
                self, "Discard this action?", "What you typed in this action is not saved. "
                "Discard it?", yes="Discard", no="Keep editing"):
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.reject()
        event.setAccepted(not self.isVisible())
