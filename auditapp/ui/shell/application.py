"""Start-up of the desktop app, the full path: the database (its passphrase, a damaged
file, a second copy), the profile, the window, the idle lock and the daily backup.

:mod:`auditapp.ui.shell.start` shows the window first when it can, and hands over here
(:func:`run_app`) with the database opened behind it (:func:`open_behind_first_screen`)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from auditapp.errors import (
    DatabaseOpenError,
    PassphraseRequiredError,
    UserError,
    WrongPassphraseError,
)
from auditapp.rules.names import name_key
from auditapp.rules.permissions import Actor
from auditapp.services.audits.editing import count_audits
from auditapp.services.demo import generate_demo
from auditapp.services.settings import idle_lock_minutes
from auditapp.services.templates import install_shipped_templates
from auditapp.services.users import list_users, save_user
from auditapp.storage.backups import checked_backup, restore_backup
from auditapp.storage.connection import AppDatabase
from auditapp.storage.database import open_database
from auditapp.storage.instance_lock import InstanceLock
from auditapp.ui.dialogs.first_run import DEMO_AUDITS, FirstRunDialog
from auditapp.ui.dialogs.passphrase import ask_new_passphrase, ask_to_unlock
from auditapp.ui.shell.encryption_flow import (
    PassphraseChange,
    apply_change,
    offer_to_delete_plain_copies,
)
from auditapp.ui.shell.lock import IdleWatcher
from auditapp.ui.shell.main_window import MainWindow
from auditapp.ui.shell.qt_application import PROFILE_KEY
from auditapp.ui.shell.startup_check import StartupCheck
from auditapp.ui.widgets import alerts
from auditapp.ui.widgets.workers import start_job

EXIT_USER_ERROR = 2
BACKUP_CHECK_MS = 60 * 60 * 1000  # the daily backup is checked for every hour


def open_with_prompts(path: Path | str, passphrase: str | None = None) -> AppDatabase | None:
    """Open the database, asking for its passphrase (unless the right one is given) and
    offering the newest good backup of a damaged file. None when it cannot be opened (the
    user has been told why)."""
    while True:
        try:
            # The start-up backup is made in the background once the window is up.
            return open_database(path, passphrase, backup=False)
        except (PassphraseRequiredError, WrongPassphraseError) as exc:
            assert isinstance(path, Path), "a database server has no passphrase of ours"
            passphrase = ask_to_unlock(path)
            if passphrase is None:
                # A damaged plain file looks just like an encrypted one: offer the backup.
                return _offer_backup(path, exc, unreadable=True) \
                    if exc.backup is not None else None
        except DatabaseOpenError as exc:
            if exc.backup is None or not isinstance(path, Path):
                alerts.warn(None, "auditapp cannot open its database", str(exc))
                return None
            return _offer_backup(path, exc, passphrase)


def _offer_backup(path: Path, problem: DatabaseOpenError, passphrase: str | None = None,
                  unreadable: bool = False) -> AppDatabase | None:
    """Offer to put the newest good backup in place of a file that will not open."""
    assert problem.backup is not None
    if not alerts.ask(None, "auditapp cannot open its database",
                      f"{problem}\n\nPut the newest good backup ({problem.backup.name}) in its "
                      "place? The file that would not open is kept in the backups folder.",
                      yes="Restore the backup", no="Quit"):
        return None
    try:
        restore_backup(path, problem.backup, passphrase, unreadable=unreadable)
        return open_database(path, passphrase, backup=False)
    except UserError as failure:
        alerts.warn(None, "The backup was not restored", str(failure))
        return None


@dataclass(frozen=True)
class Profile:
    """Who is using the app, and what they chose at first run."""

    actor: Actor
    load_demo: bool = False
    encrypt: bool = False


def choose_profile(db: AppDatabase) -> Profile | None:
    """The remembered profile, or ask for one (at first run, with demo data and encryption
    offered for an empty database). None if the user gives up."""
    known = list_users(db)
    remembered = QSettings().value(PROFILE_KEY)
    for actor in known:
        if actor.name == remembered:
            return Profile(actor)
    empty = count_audits(db) == 0
    dialog = FirstRunDialog(db.path or db.location, known, offer_demo=empty,
                            offer_encryption=empty and db.path is not None and not db.encrypted)
    while dialog.exec():
        name, role = dialog.chosen()
        existing = {name_key(a.name): a for a in known}
        try:
            # A known name (ignoring case and spacing) keeps its stored role; only the first
            # profile may be self-made.
            actor = existing.get(name_key(name)) or save_user(db, name, role, None)
        except UserError as exc:
            dialog.message.setText(f"{exc} Ask a practice lead to add your profile "
                                   "(Work › Profiles).")
            continue
        QSettings().setValue(PROFILE_KEY, actor.name)
        return Profile(actor, dialog.load_demo.isChecked(),
                       dialog.encrypt.isChecked() and dialog.encrypt.isVisibleTo(dialog))
    return None


class SessionGuard(QObject):
    """The idle lock (for an encrypted database) and the daily backup of an open database."""

    def __init__(self, db: AppDatabase, window: MainWindow) -> None:
        super().__init__(window)
        self.db = db
        self.window = window
        self.watcher: IdleWatcher | None = None
        if db.encrypted:
            self.watcher = IdleWatcher.from_minutes(idle_lock_minutes(db), self)
            self.watcher.idle.connect(self.lock)
        self.backup_timer = QTimer(self)
        self.backup_timer.setInterval(BACKUP_CHECK_MS)
        self.backup_timer.timeout.connect(self.backup_if_due)
        if db.path is not None:  # a server database is backed up by its server
            self.backup_timer.start()
            if window.loading:  # the list first: the backup's check reads the whole file
                window.audits_loaded.connect(self._after_first_load)
            else:
                self.startup_backup()

    def _after_first_load(self) -> None:
        self.window.audits_loaded.disconnect(self._after_first_load)
        self.startup_backup()

    def lock(self) -> None:
        """Save everything, hide every window and ask for the passphrase again."""
        assert self.watcher is not None
        assert self.db.path is not None
        self.watcher.pause()
        windows = self.window.hide_all_for_lock()
        if ask_to_unlock(self.db.path) is None:
            self.window.close()
            return
        for widget in windows:
            widget.show()
        self.watcher.resume()

    def startup_backup(self) -> None:
        """The start-up backup, made in the background so that the window opens at once. Its
        copy gets SQLite's full integrity check, which is the whole-file check of the database
        that opening it no longer waits for."""
        self._backup("startup", "The start-up backup failed")

    def backup_if_due(self) -> None:
        """Make the daily backup in the background when it is due."""
        self._backup("daily", "The daily backup failed")

    def _backup(self, kind: str, failed: str) -> None:
        start_job(self, lambda: checked_backup(self.db, kind), on_finished=self._damage_found,
                  on_failed=lambda m: self.window.statusBar().showMessage(
                      f"{failed}: {m}", 15000))

    def _damage_found(self, problem: str | None) -> None:
        if problem:
            alerts.warn(self.window, "The database is damaged",
                        f"{problem}\n\nSave nothing more: quit auditapp and start it again, and "
                        "it will offer to put the newest good backup in its place.")


def open_behind_first_screen(path: Path, lock: InstanceLock, profile: str
                             ) -> tuple[AppDatabase, Actor] | None:
    """The full open behind the first screen (:mod:`auditapp.ui.shell.start`), on a worker
    thread: the file's checks with the lock already taken, the shipped templates, and the
    profile shown, read again. None when anything would need a question or a refusal: the
    full path then asks it (the lock is let go)."""
    try:
        db = open_database(path, backup=False, lock=lock)
    except UserError:
        return None
    try:
        install_shipped_templates(db)
        actor = next((a for a in list_users(db) if a.name == profile), None)
    except BaseException:
        db.dispose()
        raise
    if actor is None:
        db.dispose()
        return None
    return db, actor


def run_app(app: QApplication, path: Path | str, bundle: Path | None,
            smoke: tuple[StartupCheck, str] | None,
            started: tuple[MainWindow, AppDatabase, Actor] | None = None) -> int:
    """The app's life, from the database at ``path`` (or the window ``started`` with it).
    The loop opens the database again after its passphrase was set or changed, which needs
    the file closed."""
    passphrase: str | None = None
    newly_encrypted = False
    while True:
        if started is not None:
            window, db, actor = started
            started = None
            if not window.isVisible():  # closed before the database had opened
                db.dispose()
                return 0
            window.attach(db)
            _after_showing(window, db, Profile(actor), newly_encrypted)
        else:
            shown = _open_and_show(path, passphrase, smoke, newly_encrypted)
            if isinstance(shown, int):
                return shown
            window, db = shown
        try:
            if smoke is not None:
                smoke[0].watch(window)
            if bundle is not None:
                window.open_bundle(bundle)
                bundle = None  # once, not again after a change of passphrase
            code = app.exec()
            change = window.passphrase_change
        finally:
            db.dispose()
        if change is None or not isinstance(path, Path):
            return code
        passphrase = apply_change(path, change, confirm_now=False)
        newly_encrypted = change.old is None and passphrase == change.new


def _open_and_show(path: Path | str, passphrase: str | None,
                   smoke: tuple[StartupCheck, str] | None, newly_encrypted: bool
                   ) -> tuple[MainWindow, AppDatabase] | int:
    """The full path to the window: open the database (asking what it must), install the
    shipped templates, choose the profile (asking at first run, which may encrypt the
    file first), show the window. An exit status instead when the app should end."""
    while True:
        db = open_with_prompts(path, passphrase)
        if db is None:
            return EXIT_USER_ERROR
        try:
            install_shipped_templates(db)
            profile = choose_profile(db) if smoke is None else _named_profile(db, smoke[1])
        except BaseException:
            db.dispose()
            raise
        if profile is None:
            db.dispose()
            return 0 if smoke is None else EXIT_USER_ERROR
        if profile.encrypt and isinstance(path, Path):
            change = _first_passphrase()
            if change is not None:
                db.dispose()
                passphrase = apply_change(path, change, confirm_now=True)
                continue
        window = MainWindow(db, profile.actor)
        window.show()
        _after_showing(window, db, profile, newly_encrypted)
        return window, db


def _named_profile(db: AppDatabase, name: str) -> Profile | None:
    """The profile called ``name`` (for the start-up check), or None, having said why."""
    for actor in list_users(db):
        if actor.name == name:
            return Profile(actor)
    print(f"auditapp: error: no profile named '{name}' in {db.location} (add it with "
          "'auditapp users add').", file=sys.stderr)
    return None


def _first_passphrase() -> PassphraseChange | None:
    new = ask_new_passphrase()
    return PassphraseChange(new) if new is not None else None


def _after_showing(window: MainWindow, db: AppDatabase, profile: Profile,
                   newly_encrypted: bool) -> None:
    """What follows the window on an open database: the idle lock and backups, what opening
    it warned of, and what the user chose at first run."""
    SessionGuard(db, window)
    for warning in db.warnings:
        alerts.warn(window, "auditapp opened with a warning", warning)
    if newly_encrypted and db.path is not None and db.passphrase is not None:
        offer_to_delete_plain_copies(db.path, db.passphrase)
    if profile.load_demo:
        QTimer.singleShot(0, lambda: window.run_with_progress(
            "Loading demo data", lambda: generate_demo(db, DEMO_AUDITS, profile.actor),
            window.reload))
