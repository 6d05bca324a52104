import json

import pytest

from taskboard.core.models import UrgeNotice
from taskboard.core.settings import BoardSettings, save_setting
from taskboard.notify import delivery, templates
from taskboard.notify.templates import TemplateError


@pytest.mark.parametrize("kind", ["urge", "supervise"])
def test_shipped_templates_have_every_required_section(kind):
    sections = templates.parse(templates.shipped_template(kind))
    assert set(templates.REQUIRED) <= set(sections)
    assert "${reply_by}" in sections["request"]


def test_compose_fills_placeholders():
    snap = {"kind": "supervise", "kind_word": "督办", "number_text": "督办〔2026〕3号",
            "unit": "达拉特旗", "period_label": "2026年11月", "issued_on": "2026-11-23",
            "reply_by": "2026-11-30", "office": "综合科", "contact": "", "phone": "0477-1",
            "cc": ["副市长（分管政务服务）"], "tasks": [{}, {}]}
    s = templates.compose(snap, BoardSettings())
    assert s["salutation"] == "达拉特旗："
    assert "以下2项任务" in s["opening"] and "2026年11月30日前" in s["request"]
    assert s["cc"] == "抄送：副市长（分管政务服务）"
    assert "联系人：—" in s["contact"]
    no_cc = templates.compose({**snap, "cc": []}, BoardSettings())
    assert "cc" not in no_cc


@pytest.mark.parametrize("text,message", [
    ("## title\nx\n## salutation\n${unit}\n## opening\nx\n## request\nx", "signature"),
    ("## title\nx\n## foo\ny", "未知的段名“foo”"),
    ("说明\n## title\nx", "说明行"),
    ("## title\n${boss}\n## salutation\nx\n## opening\nx\n## request\nx\n## signature\nx",
     "${boss}"),
    ("## title\n100$\n## salutation\nx\n## opening\nx\n## request\nx\n## signature\nx", "$$"),
])
def test_bad_templates_are_refused_with_a_reason(text, message):
    with pytest.raises(TemplateError) as err:
        templates.check(text)
    assert message in str(err.value)


def test_override_from_settings_is_frozen_into_issued_notices(demo_db, dispatcher):
    from tests.notify.conftest import issue_for_units

    custom = templates.shipped_template("urge").replace("现予催办。", "特此提醒。")
    with demo_db.Session.begin() as s:
        save_setting(s, "urge_template", custom)
    issued, _ = issue_for_units(demo_db, dispatcher)
    with demo_db.Session.begin() as s:
        save_setting(s, "urge_template", "")  # back to the shipped wording
    snap, settings = delivery.snapshot(demo_db, dispatcher, issued[0].notice_id)
    assert templates.sections_of(snap, settings)["opening"].endswith("特此提醒。")
    with demo_db.session() as s:
        body = json.loads(s.get(UrgeNotice, issued[0].notice_id).body)
    assert body["sections"]["opening"].endswith("特此提醒。")
