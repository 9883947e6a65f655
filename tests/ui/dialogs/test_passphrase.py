"""The passphrase dialog, typed into as a person does: unlocking a real encrypted database,
and choosing a new passphrase twice."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLineEdit
from pytestqt.qtbot import QtBot

from auditapp.storage.database import open_database
from auditapp.ui.dialogs.passphrase import PassphraseDialog, ask_new_passphrase, ask_to_unlock
from tests.builders import answer_dialogs, press, type_text

SECRET = "correct horse battery"


def test_unlock_says_a_wrong_passphrase_plainly_and_takes_the_right_one(
        qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "enc.sqlite"
    open_database(path, SECRET).dispose()
    said: list[str] = []

    def unlock(dialog: QDialog) -> None:
        assert isinstance(dialog, PassphraseDialog)
        assert dialog.windowTitle() == "auditapp is locked"
        assert dialog.field.echoMode() == QLineEdit.EchoMode.Password
        assert dialog.again is None
        type_text(qtbot, dialog.field, "not it at all")
        press(qtbot, dialog, "OK")
        assert dialog.isVisible()  # still asking
        said.append(dialog.error.text())
        assert dialog.field.hasFocus() and dialog.field.selectedText() == "not it at all"
        qtbot.keyClicks(dialog.field, SECRET)  # replaces the selected wrong one
        qtbot.keyClick(dialog.field, Qt.Key.Key_Return)

    with answer_dialogs(qtbot, unlock):
        answer = ask_to_unlock(path)
    assert said == ["That passphrase does not open this database. Nothing has been changed."]
    assert answer == SECRET


def test_cancelling_the_unlock_gives_nothing(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "enc.sqlite"
    open_database(path, SECRET).dispose()

    def give_up(dialog: QDialog) -> None:
        type_text(qtbot, dialog.field, SECRET)  # type: ignore[attr-defined]
        press(qtbot, dialog, "Cancel")

    with answer_dialogs(qtbot, give_up):
        assert ask_to_unlock(path) is None


def test_a_new_passphrase_must_be_long_enough_and_typed_twice(qtbot: QtBot) -> None:
    said: list[str] = []

    def choose_one(dialog: QDialog) -> None:
        assert isinstance(dialog, PassphraseDialog)
        assert dialog.again is not None
        assert dialog.again.echoMode() == QLineEdit.EchoMode.Password
        type_text(qtbot, dialog.field, "short")
        type_text(qtbot, dialog.again, "short")
        press(qtbot, dialog, "OK")
        said.append(dialog.error.text())
        type_text(qtbot, dialog.field, SECRET)
        press(qtbot, dialog, "OK")
        said.append(dialog.error.text())
        assert dialog.isVisible()
        type_text(qtbot, dialog.again, SECRET)
        press(qtbot, dialog, "OK")

    with answer_dialogs(qtbot, choose_one):
        chosen = ask_new_passphrase()
    assert "at least 10 characters" in said[0]
    assert said[1] == "The two passphrases differ."
    assert chosen == SECRET


def test_escape_leaves_a_new_passphrase_unchosen(qtbot: QtBot) -> None:
    def leave(dialog: QDialog) -> None:
        type_text(qtbot, dialog.field, SECRET)  # type: ignore[attr-defined]
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    with answer_dialogs(qtbot, leave):
        assert ask_new_passphrase() is None
