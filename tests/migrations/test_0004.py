"""Migration 0004 (uids, revisions, sync state) on a real old file, and the schema and the
refusals on PostgreSQL."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, func, select, text

from auditapp.errors import NewerDatabaseError, NotAnAuditappDatabaseError
from auditapp.models import Action, Audit, Base, Case, ChangeEvent
from auditapp.services.history import check_history
from auditapp.services.sync.bundles import database_id
from auditapp.storage.database import open_database
from auditapp.storage.engine import Database
from auditapp.storage.schema import alembic_config, head_revision
from tests.backends import PostgresServer
from tests.builders import FIXTURES

FIXTURE = FIXTURES / "db" / "v0003.sqlite"


def _uids_filled(db: Database) -> None:
    with db.transaction() as session:
        for model in (Case, Action, ChangeEvent, Audit):
            uids = session.scalars(select(model.uid)).all()
            assert uids and all(len(u) == 32 for u in uids) and len(set(uids)) == len(uids)
        assert set(session.scalars(select(Audit.revision))) == {1}
        assert set(session.scalars(select(Case.revision))) == {1}


def test_a_0003_file_gets_uids_revisions_and_an_id(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    shutil.copy(FIXTURE, path)
    db = open_database(path)
    try:
        _uids_filled(db)
        assert len(database_id(db)) == 32
        assert check_history(db).ok
        assert [p.name.split("-")[1] for p in (tmp_path / "backups").iterdir()] == ["before"]
    finally:
        db.dispose()


def test_postgresql_upgrades_an_old_database_and_matches_the_models(
        pg_server: PostgresServer) -> None:
    name = pg_server.create()
    engine = create_engine(pg_server.url_of(name))
    try:
        with engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(text(f"DROP TABLE {table.name} CASCADE"))
            connection.execute(text("DROP TABLE alembic_version"))
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "0003")
            connection.execute(text(
                "INSERT INTO cases (reference, category, uasc, team, worker, created_at) "
                "VALUES ('C-1', 'relevant', false, 'North', '', now()), "
                "('C-2', 'eligible', true, 'South', '', now())"))
        db = open_database(pg_server.url_of(name))
        try:
            with db.transaction() as session:
                assert session.scalar(select(func.count(func.distinct(Case.uid)))) == 2
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                assert context.get_current_revision() == head_revision()
                assert compare_metadata(context, Base.metadata) == []
        finally:
            db.dispose()
    finally:
        engine.dispose()
        pg_server.drop(name)


def test_postgresql_refuses_a_newer_or_foreign_database(pg_server: PostgresServer) -> None:
    newer, foreign = pg_server.create(), pg_server.create()
    engine = create_engine(pg_server.url_of(newer))
    other = create_engine(pg_server.url_of(foreign))
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        with pytest.raises(NewerDatabaseError, match="newer auditapp"):
            open_database(pg_server.url_of(newer))
        with other.begin() as connection:
            connection.execute(text("DROP TABLE alembic_version"))
        with pytest.raises(NotAnAuditappDatabaseError, match="not auditapp's"):
            open_database(pg_server.url_of(foreign))
    finally:
        engine.dispose()
        other.dispose()
        pg_server.drop(newer)
        pg_server.drop(foreign)
