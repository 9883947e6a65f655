"""Audits record the audit they follow: a re-audit of a case points at the one before.

Revision ID: 0006
Revises: 0005

Generated with tools/new_migration.py, then changed by hand. Alembic adds a foreign key on
SQLite by copying the table, and copying ``audits`` would delete every answer, judgement and
action with it (their foreign keys cascade on delete). SQLite can add a column that refers to
another table in place, so on SQLite the column and its constraint are added with one
``ALTER TABLE``; other databases add the column and then the named constraint. The key has
no ON DELETE action (SQLite would not report one added this way): an audit that another
follows cannot be deleted.

Every audit already there follows the latest earlier audit of the same case that is no
longer a draft (earlier by audit date, then by number), as a new audit does from now on.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

FOREIGN_KEY = "fk_audits_follows_id_audits"
INDEX = "ix_audits_follows_id"

#: The audit each audit follows: see the module docstring (and services.audits.previous).
BACKFILL = """
UPDATE audits SET follows_id = (
    SELECT earlier.id FROM audits AS earlier
    WHERE earlier.case_id = audits.case_id
      AND earlier.id <> audits.id
      AND earlier.status <> 'draft'
      AND (earlier.audit_date < audits.audit_date
           OR (earlier.audit_date = audits.audit_date AND earlier.id < audits.id))
    ORDER BY earlier.audit_date DESC, earlier.id DESC
    LIMIT 1)
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE audits ADD COLUMN follows_id INTEGER CONSTRAINT {FOREIGN_KEY} "
                   "REFERENCES audits (id)")
    else:
        op.add_column("audits", sa.Column("follows_id", sa.Integer(), nullable=True))
        op.create_foreign_key(FOREIGN_KEY, "audits", "audits", ["follows_id"], ["id"])
    op.create_index(INDEX, "audits", ["follows_id"], unique=False)
    op.execute(BACKFILL)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="audits")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE audits DROP COLUMN follows_id")
    else:
        op.drop_constraint(FOREIGN_KEY, "audits", type_="foreignkey")
        op.drop_column("audits", "follows_id")
