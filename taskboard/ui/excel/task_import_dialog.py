"""导入任务清单: preview every row, settle unknown units, then import all or nothing."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout,
    QHeaderView, QLabel, QLineEdit, QMessageBox, QPlainTextEdit, QPushButton, QScrollArea,
    QSizePolicy, QTableView, QVBoxLayout, QWidget,
)
from sqlalchemy import select

from taskboard.core.errors import ServiceError
from taskboard.core.models import Campaign, Unit
from taskboard.excel.task_import import (
    CREATE, ImportPreview, account_lines, apply_import, preview_import,
)
from taskboard.ui.common.context import AppContext
from taskboard.ui.excel.import_preview_model import WIDTHS, ImportPreviewTableModel, message_lines
from taskboard.ui.common.ops import OpFailed, read, run_op

UNSET = None
AUTO_SHEET = "自动（第一个有表头的工作表）"


class TaskImportDialog(QDialog):
    def __init__(self, ctx: AppContext, campaign_id: Optional[int] = None,
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.preview: Optional[ImportPreview] = None
        self.result = None
        self.unit_boxes: dict[str, QComboBox] = {}
        self.setWindowTitle("导入任务清单")
        self.resize(1180, 720)

        self.path = QLineEdit()
        self.path.setPlaceholderText("选择方案的任务清单（.xlsx）")
        # Sheets of another file mean nothing: a new path starts again from the automatic choice.
        self.path.textChanged.connect(lambda _: self._set_sheets(()))
        self.sheet = QComboBox()
        self.sheet.setToolTip("清单不在第一个工作表时，在这里选择")
        self.sheet.addItem(AUTO_SHEET, None)
        self.sheet.activated.connect(lambda _: self.load_preview())
        browse = QPushButton("选择文件…")
        browse.clicked.connect(self._browse)
        self.campaign = QComboBox()
        self.campaign.setEditable(True)
        self.campaign.setToolTip("选择已有专项工作，或输入新名称以新建")
        campaigns = read(ctx, lambda s: s.execute(
            select(Campaign.id, Campaign.name).where(Campaign.archived.is_(False))
            .order_by(Campaign.start_date.desc())).all())
        for cid, name in campaigns:
            self.campaign.addItem(name, cid)
        if campaign_id is not None:
            self.campaign.setCurrentIndex(max(0, self.campaign.findData(campaign_id)))
        self.preview_button = QPushButton("预览")
        self.preview_button.clicked.connect(self.load_preview)
        top = QHBoxLayout()
        top.addWidget(self.path, 1)
        top.addWidget(browse)
        form = QFormLayout()
        form.addRow("清单文件", top)
        form.addRow("工作表", self.sheet)
        camp_row = QHBoxLayout()
        camp_row.addWidget(self.campaign, 1)
        camp_row.addWidget(self.preview_button)
        form.addRow("导入到专项工作", camp_row)

        self.summary = QLabel("选择文件后点“预览”。预览不写入任何数据。")
        self.summary.setWordWrap(True)
        # Up to four wrapped lines (counts, notes, the all-or-nothing hint) must never be cut.
        self.summary.setMinimumHeight(self.summary.fontMetrics().lineSpacing() * 4 + 8)
        self.summary.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        self.model = ImportPreviewTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("importPreview")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Interactive)
        for col, width in enumerate(WIDTHS):
            self.table.setColumnWidth(col, width)
        header.setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._show_detail)
        # The selected row's problems in full, wrapped: a table cell only ever shows one line.
        self.detail = QPlainTextEdit()
        self.detail.setObjectName("importDetail")
        self.detail.setReadOnly(True)
        self.detail.setPlaceholderText("选中一行，在这里查看它的全部错误与提示。")
        self.detail.setFixedHeight(self.detail.fontMetrics().lineSpacing() * 5 + 16)
        # Which column went into which field, which were left out and why, which rows became
        # categories or were skipped: nothing in the file is dropped without a word.
        self.account = QPlainTextEdit()
        self.account.setObjectName("importAccount")
        self.account.setReadOnly(True)
        self.account.setPlaceholderText("预览后在这里列出每一列读入的字段、未读入的列和未作为任务的行。")
        self.account.setFixedHeight(self.detail.height())

        self.units_box = QGroupBox("未知单位：请逐个指定“新建”或对应的已有单位")
        self.units_form = QFormLayout()
        inner = QWidget()
        inner.setLayout(self.units_form)
        self.units_scroll = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        scroll.setMaximumHeight(150)
        create_all = QPushButton("其余全部新建")
        create_all.clicked.connect(self._create_rest)
        box_layout = QVBoxLayout(self.units_box)
        box_layout.addWidget(scroll)
        box_layout.addWidget(create_all, 0, Qt.AlignRight)
        self.units_box.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Maximum)
        self.units_box.hide()

        self.import_button = QPushButton("确认导入")
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.confirm)
        close = QPushButton("关闭")
        close.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.import_button)
        bottom.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        panes = QHBoxLayout()
        panes.addWidget(self.detail, 1)
        panes.addWidget(self.account, 1)
        layout.addLayout(panes)
        layout.addWidget(self.units_box)
        layout.addLayout(bottom)

    def _browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "选择任务清单", self.path.text(),
                                              "Excel 工作簿 (*.xlsx *.xlsm);;所有文件 (*)")
        if name:
            self.path.setText(name)
            self.load_preview()

    def campaign_ref(self) -> str:
        text = self.campaign.currentText().strip()
        data = self.campaign.currentData()
        if data is not None and self.campaign.itemText(self.campaign.currentIndex()) == text:
            return str(data)
        return text

    def load_preview(self) -> None:
        text = self.path.text().strip()
        if not text:
            QMessageBox.warning(self, "无法预览", "请先选择任务清单文件。")
            return
        sheet = self.sheet.currentData()
        try:
            preview = read(self.ctx, lambda s: preview_import(
                s, Path(text), self.campaign_ref(), today=self.ctx.today(), sheet=sheet))
        except ServiceError as exc:
            self.preview = None
            self.model.set_rows([])
            self.detail.clear()
            self.summary.setText(f"无法读取：{exc}")
            self.import_button.setEnabled(False)
            self.units_box.hide()
            QMessageBox.warning(self, "无法读取清单", str(exc))
            return
        self.show_preview(preview)

    def _set_sheets(self, names, current: Optional[str] = None) -> None:
        self.sheet.blockSignals(True)
        while self.sheet.count() > 1:
            self.sheet.removeItem(1)
        for name in names:
            self.sheet.addItem(name, name)
        self.sheet.setCurrentIndex(max(0, self.sheet.findData(current)) if current else 0)
        self.sheet.blockSignals(False)

    def _show_detail(self, current, _previous=None) -> None:
        r = self.model.row_at(current.row()) if current.isValid() else None
        if r is None:
            self.detail.clear()
            return
        lines = message_lines(r) or ["这一行没有错误或提示。"]
        measures, _, remark = r.description.partition("备注：")
        if measures.startswith("备注："):
            measures, remark = "", measures[3:]
        content = [f"具体举措：{measures.strip() or '（无）'}"]
        if r.target:
            content.append(f"工作目标：{r.target}")
        content.append(f"备注：{remark.strip() or '（无）'}")
        self.detail.setPlainText("\n".join(
            [f"第 {r.row} 行 · 编号 {r.code} · {r.title}", *lines, *content]))

    def show_preview(self, p: ImportPreview) -> None:
        self.preview = p
        self.account.setPlainText("\n".join(account_lines(p)))
        self._set_sheets(p.sheet_names, self.sheet.currentData())
        self.model.set_rows(p.rows)
        # Start on the first row that needs attention, so its messages are on screen at once.
        first = next((i for i, r in enumerate(p.rows) if r.errors),
                     next((i for i, r in enumerate(p.rows) if r.warnings), 0))
        if p.rows:
            self.table.setCurrentIndex(self.model.index(first, 0))
            self.table.selectRow(first)
        else:
            self.detail.clear()
        # A re-preview (after fixing the workbook) keeps the choices already made.
        earlier = {name: box.currentData() for name, box in self.unit_boxes.items()
                   if box.currentData() is not UNSET}
        while self.units_form.rowCount():
            self.units_form.removeRow(0)
        self.unit_boxes.clear()
        units = read(self.ctx, lambda s: s.execute(
            select(Unit.id, Unit.name).where(Unit.active.is_(True))
            .order_by(Unit.sort_order, Unit.id)).all())
        for u in p.unknown_units:
            box = QComboBox()
            box.addItem("— 请选择 —", UNSET)
            if u.collective:
                # A group of units: expand it, or name the one unit meant; never one new unit.
                if p.district_ids:
                    box.addItem(f"展开为全部旗区（{len(p.district_ids)} 个）", p.district_ids)
            else:
                box.addItem(f"新建单位“{u.name}”", CREATE)
            for uid, name in u.suggestions:
                box.addItem(f"对应为：{name}（相近）", uid)
            for uid, name in units:
                box.addItem(f"对应为：{name}", uid)
            if u.name in earlier and box.findData(earlier[u.name]) > 0:
                box.setCurrentIndex(box.findData(earlier[u.name]))
            box.currentIndexChanged.connect(self._update)
            rows = "、".join(str(r) for r in u.rows[:6]) + ("等" if len(u.rows) > 6 else "")
            self.units_form.addRow(f"“{u.name}”（第 {rows} 行）", box)
            self.unit_boxes[u.name] = box
        self.units_box.setVisible(bool(p.unknown_units))
        # As tall as the choices need (up to 150 px): the preview table gets the rest.
        # Measured from the rows themselves: the form's own size hint is stale right after
        # its rows were replaced, which cut the new rows to half height.
        form = self.units_form
        heights = [max(form.itemAt(i, QFormLayout.LabelRole).widget().sizeHint().height(),
                       form.itemAt(i, QFormLayout.FieldRole).widget().sizeHint().height())
                   for i in range(form.rowCount())]
        m = form.contentsMargins()
        needed = (sum(heights) + max(0, len(heights) - 1) * max(form.verticalSpacing(), 6)
                  + m.top() + m.bottom() + 2 * self.units_scroll.frameWidth() + 4)
        self.units_scroll.setMinimumHeight(min(150, needed))
        self.units_scroll.setMaximumHeight(min(150, needed))
        self._update()

    def _create_rest(self) -> None:
        for box in self.unit_boxes.values():
            if box.currentData() is UNSET and box.itemData(1) == CREATE:
                box.setCurrentIndex(1)

    def mapping(self) -> dict:
        return {name: box.currentData() for name, box in self.unit_boxes.items()
                if box.currentData() is not UNSET}

    def _update(self) -> None:
        p = self.preview
        if p is None:
            return
        unresolved = p.unresolved(self.mapping())
        parts = [f"{p.file_name}「{p.sheet}」：表头在第 {p.header_row} 行，任务 {len(p.rows)} 项",
                 f"错误 {p.error_count} 处", f"提示 {p.warning_count} 处"]
        if p.skipped:
            parts.append(f"未导入的行 {len(p.skipped)} 行")
        if p.category_rows:
            parts.append(f"类别行 {len(p.category_rows)} 行")
        if p.sheet_warnings:
            parts.append(f"有数据未导入的列 {len(p.sheet_warnings)} 列（见右下）")
        if p.unknown_units:
            parts.append(f"未知单位 {len(p.unknown_units)} 个（未处理 {len(unresolved)} 个）")
        target = (f"将新建专项工作「{p.campaign_name}」" if p.campaign_id is None
                  else f"导入到「{p.campaign_name}」")
        lines = ["，".join(parts) + "。" + target + "。", *p.notes]
        if p.error_count:
            lines.append("有错误时不能导入：请在 Excel 中改正后重新预览（整份清单要么全部导入，要么不导入）。")
        self.summary.setText("\n".join(lines))
        self.import_button.setEnabled(bool(p.rows) and not p.error_count and not unresolved)

    def confirm(self) -> None:
        if self.preview is None:
            return
        p, mapping = self.preview, self.mapping()
        try:
            self.result = run_op(
                self, self.ctx,
                lambda s: apply_import(s, self.ctx.actor, p, mapping, today=self.ctx.today()),
                ("tasks", "units", "campaigns"), title="导入失败")
        except OpFailed:
            return
        r = self.result
        extra = f"，新建单位 {len(r.units_created)} 个" if r.units_created else ""
        QMessageBox.information(self, "导入完成",
                                f"已导入任务 {r.tasks} 项、责任分工 {r.assignments} 条{extra}。")
        self.accept()
