"""search: the search entry table, and each database's own full-text index beside it

On PostgreSQL: the unaccent extension, a french_unaccent text search configuration
(unaccent then french_stem), a tsvector column and its GIN index. On SQLite: an FTS5 table
whose rowid is the entry's id, holding the terms of ged.search.french.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

import core.db

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

FRENCH_UNACCENT = """
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'french_unaccent') THEN
        CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french);
        ALTER TEXT SEARCH CONFIGURATION french_unaccent
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
    END IF;
END $$;
"""


def upgrade() -> None:
    op.create_table('search_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('confidentiality', sa.String(length=20), nullable=False),
    sa.Column('doc_type', sa.String(length=60), nullable=False),
    sa.Column('tags', sa.String(length=1000), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('record_date', sa.Date(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('indexed_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'],
                            name=op.f('fk_search_entry_entity_id_entity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_entry')),
    sa.UniqueConstraint('kind', 'record_id', name=op.f('uq_search_entry_kind_record_id'))
    )
    op.create_index('ix_search_entry_entity_level', 'search_entry',
                    ['entity_id', 'confidentiality'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS unaccent')
        op.execute(FRENCH_UNACCENT)
        op.execute('ALTER TABLE search_entry ADD COLUMN search_fts tsvector')
        # The text and the vector out of the rows (TOAST, uncompressed): counts and facets
        # then scan narrow rows, and ranking reads a vector without decompressing it.
        op.execute('ALTER TABLE search_entry ALTER COLUMN body SET STORAGE EXTERNAL, '
                   'ALTER COLUMN search_fts SET STORAGE EXTERNAL')
        op.execute('CREATE INDEX search_fts_gin ON search_entry USING gin (search_fts)')
    else:
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5("
                   "title, body, tokenize='unicode61 remove_diacritics 2')")


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        op.execute('DROP TABLE IF EXISTS search_fts')
    op.drop_index('ix_search_entry_entity_level', table_name='search_entry')
    op.drop_table('search_entry')
