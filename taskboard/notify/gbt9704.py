"""Page setup and type of Chinese official documents (GB/T 9704-2012), for Word and PDF.

A4; top margin 37 mm, binding (left) margin 28 mm, text block 156 × 225 mm, so the right
margin is 26 mm and the bottom 35 mm; body 仿宋 三号 (16 pt) at 22 lines a page; title 小标宋
二号 (22 pt); first-level headings 黑体 三号, second-level 楷体 三号; page numbers 宋体 四号
"— 1 —" below the text block. The issuing organ's mark (版头) is red, with a red line under
the document number.
"""
from __future__ import annotations

MM_PER_PT = 25.4 / 72
PAGE_MM = (210.0, 297.0)
TOP_MM, LEFT_MM = 37.0, 28.0
TEXT_MM = (156.0, 225.0)
RIGHT_MM = PAGE_MM[0] - LEFT_MM - TEXT_MM[0]  # 26
BOTTOM_MM = PAGE_MM[1] - TOP_MM - TEXT_MM[1]  # 35
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28

# 号 sizes in points.
ER_HAO, SAN_HAO, SI_HAO, XIAO_SI = 22.0, 16.0, 14.0, 12.0
BODY_PT = SAN_HAO
TITLE_PT = ER_HAO
# Exact line pitch that fits 22 lines in the text block (225 mm / 22 = 28.99 pt), rounded
# down to Word's twentieths of a point.
LINE_PT = 28.95

# Font names as offices have them installed (Word falls back when one is missing).
FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
RED = (0xD0, 0x00, 0x00)


def chinese_date(day) -> str:
    """2026年12月1日 (GB/T 9704 writes Arabic numerals, no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


# --- Word ----------------------------------------------------------------------------------

def docx_page_setup(section) -> None:
    from docx.shared import Mm

    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(TOP_MM), Mm(BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(LEFT_MM), Mm(RIGHT_MM)
    section.footer_distance = Mm(BOTTOM_MM - 7)


def docx_font(run, font: str, size: float, bold: bool = False, color=None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.size = Pt(size)
    run.font.name = font
    run.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    if color is not None:
        run.font.color.rgb = RGBColor(*color)


def docx_paragraph(doc_or_cell, text: str, *, font: str = FANGSONG, size: float = BODY_PT,
                   bold: bool = False, align=None, indent_chars: float = 0,
                   exact_line: bool = True, color=None, space_before: float = 0):
    """A paragraph on the document grid: exact line pitch, first line indented by characters."""
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    p = doc_or_cell.add_paragraph()
    fmt = p.paragraph_format
    if align is not None:
        p.alignment = align
    if indent_chars:
        fmt.first_line_indent = Pt(size * indent_chars)
    fmt.space_after = Pt(0)
    fmt.space_before = Pt(space_before)
    if exact_line:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(LINE_PT if size <= BODY_PT else size * 1.35)
    for k, line in enumerate(text.split("\n")):
        if k:
            p.add_run().add_break()
        docx_font(p.add_run(line), font, size, bold, color)
    return p


def docx_red_line(doc) -> None:
    """The red separator under the document number (a paragraph's bottom border)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    p = doc.add_paragraph()
    p.paragraph_format.space_after = Pt(12)
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "12"), ("space", "1"),
                       ("color", "%02X%02X%02X" % RED)):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    ppr.append(borders)


def docx_page_numbers(section) -> None:
    """— 1 — centred in the footer, 宋体 四号, from Word's PAGE field."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    docx_font(p.add_run("— "), SONGTI, SI_HAO)
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        run = p.add_run()
        docx_font(run, SONGTI, SI_HAO)
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    docx_font(p.add_run(" —"), SONGTI, SI_HAO)


# --- PDF (reportlab) -------------------------------------------------------------------------

def pdf_frame() -> dict:
    """SimpleDocTemplate keyword arguments for the GB/T 9704 page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm

    return {"pagesize": A4, "topMargin": TOP_MM * mm, "bottomMargin": BOTTOM_MM * mm,
            "leftMargin": LEFT_MM * mm, "rightMargin": RIGHT_MM * mm}


def pdf_page_number(canvas, doc, font: str) -> None:
    """— N — centred below the text block (reportlab onPage callback)."""
    from reportlab.lib.units import mm

    canvas.saveState()
    canvas.setFont(font, SI_HAO)
    canvas.drawCentredString(PAGE_MM[0] * mm / 2, (BOTTOM_MM - 14) * mm, f"— {doc.page} —")
    canvas.restoreState()


def docx_repeat_header(table) -> None:
    """The table's first row repeats at the top of every page it runs onto."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)
