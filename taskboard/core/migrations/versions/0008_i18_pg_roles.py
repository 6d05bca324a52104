"""PostgreSQL enforces the roles: group roles, grants, row-level security, audit triggers

Revision ID: 0008_i18
Revises: 0007_i12

Both backends: user_account.must_change_password and audit_event.db_user. PostgreSQL only:
the objects of core.pg_security (group roles, privileges, policies, the login-role
functions, the insert-only audit trail and the db_change log). On SQLite nothing else.
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_i18"
down_revision = "0007_i12"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("db_user", sa.String(length=63), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        from taskboard.core import pg_security

        pg_security.install(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        from taskboard.core import pg_security

        pg_security.uninstall(bind)
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_column("db_user")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("must_change_password")
