"""public API: hashed API keys per office, idempotency records, an alert's key mode, outgoing webhooks

Revision ID: 0012_public_api
Revises: 0011_parent_preferences
Create Date: 2026-12-04 06:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0012_public_api'
down_revision = '0011_parent_preferences'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'api_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('office_id', sa.Integer(), sa.ForeignKey('education_offices.id'), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('read_only', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('prefix', sa.String(length=16), nullable=False),
        sa.Column('secret_hash', sa.String(length=64), nullable=False),
        sa.Column('created_by', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True)),
        sa.Column('last_used_at', sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint('id', name='pk_api_keys'),
        sa.UniqueConstraint('prefix', name='uq_api_keys_prefix'),
    )
    op.create_table(
        'api_idempotency',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('api_key_id', sa.Integer(), sa.ForeignKey('api_keys.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('idempotency_key', sa.String(length=255), nullable=False),
        sa.Column('method', sa.String(length=10), nullable=False),
        sa.Column('path', sa.String(length=300), nullable=False),
        sa.Column('request_hash', sa.String(length=64), nullable=False),
        sa.Column('status_code', sa.Integer()),
        sa.Column('response_body', sa.Text()),
        sa.Column('response_headers', sa.JSON()),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_api_idempotency'),
        sa.UniqueConstraint('api_key_id', 'idempotency_key', name='uq_api_idempotency_api_key_id_idempotency_key'),
    )
    op.create_index('ix_api_idempotency_created_at', 'api_idempotency', ['created_at'])
    op.create_table(
        'alert_api_modes',
        sa.Column('alert_id', sa.Integer(), sa.ForeignKey('alerts.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('mode', sa.String(length=16), nullable=False),
        sa.Column('api_key_id', sa.Integer()),
        sa.Column('simulated_status', sa.String(length=16)),
        sa.Column('simulated_send_at', sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint('alert_id', name='pk_alert_api_modes'),
    )
    op.create_table(
        'webhooks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('office_id', sa.Integer(), sa.ForeignKey('education_offices.id'), nullable=False),
        sa.Column('url', sa.String(length=500), nullable=False),
        sa.Column('events', sa.JSON(), nullable=False),
        sa.Column('secret_id', sa.String(length=16), nullable=False),
        sa.Column('secret', sa.String(length=64), nullable=False),
        sa.Column('previous_secret_id', sa.String(length=16)),
        sa.Column('previous_secret', sa.String(length=64)),
        sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_webhooks'),
    )
    op.create_table(
        'webhook_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('webhook_id', sa.Integer(), sa.ForeignKey('webhooks.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('event_type', sa.String(length=50), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('give_up_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_status_code', sa.Integer()),
        sa.Column('last_error', sa.String(length=500)),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('delivered_at', sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint('id', name='pk_webhook_events'),
    )
    op.create_index('ix_webhook_events_due', 'webhook_events', ['status', 'next_attempt_at'])


def downgrade():
    op.drop_index('ix_webhook_events_due', table_name='webhook_events')
    op.drop_table('webhook_events')
    op.drop_table('webhooks')
    op.drop_table('alert_api_modes')
    op.drop_index('ix_api_idempotency_created_at', table_name='api_idempotency')
    op.drop_table('api_idempotency')
    op.drop_table('api_keys')
