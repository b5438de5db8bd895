"""courrier index status: courriers wait for the search index as documents do, through a
partial index holding only the waiting ones

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

import core.db

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# Word for word the condition of courrier/models.py.
WAITING = "index_status = 'a_indexer'"


def upgrade() -> None:
    with op.batch_alter_table('courrier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('index_status', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('index_requested_at', core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('indexed_at', core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_courrier_index_waiting', ['index_requested_at', 'id'], unique=False, sqlite_where=sa.text(WAITING), postgresql_where=sa.text(WAITING))
    # The courriers already there are indexed again by the next indexing job, the new way.
    courrier = sa.table('courrier', sa.column('index_status', sa.String()),
                        sa.column('index_requested_at', core.db.UTCDateTime(timezone=True)))
    op.execute(courrier.update().values(index_status='a_indexer',
                                        index_requested_at=core.db.utcnow()))


def downgrade() -> None:
    with op.batch_alter_table('courrier', schema=None) as batch_op:
        batch_op.drop_index('ix_courrier_index_waiting', sqlite_where=sa.text(WAITING), postgresql_where=sa.text(WAITING))
        batch_op.drop_column('indexed_at')
        batch_op.drop_column('index_requested_at')
        batch_op.drop_column('index_status')
