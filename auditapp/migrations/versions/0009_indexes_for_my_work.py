"""Indexes for My work, the page the window opens on.

Revision ID: 0009
Revises: 0008

Two indexes, no change to any row: ``ix_audits_auditor_status`` (a profile's audits by
status, oldest first: My work's drafts and returned audits without visiting the profile's
other audits) and ``ix_actions_status_due_date`` (open actions, soonest due first: My work's
and the actions tracker's order). Each replaces an index on its first column alone
(``ix_audits_auditor_id``, ``ix_actions_status``), which it serves as well: two indexes
leading with the same column only left the planner a choice to get wrong. Building them
reads each table once, on the upgrade.
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.create_index("ix_actions_status_due_date", ["status", "due_date"],
                              unique=False)
        batch_op.drop_index("ix_actions_status")
    with op.batch_alter_table("audits", schema=None) as batch_op:
        batch_op.create_index("ix_audits_auditor_status",
                              ["auditor_id", "status", "audit_date"], unique=False)
        batch_op.drop_index("ix_audits_auditor_id")


def downgrade() -> None:
    with op.batch_alter_table("audits", schema=None) as batch_op:
        batch_op.create_index("ix_audits_auditor_id", ["auditor_id"], unique=False)
        batch_op.drop_index("ix_audits_auditor_status")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.create_index("ix_actions_status", ["status"], unique=False)
        batch_op.drop_index("ix_actions_status_due_date")
