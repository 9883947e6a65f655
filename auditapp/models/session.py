"""The database connection: an engine with the SQLite settings that keep answers safe."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

#: WAL lets readers work while the autosave writes; synchronous=FULL syncs the WAL on every
#: commit, so an answer whose save returned survives a power cut, not only a killed process.
SQLITE_PRAGMAS = (
    "PRAGMA foreign_keys = ON",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA busy_timeout = 5000",
)


def _apply_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def sqlite_engine(path: Path) -> Engine:
    """An engine on the SQLite file at ``path`` with foreign keys on and the WAL journal."""
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _apply_pragmas)
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
