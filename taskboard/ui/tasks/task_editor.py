"""编辑任务: create, edit or copy a task; responsible units picked from a searchable list."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Optional

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGridLayout,
    QGroupBox, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QMessageBox,
    QPlainTextEdit, QSizePolicy, QVBoxLayout, QWidget,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from taskboard.core.errors import ConflictError
from taskboard.core.models import Campaign, Task, Unit
from taskboard.core.recurrence import RECURRENCE_WORDS, current_due_date
from taskboard.core.services import tasks as task_service
from taskboard.core.services.tasks import TaskInput
from taskboard.ui.common import conflict_dialog
from taskboard.ui.common.context import AppContext
from taskboard.ui.common.date_field import DateField
from taskboard.ui.common.ops import OpFailed, ask, read, run_op

DEADLINE_NOTES = ["长期坚持", "持续推进", "每季度", "每年"]


@dataclass(frozen=True)
class UndoEntry:
    """The inverse of the last edit, run as its own operation."""

    label: str
    work: Callable[[Session], object]


def _qdate(d: dt.date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


def _date_edit(ctx: AppContext) -> DateField:
    return DateField(today=ctx.today)


# Which field a service's validation message is about, so focus can go back to it.
_FIELD_OF_MESSAGE = (("任务编号", "code"), ("任务名称", "title_edit"), ("开始日期", "start"),
                     ("完成时限", "deadline"), ("责任单位", "unit_filter"), ("单位“", "unit_filter"))


class TaskEditorDialog(QDialog):
    def __init__(self, ctx: AppContext, *, campaign_id: Optional[int] = None,
                 task_id: Optional[int] = None, copy_from: Optional[int] = None,
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.task_id = task_id
        self.version = 0
        self.saved_task_id: Optional[int] = None
        self.undo_entry: Optional[UndoEntry] = None
        self._loaded: Optional[TaskInput] = None
        self.setWindowTitle("编辑任务" if task_id else ("复制任务" if copy_from else "新建任务"))

        self.code = QLineEdit()
        self.code.setObjectName("code")
        self.code.setPlaceholderText("如 1.2.3")
        self.title_edit = QLineEdit()
        self.title_edit.setObjectName("title")
        self.category = QComboBox(editable=True)
        self.campaign = QComboBox()
        self.lead_unit = QComboBox()
        self.lead_unit.setObjectName("leadUnit")
        self.leader = QComboBox(editable=True)
        self.leader.setObjectName("leader")
        self.leader.lineEdit().setPlaceholderText("如 副市长（分管政务服务）")
        self.start = _date_edit(ctx)
        self.start.setObjectName("start")
        self.deadline = _date_edit(ctx)
        self.deadline.setObjectName("deadline")
        self.ongoing = QCheckBox("长期（无固定时限）")
        self.ongoing.setObjectName("ongoing")
        self.deadline_note = QComboBox(editable=True)
        self.deadline_note.addItems(DEADLINE_NOTES)
        self.recurrence = QComboBox()
        self.recurrence.setObjectName("recurrence")
        self.recurrence.addItem("不重复", "")
        for key, word in RECURRENCE_WORDS.items():
            self.recurrence.addItem(word, key)
        self.cycle_due = QLabel()
        self.cycle_due.setObjectName("cycleDue")
        self.recurrence.currentIndexChanged.connect(self._show_cycle_due)
        self.description = QPlainTextEdit()
        self.description.setObjectName("description")
        self.target = QPlainTextEdit()
        for w in (self.description, self.target):
            w.setTabChangesFocus(True)
            w.setFixedHeight(64)
        self.ongoing.toggled.connect(self._ongoing_toggled)
        self.deadline.dateChanged.connect(self._show_cycle_due)

        deadline_row = QHBoxLayout()
        deadline_row.addWidget(self.deadline)
        deadline_row.addWidget(self.ongoing)
        deadline_row.addWidget(self.deadline_note, 1)
        form = QFormLayout()
        form.addRow("专项工作", self.campaign)
        form.addRow("任务编号 *", self.code)
        form.addRow("任务名称 *", self.title_edit)
        form.addRow("类别/指标", self.category)
        form.addRow("牵头单位", self.lead_unit)
        form.addRow("分管领导", self.leader)
        form.addRow("开始日期", self.start)
        form.addRow("完成时限", deadline_row)
        # In a widget of fixed height: a bare layout row soaks up the form's spare height.
        recurrence_box = QWidget()
        recurrence_box.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)
        recurrence_row = QHBoxLayout(recurrence_box)
        recurrence_row.setContentsMargins(0, 0, 0, 0)
        recurrence_row.addWidget(self.recurrence)
        recurrence_row.addWidget(self.cycle_due, 1)
        form.addRow("完成周期", recurrence_box)
        form.addRow("任务描述", self.description)
        form.addRow("工作目标", self.target)

        self.unit_filter = QLineEdit()
        self.unit_filter.setObjectName("unitFilter")
        self.unit_filter.setPlaceholderText("搜索单位名称…")
        self.unit_filter.setClearButtonEnabled(True)
        self.unit_list = QListWidget()
        self.unit_list.setObjectName("unitList")
        self.unit_count = QLabel()
        self.unit_filter.textChanged.connect(self._filter_units)
        self.unit_list.itemChanged.connect(self._count_units)
        units_box = QGroupBox("责任单位 *（勾选，可多选）")
        ub = QVBoxLayout(units_box)
        ub.addWidget(self.unit_filter)
        ub.addWidget(self.unit_list)
        ub.addWidget(self.unit_count)

        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Save).setText("保存")
        buttons.button(QDialogButtonBox.Cancel).setText("取消")
        self.save_button = buttons.button(QDialogButtonBox.Save)
        self.save_button.setObjectName("saveButton")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.cancel)
        self._shown_input: Optional[TaskInput] = None

        grid = QGridLayout(self)
        grid.addLayout(form, 0, 0)
        grid.addWidget(units_box, 0, 1)
        grid.addWidget(buttons, 1, 0, 1, 2)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        self.resize(980, 560)

        self._fill_choices()
        if task_id is not None:
            self._load(task_id)
        elif copy_from is not None:
            self._load(copy_from)
            self.version = 0
            self.code.setText(read(ctx, lambda s: task_service.suggest_copy_code(
                s, self._loaded.campaign_id, self._loaded.code)))
        else:
            self._new(campaign_id)
        self._shown_input = self._safe_input()

    # --- filling ------------------------------------------------------------------------
    def _fill_choices(self) -> None:
        def q(s: Session):
            campaigns = s.execute(select(Campaign.id, Campaign.name)
                                  .where(Campaign.archived.is_(False))
                                  .order_by(Campaign.start_date.desc())).all()
            units = s.execute(select(Unit.id, Unit.name, Unit.active)
                              .order_by(Unit.sort_order, Unit.id)).all()
            leaders = s.scalars(select(Task.leader).distinct().where(Task.leader != "")).all()
            cats = s.scalars(select(Task.category).distinct().where(Task.category != "")).all()
            return campaigns, units, sorted(leaders), list(cats)

        campaigns, units, leaders, cats = read(self.ctx, q)
        self.unit_names = {u.id: u.name for u in units}
        self._active_units = {u.id for u in units if u.active}
        for cid, name in campaigns:
            self.campaign.addItem(name, cid)
        self.lead_unit.addItem("（未指定）", None)
        for u in units:
            if u.active:
                self.lead_unit.addItem(u.name, u.id)
        self.leader.addItems(leaders)
        self.category.addItems(cats)
        self.unit_list.blockSignals(True)
        for u in units:
            item = QListWidgetItem(u.name if u.active else f"{u.name}（已撤销）")
            item.setData(Qt.UserRole, u.id)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Unchecked)
            item.setHidden(not u.active)
            self.unit_list.addItem(item)
        self.unit_list.blockSignals(False)

    def _new(self, campaign_id: Optional[int]) -> None:
        if campaign_id is not None:
            self.campaign.setCurrentIndex(max(0, self.campaign.findData(campaign_id)))
        cid = self.campaign.currentData()
        if cid is not None:
            self.code.setText(read(self.ctx, lambda s: task_service.next_code(s, cid)))
        today = self.ctx.today()
        self.start.setDate(_qdate(today))
        self.deadline.setDate(_qdate(dt.date(today.year, 12, 31)))
        self.leader.setCurrentText("")
        self.category.setCurrentText("")
        self._ongoing_toggled(False)
        self._count_units()

    def _load(self, task_id: int) -> None:
        def q(s: Session):
            return task_service.task_input_of(s, task_id), task_service.load_task(s, task_id).version
        data, self.version = read(self.ctx, q)
        self._loaded = data
        self.set_input(data)

    def set_input(self, d: TaskInput) -> None:
        i = self.campaign.findData(d.campaign_id)
        if i < 0:
            self.campaign.addItem(f"（已归档）{d.campaign_id}", d.campaign_id)
            i = self.campaign.count() - 1
        self.campaign.setCurrentIndex(i)
        self.code.setText(d.code)
        self.title_edit.setText(d.title)
        self.category.setCurrentText(d.category)
        self.lead_unit.setCurrentIndex(max(0, self.lead_unit.findData(d.lead_unit_id)))
        self.leader.setCurrentText(d.leader)
        self.start.setDate(_qdate(d.start_date))
        self.ongoing.setChecked(d.deadline is None)
        self._ongoing_toggled(d.deadline is None)
        if d.deadline is not None:
            self.deadline.setDate(_qdate(d.deadline))
        self.deadline_note.setCurrentText(d.deadline_note or DEADLINE_NOTES[0])
        self.recurrence.setCurrentIndex(max(0, self.recurrence.findData(d.recurrence)))
        self._show_cycle_due()
        self.description.setPlainText(d.description)
        self.target.setPlainText(d.target)
        self.set_units(d.unit_ids)

    def set_units(self, unit_ids) -> None:
        wanted = set(unit_ids)
        self.unit_list.blockSignals(True)
        for i in range(self.unit_list.count()):
            item = self.unit_list.item(i)
            uid = item.data(Qt.UserRole)
            item.setCheckState(Qt.Checked if uid in wanted else Qt.Unchecked)
            if uid in wanted:
                item.setHidden(False)
        self.unit_list.blockSignals(False)
        self._count_units()

    # --- reading the form -------------------------------------------------------------------
    def unit_ids(self) -> tuple[int, ...]:
        return tuple(self.unit_list.item(i).data(Qt.UserRole)
                     for i in range(self.unit_list.count())
                     if self.unit_list.item(i).checkState() == Qt.Checked)

    def input(self) -> TaskInput:
        ongoing = self.ongoing.isChecked()
        return TaskInput(
            campaign_id=self.campaign.currentData(), code=self.code.text(),
            title=self.title_edit.text(), start_date=_pydate(self.start.date()),
            unit_ids=self.unit_ids(), category=self.category.currentText(),
            description=self.description.toPlainText().strip(),
            target=self.target.toPlainText().strip(), lead_unit_id=self.lead_unit.currentData(),
            leader=self.leader.currentText(),
            deadline=None if ongoing else _pydate(self.deadline.date()),
            deadline_note=self.deadline_note.currentText() if ongoing else "",
            recurrence=self.recurrence.currentData() or "")

    def _ongoing_toggled(self, on: bool) -> None:
        self.deadline.setEnabled(not on)
        self.deadline_note.setEnabled(on)
        self._show_cycle_due()

    def _show_cycle_due(self, *_) -> None:
        key = self.recurrence.currentData()
        if not key:
            self.cycle_due.setText("")
            return
        last = None if self.ongoing.isChecked() else _pydate(self.deadline.date())
        due = current_due_date(last, key, self.ctx.today())
        self.cycle_due.setText(f"本期 {due:%Y-%m-%d} 前完成" +
                               ("，此后每期到期" if last is None else f"，直至 {last:%Y-%m-%d}"))

    def _filter_units(self, text: str) -> None:
        text = text.strip().lower()
        for i in range(self.unit_list.count()):
            item = self.unit_list.item(i)
            uid = item.data(Qt.UserRole)
            visible = uid in self._active_units or item.checkState() == Qt.Checked
            item.setHidden(not visible or (bool(text) and text not in item.text().lower()))

    def _count_units(self, *_):
        ids = self.unit_ids()
        names = "、".join(self.unit_names[u] for u in ids[:6]) + ("…" if len(ids) > 6 else "")
        self.unit_count.setText(f"已选 {len(ids)} 个：{names}" if ids else "尚未选择责任单位")

    def _safe_input(self) -> Optional[TaskInput]:
        return None if self._date_problem() else self.input()

    def _date_problem(self) -> Optional[tuple[str, QWidget]]:
        checks = [("开始日期", self.start)]
        if not self.ongoing.isChecked():
            checks.append(("完成时限", self.deadline))
        for label, field in checks:
            why = field.error(label)
            if why:
                return why, field
        return None

    def _refuse(self, message: str, field: QWidget) -> None:
        """Tell what is wrong, then put the cursor where it can be put right."""
        QMessageBox.warning(self, "保存任务失败", message)
        field.setFocus(Qt.OtherFocusReason)
        field.line.selectAll()

    def _focus_field(self, message: str) -> None:
        """After run_op has shown the message: the field it is about gets the cursor."""
        for word, name in _FIELD_OF_MESSAGE:
            if word in message:
                field = getattr(self, name)
                field.setFocus(Qt.OtherFocusReason)
                line = getattr(field, "line", field)
                if hasattr(line, "selectAll"):
                    line.selectAll()
                return

    # --- leaving ------------------------------------------------------------------------
    def cancel(self) -> None:
        """Esc, 取消 or the window's close box on a form with typed changes asks first."""
        if self._has_changes() and not ask(self, "放弃修改",
                                           "表单中有尚未保存的内容，确定放弃并关闭吗？"):
            return
        self.reject()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key_Escape and not event.modifiers():
            self.cancel()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event) -> None:
        # Only the user's own click on the close box asks; closing from code does not.
        if event.spontaneous() and self._has_changes() and not ask(
                self, "放弃修改", "表单中有尚未保存的内容，确定放弃并关闭吗？"):
            event.ignore()
            return
        super().closeEvent(event)

    def _has_changes(self) -> bool:
        current = self._safe_input()
        return current is None or current != self._shown_input

    # --- saving -------------------------------------------------------------------------
    def save(self) -> None:
        problem = self._date_problem()
        if problem is not None:
            self._refuse(*problem)
            return
        data = self.input()
        actor = self.ctx.actor
        if self.task_id is None:
            try:
                tid = run_op(self, self.ctx, lambda s: task_service.create_task(s, actor, data),
                             ("tasks",), title="保存任务失败")
            except OpFailed as exc:
                self._focus_field(str(exc))
                return
            self.saved_task_id = tid
            self.undo_entry = UndoEntry(f"新建任务 {data.code.strip()}",
                                        lambda s: task_service.delete_task(s, actor, tid, 1))
            self.accept()
            return
        removed = set(self._loaded.unit_ids) - set(data.unit_ids) if self._loaded else set()
        if removed:
            names = read(self.ctx, lambda s: task_service.units_with_history(
                s, self.task_id, sorted(removed)))
            if names and not ask(self, "移除责任单位",
                                 f"以下单位已有报送、反馈或催办记录：{'、'.join(names)}。\n"
                                 "移除后这些记录将归档保留，不会删除。是否继续？"):
                return
        self._update(data, self.version)

    def _update(self, data: TaskInput, version: int) -> None:
        actor, tid = self.ctx.actor, self.task_id
        try:
            new_version = run_op(
                self, self.ctx, lambda s: task_service.update_task(s, actor, tid, data, version),
                ("tasks",), title="保存任务失败")
        except OpFailed as exc:
            self._focus_field(str(exc))
            return
        except ConflictError as err:
            if not err.current:  # caught at flush time: nothing to compare, reload
                QMessageBox.warning(self, "修改冲突", str(err))
                self._load(tid)
                return
            choice = conflict_dialog.resolve_conflict(self, err, self.unit_names)
            if choice == conflict_dialog.OVERWRITE:
                self._update(data, err.current["version"])
            elif choice == conflict_dialog.RELOAD:
                self._load(tid)
            return
        before = self._loaded
        self.saved_task_id = tid
        self.undo_entry = UndoEntry(
            f"编辑任务 {data.code.strip()}",
            lambda s: task_service.update_task(s, actor, tid, before, new_version))
        self.accept()
