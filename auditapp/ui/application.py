"""Creating the QApplication, opening the database and showing the main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from auditapp import __version__
from auditapp.database import open_database
from auditapp.errors import UserError
from auditapp.paths import default_db_path
from auditapp.services.templates import install_shipped_templates
from auditapp.ui.main_window import MainWindow


def run_gui(db_path: Path | None) -> int:
    """Open the desktop app on ``db_path`` (or the default database); returns the exit code."""
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("auditapp")
    app.setApplicationVersion(__version__)
    try:
        db = open_database(db_path or default_db_path())
        install_shipped_templates(db)
    except UserError as exc:
        QMessageBox.critical(None, "auditapp cannot open its database", str(exc))
        return 2
    window = MainWindow(db)
    window.show()
    try:
        return app.exec()
    finally:
        db.dispose()
