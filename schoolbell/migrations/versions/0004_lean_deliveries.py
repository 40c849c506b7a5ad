"""deliveries without foreign keys or a contact index; provider_ref indexed only once set

A Seoul-wide fan-out on PostgreSQL spent 9 of its 19 s checking the two foreign keys row by row
(see the Delivery model's docstring). Nothing looked deliveries up by contact alone but those
foreign keys' cascades, and unsent rows have no provider_ref.

Revision ID: 0004_lean_deliveries
Revises: 0003_scheduling
Create Date: 2026-11-21 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004_lean_deliveries'
down_revision = '0003_scheduling'
branch_labels = None
depends_on = None

SENT_ONLY = sa.text("provider_ref IS NOT NULL")


def upgrade():
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_deliveries_alert_id_alerts'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_deliveries_contact_id_contacts'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_deliveries_contact_id'))
        batch_op.drop_index('ix_deliveries_provider_ref')
        batch_op.create_index('ix_deliveries_provider_ref', ['provider_ref'], unique=False,
                              postgresql_where=SENT_ONLY, sqlite_where=SENT_ONLY)


def downgrade():
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_deliveries_provider_ref')
        batch_op.create_index('ix_deliveries_provider_ref', ['provider_ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliveries_contact_id'), ['contact_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_deliveries_contact_id_contacts'), 'contacts',
                                    ['contact_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_deliveries_alert_id_alerts'), 'alerts',
                                    ['alert_id'], ['id'], ondelete='CASCADE')
