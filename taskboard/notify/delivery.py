"""Issuing and delivering notices: the glue between the urging service, the documents and
SMTP. Each e-mail is sent outside any database transaction and its result stored in its own
short transaction, so a failure leaves that notice undelivered and ready for a retry.
"""
from __future__ import annotations

import datetime as dt
import ssl
from dataclasses import dataclass
from typing import Callable, Iterable, Optional

from taskboard.core.actor import Actor
from taskboard.core.db import Database
from taskboard.core.periods import Period
from taskboard.core.services import urge_delivery, urging
from taskboard.core.settings import BoardSettings, load_settings
from taskboard.notify import documents, email, templates


@dataclass(frozen=True)
class DeliveryResult:
    notice_id: int
    number_text: str
    unit_name: str
    to: str
    ok: bool
    message: str


def issue(db: Database, actor: Actor, campaign_id: int, period: Period, today: dt.date,
          assignment_ids: Iterable[int], **kw) -> list[urging.IssuedNotice]:
    """Issue notices in one transaction, freezing the template wording into each."""
    with db.Session.begin() as s:
        settings = load_settings(s)
        return urging.issue_notices(
            s, actor, campaign_id, period, today, assignment_ids,
            compose=lambda snap: templates.compose(snap, settings), **kw)


def snapshot(db: Database, actor: Actor, notice_id: int) -> tuple[dict, BoardSettings]:
    with db.session() as s:
        return urge_delivery.load_snapshot(s, actor, notice_id), load_settings(s)


def subject(snap: dict) -> str:
    return f"{snap['number_text']} 关于{snap['period_label']}重点任务的{snap['kind_word']}通知"


def plain_text(snap: dict, settings: BoardSettings) -> str:
    s = templates.sections_of(snap, settings)
    lines = [s["title"], snap["number_text"], "", s["salutation"], "", s["opening"], ""]
    for row in documents.table_rows(snap, s):
        no, code, title, deadline, light, report, why, last = row
        lines.append(f"{no}. {code} {title}（完成时限 {deadline}，{light}，本期{report}，"
                     f"最近报送 {last}）：{why}")
    lines += ["", s["request"], "", s["signature"]]
    lines += [s[k] for k in ("contact", "cc") if s.get(k)]
    lines += ["", "附件为本通知单的 PDF 和 Word 文本。"]
    return "\n".join(lines)


def attachments(snap: dict, settings: BoardSettings) -> list[tuple[str, bytes, str, str]]:
    stem = documents.file_stem(snap)
    return [
        (f"{stem}.pdf", documents.render_pdf(snap, settings), "application", "pdf"),
        (f"{stem}.docx", documents.render_docx(snap, settings), "application",
         "vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ]


def email_notices(db: Database, actor: Actor, notice_ids: Iterable[int], *,
                  config: Optional[email.SmtpConfig] = None,
                  ssl_context: Optional[ssl.SSLContext] = None,
                  progress: Optional[Callable[[int, int], None]] = None,
                  ) -> list[DeliveryResult]:
    """Send each notice to its unit's e-mail address and record the outcome.

    Raises EmailError before sending anything when no server is configured.
    """
    ids = list(notice_ids)
    if config is None:
        with db.session() as s:
            config = email.smtp_config(load_settings(s))
    results = []
    for k, notice_id in enumerate(ids):
        if progress is not None:
            progress(k, len(ids))
        snap, settings = snapshot(db, actor, notice_id)
        to = snap.get("unit_email", "").strip()
        if snap.get("email_status") == "sent":
            results.append(DeliveryResult(notice_id, snap["number_text"], snap["unit"], to,
                                          True, "此前已发送"))
            continue
        if "@" not in to:
            error = f"{snap['unit']}未登记电子邮箱，请在单位信息中补充后重发。"
        else:
            try:
                message = email.build_message(config, to, subject(snap),
                                              plain_text(snap, settings),
                                              attachments(snap, settings))
                email.send(config, message, ssl_context)
                error = ""
            except (email.EmailError, documents.NoPdfFont) as exc:
                error = str(exc)
        with db.Session.begin() as s:
            urge_delivery.record_email_result(s, actor, notice_id, not error, error)
        results.append(DeliveryResult(notice_id, snap["number_text"], snap["unit"], to,
                                      not error, error or "已发送"))
    return results
