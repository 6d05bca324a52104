"""导出月度台账: choose the period, the current filter or the whole campaign, and a file."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional, Sequence

from PySide6.QtWidgets import (
    QButtonGroup, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout,
    QLabel, QLineEdit, QMessageBox, QPushButton, QRadioButton, QVBoxLayout, QWidget,
)

from taskboard.core.board import TaskRow
from taskboard.core.errors import ServiceError, ValidationError
from taskboard.core.periods import Period, period_range
from taskboard.core.permissions import require
from taskboard.excel.ledger import ledger_data
from taskboard.excel.ledger_writer import write_ledger
from taskboard.ui.common.context import AppContext
from taskboard.ui.common.loader import BusyIndicator, Loader


class LedgerExportDialog(QDialog):
    def __init__(self, ctx: AppContext, campaign_id: int, campaign_name: str, period: Period,
                 visible_rows: Callable[[], Sequence[TaskRow]], total: int,
                 first_period: Period, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.campaign_id = campaign_id
        self._visible_rows = visible_rows
        self.exported: Optional[Path] = None
        self.setWindowTitle("导出月度台账")
        self.setMinimumWidth(560)

        self.period = QComboBox()
        for p in reversed(period_range(first_period, max(period, Period.of(ctx.today())))):
            self.period.addItem(p.label, str(p))
        self.period.setCurrentIndex(max(0, self.period.findData(str(period))))
        shown = len(visible_rows())
        self.filtered = QRadioButton(f"当前任务清单中显示的 {shown} 项任务（按当前筛选）")
        self.whole = QRadioButton(f"整个专项工作的全部 {total} 项任务")
        group = QButtonGroup(self)
        group.addButton(self.filtered)
        group.addButton(self.whole)
        (self.filtered if shown < total else self.whole).setChecked(True)
        self.filtered.setEnabled(shown > 0)

        default = Path.home() / f"{campaign_name}月度台账{period}.xlsx"
        self.path = QLineEdit(str(default))
        browse = QPushButton("浏览…")
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)

        form = QFormLayout()
        form.addRow("专项工作", QLabel(campaign_name))
        form.addRow("期次", self.period)
        form.addRow("范围", self.filtered)
        form.addRow("", self.whole)
        form.addRow("保存到", path_row)
        hint = QLabel("工作簿含汇总、台账、逐项通报、未报送及超期清单和图表五张工作表，"
                      "A4 横向、按页宽打印且不小于 85%（过宽的逐项通报分页打印），"
                      "每页重复表头并带页码。")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText("导出")
        self.buttons.button(QDialogButtonBox.Cancel).setText("取消")
        self.buttons.accepted.connect(self.export)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        # The values and the workbook are worked out in a worker: the window stays live.
        self._job: Optional[tuple] = None
        self.loader = Loader(ctx.db, self, lambda: self._job and self._job[0], self._written)
        self.loader.failed.connect(self._failed)
        self.loader.busyChanged.connect(
            lambda busy: self.buttons.button(QDialogButtonBox.Ok).setEnabled(not busy))
        layout.addWidget(hint)
        layout.addWidget(BusyIndicator("正在计算台账并写入工作簿…").follow(self.loader))
        layout.addWidget(self.buttons)

    def _browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "保存月度台账", self.path.text(),
                                              "Excel 工作簿 (*.xlsx)")
        if name:
            self.path.setText(name)

    def target(self) -> Path:
        text = self.path.text().strip()
        if not text:
            raise ValidationError("请选择保存位置。")
        path = Path(text).expanduser()
        if path.suffix.lower() != ".xlsx":
            path = path.with_name(path.name + ".xlsx")
        if not path.parent.is_dir():
            raise ValidationError(f"文件夹不存在：{path.parent}")
        return path

    def export(self) -> None:
        period = Period.parse(self.period.currentData())
        rows = list(self._visible_rows()) if self.filtered.isChecked() else None
        try:
            require(self.ctx.actor, "export")
            path = self.target()
        except ServiceError as exc:
            QMessageBox.warning(self, "导出失败", str(exc))
            return
        campaign_id, today = self.campaign_id, self.ctx.today()

        def work(session):
            data = ledger_data(session, campaign_id, period, today, rows=rows)
            try:
                return write_ledger(data, path)
            except OSError as exc:
                raise ValidationError(f"无法写入 {path}：{exc.strerror or exc}"
                                      "（文件可能正在 Excel 或 WPS 中打开）") from None

        self._job = (work,)
        self.loader.request()

    def _failed(self, message: str) -> None:
        QMessageBox.warning(self, "导出失败", message)

    def _written(self, path: Path) -> None:
        self.exported = path
        QMessageBox.information(self, "导出完成", f"月度台账已保存到：\n{self.exported}")
        self.accept()
