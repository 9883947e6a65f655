"""The QApplication, and the settings of the desktop app that start-up reads."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from auditapp import __version__
from auditapp.ui.widgets.app_icon import app_icon
from auditapp.ui.widgets.workers import collect_on_ui_thread

#: Where the profile last used is remembered (QSettings).
PROFILE_KEY = "profile/name"


def create_application() -> QApplication:
    """The QApplication, named so that QSettings finds this app's settings."""
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setOrganizationName("auditapp")
    app.setApplicationName("auditapp")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(app_icon())
    collect_on_ui_thread(app)
    return app
