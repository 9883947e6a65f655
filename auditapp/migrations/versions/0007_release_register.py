"""The release register: board packs released for publication and the audits each counts.

Revision ID: 0007
Revises: 0006

Two new tables, empty: ``releases`` (scope, period, threshold, figures hash, who released
it) and ``released_audits`` (each audit a release counts, with its revision; an audit's uid
is unique there, so no two releases count the same audit).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('releases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=32), nullable=False),
    sa.Column('released_at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('date_from', sa.Date(), nullable=False),
    sa.Column('date_to', sa.Date(), nullable=False),
    sa.Column('team', sa.String(length=120), nullable=True),
    sa.Column('template_key', sa.String(length=120), nullable=True),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('figures_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_releases_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_releases')),
    sa.UniqueConstraint('uid', name=op.f('uq_releases_uid'))
    )
    op.create_table('released_audits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('release_id', sa.Integer(), nullable=False),
    sa.Column('audit_uid', sa.String(length=32), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['release_id'], ['releases.id'],
                            name=op.f('fk_released_audits_release_id_releases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_released_audits')),
    sa.UniqueConstraint('audit_uid', name=op.f('uq_released_audits_audit_uid'))
    )
    with op.batch_alter_table('released_audits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_released_audits_release_id'), ['release_id'],
                              unique=False)



def downgrade() -> None:
    with op.batch_alter_table('released_audits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_released_audits_release_id'))

    op.drop_table('released_audits')
    op.drop_table('releases')
