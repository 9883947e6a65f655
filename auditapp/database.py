"""Opening a database: check the file, back it up, and bring its schema to the code's version."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

from auditapp.errors import DatabaseOpenError
from auditapp.models import Database, sqlite_engine
from auditapp.paths import backup_dir

SQLITE_HEADER = b"SQLite format 3\x00"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic settings built in code, so an installed copy needs no ini file."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The schema revision this code expects."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migrations folder has no revision"
    return head


def current_revision(connection: Connection) -> str | None:
    """The schema revision a database is at, or None when it has never been migrated."""
    return MigrationContext.configure(connection).get_current_revision()


def known_revisions() -> set[str]:
    """Every revision these migrations know, old and current."""
    scripts = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in scripts.walk_revisions()}


def check_sqlite_file(path: Path) -> None:
    """Refuse a file that is not an SQLite database, before SQLite gets to touch it."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise DatabaseOpenError(
            f"{path} is not an auditapp database (it is not an SQLite file). "
            "It has not been changed."
        )


def backup_database(path: Path, destination: Path) -> Path:
    """Copy a live database with SQLite's online backup API (safe while it is in use)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(path)
    try:
        target = sqlite3.connect(destination)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()
    return destination


def _backup_before_migration(path: Path, revision: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return backup_database(path, backup_dir(path) / f"{path.stem}-before-{revision}-{stamp}.sqlite")


def _migrate(database: Database) -> None:
    with database.engine.begin() as connection:
        revision = current_revision(connection)
        if revision is None and inspect(connection).get_table_names():
            raise DatabaseOpenError(
                f"{database.path} holds tables that are not auditapp's. It has not been changed."
            )
        if revision is not None and revision not in known_revisions():
            raise DatabaseOpenError(
                f"{database.path} was written by a newer auditapp (schema {revision}). "
                "Update auditapp to open it; the file has not been changed."
            )
        if revision == head_revision():
            return
    if revision is not None and database.path is not None:
        _backup_before_migration(database.path, revision)
    with database.engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")


def open_database(path: Path) -> Database:
    """Open (creating if need be) the database at ``path`` with its schema at head."""
    path = path.expanduser().resolve()
    check_sqlite_file(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseOpenError(f"Cannot create the folder {path.parent}: {exc.strerror}") from exc
    database = Database(sqlite_engine(path), path)
    try:
        _migrate(database)
    except DatabaseOpenError:
        database.dispose()
        raise
    return database
