"""drills: the people an office designates to receive its exercise alerts

Revision ID: 0014_drill_group
Revises: 0013_webhook_watermark
Create Date: 2026-12-04 07:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014_drill_group'
down_revision = '0013_webhook_watermark'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'drill_group_members',
        sa.Column('contact_id', sa.Integer(), nullable=False),
        sa.Column('office_id', sa.Integer(), nullable=False),
        sa.Column('added_by', sa.String(length=254), nullable=False),
        sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], ondelete='CASCADE',
                                name=op.f('fk_drill_group_members_contact_id_contacts')),
        sa.ForeignKeyConstraint(['office_id'], ['education_offices.id'],
                                name=op.f('fk_drill_group_members_office_id_education_offices')),
        sa.PrimaryKeyConstraint('contact_id', name=op.f('pk_drill_group_members')),
    )
    with op.batch_alter_table('drill_group_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drill_group_members_office_id'), ['office_id'], unique=False)


def downgrade():
    with op.batch_alter_table('drill_group_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drill_group_members_office_id'))
    op.drop_table('drill_group_members')
