"""Light icons: a filled disc in the light's colour, always shown with its word."""
from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPen, QPixmap

from taskboard.core.rules import LIGHT_COLORS, DueState, Light

DUE_COLORS = {
    DueState.OVERDUE: "#c62828",
    DueState.NEAR_DUE: "#b26a00",
    DueState.NORMAL: "#37474f",
    DueState.ONGOING: "#546e7a",
    DueState.DONE: "#1f7a44",
}


@lru_cache(maxsize=None)
def light_icon(light: Light, size: int = 16) -> QIcon:
    icon = QIcon()
    for scale in (1, 2):
        px = QPixmap(size * scale, size * scale)
        px.fill(Qt.transparent)
        p = QPainter(px)
        p.setRenderHint(QPainter.Antialiasing)
        p.setPen(QPen(QColor("#00000055"), scale))
        p.setBrush(QBrush(QColor(LIGHT_COLORS[light])))
        m = 2 * scale
        p.drawEllipse(m, m, size * scale - 2 * m, size * scale - 2 * m)
        p.end()
        px.setDevicePixelRatio(scale)
        icon.addPixmap(px)
    return icon


def light_color(light: Light) -> QColor:
    return QColor(LIGHT_COLORS[light])


@lru_cache(maxsize=None)
def card_icon(card, size: int = 16) -> QIcon:
    """A small upright card in the card's colour (亮牌), always shown with its word."""
    from taskboard.core.cards import CARD_COLORS

    icon = QIcon()
    for scale in (1, 2):
        px = QPixmap(size * scale, size * scale)
        px.fill(Qt.transparent)
        p = QPainter(px)
        p.setRenderHint(QPainter.Antialiasing)
        p.setPen(QPen(QColor("#00000055"), scale))
        p.setBrush(QBrush(QColor(CARD_COLORS[card])))
        w = size * scale
        p.drawRoundedRect(int(w * 0.22), int(w * 0.08), int(w * 0.56), int(w * 0.84),
                          scale * 1.5, scale * 1.5)
        p.end()
        px.setDevicePixelRatio(scale)
        icon.addPixmap(px)
    return icon
