"""parents in control: the office's SMS sender name, per-school opt-outs, the record of preference changes

Revision ID: 0011_parent_preferences
Revises: 0010_accounts_directory
Create Date: 2026-12-04 05:55:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011_parent_preferences'
down_revision = '0010_accounts_directory'
branch_labels = None
depends_on = None


def upgrade():
    # Never rebuild education_offices on SQLite (3.35+ adds and drops columns in place): dropping
    # the table others reference fails with foreign keys on once it holds data.
    with op.batch_alter_table('education_offices', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('sender_name_ko', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('sender_name_en', sa.String(length=40), nullable=True))

    op.create_table(
        'school_opt_outs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'],
                                name=op.f('fk_school_opt_outs_contact_id_contacts'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['school_id'], ['schools.id'],
                                name=op.f('fk_school_opt_outs_school_id_schools')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_school_opt_outs')),
        sa.UniqueConstraint('contact_id', 'school_id', name=op.f('uq_school_opt_outs_contact_id_school_id')),
    )

    op.create_table(
        'preference_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('source', sa.String(length=30), nullable=False),
        sa.Column('before', sa.JSON(), nullable=False),
        sa.Column('after', sa.JSON(), nullable=False),
        sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'],
                                name=op.f('fk_preference_changes_contact_id_contacts'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_preference_changes')),
    )
    with op.batch_alter_table('preference_changes', schema=None) as batch_op:
        batch_op.create_index('ix_preference_changes_contact_at', ['contact_id', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('preference_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_preference_changes_contact_at')
    op.drop_table('preference_changes')
    op.drop_table('school_opt_outs')
    # Never rebuild education_offices on SQLite (3.35+ adds and drops columns in place): dropping
    # the table others reference fails with foreign keys on once it holds data.
    with op.batch_alter_table('education_offices', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('sender_name_en')
        batch_op.drop_column('sender_name_ko')
