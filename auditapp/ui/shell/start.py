"""Start-up of the desktop app, first screen first.

A bare window appears in about a seventh of a second; SQLAlchemy, the mapped classes and
the services behind the rest of the app take more than twice that to import. So on the
everyday start (a plain local database file at this code's schema, and the profile last
used is in it) the main window is built and shown at once with the first screenful of My
work, read with the SQLite driver alone (:mod:`auditapp.storage.first_read`,
:mod:`auditapp.services.first_screen`). The full open (the file's checks, the shipped
templates) and the imports behind the rest of the app then run on a worker thread while
the window takes input; once they are done the window is given the database
(:meth:`MainWindow.attach`), reads My work again and lists every audit.

Every other start (the first run, an encrypted file, a database server, a schema to
upgrade or too new, another copy open, an unfinished operation, a profile no longer there)
takes the full path of :mod:`auditapp.ui.shell.application`, which asks, migrates, recovers
or refuses as it always has; so does the everyday start when the full open fails, after
closing the first window.

This module and what it imports load no SQLAlchemy (tests/ui/shell/test_startup_imports.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from PySide6.QtCore import QEventLoop, QSettings
from PySide6.QtWidgets import QApplication

from auditapp.rules.permissions import Actor
from auditapp.services.first_screen import first_screen
from auditapp.storage.first_read import FirstRead, first_read
from auditapp.storage.instance_lock import InstanceLock
from auditapp.storage.paths import default_db_path, is_server_url
from auditapp.ui.shell.main_window import MainWindow
from auditapp.ui.shell.qt_application import PROFILE_KEY, create_application
from auditapp.ui.widgets.workers import start_job

if TYPE_CHECKING:
    from auditapp.storage.connection import AppDatabase


class Started(NamedTuple):
    """The everyday start, done: the window shown first, and the database opened behind it
    for the profile it shows."""

    window: MainWindow
    db: AppDatabase
    actor: Actor


def run_gui(db_path: Path | str | None, bundle: Path | None = None,
            smoke_profile: str | None = None) -> int:
    """Open the desktop app on ``db_path`` (or the default database); returns the exit code.

    ``bundle`` opens the import dialog on that file once the window is up. ``smoke_profile``
    opens the app as that profile and closes it once it is ready (``--smoke-test``; see
    :mod:`auditapp.ui.shell.startup_check`)."""
    app = create_application()
    target = db_path or default_db_path()
    location = target if is_server_url(target) else Path(target).expanduser().resolve()
    check = None
    if smoke_profile is not None:
        from auditapp.ui.shell.startup_check import StartupCheck

        check = StartupCheck(bundle)
    profile = smoke_profile or QSettings().value(PROFILE_KEY)
    started = (start_on_first_screen(location, profile)
               if isinstance(location, Path) and isinstance(profile, str) and profile else None)
    from auditapp.ui.shell.application import run_app  # loaded by now if started

    code = run_app(app, location, bundle, None if check is None else (check, str(profile)),
                   started)
    return code if check is None else check.exit_code(code)


def start_on_first_screen(path: Path, profile: str) -> Started | None:
    """Show the window on My work as read by the first look at the file, then open the file
    fully behind it. None when this start needs the full path (nothing is left open then);
    ``Started`` with a hidden window when the window was closed before the file opened."""
    read = first_read(path)
    if read is None:
        return None
    window = _first_window(read, path, profile)
    if window is None:
        read.give_up()
        return None
    read.close()
    window.show()
    QApplication.processEvents()  # shown and painted before the worker's imports compete
    window.repaint()              # with the UI thread for the interpreter
    opened = _open_behind(window, path, read.lock, profile)
    if opened is None:  # the full path will say why, and ask what to do
        window.close()
        window.deleteLater()
        return None
    db, actor = opened
    return Started(window, db, actor)


def _first_window(read: FirstRead, path: Path, profile: str) -> MainWindow | None:
    try:
        screen = first_screen(read.run, profile)
    except Exception:  # noqa: BLE001 - anything odd in the file: the full open judges it
        return None
    if screen is None:
        return None
    return MainWindow(None, screen.actor, location=str(path), work=screen.work)


def _open_behind(window: MainWindow, path: Path, lock: InstanceLock, profile: str
                 ) -> tuple[AppDatabase, Actor] | None:
    """Open the file fully on a worker thread, the window taking input meanwhile; None if
    it did not open (the lock is then let go)."""
    loop = QEventLoop()
    result: list[Any] = []

    def done(value: object) -> None:
        result.append(value)
        loop.quit()

    start_job(window, lambda: _open_fully(path, lock, profile), on_finished=done,
              on_failed=lambda _message: done(None))
    while not result:  # an event loop asked to quit (the window closed) keeps waiting
        loop.exec()
    if result[0] is None and lock.held:
        lock.release()
    return result[0]  # type: ignore[no-any-return]


def _open_fully(path: Path, lock: InstanceLock, profile: str
                ) -> tuple[AppDatabase, Actor] | None:
    """On a worker thread: the rest of start-up's modules, and the full open."""
    from auditapp.ui.shell.application import open_behind_first_screen

    return open_behind_first_screen(path, lock, profile)
