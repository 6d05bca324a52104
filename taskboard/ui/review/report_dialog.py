"""报送进展: this period's report for one assignment, with evidence files."""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
    QListWidget, QPlainTextEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget,
)

from taskboard.core import evidence
from taskboard.core.periods import Period
from taskboard.core.services.reports import submit_report
from taskboard.ui.common.context import AppContext
from taskboard.ui.common.ops import OpFailed, run_op

FILE_FILTER = "佐证材料 ({})".format(" ".join(f"*{s}" for s in sorted(evidence.ALLOWED_SUFFIXES)))


class ReportDialog(QDialog):
    """``choices``: (assignment_id, unit name, progress) of the task's open assignments; the
    progress is the unit's last counted report, the figure the board shows."""

    def __init__(self, ctx: AppContext, task_title: str,
                 choices: Sequence[tuple[int, str, int]], period: Period,
                 assignment_id: Optional[int] = None, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.report_id: Optional[int] = None
        self.setWindowTitle("报送进展")
        self.unit = QComboBox()
        self.unit.setObjectName("unit")
        for aid, name, progress in choices:
            self.unit.addItem(name, (aid, progress))
        if assignment_id is not None:
            self.unit.setCurrentIndex(max(0, next(
                (i for i, c in enumerate(choices) if c[0] == assignment_id), 0)))
        self.period = QComboBox()
        self.period.setObjectName("period")
        current = Period.of(ctx.today())
        for p in (current, current.previous(), current.shift(-2)):
            self.period.addItem(p.label + ("" if p == current else "（补报）"), str(p))
        self.period.setCurrentIndex(max(0, self.period.findData(str(min(period, current)))))
        self.progress = QSpinBox()
        self.progress.setObjectName("progress")
        self.progress.setRange(0, 100)
        self.progress.setSuffix(" %")
        self.text = QPlainTextEdit()
        self.text.setObjectName("text")
        self.text.setPlaceholderText("本月完成了哪些工作（必填）")
        self.problems = QPlainTextEdit()
        self.problems.setObjectName("problems")
        self.next_steps = QPlainTextEdit()
        self.next_steps.setObjectName("nextSteps")
        for w in (self.text, self.problems, self.next_steps):
            w.setTabChangesFocus(True)
        self.text.setMinimumHeight(90)
        self.problems.setFixedHeight(60)
        self.next_steps.setFixedHeight(60)
        self.files = QListWidget()
        self.files.setObjectName("files")
        self.files.setFixedHeight(70)
        add = QPushButton("添加佐证材料…")
        remove = QPushButton("移除")
        add.clicked.connect(self._pick_files)
        remove.clicked.connect(lambda: self.files.takeItem(self.files.currentRow()))
        file_buttons = QHBoxLayout()
        file_buttons.addWidget(add)
        file_buttons.addWidget(remove)
        file_buttons.addStretch(1)
        limits = QLabel(f"单个文件不超过 {evidence.MAX_FILE_BYTES // 1024 // 1024} MB；"
                        "支持 PDF、OFD、Office/WPS 文档、图片、压缩包")
        limits.setStyleSheet("color: #666")

        form = QFormLayout()
        form.addRow("任务", QLabel(task_title))
        form.addRow("责任单位", self.unit)
        form.addRow("期次", self.period)
        form.addRow("完成进度", self.progress)
        form.addRow("本月进展 *", self.text)
        form.addRow("存在问题", self.problems)
        form.addRow("下步计划", self.next_steps)
        form.addRow("佐证材料", self.files)
        form.addRow("", file_buttons)
        form.addRow("", limits)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.submit_button = buttons.button(QDialogButtonBox.Ok)
        self.submit_button.setText("提交报送")
        buttons.button(QDialogButtonBox.Cancel).setText("取消")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.unit.currentIndexChanged.connect(self._unit_changed)
        self._unit_changed()
        self.resize(620, 640)

    def _unit_changed(self) -> None:
        data = self.unit.currentData()
        if data:
            self.progress.setValue(data[1])

    def _pick_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "选择佐证材料", "", FILE_FILTER)
        self.add_files(paths)

    def add_files(self, paths: Sequence[str]) -> None:
        for p in paths:
            self.files.addItem(str(p))

    def evidence_paths(self) -> list[Path]:
        return [Path(self.files.item(i).text()) for i in range(self.files.count())]

    def submit(self) -> None:
        data = self.unit.currentData()
        if data is None:
            return
        aid = data[0]
        actor, period = self.ctx.actor, Period.parse(self.period.currentData())
        kwargs = dict(text=self.text.toPlainText(), progress=self.progress.value(),
                      problems=self.problems.toPlainText(),
                      next_steps=self.next_steps.toPlainText(),
                      evidence=self.evidence_paths(), today=self.ctx.today())
        try:
            self.report_id = run_op(
                self, self.ctx, lambda s: submit_report(s, actor, aid, period, **kwargs),
                ("reports",), title="报送失败")
        except OpFailed:
            return
        self.accept()
