"""The everyday start: My work is painted from a read-only first look at the file before
SQLAlchemy loads, the full open follows behind the window, and every other start takes the
full path with nothing left locked or changed."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from auditapp.services.my_work import my_work
from auditapp.storage.database import open_database
from auditapp.storage.engine import Database
from auditapp.storage.instance_lock import acquire_instance_lock
from auditapp.storage.paths import damage_mark, journal_path
from auditapp.ui.shell.application import run_app
from auditapp.ui.shell.main_window import MainWindow
from auditapp.ui.shell.qt_application import create_application
from auditapp.ui.shell.start import start_on_first_screen
from tests.builders import ALEX, LONG, ROOT, SUBPROCESS_LIMIT, make_audit

#: Runs the everyday start in a fresh interpreter and says, at the first paint of My work's
#: rows, whether SQLAlchemy had loaded and what the rows said.
PAINT_AND_LIST = """
import json, sys
from pathlib import Path
from PySide6.QtCore import QEvent, QObject
from auditapp.ui.shell.qt_application import create_application
from auditapp.ui.shell.start import start_on_first_screen
app = create_application()
seen = {}
class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if (not seen and event.type() == QEvent.Type.Paint
                and watched.objectName() == "my work rows"):
            tree = watched.parent()
            model = tree.model()
            seen["sqlalchemy"] = "sqlalchemy" in sys.modules
            seen["rows"] = [model.index(row, 0, model.index(group, 0)).data()
                            for group in range(model.rowCount())
                            for row in range(model.rowCount(model.index(group, 0)))]
        return False
watcher = FirstPaint()
app.installEventFilter(watcher)
started = start_on_first_screen(Path(sys.argv[1]), sys.argv[2])
seen["started"] = started is not None
seen["sqlalchemy at the end"] = "sqlalchemy" in sys.modules
if started is not None:
    started.db.dispose()
print(json.dumps(seen))
"""


@pytest.fixture
def closed_db(db: Database, small_template_id: int) -> Path:
    """A database file at head with Alex's drafts, closed (the lock let go)."""
    for number in range(3):
        make_audit(db, small_template_id, f"C-{number}")
    assert db.path is not None
    db.dispose()
    return db.path


def _paint_in_fresh_interpreter(path: Path, profile: str) -> dict[str, object]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-c", PAINT_AND_LIST, str(path), profile],
                            capture_output=True, text=True, env=env, timeout=SUBPROCESS_LIMIT,
                            check=True)
    found: dict[str, object] = json.loads(result.stdout.splitlines()[-1])
    return found


def test_my_work_is_painted_before_sqlalchemy_loads(closed_db: Path) -> None:
    seen = _paint_in_fresh_interpreter(closed_db, ALEX.name)
    assert seen["started"] and seen["sqlalchemy at the end"]  # the full open followed
    assert seen["sqlalchemy"] is False
    db = open_database(closed_db, backup=False)
    try:  # what was painted is what My work reads through SQLAlchemy
        assert seen["rows"] == [item.case_reference for item in my_work(db, ALEX).drafts]
        assert seen["rows"] == ["C-0", "C-1", "C-2"]
    finally:
        db.dispose()


def _lock_is_free(path: Path) -> bool:
    lock = acquire_instance_lock(path)
    lock.release()
    return True


def _unchanged(path: Path, action: object) -> None:
    before = path.read_bytes()
    assert action is None
    assert path.read_bytes() == before
    assert _lock_is_free(path)
    assert not [w for w in QApplication.topLevelWidgets()
                if isinstance(w, MainWindow) and w.isVisible()]


def test_a_profile_not_in_the_file_takes_the_full_path(qtbot: QtBot, closed_db: Path) -> None:
    _unchanged(closed_db, start_on_first_screen(closed_db, "Nobody Here"))


def test_an_older_schema_takes_the_full_path(qtbot: QtBot, closed_db: Path) -> None:
    with sqlite3.connect(closed_db) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0008'")
    connection.close()
    _unchanged(closed_db, start_on_first_screen(closed_db, ALEX.name))


@pytest.mark.parametrize("beside", [journal_path, damage_mark,
                                    lambda p: p.with_name(p.name + "-journal")])
def test_anything_waiting_beside_the_file_takes_the_full_path(qtbot: QtBot, closed_db: Path,
                                                               beside: object) -> None:
    assert callable(beside)
    beside(closed_db).write_text("{}", "utf-8")
    _unchanged(closed_db, start_on_first_screen(closed_db, ALEX.name))


def test_a_file_open_in_another_copy_takes_the_full_path(qtbot: QtBot,
                                                          closed_db: Path) -> None:
    other = acquire_instance_lock(closed_db)
    try:
        assert start_on_first_screen(closed_db, ALEX.name) is None
    finally:
        other.release()


def test_an_encrypted_or_foreign_file_takes_the_full_path(qtbot: QtBot, tmp_path: Path) -> None:
    encrypted = tmp_path / "secret.sqlite"
    open_database(encrypted, "correct horse battery", backup=False).dispose()
    _unchanged(encrypted, start_on_first_screen(encrypted, ALEX.name))
    foreign = tmp_path / "notes.sqlite"
    foreign.write_text("not a database", "utf-8")
    _unchanged(foreign, start_on_first_screen(foreign, ALEX.name))
    assert start_on_first_screen(tmp_path / "missing.sqlite", ALEX.name) is None
    assert not (tmp_path / "missing.sqlite").exists()


def test_the_everyday_start_opens_the_file_behind_the_window(qtbot: QtBot,
                                                             closed_db: Path) -> None:
    started = start_on_first_screen(closed_db, ALEX.name)
    assert started is not None
    window, db, actor = started
    qtbot.addWidget(window)
    try:
        assert actor == ALEX
        assert window.isVisible()
        assert not window.new_action.isEnabled()  # nothing needs the database yet
        assert window.count_label.text() == "Opening the database…"
        with qtbot.waitSignal(window.audits_loaded, timeout=LONG):
            window.attach(db)
        assert window.new_action.isEnabled()
        assert window.model.rowCount() == 3
        with pytest.raises(Exception, match="already open"):
            open_database(closed_db, backup=False)  # the lock went to the full open
    finally:
        window.close()
        db.dispose()


def test_enter_before_the_file_is_open_opens_the_audit_once_it_is(
        qtbot: QtBot, closed_db: Path) -> None:
    """The window takes input at once: Enter on a draft before the full open has finished
    opens its editor as soon as it has."""
    started = start_on_first_screen(closed_db, ALEX.name)
    assert started is not None
    window, db, _actor = started
    qtbot.addWidget(window)
    try:
        tree = window.my_work.tree
        tree.setFocus()
        qtbot.keyClick(tree, Qt.Key.Key_Enter)
        assert window.editors == {}
        assert "Opening the database" in window.statusBar().currentMessage()
        window.attach(db)
        assert list(window.editors) == [tree.model().item(tree.currentIndex()).audit_id]
    finally:
        for editor in list(window.editors.values()):
            editor.close()
        window.close()
        db.dispose()


def test_a_window_closed_before_the_file_opened_ends_the_app(qtbot: QtBot,
                                                             closed_db: Path) -> None:
    app = create_application()

    def close_the_window() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                widget.close()

    QTimer.singleShot(0, close_the_window)
    started = start_on_first_screen(closed_db, ALEX.name)
    assert started is not None and not started.window.isVisible()
    assert run_app(app, closed_db, None, None, started) == 0
    assert _lock_is_free(closed_db)
