"""完成时限 in every form real plans use."""
import datetime as dt

import pytest

from taskboard.excel.deadlines import parse_deadline

D = dt.date


@pytest.mark.parametrize("value, expected", [
    ("2026年12月底前", D(2026, 12, 31)),
    ("2026年12月底", D(2026, 12, 31)),
    ("2026年2月底前", D(2026, 2, 28)),
    ("2028年2月底前", D(2028, 2, 29)),
    ("2026年6月30日", D(2026, 6, 30)),
    ("2026年6月30日前", D(2026, 6, 30)),
    ("2026.6.30", D(2026, 6, 30)),
    ("2026-06-30", D(2026, 6, 30)),
    ("2026/6/30", D(2026, 6, 30)),
    ("２０２６年６月３０日", D(2026, 6, 30)),
    ("2026年底前", D(2026, 12, 31)),
    ("2026年上半年", D(2026, 6, 30)),
    ("2026年第三季度", D(2026, 9, 30)),
    ("2026年10月", D(2026, 10, 31)),
    (dt.datetime(2026, 6, 30, 0, 0), D(2026, 6, 30)),
    (D(2026, 6, 30), D(2026, 6, 30)),
    (46203, D(2026, 6, 30)),  # an Excel serial number left unformatted
])
def test_dates(value, expected):
    d = parse_deadline(value, 2026)
    assert (d.date, d.error) == (expected, "")


def test_month_without_year_takes_the_campaign_year_and_warns():
    d = parse_deadline("6月底前", 2027)
    assert d.date == D(2027, 6, 30)
    assert "2027" in d.warning


@pytest.mark.parametrize("word", ["长期坚持", "持续推进", "长期"])
def test_ongoing_has_no_deadline_but_keeps_the_words(word):
    d = parse_deadline(word, 2026)
    assert (d.date, d.note, d.error) == (None, word, "")


@pytest.mark.parametrize("word", ["每季度", "每月", "每季度报送一次"])
def test_recurring_has_no_deadline_and_keeps_the_note(word):
    d = parse_deadline(word, 2026)
    assert (d.date, d.note, d.error) == (None, word, "")


def test_several_dates_take_the_last_and_keep_the_text():
    d = parse_deadline("2026年6月底前完成试点，2026年12月底前全面推开", 2026)
    assert d.date == D(2026, 12, 31)
    assert d.note.startswith("2026年6月底前")
    assert "多个日期" in d.warning


def test_empty_is_ongoing_with_a_warning():
    d = parse_deadline(None, 2026)
    assert d.date is None and d.error == "" and "未填写" in d.warning


@pytest.mark.parametrize("value", ["尽快", "2026年13月底", "2026年2月30日", "下个月", 12])
def test_unreadable_is_an_error(value):
    d = parse_deadline(value, 2026)
    assert d.date is None and "无法识别" in d.error


@pytest.mark.parametrize("value", ["长期坚持，2026年13月底前", "每季度，2026年2月30日前"])
def test_an_impossible_date_is_an_error_even_beside_ongoing_words(value):
    d = parse_deadline(value, 2026)
    assert d.date is None and d.error == f"无法识别的完成时限：{value}（日期无效或格式不明）"
