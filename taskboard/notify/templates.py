"""The wording of urge notices: editable templates, shipped in resources/templates and
overridable from the settings (BoardSettings.urge_template / supervise_template).

A template is plain text in sections, each starting with a line ``## name``; lines starting
with ``#`` before the first section are comments for the person editing it. ``${name}``
placeholders are filled in when a notice is issued.

Two sections word why each task is urged, one line per reason (``超期：已超期${days}天``):
``reasons`` for the task's line in the notice's table and ``summary`` for the opening's
``${reasons}`` (``${n}项已超过完成时限``). Templates saved before these sections existed keep
working: a missing section or line falls back to the shipped wording.
"""
from __future__ import annotations

import datetime as dt
from importlib import resources
from string import Template

from taskboard.core.settings import BoardSettings

SECTIONS = ("title", "salutation", "opening", "request", "signature", "contact", "cc",
            "reasons", "summary")
REQUIRED = ("title", "salutation", "opening", "request", "signature")
PLACEHOLDERS = frozenset({"office", "unit", "number", "period_label", "count", "reply_by",
                          "date", "contact", "phone", "cc", "kind_word", "reasons",
                          "report_day", "urged"})
# The reason lines' names as the office writes them, and what each line may fill in.
REASON_NAMES = {"unreported": "未报送", "returned": "已退回", "overdue": "超期",
                "near_due": "临期", "due_today": "今日到期", "lagging": "滞后", "other": "其他"}
_REASON_KEYS = {word: key for key, word in REASON_NAMES.items()}
LINE_PLACEHOLDERS = {
    "reasons": frozenset({"days", "workdays", "progress", "time_progress", "deadline",
                          "report_day"}),
    "summary": frozenset({"n"}),
}
_FILES = {"urge": "urge_notice.txt", "supervise": "supervise_notice.txt"}


class TemplateError(ValueError):
    """A template the office edited that cannot be used; the message says why, in Chinese."""


def shipped_template(kind: str) -> str:
    return (resources.files("taskboard.resources").joinpath("templates", _FILES[kind])
            .read_text(encoding="utf-8"))


def template_for(kind: str, settings: BoardSettings) -> str:
    override = settings.urge_template if kind == "urge" else settings.supervise_template
    return override if override.strip() else shipped_template(kind)


def parse(text: str) -> dict[str, str]:
    """Sections of a template; raises TemplateError on unknown sections or placeholders."""
    sections: dict[str, list[str]] = {}
    current = None
    for n, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if line.startswith("## "):
            current = line[3:].strip()
            if current not in SECTIONS:
                raise TemplateError(f"模板第 {n} 行：未知的段名“{current}”"
                                    f"（可用：{'、'.join(SECTIONS)}）")
            sections[current] = []
        elif current is None:
            if line.strip() and not line.startswith("#"):
                raise TemplateError(f"模板第 {n} 行：正文之前只能有以 # 开头的说明行")
        else:
            sections[current].append(line)
    missing = [s for s in REQUIRED if s not in sections]
    if missing:
        raise TemplateError(f"模板缺少以下段：{'、'.join(missing)}")
    out = {}
    for name, lines in sections.items():
        body = "\n".join(lines).strip()
        if name in LINE_PLACEHOLDERS:
            reason_lines(name, body)
        else:
            _check_placeholders(name, body, PLACEHOLDERS)
        out[name] = body
    return out


def _check_placeholders(name: str, body: str, allowed: frozenset[str]) -> None:
    tpl = Template(body)
    if not tpl.is_valid():
        raise TemplateError(f"模板“{name}”段中的 $ 用法有误；如需写 $ 符号请写成 $$")
    unknown = set(tpl.get_identifiers()) - allowed
    if unknown:
        raise TemplateError(f"模板“{name}”段中有未知的填充项：" +
                            "、".join("${%s}" % u for u in sorted(unknown)) +
                            f"（可用：{'、'.join('${%s}' % a for a in sorted(allowed))}）")


def reason_lines(section: str, body: str) -> dict[str, str]:
    """``{reason key: wording}`` of a ``reasons`` or ``summary`` section."""
    out = {}
    for line in body.split("\n"):
        if not line.strip():
            continue
        word, sep, text = line.replace(":", "：", 1).partition("：")
        word, text = word.strip(), text.strip()
        if not sep or not text:
            raise TemplateError(f"模板“{section}”段的每行应写成“事由：文字”，如“超期：已超期${{days}}天”；"
                                f"这一行不是：{line.strip()}")
        if word not in _REASON_KEYS:
            raise TemplateError(f"模板“{section}”段中有未知的事由“{word}”"
                                f"（可用：{'、'.join(REASON_NAMES.values())}）")
        _check_placeholders(section, text, LINE_PLACEHOLDERS[section])
        out[_REASON_KEYS[word]] = text
    return out


def check(text: str) -> None:
    """Validate an edited template before it is saved."""
    parse(text)


def chinese_date(value: str | dt.date) -> str:
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.year}年{day.month}月{day.day}日"


def short_date(value: str) -> str:
    day = dt.date.fromisoformat(value)
    return f"{day.month}月{day.day}日"


def _number(value) -> str:
    return "" if value is None else str(value)


def task_reasons(task: dict, phrases: dict[str, str], report_day: str = "") -> str:
    """One task's line: why it is urged, e.g. "本期未报送；已超期84天"."""
    values = {"days": _number(task.get("days_overdue")),
              "workdays": _number(task.get("workdays_left")),
              "progress": _number(task.get("progress")),
              "time_progress": _number(task.get("time_progress")),
              "deadline": task.get("deadline", ""), "report_day": report_day}
    return "；".join(Template(phrases[k]).substitute(values)
                    for k in task.get("reasons") or ["other"])


def reasons_summary(tasks: list[dict], phrases: dict[str, str]) -> str:
    """The opening's ``${reasons}``: "2项本期未报送、1项已超过完成时限"."""
    counts: dict[str, int] = {}
    for t in tasks:
        for key in t.get("reasons") or ["other"]:
            counts[key] = counts.get(key, 0) + 1
    return "、".join(Template(phrases[k]).substitute(n=counts[k])
                    for k in REASON_NAMES if k in counts)


def urged_summary(tasks: list[dict]) -> str:
    """The opening's ``${urged}``: how often each listed task was urged before this notice,
    "1项已催办3次、1项此前未催办" — said of each task only what its own record shows."""
    counts: dict[int, int] = {}
    for t in tasks:
        n = int(t.get("urges") or 0)
        counts[n] = counts.get(n, 0) + 1
    return "、".join(f"{m}项此前未催办" if n == 0 else f"{m}项已催办{n}次"
                    for n, m in sorted(counts.items(), reverse=True))


def _phrases(kind: str, sections: dict[str, str], name: str) -> dict[str, str]:
    shipped = reason_lines(name, parse(shipped_template(kind))[name])
    return {**shipped, **reason_lines(name, sections.get(name, ""))}


def variables(snapshot: dict, summary: dict[str, str] | None = None) -> dict[str, str]:
    if summary is None:
        summary = _phrases(snapshot.get("kind", "urge"), {}, "summary")
    report_day = snapshot.get("report_day", "")
    return {
        "office": snapshot.get("office", ""), "unit": snapshot.get("unit", ""),
        "number": snapshot.get("number_text", ""),
        "period_label": snapshot.get("period_label", ""),
        "count": str(len(snapshot.get("tasks", []))),
        "reply_by": chinese_date(snapshot["reply_by"]),
        "date": chinese_date(snapshot["issued_on"]),
        "contact": snapshot.get("contact", "") or "—",
        "phone": snapshot.get("phone", "") or "—",
        "cc": "、".join(snapshot.get("cc", [])),
        "kind_word": snapshot.get("kind_word", ""),
        "reasons": reasons_summary(snapshot.get("tasks", []), summary),
        "urged": urged_summary(snapshot.get("tasks", [])),
        "report_day": short_date(report_day) if report_day else "",
    }


def contact_missing(settings: BoardSettings) -> str:
    """What of the office's contact is unset ("办公室联系人、联系电话"), or ""."""
    missing = [w for w, v in (("联系人", settings.office_contact),
                              ("联系电话", settings.office_phone)) if not v.strip()]
    return f"办公室{'、'.join(missing)}" if missing else ""


def contact_warning(settings: BoardSettings, how: str) -> str:
    """The warning shown before a notice prints "—" for an unset contact; "" when all set."""
    what = contact_missing(settings)
    return f"{what}未设置，通知单将显示“—”；{how}" if what else ""


def compose(snapshot: dict, settings: BoardSettings) -> dict[str, str]:
    """The notice's wording, filled in; sections that come out empty are left out.

    ``task_reasons`` holds each task's reason line (one per line, in the table's order).
    """
    kind = snapshot["kind"]
    sections = parse(template_for(kind, settings))
    values = variables(snapshot, _phrases(kind, sections, "summary"))
    phrases = _phrases(kind, sections, "reasons")
    out = {"task_reasons": "\n".join(task_reasons(t, phrases, values["report_day"])
                                     for t in snapshot.get("tasks", []))}
    for name, body in sections.items():
        if name in LINE_PLACEHOLDERS:
            continue
        text = Template(body).substitute(values).strip()
        if name == "cc" and not values["cc"]:
            continue
        if text:
            out[name] = text
    return out


def sections_of(snapshot: dict, settings: BoardSettings) -> dict[str, str]:
    """The wording frozen into the notice when it was issued, else today's template."""
    return snapshot.get("sections") or compose(snapshot, settings)
