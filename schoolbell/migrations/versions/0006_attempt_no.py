"""deliveries: each attempt's own number, retry deadlines, uncertain and maybe-duplicate sends,
retry lanes; worker heartbeats

- attempt_no: carried in the status-callback URL, so a late callback of an earlier attempt is ignored;
- give_up_at: transient failures retry until a deadline per alert class, not a number of times;
- maybe_duplicate: sent again after an attempt that may have gone and could not be checked;
- priority doubled plus one: a due retry (one lower) goes before fresh rows of its class;
- workers: live dispatchers, so a per-sender rate limit is divided among them.

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
        batch_op.add_column(sa.Column('maybe_duplicate', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('give_up_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE deliveries SET priority = priority * 2 + 1")
    op.create_table('workers',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workers'))
    )


def downgrade():
    op.drop_table('workers')
    op.execute("UPDATE deliveries SET priority = (priority - 1) / 2")
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_column('give_up_at')
        batch_op.drop_column('maybe_duplicate')
        batch_op.drop_column('attempt_no')
