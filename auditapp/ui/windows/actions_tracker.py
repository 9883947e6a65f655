"""The actions tracker: every action across audits, filtered, with overdue ones in red."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from auditapp.errors import UserError
from auditapp.models import ActionStatus
from auditapp.rules.actions import ActionState
from auditapp.rules.permissions import Actor
from auditapp.rules.wording import day_text
from auditapp.services.actions import (
    TrackedAction,
    cancel_action,
    complete_action,
    list_tracked_actions,
    reopen_action,
)
from auditapp.storage.engine import Database
from auditapp.ui.widgets import alerts
from auditapp.ui.widgets.dates import date_edit, optional_date, optional_date_edit, picked_date
from auditapp.ui.widgets.screens import fit_to_screen
from auditapp.ui.widgets.table_models import ID_ROLE, RowTableModel
from auditapp.ui.widgets.workers import start_job

Index = QModelIndex | QPersistentModelIndex
ANY = "Any"
OVERDUE = ActionState.OVERDUE.capitalize()
#: Each stored status, and overdue (open, and past its due date), as the filter offers them.
STATUS_CHOICES = (ANY, *(s.capitalize() for s in (ActionStatus.OPEN, ActionState.OVERDUE,
                                                  ActionStatus.DONE, ActionStatus.CANCELLED)))
OVERDUE_BACKGROUND = QColor("#fadbd8")


class TrackedActionModel(RowTableModel[TrackedAction]):
    """Every action, one row each."""

    HEADERS = ("Due", "Action", "Owner", "Team", "Case", "Question", "Priority", "Status")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        action = self._rows[index.row()]
        if role == ID_ROLE:
            return action.id
        if role == Qt.ItemDataRole.BackgroundRole and action.overdue:
            return OVERDUE_BACKGROUND
        if role == Qt.ItemDataRole.ToolTipRole:
            return action.status_note or action.question_text or None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return self._display(action, index.column())

    @staticmethod
    def _display(action: TrackedAction, column: int) -> str:
        if column == 0:
            return day_text(action.due_date) if action.due_date else "(no date)"
        if column == 7:
            status = OVERDUE if action.overdue else action.status.capitalize()
            if action.completed_on:
                status += f" {day_text(action.completed_on)}"
            return status
        values = (action.text, action.owner or "(no owner)", action.team,
                  action.case_reference, action.question_key, action.priority.capitalize())
        return values[column - 1]


@dataclass
class ActionFilter:
    """What the tracker is narrowed to; empty values mean any."""

    owner: str = ""
    team: str = ""
    status: str = ANY
    due_by: date | None = None

    def accepts(self, action: TrackedAction) -> bool:
        """Whether an action passes every filter."""
        if self.owner and action.owner != self.owner:
            return False
        if self.team and action.team != self.team:
            return False
        if self.status == OVERDUE and not action.overdue:
            return False
        if self.status not in (ANY, OVERDUE) and action.status != self.status.lower():
            return False
        return not (self.due_by and (action.due_date is None or action.due_date > self.due_by))


class ActionFilterProxy(QSortFilterProxyModel):
    """Filters the tracker without rebuilding it."""

    def __init__(self) -> None:
        super().__init__()
        self.criteria = ActionFilter()

    def set_criteria(self, criteria: ActionFilter) -> None:
        """Apply new filters."""
        self.beginFilterChange()
        self.criteria = criteria
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:  # noqa: N802
        model = self.sourceModel()
        assert isinstance(model, TrackedActionModel)
        return self.criteria.accepts(model.row_at(source_row))


class CloseActionDialog(QDialog):
    """Marking an action done (note and date) or cancelled (reason)."""

    def __init__(self, action: TrackedAction, cancelling: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Cancel action" if cancelling else "Mark action done")
        form = QFormLayout(self)
        form.addRow(QLabel(f"<b>{action.case_reference}</b>: {action.text}"))
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.note.setAccessibleName("Reason" if cancelling else "Completion note")
        form.addRow("&Reason:" if cancelling else "&What was done:", self.note)
        self.completed_on = date_edit("Completed on")
        self.completed_on.setMaximumDate(QDate.currentDate())
        if not cancelling:
            form.addRow("&Completed on:", self.completed_on)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class ActionsTrackerWindow(QMainWindow):
    """Every action across audits."""

    open_audit_requested = Signal(int, object)  # audit id, question id or None
    loaded = Signal()

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None,
                 today: date | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.today = today
        self.setWindowTitle("Actions – auditapp")
        fit_to_screen(self, 1200, 650)
        self.model = TrackedActionModel()
        self.proxy = ActionFilterProxy()
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("Actions across all audits")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(self._open_audit)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(self._filters())
        layout.addWidget(self.table, 1)
        layout.addLayout(self._buttons())
        self.setCentralWidget(central)
        self.count = QLabel()
        self.statusBar().addWidget(self.count)
        self.reload()

    def _filters(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.owner_filter = self._combo(bar, "&Owner:", "Filter by owner")
        self.team_filter = self._combo(bar, "T&eam:", "Filter by team")
        self.status_filter = self._combo(bar, "&Status:", "Filter by status")
        self.status_filter.addItems(STATUS_CHOICES)
        label = QLabel("Due b&y:")
        self.due_by = optional_date_edit("Due by", ANY)
        label.setBuddy(self.due_by)
        bar.addWidget(label)
        bar.addWidget(self.due_by)
        bar.addStretch(1)
        for combo in (self.owner_filter, self.team_filter, self.status_filter):
            combo.currentIndexChanged.connect(self._apply_filters)
        self.due_by.dateChanged.connect(self._apply_filters)
        return bar

    @staticmethod
    def _combo(bar: QHBoxLayout, text: str, name: str) -> QComboBox:
        label = QLabel(text)
        combo = QComboBox()
        combo.setAccessibleName(name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        label.setBuddy(combo)
        bar.addWidget(label)
        bar.addWidget(combo)
        return combo

    def _buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.done_button = QPushButton("Mark &done…")
        self.cancel_button = QPushButton("&Cancel action…")
        self.reopen_button = QPushButton("&Reopen")
        self.open_button = QPushButton("Open the &audit")
        self.done_button.clicked.connect(lambda: self.close_selected(cancelling=False))
        self.cancel_button.clicked.connect(lambda: self.close_selected(cancelling=True))
        self.reopen_button.clicked.connect(self.reopen_selected)
        self.open_button.clicked.connect(lambda: self._open_audit(self.table.currentIndex()))
        for button in (self.done_button, self.cancel_button, self.reopen_button,
                       self.open_button):
            row.addWidget(button)
        row.addStretch(1)
        return row

    def reload(self) -> None:
        """Read every action again, in the background (all of them can be many)."""
        self.count.setText("Reading actions…")
        start_job(self, lambda: list_tracked_actions(self.db, self.today),
                  on_finished=self._fill,
                  on_failed=lambda m: self.count.setText(f"Actions not read: {m}"))

    def _fill(self, rows: list[TrackedAction]) -> None:
        self.model.set_rows(rows)
        for combo, values in ((self.owner_filter, {r.owner for r in rows if r.owner}),
                              (self.team_filter, {r.team for r in rows if r.team})):
            current = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            combo.addItems([ANY, *sorted(values)])
            combo.setCurrentIndex(max(combo.findText(current), 0))
            combo.blockSignals(False)
        self._apply_filters()
        self.loaded.emit()

    def current_filter(self) -> ActionFilter:
        """The filters as set."""
        def chosen(combo: QComboBox) -> str:
            return "" if combo.currentText() == ANY else combo.currentText()

        return ActionFilter(chosen(self.owner_filter), chosen(self.team_filter),
                            self.status_filter.currentText() or ANY,
                            optional_date(self.due_by))

    def _apply_filters(self) -> None:
        self.proxy.set_criteria(self.current_filter())
        overdue = sum(r.overdue for r in self.model.rows())
        self.count.setText(f"Showing {self.proxy.rowCount()} of {self.model.rowCount()} "
                           f"actions · {overdue} overdue")

    def selected(self) -> TrackedAction | None:
        """The selected action, if any."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.row_at(self.proxy.mapToSource(rows[0]).row())

    def close_selected(self, cancelling: bool) -> None:
        """Mark the selected action done or cancelled, asking for the note or reason."""
        action = self.selected()
        if action is None:
            return
        dialog = CloseActionDialog(action, cancelling, self)
        if not dialog.exec():
            return
        note = dialog.note.toPlainText()
        try:
            if cancelling:
                cancel_action(self.db, action.id, note, self.actor)
            else:
                complete_action(self.db, action.id, note,
                                picked_date(dialog.completed_on), self.actor)
        except UserError as exc:
            alerts.warn(self, "Action not changed", str(exc))
            return
        self.reload()

    def reopen_selected(self) -> None:
        """Open a done or cancelled action again."""
        action = self.selected()
        if action is None or action.status == ActionStatus.OPEN:
            return
        reopen_action(self.db, action.id, self.actor)
        self.reload()

    def _open_audit(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        action = self.model.row_at(self.proxy.mapToSource(index).row())
        self.open_audit_requested.emit(action.audit_id, action.question_id)
