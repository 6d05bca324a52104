"""Notices on paper: GB/T 9704-2012 geometry and fonts, many notices in one file, the
`taskboard notices` command, and the delivery words per channel."""
import datetime as dt
import io
import re

import pytest
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from taskboard.cli import main as cli
from taskboard.core.services import urge_delivery, urge_inbox
from taskboard.core.services.urging import number_text
from taskboard.notify import batch, delivery, documents
from taskboard.notify.pdf_fonts import pdf_fonts
from tests.notify.conftest import issue_for_units


@pytest.fixture(autouse=True)
def _signed_in(cli_signed_in):
    """Commands sign in: tests on the demo data run them as its administrator."""

MM = 72 / 25.4  # points per millimetre


def _lines(page):
    """(x, y, size, text) of every text run on a page."""
    out = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            scale = (tm[2] ** 2 + tm[3] ** 2) ** 0.5
            out.append((tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5], round(size * scale, 2),
                        text.strip()))

    page.extract_text(visitor_text=visit)
    return out


def _text(reader) -> str:
    return "".join("".join(p.extract_text().split()) for p in reader.pages)


def test_number_has_the_full_year_and_no_padding():
    assert number_text("urge", 2026, 12) == "催办〔2026〕12号"
    assert number_text("supervise", 2026, 3) == "督办〔2026〕3号"


def test_pdf_follows_gbt_9704(notice, demo_db, dispatcher):
    issued, rows = notice
    snap, settings = delivery.snapshot(demo_db, dispatcher, issued.notice_id)
    reader = PdfReader(io.BytesIO(documents.render_pdf(snap, settings)))
    page = reader.pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == \
        pytest.approx((210 * MM, 297 * MM), abs=0.5)  # A4
    runs = _lines(page)
    body_size = 156 * MM / 28  # 28 characters to the 156 mm line: 三号, about 16 pt
    assert body_size == pytest.approx(15.79, abs=0.01)
    body = [r for r in runs if r[2] == pytest.approx(body_size, abs=0.01)]
    titles = [r for r in runs if r[2] == 22]  # 二号
    assert titles and titles[0][3] == "催办通知单"
    # The text block: 28 mm from the left edge, its top 37 mm from the top, 156 mm wide.
    left = min(x for x, *_ in body)
    assert left == pytest.approx(28 * MM, abs=0.5)
    top_line = max(y for _, y, *_ in titles)
    assert 297 * MM - 37 * MM - 22 <= top_line <= 297 * MM - 37 * MM
    # 22 lines to the 225 mm block: consecutive body lines 10.23 mm apart.
    ys = sorted({round(y, 1) for _, y, *_ in body}, reverse=True)
    steps = [a - b for a, b in zip(ys, ys[1:])]
    assert min(steps) == pytest.approx(225 * MM / 22, abs=0.2)
    # Every body line ends inside the block; a line of Chinese holds exactly 28 characters.
    from reportlab.pdfbase.pdfmetrics import stringWidth

    assert all(x + stringWidth(t, "TaskboardBody", size) <= (28 + 156) * MM + 0.5
               for x, _, size, t in body)
    assert 28 in {len(t) for x, _, _, t in body if t.isascii() is False
                  and all(ord(c) > 0x2E80 for c in t)}
    # Page number "— 1 —" in 四号 below the block, 7 mm under it.
    [number] = [r for r in runs if r[3] == "— 1 —"]
    assert number[2] == 14 and number[1] < 35 * MM
    # The date in Arabic numerals.
    text = _text(reader)
    assert re.search(r"2026年11月23日", text) and "二〇" not in text


def test_pdf_embeds_a_serif_when_the_official_fonts_are_missing(notice, demo_db, dispatcher):
    issued, _ = notice
    snap, settings = delivery.snapshot(demo_db, dispatcher, issued.notice_id)
    faces = pdf_fonts("催办")
    # CI installs Debian's fonts-noto-cjk and no 仿宋: the free serif is embedded.
    assert faces.body == "Noto Serif CJK SC" and faces.title == "Noto Serif CJK SC Bold"
    reader = PdfReader(io.BytesIO(documents.render_pdf(snap, settings)))
    fonts = [f.get_object() for f in reader.pages[0]["/Resources"]["/Font"].values()]
    names = {str(f["/BaseFont"]).split("+")[-1] for f in fonts}
    assert {"NotoSerifCJKsc-Regular", "NotoSerifCJKsc-Bold"} <= names
    assert all("/FontFile2" in f["/FontDescriptor"] for f in fonts if "/FontDescriptor" in f)


def test_docx_names_the_official_fonts_and_sets_the_page(notice, demo_db, dispatcher):
    issued, _ = notice
    snap, settings = delivery.snapshot(demo_db, dispatcher, issued.notice_id)
    doc = Document(io.BytesIO(documents.render_docx(snap, settings)))
    sec = doc.sections[0]
    assert (sec.page_width.mm, sec.page_height.mm) == pytest.approx((210, 297), abs=0.1)
    assert (sec.top_margin.mm, sec.left_margin.mm) == pytest.approx((37, 28), abs=0.1)
    assert sec.page_width.mm - sec.left_margin.mm - sec.right_margin.mm == pytest.approx(156, abs=0.1)
    assert sec.page_height.mm - sec.top_margin.mm - sec.bottom_margin.mm == pytest.approx(225, abs=0.1)
    grid = sec._sectPr.find(qn("w:docGrid"))
    assert int(grid.get(qn("w:linePitch"))) == round(225 / 22 / 25.4 * 1440)
    title, number, *_ = doc.paragraphs
    assert title.runs[0].font.name == "方正小标宋简体" and title.runs[0].font.size.pt == 22
    assert number.text == snap["number_text"]
    body = [r for p in doc.paragraphs[2:] for r in p.runs
            if r.text.strip() and r.font.size is not None and r.font.size.pt == 16]
    assert body and all(r._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
                        for r in body)
    table = doc.part.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable").blob
    assert "仿宋_GB2312".encode() in table and "方正小标宋简体".encode() in table
    assert '<w:altName w:val="仿宋"/>'.encode() in table


def test_many_notices_in_one_pdf_and_one_docx(demo_db, dispatcher):
    issued, _ = issue_for_units(demo_db, dispatcher, n_units=3)
    snaps = [delivery.snapshot(demo_db, dispatcher, n.notice_id) for n in issued]
    settings = snaps[0][1]
    reader = PdfReader(io.BytesIO(documents.render_pdf_many([s for s, _ in snaps], settings)))
    starts = ["".join(p.extract_text().split())[:40] for p in reader.pages]
    # Each notice starts a page with its title and number, and numbers its own pages.
    for snap, _ in snaps:
        assert sum(s.startswith(f"催办通知单{snap['number_text']}") for s in starts) == 1
    assert sum("— 1 —" in p.extract_text() for p in reader.pages) == 3
    doc = Document(io.BytesIO(documents.render_docx_many([s for s, _ in snaps], settings)))
    assert len(doc.sections) == 3
    assert all(s._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) == "1"
               for s in doc.sections)
    numbers = [p.text for p in doc.paragraphs if p.text.startswith("催办〔")]
    assert numbers == [s["number_text"] for s, _ in snaps]


def test_delivery_words_per_channel(demo_db, dispatcher):
    issued, _ = issue_for_units(demo_db, dispatcher, n_units=2)
    first, second = issued

    def words(notice_id):
        with demo_db.session() as s:
            rows = urge_inbox.list_notices(s, dispatcher, period="2026-11")
        return urge_inbox.delivery_words(next(r for r in rows if r.notice_id == notice_id))

    with demo_db.session() as s:
        issued_at = next(r.issued_at for r in urge_inbox.list_notices(s, dispatcher)
                         if r.notice_id == first.notice_id)
    assert words(first.notice_id) == [f"系统内已送达 {issued_at:%Y-%m-%d %H:%M}", "邮件：未使用"]
    at = dt.datetime(2026, 11, 23, 15, 30)
    with demo_db.Session.begin() as s:
        urge_delivery.mark_printed(s, dispatcher, first.notice_id, now=at)
        urge_delivery.mark_printed(s, dispatcher, first.notice_id,
                                   now=at + dt.timedelta(hours=1))  # the first print stays
        urge_delivery.record_email_result(s, dispatcher, second.notice_id, False, "超时")
    assert words(first.notice_id)[1:] == ["已打印", "邮件：未使用"]
    assert words(second.notice_id)[-1] == "邮件：失败"
    with demo_db.Session.begin() as s:
        urge_delivery.record_email_result(s, dispatcher, second.notice_id, True)
    assert words(second.notice_id)[-1] == "邮件：已发送"
    with demo_db.session() as s:
        row = next(r for r in urge_inbox.list_notices(s, dispatcher)
                   if r.notice_id == first.notice_id)
    assert row.printed_at == at and row.delivered_at == at


# --- taskboard notices ---------------------------------------------------------------------

def run(capsys, *argv):
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.sqlite_only
def test_notices_command_writes_one_a4_pdf_with_every_notice(demo_db, dispatcher, capsys,
                                                            tmp_path):
    issued, _ = issue_for_units(demo_db, dispatcher, n_units=4)
    target = tmp_path / "all.pdf"
    code, out, _ = run(capsys, "notices", "--db", demo_db.url, "--period", "2026-11",
                       "-o", str(target))
    assert code == 0 and "已导出 4 份通知单" in out
    reader = PdfReader(str(target))
    assert len(reader.pages) >= 4
    for p in reader.pages:
        assert (float(p.mediabox.width), float(p.mediabox.height)) == \
            pytest.approx((210 * MM, 297 * MM), abs=0.5)
    tops = ["".join(p.extract_text().split())[:30] for p in reader.pages]
    for n in issued:
        assert n.number_text in out
        assert sum(n.number_text in t for t in tops) == 1  # on top of its first page

    code, out, _ = run(capsys, "notices", "--db", demo_db.url, "--period", "2026-11",
                       "--unit", issued[1].unit_name, "-o", str(tmp_path / "one.docx"))
    assert code == 0 and "已导出 1 份" in out
    doc = Document(str(tmp_path / "one.docx"))
    assert [p.text for p in doc.paragraphs if p.text.startswith("催办〔")] == \
        [issued[1].number_text]


@pytest.mark.sqlite_only
@pytest.mark.parametrize("argv, message", [
    (("--period", "2026-10"), "2026年10月没有已发出的通知单"),
    (("--period", "2026-11", "--unit", "不存在的旗"), "没有发给不存在的旗的通知单"),
])
def test_notices_command_refuses_clearly_and_keeps_the_file(demo_db, dispatcher, capsys,
                                                           tmp_path, argv, message):
    issue_for_units(demo_db, dispatcher, n_units=1)
    target = tmp_path / "all.pdf"
    target.write_bytes(b"old")
    code, _, err = run(capsys, "notices", "--db", demo_db.url, *argv, "-o", str(target))
    assert code == 2 and message in err and "Traceback" not in err
    assert target.read_bytes() == b"old"


@pytest.mark.sqlite_only
def test_notices_command_wants_pdf_or_docx(demo_db, capsys, tmp_path):
    code, _, err = run(capsys, "notices", "--db", demo_db.url, "--period", "2026-11",
                       "-o", str(tmp_path / "all.txt"))
    assert code == 2 and "应以 .pdf 或 .docx 结尾" in err
    assert not (tmp_path / "all.txt").exists()
    with pytest.raises(batch.BatchError, match="文件夹不存在"):
        batch.write(tmp_path / "missing" / "a.pdf", b"x")
