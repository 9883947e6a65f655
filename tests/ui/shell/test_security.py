"""The desktop side of roles, history, passphrases, damaged files and the idle lock, driven
through the real windows and the real passphrase dialog."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QTreeWidgetItem
from pytestqt.qtbot import QtBot

from auditapp.models import Role
from auditapp.services.audits.editing import list_audits, load_audit
from auditapp.services.users import save_user
from auditapp.storage.backups import list_backups
from auditapp.storage.database import open_database
from auditapp.storage.engine import Database
from auditapp.ui.dialogs.passphrase import PassphraseDialog
from auditapp.ui.editor.history_page import HistoryPage
from auditapp.ui.editor.navigator import HISTORY_PAGE
from auditapp.ui.editor.section_page import SectionPage
from auditapp.ui.editor.window import AuditEditorWindow
from auditapp.ui.shell.application import SessionGuard, open_with_prompts
from auditapp.ui.shell.main_window import MainWindow
from auditapp.ui.widgets import alerts
from tests.builders import (
    ALEX,
    LEAD,
    LONG,
    answer_dialogs,
    click_tree_item,
    first_page,
    make_audit,
    open_editor,
    press,
    show_active,
    type_text,
)

PASSPHRASE = "correct horse battery staple"


def test_another_auditors_draft_is_read_only(qtbot: QtBot, db: Database,
                                            small_template_id: int) -> None:
    audit = make_audit(db, small_template_id, auditor="Sam")
    editor = AuditEditorWindow(db, load_audit(db, audit, LEAD), ALEX)
    qtbot.addWidget(editor)
    show_active(qtbot, editor)
    assert not editor.can_edit
    assert editor.banner.isVisible()
    assert "Sam's draft" in editor.banner.text()
    page = first_page(editor)
    assert not page.grade.isEnabled()
    page.cards[0].setFocus()
    qtbot.keyClick(page.cards[0], Qt.Key.Key_1)
    assert page.cards[0].response is None  # keys do nothing
    lead_editor = AuditEditorWindow(db, load_audit(db, audit, LEAD), LEAD)
    qtbot.addWidget(lead_editor)
    assert lead_editor.can_edit  # a practice lead may edit anyone's draft


def _navigator_item(editor: AuditEditorWindow, key: object) -> QTreeWidgetItem:
    for index in range(editor.navigator.topLevelItemCount()):
        item = editor.navigator.topLevelItem(index)
        if item.data(0, Qt.ItemDataRole.UserRole) == key:
            return item
    raise AssertionError(f"no {key} page in the navigator")


def test_history_page_lists_changes_and_exports_them(
        qtbot: QtBot, db: Database, small_template_id: int, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    audit = make_audit(db, small_template_id)
    editor = open_editor(qtbot, db, audit)
    card = first_page(editor).cards[0]
    card.setFocus()
    qtbot.keyClick(card, Qt.Key.Key_3)  # A.1: No
    click_tree_item(qtbot, editor.navigator, _navigator_item(editor, HISTORY_PAGE))
    history = editor.stack.currentWidget()
    assert isinstance(history, HistoryPage)  # leaving the page saved the answer first
    texts = [history.table.item(r, 2).text() for r in range(history.table.rowCount())]
    assert "answer A.1 response" in texts
    assert history.table.item(texts.index("answer A.1 response"), 4).text() == "N"
    target = tmp_path / "history.csv"
    asked: list[str] = []
    monkeypatch.setattr(alerts, "pick_save_path",
                        lambda _p, _t, suggested, _f: asked.append(suggested) or target)
    press(qtbot, history, "Export history to CSV…")
    assert asked == [f"history-{audit}.csv"]
    assert "answer,A.1,response" in target.read_text(encoding="utf-8-sig")
    first_section = load_audit(db, audit, LEAD).template.sections[0].id
    click_tree_item(qtbot, editor.navigator, _navigator_item(editor, first_section))
    assert isinstance(editor.stack.currentWidget(), SectionPage)


def test_an_encrypted_database_asks_for_its_passphrase(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "secret.sqlite"
    open_database(path, PASSPHRASE).dispose()
    titles: list[str] = []

    def unlock(dialog: QDialog) -> None:
        assert isinstance(dialog, PassphraseDialog)
        titles.append(dialog.windowTitle())
        type_text(qtbot, dialog.field, PASSPHRASE)
        press(qtbot, dialog, "OK")

    with answer_dialogs(qtbot, unlock):
        db = open_with_prompts(path)
    assert db is not None
    assert db.encrypted
    assert titles == ["auditapp is locked"]
    db.dispose()

    def give_up(dialog: QDialog) -> None:
        press(qtbot, dialog, "Cancel")

    with answer_dialogs(qtbot, give_up):
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
    questions: list[str] = []
    monkeypatch.setattr(alerts, "ask", lambda _p, _t, text, **k: (questions.append(text),
                                                                   True)[1])

    def no_passphrase(dialog: QDialog) -> None:
        press(qtbot, dialog, "Cancel")

    with answer_dialogs(qtbot, no_passphrase):
        reopened = open_with_prompts(path)
    assert reopened is not None
    assert "newest good backup" in questions[0]
    assert len(list_audits(reopened, LEAD)) == 1
    reopened.dispose()


def _locking_window(qtbot: QtBot, tmp_path: Path) -> tuple[Database, MainWindow, SessionGuard]:
    db = open_database(tmp_path / "locked.sqlite", PASSPHRASE)
    actor = save_user(db, "Alex", Role.AUDITOR, None)
    window = MainWindow(db, actor)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.audits_loaded, timeout=LONG):
        show_active(qtbot, window)
    guard = SessionGuard(db, window)
    assert guard.watcher is not None
    assert db.path is not None
    path = db.path
    qtbot.waitUntil(lambda: any(b.kind == "startup" for b in list_backups(path)),
                    timeout=LONG)  # the start-up backup is done before the test goes on
    return db, window, guard


def test_idle_lock_hides_everything_until_the_passphrase(qtbot: QtBot,
                                                         tmp_path: Path) -> None:
    db, window, guard = _locking_window(qtbot, tmp_path)
    assert guard.watcher is not None
    seen: list[tuple[bool, str]] = []

    def unlock(dialog: QDialog) -> None:
        assert isinstance(dialog, PassphraseDialog)
        seen.append((window.isVisible(), dialog.windowTitle()))
        type_text(qtbot, dialog.field, "not the passphrase")
        press(qtbot, dialog, "OK")
        assert dialog.isVisible() and not window.isVisible()
        type_text(qtbot, dialog.field, PASSPHRASE)
        guard.watcher.set_timeout_ms(10 * 60_000)  # type: ignore[union-attr] # back to 10 min
        press(qtbot, dialog, "OK")

    with answer_dialogs(qtbot, unlock):
        guard.watcher.set_timeout_ms(200)  # the idle time runs out with nobody at the keys
        qtbot.waitUntil(lambda: bool(seen) and window.isVisible(), timeout=LONG)
    assert seen == [(False, "auditapp is locked")]
    window.close()
    db.dispose()


def test_giving_up_at_the_idle_lock_closes_the_app(qtbot: QtBot, tmp_path: Path) -> None:
    db, window, guard = _locking_window(qtbot, tmp_path)
    assert guard.watcher is not None
    done: list[bool] = []

    def give_up(dialog: QDialog) -> None:
        press(qtbot, dialog, "Cancel")
        done.append(True)

    with answer_dialogs(qtbot, give_up):
        guard.watcher.set_timeout_ms(200)
        qtbot.waitUntil(lambda: bool(done), timeout=LONG)
    assert not window.isVisible()
    db.dispose()


def test_the_start_up_backup_waits_for_the_list(qtbot: QtBot, db: Database) -> None:
    """Its integrity check reads the whole file: it starts once every audit is listed."""
    assert db.path is not None
    path = db.path
    window = MainWindow(db, ALEX)
    qtbot.addWidget(window)
    assert window.loading
    SessionGuard(db, window)
    assert list_backups(path) == []
    with qtbot.waitSignal(window.audits_loaded, timeout=LONG):
        show_active(qtbot, window)
    qtbot.waitUntil(lambda: [b.kind for b in list_backups(path)] == ["startup"], timeout=LONG)
