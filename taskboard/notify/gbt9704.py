"""Page setup and type of Chinese official documents (GB/T 9704-2012), for Word and PDF.

The page, line grid, font table and page numbers are the urge notices' (notify/documents.py);
this module adds what a longer document needs: headings, tables, the red issuer mark.

A4; top margin 37 mm, binding (left) margin 28 mm, text block 156 × 225 mm, so the right
margin is 26 mm and the bottom 35 mm; body 仿宋 三号 (16 pt) at 22 lines a page; title 小标宋
二号 (22 pt); first-level headings 黑体 三号, second-level 楷体 三号; page numbers 宋体 四号
"— 1 —" below the text block. The issuing organ's mark (版头) is red, with a red line under
the document number.
"""
from __future__ import annotations

from taskboard.notify import documents as _notice
from taskboard.notify.pdf_fonts import DOCX_BODY, DOCX_TITLE

# One definition of the page, shared with the urge notices (notify/documents.py).
MM_PER_PT = 25.4 / 72
PAGE_MM = tuple(float(x) for x in _notice.PAGE_MM)
TOP_MM, LEFT_MM = float(_notice.TOP_MM), float(_notice.LEFT_MM)
TEXT_MM = tuple(float(x) for x in _notice.BLOCK_MM)
RIGHT_MM, BOTTOM_MM = float(_notice.RIGHT_MM), float(_notice.BOTTOM_MM)
LINES_PER_PAGE, CHARS_PER_LINE = _notice.LINES, _notice.CHARS

# 号 sizes in points.
ER_HAO, SAN_HAO, SI_HAO, XIAO_SI = 22.0, 16.0, 14.0, 12.0
BODY_PT = SAN_HAO
TITLE_PT = float(_notice.TITLE_PT)
# Exact line pitch that fits 22 lines in the text block (225 mm / 22 = 28.99 pt), rounded
# down to Word's twentieths of a point.
LINE_PT = 28.95

# Font names as offices have them installed (Word falls back when one is missing).
FANGSONG = DOCX_BODY
XIAOBIAOSONG = DOCX_TITLE
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
RED = (0xD0, 0x00, 0x00)


def chinese_date(day) -> str:
    """2026年12月1日 (GB/T 9704 writes Arabic numerals, no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


# --- Word ----------------------------------------------------------------------------------

def docx_page_setup(doc) -> None:
    """The notices' page, line grid and font table (仿宋_GB2312, 方正小标宋简体 with the
    faces Windows ships as substitutes)."""
    _notice.docx_font_table(doc)
    _notice.docx_section_setup(doc.sections[0], restart=False)


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
    """— 1 — in the footer, as on the notices."""
    _notice.docx_page_number_footer(section)


# --- PDF (reportlab) -------------------------------------------------------------------------

def pdf_frame() -> dict:
    """SimpleDocTemplate keyword arguments for the GB/T 9704 page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm

    return {"pagesize": A4, "topMargin": TOP_MM * mm, "bottomMargin": BOTTOM_MM * mm,
            "leftMargin": LEFT_MM * mm, "rightMargin": RIGHT_MM * mm}


def pdf_page_number(canvas, doc, font: str) -> None:
    """— N — below the text block, odd pages right and even pages left, one character in
    (GB/T 9704 7.5, as on the notices)."""
    from reportlab.lib.units import mm

    canvas.saveState()
    canvas.setFont(font, SI_HAO)
    y = (BOTTOM_MM - 7) * mm - SI_HAO
    text = f"— {doc.page} —"
    if doc.page % 2:
        canvas.drawRightString((PAGE_MM[0] - RIGHT_MM) * mm - SI_HAO, y, text)
    else:
        canvas.drawString(LEFT_MM * mm + SI_HAO, y, text)
    canvas.restoreState()


def docx_repeat_header(table) -> None:
    """The table's first row repeats at the top of every page it runs onto."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)
