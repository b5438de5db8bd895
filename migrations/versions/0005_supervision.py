"""supervision: daily and monthly counts folded from the event log, fold cursor, alert thresholds, and
partial indexes for the room's stocks (open courriers, pending opinions) and live feed

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

import core.db

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# Word for word the conditions of supervision/models.py (the queries repeat them).
OPEN = "status IN ('en_attente_avis', 'en_traitement', 'enregistre', 'impute')"
PENDING_OPINION = "kind = 'avis' AND active AND answered_at IS NULL"


def _counts_table(name: str) -> None:
    """supervision_daily and supervision_monthly share their shape (supervision.models)."""
    op.create_table(name,
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('metric', sa.String(length=30), nullable=False),
    sa.Column('dim', sa.String(length=40), nullable=False),
    sa.Column('n', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f(f'fk_{name}_entity_id_entity')),
    sa.PrimaryKeyConstraint('entity_id', 'day', 'metric', 'dim', name=op.f(f'pk_{name}'))
    )


def upgrade() -> None:
    _counts_table('supervision_daily')
    _counts_table('supervision_monthly')
    cursor = op.create_table('supervision_cursor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_cursor'))
    )
    op.create_table('supervision_threshold',
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_supervision_threshold_entity_id_entity')),
    sa.PrimaryKeyConstraint('entity_id', 'key', name=op.f('pk_supervision_threshold'))
    )
    # The one cursor row exists from the start: concurrent first folds never race to insert it.
    op.bulk_insert(cursor, [{'id': 1, 'seq': 0, 'updated_at': core.db.utcnow()}])
    with op.batch_alter_table('courrier', schema=None) as batch_op:
        batch_op.create_index('ix_courrier_open_entity', ['entity_id', 'registered_at', 'due_on'], unique=False, sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
    with op.batch_alter_table('courrier_imputation', schema=None) as batch_op:
        batch_op.create_index('ix_courrier_imputation_pending_opinion', ['entity_id', 'routed_at', 'due_on'], unique=False, sqlite_where=sa.text(PENDING_OPINION), postgresql_where=sa.text(PENDING_OPINION))
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index('ix_event_entity_seq', ['entity_id', 'seq'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index('ix_event_entity_seq')
    with op.batch_alter_table('courrier_imputation', schema=None) as batch_op:
        batch_op.drop_index('ix_courrier_imputation_pending_opinion', sqlite_where=sa.text(PENDING_OPINION), postgresql_where=sa.text(PENDING_OPINION))
    with op.batch_alter_table('courrier', schema=None) as batch_op:
        batch_op.drop_index('ix_courrier_open_entity', sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
    op.drop_table('supervision_threshold')
    op.drop_table('supervision_cursor')
    op.drop_table('supervision_monthly')
    op.drop_table('supervision_daily')
