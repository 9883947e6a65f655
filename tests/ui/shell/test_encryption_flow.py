"""Encrypting from the desktop: at first run, and later from the File menu.

The pieces of ``run_gui``'s loop are driven directly (the loop itself only sequences them):
running a second ``QApplication.exec`` inside the test process would upset pytest-qt's own
event loops for the tests that follow.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from auditapp.models import Role
from auditapp.services.users import save_user
from auditapp.storage.database import open_database
from auditapp.storage.encryption import pending_plain_copies
from auditapp.storage.sqlite_files import ENCRYPTED, file_kind
from auditapp.ui.dialogs.first_run import FirstRunDialog
from auditapp.ui.shell import application, main_window
from auditapp.ui.shell.application import choose_profile, open_with_prompts
from auditapp.ui.shell.encryption_flow import (
    PassphraseChange,
    apply_change,
    offer_to_delete_plain_copies,
)
from auditapp.ui.shell.main_window import MainWindow
from auditapp.ui.widgets import alerts

PASSPHRASE = "a long passphrase for tests"


def test_first_run_offers_encryption_and_encrypts_a_new_database(
        qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "new.sqlite"
    db = open_database(path, backup=False)

    def answer(dialog: FirstRunDialog) -> int:
        assert dialog.encrypt.isVisibleTo(dialog)
        assert dialog.encrypt.isChecked()  # offered, and on by default
        dialog.name.setCurrentText("Lee Lead")
        dialog._accept()
        return dialog.result()

    monkeypatch.setattr(FirstRunDialog, "exec", answer)
    profile = choose_profile(db)
    assert profile is not None
    assert profile.encrypt
    db.dispose()
    assert apply_change(path, PassphraseChange(PASSPHRASE), confirm_now=True) == PASSPHRASE
    assert file_kind(path) == ENCRYPTED
    assert pending_plain_copies(path) == []  # a new database: nothing plain kept
    monkeypatch.setattr(application, "ask_to_unlock",
                        lambda *a: pytest.fail("the new passphrase is already known"))
    reopened = open_with_prompts(path, PASSPHRASE)
    assert reopened is not None
    assert reopened.encrypted
    reopened.dispose()


def test_a_lead_encrypts_later_and_the_plain_copies_go_once_confirmed(
        qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "plain.sqlite"
    db = open_database(path, backup=False)
    lead = save_user(db, "Lee Lead", Role.PRACTICE_LEAD, None)
    window = MainWindow(db, lead)
    qtbot.addWidget(window)
    window.show()
    assert window.passphrase_action.text() == "En&crypt database…"
    monkeypatch.setattr(alerts, "ask", lambda *a, **k: True)  # go on; delete plain copies
    monkeypatch.setattr(main_window, "ask_new_passphrase", lambda *a: PASSPHRASE)
    monkeypatch.setattr(main_window.QApplication, "exit", lambda *a: None)  # no loop to end
    window.request_passphrase_change()
    assert window.passphrase_change == PassphraseChange(PASSPHRASE, None)
    assert not window.isVisible()
    db.dispose()
    assert apply_change(path, window.passphrase_change, confirm_now=False) == PASSPHRASE
    assert pending_plain_copies(path)  # kept until the encrypted database has opened
    reopened = open_with_prompts(path, PASSPHRASE)
    assert reopened is not None
    offer_to_delete_plain_copies(path, PASSPHRASE)
    assert pending_plain_copies(path) == []
    again = MainWindow(reopened, lead)
    qtbot.addWidget(again)
    assert again.passphrase_action.text() == "Change &passphrase…"
    reopened.dispose()


def test_a_wrong_old_passphrase_changes_nothing(qtbot: QtBot, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.sqlite"
    open_database(path, PASSPHRASE, backup=False).dispose()
    warnings: list[str] = []
    monkeypatch.setattr(alerts, "warn", lambda _p, _t, text, *a: warnings.append(text))
    kept = apply_change(path, PassphraseChange("another long passphrase", "not the one at all"),
                        confirm_now=False)
    assert kept == "not the one at all"
    assert warnings
    open_database(path, PASSPHRASE, backup=False).dispose()  # still the old passphrase
