"""A new database made from the models and stamped at head is the database the migration
chain makes: the same tables, columns (type, nullability, server default), keys, indexes
and constraints, and the same rows, on SQLite and on PostgreSQL.

One thing differs and is allowed to: the order of the columns, as a migration that adds a
column adds it last. No statement of auditapp's depends on it (none selects ``*`` or
inserts without naming its columns)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, create_engine, inspect, text

from auditapp.storage.engine import sqlite_engine
from auditapp.storage.new_schema import DATABASE_ID, create_at_head
from auditapp.storage.schema import alembic_config
from tests.backends import postgres_url


def _by_migrations(connection: Connection) -> None:
    from alembic import command

    command.upgrade(alembic_config(connection), "head")


def _foreign_keys(connection: Connection, table: str) -> list[dict[str, Any]]:
    """The table's foreign keys. SQLite's reflection gives no name to one declared in its
    column's definition (0006 adds ``follows_id ... CONSTRAINT fk_audits_follows_id_audits
    REFERENCES audits (id)``, as SQLite cannot add a table constraint): the name is read from
    the table's SQL instead."""
    keys = inspect(connection).get_foreign_keys(table)
    if connection.dialect.name == "sqlite":
        sql = connection.execute(text("SELECT sql FROM sqlite_master WHERE name = :t"),
                                 {"t": table}).scalar_one()
        for key in keys:
            if key["name"] is None:
                (column,) = key["constrained_columns"]
                found = re.search(rf"\b{column}\b[^,]*?CONSTRAINT\s+(\w+)\s+REFERENCES", sql)
                assert found, (table, column, sql)
                key["name"] = found[1]
    return sorted(keys, key=repr)


def _describe(engine: Engine) -> dict[str, dict[str, Any]]:
    """Every table as the database reports it: columns by name, primary key, foreign keys,
    indexes, unique and check constraints (each list in a fixed order), and its rows
    (the database id aside, new in each database)."""
    with engine.connect() as connection:
        found = inspect(connection)
        tables: dict[str, dict[str, Any]] = {}
        for table in found.get_table_names():
            tables[table] = {
                "columns": {c["name"]: (str(c["type"]), c["nullable"], c.get("default"),
                                        c.get("autoincrement"))
                            for c in found.get_columns(table)},
                "primary key": found.get_pk_constraint(table),
                "foreign keys": _foreign_keys(connection, table),
                "indexes": sorted(found.get_indexes(table), key=repr),
                "unique": sorted(found.get_unique_constraints(table), key=repr),
                "checks": sorted(found.get_check_constraints(table), key=repr),
                "rows": sorted(map(repr, connection.execute(
                    text(f"SELECT * FROM {table}")).all())),
            }
        tables["settings"]["rows"] = [row for row in tables["settings"]["rows"]
                                      if DATABASE_ID not in row]
        return tables


def _compare(made: dict[str, dict[str, Any]], migrated: dict[str, dict[str, Any]]) -> None:
    assert sorted(made) == sorted(migrated)
    for table in migrated:
        for part in migrated[table]:
            if part == "columns":
                for column, described in migrated[table]["columns"].items():
                    assert made[table]["columns"].get(column) == described, (table, column)
            assert made[table][part] == migrated[table][part], (table, part)


@pytest.fixture
def two_empty(tmp_path: Path, request: pytest.FixtureRequest
              ) -> Iterator[Callable[[], tuple[Engine, Engine]]]:
    """Two empty databases on the backend the test names."""
    engines: list[Engine] = []
    dropped: list[str] = []
    admin: list[Engine] = []

    def make(backend: str) -> tuple[Engine, Engine]:
        if backend == "sqlite":
            pair = (sqlite_engine(tmp_path / "made.sqlite"),
                    sqlite_engine(tmp_path / "migrated.sqlite"))
        else:
            server = create_engine(postgres_url(), isolation_level="AUTOCOMMIT")
            admin.append(server)
            names = [f"schema_made_{id(server)}", f"schema_migrated_{id(server)}"]
            for name in names:
                with server.connect() as connection:
                    connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    connection.execute(text(f"CREATE DATABASE {name}"))
                dropped.append(name)
            pair = tuple(create_engine(server.url.set(database=name)) for name in names)
        engines.extend(pair)
        return pair  # type: ignore[return-value]

    yield make  # type: ignore[misc]
    for engine in engines:
        engine.dispose()
    for server in admin:
        with server.connect() as connection:
            for name in dropped:
                connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        server.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_models_stamped_at_head_are_the_schema_the_migrations_make(
        backend: str, two_empty: Callable[[str], tuple[Engine, Engine]]) -> None:
    made, migrated = two_empty(backend)
    with made.begin() as connection:
        create_at_head(connection)
    with migrated.begin() as connection:
        _by_migrations(connection)
    _compare(_describe(made), _describe(migrated))


def test_a_new_file_is_made_without_running_a_migration(tmp_path: Path) -> None:
    """Alembic is not even imported to make a new file; the file is at head and opens as
    any other (the migrations still run on an existing file: tests/migrations)."""
    code = ("import sys; from auditapp.storage.database import open_database; "
            f"open_database({str(tmp_path / 'new.sqlite')!r}, backup=False).dispose(); "
            "print('alembic' in sys.modules)")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.split()
    assert shown == ["False"]
    engine = sqlite_engine(tmp_path / "new.sqlite")
    with engine.connect() as connection:
        from auditapp.storage.schema import current_revision, head_revision
        assert current_revision(connection) == head_revision()
    engine.dispose()
