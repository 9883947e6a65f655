"""The main window."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMainWindow

from auditapp.models import Database
from auditapp.services.stats import grade_counts
from auditapp.services.templates import list_templates


class MainWindow(QMainWindow):
    """The window auditapp opens on: where the data lives and what it holds."""

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        self.setWindowTitle("auditapp")
        self.resize(1100, 700)
        counts = grade_counts(db)
        summary = QLabel(
            f"Database: {db.path}\n"
            f"Templates: {len(list_templates(db, include_retired=False))} in use\n"
            f"Audits submitted or later: {counts.audits}"
        )
        summary.setMargin(24)
        self.setCentralWidget(summary)
