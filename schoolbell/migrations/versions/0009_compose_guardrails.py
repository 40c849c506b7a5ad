"""compose guardrails: alert templates, the two-person rule per office, a user's own phone for test sends

Revision ID: 0009_compose_guardrails
Revises: 0008_email_case
Create Date: 2026-12-04 06:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009_compose_guardrails'
down_revision = '0008_email_case'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'alert_templates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('office_id', sa.Integer(), sa.ForeignKey('education_offices.id'), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('alert_class', sa.Enum('emergency', 'urgent', 'routine', 'curriculum', name='alert_class',
                                          native_enum=False, length=16), nullable=False),
        sa.Column('title_ko', sa.String(length=200)),
        sa.Column('body_ko', sa.Text()),
        sa.Column('title_en', sa.String(length=200)),
        sa.Column('body_en', sa.Text()),
        sa.Column('link_url', sa.String(length=500)),
        sa.Column('lesson_slug', sa.String(length=100)),
        sa.Column('target', sa.JSON(), nullable=False),
        sa.Column('created_by', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('office_id', 'name'),
    )
    # Never rebuild education_offices on SQLite (3.35+ adds and drops columns in place): dropping
    # the table others reference fails with foreign keys on once it holds data.
    with op.batch_alter_table('education_offices', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('two_person_emergency', sa.Boolean(), server_default='0',
                                      nullable=False))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=20)))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('phone')
    # Never rebuild education_offices on SQLite (3.35+ adds and drops columns in place): dropping
    # the table others reference fails with foreign keys on once it holds data.
    with op.batch_alter_table('education_offices', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('two_person_emergency')
    op.drop_table('alert_templates')
