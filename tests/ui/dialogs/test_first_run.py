"""The first run, answered in the real welcome dialog: a profile is made and remembered, and
demo data is offered only when the database is empty."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from auditapp.models import Role
from auditapp.services.users import list_users, save_user
from auditapp.storage.engine import Database
from auditapp.ui.dialogs.first_run import FirstRunDialog
from auditapp.ui.shell.application import choose_profile
from auditapp.ui.shell.qt_application import PROFILE_KEY
from tests.builders import (
    answer_dialogs,
    choose,
    click,
    make_audit,
    mnemonic_clashes,
    press,
    show_active,
    type_text,
)


def test_first_run_creates_and_remembers_the_profile(qtbot: QtBot, first_run_db: Database) -> None:
    db = first_run_db
    def welcome(dialog: QDialog) -> None:
        assert isinstance(dialog, FirstRunDialog)
        assert str(db.path) in dialog.intro.text()
        assert dialog.load_demo.isVisible()  # the database is empty
        assert dialog.start_empty.isChecked()
        type_text(qtbot, dialog.name, "Sam  Patel")
        choose(qtbot, dialog.role, "Moderator")
        click(qtbot, dialog.load_demo)
        press(qtbot, dialog, "OK")

    with answer_dialogs(qtbot, welcome) as shown:
        profile = choose_profile(db)
    assert len(shown) == 1
    assert profile is not None
    assert (profile.actor, profile.load_demo) == (list_users(db)[0], True)
    assert list_users(db)[0].name == "Sam Patel"
    assert list_users(db)[0].role == Role.MODERATOR
    assert QSettings().value(PROFILE_KEY) == "Sam Patel"
    with answer_dialogs(qtbot):  # remembered: no dialog this time
        again = choose_profile(db)
    assert again is not None
    assert (again.actor.name, again.load_demo) == ("Sam Patel", False)


def test_enter_accepts_and_a_clean_start_loads_no_demo(
        qtbot: QtBot, first_run_db: Database) -> None:
    db = first_run_db
    def welcome(dialog: QDialog) -> None:
        assert isinstance(dialog, FirstRunDialog)
        type_text(qtbot, dialog.name, "Lee Lead")
        choose(qtbot, dialog.role, "Practice lead")
        qtbot.keyClick(dialog.name.lineEdit(), Qt.Key.Key_Return)

    with answer_dialogs(qtbot, welcome):
        profile = choose_profile(db)
    assert profile is not None
    assert (profile.actor.name, profile.actor.role, profile.load_demo) == (
        "Lee Lead", Role.PRACTICE_LEAD, False)


def test_no_demo_offered_when_audits_exist_and_a_name_is_required(
        qtbot: QtBot, db: Database, small_template_id: int) -> None:
    make_audit(db, small_template_id)
    profiles = list_users(db)
    said: list[str] = []

    def welcome(dialog: QDialog) -> None:
        assert isinstance(dialog, FirstRunDialog)
        assert not dialog.load_demo.isVisible()
        assert not dialog.encrypt.isVisible()  # not empty: encrypting is for later
        type_text(qtbot, dialog.name, "   ")
        press(qtbot, dialog, "OK")
        assert dialog.isVisible()
        said.append(dialog.message.text())
        press(qtbot, dialog, "Cancel")

    with answer_dialogs(qtbot, welcome):
        assert choose_profile(db) is None
    assert said == ["Enter your name."]
    assert list_users(db) == profiles


def test_a_known_name_takes_its_role(qtbot: QtBot, first_run_db: Database) -> None:
    db = first_run_db
    lead = save_user(db, "Lee Lead", Role.PRACTICE_LEAD, None)
    save_user(db, "Sam Patel", Role.AUDITOR, lead)

    def welcome(dialog: QDialog) -> None:
        assert isinstance(dialog, FirstRunDialog)
        assert dialog.name.currentText() == "Lee Lead"  # the first known profile
        choose(qtbot, dialog.name, "Sam Patel")
        assert dialog.role.currentText() == "Auditor"
        press(qtbot, dialog, "OK")

    with answer_dialogs(qtbot, welcome):
        profile = choose_profile(db)
    assert profile is not None
    assert (profile.actor.name, profile.actor.role) == ("Sam Patel", Role.AUDITOR)
    assert QSettings().value(PROFILE_KEY) == "Sam Patel"


def test_a_second_person_cannot_make_their_own_profile(
        qtbot: QtBot, first_run_db: Database) -> None:
    db = first_run_db
    save_user(db, "Lee Lead", Role.PRACTICE_LEAD, None)
    said: list[str] = []

    def new_person(dialog: QDialog) -> None:
        type_text(qtbot, dialog.name, "New Person")  # type: ignore[attr-defined]
        choose(qtbot, dialog.role, "Practice lead")  # type: ignore[attr-defined]
        press(qtbot, dialog, "OK")

    def reads_why(dialog: QDialog) -> None:  # the same dialog, shown again with the reason
        said.append(dialog.message.text())  # type: ignore[attr-defined]
        press(qtbot, dialog, "Cancel")

    with answer_dialogs(qtbot, new_person, reads_why) as shown:
        assert choose_profile(db) is None
    assert shown[0] is shown[1]
    assert "Ask a practice lead" in said[0]
    assert [a.name for a in list_users(db)] == ["Lee Lead"]


def test_every_alt_letter_of_the_welcome_has_one_owner(qtbot: QtBot) -> None:
    """Alt+E once belonged to both Start empty and Encrypt this database."""
    dialog = FirstRunDialog("auditapp.sqlite", [], offer_demo=True, offer_encryption=True)
    qtbot.addWidget(dialog)
    show_active(qtbot, dialog)
    assert dialog.encrypt.isVisible() and dialog.start_empty.isVisible()
    assert mnemonic_clashes(dialog) == {}
    click(qtbot, dialog.load_demo)
    encrypted = dialog.encrypt.isChecked()
    qtbot.keyClick(dialog.role, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(dialog.start_empty.isChecked)  # Alt+E: Start empty, and only that
    assert dialog.encrypt.isChecked() is encrypted
    qtbot.keyClick(dialog.role, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.encrypt.isChecked() is not encrypted)  # Alt+C: Encrypt
