"""Units (责任单位): add, edit (rename, contacts), merge into another unit, retire.

A unit is never deleted: reports name it. Merging hands its open work, its lead roles and
its reporters to the unit that took over; retiring needs it to have no open work left.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from typing import Optional

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from taskboard.core import audit, permissions
from taskboard.core.actor import Actor
from taskboard.core.errors import IllegalTransition, NotFound, ValidationError
from taskboard.core.models import UNIT_KINDS, Assignment, Task, Unit, User, local_now

KIND_WORDS = {"district": "旗区", "department": "部门", "other": "其他"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class UnitInput:
    name: str
    kind: str = "department"
    contact_person: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class UnitRow:
    unit_id: int
    name: str
    kind: str
    contact_person: str
    phone: str
    email: str
    active: bool
    merged_into: str
    open_assignments: int

    @property
    def kind_word(self) -> str:
        return KIND_WORDS.get(self.kind, self.kind)


def _validate(session: Session, data: UnitInput, unit_id: Optional[int] = None) -> UnitInput:
    data = UnitInput(data.name.strip(), data.kind, data.contact_person.strip(),
                     data.phone.strip(), data.email.strip())
    if not data.name:
        raise ValidationError("请填写单位名称。")
    if len(data.name) > 100:
        raise ValidationError("单位名称过长（最多 100 个字）。")
    if data.kind not in UNIT_KINDS:
        raise ValidationError("请选择单位类型（旗区、部门或其他）。")
    if data.email and not _EMAIL.match(data.email):
        raise ValidationError(f"电子邮箱格式不正确：{data.email}")
    clash = session.scalar(select(Unit.id).where(Unit.name == data.name,
                                                 *([Unit.id != unit_id] if unit_id else [])))
    if clash is not None:
        raise ValidationError(f"单位“{data.name}”已存在。")
    return data


def _load(session: Session, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound(f"单位不存在（编号 {unit_id}）。")
    return unit


def _snap(u: Unit) -> dict:
    return {"name": u.name, "kind": u.kind, "contact_person": u.contact_person,
            "phone": u.phone, "email": u.email, "active": u.active,
            "merged_into_id": u.merged_into_id}


def add_unit(session: Session, actor: Actor, data: UnitInput) -> int:
    permissions.require(actor, "unit.manage")
    data = _validate(session, data)
    order = (session.scalar(select(func.max(Unit.sort_order))) or 0) + 1
    unit = Unit(**asdict(data), sort_order=order)
    session.add(unit)
    session.flush()
    audit.record(session, actor, "unit.create", "unit", unit.id, summary=f"新增单位 {unit.name}",
                 after=_snap(unit))
    return unit.id


def update_unit(session: Session, actor: Actor, unit_id: int, data: UnitInput) -> None:
    permissions.require(actor, "unit.manage")
    unit = _load(session, unit_id)
    data = _validate(session, data, unit_id)
    before = _snap(unit)
    for k, v in asdict(data).items():
        setattr(unit, k, v)
    after = _snap(unit)
    changed = {k for k in after if after[k] != before[k]}
    summary = (f"单位更名：{before['name']} → {unit.name}" if "name" in changed
               else f"修改单位 {unit.name}")
    audit.record(session, actor, "unit.update", "unit", unit.id, summary=summary,
                 before={k: before[k] for k in changed}, after={k: after[k] for k in changed})


def _open_assignments(session: Session, unit_id: int) -> list[Assignment]:
    return list(session.scalars(
        select(Assignment).join(Task, Task.id == Assignment.task_id)
        .where(Assignment.unit_id == unit_id, Assignment.archived.is_(False),
               Assignment.closed_on.is_(None), Task.closed_on.is_(None),
               Task.deleted.is_(False))))


def retire_unit(session: Session, actor: Actor, unit_id: int,
                merge_into_id: Optional[int] = None, *, today: Optional[dt.date] = None) -> int:
    """Retire a unit, handing its work to ``merge_into_id`` if given; returns tasks moved."""
    permissions.require(actor, "unit.manage")
    unit = _load(session, unit_id)
    if not unit.active:
        raise IllegalTransition(f"单位“{unit.name}”已撤销。")
    before = _snap(unit)
    moved = 0
    if merge_into_id is None:
        open_work = _open_assignments(session, unit_id)
        if open_work:
            raise ValidationError(
                f"“{unit.name}”还承担 {len(open_work)} 项未办结的任务，不能直接撤销。"
                "请选择合并到哪个单位，由其接续这些任务。")
        if session.scalar(select(func.count()).select_from(Task).where(
                Task.lead_unit_id == unit_id, Task.deleted.is_(False),
                Task.closed_on.is_(None))):
            raise ValidationError(f"“{unit.name}”还是未办结任务的牵头单位，请先合并到其他单位。")
    else:
        target = _load(session, merge_into_id)
        if target.id == unit.id:
            raise ValidationError("不能把单位合并到它自己。")
        if not target.active:
            raise ValidationError(f"“{target.name}”已撤销，不能作为合并目标。")
        for a in _open_assignments(session, unit_id):
            taken = session.scalar(select(Assignment).where(
                Assignment.task_id == a.task_id, Assignment.unit_id == target.id))
            if taken is None:
                a.unit_id = target.id  # the history follows the work to the new unit
            else:
                a.archived, a.removed_on = True, today or local_now().date()
                if taken.archived:
                    taken.archived, taken.removed_on = False, None
            moved += 1
        for task in session.scalars(select(Task).where(Task.lead_unit_id == unit_id,
                                                       Task.deleted.is_(False))):
            task.lead_unit_id = target.id
        # One UPDATE of the one column: a dispatcher's database role may change nothing else
        # of an account (core.pg_security).
        session.execute(update(User).where(User.unit_id == unit_id)
                        .values(unit_id=target.id).execution_options(synchronize_session="fetch"))
        unit.merged_into_id = target.id
    unit.active = False
    what = (f"合并到“{session.get(Unit, merge_into_id).name}”，转移任务 {moved} 项"
            if merge_into_id else "撤销")
    audit.record(session, actor, "unit.retire", "unit", unit.id,
                 summary=f"单位“{unit.name}”{what}", before=before, after=_snap(unit))
    return moved


def list_units(session: Session, include_retired: bool = True) -> list[UnitRow]:
    open_counts = dict(session.execute(
        select(Assignment.unit_id, func.count()).join(Task, Task.id == Assignment.task_id)
        .where(Assignment.archived.is_(False), Assignment.closed_on.is_(None),
               Task.closed_on.is_(None), Task.deleted.is_(False))
        .group_by(Assignment.unit_id)).all())
    names = dict(session.execute(select(Unit.id, Unit.name)).all())
    q = select(Unit).order_by(Unit.active.desc(), Unit.sort_order, Unit.id)
    if not include_retired:
        q = q.where(Unit.active.is_(True))
    return [UnitRow(u.id, u.name, u.kind, u.contact_person, u.phone, u.email, u.active,
                    names.get(u.merged_into_id, "") if u.merged_into_id else "",
                    open_counts.get(u.id, 0)) for u in session.scalars(q)]
