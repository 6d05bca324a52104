"""打印全部 / 导出全部: many notices to one file or one print job.

Rendering a month's notices takes a second or more, so the export runs on a worker thread and
reports back through a signal; printing goes through Qt's print dialog on the UI thread, one
notice per page group, and records each notice as printed.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Optional, Sequence

from PySide6.QtCore import QMarginsF, QObject, QSizeF, Signal
from PySide6.QtGui import QPageLayout, QPageSize, QTextDocument
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget

from taskboard.core.errors import ServiceError
from taskboard.core.services import urge_delivery
from taskboard.core.settings import load_settings
from taskboard.notify import batch, documents
from taskboard.ui.common.context import AppContext
from taskboard.ui.common.ops import OpFailed, read, run_op


class NoticeExportJob(QObject):
    """One export on a worker thread; ``finished`` carries (path, error message or "")."""

    finished = Signal(object, str)

    def __init__(self, ctx: AppContext, notice_ids: Sequence[int], path: Path,
                 parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self.ctx, self.ids, self.path = ctx, list(notice_ids), Path(path)
        self.error = ""

    def start(self) -> None:
        threading.Thread(target=self._run, name="notice-export", daemon=True).start()

    def _run(self) -> None:
        try:
            batch.export(self.ctx.db, self.ctx.actor, self.ids, self.path)
        except (batch.BatchError, ServiceError, documents.NoPdfFont) as exc:
            self.error = str(exc)
        except Exception as exc:  # a database that went away: said, not raised on a thread
            self.error = f"导出失败：{exc}"
        self.finished.emit(self.path, self.error)


def ask_path(parent: QWidget, count: int, period_label: str) -> Optional[Path]:
    name, chosen = QFileDialog.getSaveFileName(
        parent, f"导出 {count} 份通知单", f"{period_label}催办通知单.pdf",
        "PDF 文件（A4，每份另起一页） (*.pdf);;Word 文档 (*.docx)")
    if not name:
        return None
    path = Path(name)
    if path.suffix.lower() not in batch.KINDS:
        path = path.with_suffix(".docx" if "docx" in chosen else ".pdf")
    return path


def export_notices(parent: QWidget, ctx: AppContext, notice_ids: Sequence[int],
                   path: Path) -> Optional[NoticeExportJob]:
    if not notice_ids:
        QMessageBox.information(parent, "导出通知单", "列表中没有通知单。")
        return None
    try:
        batch.kind_of(path)
    except batch.BatchError as exc:
        QMessageBox.warning(parent, "导出通知单", str(exc))
        return None
    job = NoticeExportJob(ctx, notice_ids, path, parent)

    def done(where: Path, error: str) -> None:
        if error:
            QMessageBox.warning(parent, "导出失败", f"通知单未导出：{error}")
        else:
            QMessageBox.information(parent, "导出完成",
                                    f"已把 {len(job.ids)} 份通知单导出到\n{where}")

    job.finished.connect(done)
    job.start()
    return job


def batch_html(ctx: AppContext, notice_ids: Sequence[int]) -> str:
    """Every notice's page, each starting a new sheet of paper."""
    def work(s):
        settings = load_settings(s)
        return [documents.render_print_html(urge_delivery.load_snapshot(s, ctx.actor, i),
                                            settings) for i in notice_ids]

    breaks = '<div style="page-break-before:always"></div>'
    return f"<html><body>{breaks.join(read(ctx, work))}</body></html>"


def print_notices(parent: QWidget, ctx: AppContext, notice_ids: Sequence[int],
                  printer=None) -> int:
    """Print every notice; each one printed is recorded (已打印). Returns how many."""
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    if not notice_ids:
        QMessageBox.information(parent, "打印通知单", "列表中没有通知单。")
        return 0
    if printer is None:
        printer = QPrinter(QPrinter.HighResolution)
        printer.setPageLayout(QPageLayout(
            QPageSize(QPageSize.A4), QPageLayout.Portrait,
            QMarginsF(documents.LEFT_MM, documents.TOP_MM, documents.RIGHT_MM,
                      documents.BOTTOM_MM), QPageLayout.Millimeter))
        if QPrintDialog(printer, parent).exec() != QDialog.Accepted:
            return 0
    doc = QTextDocument()
    # Laid out on the printer's own page, without the 2 cm Qt adds around a document that has
    # no page size: the printer's margins are GB/T 9704's.
    doc.documentLayout().setPaintDevice(printer)
    doc.setPageSize(QSizeF(printer.pageRect(QPrinter.DevicePixel).size()))
    doc.setDocumentMargin(0)
    doc.setHtml(batch_html(ctx, notice_ids))
    doc.print_(printer)
    ids = list(notice_ids)
    try:
        run_op(parent, ctx, lambda s: [urge_delivery.mark_printed(s, ctx.actor, i) for i in ids],
               ("urges",))
    except OpFailed:
        return 0
    return len(ids)
