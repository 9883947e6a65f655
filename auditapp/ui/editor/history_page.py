"""The history of an audit: every change, who made it and when, from and to; and its export
as a CSV file."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from auditapp.errors import UserError
from auditapp.rules.permissions import Actor
from auditapp.rules.wording import day_text
from auditapp.services.history import HistoryRow, audit_history, write_history_csv
from auditapp.storage.engine import Database
from auditapp.ui.editor.page_parts import EditorPage, heading
from auditapp.ui.widgets import alerts


class HistoryPage(EditorPage):
    """Every change to the audit: who, when, what, from and to. Always read-only."""

    def __init__(self, db: Database, audit_id: int, reader: Actor) -> None:
        super().__init__()
        self.db = db
        self.audit_id = audit_id
        self.reader = reader
        self.rows: list[HistoryRow] = []
        layout = QVBoxLayout(self)
        layout.addWidget(heading("History", "Every change to this audit. Each entry is "
                                 "chained to the one before, so a change made outside "
                                 "auditapp shows up in <i>auditapp check</i>."))
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["When", "Who", "What", "From", "To"])
        self.table.setAccessibleName("Change history")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.export_button = QPushButton("&Export history to CSV…")
        self.export_button.clicked.connect(lambda: self.export())
        row.addWidget(self.export_button)
        row.addStretch(1)
        layout.addLayout(row)

    def reload(self) -> None:
        """Read the history again (it grows with every save), newest first."""
        self.rows = audit_history(self.db, self.audit_id, self.reader)
        self.table.setRowCount(len(self.rows))
        for number, entry in enumerate(reversed(self.rows)):
            local = entry.at.replace(tzinfo=UTC).astimezone()
            who = f"{entry.actor} ({entry.imported})" if entry.imported else entry.actor
            for column, text in enumerate((f"{day_text(local)} {local:%H:%M:%S}", who,
                                           entry.what, entry.old_value or "",
                                           entry.new_value or "")):
                self.table.setItem(number, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()

    def export(self, path: Path | None = None) -> None:
        """Write the history to a CSV file (asking where, unless ``path`` says)."""
        path = path or alerts.pick_save_path(self, "Export history", f"history-{self.audit_id}"
                                             ".csv", "CSV files (*.csv)")
        if path is None:
            return
        try:
            write_history_csv(self.rows, path)
        except UserError as exc:
            alerts.warn(self, "History not exported", str(exc))
