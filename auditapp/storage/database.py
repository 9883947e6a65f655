"""Opening a database: lock it, check the file, back it up, bring its schema to the code's.

:func:`open_database` is the one way in, for an SQLite file or a PostgreSQL server (a
SQLAlchemy URL). Every refusal is a :class:`~auditapp.errors.DatabaseOpenError` subclass with
a message fit to show as it is, and the database is never changed by a refusal.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Connection, inspect
from sqlalchemy.exc import DBAPIError

from auditapp.errors import (
    BackupError,
    DatabaseCorruptError,
    DatabaseOpenError,
    DiskFullError,
    NewerDatabaseError,
    NotAnAuditappDatabaseError,
    PassphraseRequiredError,
    ReadOnlyError,
)
from auditapp.storage import faults
from auditapp.storage.backups import (
    backup_name,
    backup_open_database,
    latest_good_backup,
    make_backup,
)
from auditapp.storage.connection import AppDatabase, storage_error
from auditapp.storage.history_chain import ensure_chain_key
from auditapp.storage.instance_lock import InstanceLock, acquire_instance_lock
from auditapp.storage.new_schema import create_at_head
from auditapp.storage.operations import CREATING, recover
from auditapp.storage.paths import damage_mark, is_server_url
from auditapp.storage.private_files import create_private, make_private, private_folder
from auditapp.storage.schema import (
    alembic_config,
    current_revision,
    head_revision,
    known_revisions,
)
from auditapp.storage.sqlite_files import (
    ENCRYPTED,
    NEW,
    READ_ERRORS,
    connect_read_only,
    copy_database,
    file_kind,
    identity_of,
    inspect_file,
    open_problem,
    set_identity,
    side_files,
    sync_folder,
)


def backup_database(path: Path, destination: Path, passphrase: str | None = None) -> Path:
    """Copy the database file at ``path`` (which may be in use) with SQLite's backup API."""
    source = connect_read_only(path, passphrase)
    try:
        return copy_database(source, destination, passphrase, passphrase is not None)
    finally:
        source.close()


def _check_writable(path: Path) -> None:
    if path.exists() and not os.access(path, os.W_OK):
        raise ReadOnlyError(
            f"{path} is read-only, and auditapp saves every answer as it is given. Copy it to a "
            "folder you can write to (or clear its read-only setting) and open it there. "
            "It has not been changed.")


def _owner_only(path: Path) -> None:
    """The database and its journals readable by their owner alone: a new file is made so
    before SQLite writes it (SQLite gives its journals the database's mode), one made by an
    older auditapp is made so now."""
    create_private(path)
    for side in side_files(path):
        make_private(side)


def _refuse_with_backup(exc: DatabaseOpenError, path: Path, passphrase: str | None
                        ) -> DatabaseOpenError:
    """The same refusal, now naming the newest good backup when there is one."""
    return type(exc)(str(exc), latest_good_backup(path, passphrase))


def _backup_on_open(db: AppDatabase, revision: str, backup: bool) -> None:
    """A start-up backup; before an upgrade one that must succeed."""
    assert db.path is not None
    if revision != head_revision():
        try:
            backup_open_database(db, backup_name(db.path, f"before-{revision}"))
        except (BackupError, DiskFullError) as exc:
            raise DatabaseOpenError(f"{exc} auditapp needs a backup before it upgrades "
                                    f"{db.path}, so it has not changed it.") from exc
    elif backup:
        try:
            make_backup(db, "startup")
        except (BackupError, DiskFullError) as exc:
            db.warnings.append(str(exc))
    faults.step("migrate")


def _migrate(db: AppDatabase, revision: str | None) -> None:
    """Bring the schema to head in one transaction: killed at any point, the database is as
    it was (SQLite rolls the whole upgrade back), and the next start upgrades again. On
    SQLite, foreign keys are off while the migrations run (as SQLite's own procedure for
    altering tables asks): copying a table to change it would otherwise delete, through ON
    DELETE CASCADE, the rows that point at it. Every foreign key is checked before the
    upgrade commits."""
    if revision == head_revision():
        return
    from alembic import command  # only here: importing it costs more than most commands

    try:
        with db.engine.connect() as connection:
            raw = None if db.is_server else connection.connection.driver_connection
            if raw is not None:
                raw.execute("PRAGMA foreign_keys = OFF")  # ignored inside a transaction
            try:
                with connection.begin():
                    config = alembic_config(connection)
                    config.attributes["on_version_apply"] = lambda **_: faults.step("migrate")
                    command.upgrade(config, "head")
                    if raw is not None:
                        _refuse_broken_keys(connection)
            finally:
                if raw is not None:
                    raw.execute("PRAGMA foreign_keys = ON")
    except DBAPIError as exc:
        translated = storage_error(exc)
        raise DatabaseOpenError(f"{db.location} could not be upgraded: {translated or exc.orig} "
                                "It is as it was.") from exc


def _create_at_head(db: AppDatabase, identity: bool) -> None:
    """An empty database's schema made at head in one transaction, not migration by
    migration (see :mod:`auditapp.storage.new_schema`); a new file also gets its identity."""
    try:
        with db.engine.begin() as connection:
            create_at_head(connection)
            if identity:
                set_identity(connection.connection.driver_connection)
    except DBAPIError as exc:
        translated = storage_error(exc)
        raise DatabaseOpenError(f"{db.location} could not be made: {translated or exc.orig} "
                                "Nothing was kept.") from exc


def _refuse_broken_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise DatabaseOpenError(f"The upgrade would leave {len(broken)} row(s) pointing at "
                                f"rows that are not there (first in {broken[0][0]}), so it "
                                "was not made. The database is as it was.")


def _server_revision(db: AppDatabase) -> str | None:
    """The schema revision of a server database, refusing one that is not auditapp's or is
    newer than this code, without changing it."""
    where = db.location
    try:
        with db.engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            revision = current_revision(connection)
    except DBAPIError as exc:
        raise DatabaseOpenError(f"auditapp cannot use the database at {where}: "
                                f"{str(exc.orig).strip()}") from None
    if revision is None and tables - {"alembic_version"}:
        raise NotAnAuditappDatabaseError(
            f"The database at {where} holds tables that are not auditapp's. "
            "It has not been changed.")
    if revision is not None and revision not in known_revisions():
        raise NewerDatabaseError(f"The database at {where} was written by a newer auditapp "
                                 f"(schema {revision}). Update auditapp to open it; it has "
                                 "not been changed.")
    return revision


def _open_server(url: str) -> AppDatabase:
    """A database on a PostgreSQL server: no lock file, passphrase or backups of auditapp's
    own (the server has its own access control and backups), but the same schema checks and
    migrations as a file."""
    try:
        db = AppDatabase(None, None, None, url=url)
    except Exception as exc:  # a malformed URL, or a driver that is not installed
        raise DatabaseOpenError(f"'{url.split('://')[0]}://...' is not a database auditapp "
                                f"can open: {exc}") from None
    try:
        revision = _server_revision(db)
        if revision is None:  # an empty database: made at head, as a new file is
            _create_at_head(db, identity=False)
        else:
            _migrate(db, revision)
    except BaseException:
        db.engine.dispose()
        raise
    return db


def _create(path: Path, passphrase: str | None) -> None:
    """Make a new database where there is no file: built at head from the models
    (:mod:`~auditapp.storage.new_schema`) under a temporary name, given its identity, and
    renamed into place only when complete, so that a database file never exists half made
    (and a file that exists is never taken for a new one)."""
    creating = path.with_name(path.name + CREATING)
    for leftover in (creating, *side_files(creating)):
        leftover.unlink(missing_ok=True)
    create_private(creating)  # SQLite keeps the mode, and gives it to the journals
    db = AppDatabase(creating, passphrase, None)
    try:
        _create_at_head(db, identity=True)
        faults.step("create")
    finally:
        db.engine.dispose()  # the last connection folds the log into the file and deletes it
    os.replace(creating, path)
    sync_folder(path.parent)
    faults.step("create")


def _give_identity(db: AppDatabase) -> None:
    """A database made before identities gets one (see :mod:`auditapp.storage.journals`)."""
    with db.engine.begin() as connection:
        raw = connection.connection.driver_connection
        if identity_of(raw) == 0:
            set_identity(raw)


def _open_locked(path: Path, passphrase: str | None, lock: InstanceLock,
                 backup: bool) -> AppDatabase:
    recovered = recover(path)
    created = file_kind(path) == NEW
    if created:
        _create(path, passphrase)
    kind = file_kind(path)
    try:
        # Only what opening needs is read (the header, the journals beside the file, the
        # schema and its revision), so the time does not grow with the file; the whole file
        # is checked in the background (checked_backup), and every page again here once that
        # check has found it damaged.
        marked = damage_mark(path).exists()
        revision = inspect_file(path, passphrase, thorough=marked, scan=marked)
        damage_mark(path).unlink(missing_ok=True)
    except (DatabaseCorruptError, NotAnAuditappDatabaseError,
            PassphraseRequiredError) as exc:
        # A damaged plain file looks encrypted too: name the backup in case it is.
        raise _refuse_with_backup(exc, path, passphrase) from None
    _check_writable(path)
    _owner_only(path)
    key = passphrase if kind == ENCRYPTED else None
    db = AppDatabase(path, key, lock)
    db.warnings.extend(recovered)
    if passphrase is not None and key is None:
        db.warnings.append(f"{path} is not encrypted, so the passphrase given was not used. "
                           "Encrypt it with 'auditapp encrypt'.")
    try:
        if revision is not None:
            _backup_on_open(db, revision, backup and not created)
        _migrate(db, revision)
        _give_identity(db)
        ensure_chain_key(db, db.encrypted)
    except DatabaseCorruptError as exc:
        db.engine.dispose()
        raise _refuse_with_backup(exc, path, passphrase) from None
    except DBAPIError as exc:
        db.engine.dispose()
        raise _refuse_with_backup(open_problem(path, kind, exc.orig or exc), path,
                                  passphrase) from None
    except UnicodeDecodeError as exc:  # SQLite's message names a damaged schema object
        db.engine.dispose()
        raise _refuse_with_backup(open_problem(path, kind, exc), path, passphrase) from None
    except BaseException:
        db.engine.dispose()
        raise
    return db


def open_database(path: Path | str, passphrase: str | None = None, *, backup: bool = True,
                  lock: InstanceLock | None = None) -> AppDatabase:
    """Open (creating if need be) the database at ``path`` with its schema at head.

    ``path`` may also be a SQLAlchemy URL of a PostgreSQL database
    (``postgresql+psycopg://user@host/dbname``): its schema is checked and upgraded the same
    way, without the lock, passphrase and backups that belong to files.

    Takes the instance lock (a second copy gets :class:`~auditapp.errors.DatabaseInUseError`),
    checks the file without changing it, makes a start-up backup (``backup=False`` skips it;
    an upgrade always backs up first) and runs any migrations. A new file is encrypted when
    ``passphrase`` is given; an existing one needs its passphrase if it is encrypted
    (:class:`~auditapp.errors.PassphraseRequiredError`,
    :class:`~auditapp.errors.WrongPassphraseError`). A damaged or foreign file raises an
    error whose ``backup`` names the newest good backup, for the UI to offer.

    ``lock`` is the instance lock when the caller has taken it already (the desktop app
    takes it before its first, read-only look at the file: see
    :mod:`auditapp.storage.first_read`); it is released if the file does not open.
    """
    if is_server_url(path):
        return _open_server(str(path))
    path = Path(path).expanduser().resolve()
    if path.is_dir():
        raise NotAnAuditappDatabaseError(f"{path} is a folder, not a database file: name a file "
                                         f"inside it, such as {path / 'auditapp.sqlite'}.")
    try:
        private_folder(path.parent)
    except OSError as exc:
        raise DatabaseOpenError(f"Cannot create the folder {path.parent}: {exc.strerror}") from exc
    lock = lock or acquire_instance_lock(path)
    try:
        return _open_locked(path, passphrase, lock, backup)
    except OSError as exc:
        lock.release()
        raise DatabaseOpenError(f"auditapp cannot use {path}: {exc.strerror or exc}. "
                                "It has not been changed.") from exc
    except BaseException:
        lock.release()
        raise


def verify_passphrase(path: Path, passphrase: str) -> bool:
    """Whether ``passphrase`` opens the encrypted database at ``path`` (for the lock screen).
    Reads only; never changes the file."""
    connection = connect_read_only(path, passphrase)
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except READ_ERRORS:
        return False
    finally:
        connection.close()
    return True
