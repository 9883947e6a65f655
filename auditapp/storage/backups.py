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
import glob
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
from auditapp.storage import faults
from auditapp.storage.connection import AppDatabase
from auditapp.storage.engine import connect_sqlcipher
from auditapp.storage.instance_lock import acquire_instance_lock
from auditapp.storage.operations import (
    RESTORING,
    clear_journal,
    move_aside,
    recover,
    replace_live,
    write_journal,
)
from auditapp.storage.paths import backup_dir, damage_mark
from auditapp.storage.private_files import create_private
from auditapp.storage.sqlite_files import (
    EMPTY,
    ENCRYPTED,
    PLAIN,
    READ_ERRORS,
    check_journals,
    copy_database,
    exclusive_access,
    file_kind,
    inspect_file,
    partial_name,
    sqlite_problem,
    use_wal,
)

AUTOMATIC = ("startup", "daily")
KEEP_RECENT = 5  # newest automatic backups always kept
KEEP_DAYS = 14  # and the newest of each of this many days
KEEP_BEFORE_UPGRADE = 3
DAILY = timedelta(hours=24)
_KIND_AND_STAMP = re.compile(r"^(?P<kind>[A-Za-z0-9_.-]+?)-(?P<stamp>\d{8}-\d{6}-\d{6})\.sqlite$")


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


def parse_backup_name(db_path: Path, name: str) -> tuple[str, datetime] | None:
    """The kind and time of a backup of ``db_path`` named ``name``, or None if it is not one.
    Read from the database's own name onwards, so that names with hyphens in them (the
    database's, ``before-0001``) are read whole."""
    prefix = f"{db_path.stem}-"
    match = _KIND_AND_STAMP.match(name[len(prefix):]) if name.startswith(prefix) else None
    if match is None:
        return None
    try:
        return match["kind"], datetime.strptime(match["stamp"], "%Y%m%d-%H%M%S-%f")
    except ValueError:
        return None


def list_backups(db_path: Path) -> list[BackupInfo]:
    """The backups of a database, newest first."""
    folder = backup_dir(db_path)
    found: list[BackupInfo] = []
    for path in folder.glob(f"{glob.escape(db_path.stem)}-*.sqlite") if folder.is_dir() else ():
        parsed = parse_backup_name(db_path, path.name)
        if parsed is not None and path.is_file():
            found.append(BackupInfo(path, parsed[0], parsed[1], path.stat().st_size))
    return sorted(found, key=lambda b: b.made_at, reverse=True)


def _backup_failed(exc: BaseException, destination: Path) -> UserError:
    problem = sqlite_problem(exc) if isinstance(exc, sqlcipher3.Error) else ""
    if problem == "full" or getattr(exc, "errno", None) == 28:
        return DiskFullError(f"The backup was not made: the disk holding {destination.parent} "
                             "is full. Free some space and make a backup.")
    return BackupError(f"The backup to {destination} was not made: {exc}")


def backup_open_database(db: AppDatabase, destination: Path) -> Path:
    """Copy an open database to ``destination`` (encrypted like it), check the copy, and only
    then give it its name: a failed or interrupted backup leaves no file under it."""
    destination = destination.expanduser().absolute()

    def check(copy: Path) -> None:
        try:
            inspect_file(copy, db.passphrase, thorough=True)
        except DatabaseOpenError as exc:
            raise DatabaseCorruptError(
                f"{db.path} is damaged: a copy of it fails SQLite's integrity check ({exc}). "
                "auditapp has not changed it.") from exc
        faults.step("backup")

    # A copy outside the backups folder is where no start looks for leftovers: the journal
    # names it, so that a kill leaves no partial copy of the data there either.
    db_path = db.path
    assert db_path is not None
    elsewhere = destination.parent != backup_dir(db_path)
    if elsewhere:
        write_journal(db_path, "backup", partial=str(partial_name(destination)))
    raw = db.engine.raw_connection()
    try:
        copy_database(raw.driver_connection, destination, db.passphrase, db.encrypted,
                      check=check)
    except (OSError, sqlcipher3.Error, sqlite3.Error) as exc:
        raise _backup_failed(exc, destination) from exc
    finally:
        raw.close()
        if elsewhere:
            clear_journal(db_path)
    faults.step("backup")
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
    try:
        if file_kind(path) == EMPTY:
            raise BackupError(f"{path} is empty: it is not a backup.")
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


def _stage(backup: Path, staged: Path, passphrase: str | None) -> None:
    """Copy a checked backup to ``staged``, encrypted with ``passphrase`` if given, in WAL
    mode like every live database, keeping its identity."""
    encrypted = file_kind(backup) == ENCRYPTED
    source = connect_sqlcipher(backup, passphrase if encrypted else None)
    try:
        copy_database(source, staged, passphrase, encrypted)
    except (OSError, sqlcipher3.Error) as exc:
        raise _backup_failed(exc, staged) from exc
    finally:
        source.close()
    use_wal(staged, passphrase)


def _settle_current(db_path: Path, passphrase: str | None) -> None:
    """Make sure nobody else has the current database open, and fold its write-ahead log
    into it so that the file kept as ``replaced`` holds every committed save by itself. A
    file SQLite cannot read is moved aside with its log as it is."""
    if file_kind(db_path) not in (PLAIN, ENCRYPTED):
        return
    key = passphrase if file_kind(db_path) == ENCRYPTED else None
    try:
        check_journals(db_path, key)
        with exclusive_access(db_path, key) as hold:
            hold.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except (*READ_ERRORS, DatabaseCorruptError):
        return


def restore_backup(db_path: Path, backup: Path, passphrase: str | None = None, *,
                   unreadable: bool = False) -> Path | None:
    """Put a backup in place of the database; returns where the old file was kept.

    The backup is checked first; the database must not be open, by auditapp (this takes its
    lock) or by any other program. The current file, with its journal, is moved into the
    backups folder as a ``replaced`` backup, never deleted or overwritten. With a passphrase
    the restored database is encrypted with it, whatever the backup was. A current file that
    looks encrypted needs its passphrase, unless ``unreadable`` says the user knows of none
    (a damaged plain file looks the same as an encrypted one): then the backup is restored
    as it is.

    Killed at any moment, the next start finds the old database or the restored one (see
    :mod:`auditapp.storage.operations`): the copy is made and checked first, then a journal
    records the renames, which :func:`~auditapp.storage.operations.recover` finishes.
    """
    db_path = db_path.expanduser().absolute()
    backup = backup.expanduser().absolute()
    if passphrase is None and not unreadable and file_kind(db_path) == ENCRYPTED:
        raise PassphraseRequiredError(
            f"{db_path} is encrypted: give its passphrase, so that the restored database is "
            "encrypted too.")
    check_backup(backup, passphrase)
    lock = acquire_instance_lock(db_path)
    try:
        recover(db_path)
        staged = db_path.with_name(db_path.name + RESTORING)
        _stage(backup, staged, passphrase)
        faults.step("restore")
        _settle_current(db_path, None if unreadable else passphrase)
        faults.step("restore")
        aside = backup_name(db_path, "replaced") if db_path.exists() else None
        write_journal(db_path, "restore", staged=str(staged),
                      aside=str(aside) if aside else None)
        faults.step("restore")
        if aside is not None:
            move_aside(db_path, aside, "restore")
        replace_live(staged, db_path, "restore")
        clear_journal(db_path)
        return aside
    finally:
        lock.release()


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
        mark = create_private(damage_mark(db.path))  # it names the file: owner-only too
        mark.write_text(f"{datetime.now().isoformat()} {exc}\n", "utf-8")
        return str(exc)
    return None
