"""A first, read-only look at a local database file, for the desktop app's first screen.

The window opens on My work, and the first screenful of it is read here with the SQLite
driver alone (``sqlcipher3``, the driver the full open uses) and painted before SQLAlchemy,
the mapped classes and the services have loaded: together they take longer to import than
a bare window takes to appear. The full open
(:func:`auditapp.storage.database.open_database`) follows in the background.

Only a file that the full open would take as it is qualifies: plain (not encrypted) SQLite
at this code's schema revision, with no unfinished operation, damage mark or rollback
journal beside it, and not open in another copy. The instance lock is taken here and handed
to the full open, so no other copy can slip in between. Anything else gives None, and the
app opens the file the full way, which asks for a passphrase, migrates, recovers or refuses
as it always has. Nothing here writes to the database: the connection is read-only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import sqlcipher3

from auditapp.errors import DatabaseOpenError
from auditapp.storage.instance_lock import InstanceLock
from auditapp.storage.paths import damage_mark, journal_path
from auditapp.storage.revisions import VERSION_TABLE, head_revision

SQLITE_HEADER = b"SQLite format 3\x00"
#: A rollback journal left by a write cut short: only the full open may settle it.
ROLLBACK_JOURNAL = "-journal"


class FirstRead:
    """A read-only connection to a database file at head, and the instance lock on it."""

    def __init__(self, connection: Any, lock: InstanceLock) -> None:
        self._connection = connection
        self.lock = lock

    def run(self, sql: str, parameters: Mapping[str, object]) -> Sequence[Sequence[Any]]:
        """The rows of one statement with named (``:name``) parameters."""
        rows: Sequence[Sequence[Any]] = self._connection.execute(sql, parameters).fetchall()
        return rows

    def close(self) -> None:
        """Close the connection; the lock stays held, for the full open to take over."""
        self._connection.close()

    def give_up(self) -> None:
        """Close the connection and let the lock go (the full open will take it again)."""
        self.close()
        self.lock.release()


def _plain_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def _settled(path: Path) -> bool:
    """No operation, damage mark or rollback journal is waiting for the full open."""
    return not any(side.exists() for side in (
        journal_path(path), damage_mark(path), path.with_name(path.name + ROLLBACK_JOURNAL)))


def first_read(path: Path) -> FirstRead | None:
    """A read-only connection to ``path`` (resolved) holding its instance lock, or None
    when the file needs the full open first (see the module's docstring)."""
    if not (path.is_file() and _settled(path) and _plain_sqlite(path)):
        return None
    try:
        lock = InstanceLock(path).acquire()
    except DatabaseOpenError:  # another copy has it, or the folder cannot be locked
        return None
    try:
        connection = sqlcipher3.connect(path.as_uri() + "?mode=ro", uri=True,
                                        isolation_level=None, check_same_thread=False)
    except sqlcipher3.Error:
        lock.release()
        return None
    read = FirstRead(connection, lock)
    try:
        versions = read.run(f"SELECT version_num FROM {VERSION_TABLE}", {})
    except (sqlcipher3.Error, UnicodeDecodeError):  # see sqlite_files.READ_ERRORS
        read.give_up()
        return None
    if [tuple(row) for row in versions] != [(head_revision(),)]:
        read.give_up()
        return None
    return read
