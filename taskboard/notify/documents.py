"""Urge notice documents: an editable Word file (.docx), a PDF with the Chinese fonts embedded,
and HTML for the in-app preview; all three from the notice's frozen snapshot.

Paper follows GB/T 9704-2012 (党政机关公文格式): A4, top margin 37 mm, binding (left) margin
28 mm, a 156 × 225 mm text block of 22 lines × 28 characters in 仿宋 三号, the title in 小标宋
二号, page numbers "— 1 —" in 四号 below the block. Many notices go out as one file: each starts
on a new page and numbers its own pages.
"""
from __future__ import annotations

import html
import io
from typing import Iterable

from taskboard.core.settings import BoardSettings
from taskboard.notify.pdf_fonts import (
    BODY, DOCX_BODY, DOCX_BODY_FALLBACK, DOCX_TITLE, TITLE, NoPdfFont, pdf_fonts,
)
from taskboard.notify.templates import sections_of

__all__ = ["COLUMNS", "NoPdfFont", "render_docx", "render_docx_many", "render_pdf",
           "render_pdf_many", "render_html", "table_rows", "file_stem", "docx_font_table",
           "docx_section_setup", "docx_page_number_footer"]

COLUMNS = ("序号", "任务编号", "任务名称", "完成时限", "亮灯", "本期报送", "催办事由", "最近报送")
# Relative widths (the title column takes what is left).
_WIDTHS = (0.06, 0.075, 0.195, 0.14, 0.06, 0.105, 0.225, 0.14)

# GB/T 9704-2012, in millimetres and points.
PAGE_MM = (210, 297)
TOP_MM, LEFT_MM = 37, 28
BLOCK_MM = (156, 225)
RIGHT_MM = PAGE_MM[0] - LEFT_MM - BLOCK_MM[0]  # 26
BOTTOM_MM = PAGE_MM[1] - TOP_MM - BLOCK_MM[1]  # 35
LINES, CHARS = 22, 28
MM = 72 / 25.4
# 三号 is 16 pt; Word's document grid sets 28 of them in 156 mm, i.e. 15.79 pt apart.
BODY_PT = BLOCK_MM[0] * MM / CHARS
LEADING_PT = BLOCK_MM[1] * MM / LINES  # 28.95 pt: 22 lines fill the block
TITLE_PT = 22  # 二号
TABLE_PT = 10.5  # 五号: eight columns in 156 mm
SMALL_PT = 14  # 四号: 抄送, 联系人, page numbers
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

def _docx_fonts(doc) -> None:
    """Declare the official faces in the font table, with the fonts Windows ships as
    substitutes (仿宋 for 仿宋_GB2312, 宋体 for 方正小标宋简体), and set the 22 × 28 grid."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    part = doc.part.part_related_by(RT.FONT_TABLE)
    root = parse_xml(part.blob)
    for name, alt in ((DOCX_BODY, DOCX_BODY_FALLBACK), (DOCX_TITLE, "宋体")):
        root.append(parse_xml(
            f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alt}"/>'
            '<w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>'))
    from lxml import etree

    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    rpr = doc.styles["Normal"].element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(attr), DOCX_BODY)
    doc.styles["Normal"].font.size = _pt(16)


def _pt(value: float):
    from docx.shared import Pt

    return Pt(value)


def _section_setup(section, restart: bool) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn
    from docx.shared import Mm

    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(TOP_MM), Mm(BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(LEFT_MM), Mm(RIGHT_MM)
    section.footer_distance = Mm(BOTTOM_MM - 7 - 5)  # the number sits 7 mm below the block
    sect = section._sectPr
    for tag in ("w:docGrid", "w:pgNumType"):
        for old in sect.findall(qn(tag)):
            sect.remove(old)
    # 22 lines: a line grid of 225 mm / 22 (in twips). The 28 characters come from the body
    # runs' spacing (see _docx_notice): Word's and LibreOffice's character grids disagree.
    sect.append(parse_xml(f'<w:docGrid {nsdecls("w")} w:type="lines" '
                          f'w:linePitch="{round(LEADING_PT * 20)}"/>'))
    if restart:
        sect.append(parse_xml(f'<w:pgNumType {nsdecls("w")} w:start="1"/>'))


def _page_number_footer(section) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("— ").font.size = _pt(SMALL_PT)
    run = p.add_run()
    run.font.size = _pt(SMALL_PT)
    w = nsdecls("w")
    for xml in (f'<w:fldChar {w} w:fldCharType="begin"/>',
                f'<w:instrText {w} xml:space="preserve"> PAGE </w:instrText>',
                f'<w:fldChar {w} w:fldCharType="end"/>'):
        run._r.append(parse_xml(xml))
    p.add_run(" —").font.size = _pt(SMALL_PT)


def _docx_notice(doc, snapshot: dict, settings: BoardSettings) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn
    from docx.shared import Mm

    s = sections_of(snapshot, settings)

    def para(text: str, *, size: float = 16, bold: bool = False, font: str = DOCX_BODY,
             align=None, indent: bool = False, right_chars: int = 0):
        p = doc.add_paragraph()
        if align is not None:
            p.alignment = align
        fmt = p.paragraph_format
        if indent:
            fmt.first_line_indent = _pt(BODY_PT * 2)
        if right_chars:
            fmt.right_indent = _pt(BODY_PT * right_chars)
        fmt.space_before = fmt.space_after = _pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = _pt(max(LEADING_PT, size * 1.3))
        for k, line in enumerate(text.split("\n")):
            if k:
                p.add_run().add_break()
            run = p.add_run(line)
            run.bold = bold
            run.font.size = _pt(size)
            run.font.name = font
            run._element.rPr.rFonts.set(qn("w:eastAsia"), font)
            if size == 16:  # 16 pt characters 15.79 pt apart: 28 to the 156 mm line
                run._element.rPr.append(parse_xml(
                    f'<w:spacing {nsdecls("w")} w:val="{round((BODY_PT - 16) * 20) - 1}"/>'))
        return p

    para(s["title"], size=TITLE_PT, font=DOCX_TITLE, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(snapshot["number_text"], align=WD_ALIGN_PARAGRAPH.CENTER)
    para(s["salutation"])
    para(s["opening"], indent=True)

    rows = table_rows(snapshot, s)
    table = doc.add_table(rows=1 + len(rows), cols=len(COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for c, width in enumerate(_WIDTHS):
        # LibreOffice reads the grid, Word the cells: set both.
        table._tbl.tblGrid.gridCol_lst[c].w = Mm(BLOCK_MM[0] * width)
        for cell in table.columns[c].cells:
            cell.width = Mm(BLOCK_MM[0] * width)
    for r, values in enumerate([COLUMNS, *rows]):
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            cell.text = ""
            p = cell.paragraphs[0]
            p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
            # Table text keeps its own line height instead of the page's 22-line grid.
            p._p.get_or_add_pPr().append(parse_xml(f'<w:snapToGrid {nsdecls("w")} w:val="0"/>'))
            run = p.add_run(value)
            run.font.size = _pt(TABLE_PT)
            run.bold = r == 0
            run.font.name = DOCX_BODY
            run._element.rPr.rFonts.set(qn("w:eastAsia"), DOCX_BODY)
    para(s["request"], indent=True)
    para("")
    # 署名 and 成文日期 (Arabic numerals) right, four characters in from the edge.
    para(s["signature"], align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)
    for key in ("contact", "cc"):
        if s.get(key):
            para(s[key], size=SMALL_PT)


def render_docx_many(snapshots: Iterable[dict], settings: BoardSettings) -> bytes:
    """One .docx: every notice in a section of its own, starting a page and numbering its
    pages from 1."""
    from docx import Document
    from docx.enum.section import WD_SECTION

    doc = Document()
    _docx_fonts(doc)
    snapshots = list(snapshots)
    for k, snap in enumerate(snapshots):
        section = doc.sections[0] if k == 0 else doc.add_section(WD_SECTION.NEW_PAGE)
        _section_setup(section, restart=True)
        if k == 0:
            _page_number_footer(section)
        _docx_notice(doc, snap, settings)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def render_docx(snapshot: dict, settings: BoardSettings) -> bytes:
    return render_docx_many([snapshot], settings)


# The page setup shared with other GB/T 9704 documents (the 通报, notify/bulletin.py).
docx_font_table = _docx_fonts
docx_section_setup = _section_setup
docx_page_number_footer = _page_number_footer


# --- PDF ---------------------------------------------------------------------------------------

def _all_text(snapshot: dict, s: dict) -> str:
    return "".join([*s.values(), snapshot["number_text"], *COLUMNS,
                    *(v for row in table_rows(snapshot, s) for v in row)])


def _pdf_story(snapshot: dict, settings: BoardSettings, first_page_marker) -> list:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    s = sections_of(snapshot, settings)

    def style(size: float = BODY_PT, font: str = BODY, leading: float = LEADING_PT, **kw):
        return ParagraphStyle("x", fontName=font, fontSize=size, leading=leading,
                              wordWrap="CJK", **kw)

    def p(text: str, st: ParagraphStyle) -> Paragraph:
        return Paragraph(html.escape(text).replace("\n", "<br/>"), st)

    body = style(firstLineIndent=BODY_PT * 2)
    story = [first_page_marker,
             p(s["title"], style(TITLE_PT, TITLE, leading=TITLE_PT * 1.5, alignment=TA_CENTER)),
             p(snapshot["number_text"], style(alignment=TA_CENTER)),
             p(s["salutation"], style()), p(s["opening"], body)]
    cell = style(TABLE_PT, leading=TABLE_PT * 1.35)
    head = style(TABLE_PT, leading=TABLE_PT * 1.35, alignment=TA_CENTER)
    width = BLOCK_MM[0] * MM
    data = [[p(c, head) for c in COLUMNS]] + [[p(v, cell) for v in row]
                                               for row in table_rows(snapshot, s)]
    table = Table(data, colWidths=[width * w for w in _WIDTHS], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]))
    story += [Spacer(1, 6), table, Spacer(1, 6), p(s["request"], body),
              Spacer(1, LEADING_PT),
              p(s["signature"], style(alignment=TA_RIGHT, rightIndent=BODY_PT * 4))]
    for key in ("contact", "cc"):
        if s.get(key):
            story.append(p(s[key], style(SMALL_PT, leading=SMALL_PT * 1.6)))
    return story


def render_pdf_many(snapshots: Iterable[dict], settings: BoardSettings) -> bytes:
    """One PDF: every notice from a new page, each numbering its own pages "— 1 —"."""
    from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageBreak, PageTemplate

    snapshots = list(snapshots)
    pdf_fonts("".join(_all_text(snap, sections_of(snap, settings)) for snap in snapshots))

    class NoticeStart(Flowable):
        """Zero-sized: remembers the page its notice starts on."""

        def wrap(self, *_):
            return 0, 0

        def draw(self):
            self.canv._notice_first_page = self.canv.getPageNumber()

    def number(canvas, doc) -> None:
        first = getattr(canvas, "_notice_first_page", 1)
        n = canvas.getPageNumber() - first + 1
        canvas.setFont(BODY, SMALL_PT)
        y = (BOTTOM_MM - 7) * MM - SMALL_PT
        text = f"— {n} —"
        # Odd pages right, even pages left, one character in (GB/T 9704 7.5).
        if n % 2:
            canvas.drawRightString((PAGE_MM[0] - RIGHT_MM) * MM - SMALL_PT, y, text)
        else:
            canvas.drawString(LEFT_MM * MM + SMALL_PT, y, text)

    out = io.BytesIO()
    page = (PAGE_MM[0] * MM, PAGE_MM[1] * MM)
    frame = Frame(LEFT_MM * MM, BOTTOM_MM * MM, BLOCK_MM[0] * MM, BLOCK_MM[1] * MM,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="block")
    first = snapshots[0] if snapshots else {"number_text": "", "unit": ""}
    doc = BaseDocTemplate(out, pagesize=page, leftMargin=LEFT_MM * MM,
                          rightMargin=RIGHT_MM * MM, topMargin=TOP_MM * MM,
                          bottomMargin=BOTTOM_MM * MM,
                          title=(f"{first['number_text']} {first['unit']}" if len(snapshots) == 1
                                 else f"催办通知单 {len(snapshots)} 份"),
                          author=first.get("office", ""))
    doc.addPageTemplates([PageTemplate(id="notice", frames=[frame], onPageEnd=number)])
    story: list = []
    for k, snap in enumerate(snapshots):
        if k:
            story.append(PageBreak())
        story += _pdf_story(snap, settings, NoticeStart())
    doc.build(story)
    return out.getvalue()


def render_pdf(snapshot: dict, settings: BoardSettings) -> bytes:
    return render_pdf_many([snapshot], settings)


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


def render_print_html(snapshot: dict, settings: BoardSettings) -> str:
    """The notice for Qt's text printing: the PDF's sizes (仿宋 三号 body, 二号 title, the table
    in 五号 with the PDF's column widths), so a sheet from the printer reads like the PDF."""
    s = sections_of(snapshot, settings)

    def e(text: str) -> str:
        return html.escape(text).replace("\n", "<br/>")

    body = f"font-size:16pt; line-height:{LEADING_PT / 16 * 100:.0f}%"
    head = "".join(f'<th width="{w * 100:.1f}%">{e(c)}</th>' for c, w in zip(COLUMNS, _WIDTHS))
    rows = "".join("<tr>" + "".join(f"<td>{e(v)}</td>" for v in row) + "</tr>"
                   for row in table_rows(snapshot, s))
    extra = "".join(f'<p style="font-size:{SMALL_PT}pt">{e(s[k])}</p>'
                    for k in ("contact", "cc") if s.get(k))
    return f"""<div style="font-family:'{DOCX_BODY}','{DOCX_BODY_FALLBACK}','FangSong','Noto Serif CJK SC',serif">
<p align="center" style="font-size:{TITLE_PT}pt; font-weight:bold">{e(s['title'])}</p>
<p align="center" style="{body}">{e(snapshot['number_text'])}</p>
<p style="{body}">{e(s['salutation'])}</p>
<p style="{body}; text-indent:32pt">{e(s['opening'])}</p>
<table border="1" cellspacing="0" cellpadding="2" width="100%"
 style="font-size:{TABLE_PT}pt; border-collapse:collapse"><tr>{head}</tr>{rows}</table>
<p style="{body}; text-indent:32pt">{e(s['request'])}</p>
<p align="right" style="{body}; margin-right:64pt">{e(s['signature'])}</p>
{extra}
</div>"""
