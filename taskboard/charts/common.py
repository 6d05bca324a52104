"""Shared pieces of the battle-map figures: colours, fonts, hot spots, export.

Builders draw into a Figure they are given (the UI reuses one Figure per canvas and redraws
into it) and return hot spots: the artists a user can point at, with the exact figures to
show and the unit or task a click should open.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

from matplotlib.artist import Artist
from matplotlib.figure import Figure

from taskboard.core.atomic import save_with
from taskboard.core.rules import LIGHT_COLORS, Light
from taskboard.fonts import configure_matplotlib

WATER = "#4a90d9"
WATER_LAGGING = "#e8590c"
TANK_EDGE = "#5b6775"
TIME_LINE = "#222222"
HIGHLIGHT = "#d6336c"
MUTED = "#b8c2cc"
GREEN, BLUE, RED = (LIGHT_COLORS[Light.GREEN], LIGHT_COLORS[Light.BLUE],
                    LIGHT_COLORS[Light.RED])
PRINT_DPI = 300
EXPORT_FORMATS = ("png", "svg")


@dataclass(frozen=True)
class Hotspot:
    artist: Artist
    tip: str  # exact figures, shown on hover
    unit_id: Optional[int] = None  # a click filters the task list to this unit
    task_id: Optional[int] = None  # ... or selects this task


def new_figure(width_in: float = 10.0, height_in: float = 6.0) -> Figure:
    configure_matplotlib()
    return Figure(figsize=(width_in, height_in), dpi=100)


def reset(fig: Figure) -> None:
    """Clear a figure for a redraw; fonts are configured before any text is made."""
    configure_matplotlib()
    fig.clear()


# Above this many rows, per-row value labels are left to the hover tooltip: they would be
# unreadably small and each label costs a millisecond to lay out.
MAX_VALUE_LABELS = 40


def hbars(ax, ys, values, starts, height, colours, hatch=None):
    """Horizontal bars as plain Rectangles (Axes.barh updates data limits per bar: slow)."""
    from matplotlib.patches import Rectangle

    rects = []
    for y, value, start, colour in zip(ys, values, starts, colours):
        rect = Rectangle((start, y - height / 2), value, height, facecolor=colour,
                         edgecolor="white", linewidth=0.6, hatch=hatch)
        ax.add_artist(rect)
        rects.append(rect)
    return rects


def row_labels(ax, ys, labels, fontsize: float = 9) -> None:
    """Row names drawn as plain texts left of the axes: much cheaper than 100+ tick objects."""
    ax.set_yticks([])
    transform = ax.get_yaxis_transform()
    for y, label in zip(ys, labels):
        ax.text(-0.01, y, label, transform=transform, ha="right", va="center",
                fontsize=fontsize, clip_on=False)


def pct(value: Optional[float]) -> str:
    return "—" if value is None else f"{value:.1f}%"


def empty(fig: Figure, title: str, message: str) -> list[Hotspot]:
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_title(title, fontsize=12)
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=12, color="#666666",
            transform=ax.transAxes)
    return []


def export_figure(fig: Figure, path: Union[str, Path], dpi: int = PRINT_DPI) -> Path:
    """Write the figure as PNG or SVG (by the file's suffix) at print resolution."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"不支持的图片格式：{path.suffix or '（无扩展名）'}，请选择 .png 或 .svg")
    configure_matplotlib()
    # Text goes out as outlines (matplotlib's default) so the SVG shows Chinese on machines
    # without the font.
    save_with(path, lambda f: fig.savefig(f, format=fmt, dpi=dpi, bbox_inches="tight",
                                          facecolor="white"))
    return path


def wrap(text: str, per_line: int, max_lines: int = 3) -> str:
    """Break a Chinese name into lines of ``per_line`` characters (no spaces to break at)."""
    per_line = max(1, per_line)
    lines = [text[i:i + per_line] for i in range(0, len(text), per_line)] or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:-1] + "…"
    return "\n".join(lines)
