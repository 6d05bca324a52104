"""Who may do what: one table, enforced in the services (the UI only hides what it can't do)."""
from __future__ import annotations

from typing import Optional

from taskboard.core.actor import Actor
from taskboard.core.errors import PermissionDenied

ADMIN, DISPATCHER, REPORTER, LEADER = "admin", "dispatcher", "reporter", "leader"
ALL = frozenset({ADMIN, DISPATCHER, REPORTER, LEADER})
OFFICE = frozenset({ADMIN, DISPATCHER})

# Operations a reporter may do only for their own unit are marked in UNIT_SCOPED.
PERMISSIONS: dict[str, frozenset[str]] = {
    "board.view": ALL,
    "task.edit": OFFICE,
    "task.close": OFFICE,
    "report.submit": frozenset({ADMIN, DISPATCHER, REPORTER}),
    "report.review": OFFICE,
    "feedback.write": OFFICE,
    "feedback.answer": frozenset({ADMIN, DISPATCHER, REPORTER}),
    "urge.send": OFFICE,
    "urge.answer": frozenset({ADMIN, DISPATCHER, REPORTER}),
    "bulletin.issue": OFFICE,
    "import": OFFICE,
    "export": frozenset({ADMIN, DISPATCHER, LEADER}),
    "unit.manage": OFFICE,
    "campaign.manage": OFFICE,
    "user.manage": frozenset({ADMIN}),
    "settings.edit": frozenset({ADMIN}),
    "audit.view": frozenset({ADMIN}),
    "backup": frozenset({ADMIN}),
}
UNIT_SCOPED = frozenset({"report.submit", "feedback.answer", "urge.answer"})

OPERATION_WORDS = {
    "board.view": "查看任务", "task.edit": "编辑任务", "task.close": "办结销号",
    "report.submit": "报送进展", "report.review": "审核报送", "feedback.write": "任务反馈",
    "feedback.answer": "回复反馈", "urge.send": "催办", "urge.answer": "回复催办",
    "bulletin.issue": "印发通报", "import": "导入", "export": "导出", "unit.manage": "管理单位",
    "campaign.manage": "管理专项工作", "user.manage": "管理用户", "settings.edit": "修改设置",
    "audit.view": "查看操作日志", "backup": "备份与恢复",
}


def allowed(actor: Actor, operation: str, unit_id: Optional[int] = None) -> bool:
    roles = PERMISSIONS.get(operation)
    if roles is None:
        raise KeyError(f"unknown operation: {operation}")
    if actor.role not in roles:
        return False
    if actor.role == REPORTER and operation in UNIT_SCOPED:
        return unit_id is not None and unit_id == actor.unit_id
    return True


def require(actor: Actor, operation: str, unit_id: Optional[int] = None) -> None:
    if not allowed(actor, operation, unit_id):
        word = OPERATION_WORDS.get(operation, operation)
        if actor.role == REPORTER and operation in UNIT_SCOPED:
            raise PermissionDenied(f"报送员只能为本单位{word}。")
        raise PermissionDenied(f"当前账号（{actor.display_name}）没有“{word}”的权限。")
