"""The ledger's 图表 sheet: the figures, then native charts that print one to a page.

A chart shows at most ``PER_CHART`` units (the lights) or ``PER_WATER`` districts (the water
level) so that every one of them keeps its label; a province's many units get several charts.
"""
from __future__ import annotations

from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.chart.text import RichText
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
from openpyxl.worksheet.pagebreak import Break

from taskboard.core.rules import LIGHT_COLORS, Light

PER_CHART = 25
PER_WATER = 20
HEADERS = ("单位", "绿灯", "蓝灯", "红灯", None, "旗区", "完成水平", "时序进度")
ROW_CM = 0.53  # a default 15 pt row


def bar_height(n_units: int) -> float:
    """Centimetres for a lights chart: room for every unit's 8 pt label, plus the title,
    the axis title and the margins around the plot; 25 units fit an A4 landscape page."""
    return max(9.0, 0.48 * n_units + 3.5)


def _small_labels(axis) -> None:
    size = CharacterProperties(sz=800)
    axis.txPr = RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=size),
                                      endParaRPr=size)])


def _chunks(n: int, size: int) -> list[tuple[int, int]]:
    """(first, last) sheet rows of each chart's share of ``n`` data rows below the header."""
    return [(2 + i, 1 + min(n, i + size)) for i in range(0, n, size)]


def _part(title: str, k: int, total: int) -> str:
    return f"{title}（{k}/{total}）" if total > 1 else title


def _lights(ws, first: int, last: int, title: str):
    bar = BarChart()
    bar.type, bar.grouping, bar.overlap = "bar", "stacked", 100
    bar.title = title
    bar.y_axis.title = "责任分工数"
    for col, light in zip((2, 3, 4), (Light.GREEN, Light.BLUE, Light.RED)):
        series = Series(Reference(ws, min_col=col, min_row=first, max_row=last),
                        title=HEADERS[col - 1])
        series.graphicalProperties = GraphicalProperties(
            solidFill=LIGHT_COLORS[light].lstrip("#").upper())
        bar.series.append(series)
    bar.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    bar.height, bar.width, bar.gapWidth = bar_height(last - first + 1), 24, 40
    bar.y_axis.delete = bar.x_axis.delete = False
    # Every unit's name: crowded labels make the client show only every other one.
    bar.x_axis.tickLblSkip = bar.x_axis.tickMarkSkip = 1
    _small_labels(bar.x_axis)
    bar.x_axis.scaling.orientation = "maxMin"  # first unit on top, as listed
    return bar


def _water(ws, first: int, last: int, title: str):
    level = BarChart()
    level.title = title
    level.series.append(Series(Reference(ws, min_col=7, min_row=first, max_row=last),
                               title="完成水平"))
    cats = Reference(ws, min_col=6, min_row=first, max_row=last)
    level.set_categories(cats)
    level.series[0].graphicalProperties = GraphicalProperties(solidFill="4F9BD9")
    level.y_axis.scaling.min, level.y_axis.scaling.max = 0, 1
    level.y_axis.number_format = "0%"
    level.y_axis.title = "完成水平"
    level.x_axis.tickLblSkip = level.x_axis.tickMarkSkip = 1
    _small_labels(level.x_axis)
    # 时序进度 is one mark per district: a line joining districts would mean nothing.
    marks = LineChart()
    mark = Series(Reference(ws, min_col=8, min_row=first, max_row=last), title="时序进度")
    marks.series.append(mark)
    marks.set_categories(cats)
    mark.smooth = False
    mark.graphicalProperties.line.noFill = True
    mark.marker.symbol, mark.marker.size = "dash", 20
    mark.marker.graphicalProperties = GraphicalProperties(solidFill="D93636")
    mark.marker.graphicalProperties.line.solidFill = "D93636"
    level += marks
    level.y_axis.delete = level.x_axis.delete = False
    level.height, level.width = 11, 24
    return level


def write(ws, st, data, widths, head) -> None:
    """Fill the sheet: ``st`` makes styled cells, ``head`` writes the header row."""
    head(ws, st, HEADERS, widths, 1)
    rows = max(len(data.unit_lights), len(data.water))
    for i in range(rows):
        left = data.unit_lights[i] if i < len(data.unit_lights) else (None,) * 4
        right = data.water[i] if i < len(data.water) else (None,) * 3
        ws.append([st.cell(left[0]), *(st.cell(v, "center") for v in left[1:]), None,
                   st.cell(right[0]), *(st.cell(v, "pct1") for v in right[1:])])
    # The charts go below the figures, each on a page of its own: beside the figures the sheet
    # is too wide for A4 landscape at 85 %, and a chart cut by a page break is unreadable.
    charts = []
    lights = _chunks(len(data.unit_lights), PER_CHART)
    for k, (first, last) in enumerate(lights, start=1):
        title = _part(f"各单位亮灯情况（{data.period.label}）", k, len(lights))
        charts.append(_lights(ws, first, last, title))
    water = _chunks(len(data.water), PER_WATER)
    for k, (first, last) in enumerate(water, start=1):
        title = _part(f"水位图 · 各旗区完成水平与时序进度（{data.period.label}）", k, len(water))
        charts.append(_water(ws, first, last, title))
    anchor = 3 + rows
    for chart in charts:
        ws.row_breaks.append(Break(id=anchor - 1))
        ws.add_chart(chart, f"A{anchor}")
        anchor += 1 + int(chart.height / ROW_CM)
