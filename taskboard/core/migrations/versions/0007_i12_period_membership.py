"""period membership: task.deleted_on / entered_on, assignment.added_on / removed_on

Revision ID: 0007_i12
Revises: 0006_i13

A deleted task and a withdrawn unit keep counting in the months before their removal, so
the removal day is stored. For rows removed before this revision the day is taken from the
audit trail where it was recorded (task.delete). The audit trail does not say which unit a
task.update withdrew, so units withdrawn earlier keep an unknown day and count nowhere, as
before.
"""
import datetime as dt

from alembic import op
import sqlalchemy as sa


revision = '0007_i12'
down_revision = '0006_i13'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('entered_on', sa.Date(), nullable=True))
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('added_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('removed_on', sa.Date(), nullable=True))

    bind = op.get_bind()
    # The latest deletion recorded for each deleted task.
    rows = bind.execute(sa.text(
        "SELECT t.id, MAX(e.at) FROM task t JOIN audit_event e "
        "ON e.entity = 'task' AND e.entity_id = t.id AND e.action = 'task.delete' "
        "WHERE t.deleted = :yes GROUP BY t.id"), {"yes": True}).all()
    for task_id, at in rows:
        if isinstance(at, str):  # SQLite hands aggregates back as text
            at = dt.datetime.fromisoformat(at)
        if at is not None:
            bind.execute(sa.text("UPDATE task SET deleted_on = :d WHERE id = :i"),
                         {"d": at.date(), "i": task_id})


def downgrade() -> None:
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_column('removed_on')
        batch_op.drop_column('added_on')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_column('entered_on')
        batch_op.drop_column('deleted_on')
