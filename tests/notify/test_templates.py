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


# --- why each task is urged ------------------------------------------------------------------

def _task(code, reasons, **facts):
    return {"code": code, "title": "t", "deadline": "2026-12-31", "progress": 40,
            "reasons": reasons, **facts}


def _snap(kind, tasks):
    return {"kind": kind, "kind_word": {"urge": "催办", "supervise": "督办"}[kind],
            "number_text": "x",
            "unit": "达拉特旗", "period_label": "2026年11月", "issued_on": "2026-11-23",
            "reply_by": "2026-11-30", "report_day": "2026-11-25", "office": "综合科",
            "contact": "综合科科长", "phone": "0477-1", "cc": [], "tasks": tasks}


TASKS = [
    _task("1.1", ["unreported"]),
    _task("1.2", ["returned", "overdue"], days_overdue=84),
    _task("1.3", ["near_due"], workdays_left=3),
    _task("1.4", ["lagging"], time_progress=46),
    _task("1.5", ["due_today"]),
]


@pytest.mark.parametrize("kind", ["urge", "supervise"])
def test_each_task_line_and_the_opening_say_why(kind):
    s = templates.compose(_snap(kind, TASKS), BoardSettings())
    assert s["task_reasons"].split("\n") == [
        "本期未报送",
        "报送被退回，请修改后重新报送；已超期84天",
        "距完成时限还有3个工作日",
        "进度40%，低于时序进度46%",
        "今日到期",
    ]
    assert ("1项本期未报送、1项报送被退回、需修改后重新报送、1项已超过完成时限、"
            "1项临近完成时限、1项今日到期、1项进度低于时序进度") in s["opening"]


def test_reported_overdue_tasks_are_not_called_unreported():
    # The review found a 督办 saying "仍未按要求报送进展" about reports awaiting review.
    tasks = [_task("1.2", ["overdue"], days_overdue=84), _task("1.6", ["overdue"],
                                                               days_overdue=3)]
    s = templates.compose(_snap("supervise", tasks), BoardSettings())
    assert "报送" not in s["opening"].replace("书面报送", "")
    assert "截至2026年11月23日仍有2项已超过完成时限" in s["opening"]
    assert s["task_reasons"] == "已超期84天\n已超期3天"


def test_an_old_custom_template_without_reason_sections_still_works():
    old = ("## title\n催办通知单\n## salutation\n${unit}：\n## opening\n"
           "你单位以下${count}项任务存在未按时报送、临期或超期未完成等情况。\n"
           "## request\n请于${reply_by}前报送。\n## signature\n${office}\n${date}\n")
    s = templates.compose(_snap("urge", TASKS[:2]),
                          BoardSettings(urge_template=old))
    assert s["opening"] == "你单位以下2项任务存在未按时报送、临期或超期未完成等情况。"
    assert s["task_reasons"] == "本期未报送\n报送被退回，请修改后重新报送；已超期84天"
    # A custom reasons section overrides only the lines it has.
    custom = old + "## reasons\n超期：超过完成时限${days}天，请说明原因\n"
    s = templates.compose(_snap("urge", TASKS[:2]), BoardSettings(urge_template=custom))
    assert s["task_reasons"].split("\n")[1] == "报送被退回，请修改后重新报送；超过完成时限84天，请说明原因"


BASE = "## title\nx\n## salutation\nx\n## opening\nx\n## request\nx\n## signature\nx\n"


@pytest.mark.parametrize("extra,message", [
    ("## reasons\n逾期：已超期${days}天", "未知的事由“逾期”"),
    ("## reasons\n已超期${days}天", "事由：文字"),
    ("## reasons\n超期：已超期${n}天", "${n}"),
    ("## summary\n超期：${days}项", "${days}"),
    ("## summary\n超期：", "事由：文字"),
])
def test_bad_reason_lines_are_refused(extra, message):
    with pytest.raises(TemplateError) as err:
        templates.check(BASE + extra)
    assert message in str(err.value)


def test_contact_warning_names_what_is_unset():
    how = "请在设置中填写"
    assert templates.contact_warning(BoardSettings(), how) == (
        "办公室联系人、联系电话未设置，通知单将显示“—”；请在设置中填写")
    assert templates.contact_warning(BoardSettings(office_contact="综合科"), how) == (
        "办公室联系电话未设置，通知单将显示“—”；请在设置中填写")
    assert templates.contact_warning(
        BoardSettings(office_contact="综合科", office_phone="0477-1"), how) == ""


def test_supervise_opening_says_of_each_task_only_how_often_it_was_urged():
    """督办 once one task has been urged 3 times: a task never urged is not "经多次催办"."""
    snap = {"kind": "supervise", "kind_word": "督办", "number_text": "督办〔2026〕1号",
            "unit": "鄂托克前旗", "period_label": "2026年11月", "issued_on": "2026-11-23",
            "reply_by": "2026-11-30", "office": "综合科", "contact": "张", "phone": "1",
            "cc": [], "tasks": [{"urges": 3, "reasons": ["overdue"], "days_overdue": 5},
                                {"urges": 0, "reasons": ["unreported"]}]}
    opening = templates.compose(snap, BoardSettings())["opening"]
    assert "经多次催办" not in opening
    assert "以下2项任务中，1项已催办3次、1项此前未催办，" in opening
    both = {**snap, "tasks": [{"urges": 4, "reasons": ["overdue"]},
                              {"urges": 4, "reasons": ["overdue"]}]}
    assert "以下2项任务中，2项已催办4次，" in templates.compose(both, BoardSettings())["opening"]
