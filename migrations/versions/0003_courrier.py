"""courrier: courriers, correspondents, chrono counters, routing, history

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

import core.db

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('courrier_correspondent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('organisation', sa.String(length=300), nullable=False),
    sa.Column('key', sa.String(length=620), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courrier_correspondent')),
    sa.UniqueConstraint('key', name=op.f('uq_courrier_correspondent_key'))
    )
    op.create_table('courrier_holiday',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_courrier_holiday'))
    )
    op.create_table('courrier_chrono',
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_courrier_chrono_entity_id_entity')),
    sa.PrimaryKeyConstraint('entity_id', 'direction', 'year', name=op.f('pk_courrier_chrono'))
    )
    op.create_table('courrier_settings',
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('remind_before_days', sa.Integer(), nullable=True),
    sa.Column('head_after_days', sa.Integer(), nullable=True),
    sa.Column('close_on_send', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_courrier_settings_entity_id_entity')),
    sa.PrimaryKeyConstraint('entity_id', name=op.f('pk_courrier_settings'))
    )
    op.create_table('courrier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('chrono', sa.String(length=60), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('registered_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('registered_by_id', sa.Integer(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=True),
    sa.Column('letter_date', sa.Date(), nullable=True),
    sa.Column('sender_reference', sa.String(length=120), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('sender_id', sa.Integer(), nullable=True),
    sa.Column('recipient_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('priority', sa.String(length=20), nullable=False),
    sa.Column('confidentiality', sa.String(length=20), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('holder_id', sa.Integer(), nullable=True),
    sa.Column('holder_entity_id', sa.Integer(), nullable=True),
    sa.Column('overdue', sa.Boolean(), nullable=False),
    sa.Column('closed_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_courrier_entity_id_entity')),
    sa.ForeignKeyConstraint(['holder_entity_id'], ['entity.id'], name=op.f('fk_courrier_holder_entity_id_entity')),
    sa.ForeignKeyConstraint(['holder_id'], ['user_account.id'], name=op.f('fk_courrier_holder_id_user_account')),
    sa.ForeignKeyConstraint(['recipient_id'], ['courrier_correspondent.id'], name=op.f('fk_courrier_recipient_id_courrier_correspondent')),
    sa.ForeignKeyConstraint(['registered_by_id'], ['user_account.id'], name=op.f('fk_courrier_registered_by_id_user_account')),
    sa.ForeignKeyConstraint(['sender_id'], ['courrier_correspondent.id'], name=op.f('fk_courrier_sender_id_courrier_correspondent')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courrier')),
    sa.UniqueConstraint('chrono', name=op.f('uq_courrier_chrono')),
    sa.UniqueConstraint('entity_id', 'direction', 'year', 'seq', name=op.f('uq_courrier_entity_id_direction_year_seq'))
    )
    with op.batch_alter_table('courrier', schema=None) as batch_op:
        batch_op.create_index('ix_courrier_holder_entity_status', ['holder_entity_id', 'status', 'id'], unique=False)
        batch_op.create_index('ix_courrier_holder_status', ['holder_id', 'status', 'id'], unique=False)
        batch_op.create_index('ix_courrier_overdue_entity', ['overdue', 'entity_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_courrier_recipient_id'), ['recipient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_courrier_sender_id'), ['sender_id'], unique=False)
        batch_op.create_index('ix_courrier_status_entity', ['status', 'entity_id', 'id'], unique=False)

    op.create_table('courrier_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('courrier_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('added_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['added_by_id'], ['user_account.id'], name=op.f('fk_courrier_attachment_added_by_id_user_account')),
    sa.ForeignKeyConstraint(['courrier_id'], ['courrier.id'], name=op.f('fk_courrier_attachment_courrier_id_courrier'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['ged_document.id'], name=op.f('fk_courrier_attachment_document_id_ged_document')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courrier_attachment')),
    sa.UniqueConstraint('courrier_id', 'document_id', name=op.f('uq_courrier_attachment_courrier_id_document_id'))
    )
    with op.batch_alter_table('courrier_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courrier_attachment_document_id'), ['document_id'], unique=False)

    op.create_table('courrier_imputation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('courrier_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('instruction', sa.Text(), nullable=False),
    sa.Column('routed_by_id', sa.Integer(), nullable=False),
    sa.Column('routed_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('ended_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.Text(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'], name=op.f('fk_courrier_imputation_answered_by_id_user_account')),
    sa.ForeignKeyConstraint(['courrier_id'], ['courrier.id'], name=op.f('fk_courrier_imputation_courrier_id_courrier'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_courrier_imputation_entity_id_entity')),
    sa.ForeignKeyConstraint(['routed_by_id'], ['user_account.id'], name=op.f('fk_courrier_imputation_routed_by_id_user_account')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_courrier_imputation_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courrier_imputation'))
    )
    with op.batch_alter_table('courrier_imputation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courrier_imputation_courrier_id'), ['courrier_id'], unique=False)
        batch_op.create_index('ix_courrier_imputation_entity_kind', ['entity_id', 'kind', 'active'], unique=False)
        batch_op.create_index('ix_courrier_imputation_user_kind', ['user_id', 'kind', 'active'], unique=False)
        batch_op.create_index('uq_courrier_imputation_attribution_active', ['courrier_id'], unique=True, sqlite_where=sa.text("kind = 'attribution' AND active"), postgresql_where=sa.text("kind = 'attribution' AND active"))

    op.create_table('courrier_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_courrier_link_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['source_id'], ['courrier.id'], name=op.f('fk_courrier_link_source_id_courrier'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_id'], ['courrier.id'], name=op.f('fk_courrier_link_target_id_courrier'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courrier_link')),
    sa.UniqueConstraint('source_id', 'target_id', 'kind', name=op.f('uq_courrier_link_source_id_target_id_kind'))
    )
    with op.batch_alter_table('courrier_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courrier_link_target_id'), ['target_id'], unique=False)

    op.create_table('courrier_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('courrier_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('emailed_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['courrier_id'], ['courrier.id'], name=op.f('fk_courrier_reminder_courrier_id_courrier'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_courrier_reminder_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courrier_reminder')),
    sa.UniqueConstraint('courrier_id', 'user_id', 'kind', 'due_on', name=op.f('uq_courrier_reminder_courrier_id_user_id_kind_due_on'))
    )
    with op.batch_alter_table('courrier_reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courrier_reminder_user_id'), ['user_id'], unique=False)

    op.create_table('courrier_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('courrier_id', sa.Integer(), nullable=False),
    sa.Column('at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('status_from', sa.String(length=20), nullable=True),
    sa.Column('status_to', sa.String(length=20), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_courrier_step_actor_id_user_account')),
    sa.ForeignKeyConstraint(['courrier_id'], ['courrier.id'], name=op.f('fk_courrier_step_courrier_id_courrier'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courrier_step'))
    )
    with op.batch_alter_table('courrier_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courrier_step_courrier_id'), ['courrier_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('courrier_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_courrier_step_courrier_id'))

    op.drop_table('courrier_step')
    with op.batch_alter_table('courrier_reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_courrier_reminder_user_id'))

    op.drop_table('courrier_reminder')
    with op.batch_alter_table('courrier_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_courrier_link_target_id'))

    op.drop_table('courrier_link')
    with op.batch_alter_table('courrier_imputation', schema=None) as batch_op:
        batch_op.drop_index('uq_courrier_imputation_attribution_active', sqlite_where=sa.text("kind = 'attribution' AND active"), postgresql_where=sa.text("kind = 'attribution' AND active"))
        batch_op.drop_index('ix_courrier_imputation_user_kind')
        batch_op.drop_index('ix_courrier_imputation_entity_kind')
        batch_op.drop_index(batch_op.f('ix_courrier_imputation_courrier_id'))

    op.drop_table('courrier_imputation')
    with op.batch_alter_table('courrier_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_courrier_attachment_document_id'))

    op.drop_table('courrier_attachment')
    with op.batch_alter_table('courrier', schema=None) as batch_op:
        batch_op.drop_index('ix_courrier_status_entity')
        batch_op.drop_index(batch_op.f('ix_courrier_sender_id'))
        batch_op.drop_index(batch_op.f('ix_courrier_recipient_id'))
        batch_op.drop_index('ix_courrier_overdue_entity')
        batch_op.drop_index('ix_courrier_holder_status')
        batch_op.drop_index('ix_courrier_holder_entity_status')

    op.drop_table('courrier')
    op.drop_table('courrier_settings')
    op.drop_table('courrier_chrono')
    op.drop_table('courrier_holiday')
    op.drop_table('courrier_correspondent')
