"""Report-form stamps are signed with the office secret: a form made or edited elsewhere,
even with the identity digest recomputed the way the source code shows, is refused."""
import hashlib
import json
import shutil

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from taskboard.core.db import Database
from taskboard.excel.report_forms import STAMP_SHEET
from tests.excel.test_report_forms import (
    DONGSHENG, FIRST_ROW, GOOD, NOV, apply, export, fill, preview, reports,
)

OTHER_UNIT = 2


def _stamp(path):
    wb = load_workbook(path)
    return wb, {row[0].value: row[1] for row in wb[STAMP_SHEET].iter_rows()}


def _plain_digest(values) -> str:
    """The identity hash as anyone reading the source could compute it, without a key."""
    payload = json.dumps({"format": values["format"], "unit_id": values["unit_id"],
                          "unit_name": values["unit_name"], "period": values["period"],
                          "campaign_id": values["campaign_id"],
                          "rows": json.loads(values["rows"])},
                         ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def test_the_stamp_is_an_hmac_not_a_plain_hash(demo_db, tmp_path):
    [form] = export(demo_db, tmp_path / "out")
    _, cells = _stamp(form.path)
    values = {k: c.value for k, c in cells.items()}
    assert len(values["digest"]) == 64 and values["digest"] != _plain_digest(values)
    with demo_db.session() as s:
        key = s.execute(text("SELECT key_hex FROM office_secret")).scalar_one()
    assert len(bytes.fromhex(key)) == 32
    wb = load_workbook(form.path)
    assert key not in json.dumps([[c.value for c in r] for ws in wb for r in ws.iter_rows()],
                                 ensure_ascii=False, default=str)


def test_a_stamp_edited_to_another_unit_with_a_recomputed_digest_is_refused(demo_db, tmp_path):
    [form] = export(demo_db, tmp_path / "out")
    fill(form.path, {FIRST_ROW: GOOD})
    wb, cells = _stamp(form.path)
    cells["unit_id"].value = OTHER_UNIT
    values = {k: c.value for k, c in cells.items()}
    cells["digest"].value = _plain_digest(values)
    wb.save(form.path)
    before = reports(demo_db)
    p = preview(demo_db, [form.path])
    [f] = p.files
    assert f.errors and "校验信息已损坏或被修改" in str(f.errors[0])
    apply(demo_db, p)
    assert reports(demo_db) == before


@pytest.mark.sqlite_only
def test_a_form_signed_by_another_database_is_refused(demo_db, tmp_path):
    """Someone with a copy of the program and the task list makes the form of another unit
    on their own database: everything matches except the key it was signed with."""
    other_path = tmp_path / "elsewhere.sqlite"
    demo_db.dispose()
    shutil.copyfile(demo_db.sqlite_path, other_path)
    other = Database(f"sqlite:///{other_path}")
    with other.engine.begin() as conn:
        conn.execute(text("UPDATE office_secret SET key_hex = :k"), {"k": "ab" * 32})
    [form] = export(other, tmp_path / "out", units=(OTHER_UNIT,))
    other.dispose()
    fill(form.path, {FIRST_ROW: GOOD})
    before = reports(demo_db)
    p = preview(demo_db, [form.path])
    [f] = p.files
    assert f.errors and "校验信息已损坏或被修改" in str(f.errors[0])
    result = apply(demo_db, p)
    assert result.created + result.revised == 0 and reports(demo_db) == before
    # the same unit's form exported here imports as usual
    [mine] = export(demo_db, tmp_path / "here", units=(OTHER_UNIT,))
    fill(mine.path, {FIRST_ROW: GOOD})
    p = preview(demo_db, [mine.path])
    assert not p.files[0].errors


def test_a_form_of_the_old_unsigned_format_is_refused_with_advice(demo_db, tmp_path):
    [form] = export(demo_db, tmp_path / "out", units=(DONGSHENG,))
    wb, cells = _stamp(form.path)
    cells["format"].value = "taskboard-report-form/1"
    values = {k: c.value for k, c in cells.items()}
    cells["digest"].value = _plain_digest(values)
    wb.save(form.path)
    [f] = preview(demo_db, [form.path]).files
    assert "旧版本导出" in str(f.errors[0]) and "重新导出" in str(f.errors[0])
