"""The actions raised by an audit: what must happen, who owns it and by when; below them,
the previous audit's actions that are still open.

Adding, editing and removing are asked for by signals; the window opens the dialog and
saves the change.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from auditapp.services.audits.editing import ActionInfo
from auditapp.services.audits.previous import EarlierAction
from auditapp.ui.editor.page_parts import EditorPage, heading
from auditapp.ui.widgets.table_models import ID_ROLE, ActionTableModel, EarlierActionTableModel


class ActionsPage(EditorPage):
    """The actions raised by the audit."""

    add_requested = Signal()
    edit_requested = Signal()  # the selected action
    remove_requested = Signal()  # the selected action

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Actions", "What must happen for the young person, who "
                                 "will do it and by when."))
        self.model = ActionTableModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Actions")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.doubleClicked.connect(lambda _index: self.edit_requested.emit())
        layout.addWidget(self.table, 1)
        self.add_button = QPushButton("&Add action…")
        self.edit_button = QPushButton("&Edit…")
        self.remove_button = QPushButton("&Remove")
        self.add_button.clicked.connect(lambda: self.add_requested.emit())
        self.edit_button.clicked.connect(lambda: self.edit_requested.emit())
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit())
        buttons = QHBoxLayout()
        for button in self._buttons():
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.previous_heading = QLabel()
        self.previous_heading.setWordWrap(True)
        self.previous_model = EarlierActionTableModel()
        self.previous_table = QTableView()
        self.previous_table.setModel(self.previous_model)
        self.previous_table.setAccessibleName("Actions still open from the previous audit")
        self.previous_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.previous_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.previous_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch)
        self.previous_table.verticalHeader().hide()
        for widget in (self.previous_heading, self.previous_table):
            widget.hide()
            layout.addWidget(widget)

    def show_previous(self, actions: list[EarlierAction], when: str) -> None:
        """The previous audit's actions still open, below this audit's own."""
        self.previous_model.set_rows(actions)
        self.previous_heading.setText(
            f"<b>Still open from the audit of {when}</b> ({len(actions)}): follow them up "
            "here, or in the actions tracker (Ctrl+Shift+A in the main window)."
            if actions else f"No actions from the audit of {when} are still open.")
        self.previous_heading.show()
        self.previous_table.setVisible(bool(actions))

    def focus_first(self) -> None:
        """The list of actions when there are any, else Add action."""
        (self.table if self.model.rowCount() else self.add_button).setFocus()

    def _buttons(self) -> tuple[QPushButton, ...]:
        return self.add_button, self.edit_button, self.remove_button

    def show_actions(self, actions: list[ActionInfo]) -> None:
        """List the audit's actions (after every change)."""
        self.model.set_rows(actions)

    def select_action(self, action_id: int | None) -> None:
        """Select an action's row, if it is listed, and focus the table."""
        rows = [i for i in range(self.model.rowCount()) if self.model.row_at(i).id == action_id]
        if rows:
            self.table.selectRow(rows[0])
        self.table.setFocus()

    def selected_id(self) -> int | None:
        """The id of the selected action, if any."""
        rows = self.table.selectionModel().selectedRows()
        return int(rows[0].data(ID_ROLE)) if rows else None

    def set_read_only(self, read_only: bool) -> None:
        """Lock the buttons."""
        for button in self._buttons():
            button.setEnabled(not read_only)
