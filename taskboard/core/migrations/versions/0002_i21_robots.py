"""group robots per unit and their delivery attempts

Revision ID: 0002_i21
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_i21'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('unit_robot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('endpoint', sa.String(length=300), nullable=False),
    sa.Column('token_hint', sa.String(length=20), nullable=False),
    sa.Column('signed', sa.Boolean(), nullable=False),
    sa.Column('ref', sa.String(length=40), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_unit_robot_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_robot')),
    sa.UniqueConstraint('ref', name=op.f('uq_unit_robot_ref'))
    )
    with op.batch_alter_table('unit_robot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_robot_unit_id'), ['unit_id'], unique=False)

    op.create_table('robot_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=True),
    sa.Column('robot_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('part', sa.Integer(), nullable=False),
    sa.Column('parts', sa.Integer(), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('errcode', sa.Integer(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['urge_notice.id'], name=op.f('fk_robot_delivery_notice_id_urge_notice')),
    sa.ForeignKeyConstraint(['robot_id'], ['unit_robot.id'], name=op.f('fk_robot_delivery_robot_id_unit_robot')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_robot_delivery'))
    )
    with op.batch_alter_table('robot_delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_robot_delivery_notice_id'), ['notice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_robot_delivery_robot_id'), ['robot_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('robot_delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_robot_delivery_robot_id'))
        batch_op.drop_index(batch_op.f('ix_robot_delivery_notice_id'))
    op.drop_table('robot_delivery')
    with op.batch_alter_table('unit_robot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_robot_unit_id'))
    op.drop_table('unit_robot')
