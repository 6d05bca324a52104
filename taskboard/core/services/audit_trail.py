"""操作日志: administrators browse, filter and export the audit trail."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from taskboard.core.actor import Actor
from taskboard.core.models import AuditEvent, Task, User
from taskboard.core.permissions import require

MAX_ROWS = 5000

# The words the viewer shows; unknown actions are shown as they are stored.
ACTION_WORDS = {
    "login": "登录", "login.failed": "登录失败", "user.locked": "账号锁定",
    "user.create": "新建用户", "user.create_admin": "创建管理员", "user.update": "修改用户",
    "user.activate": "启用用户", "user.deactivate": "停用用户", "user.unlock": "解锁用户",
    "user.password_changed": "修改密码", "user.password_reset": "重置密码",
    "task.create": "新建任务", "task.update": "修改任务", "task.bulk_update": "批量修改任务",
    "task.delete": "删除任务", "task.restore": "恢复任务", "task.close": "任务销号",
    "task.reopen": "重新打开任务", "assignment.close": "单位办结",
    "assignment.reopen": "单位重新打开", "report.submit": "报送", "report.revise": "修改报送",
    "report.approve": "审核通过", "report.return": "审核退回",
    "report.review.undo": "撤销审核", "task.close.undo": "撤销销号",
    "assignment.close.undo": "撤销单位办结", "evidence.add": "添加佐证材料",
    "feedback.write": "任务反馈", "feedback.reply": "回复反馈", "feedback.resolve": "反馈已解决",
    "urge.issue": "发出催办通知", "urge.email": "邮件催办", "urge.print": "打印通知",
    "urge.phone": "电话催办", "urge.record": "催办记录", "urge.read": "催办已读",
    "urge.answer": "回复催办", "unit.create": "新建单位", "unit.update": "修改单位",
    "unit.retire": "撤销单位", "campaign.create": "新建专项工作",
    "campaign.update": "修改专项工作", "campaign.archive": "归档专项工作",
    "settings.smtp": "邮件设置", "settings.template": "通知模板", "demo.generate": "生成演示数据",
}


def action_word(action: str) -> str:
    return ACTION_WORDS.get(action, action)


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: dt.datetime
    user_name: str
    action: str
    entity: str
    entity_id: Optional[int]
    task_code: str
    summary: str
    before: str
    after: str

    @property
    def action_word(self) -> str:
        return action_word(self.action)


@dataclass(frozen=True)
class AuditFilter:
    user_id: Optional[int] = None
    date_from: Optional[dt.date] = None
    date_to: Optional[dt.date] = None  # inclusive
    task_code: str = ""
    action: str = ""  # an action, or a prefix such as "report."
    text: str = ""  # searched in the summary
    limit: int = MAX_ROWS


def query(session: Session, actor: Actor, f: AuditFilter = AuditFilter()) -> list[AuditRow]:
    """Newest first, at most ``f.limit`` rows."""
    require(actor, "audit.view")
    q = (select(AuditEvent, User.display_name, User.username, Task.code)
         .outerjoin(User, User.id == AuditEvent.user_id)
         .outerjoin(Task, Task.id == AuditEvent.task_id))
    conds = []
    if f.user_id is not None:
        conds.append(AuditEvent.user_id == f.user_id)
    if f.date_from is not None:
        conds.append(AuditEvent.at >= dt.datetime.combine(f.date_from, dt.time()))
    if f.date_to is not None:
        conds.append(AuditEvent.at < dt.datetime.combine(f.date_to + dt.timedelta(days=1),
                                                         dt.time()))
    if f.task_code.strip():
        conds.append(Task.code == f.task_code.strip())
    if f.action:
        conds.append(AuditEvent.action.startswith(f.action, autoescape=True)
                     if f.action.endswith(".") else AuditEvent.action == f.action)
    if f.text.strip():
        conds.append(AuditEvent.summary.contains(f.text.strip(), autoescape=True))
    if conds:
        q = q.where(and_(*conds))
    q = q.order_by(AuditEvent.id.desc()).limit(max(1, f.limit))
    return [AuditRow(e.id, e.at, name or login or ("系统" if e.user_id is None else ""),
                     e.action, e.entity, e.entity_id, code or "", e.summary or "",
                     e.before or "", e.after or "")
            for e, name, login, code in session.execute(q)]


def known_actions(session: Session, actor: Actor) -> list[str]:
    require(actor, "audit.view")
    return sorted(session.scalars(select(AuditEvent.action).distinct()))
