"""文件 → 生成通报…: choose the month or quarter, exemptions and the 下步工作要求, preview the
bulletin, then number it and save it as Word or PDF."""
from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from typing import Optional

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout,
    QLabel, QMessageBox, QPlainTextEdit, QPushButton, QSplitter, QTextBrowser, QVBoxLayout,
    QWidget,
)

from taskboard.core.bulletin import DEFAULT_REQUIREMENTS, bulletin_facts
from taskboard.core.errors import ValidationError
from taskboard.core.atomic import FileWriteError, commit, discard, stage
from taskboard.core.periods import Period, Quarter, period_range
from taskboard.core.services import bulletins
from taskboard.core.settings import load_calendar, load_settings
from taskboard.notify import bulletin as document
from taskboard.notify.documents import NoPdfFont
from taskboard.ui.common.context import AppContext
from taskboard.ui.common.ops import OpFailed, read, run_op

RENDER = {"docx": document.render_docx, "pdf": document.render_pdf}
FILTERS = {"docx": "Word 文档 (*.docx)", "pdf": "PDF 文件 (*.pdf)"}


class BulletinDialog(QDialog):
    def __init__(self, ctx: AppContext, campaign_id: int, campaign_name: str,
                 first: Period, period: Period, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("生成通报")
        self.ctx, self.campaign_id, self.campaign_name = ctx, campaign_id, campaign_name
        self.issued: list[tuple[str, Path]] = []
        self._previewed: Optional[tuple[tuple, dict]] = None
        today = ctx.today()
        last = max(first, Period.of(today))
        months = list(reversed(period_range(first, last)))

        self.kind = QComboBox()
        self.kind.addItem("月度通报", "month")
        self.kind.addItem("季度通报", "quarter")
        self.span = QComboBox()
        self.span.setObjectName("bulletinSpan")
        self._months = months
        self._spans: dict = {}
        self._quarters = list(dict.fromkeys(
            Quarter(p.year, (p.month - 1) // 3 + 1) for p in months))
        self.date = QDateEdit(QDate(today.year, today.month, today.day))
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.exempt = QPlainTextEdit()
        self.exempt.setObjectName("bulletinExempt")
        self.exempt.setPlaceholderText("每行一个：单位=理由（如 杭锦旗=承担抗旱救灾任务）")
        self.exempt.setFixedHeight(64)
        settings = read(ctx, load_settings)
        self.requirements = QPlainTextEdit(settings.bulletin_requirements or DEFAULT_REQUIREMENTS)
        self.requirements.setObjectName("bulletinRequirements")
        self.requirements.setFixedHeight(110)
        form = QFormLayout()
        form.addRow("通报类型", self.kind)
        form.addRow("月份 / 季度", self.span)
        form.addRow("成文日期", self.date)
        form.addRow("免于列入黑榜", self.exempt)
        form.addRow("下步工作要求", self.requirements)
        self.refresh = QPushButton("刷新预览")
        self.note = QLabel("预览中的文号为 □；印发时按年度顺序编号（不跳号），并记入下期考评的"
                           "通报表扬/批评。")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #4a5563;")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addLayout(form)
        left_layout.addWidget(self.refresh)
        left_layout.addWidget(self.note)
        left_layout.addStretch(1)

        self.preview = QTextBrowser()
        self.preview.setObjectName("bulletinPreview")
        split = QSplitter(Qt.Horizontal)
        split.addWidget(left)
        split.addWidget(self.preview)
        split.setSizes([360, 620])

        self.save_docx = QPushButton("印发并保存 Word…")
        self.save_docx.setObjectName("bulletinSaveDocx")
        self.save_pdf = QPushButton("印发并保存 PDF…")
        self.save_pdf.setObjectName("bulletinSavePdf")
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.save_docx)
        row.addWidget(self.save_pdf)
        row.addStretch(1)
        row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addLayout(row)
        self.resize(1100, 720)

        self.kind.currentIndexChanged.connect(self._fill_spans)
        self.span.currentIndexChanged.connect(self.update_preview)
        self.date.dateChanged.connect(self.update_preview)
        self.refresh.clicked.connect(self.update_preview)
        self.save_docx.clicked.connect(lambda: self.save("docx"))
        self.save_pdf.clicked.connect(lambda: self.save("pdf"))
        # Someone else's approval or report changes the figures: draft again.
        ctx.changes.changed.connect(lambda what: (what - {"bulletins"}) and self.update_preview())
        self._fill_spans(select=period)

    # --- choices ----------------------------------------------------------------------
    def _fill_spans(self, *_args, select: Optional[Period] = None) -> None:
        self.span.blockSignals(True)
        self.span.clear()
        items = self._months if self.kind.currentData() == "month" else self._quarters
        # Keyed by text: Qt's findData cannot compare Python objects.
        self._spans = {str(item): item for item in items}
        for item in items:
            self.span.addItem(item.label, str(item))
        if select is not None and select in items:
            self.span.setCurrentIndex(items.index(select))
        self.span.blockSignals(False)
        self.update_preview()

    def chosen_span(self):
        return self._spans.get(self.span.currentData())

    def issued_on(self) -> dt.date:
        d = self.date.date()
        return dt.date(d.year(), d.month(), d.day())

    def _request(self) -> tuple:
        """What the bulletin depends on, read from the widgets (the worker must not)."""
        return (self.chosen_span(), tuple(self.exempt.toPlainText().splitlines()),
                self.requirements.toPlainText().strip(), self.issued_on())

    def _facts(self, session, request: tuple) -> dict:
        span, exempt_lines, requirements, _issued_on = request
        settings = load_settings(session)
        exempt = bulletins.parse_exemptions(session, exempt_lines)
        facts = bulletin_facts(session, self.campaign_id, self.campaign_name, span,
                               self.ctx.today(), load_calendar(session), settings, exempt)
        facts["requirements"] = requirements or DEFAULT_REQUIREMENTS
        return facts

    # --- preview and issuing -------------------------------------------------------------
    def update_preview(self) -> None:
        """Recompute the draft off the UI thread; the preview shows it when it is ready."""
        request = self._request()
        if request[0] is None:
            return

        def work(session) -> dict:
            return bulletins.stamp(self._facts(session, request), load_settings(session),
                                   request[3], None)

        def done(snap: dict) -> None:
            self._previewed = (request, snap)
            self.preview.setHtml(document.render_html(snap))

        def failed(exc: Exception) -> None:
            self._previewed = None
            self.preview.setHtml(f"<p style='color:#c62828'>{html.escape(str(exc))}</p>")

        self.preview.setHtml("<p style='color:#4a5563'>正在生成预览……</p>")
        background = getattr(self.parent(), "background", None)
        if background is None:
            try:
                with self.ctx.db.session() as s:
                    done(work(s))
            except ValidationError as exc:
                failed(exc)
        else:
            background.run("bulletin-preview", work, done, failed)

    def save(self, kind: str, path: Optional[str] = None) -> Optional[Path]:
        span = self.chosen_span()
        if span is None:
            return None
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, "保存通报", f"通报_{span}.{kind}", FILTERS[kind])
            if not path:
                return None
        target = Path(path)
        if target.suffix.lower() != f".{kind}":
            target = target.with_name(target.name + f".{kind}")
        staged: list[Path] = []

        request = self._request()
        # The figures the user has just read are the ones issued (computed off the UI thread);
        # without a current preview they are computed here.
        previewed = self._previewed[1] if self._previewed and \
            self._previewed[0] == request else None

        def work(session):
            settings = load_settings(session)
            facts = previewed if previewed is not None else self._facts(session, request)
            snap = bulletins.issue(session, self.ctx.actor, facts, settings, request[3])
            try:
                staged.append(stage(target, RENDER[kind](snap)))
            except (FileWriteError, NoPdfFont) as exc:
                # Raised inside the transaction: the number is given back.
                raise ValidationError(str(exc)) from None
            return snap

        try:
            snap = run_op(self, self.ctx, work, ("bulletins",), title="通报未能印发")
        except OpFailed:
            for tmp in staged:
                discard(tmp)
            return None
        try:
            commit(staged[0], target)
        except FileWriteError as exc:
            QMessageBox.warning(self, "通报未能保存",
                                f"{snap['number_text']} 已印发，但文件未能保存：{exc}\n"
                                "可在修正后用相同内容再次保存。")
            return None
        self.issued.append((snap["number_text"], target))
        self.preview.setHtml(document.render_html(snap))
        self.note.setText(f"已印发 {snap['number_text']}，已保存到 {target}")
        return target
