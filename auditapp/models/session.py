"""The database connection: an engine with the SQLite settings that keep answers safe."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Engine, QueuePool, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

#: Every connection, in this order (the README explains each):
#: foreign keys are checked; WAL lets the list read while the editor saves; synchronous=FULL
#: syncs the WAL on every commit, so an answer whose save returned survives a power cut, not
#: only a killed process; fullfsync asks macOS to flush the drive's own cache too (elsewhere
#: it does nothing); a second connection waits up to 5 s for a lock instead of failing.
SQLITE_PRAGMAS = (
    "PRAGMA foreign_keys = ON",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA fullfsync = ON",
    "PRAGMA checkpoint_fullfsync = ON",
    "PRAGMA busy_timeout = 5000",
)


def quote_passphrase(passphrase: str) -> str:
    """The passphrase as an SQL string literal, for ``PRAGMA key`` (which takes no parameters)."""
    return "'" + passphrase.replace("'", "''") + "'"


def connect_sqlcipher(path: Path, passphrase: str | None = None) -> Any:
    """A DB-API connection to ``path`` through SQLCipher, keyed when a passphrase is given.

    Without a passphrase SQLCipher is plain SQLite, so one driver serves both kinds of file.
    The connection is in autocommit mode: callers say BEGIN and COMMIT themselves.
    """
    connection = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA cipher_log_level = NONE")  # a wrong key is our message, not a log
    if passphrase is not None:
        connection.execute(f"PRAGMA key = {quote_passphrase(passphrase)}")
    return connection


def sqlite_engine(path: Path, passphrase: str | None = None) -> Engine:
    """An engine on the SQLite file at ``path`` with the settings above.

    Sessions get real transactions: pysqlite would start one only at the first write, so the
    reads a save checks (is the audit still a draft? what is the last history entry?) would
    sit outside it. Here BEGIN comes first and the whole save is one snapshot.
    """
    engine = create_engine(
        "sqlite+pysqlite://", module=sqlcipher3, poolclass=QueuePool,
        creator=lambda: connect_sqlcipher(path, passphrase))

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        for pragma in SQLITE_PRAGMAS:
            dbapi_connection.execute(pragma)

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")

    return engine


class Database:
    """An open database: hands out one session per unit of work."""

    def __init__(self, engine: Engine, path: Path | None = None) -> None:
        self.engine = engine
        self.path = path
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any error."""
        with self._sessions.begin() as session:
            yield session

    def dispose(self) -> None:
        """Close every pooled connection (before the file is copied, moved or deleted)."""
        self.engine.dispose()
