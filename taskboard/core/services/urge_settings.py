"""Office settings for urging: the SMTP server (never its password) and the notice wording."""
from __future__ import annotations

from typing import Callable, Optional

from sqlalchemy.orm import Session

from taskboard.core import audit, permissions
from taskboard.core.actor import Actor
from taskboard.core.errors import ValidationError
from taskboard.core.settings import load_settings, save_setting

SECURITY = ("ssl", "starttls", "none")


def save_smtp(session: Session, actor: Actor, *, host: str, port: int, security: str,
              account: str, sender: str) -> None:
    permissions.require(actor, "settings.edit")
    host, account, sender = host.strip(), account.strip(), sender.strip()
    if security not in SECURITY:
        raise ValidationError(f"加密方式应为 SSL、STARTTLS 或不加密，收到：{security}")
    if not 0 < port < 65536:
        raise ValidationError(f"端口应在 1–65535 之间，收到：{port}")
    if host and "@" not in (sender or account):
        raise ValidationError("请填写发件人邮箱地址（如 ducha@example.gov.cn）。")
    if any(c.isspace() for c in host):
        raise ValidationError("服务器地址不能包含空格。")
    old = load_settings(session)
    values = {"smtp_host": host, "smtp_port": port, "smtp_security": security,
              "smtp_account": account, "smtp_sender": sender}
    for key, value in values.items():
        save_setting(session, key, value)
    audit.record(session, actor, "settings.smtp", "setting", summary="修改邮件服务器设置",
                 before={k: getattr(old, k) for k in values}, after=values)


def save_notice_template(session: Session, actor: Actor, kind: str, text: str,
                         check: Optional[Callable[[str], None]] = None) -> None:
    """An empty text goes back to the shipped wording; ``check`` raises on a bad template."""
    permissions.require(actor, "settings.edit")
    if kind not in ("urge", "supervise"):
        raise ValidationError(f"未知的通知单类型：{kind}")
    if text.strip() and check is not None:
        try:
            check(text)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
    key = f"{kind}_template"
    before = getattr(load_settings(session), key)
    save_setting(session, key, text if text.strip() else "")
    audit.record(session, actor, "settings.template", "setting",
                 summary=f"修改{'催办' if kind == 'urge' else '督办'}通知单模板",
                 before={key: before}, after={key: text})
