"""Stable ids, revisions and bundle sync state: team work beyond one laptop.

Revision ID: 0004
Revises: 0003

Generated with tools/new_migration.py, then checked by hand. SQLite can only add a
constraint by copying the table, and copying ``cases`` (which audits point at) inside the
migration's transaction would break its foreign keys; so every new column is added in place,
with a server default ('' for uids, 1 for revisions), each row already there is given a fresh
uid, and the uids are then made unique by a unique index. The database gets its own id in
the settings table, which names it in the bundles it writes.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

#: Tables whose rows get a uid, and whether they get a revision too.
_UIDS = {"cases": True, "actions": False, "change_events": False, "audits": None}


def _create_sync_tables() -> None:
    op.create_table(
        "bundle_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("source_database", sa.String(length=32), nullable=False),
        sa.Column("bundle_created_at", sa.DateTime(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("conflicts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bundle_imports")),
    )
    op.create_table(
        "sync_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_uid", sa.String(length=32), nullable=False),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("snapshot", sa.Text(), nullable=True),
        sa.Column("peer", sa.String(length=32), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_states")),
        sa.UniqueConstraint("audit_uid", "state_hash", name=op.f("uq_sync_states_audit_uid")),
    )
    with op.batch_alter_table("sync_states", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_states_audit_uid"), ["audit_uid"],
                              unique=False)


def _fill_uids(connection: sa.Connection, table_name: str) -> None:
    table = sa.table(table_name, sa.column("id", sa.Integer), sa.column("uid", sa.String))
    ids = connection.execute(sa.select(table.c.id)).scalars().all()
    if ids:
        connection.execute(table.update().where(table.c.id == sa.bindparam("row_id"))
                           .values(uid=sa.bindparam("new_uid")),
                           [{"row_id": i, "new_uid": uuid.uuid4().hex} for i in ids])


def upgrade() -> None:
    _create_sync_tables()
    for table_name, revised in _UIDS.items():
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            if revised is not None:
                batch_op.add_column(sa.Column("uid", sa.String(length=32), nullable=False,
                                              server_default=""))
            if revised is not False:
                batch_op.add_column(sa.Column("revision", sa.Integer(), nullable=False,
                                              server_default="1"))
    connection = op.get_bind()
    settings = sa.table("settings", sa.column("key", sa.String), sa.column("value", sa.JSON))
    connection.execute(settings.insert().values(key="database_id", value=uuid.uuid4().hex))
    for table_name, revised in _UIDS.items():
        if revised is not None:
            _fill_uids(connection, table_name)
            with op.batch_alter_table(table_name, schema=None) as batch_op:
                batch_op.create_index(batch_op.f(f"ix_{table_name}_uid"), ["uid"], unique=True)


def downgrade() -> None:
    op.get_bind().execute(sa.text("DELETE FROM settings WHERE key = 'database_id'"))
    for table_name, revised in _UIDS.items():
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            if revised is not None:
                batch_op.drop_index(batch_op.f(f"ix_{table_name}_uid"))
                batch_op.drop_column("uid")
            if revised is not False:
                batch_op.drop_column("revision")
    with op.batch_alter_table("sync_states", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_states_audit_uid"))
    op.drop_table("sync_states")
    op.drop_table("bundle_imports")
