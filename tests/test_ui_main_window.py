"""The desktop window opens on a real database."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from auditapp.models import Database
from auditapp.ui.main_window import MainWindow


def test_main_window_opens(qtbot: QtBot, db: Database) -> None:
    window = MainWindow(db)
    qtbot.addWidget(window)
    window.show()
    assert window.windowTitle().startswith("auditapp")
