"""The 通报 document: sentences written from a bulletin snapshot (``core.bulletin``), laid out
as a GB/T 9704 document in Word (.docx) and PDF, and as HTML for the in-app preview.

Every number in the text is read from the snapshot; nothing is computed here but differences
from the previous period.
"""
from __future__ import annotations

import datetime as dt
import html
import io
from typing import Iterator, Union

from taskboard.core.scoring import fmt
from taskboard.notify import gbt9704 as g

Block = Union[tuple[str, str], tuple[str, tuple[str, ...], list[tuple[str, ...]], tuple]]
NUMERALS = "一二三四五六七八九十"
RANK_COLUMNS = ("名次", "单位", "考评得分", "加分", "减分", "名次变化")
RANK_WIDTHS = (0.11, 0.33, 0.16, 0.12, 0.12, 0.16)
OVERDUE_COLUMNS = ("序号", "任务编号", "任务名称", "牵头单位", "完成时限", "超期天数", "超期单位")
OVERDUE_WIDTHS = (0.06, 0.08, 0.26, 0.15, 0.16, 0.08, 0.21)
CARD_COLUMNS = ("单位", "蓝牌", "黄牌", "红牌", "督办", "约谈", "约谈涉及任务")
CARD_WIDTHS = (0.27, 0.08, 0.08, 0.08, 0.08, 0.08, 0.33)
# The column of each table that holds running text (left-aligned); the rest are centred.
TEXT_COLUMN = {RANK_COLUMNS: 1, OVERDUE_COLUMNS: 2, CARD_COLUMNS: 6}
TABLE_PT = 10.5  # 五号


def short_list(names, limit: int = 8, word: str = "个单位") -> str:
    """A province task has over a hundred units: a table row must still fit on a page."""
    names = list(names)
    if len(names) <= limit:
        return "、".join(names)
    return "、".join(names[:limit]) + f"等{len(names)}{word}"


def title(snap: dict) -> str:
    return f"关于{snap['span_label']}{snap['campaign']}任务推进情况的通报"


def _diff(now: float, before: float, unit: str = "项") -> str:
    d = now - before
    if d > 0:
        return f"增加{fmt(d)}{unit}"
    if d < 0:
        return f"减少{fmt(-d)}{unit}"
    return "持平"


def overall_text(snap: dict) -> str:
    o, p = snap["overall"], snap["previous"]
    as_of = g.chinese_date(dt.date.fromisoformat(snap["as_of"]))
    text = (f"截至{as_of}，{snap['campaign']}共有任务{o['tasks']}项，已办结{o['completed']}项，"
            f"按进度推进{o['on_schedule']}项，滞后{o['lagging']}项，超期{o['overdue']}项，"
            f"临期{o['near_due']}项。")
    if o["report_rate"] is None:
        text += f"{snap['span_label']}没有应报送的任务。"
    else:
        text += (f"{snap['span_label']}应报送{o['expected']}项次，已报送{o['reported']}项次，"
                 f"报送率{fmt(o['report_rate'])}%。")
    parts = [f"已办结任务{_diff(o['completed'], p['completed'])}",
             f"滞后任务{_diff(o['lagging'], p['lagging'])}",
             f"超期任务{_diff(o['overdue'], p['overdue'])}"]
    if o["report_rate"] is not None and p["report_rate"] is not None:
        d = round(o["report_rate"] - p["report_rate"], 1)
        parts.append("报送率持平" if d == 0 else
                     f"报送率{'上升' if d > 0 else '下降'}{fmt(abs(d))}个百分点")
    return text + f"与{snap['previous_span_label']}相比，" + "，".join(parts) + "。"


def _names(rows: list[dict]) -> str:
    return "、".join(f"{r['unit']}（{fmt(r['score'])}分）" for r in rows) or "无"


def lists_text(snap: dict) -> Iterator[Block]:
    t = snap["tracks"]
    d, m = t["district"], t["department"]
    yield ("p", f"按照考评规则，考评得分不低于{fmt(snap['target'])}分且位列本类前列（旗区前"
                f"{d['red_size']}名、部门前{m['red_size']}名）的单位列入红榜，考评得分低于"
                f"{fmt(snap['target'])}分且位列本类末位（旗区后{d['black_size']}名、部门后"
                f"{m['black_size']}名）的单位列入黑榜。")
    yield ("h2", "（一）红榜")
    yield ("p", f"旗区：{_names(d['red'])}；部门：{_names(m['red'])}。")
    yield ("h2", "（二）黑榜")
    yield ("p", f"旗区：{_names(d['black'])}；部门：{_names(m['black'])}。")
    exempted = d["exempted"] + m["exempted"]
    if exempted:
        yield ("p", "经研究，" + "；".join(f"{r['unit']}因{r['reason']}" for r in exempted)
                    + "，本期免于列入黑榜。")
    esc = snap.get("escalations", [])
    yield ("h2", "（三）亮牌及督办、约谈")
    if esc:
        yield ("p", "超期亮红牌，滞后或报送质量差亮黄牌，临期亮蓝牌；每两张黄牌记督办一次，"
                    "每张红牌记约谈一次。本期督办、约谈情况如下：")
        rows = [(e["unit"], *(str(n) for n in e["cards"]), fmt(e["supervise"]),
                 fmt(e["interview"]), short_list(e["tasks"], 12, "项任务") or "—")
                for e in esc]
        yield ("table", CARD_COLUMNS, rows, CARD_WIDTHS)
    else:
        yield ("p", "本期没有需要督办或约谈的单位。")


def blocks(snap: dict) -> list[Block]:
    """The body of the bulletin, section by section."""
    out: list[Block] = [("h1", "一、总体情况"), ("p", overall_text(snap)), ("h1", "二、排名情况")]
    for k, (track, word) in enumerate((("district", "各旗区"), ("department", "各部门"))):
        ranking = snap["tracks"][track]["ranking"]
        out.append(("h2", f"（{NUMERALS[k]}）{word}排名"))
        if ranking:
            rows = [(str(r["rank"]), r["unit"], fmt(r["score"]), fmt(r["plus"], True),
                     fmt(r["minus"], True), r["change_text"]) for r in ranking]
            out.append(("table", RANK_COLUMNS, rows, RANK_WIDTHS))
        else:
            out.append(("p", f"本期{word}没有参加排名的单位。"))
    out.append(("h1", "三、红榜和黑榜"))
    out.extend(lists_text(snap))
    out.append(("h1", "四、超期未完成任务"))
    tasks = snap["overdue_tasks"]
    if tasks:
        out.append(("p", f"截至{g.chinese_date(dt.date.fromisoformat(snap['as_of']))}，"
                         f"共有{len(tasks)}项任务超期未完成：" if tasks else ""))
        rows = [(str(i), t["code"], t["title"], t["lead_unit"] or "—", t["deadline"],
                 str(t["days"]), short_list(t["units"])) for i, t in enumerate(tasks, start=1)]
        out.append(("table", OVERDUE_COLUMNS, rows, OVERDUE_WIDTHS))
    else:
        out.append(("p", "本期没有超期未完成的任务。"))
    out.append(("h1", "五、未按时报送单位"))
    late = snap["unreported"]
    if late:
        out.append(("p", f"{snap['span_label']}，以下单位未按时报送进展：" + "、".join(
            f"{u['unit']}（{fmt(u['missing'])}项次）" for u in late) + "。"))
    else:
        out.append(("p", f"{snap['span_label']}，各单位均按时报送进展。"))
    out.append(("h1", "六、下步工作要求"))
    for para in snap["requirements"].split("\n"):
        if para.strip():
            out.append(("p", para.strip()))
    return out


# --- Word --------------------------------------------------------------------------------------

def render_docx(snap: dict) -> bytes:
    from docx import Document
    from docx.enum.table import (
        WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT,
    )
    from docx.enum.text import WD_ALIGN_PARAGRAPH as A
    from docx.shared import Mm

    doc = Document()
    section = doc.sections[0]
    g.docx_page_setup(doc)
    g.docx_page_numbers(section)
    body = doc.paragraphs[0] if doc.paragraphs else None
    if body is not None:  # python-docx's template starts with no paragraph; be sure
        body._element.getparent().remove(body._element)
    g.docx_paragraph(doc, snap["office"], font=g.XIAOBIAOSONG, size=30, align=A.CENTER,
                     color=g.RED, exact_line=False)
    g.docx_paragraph(doc, snap["number_text"], align=A.CENTER, space_before=12)
    g.docx_red_line(doc)
    g.docx_paragraph(doc, title(snap), font=g.XIAOBIAOSONG, size=g.TITLE_PT, align=A.CENTER)
    g.docx_paragraph(doc, "")
    g.docx_paragraph(doc, "各旗区、各有关部门：")
    for b in blocks(snap):
        kind = b[0]
        if kind == "h1":
            g.docx_paragraph(doc, b[1], font=g.HEITI, indent_chars=2)
        elif kind == "h2":
            g.docx_paragraph(doc, b[1], font=g.KAITI, indent_chars=2)
        elif kind == "p":
            g.docx_paragraph(doc, b[1], indent_chars=2)
        else:
            _, head, rows, widths = b
            table = doc.add_table(rows=1 + len(rows), cols=len(head))
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            widths = [Mm(g.TEXT_MM[0] * w) for w in widths]
            # LibreOffice and WPS lay a table out from its grid, Word from the cells: set both.
            table.autofit = False
            g.docx_repeat_header(table)
            for column, width in zip(table.columns, widths):
                column.width = width
            # Row by row: table.cell(r, c) walks the whole table each time (quadratic).
            for r, (row, values) in enumerate(zip(table.rows, [head, *rows])):
                row.height, row.height_rule = Mm(7), WD_ROW_HEIGHT_RULE.AT_LEAST
                for c, (cell, value) in enumerate(zip(row.cells, values)):
                    cell.width = widths[c]
                    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
                    first = cell.paragraphs[0]._element
                    first.getparent().remove(first)
                    left = r and c == TEXT_COLUMN[head]
                    g.docx_paragraph(cell, value, font=g.HEITI if r == 0 else g.FANGSONG,
                                     size=TABLE_PT, align=None if left else A.CENTER,
                                     exact_line=False)
    g.docx_paragraph(doc, "")
    g.docx_paragraph(doc, snap["office"], align=A.RIGHT)
    g.docx_paragraph(doc, g.chinese_date(dt.date.fromisoformat(snap["issued_on"])),
                     align=A.RIGHT)
    doc.core_properties.title = f"{snap['number_text']} {title(snap)}"
    doc.core_properties.author = snap["office"]
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- PDF ---------------------------------------------------------------------------------------

def _all_text(snap: dict) -> str:
    """Every character the PDF prints, for the font subset."""
    parts = [snap["office"], snap["number_text"], title(snap), "各旗区、各有关部门：",
             g.chinese_date(dt.date.fromisoformat(snap["issued_on"])), "— 0123456789 —"]
    for b in blocks(snap):
        if b[0] == "table":
            parts += [*b[1], *(v for row in b[2] for v in row)]
        else:
            parts.append(b[1])
    return "".join(parts)


def render_pdf(snap: dict) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
    from reportlab.platypus.flowables import HRFlowable

    from taskboard.notify.pdf_fonts import BODY, TITLE, pdf_fonts

    # The notices' faces (仿宋 / 小标宋, or Noto Serif CJK converted), holding every character.
    pdf_fonts(_all_text(snap))

    def style(size: float, leading: float = g.LINE_PT, font: str = BODY, **kw) -> ParagraphStyle:
        return ParagraphStyle("b", fontName=font, fontSize=size, leading=leading,
                              wordWrap="CJK", **kw)

    def p(text: str, st: ParagraphStyle) -> Paragraph:
        return Paragraph(html.escape(text).replace("\n", "<br/>"), st)

    body = style(g.BODY_PT, firstLineIndent=g.BODY_PT * 2)
    red = colors.Color(*(c / 255 for c in g.RED))
    story = [p(snap["office"], style(30, 40, TITLE, alignment=TA_CENTER, textColor=red)),
             Spacer(1, 10), p(snap["number_text"], style(g.BODY_PT, alignment=TA_CENTER)),
             HRFlowable(width="100%", thickness=1.5, color=red, spaceBefore=4, spaceAfter=16),
             p(title(snap), style(g.TITLE_PT, g.TITLE_PT * 1.4, TITLE, alignment=TA_CENTER)),
             Spacer(1, g.LINE_PT / 2), p("各旗区、各有关部门：", style(g.BODY_PT))]
    cell = style(TABLE_PT, TABLE_PT * 1.45)
    head = style(TABLE_PT, TABLE_PT * 1.45, alignment=TA_CENTER)
    width = g.TEXT_MM[0] * mm
    for b in blocks(snap):
        if b[0] in ("h1", "h2", "p"):
            story.append(p(b[1], body))
        else:
            _, columns, rows, widths = b
            data = [[p(c, head) for c in columns]] + [
                [p(v, cell if c == TEXT_COLUMN[columns] else head) for c, v in enumerate(r)]
                for r in rows]
            table = Table(data, colWidths=[width * w for w in widths], repeatRows=1)
            table.setStyle(TableStyle([
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]))
            story += [Spacer(1, 4), table, Spacer(1, 8)]
    right = style(g.BODY_PT, alignment=TA_RIGHT, rightIndent=g.BODY_PT * 2)
    story += [Spacer(1, g.LINE_PT), p(snap["office"], right),
              p(g.chinese_date(dt.date.fromisoformat(snap["issued_on"])), right)]
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, **g.pdf_frame(), title=f"{snap['number_text']} {title(snap)}",
                            author=snap["office"])
    number = lambda canvas, d: g.pdf_page_number(canvas, d, BODY)  # noqa: E731
    doc.build(story, onFirstPage=number, onLaterPages=number)
    return out.getvalue()


# --- HTML preview ------------------------------------------------------------------------------

def render_html(snap: dict) -> str:
    def e(text: str) -> str:
        return html.escape(text).replace("\n", "<br/>")

    parts = [f'<p align="center" style="color:#d00000;font-size:22pt">{e(snap["office"])}</p>',
             f'<p align="center">{e(snap["number_text"])}</p><hr style="color:#d00000"/>',
             f'<h2 align="center">{e(title(snap))}</h2>', "<p>各旗区、各有关部门：</p>"]
    for b in blocks(snap):
        if b[0] == "h1":
            parts.append(f"<h3>{e(b[1])}</h3>")
        elif b[0] == "h2":
            parts.append(f"<p><b>{e(b[1])}</b></p>")
        elif b[0] == "p":
            parts.append(f'<p style="text-indent:2em">{e(b[1])}</p>')
        else:
            _, columns, rows, _w = b
            head = "".join(f"<th>{e(c)}</th>" for c in columns)
            body = "".join("<tr>" + "".join(f"<td>{e(v)}</td>" for v in r) + "</tr>"
                           for r in rows)
            parts.append('<table border="1" cellspacing="0" cellpadding="3" width="100%">'
                         f"<tr>{head}</tr>{body}</table>")
    issued = g.chinese_date(dt.date.fromisoformat(snap["issued_on"]))
    parts.append(f'<p align="right">{e(snap["office"])}<br/>{e(issued)}</p>')
    return '<html><body style="font-size:12pt">' + "".join(parts) + "</body></html>"
