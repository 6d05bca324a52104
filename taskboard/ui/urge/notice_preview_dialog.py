"""Preview urge notices before they are numbered and sent; view, save and print issued ones."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Optional, Sequence

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QGuiApplication, QTextDocument
from PySide6.QtWidgets import (
    QCheckBox, QDateEdit, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout,
    QLabel, QLineEdit, QListWidget, QMessageBox, QPushButton, QSplitter, QTextBrowser,
    QVBoxLayout, QWidget,
)

from taskboard.core import permissions
from taskboard.core.periods import Period
from taskboard.core.services import robot_channels, urge_delivery, urging
from taskboard.core.settings import BoardSettings, load_settings
from taskboard.notify import batch, delivery, documents, email, templates
from taskboard.ui.common.context import AppContext
from taskboard.ui.common.ops import OpFailed, read, run_op, tell_done
from taskboard.ui.urge.robot_attempts_view import RobotAttemptsView
from taskboard.ui.urge.robot_send import robot_checkbox, send_to_robots


class NoticePreviewDialog(QDialog):
    """Drafts (``plans``) become notices on 发出; an issued notice (``snapshot``) is shown as is."""

    def __init__(self, ctx: AppContext, *, campaign_id: Optional[int] = None,
                 period: Optional[Period] = None, plans: Sequence[urging.NoticePlan] = (),
                 snapshot: Optional[dict] = None, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.campaign_id, self.period = campaign_id, period
        self.plans = list(plans)
        self.issued: list[urging.IssuedNotice] = []
        self.results: list[delivery.DeliveryResult] = []
        self.robot_job = None
        self.settings: BoardSettings = read(ctx, load_settings)
        today = ctx.today()
        self.snapshots: list[dict]
        if snapshot is not None:
            self.snapshots = [snapshot]
            self.setWindowTitle(f"通知单 · {snapshot['number_text']}")
        else:
            self.setWindowTitle("催办通知单预览")
            reply_by = read(ctx, lambda s: urging.default_reply_by(s, today))
            self.reply_by = QDateEdit(QDate(reply_by.year, reply_by.month, reply_by.day))
            self.reply_by.setCalendarPopup(True)
            self.reply_by.setDisplayFormat("yyyy-MM-dd")
            self.reply_by.setMinimumDate(QDate(today.year, today.month, today.day))
            self.reply_by.dateChanged.connect(self._redraft)
            self.snapshots = self._drafts()

        self.units = QListWidget()
        self.units.setObjectName("noticeUnits")
        self.preview = QTextBrowser()
        self.preview.setObjectName("noticePreview")
        split = QSplitter(Qt.Horizontal)
        split.addWidget(self.units)
        split.addWidget(self.preview)
        split.setSizes([250, 650])
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        self.attempts_view = None
        if snapshot is not None and snapshot.get("notice_id"):
            attempts = read(ctx, lambda s: robot_channels.attempts(s, snapshot["notice_id"]))
            if attempts:
                self.attempts_view = RobotAttemptsView(attempts)
                layout.addWidget(self.attempts_view)

        files = QHBoxLayout()
        self.save_pdf = QPushButton("保存 PDF…")
        self.save_docx = QPushButton("保存 Word…")
        self.print_button = QPushButton("打印…")
        for b in (self.save_pdf, self.save_docx, self.print_button):
            files.addWidget(b)
        files.addStretch(1)
        self.save_pdf.clicked.connect(lambda: self._save("pdf"))
        self.save_docx.clicked.connect(lambda: self._save("docx"))
        self.print_button.clicked.connect(self._print)

        if snapshot is None:
            self._build_send_form(layout)
            self.print_button.setVisible(False)  # paper copies carry the final number
        layout.addLayout(files)
        buttons = QDialogButtonBox(QDialogButtonBox.Close if snapshot is not None
                                   else QDialogButtonBox.Cancel)
        buttons.rejected.connect(self.reject)
        for b in buttons.buttons():
            b.setText("关闭" if snapshot is not None else "取消")
        if snapshot is None:
            self.send_button = buttons.addButton(f"发出 {len(self.plans)} 份通知单",
                                                 QDialogButtonBox.AcceptRole)
            self.send_button.setObjectName("sendButton")
            self.send_button.clicked.connect(self.send)
            # Most offices file a paper copy of every notice: one click sends, one prints.
            self.send_print_button = buttons.addButton("发出并打印…", QDialogButtonBox.ActionRole)
            self.send_print_button.setObjectName("sendPrintButton")
            self.send_print_button.clicked.connect(self.send_and_print)
        layout.addWidget(buttons)

        self.units.currentRowChanged.connect(self._show)
        self._fill_units()
        self.resize(1000, 720)

    # --- drafts ------------------------------------------------------------------------------
    def _build_send_form(self, layout: QVBoxLayout) -> None:
        form = QFormLayout()
        form.addRow("回复期限：", self.reply_by)
        self.by_email = QCheckBox("同时通过电子邮件发送到各单位登记的邮箱（附 PDF 和 Word）")
        self.by_email.setObjectName("byEmail")
        try:
            email.smtp_config(self.settings, password="")
            self.by_email.setChecked(True)
        except email.EmailError as exc:
            self.by_email.setEnabled(False)
            self.by_email.setToolTip(str(exc))
            self.by_email.setText(self.by_email.text() + "（尚未配置邮件服务器）")
        form.addRow("送达方式：", self.by_email)
        self.by_robot = robot_checkbox(self.ctx, [p.unit_id for p in self.plans])
        form.addRow("", self.by_robot)
        form.addRow("", QLabel("通知单同时送达各单位报送员的“催办通知”页面，可阅读并回复。"))
        where = "“管理 → 系统设置…”的“办公室信息”页中设置"
        how = (f"请在{where}" if permissions.allowed(self.ctx.actor, "settings.edit")
               else f"请管理员在{where}")
        self.contact_warning = QLabel(templates.contact_warning(self.settings, how))
        self.contact_warning.setObjectName("contactWarning")
        self.contact_warning.setWordWrap(True)
        self.contact_warning.setStyleSheet("color:#b26a00")
        if self.contact_warning.text():
            form.addRow(self.contact_warning)
        else:
            self.contact_warning.setVisible(False)
        early = self.early_rows()
        self.early_label = QLabel()
        self.early_label.setObjectName("earlyNote")
        self.early_label.setWordWrap(True)
        self.early_label.setStyleSheet("color:#b26a00")
        if early:
            self.early_label.setText(f"{self._early_note()}。其中 {len(early)} 项任务仅因本期"
                                     "未报送而催办，发出前将请您确认。")
            form.addRow(self.early_label)
        else:
            self.early_label.setVisible(False)
        blocked = [r for p in self.plans for r in p.blocked]
        self.reason = QLineEdit()
        self.reason.setObjectName("overrideReason")
        self.reason.setPlaceholderText("如：市政府常务会议前须报齐")
        if blocked:
            warn = QLabel(f"其中 {len(blocked)} 项任务近期已催办过（减轻基层负担）。"
                          "如确需再次催办，请填写理由：")
            warn.setStyleSheet("color:#b26a00")
            warn.setWordWrap(True)
            form.addRow(warn)
            form.addRow("再次催办理由：", self.reason)
        else:
            self.reason.setVisible(False)
        supervise = [p for p in self.plans if p.kind == "supervise"]
        if supervise:
            note = QLabel(f"{len(supervise)} 个单位的任务已多次催办，将以督办通知单发出并抄送分管领导。")
            note.setStyleSheet("color:#c62828")
            form.addRow(note)
        layout.addLayout(form)

    def _early_note(self) -> str:
        due = self.plans[0].report_day if self.plans else None
        return urging.early_note(due, self.ctx.today()) if due else ""

    def early_rows(self) -> list[urging.ScreenRow]:
        """Rows urged only for a report that is not due yet."""
        due = self.plans[0].report_day if self.plans else None
        rows = [r for p in self.plans for r in p.rows]
        return urging.early_rows(rows, due, self.ctx.today()) if due else []

    def _confirm_early(self) -> bool:
        early = self.early_rows()
        if not early:
            return True
        first = early[0]
        answer = QMessageBox.question(
            self, "提前催办",
            f"{self._early_note()}。\n\n所选任务中有 {len(early)} 项仅因本期未报送而催办"
            f"（如 {first.unit_name} {first.code}）。确定现在就发出通知单吗？",
            QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
        return answer == QMessageBox.Yes

    def _drafts(self) -> list[dict]:
        reply_by = self.reply_by.date().toPython()
        today = self.ctx.today()
        out = []
        for plan in self.plans:
            number = f"{plan.kind_word}〔{today.year}〕  号（发出时编号）"
            snap = urging.notice_snapshot(plan, self.settings, self.period, today, reply_by,
                                          number)
            snap["sections"] = templates.compose(snap, self.settings)
            out.append(snap)
        return out

    def _redraft(self) -> None:
        self.snapshots = self._drafts()
        self._show(self.units.currentRow())

    def _fill_units(self) -> None:
        for i, snap in enumerate(self.snapshots):
            plan = self.plans[i] if self.plans else None
            mark = " ⚠" if plan is not None and plan.blocked else ""
            self.units.addItem(f"{snap['kind_word']} · {snap['unit']}（{len(snap['tasks'])} 项）"
                               f"{mark}")
        self.units.setCurrentRow(0)

    def _show(self, row: int) -> None:
        if 0 <= row < len(self.snapshots):
            self.preview.setHtml(documents.render_html(self.snapshots[row], self.settings))

    def current_snapshot(self) -> dict:
        return self.snapshots[max(0, self.units.currentRow())]

    # --- files and paper -----------------------------------------------------------------------
    def _save(self, kind: str) -> None:
        snap = self.current_snapshot()
        name, _ = QFileDialog.getSaveFileName(
            self, "保存通知单", f"{documents.file_stem(snap)}.{kind}",
            "PDF 文件 (*.pdf)" if kind == "pdf" else "Word 文档 (*.docx)")
        if name:
            self.save_to(Path(name), kind)

    def save_to(self, path: Path, kind: str) -> None:
        snap = self.current_snapshot()
        try:
            data = (documents.render_pdf(snap, self.settings) if kind == "pdf"
                    else documents.render_docx(snap, self.settings))
            batch.write(path, data)  # beside the target, then replaced: an old file survives
        except (batch.BatchError, documents.NoPdfFont) as exc:
            QMessageBox.warning(self, "保存失败", f"无法保存 {path.name}：{exc}")

    def _print(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.HighResolution)
        if QPrintDialog(printer, self).exec() != QDialog.Accepted:
            return
        doc = QTextDocument()
        doc.setHtml(documents.render_html(self.current_snapshot(), self.settings))
        doc.print_(printer)
        notice_id = self.current_snapshot()["notice_id"]
        try:
            run_op(self, self.ctx, lambda s: urge_delivery.mark_printed(s, self.ctx.actor, notice_id),
                   ("urges",))
        except OpFailed:
            pass

    def send_and_print(self) -> bool:
        """Send, then print every notice just numbered in one print job (the list's 打印全部)."""
        from taskboard.ui.urge.notice_batch import print_notices

        if not self.send():
            return False
        ids = [n.notice_id for n in self.issued]
        if print_notices(self.parentWidget() or self, self.ctx, ids) == len(ids):
            self.printed = ids
        return True  # sent either way; paper copies can be printed later from the list

    # --- sending -----------------------------------------------------------------------------
    def send(self) -> bool:
        """Number and store the notices, then e-mail them; True once the notices exist."""
        if not self._confirm_early():
            return False
        ids = [r.assignment_id for p in self.plans for r in p.rows]
        reply_by: dt.date = self.reply_by.date().toPython()
        by_email = self.by_email.isEnabled() and self.by_email.isChecked()
        reason = self.reason.text()
        settings = self.settings

        def work(s):
            return urging.issue_notices(
                s, self.ctx.actor, self.campaign_id, self.period, self.ctx.today(), ids,
                reply_by=reply_by, method="email" if by_email else "app",
                override_reason=reason,
                compose=lambda snap: templates.compose(snap, settings))

        try:
            self.issued = run_op(self, self.ctx, work, ("urges", "tasks"), title="无法发出通知单")
        except OpFailed:
            return False
        if by_email:
            self.results = send_by_email(self, self.ctx, [n.notice_id for n in self.issued])
        if self.by_robot.isEnabled() and self.by_robot.isChecked():
            self.robot_job = send_to_robots(self.parentWidget() or self, self.ctx,
                                            [n.notice_id for n in self.issued])
        self.accept()
        numbers = [n.number_text for n in self.issued]
        tell_done(self.parentWidget(), f"已发出 {len(numbers)} 份通知单"
                  + (f"（{numbers[0]}—{numbers[-1]}）" if len(numbers) > 1 else
                     f"（{numbers[0]}）" if numbers else ""))
        return True


def send_by_email(parent: QWidget, ctx: AppContext, notice_ids: list[int]
                  ) -> list[delivery.DeliveryResult]:
    """Send, then tell the dispatcher which units failed (those stay ready for a retry)."""
    QGuiApplication.setOverrideCursor(Qt.WaitCursor)
    try:
        results = delivery.email_notices(ctx.db, ctx.actor, notice_ids)
    except email.EmailError as exc:
        error = str(exc)
    else:
        error = ""
    finally:
        QGuiApplication.restoreOverrideCursor()
    if error:
        QMessageBox.warning(parent, "邮件未发送", error)
        return []
    ctx.changes.announce("urges")
    failed = [r for r in results if not r.ok]
    if failed:
        lines = "\n".join(f"· {r.number_text} {r.unit_name}：{r.message}" for r in failed)
        QMessageBox.warning(parent, "部分邮件发送失败",
                            f"{len(results) - len(failed)} 份已发送，{len(failed)} 份失败：\n"
                            f"{lines}\n\n失败的通知单仍可在系统内查看，可在“催办”页点“重发失败邮件”。")
    else:
        QMessageBox.information(parent, "邮件已发送", f"{len(results)} 份通知单已通过邮件发送。")
    return results
