"""The first run: a profile is made, remembered, and demo data offered only when empty."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from auditapp.models import Role
from auditapp.services.users import list_users
from auditapp.storage.engine import Database
from auditapp.ui.dialogs.first_run import FirstRunDialog
from auditapp.ui.shell.application import PROFILE_KEY, choose_profile
from tests.builders import make_audit


def test_first_run_creates_and_remembers_the_profile(qtbot: QtBot, db: Database,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[FirstRunDialog] = []

    def answer(dialog: FirstRunDialog) -> int:
        shown.append(dialog)
        assert str(db.path) in dialog.intro.text()
        assert dialog.load_demo.isVisibleTo(dialog)  # the database is empty
        dialog.name.setCurrentText("Sam Patel")
        dialog.role.setCurrentIndex(dialog.role.findData(Role.MODERATOR))
        dialog.load_demo.setChecked(True)
        dialog._accept()
        return dialog.result()

    monkeypatch.setattr(FirstRunDialog, "exec", answer)
    profile = choose_profile(db)
    assert profile is not None
    assert (profile.actor, profile.load_demo) == (list_users(db)[0], True)
    assert list_users(db)[0].name == "Sam Patel"
    assert list_users(db)[0].role == Role.MODERATOR
    assert QSettings().value(PROFILE_KEY) == "Sam Patel"
    again = choose_profile(db)  # remembered: no dialog this time
    assert len(shown) == 1
    assert again is not None
    assert (again.actor.name, again.load_demo) == ("Sam Patel", False)


def test_no_demo_offered_when_audits_exist_and_a_name_is_required(
        qtbot: QtBot, db: Database, small_template_id: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    make_audit(db, small_template_id)

    def answer(dialog: FirstRunDialog) -> int:
        assert not dialog.load_demo.isVisibleTo(dialog)
        dialog.name.setCurrentText("   ")
        dialog._accept()
        assert dialog.message.text() == "Enter your name."
        return 0

    monkeypatch.setattr(FirstRunDialog, "exec", answer)
    assert choose_profile(db) is None
    assert list_users(db) == []


def test_a_second_person_cannot_make_their_own_profile(
        qtbot: QtBot, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    from auditapp.services.users import save_user

    save_user(db, "Lee Lead", Role.PRACTICE_LEAD, None)
    messages: list[str] = []

    def answer(dialog: FirstRunDialog) -> int:
        if messages:
            return 0  # gives up after reading the message
        dialog.name.setCurrentText("New Person")
        dialog.role.setCurrentIndex(dialog.role.findData(Role.PRACTICE_LEAD))
        dialog._accept()
        messages.append("shown")
        return dialog.result()

    monkeypatch.setattr(FirstRunDialog, "exec", answer)
    dialogs: list[FirstRunDialog] = []
    original = FirstRunDialog.__init__

    def remember(self: FirstRunDialog, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        dialogs.append(self)

    monkeypatch.setattr(FirstRunDialog, "__init__", remember)
    assert choose_profile(db) is None
    assert "Ask a practice lead" in dialogs[0].message.text()
    assert [a.name for a in list_users(db)] == ["Lee Lead"]
