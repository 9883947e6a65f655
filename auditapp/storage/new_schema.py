"""A new database made at the head revision straight from the models, instead of by running
every migration from the first.

Running the chain on an empty database builds the schema the models describe, one change
at a time (and through Alembic, which is slow to import and to run: most of a new
database's cost). Here the models' tables are created in one go, the head revision is
stamped where Alembic keeps it, and the rows the migrations add to an empty database are
added. ``tests/storage/test_new_schema.py`` holds the result to the chain's, table by table,
column by column, index by index, on SQLite and on PostgreSQL, and the two databases' rows.
A database that exists is still upgraded by its migrations
(:func:`auditapp.storage.database._migrate`).
"""

from __future__ import annotations

import uuid

from sqlalchemy import Column, Connection, MetaData, PrimaryKeyConstraint, String, Table, insert

from auditapp.storage.history_chain import CHAIN_SETTING, ChainSettings
from auditapp.storage.schema import VERSION_TABLE, head_revision

#: The setting naming this database in bundles and backups (0004 adds it).
DATABASE_ID = "database_id"

#: Alembic's own table, as Alembic creates it.
_VERSIONS = Table(VERSION_TABLE, MetaData(),
                  Column("version_num", String(32), nullable=False),
                  PrimaryKeyConstraint("version_num", name="alembic_version_pkc"))


def create_at_head(connection: Connection) -> None:
    """Make an empty database's schema at head, in the caller's transaction: the models'
    tables, Alembic's version stamp, and the two settings the chain adds (a new database
    id, 0004; the history chain's hashing rule from its first entry, 0005)."""
    from auditapp.models import Base, Setting  # the models: only when a database is made

    Base.metadata.create_all(connection)
    _VERSIONS.create(connection, checkfirst=True)
    connection.execute(insert(_VERSIONS).values(version_num=head_revision()))
    connection.execute(insert(Setting), [
        {"key": DATABASE_ID, "value": uuid.uuid4().hex},
        {"key": CHAIN_SETTING, "value": ChainSettings().value()}])
