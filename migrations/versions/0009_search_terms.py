"""search terms: on PostgreSQL, match on a vector of terms and pairs, rank on the old one

``search_fts_terms`` (ged.search.french's terms and their pairs, no positions, under a
GIN index) answers what matches, phrases of up to three terms included, without
reading positions; ``search_fts`` keeps ranking and the order of longer phrases, so its own
GIN index goes. ``search_fts_title`` (kept in the row, uncompressed) tells the ranking window whether a
title matches. ``toast_tuple_target`` moves the text and the large vectors out of every row,
so counts and facets read a narrow table. The entries already indexed get their new vectors
here. On SQLite, whose FTS5 index has positions, only the permission index goes.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

BATCH = 500


def upgrade() -> None:
    # The full-text index drives every search; this one only misled PostgreSQL's planner.
    op.drop_index('ix_search_entry_entity_level', table_name='search_entry')
    if op.get_bind().dialect.name != 'postgresql':
        return
    from ged.search.backends.postgres_fts import update_vectors

    op.execute('ALTER TABLE search_entry ADD COLUMN search_fts_terms tsvector, '
               'ADD COLUMN search_fts_title tsvector')
    op.execute('ALTER TABLE search_entry ALTER COLUMN search_fts_terms SET STORAGE EXTERNAL, '
               'ALTER COLUMN search_fts_title SET STORAGE PLAIN, '
               'ALTER COLUMN title SET STORAGE PLAIN')
    op.execute('ALTER TABLE search_entry SET (toast_tuple_target = 128)')
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(sa.text(
            'SELECT id, title, body FROM search_entry WHERE id > :last ORDER BY id LIMIT :n'),
            {'last': last, 'n': BATCH}).all()
        if not rows:
            break
        update_vectors(bind, [tuple(row) for row in rows])
        last = rows[-1][0]
    op.execute('CREATE INDEX search_fts_terms_gin ON search_entry USING gin (search_fts_terms)')
    op.execute('DROP INDEX search_fts_gin')


def downgrade() -> None:
    op.create_index('ix_search_entry_entity_level', 'search_entry',
                    ['entity_id', 'confidentiality'], unique=False)
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('CREATE INDEX search_fts_gin ON search_entry USING gin (search_fts)')
    op.execute('DROP INDEX IF EXISTS search_fts_terms_gin')
    op.execute('ALTER TABLE search_entry RESET (toast_tuple_target)')
    op.execute('ALTER TABLE search_entry ALTER COLUMN title SET STORAGE EXTENDED')
    op.execute('ALTER TABLE search_entry DROP COLUMN search_fts_terms, '
               'DROP COLUMN search_fts_title')
