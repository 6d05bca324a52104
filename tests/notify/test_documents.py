import io

from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from taskboard.core.services import urge_inbox
from taskboard.notify import delivery, documents
from taskboard.notify.ledger import write_ledger


def _flat(text: str) -> str:
    return "".join(text.split())


def test_docx_lists_the_units_tasks(notice, demo_db, dispatcher):
    issued, rows = notice
    snap, settings = delivery.snapshot(demo_db, dispatcher, issued.notice_id)
    doc = Document(io.BytesIO(documents.render_docx(snap, settings)))
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[0] == "催办通知单"
    assert paragraphs[1] == "催办〔2026〕1号"
    assert paragraphs[2] == f"{rows[0].unit_name}："
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == list(documents.COLUMNS)
    body = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert [(r[1], r[2], r[3], r[5]) for r in body] == [
        (r.code, r.title, r.deadline_text, "未报送") for r in rows]
    assert all(r[6].startswith("本期未报送") for r in body)
    assert any("2026年11月30日前" in p for p in paragraphs)


def test_pdf_embeds_the_font_and_its_text_names_the_tasks(notice, demo_db, dispatcher):
    issued, rows = notice
    snap, settings = delivery.snapshot(demo_db, dispatcher, issued.notice_id)
    data = documents.render_pdf(snap, settings)
    reader = PdfReader(io.BytesIO(data))
    text = _flat("".join(page.extract_text() for page in reader.pages))
    assert "催办通知单" in text and "催办〔2026〕1号" in text
    for r in rows:
        assert _flat(r.title) in text
        assert r.deadline_text in text
    fonts = reader.pages[0]["/Resources"]["/Font"]
    descriptors = [f.get_object()["/FontDescriptor"] for f in fonts.values()
                   if "/FontDescriptor" in f.get_object()]
    assert descriptors and all("/FontFile2" in d for d in descriptors)


def test_html_preview_and_file_names(notice, demo_db, dispatcher):
    issued, rows = notice
    snap, settings = delivery.snapshot(demo_db, dispatcher, issued.notice_id)
    page = documents.render_html(snap, settings)
    assert all(r.code in page for r in rows)
    assert documents.file_stem({**snap, "unit": 'a/b:c'}) == "催办〔2026〕1号-a_b_c"


def test_ledger_sheet_reads_back_and_neutralises_formulas(notice, demo_db, dispatcher, tmp_path):
    issued, rows = notice
    with demo_db.session() as s:
        ledger = urge_inbox.ledger_rows(s, dispatcher, 1)
    evil = ledger[-1].__class__(**{**ledger[-1].__dict__, "note": "=HYPERLINK(\"x\")"})
    path = write_ledger([*ledger, evil], tmp_path / "催办台账.xlsx")
    ws = load_workbook(path).active
    assert ws["A2"].value == "催办时间"
    values = [[c.value for c in r] for r in ws.iter_rows(min_row=3)]
    assert len(values) == len(ledger) + 1
    ours = [v for v in values if v[5] == issued.number_text]
    assert [v[2] for v in ours[:len(rows)]] == [r.code for r in rows]
    assert values[-1][8] == "'=HYPERLINK(\"x\")"
    assert ws["A3"].data_type == "s"
