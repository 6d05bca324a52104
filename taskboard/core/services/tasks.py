"""编辑任务: create, edit, copy, delete, bulk-edit tasks and their responsible units.

A unit removed from a task keeps its history: an assignment with reports, feedback or urges
is archived, never deleted. Every edit checks the task's version so a concurrent change is
reported (ConflictError with the stored and the submitted values) instead of being lost.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

from sqlalchemy import exists, select
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm import Session

from taskboard.core import audit, permissions
from taskboard.core.actor import Actor
from taskboard.core.errors import ConflictError, NotFound, ValidationError
from taskboard.core.models import (
    Assignment, Campaign, Feedback, Report, Task, Unit, UrgeRecord, local_now,
)
from taskboard.core.recurrence import RECURRENCES
from taskboard.core.rules import code_sort_key

MAX_CODE = 50
MAX_TITLE = 500


@dataclass(frozen=True)
class TaskInput:
    """What the editor submits; ``deadline=None`` means no deadline (长期)."""

    campaign_id: int
    code: str
    title: str
    start_date: dt.date
    unit_ids: tuple[int, ...] = ()
    category: str = ""
    description: str = ""
    target: str = ""
    lead_unit_id: Optional[int] = None
    leader: str = ""
    deadline: Optional[dt.date] = None
    deadline_note: str = ""
    # "" or a core.recurrence key; ``deadline`` is then the last cycle's date or None.
    recurrence: str = ""

    def cleaned(self) -> "TaskInput":
        return dataclasses.replace(
            self, code=self.code.strip().replace("．", "."), title=self.title.strip(),
            category=self.category.strip(), leader=self.leader.strip(),
            deadline_note=self.deadline_note.strip() if self.deadline is None else "",
            unit_ids=tuple(dict.fromkeys(self.unit_ids)))


@dataclass(frozen=True)
class BulkChange:
    """Fields to set on several tasks at once; None leaves a field alone."""

    leader: Optional[str] = None
    set_deadline: bool = False
    deadline: Optional[dt.date] = None
    deadline_note: str = ""
    lead_unit_id: Optional[int] = None
    add_unit_ids: tuple[int, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return (self.leader is None and not self.set_deadline and self.lead_unit_id is None
                and not self.add_unit_ids)


# --- reading helpers shared by the other services -----------------------------------------

def load_task(session: Session, task_id: int) -> Task:
    task = session.get(Task, task_id)
    if task is None or task.deleted:
        raise NotFound(f"任务不存在或已删除（编号 {task_id}）。")
    return task


def active_unit_ids(session: Session, task_id: int) -> list[int]:
    return list(session.scalars(
        select(Assignment.unit_id).where(Assignment.task_id == task_id,
                                         Assignment.archived.is_(False))
        .order_by(Assignment.id)))


def task_snapshot(session: Session, task: Task) -> dict[str, Any]:
    """The task as plain values: what the audit trail and the conflict dialog compare."""
    return {
        "campaign_id": task.campaign_id, "code": task.code, "title": task.title,
        "category": task.category, "description": task.description, "target": task.target,
        "lead_unit_id": task.lead_unit_id, "leader": task.leader,
        "start_date": task.start_date, "deadline": task.deadline,
        "deadline_note": task.deadline_note, "recurrence": task.recurrence,
        "unit_ids": tuple(sorted(active_unit_ids(session, task.id))),
    }


def input_snapshot(data: TaskInput) -> dict[str, Any]:
    d = dataclasses.asdict(data)
    d["unit_ids"] = tuple(sorted(data.unit_ids))
    return d


def task_input_of(session: Session, task_id: int) -> TaskInput:
    """A stored task as editor input (used to prefill the editor, copy and undo)."""
    task = load_task(session, task_id)
    snap = task_snapshot(session, task)
    snap["unit_ids"] = tuple(active_unit_ids(session, task_id))
    return TaskInput(**snap)


def has_history(session: Session, assignment_id: int) -> bool:
    for model in (Report, Feedback, UrgeRecord):
        if session.scalar(select(exists().where(model.assignment_id == assignment_id))):
            return True
    return False


def units_with_history(session: Session, task_id: int, unit_ids: Sequence[int]) -> list[str]:
    """Names of the given units whose assignment on the task already has reports or urges."""
    names = []
    for a in session.scalars(select(Assignment).where(
            Assignment.task_id == task_id, Assignment.unit_id.in_(list(unit_ids)),
            Assignment.archived.is_(False))):
        if has_history(session, a.id):
            names.append(a.unit.name)
    return names


def suggest_copy_code(session: Session, campaign_id: int, code: str) -> str:
    """The next free sibling code: 1.2 → 1.3 (or 1.2-副本 when the code ends in text)."""
    taken = set(session.scalars(select(Task.code).where(Task.campaign_id == campaign_id)))
    head, _, last = code.rpartition(".")
    if last.isdigit():
        n = int(last)
        while True:
            n += 1
            candidate = f"{head}.{n}" if head else str(n)
            if candidate not in taken:
                return candidate
    k = 1
    while f"{code}-副本{k if k > 1 else ''}" in taken:
        k += 1
    return f"{code}-副本{k if k > 1 else ''}"


# --- validation -----------------------------------------------------------------------------

def _validate(session: Session, data: TaskInput, task_id: Optional[int] = None,
              old_unit_ids: Sequence[int] = ()) -> None:
    if not data.code:
        raise ValidationError("请填写任务编号。")
    if len(data.code) > MAX_CODE:
        raise ValidationError(f"任务编号过长（最多 {MAX_CODE} 个字符）。")
    if not data.title:
        raise ValidationError("请填写任务名称。")
    if len(data.title) > MAX_TITLE:
        raise ValidationError(f"任务名称过长（最多 {MAX_TITLE} 个字）。")
    campaign = session.get(Campaign, data.campaign_id)
    if campaign is None:
        raise ValidationError("所选专项工作不存在。")
    if campaign.archived:
        raise ValidationError(f"专项工作“{campaign.name}”已归档，不能再修改其中的任务。")
    if data.start_date is None:
        raise ValidationError("请填写开始日期。")
    if data.deadline is not None and data.deadline < data.start_date:
        raise ValidationError(
            f"完成时限（{data.deadline:%Y-%m-%d}）不能早于开始日期（{data.start_date:%Y-%m-%d}）。")
    if data.recurrence and data.recurrence not in RECURRENCES:
        raise ValidationError(f"无法识别的完成周期：{data.recurrence}。")
    if not data.unit_ids:
        raise ValidationError("请至少选择一个责任单位。")
    clash = session.scalar(select(Task.id).where(
        Task.campaign_id == data.campaign_id, Task.code == data.code,
        *([Task.id != task_id] if task_id else [])))
    if clash is not None:
        raise ValidationError(f"任务编号“{data.code}”在本专项工作中已存在，请换一个编号。")
    wanted = set(data.unit_ids) | ({data.lead_unit_id} if data.lead_unit_id else set())
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(wanted)))}
    for uid in wanted:
        unit = units.get(uid)
        if unit is None:
            raise ValidationError(f"单位不存在（编号 {uid}）。")
        # A retired unit may stay where it already was, but not be newly assigned.
        if not unit.active and uid not in old_unit_ids:
            raise ValidationError(f"单位“{unit.name}”已撤销，不能再分配任务。")


# --- use cases ------------------------------------------------------------------------------

def create_task(session: Session, actor: Actor, data: TaskInput) -> int:
    permissions.require(actor, "task.edit")
    data = data.cleaned()
    _validate(session, data)
    task = Task(
        campaign_id=data.campaign_id, code=data.code, sort_key=code_sort_key(data.code),
        title=data.title, category=data.category, description=data.description,
        target=data.target, lead_unit_id=data.lead_unit_id, leader=data.leader,
        start_date=data.start_date, deadline=data.deadline, deadline_note=data.deadline_note,
        recurrence=data.recurrence)
    session.add(task)
    session.flush()
    for uid in data.unit_ids:
        session.add(Assignment(task_id=task.id, unit_id=uid))
    session.flush()
    audit.record(session, actor, "task.create", "task", task.id, task_id=task.id,
                 summary=f"新建任务 {task.code} {task.title}",
                 after=task_snapshot(session, task))
    return task.id


def _conflict(session: Session, task: Task, mine: dict[str, Any]) -> ConflictError:
    return ConflictError(
        f"任务 {task.code} 已被其他人修改（您编辑的是第 {mine.get('version', '?')} 版，"
        f"当前为第 {task.version} 版）。请选择重新加载或覆盖。",
        current={**task_snapshot(session, task), "version": task.version}, mine=mine)


def update_task(session: Session, actor: Actor, task_id: int, data: TaskInput,
                expected_version: int) -> int:
    """Apply the editor's values; returns the task's new version."""
    permissions.require(actor, "task.edit")
    task = load_task(session, task_id)
    data = data.cleaned()
    if task.version != expected_version:
        raise _conflict(session, task, {**input_snapshot(data), "version": expected_version})
    old_units = active_unit_ids(session, task_id)
    all_old = [a.unit_id for a in task.assignments]
    _validate(session, data, task_id, all_old)
    before = task_snapshot(session, task)
    for name in ("campaign_id", "code", "title", "category", "description", "target",
                 "lead_unit_id", "leader", "start_date", "deadline", "deadline_note",
                 "recurrence"):
        setattr(task, name, getattr(data, name))
    task.sort_key = code_sort_key(data.code)
    _set_units(session, task, old_units, data.unit_ids)
    # Touch the row even when only the units changed, so the version moves on (flagged, so
    # an unchanged clock reading still issues the UPDATE).
    task.updated_at = local_now()
    flag_modified(task, "updated_at")
    session.flush()
    after = task_snapshot(session, task)
    changed = {k for k in after if after[k] != before[k]}
    audit.record(session, actor, "task.update", "task", task.id, task_id=task.id,
                 summary=f"编辑任务 {task.code}：" + _changed_words(changed),
                 before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    return task.version


FIELD_WORDS = {
    "campaign_id": "专项工作", "code": "任务编号", "title": "任务名称", "category": "类别/指标",
    "description": "任务描述", "target": "工作目标", "lead_unit_id": "牵头单位",
    "leader": "分管领导", "start_date": "开始日期", "deadline": "完成时限",
    "deadline_note": "时限说明", "recurrence": "完成周期", "unit_ids": "责任单位",
}


def _changed_words(changed: set[str]) -> str:
    if not changed:
        return "无变化"
    return "、".join(FIELD_WORDS.get(k, k) for k in FIELD_WORDS if k in changed)


def _set_units(session: Session, task: Task, old: Sequence[int], new: Sequence[int]) -> None:
    by_unit = {a.unit_id: a for a in task.assignments}
    for uid in new:
        a = by_unit.get(uid)
        if a is None:
            task.assignments.append(Assignment(unit_id=uid))
        elif a.archived:
            a.archived = False  # a unit put back on a task gets its history back
    for uid in set(old) - set(new):
        a = by_unit[uid]
        if has_history(session, a.id):
            a.archived = True
        else:
            session.delete(a)
            task.assignments.remove(a)


def delete_task(session: Session, actor: Actor, task_id: int, expected_version: int) -> None:
    """Marks the task deleted; its history stays and the code becomes free again."""
    permissions.require(actor, "task.edit")
    task = load_task(session, task_id)
    if task.version != expected_version:
        raise _conflict(session, task, {"version": expected_version, "deleted": True})
    before = task_snapshot(session, task)
    task.deleted = True
    # The (campaign, code) unique constraint also covers deleted rows.
    task.code = f"{task.code}~删{task.id}"[:MAX_CODE]
    audit.record(session, actor, "task.delete", "task", task.id, task_id=task.id,
                 summary=f"删除任务 {before['code']} {task.title}", before=before,
                 after={"deleted": True})


def restore_task(session: Session, actor: Actor, task_id: int, code: str) -> None:
    """Undo a deletion, giving the task back its code (if still free)."""
    permissions.require(actor, "task.edit")
    task = session.get(Task, task_id)
    if task is None or not task.deleted:
        raise NotFound("没有可恢复的已删除任务。")
    if session.scalar(select(Task.id).where(Task.campaign_id == task.campaign_id,
                                            Task.code == code)):
        raise ValidationError(f"任务编号“{code}”已被其他任务使用，无法恢复。")
    task.deleted = False
    task.code = code
    audit.record(session, actor, "task.restore", "task", task.id, task_id=task.id,
                 summary=f"恢复已删除的任务 {code}", before={"deleted": True},
                 after={"deleted": False, "code": code})


def bulk_edit(session: Session, actor: Actor, task_ids: Sequence[int],
              change: BulkChange) -> int:
    """Apply one change to several tasks; all or nothing. Returns the number changed."""
    permissions.require(actor, "task.edit")
    if not task_ids:
        raise ValidationError("请先选择要批量修改的任务。")
    if change.is_empty:
        raise ValidationError("请至少选择一项要修改的内容。")
    tasks = [load_task(session, tid) for tid in task_ids]
    if change.set_deadline and change.deadline is not None:
        early = [t.code for t in tasks if change.deadline < t.start_date]
        if early:
            raise ValidationError(
                f"完成时限 {change.deadline:%Y-%m-%d} 早于以下任务的开始日期：{'、'.join(early)}。")
    ids = set(change.add_unit_ids) | ({change.lead_unit_id} if change.lead_unit_id else set())
    for uid in ids:
        unit = session.get(Unit, uid)
        if unit is None or not unit.active:
            raise ValidationError(f"单位不存在或已撤销（编号 {uid}）。")
    for task in tasks:
        before = task_snapshot(session, task)
        if change.leader is not None:
            task.leader = change.leader.strip()
        if change.set_deadline:
            task.deadline = change.deadline
            task.deadline_note = change.deadline_note.strip() if change.deadline is None else ""
            task.recurrence = ""
        if change.lead_unit_id is not None:
            task.lead_unit_id = change.lead_unit_id
        if change.add_unit_ids:
            old = active_unit_ids(session, task.id)
            _set_units(session, task, old, list(dict.fromkeys([*old, *change.add_unit_ids])))
        task.updated_at = local_now()
        flag_modified(task, "updated_at")
        session.flush()
        after = task_snapshot(session, task)
        changed = {k for k in after if after[k] != before[k]}
        audit.record(session, actor, "task.bulk_update", "task", task.id, task_id=task.id,
                     summary=f"批量修改任务 {task.code}：" + _changed_words(changed),
                     before={k: before[k] for k in changed},
                     after={k: after[k] for k in changed})
    return len(tasks)


def next_code(session: Session, campaign_id: int) -> str:
    """A code for a new task: one past the highest top-level number."""
    codes = session.scalars(select(Task.code).where(Task.campaign_id == campaign_id))
    top = [int(c.split(".")[0]) for c in codes if c.split(".")[0].isdigit()]
    return str(max(top, default=0) + 1)


__all__ = [
    "TaskInput", "BulkChange", "create_task", "update_task", "delete_task", "restore_task",
    "bulk_edit", "task_input_of", "units_with_history", "suggest_copy_code", "next_code",
    "load_task", "task_snapshot", "FIELD_WORDS",
]
