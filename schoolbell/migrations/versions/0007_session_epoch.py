"""users.session_epoch: signing out (or a new password) ends every copy of a session

Revision ID: 0007_session_epoch
Revises: 0006_attempt_no
Create Date: 2026-12-04 11:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007_session_epoch'
down_revision = '0006_attempt_no'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_epoch')
