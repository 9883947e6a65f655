"""The idle lock and the passphrase dialog, on real widgets and a real encrypted database."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from auditapp.storage.database import open_database
from auditapp.ui.dialogs.passphrase import PassphraseDialog, new_passphrase_check, unlock_check
from auditapp.ui.shell.lock import IdleWatcher

SECRET = "correct horse battery"


def test_idle_watcher_fires_without_input_and_input_puts_it_off(qtbot: QtBot) -> None:
    field = QLineEdit()
    qtbot.addWidget(field)
    field.show()
    watcher = IdleWatcher(400)
    fired: list[bool] = []
    watcher.idle.connect(lambda: fired.append(True))
    for _ in range(4):
        qtbot.wait(200)
        qtbot.keyClick(field, Qt.Key.Key_A)
    assert not fired  # 800 ms of typing, never 400 ms idle
    with qtbot.waitSignal(watcher.idle, timeout=2000):
        pass
    watcher.pause()
    qtbot.wait(600)
    assert len(fired) == 1


def test_unlock_says_a_wrong_passphrase_plainly(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "enc.sqlite"
    open_database(path, SECRET).dispose()
    dialog = PassphraseDialog("Locked", "Enter it", unlock_check(path))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.field, "not it at all")
    dialog.buttons.accepted.emit()
    assert dialog.isVisible()
    assert "does not open" in dialog.error.text()
    dialog.field.setText(SECRET)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        dialog.buttons.accepted.emit()
    assert dialog.passphrase() == SECRET


def test_a_new_passphrase_must_match_and_be_long_enough(qtbot: QtBot) -> None:
    dialog = PassphraseDialog("New", "Choose", new_passphrase_check, confirm=True)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.again is not None
    dialog.field.setText("short")
    dialog.again.setText("short")
    dialog.buttons.accepted.emit()
    assert "at least 10 characters" in dialog.error.text()
    dialog.field.setText(SECRET)
    dialog.buttons.accepted.emit()
    assert dialog.error.text() == "The two passphrases differ."
    dialog.again.setText(SECRET)
    with qtbot.waitSignal(dialog.accepted, timeout=1000):
        dialog.buttons.accepted.emit()
