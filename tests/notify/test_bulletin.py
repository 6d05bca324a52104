"""The 通报: its numbers against `stats`, `scores` and a naive count straight from the tables;
its page setup read back from the .docx; the PDF rendered by poppler."""
import datetime as dt
import json
import re
import subprocess

import pytest
from docx import Document
from docx.shared import Pt
from sqlalchemy import func, select

from taskboard.cli import main as cli
from taskboard.core.bulletin import bulletin_facts
from taskboard.core.models import (
    Assignment, AuditEvent, Bulletin, CardAction, NoticeCounter, Report, Task,
)
from taskboard.core.periods import Period, Quarter
from taskboard.core.settings import load_calendar, load_settings
from taskboard.notify import gbt9704
from tests.conftest import TODAY


@pytest.fixture(autouse=True)
def _signed_in(cli_signed_in):
    """Commands sign in: tests on the demo data run them as its administrator."""

OCT = Period(2026, 10)


def run(capsys, *argv):
    try:
        code = cli.main(list(argv))
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def facts(db, span, **kw):
    with db.session() as s:
        return bulletin_facts(s, 1, "方案", span, TODAY, load_calendar(s), load_settings(s), **kw)


def naive_overall(db, period: Period) -> dict:
    """Tasks, completed, overdue and the report rate from the rows, without the board."""
    end = period.last_day
    with db.session() as s:
        tasks = s.execute(select(Task.id, Task.deadline, Task.closed_on, Task.start_date)
                          .where(Task.campaign_id == 1, Task.deleted.is_(False))).all()
        assigns = s.execute(select(Assignment.id, Assignment.task_id, Assignment.closed_on)
                            .where(Assignment.archived.is_(False))).all()
        reports = s.execute(select(Report.assignment_id, Report.status)
                            .where(Report.period == str(period)).order_by(Report.id)).all()
    latest = {}
    for aid, status in reports:
        latest[aid] = status
    by_task = {}
    for aid, tid, closed_on in assigns:
        by_task.setdefault(tid, []).append((aid, closed_on))
    info = {t.id: t for t in tasks}
    done = overdue = expected = reported = 0
    for t in tasks:
        arows = by_task.get(t.id, [])
        t_closed = (t.closed_on is not None and t.closed_on <= end) or (
            bool(arows) and all(c is not None and c <= end for _, c in arows))
        done += t_closed
        overdue += (not t_closed and t.deadline is not None and t.deadline < end)
    for aid, tid, closed_on in assigns:
        t = info.get(tid)
        if t is None or t.start_date > end:
            continue
        if (t.closed_on is not None and t.closed_on <= end) or (
                closed_on is not None and closed_on <= end):
            continue
        expected += 1
        reported += latest.get(aid) in ("pending", "approved")
    return {"tasks": len(tasks), "completed": done, "overdue": overdue,
            "expected": expected, "reported": reported}


def test_overall_figures_equal_stats_and_a_naive_count(demo_db, capsys):
    snap = facts(demo_db, OCT)
    o = snap["overall"]
    code, out, _ = run(capsys, "stats", "--db", demo_db.url, "--period", "2026-10", "--json")
    stats = json.loads(out)[0]
    assert code == 0
    assert (o["tasks"], o["completed"], o["overdue"], o["lagging"], o["near_due"]) == (
        stats["tasks"], stats["due"]["done"], stats["due"]["overdue"], stats["lagging"],
        stats["due"]["near_due"])
    naive = naive_overall(demo_db, OCT)
    assert {k: o[k] for k in naive} == naive
    assert o["report_rate"] == round(naive["reported"] / naive["expected"] * 100, 1)
    assert 0 < o["on_schedule"] <= o["tasks"] - o["completed"] - o["overdue"]
    # The previous month's figures are September's, counted the same way.
    assert {k: snap["previous"][k] for k in naive} == naive_overall(demo_db, OCT.previous())


def test_ranking_equals_scores_and_a_naive_rank(demo_db, capsys):
    snap = facts(demo_db, OCT)
    code, out, _ = run(capsys, "scores", "--db", demo_db.url, "--period", "2026-10",
                       "--today", TODAY.isoformat(), "--json")
    units = json.loads(out)[0]["units"]
    assert code == 0 and units
    for track in ("district", "department"):
        mine = [u for u in units if u["track"] == track]
        naive = {u["unit"]: 1 + sum(v["total"] > u["total"] for v in mine) for u in mine}
        in_bulletin = {r["unit"]: r["rank"] for r in snap["tracks"][track]["ranking"]}
        assert in_bulletin == naive == {u["unit"]: u["rank"] for u in mine}
        assert {r["unit"]: r["score"] for r in snap["tracks"][track]["ranking"]} == {
            u["unit"]: u["total"] for u in mine}
        # Each total is the base plus its items' subtotals.
        for u in mine:
            assert u["total"] == pytest.approx(u["base"] + sum(i["subtotal"] for i in u["items"]))
    # Red: at least the target and in the top N; black: below it and in the bottom N.
    d = snap["tracks"]["district"]
    for r in d["red"]:
        assert r["score"] >= snap["target"] and r["rank"] <= d["red_size"]
    ranked = d["ranking"]
    bottom = {r["unit"] for r in ranked[-d["black_size"]:] if r["score"] < snap["target"]}
    assert {r["unit"] for r in d["black"]} == bottom


def test_exemption_takes_a_unit_off_the_black_list(demo_db):
    plain = facts(demo_db, OCT)["tracks"]["district"]["black"]
    assert plain
    worst = plain[0]
    snap = facts(demo_db, OCT, exempt={worst["unit_id"]: "承担抗旱救灾任务"})
    d = snap["tracks"]["district"]
    assert worst["unit_id"] not in [r["unit_id"] for r in d["black"]]
    assert [(r["unit"], r["reason"]) for r in d["exempted"]] == [(worst["unit"], "承担抗旱救灾任务")]


def test_quarter_sums_its_three_months(demo_db):
    q = facts(demo_db, Quarter(2026, 3))
    months = [naive_overall(demo_db, p) for p in Quarter(2026, 3).periods]
    assert q["overall"]["expected"] == sum(m["expected"] for m in months)
    assert q["overall"]["reported"] == sum(m["reported"] for m in months)
    assert q["overall"]["tasks"] == months[-1]["tasks"]
    assert q["span_label"] == "2026年第三季度" and q["previous_span_label"] == "2026年第二季度"


@pytest.mark.sqlite_only
def test_docx_page_setup_fonts_and_gap_free_numbers(demo_db, capsys, tmp_path):
    out = tmp_path / "通报.docx"
    code, text, err = run(capsys, "bulletin", "--db", demo_db.url, "--period", "2026-10",
                          "--today", TODAY.isoformat(), "--date", "2026-11-05", "-o", str(out))
    assert code == 0, err
    assert "营商调度〔2026〕1号" in text
    doc = Document(str(out))
    sec = doc.sections[0]
    # Word keeps twentieths of a point (0.018 mm): compare to a tenth of a millimetre.
    measured = [round(x.mm, 1) for x in (sec.page_width, sec.page_height, sec.top_margin,
                                         sec.left_margin, sec.right_margin, sec.bottom_margin)]
    assert measured == [210, 297, 37, 28, 26, 35]
    paras = [p for p in doc.paragraphs if p.text]
    by_text = {p.text: p for p in paras}
    title = next(p for p in paras if p.text.startswith("关于2026年10月"))
    run0 = title.runs[0]
    assert run0.font.size == Pt(22)
    assert run0._element.rPr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "方正小标宋简体"
    body = next(p for p in paras if p.text.startswith("截至2026年10月31日"))
    assert body.runs[0].font.size == Pt(16) and body.runs[0].font.name == "仿宋_GB2312"
    assert body.paragraph_format.line_spacing.pt == gbt9704.LINE_PT
    # 22 lines a page fit the 225 mm text block.
    assert 22 * gbt9704.LINE_PT * 25.4 / 72 <= 225 < 23 * gbt9704.LINE_PT * 25.4 / 72
    assert "营商调度〔2026〕1号" in by_text and "2026年11月5日" in by_text
    for heading in ("一、总体情况", "二、排名情况", "三、红榜和黑榜", "四、超期未完成任务",
                    "五、未按时报送单位", "六、下步工作要求"):
        assert heading in by_text
    assert len(doc.tables) >= 2
    ranking = doc.tables[0]
    assert [c.text for c in ranking.rows[0].cells] == ["名次", "单位", "考评得分", "加分", "减分",
                                                       "名次变化"]
    # The header repeats on every page; the grid carries the widths (LibreOffice, WPS).
    assert ranking.rows[0]._tr.trPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader") is not None
    assert round(sum(c.width.mm for c in ranking.columns)) == 156
    # The praise and criticism are recorded for November's scores, the 督办 and 约谈 per unit.
    with demo_db.session() as s:
        b = s.scalars(select(Bulletin)).one()
        assert (b.year, b.number, b.span, b.issued_on) == (2026, 1, "2026-10", dt.date(2026, 11, 5))
        snap = json.loads(b.snapshot)
        actions = {(a.unit_id, a.kind): (a.count, a.tasks)
                   for a in s.scalars(select(CardAction).where(CardAction.bulletin_id == b.id))}
        want = {}
        for e in snap["escalations"]:
            if e["supervise"]:
                want[(e["unit_id"], "supervise")] = (e["supervise"], "")
            if e["interview"]:
                want[(e["unit_id"], "interview")] = (e["interview"], "、".join(e["tasks"]))
        assert actions == want and any(k == "interview" for _, k in actions)
        assert s.scalar(select(func.count()).select_from(AuditEvent)
                        .where(AuditEvent.action == "bulletin.issue")) == 1
    # A failed write takes no number: the next bulletin is still 2号.
    code, _, err = run(capsys, "bulletin", "--db", demo_db.url, "--period", "2026-10",
                       "-o", str(tmp_path / "missing" / "x.docx"))
    assert code == 2 and "文件夹不存在" in err
    code, _, err = run(capsys, "bulletin", "--db", demo_db.url, "--period", "2026-10",
                       "-o", str(tmp_path / "x.txt"))
    assert code == 2 and ".docx 或 .pdf" in err
    code, text, _ = run(capsys, "bulletin", "--db", demo_db.url, "--quarter", "2026-Q3",
                        "--today", TODAY.isoformat(), "-o", str(tmp_path / "q3.docx"))
    assert code == 0 and "营商调度〔2026〕2号" in text
    with demo_db.session() as s:
        assert s.get(NoticeCounter, (2026, "bulletin")).last_number == 2


@pytest.mark.sqlite_only
def test_cli_refusals_leave_the_old_file(demo_db, capsys, tmp_path):
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "通报.pdf"
    out.write_bytes(b"old")
    code, _, err = run(capsys, "bulletin", "--db", demo_db.url, "--period", "2026-13",
                       "-o", str(out))
    assert code == 2 and "月份无效" in err
    code, _, err = run(capsys, "bulletin", "--db", demo_db.url, "--quarter", "2026-Q5",
                       "-o", str(out))
    assert code == 2 and "季度格式" in err
    code, _, err = run(capsys, "bulletin", "--db", demo_db.url, "--period", "2026-10",
                       "--exempt", "不存在的旗=理由", "-o", str(out))
    assert code == 2 and "没有这个单位" in err
    assert out.read_bytes() == b"old"
    with demo_db.session() as s:
        assert s.scalar(select(func.count()).select_from(Bulletin)) == 0
    assert [p.name for p in out.parent.iterdir()] == ["通报.pdf"]


@pytest.mark.sqlite_only
def test_pdf_renders_on_a4_with_every_section(demo_db, capsys, tmp_path):
    out = tmp_path / "通报.pdf"
    code, _, err = run(capsys, "bulletin", "--db", demo_db.url, "--period", "2026-10",
                       "--today", TODAY.isoformat(), "--draft", "-o", str(out))
    assert code == 0, err
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True)
    assert "595.276 x 841.89 pts (A4)" in info.stdout
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True,
                          text=True, check=True).stdout
    for words in ("营商调度〔2026〕□号", "一、总体情况", "（一）各旗区排名", "（二）各部门排名",
                  "（一）红榜", "（二）黑榜", "四、超期未完成任务", "六、下步工作要求"):
        assert words in text
    # Page numbers "— 1 —" (pdftotext may drop the spaces of the embedded face).
    assert re.search(r"—\s*1\s*—", text) and re.search(r"—\s*2\s*—", text)
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(out),
                    str(tmp_path / "page")], check=True)
    png = next(tmp_path.glob("page*.png"))
    assert png.stat().st_size > 5_000
    with demo_db.session() as s:  # a draft takes no number
        assert s.get(NoticeCounter, (2026, "bulletin")) is None


def test_a_province_sized_unit_list_still_fits_a_table_row(demo_db):
    from taskboard.core.services.bulletins import stamp
    from taskboard.notify import bulletin as document

    with demo_db.session() as s:
        snap = stamp(facts(demo_db, OCT), load_settings(s), TODAY, 3)
    assert snap["overdue_tasks"]
    snap["overdue_tasks"][0]["units"] = [f"第{i}旗" for i in range(120)]
    rows = [b for b in document.blocks(snap) if b[0] == "table" and b[1][0] == "序号"][0][2]
    assert rows[0][6] == "、".join(f"第{i}旗" for i in range(8)) + "等120个单位"
    assert document.render_pdf(snap).startswith(b"%PDF")
    assert len(document.render_docx(snap)) > 10_000
