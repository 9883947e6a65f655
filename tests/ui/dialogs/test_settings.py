"""Work › Settings: the council's name (printed on board reports) and the idle lock, typed
and saved by keyboard; only a practice lead may open it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from auditapp.services import settings
from auditapp.storage.engine import Database
from auditapp.ui.dialogs.settings import SettingsDialog
from auditapp.ui.shell.main_window import MainWindow
from tests.builders import (
    ALEX,
    LEAD,
    LONG,
    answer_dialogs,
    menu_item,
    show_active,
    unnamed_controls,
)


def test_the_council_name_is_typed_and_saved(qtbot: QtBot, db: Database) -> None:
    main = MainWindow(db, LEAD)
    qtbot.addWidget(main)
    with qtbot.waitSignal(main.audits_loaded, timeout=LONG):
        show_active(qtbot, main)

    def fill(dialog: QDialog) -> None:
        assert isinstance(dialog, SettingsDialog) and unnamed_controls(dialog) == []
        dialog.council.setFocus()
        qtbot.keyClicks(dialog.council, "  Example   Borough Council ")
        qtbot.keyClick(dialog.council, Qt.Key.Key_Return)

    with answer_dialogs(qtbot, fill):
        menu_item(qtbot, main, "Work", "Settings…")
    assert settings.council_name(db) == "Example Borough Council"


def test_only_a_practice_lead_changes_settings(qtbot: QtBot, db: Database) -> None:
    main = MainWindow(db, ALEX)
    qtbot.addWidget(main)
    assert not main.settings_action.isEnabled()
