"""An open database as the app uses it: it holds its instance lock and knows its passphrase,
and turns a disk or server failure during a save into one clear message."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import sqlcipher3
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from auditapp.errors import ConcurrentEditError, DiskFullError, StorageError
from auditapp.storage.engine import Database, server_engine, sqlite_engine
from auditapp.storage.instance_lock import InstanceLock
from auditapp.storage.sqlite_files import sqlite_problem

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

_NOT_SAVED = "so this change was not saved; everything saved before it is safe."
_STORAGE_MESSAGES = {
    "full": f"The disk is full, {_NOT_SAVED} Free some space, then save again.",
    "readonly": f"The database can no longer be written (the file or its folder has become "
                f"read-only, or its drive was removed), {_NOT_SAVED}",
    "io": f"The disk reported an error while saving, {_NOT_SAVED} Check the drive, then save "
          "again.",
    "busy": f"The database was busy, {_NOT_SAVED} Save again in a moment.",
    "corrupt": f"The database file is damaged, {_NOT_SAVED} Close auditapp and run "
               "'auditapp check'; restore the newest good backup if it reports problems.",
    "server": f"The database server could not be reached, {_NOT_SAVED} Check the network "
              "connection, then save again.",
}
#: PostgreSQL's error classes (SQLSTATE, first two characters) and what they mean here.
_SERVER_PROBLEMS = {"08": "server", "57": "server", "40": "busy", "53": "full", "25": "readonly"}
_STALE = ("Someone else saved this while you were editing it, so your change was not saved. "
          "Reload to see what they saved; your change can then be made again.")


def _server_problem(orig: BaseException) -> str:
    """What a psycopg error means for a save ("" when it is not about the server)."""
    state = getattr(orig, "sqlstate", None) or ""
    if not state and type(orig).__module__.startswith("psycopg"):
        return "server"  # the connection broke before the server could answer
    return _SERVER_PROBLEMS.get(state[:2], "")


def storage_error(exc: DBAPIError) -> StorageError | None:
    """The clear message for a database error met while saving, or None if it is not about
    the disk or the server (a programming error, to be raised as it is)."""
    orig = exc.orig if exc.orig is not None else exc
    is_sqlite = isinstance(orig, sqlcipher3.Error)
    problem = sqlite_problem(orig) if is_sqlite else _server_problem(orig)
    message = _STORAGE_MESSAGES.get(problem)
    if message is None:
        return None
    return DiskFullError(message) if problem == "full" else StorageError(message)


class AppDatabase(Database):
    """An open database that holds its instance lock, knows its passphrase (for encrypted
    backups), turns disk and server failures during a save into :class:`StorageError` and a
    write based on a stale read into :class:`ConcurrentEditError`.

    ``path`` is None for a database on a server, which has no lock, passphrase or backups of
    auditapp's own."""

    def __init__(self, path: Path | None, passphrase: str | None, lock: InstanceLock | None,
                 url: str | None = None) -> None:
        if url is not None:
            engine = server_engine(url)
        elif path is not None:
            engine = sqlite_engine(path, passphrase)
        else:
            raise ValueError("a database needs a file or a server URL")
        super().__init__(engine, path)
        self.passphrase = passphrase
        self.lock = lock
        #: Problems that did not stop the database opening (a start-up backup that failed).
        self.warnings: list[str] = []

    @property
    def encrypted(self) -> bool:
        """Whether the file is encrypted at rest."""
        return self.passphrase is not None

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """As :meth:`Database.transaction`; a disk failure rolls back and raises StorageError."""
        # Imported here, where the ORM has loaded already: see Database.reading.
        from sqlalchemy.orm.exc import StaleDataError

        try:
            with _storage_errors(), super().transaction() as session:
                yield session
        except StaleDataError as exc:
            raise ConcurrentEditError(_STALE) from exc

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """As :meth:`Database.reading`; a disk failure raises StorageError."""
        with _storage_errors(), super().reading() as connection:
            yield connection

    def dispose(self) -> None:
        """Close every connection and let another copy of auditapp open the file."""
        super().dispose()
        if self.lock is not None:
            self.lock.release()


@contextmanager
def _storage_errors() -> Iterator[None]:
    """Raise a :class:`StorageError` for a driver's error where the disk or server failed;
    any other error as it is."""
    try:
        yield
    except DBAPIError as exc:
        translated = storage_error(exc)
        if translated is None:
            raise
        raise translated from exc
