"""deliveries.attempt_no: each attempt's own number, carried in its status-callback URL

Revision ID: 0006_attempt_no
Revises: 0005_no_job_store
Create Date: 2026-12-04 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006_attempt_no'
down_revision = '0005_no_job_store'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempt_no', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_column('attempt_no')
