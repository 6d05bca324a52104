"""Urge notice documents: an editable Word file (.docx), a PDF with the Chinese font embedded,
and HTML for the in-app preview; all three from the notice's frozen snapshot.

reportlab embeds only TrueType outlines (not the CFF ``.otf`` Noto fonts), so the PDF uses a
system TrueType CJK font when there is one and otherwise SimHei.ttf from ``mplfonts``.
"""
from __future__ import annotations

import html
import io
import os
from functools import lru_cache
from pathlib import Path
from typing import Optional

from taskboard.core.settings import BoardSettings
from taskboard.notify.templates import sections_of

COLUMNS = ("序号", "任务编号", "任务名称", "完成时限", "亮灯", "本期报送", "催办事由", "最近报送")
# Relative widths (the title column takes what is left).
_WIDTHS = (0.055, 0.075, 0.26, 0.12, 0.065, 0.10, 0.21, 0.115)
PDF_FONT = "TaskboardCJK"

_SYSTEM_TTF = (
    # (path, subfont index in a .ttc collection)
    (r"C:\Windows\Fonts\simhei.ttf", 0),
    (r"C:\Windows\Fonts\simsun.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
)


def table_rows(snapshot: dict, sections: dict[str, str]) -> list[tuple[str, ...]]:
    tasks = snapshot.get("tasks", [])
    reasons = sections.get("task_reasons", "").split("\n")
    if len(reasons) != len(tasks):  # issued before notices stated reasons: the due state
        reasons = [t["days"] for t in tasks]
    return [(str(i), t["code"], t["title"], t["deadline"], t["light"], t["report"], why,
             t.get("last_report") or "—")
            for i, (t, why) in enumerate(zip(tasks, reasons), start=1)]


def file_stem(snapshot: dict) -> str:
    """``催办〔2026〕12号-达拉特旗``: safe on Windows and in mail attachments."""
    stem = f"{snapshot['number_text']}-{snapshot['unit']}"
    return "".join("_" if c in '\\/:*?"<>|' else c for c in stem)


# --- Word --------------------------------------------------------------------------------------

def render_docx(snapshot: dict, settings: BoardSettings) -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    s = sections_of(snapshot, settings)
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin = section.bottom_margin = Cm(2.5)

    def para(text: str, *, size: float = 14, bold: bool = False, font: str = "仿宋",
             align=None, indent: bool = False, space_after: float = 6):
        p = doc.add_paragraph()
        if align is not None:
            p.alignment = align
        if indent:
            p.paragraph_format.first_line_indent = Pt(size * 2)
        p.paragraph_format.space_after = Pt(space_after)
        for k, line in enumerate(text.split("\n")):
            if k:
                p.add_run().add_break()
            run = p.add_run(line)
            run.bold = bold
            run.font.size = Pt(size)
            run.font.name = font
            run._element.rPr.rFonts.set(qn("w:eastAsia"), font)
        return p

    para(s["title"], size=22, bold=True, font="黑体", align=WD_ALIGN_PARAGRAPH.CENTER)
    para(snapshot["number_text"], size=14, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=14)
    para(s["salutation"])
    para(s["opening"], indent=True)

    rows = table_rows(snapshot, s)
    table = doc.add_table(rows=1 + len(rows), cols=len(COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    usable = 21 - 4.4
    for c, width in enumerate(_WIDTHS):
        for cell in table.columns[c].cells:
            cell.width = Cm(usable * width)
    for r, values in enumerate([COLUMNS, *rows]):
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            cell.text = ""
            run = cell.paragraphs[0].add_run(value)
            run.font.size = Pt(10.5)
            run.bold = r == 0
            run.font.name = "宋体"
            run._element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    doc.add_paragraph()
    para(s["request"], indent=True, space_after=18)
    para(s["signature"], align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=18)
    if s.get("contact"):
        para(s["contact"], size=12)
    if s.get("cc"):
        para(s["cc"], size=12)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- PDF ---------------------------------------------------------------------------------------

def _ttf_candidates() -> list[tuple[Path, int]]:
    out = [(Path(p), i) for p, i in _SYSTEM_TTF]
    try:
        import mplfonts

        out.append((Path(mplfonts.__file__).parent / "fonts" / "SimHei.ttf", 0))
    except ImportError:
        pass
    extra = os.environ.get("TASKBOARD_PDF_FONT")
    if extra:
        out.insert(0, (Path(extra), 0))
    return out


@lru_cache(maxsize=1)
def pdf_font() -> Optional[Path]:
    """Register the first usable TrueType CJK font with reportlab; its path, or None."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for path, index in _ttf_candidates():
        if not path.exists():
            continue
        try:
            pdfmetrics.registerFont(TTFont(PDF_FONT, str(path), subfontIndex=index))
        except Exception:  # CFF outlines, a damaged file: try the next one
            continue
        return path
    return None


class NoPdfFont(RuntimeError):
    pass


def render_pdf(snapshot: dict, settings: BoardSettings) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if pdf_font() is None:
        raise NoPdfFont("找不到可嵌入 PDF 的中文字体（需要 TrueType 字体，如 SimHei.ttf），"
                        "请安装 mplfonts 包或设置 TASKBOARD_PDF_FONT 指向字体文件。")
    s = sections_of(snapshot, settings)

    def style(size: float, **kw) -> ParagraphStyle:
        return ParagraphStyle("x", fontName=PDF_FONT, fontSize=size, leading=size * 1.6,
                              wordWrap="CJK", **kw)

    body = style(13, firstLineIndent=26, spaceAfter=6)

    def p(text: str, st: ParagraphStyle) -> Paragraph:
        return Paragraph(html.escape(text).replace("\n", "<br/>"), st)

    story = [p(s["title"], style(22, alignment=TA_CENTER, spaceAfter=8)),
             p(snapshot["number_text"], style(13, alignment=TA_CENTER, spaceAfter=14)),
             p(s["salutation"], style(13, spaceAfter=6)), p(s["opening"], body)]
    cell = style(9.5)
    head = style(9.5, alignment=TA_CENTER)
    width = A4[0] - 4 * cm
    data = [[p(c, head) for c in COLUMNS]] + [[p(v, cell) for v in row]
                                               for row in table_rows(snapshot, s)]
    table = Table(data, colWidths=[width * w for w in _WIDTHS], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))
    story += [Spacer(1, 8), table, Spacer(1, 12), p(s["request"], body), Spacer(1, 18),
              p(s["signature"], style(13, alignment=TA_RIGHT, spaceAfter=18))]
    if s.get("contact"):
        story.append(p(s["contact"], style(11.5, spaceAfter=4)))
    if s.get("cc"):
        story.append(p(s["cc"], style(11.5)))
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm,
                            topMargin=2.2 * cm, bottomMargin=2 * cm,
                            title=f"{snapshot['number_text']} {snapshot['unit']}",
                            author=snapshot.get("office", ""))
    doc.build(story)
    return out.getvalue()


# --- HTML preview --------------------------------------------------------------------------

def render_html(snapshot: dict, settings: BoardSettings) -> str:
    s = sections_of(snapshot, settings)

    def e(text: str) -> str:
        return html.escape(text).replace("\n", "<br/>")

    cells = "".join(f"<th>{e(c)}</th>" for c in COLUMNS)
    rows = "".join("<tr>" + "".join(f"<td>{e(v)}</td>" for v in row) + "</tr>"
                   for row in table_rows(snapshot, s))
    extra = "".join(f"<p>{e(s[k])}</p>" for k in ("contact", "cc") if s.get(k))
    return f"""<html><body style="font-size:11pt">
<h2 align="center">{e(s['title'])}</h2>
<p align="center">{e(snapshot['number_text'])}</p>
<p>{e(s['salutation'])}</p>
<p style="text-indent:2em">{e(s['opening'])}</p>
<table border="1" cellspacing="0" cellpadding="3" width="100%"><tr>{cells}</tr>{rows}</table>
<p style="text-indent:2em">{e(s['request'])}</p>
<p align="right">{e(s['signature'])}</p>
{extra}
</body></html>"""
