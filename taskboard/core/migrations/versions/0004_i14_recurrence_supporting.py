"""recurring deadlines on tasks, supporting (配合) units on assignments

Revision ID: 0004_i14
Revises: 0003_i15
"""
from alembic import op
import sqlalchemy as sa


revision = "0004_i14"
down_revision = "0003_i15"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("task") as batch:
        batch.add_column(sa.Column("recurrence", sa.String(length=20), nullable=False,
                                   server_default=""))
    with op.batch_alter_table("assignment") as batch:
        batch.add_column(sa.Column("supporting", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("assignment") as batch:
        batch.drop_column("supporting")
    with op.batch_alter_table("task") as batch:
        batch.drop_column("recurrence")
