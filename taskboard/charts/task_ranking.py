"""One task's districts ranked by progress (排名), with the task's time progress marked."""
from __future__ import annotations

from typing import Optional, Sequence

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from taskboard.charts.common import (
    MAX_VALUE_LABELS, TIME_LINE, WATER, WATER_LAGGING, Hotspot, empty, new_figure, reset,
    hbars, row_labels,
)
from taskboard.core.dashboard import TaskRankRow

BAR_IN = 0.3
HEAD_IN = 0.95
FOOT_IN = 0.5
CHAR_IN = 0.14


def height_for(rows: Sequence[TaskRankRow]) -> float:
    return HEAD_IN + FOOT_IN + max(3, len(rows)) * BAR_IN


def draw_task_ranking(fig: Figure, rows: Sequence[TaskRankRow], task_label: str,
                      period_label: str) -> list[Hotspot]:
    reset(fig)
    head = f"{task_label} · 各旗区进度排名（{period_label}）"
    if not rows:
        return empty(fig, head, "该任务没有旗区承担")
    width_in, height_in = fig.get_size_inches()
    name_in = 0.55 + CHAR_IN * max(len(r.unit_name) for r in rows)
    left = min(0.5, name_in / width_in)
    ax = fig.add_axes((left, FOOT_IN / height_in, 1 - left - 0.08,
                       1 - (HEAD_IN + FOOT_IN) / height_in))
    ys = list(range(len(rows)))
    rects = hbars(ax, ys, [r.progress for r in rows], [0] * len(rows), 0.66,
                  [WATER_LAGGING if r.lagging else WATER for r in rows])
    spots = []
    for rect, r, y in zip(rects, rows, ys):
        if r.lagging:
            rect.set_hatch("///")
        if len(rows) <= MAX_VALUE_LABELS:
            ax.text(r.progress + 1, y, f"{r.progress}%" + ("（已办结）" if r.closed else ""),
                    va="center", fontsize=8.5)
        spots.append(Hotspot(rect, _tip(r), unit_id=r.unit_id))
    tprog: Optional[float] = next((r.time_progress for r in rows
                                   if r.time_progress is not None), None)
    if tprog is not None:
        ax.axvline(tprog, color=TIME_LINE, linestyle="--", linewidth=1.2)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    row_labels(ax, ys, [f"{r.rank}. {r.unit_name}" for r in rows])
    ax.set_xlim(0, 112)
    ax.set_xticks([0, 20, 40, 60, 80, 100])
    ax.set_xlabel("完成进度（%）", fontsize=9)
    ax.grid(axis="x", color="#e3e7ec", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.text(0.5, 1 - 0.12 / height_in, head, ha="center", va="top", fontsize=12)
    handles = [Patch(facecolor=WATER, label="进度"),
               Patch(facecolor=WATER_LAGGING, hatch="///", edgecolor="white",
                     label="滞后（低于时序进度）")]
    if tprog is not None:
        handles.append(Line2D([], [], color=TIME_LINE, linestyle="--",
                              label=f"时序进度 {tprog:.1f}%"))
    fig.legend(handles=handles, loc="upper center", ncol=len(handles), frameon=False,
               fontsize=9, bbox_to_anchor=(0.5, 1 - 0.5 / height_in))
    return spots


def _tip(r: TaskRankRow) -> str:
    tp = "长期（无时序进度）" if r.time_progress is None else f"{r.time_progress:.1f}%"
    state = "已办结" if r.closed else ("滞后" if r.lagging else "正常")
    return (f"第 {r.rank} 名　{r.unit_name}\n完成进度 {r.progress}%　时序进度 {tp}\n"
            f"{state}　{r.light.word}")


def task_ranking_figure(rows: Sequence[TaskRankRow], task_label: str, period_label: str,
                        width_in: float = 9.0) -> Figure:
    fig = new_figure(width_in, height_for(rows))
    draw_task_ranking(fig, rows, task_label, period_label)
    return fig
