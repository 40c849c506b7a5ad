"""accounts and directory: deactivated users, a teacher's classes, one-time account links, the
personal-data audit log

Revision ID: 0010_accounts_directory
Revises: 0009_compose_guardrails
Create Date: 2026-12-04 06:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010_accounts_directory'
down_revision = '0009_compose_guardrails'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default='1', nullable=False))

    op.create_table(
        'user_classes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('grade', sa.Integer(), nullable=False),
        sa.Column('class_name', sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_classes_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_classes')),
        sa.UniqueConstraint('user_id', 'grade', 'class_name',
                            name=op.f('uq_user_classes_user_id_grade_class_name')),
    )

    op.create_table(
        'account_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=10), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_account_tokens_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_account_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_account_tokens_token_hash')),
    )

    op.create_table(
        'personal_data_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('office_id', sa.Integer(), nullable=False),
        sa.Column('actor', sa.String(length=254), nullable=False),
        sa.Column('action', sa.String(length=16), nullable=False),
        # No foreign key: the record outlives the person it is about (a deletion is recorded too).
        sa.Column('contact_id', sa.Integer(), nullable=True),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('detail', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['office_id'], ['education_offices.id'],
                                name=op.f('fk_personal_data_events_office_id_education_offices')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_personal_data_events')),
    )
    with op.batch_alter_table('personal_data_events', schema=None) as batch_op:
        batch_op.create_index('ix_personal_data_events_office_at', ['office_id', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('personal_data_events', schema=None) as batch_op:
        batch_op.drop_index('ix_personal_data_events_office_at')
    op.drop_table('personal_data_events')
    op.drop_table('account_tokens')
    op.drop_table('user_classes')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('active')
