"""系统设置: the office settings in four pages, each with load()/check()/values().

The pages only pre-check what a spin box cannot; taskboard.core.services.settings_admin is
the authority and refuses the same values with the same words.
"""
from __future__ import annotations

from typing import Any, Optional

from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGridLayout, QLabel, QLineEdit,
    QMessageBox, QPlainTextEdit, QPushButton, QSpinBox, QTabWidget, QVBoxLayout, QWidget,
)

from taskboard.core.services import settings_admin
from taskboard.core.settings import BoardSettings, load_settings
from taskboard.ui.common.context import AppContext
from taskboard.ui.common.ops import OpFailed, read, run_op


def _spin(name: str, low: int, high: int, suffix: str = "", special: str = "") -> QSpinBox:
    box = QSpinBox()
    box.setObjectName(name)
    box.setRange(low, high)
    box.setSuffix(suffix)
    if special:
        box.setSpecialValueText(special)  # shown instead of the lowest value
    box.setMinimumWidth(150)
    return box


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color:#555")
    return label


class _Page(QWidget):
    title = ""
    keys: tuple[str, ...] = ()

    def __init__(self) -> None:
        super().__init__()
        self.form = QFormLayout(self)
        self.form.setRowWrapPolicy(QFormLayout.DontWrapRows)

    def load(self, st: BoardSettings) -> None:
        for key in self.keys:
            widget = self.findChild(QWidget, key)
            value = getattr(st, key)
            if isinstance(widget, QSpinBox):
                widget.setValue(value)
            else:
                widget.setText(value)

    def values(self) -> dict[str, Any]:
        out = {}
        for key in self.keys:
            widget = self.findChild(QWidget, key)
            out[key] = widget.value() if isinstance(widget, QSpinBox) else widget.text().strip()
        return out

    def check(self) -> Optional[str]:
        """A message for the first bad value on this page, or None."""
        return None


class ReportingPage(_Page):
    title = "报送与时限"
    keys = ("report_day", "near_due_workdays")

    def __init__(self) -> None:
        super().__init__()
        self.calendar_button = QPushButton("工作日日历…")
        self.calendar_button.setObjectName("open_calendar")
        self.form.addRow("每月报送日：", _spin("report_day", 1, 31, " 日"))
        self.form.addRow("临期提醒：", _spin("near_due_workdays", 0, 30, " 个工作日内",
                                             "不提醒临期"))
        self.form.addRow(_note("报送日遇节假日时提前到之前最近的工作日；月份没有该日（如 31 日）时取"
                               "当月最后一天。临期：距完成时限不超过所设工作日数且未完成的任务。"
                               "工作日按国家法定节假日和调休计算，可在工作日日历中调整。"))
        self.form.addRow("", self.calendar_button)


class UrgingPage(_Page):
    title = "催办"
    keys = ("urge_quiet_workdays", "supervise_after_urges", "urge_reply_workdays")

    def __init__(self) -> None:
        super().__init__()
        self.form.addRow("重复催办间隔：", _spin("urge_quiet_workdays", 0, 30, " 个工作日",
                                               "不限制"))
        self.form.addRow("催办几次后转督办：", _spin("supervise_after_urges", 0, 20, " 次",
                                                  "不转督办"))
        self.form.addRow("回复期限：", _spin("urge_reply_workdays", 1, 30, " 个工作日"))
        self.form.addRow(_note("间隔内再次催办同一任务需填写理由（减轻基层负担）。达到次数后，催办"
                               "通知单改为督办通知单并抄送分管领导。邮件服务器和通知单措辞在"
                               "“催办”菜单中设置。"))


class OfficePage(_Page):
    title = "办公室信息"
    keys = ("office_name", "office_contact", "office_phone")

    def __init__(self) -> None:
        super().__init__()
        for key, text, length, hint in (
                ("office_name", "办公室名称：", 60, "如：营商环境工作任务调度办公室"),
                ("office_contact", "联系人：", 40, "如：综合科"),
                ("office_phone", "联系电话：", 40, "如：0477-1234567")):
            edit = QLineEdit()
            edit.setObjectName(key)
            edit.setMaxLength(length)
            edit.setPlaceholderText(hint)
            edit.setMinimumWidth(320)
            self.form.addRow(text, edit)
        self.form.addRow(_note("印在催办、督办通知单的落款和联系方式中，也作为邮件发件人名称。"))

    def check(self) -> Optional[str]:
        if not self.findChild(QLineEdit, "office_name").text().strip():
            return "办公室名称不能为空。"
        return None


class SecurityPage(_Page):
    title = "安全与备份"
    keys = ("backup_keep_days", "idle_lock_minutes")

    def __init__(self) -> None:
        super().__init__()
        self.form.addRow("备份保留：", _spin("backup_keep_days", 1, 3650, " 天"))
        self.form.addRow("空闲锁定：", _spin("idle_lock_minutes", 0, 480, " 分钟后锁定",
                                             "不锁定"))
        self.form.addRow(_note("SQLite 数据库每次启动和每天自动备份到数据库旁的 backups 文件夹，"
                               "超过保留天数的备份自动删除。窗口无键盘鼠标操作达到所设时间后锁定，"
                               "需重新输入密码。"))


class ScoringPage(_Page):
    """考评 points, 红黑榜 sizes and the 通报's wording."""

    title = "考评与通报"
    points = (("score_completed", "完成一项任务"), ("score_overdue", "一项任务超期"),
              ("score_returned", "报送被退回一次"), ("score_missing", "未报送一次"),
              ("score_no_substance", "报送无实质内容"), ("score_praise", "通报表扬一次"),
              ("score_criticism", "通报批评一次"), ("score_two_yellow", "两张黄牌（督办）"),
              ("score_red_card", "一张红牌（约谈）"))
    sizes = (("red_list_districts", "红榜旗区"), ("red_list_departments", "红榜部门"),
             ("black_list_districts", "黑榜旗区"), ("black_list_departments", "黑榜部门"))
    keys = ("score_base", "score_min_chars", "score_support_pct", "score_target",
            *(k for k, _ in points), *(k for k, _ in sizes), "bulletin_word")

    def __init__(self) -> None:
        super().__init__()
        top = QGridLayout()
        top.addWidget(QLabel("基础分："), 0, 0)
        top.addWidget(_spin("score_base", 0, 1000, " 分"), 0, 1)
        top.addWidget(QLabel("红榜达标分："), 0, 2)
        top.addWidget(_spin("score_target", 0, 1000, " 分"), 0, 3)
        for i, (key, text) in enumerate(self.points):
            row, col = 1 + i // 2, (i % 2) * 2
            top.addWidget(QLabel(f"{text}："), row, col)
            top.addWidget(_spin(key, -100, 100, " 分"), row, col + 1)
        self.form.addRow(top)
        self.form.addRow("无实质内容：", _spin("score_min_chars", 0, 500, " 字以下（或与上月相同）"))
        self.form.addRow("配合单位计分：", _spin("score_support_pct", 0, 100, "%（牵头单位计全分）"))
        lists = QGridLayout()
        for i, (key, text) in enumerate(self.sizes):
            lists.addWidget(QLabel(f"{text}："), i // 2, (i % 2) * 2)
            lists.addWidget(_spin(key, 0, 50, " 个"), i // 2, (i % 2) * 2 + 1)
        self.form.addRow(lists)
        self.track = QComboBox()
        self.track.setObjectName("other_units_track")
        self.track.addItem("与部门一起排名", "department")
        self.track.addItem("不参加排名", "none")
        self.form.addRow("其他单位：", self.track)
        word = QLineEdit()
        word.setObjectName("bulletin_word")
        word.setMaxLength(20)
        word.setPlaceholderText("如：营商调度（文号为 营商调度〔2026〕3号）")
        self.form.addRow("通报机关代字：", word)
        self.requirements = QPlainTextEdit()
        self.requirements.setObjectName("bulletin_requirements")
        self.requirements.setPlaceholderText("留空则用默认措辞")
        self.requirements.setFixedHeight(70)
        self.form.addRow("下步工作要求：", self.requirements)
        self.form.addRow(_note("正数加分、负数扣分。旗区、部门按单位类别分别排名；完成、超期两项"
                               "牵头单位计全分、配合单位按比例计分。"))

    def load(self, st: BoardSettings) -> None:
        super().load(st)
        self.track.setCurrentIndex(max(0, self.track.findData(st.other_units_track)))
        self.requirements.setPlainText(st.bulletin_requirements)

    def values(self) -> dict[str, Any]:
        out = super().values()
        out["other_units_track"] = self.track.currentData()
        out["bulletin_requirements"] = self.requirements.toPlainText().strip()
        return out

    def check(self) -> Optional[str]:
        if not self.findChild(QLineEdit, "bulletin_word").text().strip():
            return "通报机关代字不能为空。"
        return None


class SettingsDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("系统设置")
        self.pages: list[_Page] = [ReportingPage(), UrgingPage(), OfficePage(), SecurityPage(),
                                   ScoringPage()]
        self.tabs = QTabWidget()
        for page in self.pages:
            self.tabs.addTab(page, page.title)
        self.pages[0].calendar_button.clicked.connect(self.open_calendar)
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Save).setText("保存")
        buttons.button(QDialogButtonBox.Cancel).setText("取消")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self.load()
        self.resize(640, 480)

    def page(self, title: str) -> _Page:
        return next(p for p in self.pages if p.title == title)

    def load(self) -> None:
        st = read(self.ctx, load_settings)
        for page in self.pages:
            page.load(st)

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for page in self.pages:
            out.update(page.values())
        return out

    def check(self) -> Optional[str]:
        for page in self.pages:
            problem = page.check()
            if problem:
                self.tabs.setCurrentWidget(page)
                return problem
        return None

    def save(self) -> bool:
        problem = self.check()
        if problem:
            QMessageBox.warning(self, "无法保存设置", problem)
            return False
        values = self.values()
        try:
            run_op(self, self.ctx,
                   lambda s: settings_admin.update_settings(s, self.ctx.actor, values),
                   ("settings",), title="无法保存设置")
        except OpFailed:
            return False
        self.accept()
        return True

    def open_calendar(self) -> None:
        from taskboard.ui.admin.calendar_dialog import CalendarDialog

        CalendarDialog(self.ctx, self).exec()
