"""bulletin: issued 通报 with their red and black lists; card_action: their 督办 and 约谈

Revision ID: 0005_i20
Revises: 0004_i14
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_i20'
down_revision = '0004_i14'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bulletin',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('span', sa.String(length=10), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('praised', sa.Text(), nullable=False),
    sa.Column('criticised', sa.Text(), nullable=False),
    sa.Column('snapshot', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_bulletin_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['user_account.id'], name=op.f('fk_bulletin_issued_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletin')),
    sa.UniqueConstraint('year', 'number', name='uq_bulletin_number')
    )
    with op.batch_alter_table('bulletin', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bulletin_campaign_id'), ['campaign_id'], unique=False)
    op.create_table('card_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bulletin_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('tasks', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['bulletin_id'], ['bulletin.id'], name=op.f('fk_card_action_bulletin_id_bulletin')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_card_action_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_card_action'))
    )
    with op.batch_alter_table('card_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_card_action_bulletin_id'), ['bulletin_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_card_action_unit_id'), ['unit_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('card_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_card_action_unit_id'))
        batch_op.drop_index(batch_op.f('ix_card_action_bulletin_id'))
    op.drop_table('card_action')
    with op.batch_alter_table('bulletin', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bulletin_campaign_id'))
    op.drop_table('bulletin')
