"""Encrypting from the desktop: at first run, and later from the File menu."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from auditapp.database import open_database
from auditapp.encryption import pending_plain_copies
from auditapp.models import Role
from auditapp.services.users import save_user
from auditapp.sqlite_files import ENCRYPTED, file_kind
from auditapp.ui import alerts, application, main_window
from auditapp.ui.application import PROFILE_KEY, run_gui
from auditapp.ui.first_run_dialog import FirstRunDialog
from auditapp.ui.main_window import MainWindow

PASSPHRASE = "a long passphrase for tests"


def _quit_when(condition: object) -> QTimer:
    """Poll the running app; quit it once ``condition()`` holds."""
    timer = QTimer()
    timer.setInterval(50)
    timer.timeout.connect(lambda: condition() and QApplication.quit())  # type: ignore[operator]
    timer.start()
    return timer


def _main_windows() -> list[MainWindow]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, MainWindow) and w.isVisible()]


def test_first_run_encrypts_a_new_database(qtbot: QtBot, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "new.sqlite"

    def answer(dialog: FirstRunDialog) -> int:
        assert dialog.encrypt.isVisibleTo(dialog)
        assert dialog.encrypt.isChecked()  # offered, and on by default
        dialog.name.setCurrentText("Lee Lead")
        dialog._accept()
        return dialog.result()

    monkeypatch.setattr(FirstRunDialog, "exec", answer)
    monkeypatch.setattr(application, "ask_new_passphrase", lambda *a: PASSPHRASE)
    monkeypatch.setattr(application, "ask_to_unlock",
                        lambda *a: pytest.fail("the new passphrase is already known"))
    timer = _quit_when(lambda: bool(_main_windows()))
    assert run_gui(path) == 0
    timer.stop()
    assert file_kind(path) == ENCRYPTED
    assert pending_plain_copies(path) == []  # a new database: nothing plain kept
    db = open_database(path, PASSPHRASE, backup=False)
    db.dispose()


def test_a_lead_encrypts_later_and_the_plain_copies_go_once_confirmed(
        qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtCore import QSettings

    path = tmp_path / "plain.sqlite"
    db = open_database(path)
    save_user(db, "Lee Lead", Role.PRACTICE_LEAD, None)
    db.dispose()
    QSettings().setValue(PROFILE_KEY, "Lee Lead")
    monkeypatch.setattr(alerts, "ask", lambda *a, **k: True)  # go on; delete plain copies
    monkeypatch.setattr(main_window, "ask_new_passphrase", lambda *a: PASSPHRASE)
    asked: list[bool] = []

    def step() -> bool:
        windows = _main_windows()
        if not windows:
            return False
        window = windows[0]
        if getattr(window.db, "passphrase", None) is None and not asked:
            asked.append(True)
            QTimer.singleShot(0, window.request_passphrase_change)
            return False
        return getattr(window.db, "passphrase", None) == PASSPHRASE

    timer = _quit_when(step)
    assert run_gui(path) == 0
    timer.stop()
    assert file_kind(path) == ENCRYPTED
    assert pending_plain_copies(path) == []
