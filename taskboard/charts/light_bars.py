"""彩色柱状图: per unit, its green, blue and red assignments this period, stacked, worst first.

Horizontal bars so that long unit names read level and 115 units still fit (the figure
grows with the number of units; the UI scrolls it). Every segment carries its count and a
hatch, so the chart prints in black and white.
"""
from __future__ import annotations

from typing import Sequence

from matplotlib.figure import Figure
from matplotlib.patches import Patch

from taskboard.charts.common import (
    BLUE, GREEN, MAX_VALUE_LABELS, RED, Hotspot, empty, hbars, new_figure, reset, row_labels,
)
from taskboard.core.dashboard import LightBar
from taskboard.core.rules import LIGHT_MEANINGS, LIGHT_WORDS, Light

BAR_IN = 0.27
HEAD_IN = 0.95
FOOT_IN = 0.45
CHAR_IN = 0.14
SEGMENTS = ((Light.RED, RED, "//"), (Light.BLUE, BLUE, ".."), (Light.GREEN, GREEN, ""))


def height_for(bars: Sequence[LightBar]) -> float:
    return HEAD_IN + FOOT_IN + max(3, len(bars)) * BAR_IN


def title(scope_word: str, period_label: str) -> str:
    return f"彩色柱状图 · 各{scope_word}本期亮灯（{period_label}，红灯多者在上）"


def draw_light_bars(fig: Figure, bars: Sequence[LightBar], scope_word: str,
                    period_label: str) -> list[Hotspot]:
    reset(fig)
    head = title(scope_word, period_label)
    if not bars:
        return empty(fig, head, f"本期没有{scope_word}的责任事项")
    width_in, height_in = fig.get_size_inches()
    name_in = 0.25 + CHAR_IN * max(len(b.unit_name) for b in bars)
    left = min(0.45, name_in / width_in)
    ax = fig.add_axes((left, FOOT_IN / height_in, 1 - left - 0.03,
                       1 - (HEAD_IN + FOOT_IN) / height_in))
    ys = list(range(len(bars)))
    starts = [0] * len(bars)
    spots: list[Hotspot] = []
    top = max(b.total for b in bars) or 1
    ax.set_xlim(0, top * 1.04)
    inch_per_unit = (width_in * (1 - left - 0.03)) / (top * 1.04)
    for light, colour, hatch in SEGMENTS:
        values = [getattr(b, light.name.lower()) for b in bars]
        # Hatches double the drawing time of 100+ bars; there the order red, blue, green
        # and the hover figures carry the meaning.
        rects = hbars(ax, ys, values, starts, 0.68, [colour] * len(bars),
                      (hatch or None) if len(bars) <= MAX_VALUE_LABELS else None)
        for rect, bar, value, start, y in zip(rects, bars, values, starts, ys):
            if value and value * inch_per_unit >= 0.22 and len(bars) <= MAX_VALUE_LABELS:
                # A solid backing keeps the count legible over the hatch.
                ax.text(start + value / 2, y, str(value), ha="center", va="center",
                        fontsize=8, color="white",
                        bbox=dict(boxstyle="round,pad=0.12", fc=colour, ec="none"))
            spots.append(Hotspot(rect, _tip(bar), unit_id=bar.unit_id))
        starts = [s + v for s, v in zip(starts, values)]
    ax.set_ylim(len(bars) - 0.5, -0.5)  # worst at the top
    row_labels(ax, ys, [b.unit_name for b in bars])
    ax.set_xlabel("责任事项（项）", fontsize=9)
    ax.grid(axis="x", color="#e3e7ec", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.text(0.5, 1 - 0.12 / height_in, head, ha="center", va="top", fontsize=12.5)
    handles = [Patch(facecolor=c, hatch=h or None, edgecolor="white",
                     label=f"{LIGHT_WORDS[l]}（{LIGHT_MEANINGS[l]}）") for l, c, h in
               reversed(SEGMENTS)]
    fig.legend(handles=handles, loc="upper center", ncol=3, frameon=False, fontsize=9,
               bbox_to_anchor=(0.5, 1 - 0.5 / height_in))
    return spots


def _tip(bar: LightBar) -> str:
    return (f"{bar.unit_name}\n绿灯 {bar.green} 项　蓝灯 {bar.blue} 项　红灯 {bar.red} 项\n"
            f"合计 {bar.total} 项")


def light_bars_figure(bars: Sequence[LightBar], scope_word: str, period_label: str,
                      width_in: float = 10.0) -> Figure:
    fig = new_figure(width_in, height_for(bars))
    draw_light_bars(fig, bars, scope_word, period_label)
    return fig
