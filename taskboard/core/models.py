"""The storage schema: SQLAlchemy 2 declarative models.

Every schema change needs an Alembic migration in ``core/migrations/versions``;
``tests/core/test_migrations.py`` fails when the models and the migrations drift.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names let Alembic alter constraints on SQLite (batch mode) and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def local_now() -> dt.datetime:
    """The workstation's wall-clock time, stored naive.

    Report days, deadlines and on-time checks are judged by the office's own calendar, so
    times are kept as the office reads them (an office and its shared server share a zone).
    """
    return dt.datetime.now()


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Value sets kept as plain strings so both SQLite and PostgreSQL store them without enum types.
UNIT_KINDS = ("district", "department", "other")
ROLES = ("admin", "dispatcher", "reporter", "leader")
REPORT_STATES = ("pending", "approved", "returned")
CLOSE_OUTCOMES = ("出台政策解决", "点对点解决", "协调解决", "纳入台账持续推进")
URGE_METHODS = ("app", "email", "paper", "phone")


class Campaign(Base):
    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[Optional[dt.date]] = mapped_column(Date)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=local_now)

    tasks: Mapped[list["Task"]] = relationship(back_populates="campaign")


class Unit(Base):
    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="department")
    contact_person: Mapped[str] = mapped_column(String(50), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # A retired unit may point at the unit that took over its work.
    merged_into_id: Mapped[Optional[int]] = mapped_column(ForeignKey("unit.id"))


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("unit.id"))
    # For leaders limited to "their" tasks: matched against Task.leader.
    leader_name: Mapped[str] = mapped_column(String(50), default="")
    limit_to_own_tasks: Mapped[bool] = mapped_column(Boolean, default=False)
    # "scrypt$n$r$p$salt$hash": parameters kept beside each hash.
    password_hash: Mapped[Optional[str]] = mapped_column(String(300))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=local_now)
    # A one-time password was given out (PostgreSQL logins): change it at the next sign-in.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)


class Task(Base):
    __tablename__ = "task"
    __table_args__ = (UniqueConstraint("campaign_id", "code", name="uq_task_campaign_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    code: Mapped[str] = mapped_column(String(50))
    # Zero-padded code ("001.002.010") so that 1.10 sorts after 1.9 in SQL too.
    sort_key: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(500))
    category: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    target: Mapped[str] = mapped_column(Text, default="")
    lead_unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("unit.id"))
    leader: Mapped[str] = mapped_column(String(50), default="")
    start_date: Mapped[dt.date] = mapped_column(Date)
    deadline: Mapped[Optional[dt.date]] = mapped_column(Date)
    # How the plan wrote the deadline when it is not a date: 长期坚持, 每季度 ...
    deadline_note: Mapped[str] = mapped_column(String(100), default="")
    # A deadline that comes round each cycle (core.recurrence): "" or monthly, quarterly ...
    # ``deadline`` then is the last cycle's date, or None when the cycles never end.
    recurrence: Mapped[str] = mapped_column(String(20), default="")
    closed_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    close_outcome: Mapped[str] = mapped_column(String(50), default="")
    close_note: Mapped[str] = mapped_column(Text, default="")
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # The day of the deletion: months judged before it keep the task (core.figures).
    # None on a deleted task means the day is unknown, and the task counts nowhere.
    deleted_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    # The day the task entered the program when its plan gave no start of its own (an
    # imported list): it counts from the later of start_date and this day (core.figures).
    entered_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=local_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=local_now, onupdate=local_now)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    campaign: Mapped[Campaign] = relationship(back_populates="tasks")
    lead_unit: Mapped[Optional[Unit]] = relationship(foreign_keys=[lead_unit_id])
    assignments: Mapped[list["Assignment"]] = relationship(back_populates="task")

    __mapper_args__ = {"version_id_col": version}


class Assignment(Base):
    """One responsible unit's share of a task."""

    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("task_id", "unit_id", name="uq_assignment_task_unit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    # Latest accepted progress; reports keep the history per period.
    progress: Mapped[int] = mapped_column(Integer, default=0)
    closed_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    close_outcome: Mapped[str] = mapped_column(String(50), default="")
    close_note: Mapped[str] = mapped_column(Text, default="")
    # A unit removed from a task after it reported keeps its history, archived.
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    # A unit added to a task already under way counts from this day (None: from the task's
    # start); a withdrawn unit counts until removed_on (None on an archived row: day unknown,
    # counts nowhere). See core.figures for the period rules.
    added_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    removed_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    # A 配合单位 (协办/参与): reports like every responsible unit, listed as supporting.
    supporting: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    task: Mapped[Task] = relationship(back_populates="assignments")
    unit: Mapped[Unit] = relationship()

    __mapper_args__ = {"version_id_col": version}


class Report(Base):
    """A unit's progress report for one period. A returned report is followed by a new one."""

    __tablename__ = "report"
    __table_args__ = (
        # Covers the board's "latest counted report up to a period" seek without table reads.
        Index("ix_report_assignment_period", "assignment_id", "period", "status"),
        Index("ix_report_period_assignment", "period", "assignment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id"))
    period: Mapped[str] = mapped_column(String(7))  # "2026-11"
    text: Mapped[str] = mapped_column(Text, default="")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    submitted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=local_now)
    on_behalf: Mapped[bool] = mapped_column(Boolean, default=False)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    reviewer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    review_comment: Mapped[str] = mapped_column(Text, default="")
    # Where a report came from (e.g. a unit's workbook digest) so re-imports do not duplicate.
    source: Mapped[str] = mapped_column(String(200), default="")


class Evidence(Base):
    """A file backing a report, stored once per content hash."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    mime_type: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=local_now)


class EvidenceBlob(Base):
    """File contents kept in the database, so a shared PostgreSQL needs no shared folder."""

    __tablename__ = "evidence_blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id"), index=True)
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=local_now)
    reply: Mapped[str] = mapped_column(Text, default="")
    replied_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    replied_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)


class UrgeNotice(Base):
    """A numbered notice (催办〔2026〕12号) sent to one unit."""

    __tablename__ = "urge_notice"
    __table_args__ = (UniqueConstraint("year", "kind", "number", name="uq_urge_notice_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20), default="urge")  # urge | supervise
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    issued_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime, default=local_now)
    reply_by: Mapped[Optional[dt.date]] = mapped_column(Date)
    body: Mapped[str] = mapped_column(Text, default="")
    email_status: Mapped[str] = mapped_column(String(20), default="")  # "", sent, failed
    email_error: Mapped[str] = mapped_column(Text, default="")
    delivered_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    printed_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)  # first paper copy
    read_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)


class UnitRobot(Base):
    """A group robot (群机器人) that posts into a unit's WeCom or DingTalk group.

    ``unit_id`` None is the office's own group (digest totals). The webhook's token and the
    signing secret never enter the database: they live in the sending workstation's key file
    under ``ref`` (see notify.robot_secrets), like the SMTP password; the database keeps only
    the address without its token and the token's last characters for recognising it.
    """

    __tablename__ = "unit_robot"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("unit.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # wecom | dingtalk
    endpoint: Mapped[str] = mapped_column(String(300))
    token_hint: Mapped[str] = mapped_column(String(20), default="")
    signed: Mapped[bool] = mapped_column(Boolean, default=False)
    ref: Mapped[str] = mapped_column(String(40), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=local_now,
                                                    onupdate=local_now)


class RobotDelivery(Base):
    """One attempt to post one part of a message to a group robot, kept on the notice."""

    __tablename__ = "robot_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[Optional[int]] = mapped_column(ForeignKey("urge_notice.id"), index=True)
    robot_id: Mapped[int] = mapped_column(ForeignKey("unit_robot.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(20), default="notice")  # notice | digest
    part: Mapped[int] = mapped_column(Integer, default=1)
    parts: Mapped[int] = mapped_column(Integer, default=1)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=local_now)
    ok: Mapped[bool] = mapped_column(Boolean, default=False)
    errcode: Mapped[Optional[int]] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text, default="")


class NoticeCounter(Base):
    """Next notice number per year and kind; row-locked so numbers stay gap-free."""

    __tablename__ = "notice_counter"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class UrgeRecord(Base):
    """One urge of one assignment, by any method."""

    __tablename__ = "urge_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id"), index=True)
    notice_id: Mapped[Optional[int]] = mapped_column(ForeignKey("urge_notice.id"), index=True)
    method: Mapped[str] = mapped_column(String(20))
    urged_at: Mapped[dt.datetime] = mapped_column(DateTime, default=local_now)
    urged_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    contact: Mapped[str] = mapped_column(String(100), default="")  # who was called / answered
    note: Mapped[str] = mapped_column(Text, default="")
    override_reason: Mapped[str] = mapped_column(Text, default="")
    reply: Mapped[str] = mapped_column(Text, default="")
    replied_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=local_now, index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(50))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[Optional[int]] = mapped_column(Integer)
    task_id: Mapped[Optional[int]] = mapped_column(Integer, index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[str] = mapped_column(Text, default="")  # JSON
    after: Mapped[str] = mapped_column(Text, default="")  # JSON
    # The database role that wrote the row; on PostgreSQL a trigger sets it (core.pg_security).
    db_user: Mapped[Optional[str]] = mapped_column(String(63))


class CalendarOverride(Base):
    """A user's correction of the official calendar for one day."""

    __tablename__ = "calendar_override"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(200), default="")


class Setting(Base):
    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")  # JSON


class Bulletin(Base):
    """An issued 通报 (营商调度〔2026〕3号): its figures frozen as issued.

    The red and black lists it names count in later periods' scores (通报表扬/通报批评).
    """

    __tablename__ = "bulletin"
    __table_args__ = (UniqueConstraint("year", "number", name="uq_bulletin_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    span: Mapped[str] = mapped_column(String(10))  # "2026-11" or "2026-Q3"
    issued_on: Mapped[dt.date] = mapped_column(Date)
    issued_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=local_now)
    # Comma-separated unit ids, so scoring needs no JSON parsing.
    praised: Mapped[str] = mapped_column(Text, default="")
    criticised: Mapped[str] = mapped_column(Text, default="")
    snapshot: Mapped[str] = mapped_column(Text, default="")  # JSON


class CardAction(Base):
    """A 督办 (two yellow cards) or 约谈 (a red card) decided by an issued 通报, per unit."""

    __tablename__ = "card_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    bulletin_id: Mapped[int] = mapped_column(ForeignKey("bulletin.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # supervise | interview
    count: Mapped[int] = mapped_column(Integer, default=1)
    tasks: Mapped[str] = mapped_column(Text, default="")  # task codes with a red card
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=local_now)


class OfficeSecret(Base):
    """The key that signs what leaves the office and must come back unaltered (report-form
    stamps). Created at first start; kept apart from the settings so that no settings screen,
    export or listing ever shows it."""

    __tablename__ = "office_secret"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hex: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=local_now)
