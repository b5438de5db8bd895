"""search window: the newest matches and the title matches found by index

The PostgreSQL backend chooses the matches it ranks (its window) as the title matches, newest
first, then the other matches, newest first. A btree on (record_date DESC NULLS LAST, id DESC)
lets it read the newest matches in order and stop; a GIN index on ``search_fts_title`` finds
the title matches when they are few. Both replace a sort of every match by its title vector.
They belong to that backend, hence their ``search_fts`` names (see ged.search.models).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return  # SQLite's backend ranks every match with FTS5 and has no window
    op.execute('CREATE INDEX search_fts_newest ON search_entry '
               '(record_date DESC NULLS LAST, id DESC)')
    op.execute('CREATE INDEX search_fts_title_gin ON search_entry USING gin (search_fts_title)')


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('DROP INDEX search_fts_title_gin')
    op.execute('DROP INDEX search_fts_newest')
