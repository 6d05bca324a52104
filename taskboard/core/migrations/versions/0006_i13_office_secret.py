"""office secret: the key signing report-form stamps, created at first start

Revision ID: 0006_i13
Revises: 0005_i20
"""
import datetime as dt
import secrets

import sqlalchemy as sa
from alembic import op

revision = "0006_i13"
down_revision = "0005_i20"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "office_secret",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_hex", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_secret")),
    )
    # Random per database: a form signed by one office's database is refused by another's.
    op.bulk_insert(table, [{"id": 1, "key_hex": secrets.token_hex(32),
                            "created_at": dt.datetime.now().replace(microsecond=0)}])


def downgrade() -> None:
    op.drop_table("office_secret")
