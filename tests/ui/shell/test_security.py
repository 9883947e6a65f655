"""The desktop side of roles, history, passphrases, damaged files and the idle lock."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from auditapp.models import Role
from auditapp.rules.permissions import Actor
from auditapp.services.audits.editing import load_audit
from auditapp.services.users import list_users, save_user
from auditapp.storage.database import open_database
from auditapp.storage.engine import Database
from auditapp.ui.dialogs.profiles import ProfilesDialog
from auditapp.ui.editor.history_page import HistoryPage
from auditapp.ui.editor.navigator import HISTORY_PAGE
from auditapp.ui.editor.section_page import SectionPage
from auditapp.ui.editor.window import AuditEditorWindow
from auditapp.ui.shell import application
from auditapp.ui.shell.application import SessionGuard, open_with_prompts
from auditapp.ui.shell.main_window import MainWindow
from auditapp.ui.widgets import alerts
from tests.builders import ALEX, LEAD, make_audit

PASSPHRASE = "correct horse battery staple"


def test_another_auditors_draft_is_read_only(qtbot: QtBot, db: Database,
                                            small_template_id: int) -> None:
    audit = make_audit(db, small_template_id, auditor="Sam")
    editor = AuditEditorWindow(db, load_audit(db, audit), ALEX)
    qtbot.addWidget(editor)
    assert not editor.can_edit
    assert "Sam's draft" in editor.banner.text()
    page = editor.stack.currentWidget()
    assert isinstance(page, SectionPage)
    assert not page.grade.isEnabled()
    lead_editor = AuditEditorWindow(db, load_audit(db, audit), LEAD)
    qtbot.addWidget(lead_editor)
    assert lead_editor.can_edit  # a practice lead may edit anyone's draft


def test_history_page_lists_changes_and_exports_them(qtbot: QtBot, db: Database,
                                                     small_template_id: int,
                                                     tmp_path: Path) -> None:
    audit = make_audit(db, small_template_id)
    editor = AuditEditorWindow(db, load_audit(db, audit), ALEX)
    qtbot.addWidget(editor)
    page = editor.stack.currentWidget()
    assert isinstance(page, SectionPage)
    editor.request_response(page.cards[0].question.id, "N")
    history = editor.show_page(HISTORY_PAGE)
    assert isinstance(history, HistoryPage)
    texts = [history.table.item(r, 2).text() for r in range(history.table.rowCount())]
    assert "answer A.1 response" in texts
    assert history.table.item(texts.index("answer A.1 response"), 4).text() == "N"
    target = tmp_path / "history.csv"
    history.export(target)
    assert "answer,A.1,response" in target.read_text(encoding="utf-8-sig")


def test_profiles_dialog_lets_only_a_lead_add(qtbot: QtBot, db: Database) -> None:
    lead = save_user(db, "Lee Lead", Role.PRACTICE_LEAD, None)
    dialog = ProfilesDialog(db, lead)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.name, "Sam Patel")
    dialog.role.setCurrentIndex(dialog.role.findData(Role.AUDITOR))
    dialog.save_button.click()
    assert ("Sam Patel", Role.AUDITOR) in [(a.name, a.role) for a in list_users(db)]
    auditor_view = ProfilesDialog(db, Actor("Sam Patel", Role.AUDITOR))
    qtbot.addWidget(auditor_view)
    assert not auditor_view.save_button.isEnabled()
    assert "Only a practice lead" in auditor_view.message.text()


def test_an_encrypted_database_asks_for_its_passphrase(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.sqlite"
    open_database(path, PASSPHRASE).dispose()
    asked: list[Path] = []
    monkeypatch.setattr(application, "ask_to_unlock",
                        lambda p, *a: (asked.append(p), PASSPHRASE)[1])
    db = open_with_prompts(path)
    assert db is not None
    assert db.encrypted
    assert asked == [path.resolve()]
    db.dispose()
    monkeypatch.setattr(application, "ask_to_unlock", lambda *a: None)
    assert open_with_prompts(path) is None  # cancelled: nothing opened


def test_a_damaged_file_offers_the_newest_backup(qtbot: QtBot, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 small_template_id: int, db: Database) -> None:
    """A zeroed file looks encrypted: no passphrase is known, so the backup is offered."""
    make_audit(db, small_template_id)
    path = db.path
    assert path is not None
    db.dispose()
    open_database(path).dispose()  # a start-up backup holding the audit
    path.write_bytes(b"\x00" * 4096)
    monkeypatch.setattr(application, "ask_to_unlock", lambda *a: None)
    questions: list[str] = []
    monkeypatch.setattr(alerts, "ask", lambda _p, _t, text, **k: (questions.append(text),
                                                                   True)[1])
    reopened = open_with_prompts(path)
    assert reopened is not None
    assert "newest good backup" in questions[0]
    from auditapp.services.audits.editing import list_audits

    assert len(list_audits(reopened)) == 1
    reopened.dispose()


def test_idle_lock_hides_everything_and_unlocks(qtbot: QtBot, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    db = open_database(tmp_path / "locked.sqlite", PASSPHRASE)
    actor = save_user(db, "Alex", Role.AUDITOR, None)
    window = MainWindow(db, actor)
    qtbot.addWidget(window)
    window.show()
    guard = SessionGuard(db, window)
    assert guard.watcher is not None
    seen_hidden: list[bool] = []

    def unlock(_path: Path, *_a: object) -> str:
        seen_hidden.append(window.isVisible())
        return PASSPHRASE

    monkeypatch.setattr(application, "ask_to_unlock", unlock)
    guard.watcher.idle.emit()
    assert seen_hidden == [False]
    assert window.isVisible()
    window.close()
    db.dispose()
