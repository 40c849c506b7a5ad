"""deliveries indexed by alert and status: "is anything of this alert still open?" without a scan

Revision ID: 0015_alert_status_index
Revises: 0014_drill_group
Create Date: 2026-12-04 12:00:00

"""
from alembic import op

revision = '0015_alert_status_index'
down_revision = '0014_drill_group'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_deliveries_alert_status', ['alert_id', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_deliveries_alert_status')
