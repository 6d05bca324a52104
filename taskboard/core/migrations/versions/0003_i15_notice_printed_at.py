"""urge_notice.printed_at: when the paper notice was first printed

Revision ID: 0003_i15
Revises: 0002_i21
"""
from alembic import op
import sqlalchemy as sa


revision = "0003_i15"
down_revision = "0002_i21"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("urge_notice", schema=None) as batch_op:
        batch_op.add_column(sa.Column("printed_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("urge_notice", schema=None) as batch_op:
        batch_op.drop_column("printed_at")
