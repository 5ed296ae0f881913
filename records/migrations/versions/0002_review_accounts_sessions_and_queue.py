"""review: accounts, sessions and the queue

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

Server-side staff sessions, login throttling, the queue's lease on a row, who corrected a
field (for four-eyes confirmation) and which fields the random precision sample took.  Fields
read before this revision are marked as sampled from the reason OCR gave them.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SAMPLED_REASON = 'kiểm tra ngẫu nhiên'  # ocr.checks.SAMPLED when this revision was written


def upgrade() -> None:
    op.create_table('staff_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('csrf_token', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['staff_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_session_token_hash'), ['token_hash'], unique=True)
        batch_op.create_index(batch_op.f('ix_staff_session_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('row_field', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sampled', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('corrected_by', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_row_field_corrected_by', 'staff_user', ['corrected_by'], ['id'])
        batch_op.create_index('ix_row_field_row_status', ['row_id', 'status'], unique=False)

    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('locked_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))

    with op.batch_alter_table('table_row', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_foreign_key('fk_table_row_claimed_by', 'staff_user', ['claimed_by'], ['id'])
        batch_op.create_index(batch_op.f('ix_table_row_claimed_by'), ['claimed_by'], unique=False)

    op.execute(
        sa.text("UPDATE row_field SET sampled = :yes WHERE reason LIKE :prefix").bindparams(
            yes=True, prefix=SAMPLED_REASON + '%'
        )
    )


def downgrade() -> None:
    with op.batch_alter_table('table_row', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_table_row_claimed_by'))
        batch_op.drop_constraint('fk_table_row_claimed_by', type_='foreignkey')
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('claimed_by')

    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')

    with op.batch_alter_table('row_field', schema=None) as batch_op:
        batch_op.drop_index('ix_row_field_row_status')
        batch_op.drop_constraint('fk_row_field_corrected_by', type_='foreignkey')
        batch_op.drop_column('corrected_by')
        batch_op.drop_column('sampled')

    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_session_user_id'))
        batch_op.drop_index(batch_op.f('ix_staff_session_token_hash'))

    op.drop_table('staff_session')
