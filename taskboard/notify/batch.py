"""A month's notices at once: one PDF or one .docx holding every notice chosen, for the 打印全部 /
导出全部 buttons and for ``taskboard notices``."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Optional, Sequence

from taskboard.core.atomic import FileWriteError, write_bytes
from taskboard.core.actor import Actor
from taskboard.core.db import Database
from taskboard.core.services import urge_delivery, urge_inbox
from taskboard.core.settings import load_settings
from taskboard.notify import documents

KINDS = {".pdf": "pdf", ".docx": "docx"}


class BatchError(Exception):
    """Said to the user as it is (Chinese)."""


def notices_of(db: Database, actor: Actor, period: str,
               units: Sequence[str] = ()) -> list[urge_inbox.NoticeRow]:
    """The period's notices the actor may see, optionally of the named units, oldest first
    (the order they were numbered and filed in)."""
    with db.session() as s:
        rows = urge_inbox.list_notices(s, actor, period=period)
    if units:
        known = {r.unit_name for r in rows}
        unknown = [u for u in units if u not in known]
        if unknown:
            raise BatchError(f"{period} 没有发给{'、'.join(unknown)}的通知单。")
        rows = [r for r in rows if r.unit_name in set(units)]
    return sorted(rows, key=lambda r: (r.issued_at, r.notice_id))


def render(db: Database, actor: Actor, notice_ids: Iterable[int], kind: str) -> bytes:
    """Every notice in ``notice_ids``, in that order, as one PDF or one .docx."""
    with db.session() as s:
        snaps = [urge_delivery.load_snapshot(s, actor, i) for i in notice_ids]
        settings = load_settings(s)
    if not snaps:
        raise BatchError("没有选中任何通知单。")
    if kind == "pdf":
        return documents.render_pdf_many(snaps, settings)
    return documents.render_docx_many(snaps, settings)


def kind_of(path: Path) -> str:
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        raise BatchError(f"文件应以 .pdf 或 .docx 结尾：{path.name}")
    return kind


def write(path: Path, data: bytes) -> None:
    """Write beside the target, then replace it: a failure leaves the old file as it was."""
    path = Path(path)
    if not path.parent.is_dir():
        raise BatchError(f"文件夹不存在：{path.parent}")
    try:
        write_bytes(path, data)  # the program's one atomic write
    except FileWriteError as exc:
        raise BatchError(str(exc)) from None


def export(db: Database, actor: Actor, notice_ids: Sequence[int], path: Path,
           kind: Optional[str] = None) -> Path:
    write(path, render(db, actor, notice_ids, kind or kind_of(path)))
    return Path(path)
