"""Backups: automatic and rotating, on demand, and restoring one.

Backups go to the ``backups/`` folder beside the database, named
``<database>-<kind>-<YYYYmmdd-HHMMSS-micro>.sqlite``. They are made with SQLite's online
backup API (safe while auditapp writes), checked with SQLite's full integrity check, and
encrypted with the database's passphrase when it has one.

Kinds: ``startup`` (each time the database is opened), ``daily`` (:func:`backup_if_due`),
``before-<rev>`` (before a schema upgrade), ``manual``, ``replaced`` (the file a restore
moved aside) and ``plain`` (the unencrypted copy kept when a database is first encrypted).
Only ``startup`` and ``daily`` rotate, and ``before-`` ones after a few upgrades; the rest
are deleted only by the user.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import sqlcipher3

from auditapp.errors import (
    BackupError,
    DatabaseCorruptError,
    DatabaseOpenError,
    DiskFullError,
    PassphraseRequiredError,
    UserError,
    WrongPassphraseError,
)
from auditapp.storage.connection import AppDatabase
from auditapp.storage.engine import connect_sqlcipher
from auditapp.storage.instance_lock import acquire_instance_lock
from auditapp.storage.paths import backup_dir
from auditapp.storage.private_files import private_folder
from auditapp.storage.sqlite_files import (
    copy_database,
    file_kind,
    inspect_file,
    side_files,
    sqlite_problem,
)

AUTOMATIC = ("startup", "daily")
KEEP_RECENT = 5  # newest automatic backups always kept
KEEP_DAYS = 14  # and the newest of each of this many days
KEEP_BEFORE_UPGRADE = 3
DAILY = timedelta(hours=24)
_NAME = re.compile(r"^(?P<stem>.+)-(?P<kind>[a-z0-9-]+?)-(?P<stamp>\d{8}-\d{6}-\d{6})\.sqlite$")


@dataclass(frozen=True)
class BackupInfo:
    """One backup file."""

    path: Path
    kind: str
    made_at: datetime
    size: int


def backup_name(db_path: Path, kind: str, when: datetime | None = None) -> Path:
    """Where a new backup of ``kind`` goes."""
    stamp = (when or datetime.now()).strftime("%Y%m%d-%H%M%S-%f")
    return backup_dir(db_path) / f"{db_path.stem}-{kind}-{stamp}.sqlite"


def list_backups(db_path: Path) -> list[BackupInfo]:
    """The backups of a database, newest first."""
    folder = backup_dir(db_path)
    found: list[BackupInfo] = []
    for path in folder.glob(f"{db_path.stem}-*.sqlite") if folder.is_dir() else ():
        match = _NAME.match(path.name)
        if match and match["stem"] == db_path.stem:
            made = datetime.strptime(match["stamp"], "%Y%m%d-%H%M%S-%f")
            found.append(BackupInfo(path, match["kind"], made, path.stat().st_size))
    return sorted(found, key=lambda b: b.made_at, reverse=True)


def _backup_failed(exc: BaseException, destination: Path) -> UserError:
    problem = sqlite_problem(exc) if isinstance(exc, sqlcipher3.Error) else ""
    if problem == "full" or getattr(exc, "errno", None) == 28:
        return DiskFullError(f"The backup was not made: the disk holding {destination.parent} "
                             "is full. Free some space and make a backup.")
    return BackupError(f"The backup to {destination} was not made: {exc}")


def backup_open_database(db: AppDatabase, destination: Path) -> Path:
    """Copy an open database to ``destination`` (encrypted like it) and check the copy."""
    raw = db.engine.raw_connection()
    try:
        copy_database(raw.driver_connection, destination, db.passphrase, db.encrypted)
    except (OSError, sqlcipher3.Error, sqlite3.Error) as exc:
        raise _backup_failed(exc, destination) from exc
    finally:
        raw.close()
    try:
        inspect_file(destination, db.passphrase, thorough=True)
    except DatabaseOpenError as exc:
        destination.unlink(missing_ok=True)
        raise DatabaseCorruptError(
            f"{db.path} is damaged: a copy of it fails SQLite's integrity check ({exc}). "
            "auditapp has not changed it.") from exc
    return destination


def make_backup(db: AppDatabase, kind: str = "manual") -> BackupInfo:
    """Back up an open database into its backups folder, then rotate the old ones."""
    assert db.path is not None
    path = backup_open_database(db, backup_name(db.path, kind))
    rotate_backups(db.path)
    return next(b for b in list_backups(db.path) if b.path == path)


def backup_if_due(db: AppDatabase) -> BackupInfo | None:
    """The daily backup: made when the newest automatic one is a day old. The desktop app
    calls this from a timer (say hourly); the command line calls it on every run."""
    assert db.path is not None
    newest = next((b for b in list_backups(db.path) if b.kind in AUTOMATIC), None)
    if newest is not None and datetime.now() - newest.made_at < DAILY:
        return None
    return make_backup(db, "daily")


def rotate_backups(db_path: Path) -> list[Path]:
    """Delete automatic backups beyond the newest few and the newest of each recent day, and
    all but the newest few upgrade backups; returns what was deleted."""
    backups = list_backups(db_path)
    automatic = [b for b in backups if b.kind in AUTOMATIC]
    keep = {b.path for b in automatic[:KEEP_RECENT]}
    days: set[object] = set()
    for backup in automatic:
        day = backup.made_at.date()
        if day not in days and len(days) < KEEP_DAYS:
            days.add(day)
            keep.add(backup.path)
    upgrades = [b for b in backups if b.kind.startswith("before-")]
    keep.update(b.path for b in upgrades[:KEEP_BEFORE_UPGRADE])
    doomed = [b.path for b in automatic + upgrades if b.path not in keep]
    for path in doomed:
        with contextlib.suppress(OSError):
            path.unlink()
    return doomed


def check_backup(path: Path, passphrase: str | None = None) -> str | None:
    """Check a backup file before it is restored; returns its schema revision.

    Raises :class:`BackupError` (or a passphrase error) saying what is wrong with it."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file.")
    if file_kind(path) == "new":
        raise BackupError(f"{path} is empty: it is not a backup.")
    try:
        return inspect_file(path, passphrase, thorough=True)
    except (PassphraseRequiredError, WrongPassphraseError):
        raise
    except DatabaseOpenError as exc:
        raise BackupError(f"{exc} It cannot be restored.") from None


def latest_good_backup(db_path: Path, passphrase: str | None = None) -> Path | None:
    """The newest backup of a database that passes every check, or None.

    Offered by the UI when the database will not open (see
    :attr:`auditapp.errors.DatabaseOpenError.backup`)."""
    for backup in list_backups(db_path):
        try:
            check_backup(backup.path, passphrase)
        except UserError:
            continue
        return backup.path
    return None


def _move_aside(db_path: Path) -> Path | None:
    """Rename the database and its journal files into the backups folder (never deleted)."""
    if not db_path.exists():
        return None
    aside = backup_name(db_path, "replaced")
    private_folder(aside.parent)
    for side in side_files(db_path):
        os.replace(side, aside.with_name(aside.name + side.name[len(db_path.name):]))
    os.replace(db_path, aside)
    return aside


def restore_backup(db_path: Path, backup: Path, passphrase: str | None = None, *,
                   unreadable: bool = False) -> Path | None:
    """Put a backup in place of the database; returns where the old file was kept.

    The backup is checked first; the database must not be open (this takes its lock). The
    current file, with its journal, is moved into the backups folder as a ``replaced``
    backup, never deleted or overwritten. With a passphrase the restored database is
    encrypted with it, whatever the backup was. A current file that looks encrypted needs
    its passphrase, unless ``unreadable`` says the user knows of none (a damaged plain file
    looks the same as an encrypted one): then the backup is restored as it is.
    """
    db_path = db_path.expanduser().resolve()
    if passphrase is None and not unreadable and file_kind(db_path) == "encrypted":
        raise PassphraseRequiredError(
            f"{db_path} is encrypted: give its passphrase, so that the restored database is "
            "encrypted too.")
    check_backup(backup, passphrase)
    lock = acquire_instance_lock(db_path)
    try:
        staged = db_path.with_name(db_path.name + ".restoring")
        encrypted = file_kind(backup) == "encrypted"
        source = connect_sqlcipher(backup, passphrase if encrypted else None)
        try:
            copy_database(source, staged, passphrase, encrypted)
        except (OSError, sqlcipher3.Error) as exc:
            raise _backup_failed(exc, staged) from exc
        finally:
            source.close()
        aside = _move_aside(db_path)
        os.replace(staged, db_path)
        return aside
    finally:
        lock.release()


def damage_mark(db_path: Path) -> Path:
    """The note beside a database saying a copy of it failed SQLite's integrity check."""
    return db_path.with_name(db_path.name + ".damaged")


def checked_backup(db: AppDatabase, kind: str) -> str | None:
    """Make a backup of ``kind`` (``startup``, or ``daily`` when due), whose copy gets SQLite's
    full integrity check: the whole-file check of the database, made off the way to the first
    window. Returns None, or the message saying the database is damaged, having marked it
    (:func:`damage_mark`) so that the next open checks every page and refuses it, offering
    the newest good backup. Other failures (a full disk) raise as :func:`make_backup` does."""
    assert db.path is not None
    try:
        if kind == "daily":
            backup_if_due(db)
        else:
            make_backup(db, kind)
    except DatabaseCorruptError as exc:
        damage_mark(db.path).write_text(f"{datetime.now().isoformat()} {exc}\n", "utf-8")
        return str(exc)
    return None
