"""ged: documents, their versions and the pages read from them

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

import core.db

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ged_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('doc_type', sa.String(length=60), nullable=False),
    sa.Column('classification', sa.String(length=60), nullable=False),
    sa.Column('confidentiality', sa.String(length=20), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('document_date', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('current_number', sa.Integer(), nullable=False),
    sa.Column('index_status', sa.String(length=20), nullable=True),
    sa.Column('index_requested_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('indexed_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_ged_document_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_ged_document_entity_id_entity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ged_document'))
    )
    with op.batch_alter_table('ged_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ged_document_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ged_document_doc_type'), ['doc_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_ged_document_entity_id'), ['entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ged_document_index_status'), ['index_status'], unique=False)

    op.create_table('ged_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('media_type', sa.String(length=80), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('page_count', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('pages_done', sa.Integer(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('searchable_sha256', sa.String(length=64), nullable=True),
    sa.Column('thumbnail_sha256', sa.String(length=64), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_ged_version_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['document_id'], ['ged_document.id'], name=op.f('fk_ged_version_document_id_ged_document'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ged_version')),
    sa.UniqueConstraint('document_id', 'number', name=op.f('uq_ged_version_document_id_number'))
    )
    with op.batch_alter_table('ged_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ged_version_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_ged_version_status'), ['status'], unique=False)

    op.create_table('ged_page',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.Column('rotation', sa.Integer(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['ged_version.id'], name=op.f('fk_ged_page_version_id_ged_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ged_page')),
    sa.UniqueConstraint('version_id', 'number', name=op.f('uq_ged_page_version_id_number'))
    )


def downgrade() -> None:
    op.drop_table('ged_page')
    with op.batch_alter_table('ged_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ged_version_status'))
        batch_op.drop_index(batch_op.f('ix_ged_version_sha256'))

    op.drop_table('ged_version')
    with op.batch_alter_table('ged_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ged_document_index_status'))
        batch_op.drop_index(batch_op.f('ix_ged_document_entity_id'))
        batch_op.drop_index(batch_op.f('ix_ged_document_doc_type'))
        batch_op.drop_index(batch_op.f('ix_ged_document_created_at'))

    op.drop_table('ged_document')
