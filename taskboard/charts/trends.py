"""变化曲线: every district's completion level and on-time report rate, month by month.

All districts are drawn thin and grey for context, their mean dashed, and the selected
district thick in the highlight colour with its latest values written at the line's end.
"""
from __future__ import annotations

from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from taskboard.charts.common import HIGHLIGHT, MUTED, Hotspot, empty, new_figure, pct, reset
from taskboard.core.dashboard_history import Trends


def title(t: Trends) -> str:
    last = t.periods[-1].label if t.periods else ""
    return f"变化曲线 · 各旗区完成水平（{t.measure.word}）与按时报送率（截至{last}）"


def _tick_positions(n: int) -> list[int]:
    step = 1 if n <= 12 else 3 if n <= 36 else 6
    ticks = list(range(0, n, step))
    if ticks and ticks[-1] != n - 1:
        if n - 1 - ticks[-1] < step / 2:
            ticks[-1] = n - 1
        else:
            ticks.append(n - 1)
    return ticks


def draw_trends(fig: Figure, t: Trends) -> list[Hotspot]:
    reset(fig)
    if not t.periods or not t.series:
        return empty(fig, title(t), "没有可绘制的月份或旗区")
    n = len(t.periods)
    xs = list(range(n))
    labels = [f"{p.year % 100:02d}.{p.month:02d}" for p in t.periods]
    axes = fig.subplots(1, 2)
    fig.subplots_adjust(left=0.06, right=0.98, top=0.8, bottom=0.16, wspace=0.16)
    fig.suptitle(title(t), fontsize=12.5, y=0.975)
    chosen = t.selected_series
    spots: list[Hotspot] = []
    panels = ((axes[0], "完成水平（%）", lambda s: s.level, t.average_level),
              (axes[1], "按时报送率（%）", lambda s: s.on_time_rate, t.average_on_time))
    for ax, ylabel, values_of, average in panels:
        # The other districts as one collection: a hundred Line2D objects cost a third of
        # a second to build and draw. Hover and click work on the highlighted district.
        others = [list(zip(xs, [float("nan") if v is None else v for v in values_of(s)]))
                  for s in t.series if s.unit_id != t.selected]
        ax.add_collection(LineCollection(others, colors=MUTED, linewidths=0.8, alpha=0.75,
                                         zorder=1), autolim=False)
        avg = [float("nan") if v is None else v for v in average]
        ax.plot(xs, avg, color="#333333", linestyle="--", linewidth=1.4, zorder=2)
        if chosen is not None:
            ys = [float("nan") if v is None else v for v in values_of(chosen)]
            (line,) = ax.plot(xs, ys, color=HIGHLIGHT, linewidth=2.4, marker="o",
                              markersize=3.5 if n > 24 else 5, zorder=3)
            spots.append(Hotspot(line, _tip(chosen, ylabel, ys, labels),
                                 unit_id=chosen.unit_id))
            if ys and ys[-1] == ys[-1]:
                ax.annotate(f"{ys[-1]:.1f}%", (xs[-1], ys[-1]), xytext=(6, 0),
                            textcoords="offset points", ha="left", va="center", fontsize=9,
                            color=HIGHLIGHT)
        ax.set_ylim(0, 104)
        # Room on the right for the selected district's latest value.
        ax.set_xlim(-0.3, n - 1 + max(1.2, n * 0.09))
        ticks = _tick_positions(n)
        ax.set_xticks(ticks, [labels[i] for i in ticks], fontsize=8.5)
        ax.tick_params(axis="y", labelsize=8.5)
        ax.set_title(ylabel.replace("（%）", ""), fontsize=10.5)
        ax.set_ylabel(ylabel, fontsize=9)
        ax.grid(color="#e3e7ec", linewidth=0.6)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    handles = [Line2D([], [], color=MUTED, linewidth=1, label="其他旗区"),
               Line2D([], [], color="#333333", linestyle="--", linewidth=1.4,
                      label="旗区平均")]
    if chosen is not None:
        handles.insert(0, Line2D([], [], color=HIGHLIGHT, linewidth=2.4, marker="o",
                                 label=chosen.unit_name))
    fig.legend(handles=handles, loc="upper center", ncol=len(handles), frameon=False,
               fontsize=9, bbox_to_anchor=(0.5, 0.92))
    return spots


def _tip(s, what: str, ys, labels) -> str:
    what = what.replace("（%）", "")
    last = ys[-1] if ys else None
    recent = "　".join(f"{labels[i]} {pct(None if ys[i] != ys[i] else ys[i])}"
                      for i in range(max(0, len(ys) - 3), len(ys)))
    return f"{s.unit_name} · {what}\n最近三个月：{recent}\n本期：{pct(None if last != last else last)}"


def trends_figure(t: Trends, width_in: float = 13.0, height_in: float = 5.0) -> Figure:
    fig = new_figure(width_in, height_in)
    draw_trends(fig, t)
    return fig
