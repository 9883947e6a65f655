"""Local profiles from Work › Profiles: a practice lead adds people and changes roles by
typing and clicking; anyone else sees the list only."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from auditapp.models import Role
from auditapp.rules.permissions import Actor
from auditapp.services.users import list_users, save_user
from auditapp.storage.engine import Database
from auditapp.ui.dialogs.profiles import ProfilesDialog
from auditapp.ui.shell.main_window import MainWindow
from tests.builders import (
    LONG,
    answer_dialogs,
    choose,
    click_cell,
    menu_item,
    press,
    show_active,
    type_text,
)


def open_profiles(qtbot: QtBot, db: Database, actor: Actor, *handlers: object) -> None:
    """Work › Profiles in the main window, answered by the handlers."""
    window = MainWindow(db, actor)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.audits_loaded, timeout=LONG):
        show_active(qtbot, window)
    with answer_dialogs(qtbot, *handlers):  # type: ignore[arg-type]
        menu_item(qtbot, window, "Work", "Profiles…")


def listed(dialog: ProfilesDialog) -> list[str]:
    return [dialog.profiles.item(i).text() for i in range(dialog.profiles.count())]


def test_a_lead_adds_a_profile_and_changes_a_role(qtbot: QtBot, first_run_db: Database) -> None:
    db = first_run_db
    lead = save_user(db, "Lee Lead", Role.PRACTICE_LEAD, None)
    seen: list[list[str]] = []

    def manage(dialog: QDialog) -> None:
        assert isinstance(dialog, ProfilesDialog)
        assert listed(dialog) == ["Lee Lead — practice lead"]
        type_text(qtbot, dialog.name, "Sam  Patel ")
        choose(qtbot, dialog.role, "Auditor")
        press(qtbot, dialog, "Add or change profile")
        assert dialog.message.text() == "Saved Sam Patel as auditor."
        seen.append(listed(dialog))
        click_cell(qtbot, dialog.profiles, listed(dialog).index("Sam Patel — auditor"))
        assert dialog.name.text() == "Sam Patel"  # the clicked profile, ready to change
        assert dialog.role.currentText() == "Auditor"
        choose(qtbot, dialog.role, "Moderator")
        press(qtbot, dialog, "Add or change profile")
        assert dialog.message.text() == "Saved Sam Patel as moderator."
        seen.append(listed(dialog))
        press(qtbot, dialog, "Close")

    open_profiles(qtbot, db, lead, manage)
    assert seen[0] == ["Lee Lead — practice lead", "Sam Patel — auditor"]
    assert "Sam Patel — moderator" in seen[1] and len(seen[1]) == 2
    assert {(a.name, a.role) for a in list_users(db)} == {
        ("Lee Lead", Role.PRACTICE_LEAD), ("Sam Patel", Role.MODERATOR)}


def test_a_profile_needs_a_name(qtbot: QtBot, first_run_db: Database) -> None:
    db = first_run_db
    lead = save_user(db, "Lee Lead", Role.PRACTICE_LEAD, None)
    dialog = ProfilesDialog(db, lead)
    qtbot.addWidget(dialog)
    show_active(qtbot, dialog)
    type_text(qtbot, dialog.name, "   ")
    press(qtbot, dialog, "Add or change profile")
    assert dialog.message.text() == "A profile needs a name."
    assert len(list_users(db)) == 1


def test_anyone_else_sees_the_profiles_but_cannot_change_them(qtbot: QtBot,
                                                             first_run_db: Database) -> None:
    db = first_run_db
    lead = save_user(db, "Lee Lead", Role.PRACTICE_LEAD, None)
    sam = save_user(db, "Sam Patel", Role.AUDITOR, lead)
    seen: list[str] = []

    def look(dialog: QDialog) -> None:
        assert isinstance(dialog, ProfilesDialog)
        seen.extend(listed(dialog))
        assert not dialog.save_button.isEnabled()
        assert not dialog.name.isEnabled() and not dialog.role.isEnabled()
        assert "Only a practice lead" in dialog.message.text()
        press(qtbot, dialog, "Close")

    open_profiles(qtbot, db, sam, look)
    assert seen == ["Lee Lead — practice lead", "Sam Patel — auditor"]
