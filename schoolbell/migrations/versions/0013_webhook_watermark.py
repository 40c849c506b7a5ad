"""webhooks: how far each webhook's events have been collected

Revision ID: 0013_webhook_watermark
Revises: 0012_public_api
Create Date: 2026-12-04 06:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0013_webhook_watermark'
down_revision = '0012_public_api'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('webhooks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('collected_until', sa.DateTime(timezone=True)))
        batch_op.add_column(sa.Column('description', sa.String(length=100)))


def downgrade():
    with op.batch_alter_table('webhooks', schema=None) as batch_op:
        batch_op.drop_column('description')
        batch_op.drop_column('collected_until')
