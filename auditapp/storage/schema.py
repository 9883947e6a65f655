"""Schema versions: the one a database is at, and Alembic's settings for migrating it.

Alembic itself (and Mako, and every dialect's DDL module with it) takes longer to import
than most commands take to run, so it is imported only when a migration runs
(:func:`alembic_config`). The revisions this code knows are read from the migration scripts
(:mod:`auditapp.storage.revisions`), and a database's revision from its ``alembic_version``
table; ``tests/storage/test_schema.py`` holds both to Alembic's answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text

from auditapp.storage.revisions import (
    MIGRATIONS_DIR,
    VERSION_TABLE,
    head_revision,
    known_revisions,
    revision_chain,
)

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["VERSION_TABLE", "alembic_config", "current_revision", "head_revision",
           "known_revisions", "revision_chain"]


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic settings built in code, so an installed copy needs no ini file."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def current_revision(connection: Connection) -> str | None:
    """The schema revision a database is at, or None when it has never been migrated."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    row = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).first()
    return str(row[0]) if row else None
