"""Encrypting from the desktop: at first run, and later from the File menu.

The dialogs are the real ones, typed into and clicked. The pieces of ``run_gui``'s loop are
called in its order (the loop itself only sequences them): running a second
``QApplication.exec`` inside the test process would upset pytest-qt's own event loops for
the tests that follow, which is also why ``QApplication.exit`` is stubbed where the window
ends the app's loop.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from auditapp.models import Role
from auditapp.services.users import save_user
from auditapp.storage.database import open_database
from auditapp.storage.encryption import pending_plain_copies
from auditapp.storage.engine import Database
from auditapp.storage.sqlite_files import ENCRYPTED, file_kind
from auditapp.ui.dialogs.first_run import FirstRunDialog
from auditapp.ui.dialogs.passphrase import PassphraseDialog
from auditapp.ui.shell import main_window
from auditapp.ui.shell.application import choose_profile, open_with_prompts
from auditapp.ui.shell.encryption_flow import (
    PassphraseChange,
    apply_change,
    offer_to_delete_plain_copies,
)
from auditapp.ui.shell.main_window import MainWindow
from auditapp.ui.widgets import alerts
from tests.builders import (
    ALEX,
    LONG,
    answer_dialogs,
    menu_item,
    press,
    show_active,
    type_text,
)

PASSPHRASE = "a long passphrase for tests"


def test_first_run_offers_encryption_and_encrypts_a_new_database(
        qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    db = open_database(path, backup=False)

    def welcome(dialog: QDialog) -> None:
        assert isinstance(dialog, FirstRunDialog)
        assert dialog.encrypt.isVisible()
        assert dialog.encrypt.isChecked()  # offered, and on by default
        type_text(qtbot, dialog.name, "Lee Lead")
        press(qtbot, dialog, "OK")

    with answer_dialogs(qtbot, welcome):
        profile = choose_profile(db)
    assert profile is not None
    assert profile.encrypt
    db.dispose()
    assert apply_change(path, PassphraseChange(PASSPHRASE), confirm_now=True) == PASSPHRASE
    assert file_kind(path) == ENCRYPTED
    assert pending_plain_copies(path) == []  # a new database: nothing plain kept
    with answer_dialogs(qtbot):  # the new passphrase is known: no dialog may ask for it
        reopened = open_with_prompts(path, PASSPHRASE)
    assert reopened is not None
    assert reopened.encrypted
    reopened.dispose()


def test_unticking_encryption_at_first_run_keeps_the_database_plain(
        qtbot: QtBot, tmp_path: Path) -> None:
    db = open_database(tmp_path / "new.sqlite", backup=False)

    def welcome(dialog: QDialog) -> None:
        assert isinstance(dialog, FirstRunDialog)
        type_text(qtbot, dialog.name, "Lee Lead")
        press(qtbot, dialog, dialog.encrypt.text().replace("&", ""))
        assert not dialog.encrypt.isChecked()
        press(qtbot, dialog, "OK")

    with answer_dialogs(qtbot, welcome):
        profile = choose_profile(db)
    assert profile is not None
    assert not profile.encrypt
    db.dispose()


def _lead_window(qtbot: QtBot, path: Path) -> tuple[MainWindow, object]:
    db = open_database(path, backup=False)
    lead = save_user(db, "Lee Lead", Role.PRACTICE_LEAD, None)
    window = MainWindow(db, lead)
    qtbot.addWidget(window)
    # My work too: its read, still running on a pool thread, would hold the file open when
    # the test closes the database to encrypt it.
    with qtbot.waitSignals([window.audits_loaded, window.my_work.loaded], timeout=LONG):
        show_active(qtbot, window)
    return window, lead


def test_a_lead_encrypts_from_the_file_menu_and_the_plain_copies_go_once_confirmed(
        qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "plain.sqlite"
    window, lead = _lead_window(qtbot, path)
    assert window.passphrase_action.text() == "En&crypt database…"
    questions: list[str] = []
    monkeypatch.setattr(alerts, "ask", lambda _p, _t, text, **_k: questions.append(text) or True)
    ended: list[int] = []
    monkeypatch.setattr(main_window.QApplication, "exit", ended.append)  # no app loop to end

    def new_passphrase(dialog: QDialog) -> None:
        assert isinstance(dialog, PassphraseDialog)
        assert dialog.windowTitle() == "Choose a passphrase"
        type_text(qtbot, dialog.field, PASSPHRASE)
        assert dialog.again is not None
        type_text(qtbot, dialog.again, PASSPHRASE)
        press(qtbot, dialog, "OK")

    with answer_dialogs(qtbot, new_passphrase):
        menu_item(qtbot, window, "File", "Encrypt database…")
    assert "To encrypt the database, auditapp saves everything" in questions[0]
    assert window.passphrase_change == PassphraseChange(PASSPHRASE, None)
    assert not window.isVisible()
    assert ended == [0]
    window.db.dispose()
    assert apply_change(path, window.passphrase_change, confirm_now=False) == PASSPHRASE
    assert pending_plain_copies(path)  # kept until the encrypted database has opened
    reopened = open_with_prompts(path, PASSPHRASE)
    assert reopened is not None
    offer_to_delete_plain_copies(path, PASSPHRASE)
    assert "Delete the unencrypted copy" in questions[1]
    assert pending_plain_copies(path) == []
    again = MainWindow(reopened, lead)  # type: ignore[arg-type]
    qtbot.addWidget(again)
    with qtbot.waitSignal(again.audits_loaded, timeout=LONG):
        show_active(qtbot, again)
    assert again.passphrase_action.text() == "Change &passphrase…"
    reopened.dispose()


def test_declining_or_cancelling_changes_nothing(qtbot: QtBot, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "plain.sqlite"
    window, _lead = _lead_window(qtbot, path)
    monkeypatch.setattr(main_window.QApplication, "exit",
                        lambda *_a: pytest.fail("the app must go on"))
    monkeypatch.setattr(alerts, "ask", lambda *_a, **_k: False)
    with answer_dialogs(qtbot):  # declined: no passphrase is asked for
        menu_item(qtbot, window, "File", "Encrypt database…")
    assert window.passphrase_change is None and window.isVisible()
    monkeypatch.setattr(alerts, "ask", lambda *_a, **_k: True)

    def cancel(dialog: QDialog) -> None:
        type_text(qtbot, dialog.field, PASSPHRASE)  # type: ignore[attr-defined]
        press(qtbot, dialog, "Cancel")

    with answer_dialogs(qtbot, cancel):
        menu_item(qtbot, window, "File", "Encrypt database…")
    assert window.passphrase_change is None and window.isVisible()
    window.db.dispose()
    assert file_kind(path) != ENCRYPTED


def test_an_auditor_may_not_encrypt(qtbot: QtBot, db: Database) -> None:
    window = MainWindow(db, ALEX)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.audits_loaded, timeout=LONG):
        show_active(qtbot, window)
    assert not window.passphrase_action.isEnabled()
    with pytest.raises(AssertionError, match="Encrypt database… is disabled"):
        menu_item(qtbot, window, "File", "Encrypt database…")
    window.menuBar().actions()[0].menu().close()


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
