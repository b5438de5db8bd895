"""search courrier: the readers of each search entry, for courriers' per-record rights

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('search_reader',
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('reader', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['search_entry.id'],
                            name=op.f('fk_search_reader_entry_id_search_entry'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('entry_id', 'reader', name=op.f('pk_search_reader'))
    )
    op.create_index('ix_search_reader_reader', 'search_reader', ['reader', 'entry_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_search_reader_reader', table_name='search_reader')
    op.drop_table('search_reader')
