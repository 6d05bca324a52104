"""佐证材料: evidence files kept inside the database, addressed by SHA-256.

Keeping the bytes in the database (``evidence_blob``) means a shared PostgreSQL needs no
shared folder and a backup of the database is a backup of the evidence. The same file
attached twice is stored once. Names are made safe before they are ever written to disk.
"""
from __future__ import annotations

import hashlib
import mimetypes
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from taskboard.core.atomic import write_bytes
from taskboard.core.errors import NotFound, ValidationError
from taskboard.core.models import Evidence, EvidenceBlob

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FILES_PER_REPORT = 20
# Office documents, PDF/OFD, images and plain text: what units send as 佐证材料.
# Executables and scripts are refused outright.
ALLOWED_SUFFIXES = frozenset({
    ".pdf", ".ofd", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et", ".ppt", ".pptx",
    ".dps", ".txt", ".csv", ".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff",
    ".zip", ".rar", ".7z",
})
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                       *(f"LPT{i}" for i in range(1, 10))})
MAX_NAME = 120


@dataclass(frozen=True)
class EvidenceInfo:
    evidence_id: int
    report_id: int
    filename: str
    sha256: str
    size: int
    mime_type: str

    @property
    def size_text(self) -> str:
        if self.size < 1024:
            return f"{self.size} B"
        if self.size < 1024 * 1024:
            return f"{self.size / 1024:.0f} KB"
        return f"{self.size / 1024 / 1024:.1f} MB"


def safe_name(name: str) -> str:
    """A file name that cannot escape a folder or upset Windows: no separators, no control
    characters, no reserved device names, no leading dots, length-limited, suffix kept."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = _UNSAFE.sub("_", name).strip().strip(".").strip()
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    if stem.upper() in _RESERVED or not stem:
        stem = f"_{stem}" if stem else "文件"
    suffix = suffix[:10]
    stem = stem[: MAX_NAME - len(suffix) - 1]
    return f"{stem}.{suffix}" if suffix else stem


def check_file(path: Path) -> None:
    """Refuse a file before anything is stored (kind, size, readability)."""
    path = Path(path)
    if not path.is_file():
        raise ValidationError(f"佐证材料不存在或不是文件：{path.name}")
    suffix = path.suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        allowed = " ".join(sorted(s.lstrip(".") for s in ALLOWED_SUFFIXES))
        raise ValidationError(
            f"不支持的佐证材料类型：{path.name}（允许的类型：{allowed}）")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ValidationError(
            f"佐证材料过大：{path.name}（{size / 1024 / 1024:.1f} MB，上限 "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB）")
    if size == 0:
        raise ValidationError(f"佐证材料是空文件：{path.name}")


def attach(session: Session, report_id: int, path: Path) -> int:
    """Store one file for a report; returns the evidence id."""
    path = Path(path)
    check_file(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"无法读取佐证材料 {path.name}：{exc.strerror}") from None
    digest = hashlib.sha256(data).hexdigest()
    if session.get(EvidenceBlob, digest) is None:
        session.add(EvidenceBlob(sha256=digest, data=data))
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    ev = Evidence(report_id=report_id, filename=safe_name(path.name), sha256=digest,
                  size=len(data), mime_type=mime)
    session.add(ev)
    session.flush()
    return ev.id


def list_for_reports(session: Session, report_ids: list[int]) -> dict[int, list[EvidenceInfo]]:
    out: dict[int, list[EvidenceInfo]] = {}
    if not report_ids:
        return out
    for e in session.scalars(select(Evidence).where(Evidence.report_id.in_(report_ids))
                             .order_by(Evidence.id)):
        out.setdefault(e.report_id, []).append(EvidenceInfo(
            e.id, e.report_id, e.filename, e.sha256, e.size, e.mime_type))
    return out


def read(session: Session, evidence_id: int) -> tuple[str, bytes]:
    ev = session.get(Evidence, evidence_id)
    blob = session.get(EvidenceBlob, ev.sha256) if ev else None
    if ev is None or blob is None:
        raise NotFound("佐证材料不存在。")
    if hashlib.sha256(blob.data).hexdigest() != ev.sha256:
        raise ValidationError(f"佐证材料 {ev.filename} 已损坏（校验值不符）。")
    return ev.filename, blob.data


def export_copy(session: Session, evidence_id: int, folder: Path) -> Path:
    """Write the file under ``folder/<hash prefix>/<safe name>`` for the system viewer."""
    name, data = read(session, evidence_id)
    ev = session.get(Evidence, evidence_id)
    target_dir = Path(folder) / ev.sha256[:16]
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / safe_name(name)
    if not target.exists() or target.stat().st_size != len(data):
        write_bytes(target, data)
    return target
