"""Render tests: each figure has the expected artists, Chinese text in the CJK font, and
labels that neither overlap nor leave the figure, with 9 and with 103 districts."""
import itertools
import xml.etree.ElementTree as ET

import pytest
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from PIL import Image

from taskboard.charts.common import WATER, WATER_LAGGING, export_figure
from taskboard.charts.light_bars import light_bars_figure
from taskboard.charts.task_ranking import task_ranking_figure
from taskboard.charts.trends import trends_figure
from taskboard.charts.water_level import water_level_figure
from taskboard.core.dashboard import (
    Group, LightBar, Measure, TaskRankRow, Tank, WaterLevel,
)
from taskboard.core.dashboard_history import TrendSeries, Trends
from taskboard.core.periods import Period, period_range
from taskboard.core.rules import Light
from taskboard.fonts import configure_matplotlib

NAMES = ["东胜区", "康巴什区", "达拉特旗", "准格尔旗", "伊金霍洛旗", "乌审旗", "杭锦旗", "鄂托克旗",
         "鄂托克前旗"]
LONG = ["莫力达瓦达斡尔族自治旗", "达尔罕茂明安联合旗", "科尔沁左翼中旗", "土默特左旗", "新城区"]


def names(n):
    return [NAMES[i] if n <= 9 else f"{LONG[i % 5]}{i}"[:11] for i in range(n)]


def water(n, measure=Measure.MEAN_PROGRESS):
    tanks = tuple(Tank(key=i + 1, label=name, level=40 + i % 50, time_line=60.0,
                       lagging=40 + i % 50 < 60, assignments=10, closed=i % 3,
                       mean_progress=40 + i % 50) for i, name in enumerate(names(n)))
    return WaterLevel(Group.DISTRICT, measure, "2026年11月", tanks)


def texts(fig):
    return [t for t in fig.findobj(lambda a: isinstance(a, Text) and a.get_text()
                                   and a.get_visible())]


def all_text(fig) -> str:
    return "\n".join(t.get_text() for t in texts(fig))


def assert_cjk_font(fig):
    family = configure_matplotlib()
    t = next(t for t in texts(fig) if any("\u4e00" <= ch <= "\u9fff" for ch in t.get_text()))
    path = font_manager.findfont(t.get_fontproperties(), fallback_to_default=False)
    assert font_manager.FontProperties(fname=path).get_name() == family
    assert family != "DejaVu Sans"


def assert_no_overlap(fig, labels):
    canvas = FigureCanvasAgg(fig)
    canvas.draw()  # legends place their texts while drawing
    renderer = canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in labels]
    width, height = fig.bbox.width, fig.bbox.height
    for box in boxes:
        assert box.x0 >= -1 and box.x1 <= width + 1 and box.y0 >= -1 and box.y1 <= height + 1
    for (a, ta), (b, tb) in itertools.combinations(zip(boxes, labels), 2):
        assert not a.overlaps(b), (ta.get_text(), tb.get_text())


def tank_shells(fig):
    ax = fig.axes[0]
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_facecolor()[:3] != (0, 0, 0)
            and p.get_linewidth() > 0]


@pytest.mark.parametrize("n", [9, 103])
def test_water_level_tanks_labels_and_fit(n):
    data = water(n)
    fig = water_level_figure(data, width_in=14)
    ax = fig.axes[0]
    water_patches = [p for p in ax.patches if p.get_linewidth() == 0]
    assert len(tank_shells(fig)) == n and len(water_patches) == n

    lagging = [p for p in water_patches if to_hex(p.get_facecolor()) == WATER_LAGGING]
    assert len(lagging) == data.lagging_count
    assert all(p.get_hatch() == ("///" if n <= 40 else None) for p in lagging)

    assert {to_hex(p.get_facecolor()) for p in lagging} == {WATER_LAGGING}
    assert {to_hex(p.get_facecolor()) for p in water_patches if p not in lagging} <= {WATER}
    text = all_text(fig)
    assert "水位图" in text and "平均完成进度" in text and f"滞后 {data.lagging_count} 个" in text
    assert "时序60.0%" in text  # lagging tanks carry both numbers
    assert_cjk_font(fig)
    labels = [t for t in texts(fig) if t.axes is ax]
    assert_no_overlap(fig, labels)
    if n == 103:
        assert fig.get_size_inches()[1] > 10  # rows, not 103 slivers on one line


def test_water_level_hotspots_carry_units_and_figures():
    from matplotlib.figure import Figure

    from taskboard.charts.water_level import draw_water_level, height_for
    data = water(9)
    fig = Figure(figsize=(12, height_for(data, 12)))
    spots = draw_water_level(fig, data)
    assert [s.unit_id for s in spots] == list(range(1, 10))
    assert "完成水平（平均完成进度）：40.0%" in spots[0].tip and "滞后" in spots[0].tip
    by_task = WaterLevel(Group.TASK, Measure.SHARE_CLOSED, "2026年11月", data.tanks[:2])
    spots = draw_water_level(fig, by_task)
    assert spots[0].task_id == 1 and spots[0].unit_id is None
    assert "办结率" in all_text(fig)


def test_empty_water_level_says_so():
    fig = water_level_figure(WaterLevel(Group.DISTRICT, Measure.MEAN_PROGRESS, "2026年11月", ()))
    assert "本期没有可统计的旗区" in all_text(fig)


@pytest.mark.parametrize("n", [9, 115])
def test_light_bars(n):
    bars = [LightBar(i + 1, name, green=i % 7, blue=i % 3, red=(n - i) % 5)
            for i, name in enumerate(names(n))]
    fig = light_bars_figure(bars, "单位", "2026年11月")
    ax = fig.axes[0]
    assert len(ax.patches) == 3 * n
    colours = {tuple(round(c, 3) for c in p.get_facecolor()) for p in ax.patches}
    assert len(colours) == 3
    names_drawn = [t.get_text() for t in ax.texts if t.get_ha() == "right"]
    assert names_drawn == [b.unit_name for b in bars]
    text = all_text(fig)
    assert "彩色柱状图" in text and "绿灯（已完成或本期报送已通过）" in text and "红灯（未报送）" in text
    assert_cjk_font(fig)
    assert_no_overlap(fig, [t for t in ax.texts if t.get_ha() == "right"])
    counts = [t for t in ax.texts if t.get_ha() == "center"]
    assert (len(counts) > 0) == (n <= 40)  # many rows: counts move to the tooltip


def test_trends_highlight_the_selected_district():
    periods = tuple(period_range(Period(2022, 12), Period(2026, 11)))
    series = tuple(TrendSeries(i + 1, name, tuple(float(min(100, k * 2 + i)) for k in
                                                   range(len(periods))),
                               tuple(None if k == 0 else 90.0 - i for k in range(len(periods))))
                   for i, name in enumerate(names(103)))
    t = Trends(Measure.MEAN_PROGRESS, periods, series, series[0].level, series[0].on_time_rate,
               selected=5)
    fig = trends_figure(t)
    left, right = fig.axes[:2]
    assert len(left.collections[0].get_segments()) == 102  # every other district
    assert len(left.lines) == 2  # the mean and the highlighted district
    highlighted = [l for l in left.lines if l.get_linewidth() > 2]
    assert len(highlighted) == 1 and highlighted[0].get_marker() == "o"
    text = all_text(fig)
    assert "变化曲线" in text and "按时报送率" in text and series[4].unit_name in text
    assert_cjk_font(fig)
    assert_no_overlap(fig, [t for t in left.get_xticklabels() if t.get_text()])


def test_task_ranking_chart():
    rows = [TaskRankRow(1, 1, "东胜区", 90, 70.0, False, False, Light.GREEN),
            TaskRankRow(2, 2, "乌审旗", 60, 70.0, True, False, Light.RED),
            TaskRankRow(2, 3, "杭锦旗", 60, 70.0, True, False, Light.BLUE)]
    fig = task_ranking_figure(rows, "任务 1.1 推行企业开办一网通办", "2026年11月")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts if t.get_ha() == "right"] == [
        "1. 东胜区", "2. 乌审旗", "2. 杭锦旗"]
    assert [p.get_hatch() for p in ax.patches] == [None, "///", "///"]
    assert "时序进度 70.0%" in all_text(fig)
    assert_cjk_font(fig)


def test_export_png_and_svg_at_print_resolution(tmp_path):
    fig = water_level_figure(water(9), width_in=10)
    png = export_figure(fig, tmp_path / "水位图.png")
    with Image.open(png) as im:
        assert im.format == "PNG"
        assert im.info["dpi"][0] == pytest.approx(300, abs=1)
        assert im.width > 2500  # 10 in at 300 dpi, trimmed to the drawing
    svg = export_figure(fig, tmp_path / "水位图.SVG")
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg") and len(list(root.iter())) > 100
    with pytest.raises(ValueError, match="请选择 .png 或 .svg"):
        export_figure(fig, tmp_path / "水位图.jpg")
    assert not (tmp_path / "水位图.jpg").exists()
