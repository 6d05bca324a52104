"""单位报送表: export fill-in workbooks for chosen units, import the returned ones.

The export tab writes one workbook per unit; the import tab previews every returned file
(accepted rows in a table, refused files with file · sheet · row · column reasons) and only
then submits the accepted rows as pending reports, each file all or nothing.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout, QHeaderView,
    QLabel, QLineEdit, QListWidget, QListWidgetItem, QMessageBox, QPushButton, QSplitter,
    QTableView, QTabWidget, QVBoxLayout, QWidget,
)

from taskboard.core.errors import ServiceError, ValidationError
from taskboard.core.models import Campaign
from taskboard.core.periods import Period, period_range
from taskboard.core.permissions import allowed
from taskboard.excel.report_form_import import FormsPreview, apply_forms, preview_forms
from taskboard.excel.report_forms import export_report_forms, form_units
from taskboard.ui.common.context import AppContext
from taskboard.ui.common.ops import OpFailed, read, run_op
from taskboard.ui.excel.report_form_preview_model import WIDTHS, FormPreviewTableModel

_REFUSED = QColor("#b71c1c")


def _period_box(ctx: AppContext, first: Period, current: Period) -> QComboBox:
    box = QComboBox()
    for p in reversed(period_range(first, max(current, Period.of(ctx.today())))):
        if p <= Period.of(ctx.today()):
            box.addItem(p.label, str(p))
    box.setCurrentIndex(max(0, box.findData(str(current))))
    return box


class ReportFormsDialog(QDialog):
    def __init__(self, ctx: AppContext, campaign_id: int, campaign_name: str, period: Period,
                 first_period: Period, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.campaign_id = campaign_id
        self.exported: list = []
        self.preview: Optional[FormsPreview] = None
        self.result = None
        self.setWindowTitle(f"单位报送表 · {campaign_name}")
        self.resize(1120, 680)
        self.tabs = QTabWidget()
        actor = ctx.actor
        if allowed(actor, "export"):
            self.tabs.addTab(self._export_tab(first_period, period), "导出报送表")
        if allowed(actor, "report.submit", actor.unit_id):
            self.tabs.addTab(self._import_tab(first_period, period), "导入报送表")
        close = QPushButton("关闭")
        close.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)

    # --- export -----------------------------------------------------------------------------

    def _export_tab(self, first: Period, period: Period) -> QWidget:
        self.export_period = _period_box(self.ctx, first, period)
        self.export_period.currentIndexChanged.connect(self.load_units)
        self.units = QListWidget()
        self.units.setObjectName("formUnits")
        self.units.itemChanged.connect(self._count_units)
        all_button, none_button = QPushButton("全选"), QPushButton("全不选")
        all_button.clicked.connect(lambda: self._check_all(True))
        none_button.clicked.connect(lambda: self._check_all(False))
        picks = QHBoxLayout()
        picks.addWidget(all_button)
        picks.addWidget(none_button)
        self.unit_count = QLabel()
        picks.addWidget(self.unit_count, 1)
        self.folder = QLineEdit(str(Path.home() / "单位报送表"))
        browse = QPushButton("选择文件夹…")
        browse.clicked.connect(self._browse_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        self.export_button = QPushButton("导出报送表")
        self.export_button.clicked.connect(self.export)
        hint = QLabel("每个单位一个工作簿，列出该单位本期未办结的任务。任务编号、名称等灰色单元格已锁定，"
                      "单位只填写白色单元格：完成情况（下拉选择）、本月进展、完成进度（0–100）、存在问题、"
                      "下步计划。单位和期次已写入文件，导入时逐格核对。")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        self.export_status = QLabel()
        self.export_status.setWordWrap(True)
        period_row = QHBoxLayout()
        period_row.addWidget(self.export_period)
        period_row.addStretch(1)
        form = QFormLayout()
        form.addRow("期次", period_row)
        form.addRow("单位", self.units)
        form.addRow("", picks)
        form.addRow("保存到文件夹", folder_row)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addLayout(form, 1)
        layout.addWidget(hint)
        row = QHBoxLayout()
        row.addWidget(self.export_status, 1)
        row.addWidget(self.export_button)
        layout.addLayout(row)
        self.load_units()
        return tab

    def load_units(self) -> None:
        period = Period.parse(self.export_period.currentData())
        units = read(self.ctx, lambda s: form_units(s, self.campaign_id, period))
        self.units.blockSignals(True)
        self.units.clear()
        for uid, name, n in units:
            item = QListWidgetItem(f"{name}（{n} 项）")
            item.setData(Qt.UserRole, uid)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Checked)
            self.units.addItem(item)
        self.units.blockSignals(False)
        self._count_units()

    def chosen_units(self) -> list[int]:
        return [self.units.item(i).data(Qt.UserRole) for i in range(self.units.count())
                if self.units.item(i).checkState() == Qt.Checked]

    def _check_all(self, on: bool) -> None:
        for i in range(self.units.count()):
            self.units.item(i).setCheckState(Qt.Checked if on else Qt.Unchecked)

    def _count_units(self, *_) -> None:
        n = len(self.chosen_units())
        self.unit_count.setText(f"已选 {n} / {self.units.count()} 个单位")
        self.export_button.setEnabled(n > 0)

    def _browse_folder(self) -> None:
        name = QFileDialog.getExistingDirectory(self, "保存报送表的文件夹", self.folder.text())
        if name:
            self.folder.setText(name)

    def export(self) -> None:
        period = Period.parse(self.export_period.currentData())
        folder = Path(self.folder.text().strip()).expanduser()
        units = self.chosen_units()

        def work(session):
            if not self.folder.text().strip():
                raise ValidationError("请选择保存报送表的文件夹。")
            if not folder.exists() and folder.parent.is_dir():
                folder.mkdir()
            return export_report_forms(session, self.ctx.actor, self.campaign_id, period, folder,
                                       unit_ids=units, today=self.ctx.today())

        try:  # writes files only: nothing to announce
            self.exported = run_op(self, self.ctx, work, title="导出失败")
        except OpFailed:
            return
        n = sum(f.rows for f in self.exported)
        self.export_status.setText(f"已导出 {len(self.exported)} 份报送表（共 {n} 项任务）到 {folder}")
        QMessageBox.information(self, "导出完成", f"已导出{period.label}报送表 {len(self.exported)} 份，"
                                                  f"共 {n} 项任务，保存在：\n{folder}")

    # --- import -----------------------------------------------------------------------------

    def _import_tab(self, first: Period, period: Period) -> QWidget:
        self.import_period = _period_box(self.ctx, first, period)
        self.import_period.setToolTip("其他期次的报送表将被拒绝")
        self.files = QListWidget()
        self.files.setObjectName("formFiles")
        self.files.setFixedHeight(84)
        add_files, add_folder = QPushButton("添加文件…"), QPushButton("添加文件夹…")
        clear = QPushButton("清空")
        add_files.clicked.connect(self._add_files)
        add_folder.clicked.connect(self._add_folder)
        clear.clicked.connect(self.clear_files)
        self.preview_button = QPushButton("预览")
        self.preview_button.clicked.connect(self.load_preview)
        buttons = QVBoxLayout()
        for b in (add_files, add_folder, clear):
            buttons.addWidget(b)
        files_row = QHBoxLayout()
        files_row.addWidget(self.files, 1)
        files_row.addLayout(buttons)
        period_row = QHBoxLayout()
        period_row.addWidget(self.import_period)
        period_row.addWidget(QLabel("（只接受这一期的报送表）"))
        period_row.addStretch(1)
        period_row.addWidget(self.preview_button)
        form = QFormLayout()
        form.addRow("报送表文件", files_row)
        form.addRow("期次", period_row)

        self.summary = QLabel("添加单位交回的报送表（可选文件夹）后点“预览”。预览不写入任何数据。")
        self.summary.setWordWrap(True)
        # Two wrapped lines (counts, the refusal hint) must never be squeezed by the table.
        self.summary.setMinimumHeight(self.summary.fontMetrics().lineSpacing() * 2 + 8)
        self.summary.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        self.model = FormPreviewTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("formPreview")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        for col, width in enumerate(WIDTHS):
            self.table.setColumnWidth(col, width)
        self.refusals = QListWidget()
        self.refusals.setObjectName("formRefusals")
        self.refusals.setWordWrap(True)
        refused_box = QWidget()
        refused_layout = QVBoxLayout(refused_box)
        refused_layout.setContentsMargins(0, 0, 0, 0)
        refused_layout.addWidget(QLabel("拒绝与说明（被拒绝的文件不导入其中任何内容）："))
        refused_layout.addWidget(self.refusals, 1)
        split = QSplitter(Qt.Vertical)
        split.addWidget(self.table)
        split.addWidget(refused_box)
        split.setSizes([300, 140])
        self.import_button = QPushButton("确认导入")
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.confirm)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.import_button)
        layout.addLayout(row)
        return tab

    def add_paths(self, paths) -> None:
        present = {self.files.item(i).text() for i in range(self.files.count())}
        for p in paths:
            if str(p) not in present:
                self.files.addItem(str(p))
                present.add(str(p))

    def paths(self) -> list[Path]:
        return [Path(self.files.item(i).text()) for i in range(self.files.count())]

    def clear_files(self) -> None:
        self.files.clear()
        self._show(None)

    def _add_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "选择报送表", "",
                                                "Excel 工作簿 (*.xlsx *.xlsm);;所有文件 (*)")
        self.add_paths(names)

    def _add_folder(self) -> None:
        name = QFileDialog.getExistingDirectory(self, "选择存放报送表的文件夹")
        if name:
            self.add_paths([name])

    def load_preview(self) -> None:
        paths = self.paths()
        if not paths:
            QMessageBox.warning(self, "无法预览", "请先添加报送表文件或文件夹。")
            return
        period = Period.parse(self.import_period.currentData())
        try:
            preview = read(self.ctx, lambda s: preview_forms(
                s, self.ctx.actor, paths, period=period, today=self.ctx.today()))
        except ServiceError as exc:
            self._show(None)
            self.summary.setText(f"无法读取：{exc}")
            QMessageBox.warning(self, "无法读取报送表", str(exc))
            return
        self._show(preview)

    def _show(self, p: Optional[FormsPreview]) -> None:
        self.preview = p
        self.model.set_rows(p.rows if p else [])
        self.refusals.clear()
        if p is None:
            self.import_button.setEnabled(False)
            return
        for f in p.files:
            for issue in f.errors:
                item = QListWidgetItem(f"拒绝：{issue}")
                item.setForeground(_REFUSED)
                self.refusals.addItem(item)
            for note in f.notes:
                self.refusals.addItem(f"说明：{f.file_name}：{note}")
        lines = [p.summary()]
        if any(f.errors for f in p.files):
            lines.append("被拒绝的文件请单位改正后重新交回；其余文件可以照常导入。")
        self.summary.setText("\n".join(lines))
        self.import_button.setEnabled(p.to_write > 0)

    def confirm(self) -> None:
        p = self.preview
        if p is None or not p.to_write:
            return
        try:
            self.result = run_op(self, self.ctx,
                                 lambda s: apply_forms(s, self.ctx.actor, p, today=self.ctx.today()),
                                 ("reports", "tasks"), title="导入失败")
        except OpFailed:
            return
        r = self.result
        QMessageBox.information(self, "导入完成",
                                f"已导入 {r.files} 个文件：新报送 {r.created} 条，"
                                f"更新待审核的报送 {r.revised} 条，均待审核。")
        self.load_preview()


def open_report_forms(window) -> Optional[ReportFormsDialog]:
    cid = window.campaign_id()
    if cid is None:
        QMessageBox.warning(window, "没有专项工作", "请先新建或导入一个专项工作。")
        return None
    campaign = read(window.ctx, lambda s: s.get(Campaign, cid))
    return ReportFormsDialog(window.ctx, campaign.id, campaign.name, window.period(),
                             Period.of(campaign.start_date), window)
