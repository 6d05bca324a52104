"""KPI tiles: the battle map's headline counts, each a number over its word."""
from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from taskboard.core.dashboard import Kpis
from taskboard.core.rules import LIGHT_COLORS, Light

# (field, word, colour, tooltip)
TILES = (
    ("tasks", "任务总数", "#1d2733", "本专项工作的任务项数"),
    ("closed", "已办结", "#1f7a44", "已办结销号的任务（或全部责任单位均已办结）"),
    ("all_units_done", "各单位均完成", "#1f7a44", "每个责任单位都已办结或进度达到100%的任务"),
    ("half_units_done", "半数以上完成", "#2f6f4f", "至少一半责任单位已办结或进度达到100%的任务"),
    ("green", "绿灯", LIGHT_COLORS[Light.GREEN], "已完成或已报送"),
    ("blue", "蓝灯", LIGHT_COLORS[Light.BLUE], "报送待审核"),
    ("red", "红灯", LIGHT_COLORS[Light.RED], "未报送或被退回"),
    ("near_due", "临期", "#b26a00", "距完成时限不超过规定工作日"),
    ("overdue", "超期", "#c62828", "已过完成时限仍未完成"),
    ("lagging", "滞后", "#e8590c", "完成进度低于时序进度"),
)


class KpiTiles(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 2)
        layout.setSpacing(6)
        self.values: dict[str, QLabel] = {}
        for key, word, colour, tip in TILES:
            tile = QFrame()
            tile.setObjectName(f"kpi_{key}")
            tile.setFrameShape(QFrame.StyledPanel)
            tile.setToolTip(tip)
            tile.setStyleSheet("QFrame { background: #f7f9fb; border: 1px solid #dde2e8;"
                               " border-radius: 4px; }")
            box = QVBoxLayout(tile)
            box.setContentsMargins(8, 4, 8, 4)
            box.setSpacing(0)
            value = QLabel("0")
            value.setStyleSheet(f"border: 0; font-size: 20px; color: {colour};")
            label = QLabel(word)
            label.setStyleSheet("border: 0; color: #4a5563;")
            box.addWidget(value)
            box.addWidget(label)
            self.values[key] = value
            layout.addWidget(tile)

    def show_kpis(self, k: Kpis) -> None:
        for key, label in self.values.items():
            value = getattr(k, key)
            text = str(value)
            if key in ("closed", "all_units_done", "half_units_done") and k.tasks:
                text = f"{value}（{value / k.tasks * 100:.0f}%）"
            label.setText(text)

    def value_text(self, key: str) -> str:
        return self.values[key].text()
