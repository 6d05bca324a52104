"""The ledger's 图表 sheet: the figures, then native charts that print one to a page.

A chart shows at most ``PER_CHART`` units (the lights) or ``PER_WATER`` districts (the water
level) so that every one of them keeps its label; a province's many units get several charts.
Each series carries its values as well as its cell range, so a viewer that does not recompute
charts (a file preview, a phone) still draws them.
"""
from __future__ import annotations

from taskboard.core.rules import LIGHT_COLORS, Light

PER_CHART = 25
PER_WATER = 20
HEADERS = ("单位", "绿灯", "蓝灯", "红灯", None, "旗区", "完成水平", "时序进度")
ROW_CM = 0.53  # a default 15 pt row
WIDTH_CM = 24.0
PX_PER_CM = 96 / 2.54
SMALL = {"size": 8}


def bar_height(n_units: int) -> float:
    """Centimetres for a lights chart: room for every unit's 8 pt label, plus the title,
    the axis title and the margins around the plot; 25 units fit an A4 landscape page."""
    return max(9.0, 0.48 * n_units + 3.5)


def _chunks(n: int, size: int) -> list[tuple[int, int]]:
    """(first, last) sheet rows of each chart's share of ``n`` data rows below the header."""
    return [(2 + i, 1 + min(n, i + size)) for i in range(0, n, size)]


def _part(title: str, k: int, total: int) -> str:
    return f"{title}（{k}/{total}）" if total > 1 else title


def _sized(chart, height_cm: float) -> tuple[object, float]:
    """The chart at the page's width and ``height_cm`` tall, with that height."""
    chart.set_size({"width": round(WIDTH_CM * PX_PER_CM), "height": round(height_cm * PX_PER_CM)})
    return chart, height_cm


def _column(sheet, first: int, last: int, col: int, values: list) -> dict:
    """A series' cells (1-based rows, 0-based column) with their values."""
    return {"values": [sheet.name, first - 1, col, last - 1, col],
            "values_data": values[first - 2:last - 1]}


def _lights(wb, sheet, data, first: int, last: int, title: str):
    bar = wb.add_chart({"type": "bar", "subtype": "stacked"})
    names = [u[0] for u in data.unit_lights]
    for col, light in zip((1, 2, 3), (Light.GREEN, Light.BLUE, Light.RED)):
        bar.add_series({
            "name": HEADERS[col],
            "categories": [sheet.name, first - 1, 0, last - 1, 0],
            "categories_data": names[first - 2:last - 1],
            **_column(sheet, first, last, col, [u[col] for u in data.unit_lights]),
            "fill": {"color": LIGHT_COLORS[light].upper()},
            "gap": 40, "overlap": 100,
        })
    bar.set_title({"name": title})
    # In a bar chart the x axis is the value axis, drawn across; the units run down the y axis,
    # first unit on top, as listed, each named: crowded labels make the client show only
    # every other one.
    bar.set_x_axis({"name": "责任分工数"})
    bar.set_y_axis({"reverse": True, "interval_unit": 1, "interval_tick": 1,
                    "num_font": SMALL})
    return _sized(bar, bar_height(last - first + 1))


def _water(wb, sheet, data, first: int, last: int, title: str):
    level = wb.add_chart({"type": "column"})
    cats = {"categories": [sheet.name, first - 1, 5, last - 1, 5],
            "categories_data": [w[0] for w in data.water][first - 2:last - 1]}
    level.add_series({"name": "完成水平", **cats,
                      **_column(sheet, first, last, 6, [w[1] for w in data.water]),
                      "fill": {"color": "#4F9BD9"}})
    level.set_title({"name": title})
    level.set_y_axis({"min": 0, "max": 1, "num_format": "0%", "name": "完成水平"})
    level.set_x_axis({"interval_unit": 1, "interval_tick": 1, "num_font": SMALL})
    # 时序进度 is one mark per district: a line joining districts would mean nothing.
    marks = wb.add_chart({"type": "line"})
    marks.add_series({"name": "时序进度", **cats,
                      **_column(sheet, first, last, 7, [w[2] for w in data.water]),
                      "line": {"none": True}, "smooth": False,
                      "marker": {"type": "dash", "size": 20, "fill": {"color": "#D93636"},
                                 "border": {"color": "#D93636"}}})
    level.combine(marks)
    return _sized(level, 11)


def write(sheet, data, widths, head) -> None:
    """Fill the sheet: ``head`` writes the header row."""
    head(sheet, HEADERS, widths)
    rows = max(len(data.unit_lights), len(data.water))
    for i in range(rows):
        left = data.unit_lights[i] if i < len(data.unit_lights) else (None,) * 4
        right = data.water[i] if i < len(data.water) else (None,) * 3
        sheet.append([(left[0], "text"), *((v, "center") for v in left[1:]), None,
                      (right[0], "text"), *((v, "pct1") for v in right[1:])])
    # The charts go below the figures, each on a page of its own: beside the figures the sheet
    # is too wide for A4 landscape at 85 %, and a chart cut by a page break is unreadable.
    wb = sheet.book.wb
    charts = []
    lights = _chunks(len(data.unit_lights), PER_CHART)
    for k, (first, last) in enumerate(lights, start=1):
        title = _part(f"各单位亮灯情况（{data.period.label}）", k, len(lights))
        charts.append(_lights(wb, sheet, data, first, last, title))
    water = _chunks(len(data.water), PER_WATER)
    for k, (first, last) in enumerate(water, start=1):
        title = _part(f"水位图 · 各旗区完成水平与时序进度（{data.period.label}）", k, len(water))
        charts.append(_water(wb, sheet, data, first, last, title))
    anchor, breaks = 3 + rows, []
    for chart, height_cm in charts:
        breaks.append(anchor - 1)
        sheet.ws.insert_chart(anchor - 1, 0, chart)
        anchor += 1 + int(height_cm / ROW_CM)
    sheet.ws.set_h_pagebreaks(breaks)
