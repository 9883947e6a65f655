"""Schema revisions read without Alembic agree with Alembic's own answers."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from auditapp.storage.engine import Database
from auditapp.storage.schema import (
    alembic_config,
    current_revision,
    head_revision,
    known_revisions,
    revision_chain,
)


def test_the_revisions_read_from_the_scripts_are_alembics() -> None:
    scripts = ScriptDirectory.from_config(alembic_config())
    assert head_revision() == scripts.get_current_head()
    assert known_revisions() == {script.revision for script in scripts.walk_revisions()}
    assert revision_chain() == {script.revision: script.down_revision
                                for script in scripts.walk_revisions()}


def test_a_databases_revision_is_read_as_alembic_reads_it(db: Database) -> None:
    with db.engine.connect() as connection:
        assert current_revision(connection) == head_revision()
        assert current_revision(connection) == \
            MigrationContext.configure(connection).get_current_revision()


def test_a_database_never_migrated_has_no_revision(db: Database) -> None:
    with db.engine.connect() as connection:
        from sqlalchemy import text

        connection.execute(text("DROP TABLE alembic_version"))
        assert current_revision(connection) is None
        connection.rollback()
