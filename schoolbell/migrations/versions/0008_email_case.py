"""contacts: one email whatever its case: existing emails lower-cased, a unique index on lower(email)

Stops first, changing nothing, when two people of an office hold the same email in different
cases: merging them is a person's decision, never a migration's.

Revision ID: 0008_email_case
Revises: 0007_session_epoch
Create Date: 2026-12-04 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008_email_case'
down_revision = '0007_session_epoch'
branch_labels = None
depends_on = None

INDEX = 'uq_contacts_office_id_lower_email'


def upgrade():
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT id, office_id, email FROM contacts WHERE email IS NOT NULL")).all()
    # Python's lower(), as the importer's: SQLite's lower() only knows ASCII.
    owners, clashes, changed = {}, [], []
    for contact_id, office_id, email in rows:
        key = (office_id, email.lower())
        if key in owners:
            clashes.append((owners[key], contact_id))
        owners[key] = contact_id
        if email != email.lower():
            changed.append({'id': contact_id, 'email': email.lower()})
    if clashes:
        shown = ', '.join(f'{a}/{b}' for a, b in clashes[:20])
        raise RuntimeError(
            f'{len(clashes)} pairs of contacts share an email that differs only in case '
            f'(contact ids {shown}); merge or correct them, then upgrade again')
    if changed:
        bind.execute(sa.text('UPDATE contacts SET email = :email WHERE id = :id'), changed)
    # A plain index, no table rebuild: SQLite's batch copy would cascade-delete memberships.
    op.create_index(INDEX, 'contacts', ['office_id', sa.text('lower(email)')], unique=True)


def downgrade():
    op.drop_index(INDEX, table_name='contacts')
