"""Moderation samples, blind and section grades, return for rework.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "moderation_samples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("stratify_by", sa.String(length=20), nullable=True),
        sa.Column("date_from", sa.Date(), nullable=True),
        sa.Column("date_to", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_samples")),
    )
    op.create_table(
        "moderation_sample_audits",
        sa.Column("sample_id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_id"],
            ["audits.id"],
            name=op.f("fk_moderation_sample_audits_audit_id_audits"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sample_id"],
            ["moderation_samples.id"],
            name=op.f("fk_moderation_sample_audits_sample_id_moderation_samples"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("sample_id", "audit_id", name=op.f("pk_moderation_sample_audits")),
    )
    with op.batch_alter_table("moderation_sample_audits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_moderation_sample_audits_audit_id"), ["audit_id"], unique=False
        )

    op.create_table(
        "moderated_sections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("moderation_id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("blind_grade", sa.Integer(), nullable=True),
        sa.Column("grade", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["moderation_id"],
            ["moderations.id"],
            name=op.f("fk_moderated_sections_moderation_id_moderations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["section_id"], ["sections.id"], name=op.f("fk_moderated_sections_section_id_sections")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderated_sections")),
        sa.UniqueConstraint(
            "moderation_id", "section_id", name=op.f("uq_moderated_sections_moderation_id")
        ),
    )
    with op.batch_alter_table("moderated_sections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_moderated_sections_section_id"), ["section_id"], unique=False
        )

    with op.batch_alter_table("audits", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("returned_comment", sa.Text(), nullable=False, server_default="")
        )

    with op.batch_alter_table("moderations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("blind_grade", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("sample_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_moderations_sample_id"), ["sample_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_moderations_sample_id_moderation_samples"),
            "moderation_samples",
            ["sample_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("moderations", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_moderations_sample_id_moderation_samples"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_moderations_sample_id"))
        batch_op.drop_column("sample_id")
        batch_op.drop_column("blind_grade")

    with op.batch_alter_table("audits", schema=None) as batch_op:
        batch_op.drop_column("returned_comment")

    with op.batch_alter_table("moderated_sections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_moderated_sections_section_id"))

    op.drop_table("moderated_sections")
    with op.batch_alter_table("moderation_sample_audits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_moderation_sample_audits_audit_id"))

    op.drop_table("moderation_sample_audits")
    op.drop_table("moderation_samples")
