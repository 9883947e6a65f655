"""Opening databases: migrations to head, and refusing files that are not ours."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from auditapp.errors import DatabaseOpenError
from auditapp.models import Base
from auditapp.storage.database import backup_database, open_database
from auditapp.storage.engine import Database
from auditapp.storage.schema import head_revision


def test_empty_database_upgrades_to_head_matching_the_models(db: Database) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert context.get_current_revision() == head_revision()
        assert compare_metadata(context, Base.metadata) == []


def test_sqlite_settings_are_on(db: Database) -> None:
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL


def test_reopening_an_up_to_date_database_needs_no_upgrade_backup(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    open_database(path).dispose()
    open_database(path).dispose()
    assert [p.name.split("-")[1] for p in (tmp_path / "backups").iterdir()] == ["startup"]


def test_newer_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite"
    open_database(path).dispose()
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseOpenError, match="newer auditapp"):
        open_database(path)
    assert path.read_bytes() == before


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE recipes (name TEXT)")
    with pytest.raises(DatabaseOpenError, match="not auditapp's"):
        open_database(path)


def test_non_sqlite_file_is_refused_and_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_bytes(b"Dear diary, " * 100)
    with pytest.raises(DatabaseOpenError, match="not an SQLite file"):
        open_database(path)
    assert path.read_bytes() == b"Dear diary, " * 100


def test_backup_copies_a_live_database(db: Database, tmp_path: Path) -> None:
    assert db.path is not None
    copy = backup_database(db.path, tmp_path / "copy" / "backup.sqlite")
    with sqlite3.connect(copy) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
    assert {"audits", "answers", "templates"} <= tables
