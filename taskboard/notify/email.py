"""Sending notices over SMTP (SSL, STARTTLS or plain), with Chinese subjects and attachments.

The server, port, security and account live in the office settings; the password never goes
into the database. It comes from the TASKBOARD_SMTP_PASSWORD environment variable or, failing
that, from ``smtp_password`` in the user's own config directory (platformdirs), written with
0600 permissions.
"""
from __future__ import annotations

import os
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path
from typing import Iterable, Optional

import platformdirs

from taskboard.core.atomic import atomic_write
from taskboard.core.settings import BoardSettings

ENV_PASSWORD = "TASKBOARD_SMTP_PASSWORD"
SECURITY = {"ssl": "SSL/TLS", "starttls": "STARTTLS", "none": "不加密"}
TIMEOUT_SECONDS = 20


class EmailError(Exception):
    """Mail that could not be sent; the message is for the user, in Chinese."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str
    account: str
    sender: str
    password: str = ""
    sender_name: str = ""

    def __repr__(self) -> str:  # never print the password
        return f"SmtpConfig({self.host}:{self.port}, {self.security}, {self.account!r})"


def password_file() -> Path:
    return Path(platformdirs.user_config_dir("taskboard", appauthor=False)) / "smtp_password"


def load_password() -> str:
    env = os.environ.get(ENV_PASSWORD)
    if env:
        return env
    try:
        return password_file().read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def save_password(password: str) -> Path:
    """Store the password for this user only (0600); an empty password removes the file."""
    path = password_file()
    if not password:
        path.unlink(missing_ok=True)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    # Never readable by others, not even for a moment: the temporary file is made 0600.
    with atomic_write(path, mode=0o600) as f:
        f.write(password.encode("utf-8"))
    return path


def smtp_config(settings: BoardSettings, password: Optional[str] = None) -> SmtpConfig:
    """The configured server, or EmailError saying what is missing."""
    if not settings.smtp_host.strip():
        raise EmailError("尚未配置邮件服务器：请由管理员在“催办 → 邮件服务器设置”中填写"
                         "服务器地址、端口、加密方式和发件账号。")
    if settings.smtp_security not in SECURITY:
        raise EmailError(f"邮件加密方式无效：{settings.smtp_security}（应为 ssl、starttls 或 none）")
    if not 0 < settings.smtp_port < 65536:
        raise EmailError(f"邮件服务器端口无效：{settings.smtp_port}")
    sender = settings.smtp_sender.strip() or settings.smtp_account.strip()
    if "@" not in sender:
        raise EmailError("尚未填写发件人邮箱地址。")
    return SmtpConfig(host=settings.smtp_host.strip(), port=settings.smtp_port,
                      security=settings.smtp_security, account=settings.smtp_account.strip(),
                      sender=sender,
                      password=load_password() if password is None else password,
                      sender_name=settings.office_name)


def build_message(config: SmtpConfig, to: str, subject: str, text: str,
                  attachments: Iterable[tuple[str, bytes, str, str]] = ()) -> EmailMessage:
    """Attachments are (filename, data, maintype, subtype); Chinese names are RFC 2231 encoded."""
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = formataddr((config.sender_name, config.sender)) if config.sender_name \
        else config.sender
    msg["To"] = to
    msg["Message-ID"] = make_msgid(domain=config.sender.rpartition("@")[2] or None)
    msg.set_content(text)
    for filename, data, maintype, subtype in attachments:
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg


def send(config: SmtpConfig, message: EmailMessage,
         ssl_context: Optional[ssl.SSLContext] = None) -> None:
    """Deliver one message; every failure becomes an EmailError with a Chinese explanation."""
    where = f"{config.host}:{config.port}"
    context = ssl_context or ssl.create_default_context()
    try:
        if config.security == "ssl":
            client = smtplib.SMTP_SSL(config.host, config.port, timeout=TIMEOUT_SECONDS,
                                      context=context)
        else:
            client = smtplib.SMTP(config.host, config.port, timeout=TIMEOUT_SECONDS)
        with client:
            if config.security == "starttls":
                client.starttls(context=context)
                client.ehlo()
            if config.account and config.password:
                client.login(config.account, config.password)
            client.send_message(message)
    except ConnectionRefusedError:
        raise EmailError(f"无法连接邮件服务器 {where}：连接被拒绝，请检查地址和端口。") from None
    except (socket.timeout, TimeoutError):
        raise EmailError(f"连接邮件服务器 {where} 超时。") from None
    except socket.gaierror:
        raise EmailError(f"找不到邮件服务器 {config.host}，请检查服务器地址。") from None
    except smtplib.SMTPNotSupportedError:
        raise EmailError(f"邮件服务器 {where} 不支持 STARTTLS，请改用 SSL 或联系管理员。") from None
    except smtplib.SMTPAuthenticationError:
        raise EmailError("邮件服务器拒绝登录：请检查发件账号和密码。") from None
    except smtplib.SMTPRecipientsRefused as exc:
        detail = "; ".join(f"{a}: {c} {m.decode(errors='replace')}"
                           for a, (c, m) in exc.recipients.items())
        raise EmailError(f"收件地址被邮件服务器拒收（{detail}）。") from None
    except smtplib.SMTPSenderRefused as exc:
        raise EmailError(f"发件地址被邮件服务器拒绝：{exc.smtp_code} "
                         f"{exc.smtp_error.decode(errors='replace')}") from None
    except smtplib.SMTPServerDisconnected:
        raise EmailError(f"邮件服务器 {where} 中途断开了连接，邮件未发出。") from None
    except smtplib.SMTPResponseException as exc:
        raise EmailError(f"邮件服务器拒绝了邮件：{exc.smtp_code} "
                         f"{exc.smtp_error.decode(errors='replace')}") from None
    except ssl.SSLError as exc:
        raise EmailError(f"与邮件服务器 {where} 建立加密连接失败：{exc.reason or exc}。"
                         "请检查加密方式（SSL 或 STARTTLS）和端口。") from None
    except smtplib.SMTPException as exc:
        raise EmailError(f"发送邮件失败：{exc}") from None
    except OSError as exc:
        raise EmailError(f"无法连接邮件服务器 {where}：{exc.strerror or exc}") from None
