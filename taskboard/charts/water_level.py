"""水位图: one tank per district, unit or task, filled to its completion level.

The dashed line across each tank is its time line (时序进度); a tank below it is lagging and
drawn in a distinct colour with a hatch (so it survives black-and-white printing), labelled
with both numbers. Tanks wrap into rows, so 9 districts make one wide row and 103 make six.
The whole figure is one Axes measured in inches, which keeps 100+ tanks cheap to draw.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from taskboard.charts.common import (
    MAX_VALUE_LABELS, TANK_EDGE, TIME_LINE, WATER, WATER_LAGGING, Hotspot, empty, new_figure,
    reset, wrap,
)
from taskboard.core.dashboard import Group, WaterLevel

CELL_MIN_IN = 0.82
TANK_H = 1.25
TOP_IN = 0.40  # room for the level (and time-line) label above a tank
LINE_IN = 0.17
HEAD_IN = 0.85  # title and legend
CHAR_IN = 0.135  # one CJK character at the name font size


@dataclass(frozen=True)
class Layout:
    per_row: int
    rows: int
    cell_w: float
    name_chars: int
    name_lines: int
    row_h: float
    height: float


def layout(data: WaterLevel, width_in: float) -> Layout:
    """How tanks wrap into rows for a figure ``width_in`` wide, and the height it needs."""
    n = max(1, len(data.tanks))
    per_row = max(1, min(n, int(width_in // CELL_MIN_IN)))
    rows = math.ceil(n / per_row)
    cell_w = width_in / per_row
    chars = max(2, int((cell_w - 0.08) / CHAR_IN))
    longest = max((len(t.label) for t in data.tanks), default=1)
    lines = min(3, math.ceil(longest / chars))
    if n > MAX_VALUE_LABELS:  # names sit above the tanks with the figures
        row_h = TOP_IN + lines * LINE_IN + TANK_H + 0.22
        return Layout(per_row, rows, cell_w, chars, lines, row_h, HEAD_IN + rows * row_h + 0.1)
    row_h = TOP_IN + TANK_H + 0.1 + lines * LINE_IN + 0.12
    return Layout(per_row, rows, cell_w, chars, lines, row_h, HEAD_IN + rows * row_h + 0.1)


def height_for(data: WaterLevel, width_in: float) -> float:
    return layout(data, width_in).height


def draw_water_level(fig: Figure, data: WaterLevel) -> list[Hotspot]:
    reset(fig)
    if not data.tanks:
        return empty(fig, data.title, f"本期没有可统计的{data.group.word}")
    width_in, fig_h = fig.get_size_inches()
    lay = layout(data, width_in)
    # Spare height (a few tanks in a tall window) deepens the tanks instead of leaving a gap.
    tank_h = TANK_H + max(0.0, min((fig_h - lay.height) / lay.rows, 2.2))
    row_h = lay.row_h + tank_h - TANK_H
    height = max(fig_h, HEAD_IN + lay.rows * row_h + 0.1)
    ax = fig.add_axes((0, 0, 1, 1))
    # Artists go in with add_artist: the limits are fixed, and add_patch would update the
    # data limits for each of several hundred patches.
    ax.set_axis_off()
    ax.set_xlim(0, width_in)
    ax.set_ylim(height, 0)  # y grows downwards, in inches
    title = f"{data.title}（滞后 {data.lagging_count} 个）"
    ax.text(width_in / 2, 0.1, title, ha="center", va="top", fontsize=12.5)
    handles = [Patch(facecolor=WATER, edgecolor=TANK_EDGE, label=f"{data.measure.word}（正常）"),
               Patch(facecolor=WATER_LAGGING, edgecolor=TANK_EDGE, hatch="///",
                     label="滞后（低于时序线）"),
               Line2D([], [], color=TIME_LINE, linestyle="--", label=data.measure.time_word)]
    ax.legend(handles=handles, loc="upper center", ncol=3, frameon=False, fontsize=9,
              bbox_to_anchor=(0.5, 1 - 0.42 / height), borderaxespad=0)

    tank_w = min(lay.cell_w * 0.58, 0.9)
    name_size = 8.5 if lay.cell_w < 1.2 else 9.5
    # Hatching 100+ tanks doubles the drawing time; there the lagging label (both numbers)
    # is what tells lagging tanks apart without colour.
    hatched = len(data.tanks) <= MAX_VALUE_LABELS
    spots = []
    for i, tank in enumerate(data.tanks):
        row, col = divmod(i, lay.per_row)
        cx = (col + 0.5) * lay.cell_w
        top = HEAD_IN + row * row_h + TOP_IN + (0 if hatched else lay.name_lines * LINE_IN)
        bottom = top + tank_h
        left = cx - tank_w / 2
        shell = Rectangle((left, top), tank_w, tank_h, facecolor="#f3f6f9", edgecolor=TANK_EDGE,
                          linewidth=1.0, zorder=1)
        ax.add_artist(shell)
        level_h = tank_h * max(0.0, min(100.0, tank.level)) / 100
        if level_h > 0:
            ax.add_artist(Rectangle(
                (left, bottom - level_h), tank_w, level_h, linewidth=0, zorder=2,
                facecolor=WATER_LAGGING if tank.lagging else WATER,
                hatch="///" if tank.lagging and hatched else None, edgecolor="#ffffff" if tank.lagging
                else None))
        line_y = bottom - tank_h * max(0.0, min(100.0, tank.time_line)) / 100
        ax.add_artist(Line2D([left - 0.05, left + tank_w + 0.05], [line_y, line_y],
                           color=TIME_LINE, linestyle="--", linewidth=1.1, zorder=3))
        label = f"{tank.level:.1f}%"
        if tank.lagging:
            label += f"\n时序{tank.time_line:.1f}%"
        colour = WATER_LAGGING if tank.lagging else "#1d2733"
        name = wrap(tank.label, lay.name_chars)
        if hatched:
            ax.text(cx, top - 0.03, label, ha="center", va="bottom", fontsize=8, color=colour,
                    linespacing=1.05)
            ax.text(cx, bottom + 0.07, name, ha="center", va="top", fontsize=name_size,
                    linespacing=1.0)
        else:
            # Many tanks: one text per tank (figures above, name below would be two), since
            # laying out text is most of the drawing time.
            ax.text(cx, top - 0.03, f"{name}\n{label}", ha="center", va="bottom", fontsize=8,
                    color=colour, linespacing=1.0)
        spots.append(Hotspot(shell, _tip(data, tank),
                             unit_id=None if data.group is Group.TASK else tank.key,
                             task_id=tank.key if data.group is Group.TASK else None))
    return spots


def _tip(data: WaterLevel, tank) -> str:
    head = f"任务 {tank.label}" if data.group is Group.TASK else tank.label
    lines = [head,
             f"完成水平（{data.measure.word}）：{tank.level:.1f}%",
             f"{data.measure.time_word}：{tank.time_line:.1f}%" + ("　滞后" if tank.lagging else ""),
             f"责任事项 {tank.assignments} 项，已办结 {tank.closed} 项",
             f"平均完成进度 {tank.mean_progress:.1f}%"]
    return "\n".join(lines)


def water_level_figure(data: WaterLevel, width_in: float = 13.0) -> Figure:
    """A stand-alone figure sized to its rows, for export and reports."""
    fig = new_figure(width_in, height_for(data, width_in))
    draw_water_level(fig, data)
    return fig
