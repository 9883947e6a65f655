"""Board reports prepared in the app, and the audit programme.

Revision ID: 0008
Revises: 0007

Two new tables, empty: ``board_reports`` (a report's period, scope, marking, meeting, author
and words; set to a release of the register when released) and ``planned_audits`` (audits
planned per period, team and template).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('planned_audits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('date_from', sa.Date(), nullable=False),
    sa.Column('date_to', sa.Date(), nullable=False),
    sa.Column('team', sa.String(length=120), nullable=False),
    sa.Column('template_key', sa.String(length=120), nullable=False),
    sa.Column('planned', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_planned_audits')),
    sa.UniqueConstraint('date_from', 'date_to', 'team', 'template_key',
                        name=op.f('uq_planned_audits_date_from'))
    )
    op.create_table('board_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=32), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('date_from', sa.Date(), nullable=False),
    sa.Column('date_to', sa.Date(), nullable=False),
    sa.Column('team', sa.String(length=120), nullable=True),
    sa.Column('template_key', sa.String(length=120), nullable=True),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('marking', sa.String(length=40), nullable=False),
    sa.Column('committee', sa.String(length=200), nullable=False),
    sa.Column('meeting_date', sa.Date(), nullable=True),
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('words', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('release_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'],
                            name=op.f('fk_board_reports_actor_id_users')),
    sa.ForeignKeyConstraint(['release_id'], ['releases.id'],
                            name=op.f('fk_board_reports_release_id_releases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_reports')),
    sa.UniqueConstraint('uid', name=op.f('uq_board_reports_uid'))
    )
    with op.batch_alter_table('board_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_board_reports_release_id'), ['release_id'],
                              unique=False)



def downgrade() -> None:
    with op.batch_alter_table('board_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_board_reports_release_id'))

    op.drop_table('board_reports')
    op.drop_table('planned_audits')
