"""Change history hash chain: number every entry and chain it to the one before by SHA-256.

Revision ID: 0002
Revises: 0001

Generated with tools/new_migration.py, then checked by hand: the new columns are added
nullable, the entries already there are numbered and hashed in the order they were written,
and only then made required and unique. The hash is written out here rather than imported so
that this migration keeps doing what it did when the application's code moves on; the tests
check that it agrees with auditapp.services.history.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def _hash(previous: str, seq: int, audit_id: int, at: datetime, actor: str, entity: str,
          entity_key: str, field: str, old: str | None, new: str | None) -> str:
    payload = json.dumps([seq, audit_id, at.isoformat(sep=" "), actor, entity, entity_key,
                          field, old, new], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((previous + payload).encode("utf-8")).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table("change_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))

    events = sa.table("change_events", sa.column("id", sa.Integer), sa.column("seq", sa.Integer),
                      sa.column("hash", sa.String), sa.column("audit_id", sa.Integer),
                      sa.column("at", sa.DateTime), sa.column("actor", sa.String),
                      sa.column("entity", sa.String), sa.column("entity_key", sa.String),
                      sa.column("field", sa.String), sa.column("old_value", sa.Text),
                      sa.column("new_value", sa.Text))
    connection = op.get_bind()
    previous = GENESIS
    rows = connection.execute(sa.select(events).order_by(events.c.id)).all()
    for seq, row in enumerate(rows, start=1):
        previous = _hash(previous, seq, row.audit_id, row.at, row.actor, row.entity,
                         row.entity_key, row.field, row.old_value, row.new_value)
        connection.execute(events.update().where(events.c.id == row.id)
                           .values(seq=seq, hash=previous))

    with op.batch_alter_table("change_events", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_change_events_seq"), ["seq"])


def downgrade() -> None:
    with op.batch_alter_table("change_events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_change_events_seq"), type_="unique")
        batch_op.drop_column("hash")
        batch_op.drop_column("seq")
