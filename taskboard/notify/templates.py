"""The wording of urge notices: editable templates, shipped in resources/templates and
overridable from the settings (BoardSettings.urge_template / supervise_template).

A template is plain text in sections, each starting with a line ``## name``; lines starting
with ``#`` before the first section are comments for the person editing it. ``${name}``
placeholders are filled in when a notice is issued.
"""
from __future__ import annotations

import datetime as dt
from importlib import resources
from string import Template

from taskboard.core.settings import BoardSettings

SECTIONS = ("title", "salutation", "opening", "request", "signature", "contact", "cc")
REQUIRED = ("title", "salutation", "opening", "request", "signature")
PLACEHOLDERS = frozenset({"office", "unit", "number", "period_label", "count", "reply_by",
                          "date", "contact", "phone", "cc", "kind_word"})
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
        tpl = Template(body)
        if not tpl.is_valid():
            raise TemplateError(f"模板“{name}”段中的 $ 用法有误；如需写 $ 符号请写成 $$")
        unknown = set(tpl.get_identifiers()) - PLACEHOLDERS
        if unknown:
            raise TemplateError(f"模板“{name}”段中有未知的填充项：" +
                                "、".join("${%s}" % u for u in sorted(unknown)))
        out[name] = body
    return out


def check(text: str) -> None:
    """Validate an edited template before it is saved."""
    parse(text)


def chinese_date(value: str | dt.date) -> str:
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.year}年{day.month}月{day.day}日"


def variables(snapshot: dict) -> dict[str, str]:
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
    }


def compose(snapshot: dict, settings: BoardSettings) -> dict[str, str]:
    """The notice's wording, filled in; sections that come out empty are left out."""
    sections = parse(template_for(snapshot["kind"], settings))
    values = variables(snapshot)
    out = {}
    for name, body in sections.items():
        text = Template(body).substitute(values).strip()
        if name == "cc" and not values["cc"]:
            continue
        if text:
            out[name] = text
    return out


def sections_of(snapshot: dict, settings: BoardSettings) -> dict[str, str]:
    """The wording frozen into the notice when it was issued, else today's template."""
    return snapshot.get("sections") or compose(snapshot, settings)
