"""Start-up of the desktop app: the QApplication, the database, the profile, the window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from auditapp import __version__
from auditapp.database import open_database
from auditapp.errors import UserError
from auditapp.models import Database
from auditapp.paths import default_db_path
from auditapp.services.audits import count_audits
from auditapp.services.demo import generate_demo
from auditapp.services.templates import install_shipped_templates
from auditapp.services.users import Actor, list_users, save_user
from auditapp.ui.first_run_dialog import DEMO_AUDITS, FirstRunDialog
from auditapp.ui.main_window import MainWindow

PROFILE_KEY = "profile/name"


def create_application() -> QApplication:
    """The QApplication, named so that QSettings finds this app's settings."""
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setOrganizationName("auditapp")
    app.setApplicationName("auditapp")
    app.setApplicationVersion(__version__)
    return app


def choose_profile(db: Database) -> tuple[Actor, bool] | None:
    """The remembered profile, or ask for one. Returns (actor, load demo data) or None."""
    known = list_users(db)
    remembered = QSettings().value(PROFILE_KEY)
    for actor in known:
        if actor.name == remembered:
            return actor, False
    assert db.path is not None
    dialog = FirstRunDialog(db.path, known, offer_demo=count_audits(db) == 0)
    while dialog.exec():
        chosen = dialog.actor()
        existing = {a.name: a for a in known}
        try:
            # A known name keeps its stored role; only the first profile may be self-made.
            actor = existing.get(chosen.name) or save_user(db, chosen.name, chosen.role, None)
        except UserError as exc:
            dialog.message.setText(f"{exc} Ask a practice lead to add your profile "
                                   "(Work › Profiles).")
            continue
        QSettings().setValue(PROFILE_KEY, actor.name)
        return actor, dialog.load_demo.isChecked()
    return None


def run_gui(db_path: Path | None) -> int:
    """Open the desktop app on ``db_path`` (or the default database); returns the exit code."""
    app = create_application()
    try:
        db = open_database(db_path or default_db_path())
        install_shipped_templates(db)
    except UserError as exc:
        QMessageBox.critical(None, "auditapp cannot open its database", str(exc))
        return 2
    try:
        profile = choose_profile(db)
        if profile is None:
            return 0
        actor, load_demo = profile
        window = MainWindow(db, actor)
        window.show()
        if load_demo:
            QTimer.singleShot(0, lambda: window.run_with_progress(
                "Loading demo data", lambda: generate_demo(db, DEMO_AUDITS), window.reload))
        return app.exec()
    finally:
        db.dispose()
