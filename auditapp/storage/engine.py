"""The database connection: an engine on an SQLite file with the settings that keep answers
safe, or on a PostgreSQL server shared by a team."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlcipher3
from sqlalchemy import Connection, Engine, QueuePool, Table, create_engine, event, text
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
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
#: Where a connection notes how many rows it had changed when its transaction began.
_CHANGES = "auditapp_changes_at_begin"


def quote_passphrase(passphrase: str) -> str:
    """The passphrase as an SQL string literal, for ``PRAGMA key`` (which takes no parameters)."""
    return "'" + passphrase.replace("'", "''") + "'"


def connect_sqlcipher(path: Path, passphrase: str | None = None, timeout: float = 5.0) -> Any:
    """A DB-API connection to ``path`` through SQLCipher, keyed when a passphrase is given.

    Without a passphrase SQLCipher is plain SQLite, so one driver serves both kinds of file.
    The connection is in autocommit mode: callers say BEGIN and COMMIT themselves.
    ``timeout`` is how long it waits for another connection's lock.
    """
    if passphrase is not None and "\x00" in passphrase:
        raise ValueError("a passphrase cannot hold a NUL character")
    connection = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False,
                                    timeout=timeout)
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
        connection.info[_CHANGES] = connection.connection.driver_connection.total_changes

    @event.listens_for(engine, "commit")
    def _stamp(connection: Any) -> None:
        raw = connection.connection.driver_connection
        if raw.total_changes != connection.info.get(_CHANGES):
            stamp_identity(raw)

    return engine


def stamp_identity(connection: Any) -> None:
    """Write the database's identity (``user_version``) again in the open transaction, so
    that the transaction carries page 1 with it: a write-ahead log whose every transaction
    does is recognisably this database's (see :mod:`auditapp.storage.journals`)."""
    identity = int(connection.execute("PRAGMA user_version").fetchone()[0])
    connection.execute(f"PRAGMA user_version = {identity}")


def server_engine(url: str) -> Engine:
    """An engine on a database server (PostgreSQL through psycopg), given its SQLAlchemy URL.

    Connections are checked before use, so a server restart or a dropped network costs one
    reconnection rather than an error; the server's default isolation (read committed) holds.
    """
    return create_engine(url, pool_pre_ping=True)


def advance_id_sequences(session: Session, tables: list[str]) -> None:
    """After rows were inserted with explicit ids, move PostgreSQL's id sequences past them
    (SQLite needs nothing: it takes the next id from the table itself)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                             f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"))


def _remembered(processor: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A column type's bind processor that works out each distinct value once (a bulk
    insert repeats the same dates, times and enum values thousands of times)."""
    done: dict[tuple[type, Any], Any] = {}

    def process(value: Any) -> Any:
        try:
            key = (type(value), value)
            if key not in done:
                done[key] = processor(value)
            return done[key]
        except TypeError:  # unhashable (a JSON value)
            return processor(value)

    return process


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (each with the same keys) into ``table`` in one executemany of the
    driver's own, in the session's transaction.

    Each value is put in its stored form by its column's type, and each column a row does
    not give gets its default (a new uid, a time stamp), as a Core insert would; what is
    left out is SQLAlchemy's processing of every row's parameters, most of a large bulk
    insert's time (the demo's 2,000 audits hold over 120,000 answers)."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    given = list(rows[0])
    defaulted = [column for column in table.columns
                 if column.name not in given and column.default is not None]
    defaults: list[Any] = [column.default for column in defaulted]  # scalar or callable
    names = given + [column.name for column in defaulted]
    processors = [(place, _remembered(processor)) for place, name in enumerate(names)
                  if (processor := table.c[name].type.dialect_impl(dialect)
                      .bind_processor(dialect)) is not None]
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer.quote
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(name) for name in names)}) "
           f"VALUES ({', '.join([mark] * len(names))})")

    pick = itemgetter(*given)

    def stored(row: Mapping[str, Any]) -> tuple[Any, ...]:
        picked = pick(row)
        values = list(picked) if len(given) > 1 else [picked]
        for default in defaults:
            values.append(default.arg(None) if default.is_callable else default.arg)
        for place, processor in processors:
            values[place] = processor(values[place])
        return tuple(values)

    connection.exec_driver_sql(sql, [stored(row) for row in rows])


class Database:
    """An open database: hands out one session per unit of work."""

    def __init__(self, engine: Engine, path: Path | None = None) -> None:
        self.engine = engine
        self.path = path
        self._sessions: sessionmaker[Session] | None = None

    @property
    def is_server(self) -> bool:
        """Whether the database is on a server (PostgreSQL) rather than in a file."""
        return self.engine.dialect.name != "sqlite"

    @property
    def location(self) -> str:
        """Where the data is, for people: the file, or the server URL without its password."""
        if self.path is not None:
            return str(self.path)
        return make_url(self.engine.url).render_as_string(hide_password=True)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any error."""
        if self._sessions is None:
            # Imported here: a command that only reads (see reading) loads no ORM.
            from sqlalchemy.orm import sessionmaker

            self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        with self._sessions.begin() as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for reads by SQL text or Core, in one transaction (one snapshot), for
        the reads of commands that should not load the ORM."""
        with self.engine.begin() as connection:
            yield connection

    def dispose(self) -> None:
        """Close every pooled connection (before the file is copied, moved or deleted)."""
        self.engine.dispose()
