"""Importing a task list: a preview checked against the database, then all or nothing.

``preview_import`` writes nothing; ``apply_import`` inserts the tasks and their assignments in
bulk (a 5,000-row list goes in within seconds), creates or maps unknown units as the user
chose, and records every change in the audit trail. The caller owns the transaction.
"""
from __future__ import annotations

import datetime as dt
import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Union

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from taskboard.core import audit
from taskboard.core.actor import Actor
from taskboard.core.errors import NotFound, ValidationError
from taskboard.core.models import Assignment, AuditEvent, Campaign, Task, Unit
from taskboard.core.permissions import require
from taskboard.core.rules import code_sort_key
from taskboard.core.recurrence import RECURRENCE_WORDS
from taskboard.excel.task_list_reader import ALL_DISTRICTS, ColumnInfo, ParsedSheet, read_task_list
from taskboard.excel.unit_cells import expand_collective, is_collective, unit_key

CREATE = "create"  # a unit mapping value: make a new unit with the name as written
# A unit mapping value: a unit id, CREATE, or several unit ids (a collective phrase).
UnitChoice = Union[int, str, tuple[int, ...]]


@dataclass(frozen=True)
class PreviewRow:
    row: int
    code: str
    title: str
    category: str
    lead_unit: str
    units: tuple[str, ...]
    leader: str
    deadline: Optional[dt.date]
    deadline_note: str
    description: str
    target: str
    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    # No date because the cell could not be read (not because the work is ongoing).
    deadline_unreadable: bool = False
    # 配合单位: responsible units too, their assignments marked as supporting.
    support_units: tuple[str, ...] = ()
    recurrence: str = ""  # a core.recurrence key; ``deadline`` is then the last cycle or None

    @property
    def status(self) -> str:
        return "错误" if self.errors else "提示" if self.warnings else "正常"

    def as_json(self) -> dict:
        return {"row": self.row, "code": self.code, "title": self.title,
                "category": self.category, "lead_unit": self.lead_unit or None,
                "units": list(self.units), "leader": self.leader,
                "deadline": self.deadline.isoformat() if self.deadline else None,
                "deadline_note": self.deadline_note,
                "deadline_unreadable": self.deadline_unreadable,
                "recurrence": self.recurrence or None,
                "recurrence_text": RECURRENCE_WORDS.get(self.recurrence, ""),
                "support_units": list(self.support_units),
                "description": self.description, "target": self.target,
                "errors": list(self.errors),
                "warnings": list(self.warnings)}


@dataclass(frozen=True)
class UnknownUnit:
    name: str
    rows: tuple[int, ...]
    suggestions: tuple[tuple[int, str], ...]  # (unit id, name), best first
    # 各有关部门, 各盟行政公署、市人民政府 …: a group, mapped to several units (or 各旗区), never
    # created as one unit by "create all".
    collective: bool = False


@dataclass
class ImportPreview:
    file_name: str
    sha256: str
    sheet: str
    header_row: int
    columns: dict[str, str]
    campaign_id: Optional[int]
    campaign_name: str
    rows: list[PreviewRow]
    skipped: list[tuple[int, str]]
    notes: list[str]
    unknown_units: list[UnknownUnit]
    known_units: dict[str, int] = field(default_factory=dict)
    district_ids: tuple[int, ...] = ()
    sheet_names: tuple[str, ...] = ()
    column_report: list[ColumnInfo] = field(default_factory=list)
    category_rows: list[tuple[int, str, str]] = field(default_factory=list)
    # Data that goes nowhere (a column no field takes): shown to the user, never blocking.
    sheet_warnings: list[str] = field(default_factory=list)
    # unit_key of a collective phrase (各旗县（市、区）教育局) → the units it stands for
    collectives: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def error_count(self) -> int:
        return sum(len(r.errors) for r in self.rows)

    @property
    def warning_count(self) -> int:
        return sum(len(r.warnings) for r in self.rows)

    def unresolved(self, mapping: dict[str, UnitChoice]) -> list[str]:
        chosen = {unit_key(name) for name in mapping}
        return [u.name for u in self.unknown_units if unit_key(u.name) not in chosen]

    def as_json(self) -> dict:
        return {"file": self.file_name, "sha256": self.sha256, "sheet": self.sheet,
                "header_row": self.header_row, "columns": self.columns,
                "campaign": self.campaign_name, "new_campaign": self.campaign_id is None,
                "tasks": len(self.rows), "errors": self.error_count,
                "warnings": self.warning_count,
                "columns_read": [{"column": c.column, "header": c.header, "field": c.field,
                                  "field_name": c.field_word, "rows_with_data": c.rows_with_data}
                                 for c in self.column_report if c.field],
                "columns_ignored": [{"column": c.column, "header": c.header, "reason": c.reason,
                                     "rows_with_data": c.rows_with_data}
                                    for c in self.column_report if not c.field],
                "category_rows": [{"row": r, "category": text, "reason": why}
                                  for r, text, why in self.category_rows],
                "sheet_warnings": self.sheet_warnings,
                "skipped": [{"row": r, "reason": why} for r, why in self.skipped],
                "notes": self.notes,
                "unknown_units": [{"name": u.name, "rows": list(u.rows),
                                   "suggestions": [n for _, n in u.suggestions],
                                   "collective": u.collective}
                                  for u in self.unknown_units],
                "rows": [r.as_json() for r in self.rows]}


def account_lines(p: "ImportPreview") -> list[str]:
    """How every column and every non-task row was taken, for the preview (GUI and CLI)."""
    lines = [f"注意：{w}" for w in p.sheet_warnings]
    read = [c for c in p.column_report if c.field]
    lines.append("读入的列：" + "；".join(
        f"{c.column}“{c.header}”→{c.field_word}" for c in read))
    ignored = [c for c in p.column_report if not c.field]
    if ignored:
        lines.append("未读入的列：" + "；".join(
            f"{c.column}“{c.header or '无列名'}”（{c.reason}"
            + (f"，{c.rows_with_data} 行有数据" if c.rows_with_data else "，无数据") + "）"
            for c in ignored))
    for row, category, why in p.category_rows:
        lines.append(f"第 {row} 行作为类别“{category}”：{why}")
    for row, why in p.skipped:
        lines.append(f"第 {row} 行未导入：{why}")
    return lines


@dataclass(frozen=True)
class ImportResult:
    campaign_id: int
    tasks: int
    assignments: int
    units_created: tuple[str, ...]


def suggest_units(name: str, units: list[tuple[int, str]], limit: int = 3) -> tuple[tuple[int, str], ...]:
    """Close matches for a unit name as written: abbreviations (市发改委) and typos."""
    key = unit_key(name)
    scored = []
    for uid, uname in units:
        other = unit_key(uname)
        ratio = difflib.SequenceMatcher(None, key, other).ratio()
        # "市发改委" in "市发展和改革委员会": every character in order counts as an abbreviation.
        it = iter(other)
        if len(key) >= 2 and all(ch in it for ch in key):
            ratio = max(ratio, 0.75 + 0.2 * len(key) / max(len(other), 1))
        if ratio >= 0.5:
            scored.append((ratio, uid, uname))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return tuple((uid, uname) for _, uid, uname in scored[:limit])


def find_campaign(session: Session, ref: Optional[str]) -> tuple[Optional[int], str]:
    """(id, name) for ``ref`` (an id or a name); (None, name) for a campaign still to create."""
    if ref is None or not str(ref).strip():
        row = session.execute(select(Campaign.id, Campaign.name)
                              .where(Campaign.archived.is_(False))
                              .order_by(Campaign.start_date.desc(), Campaign.id.desc())).first()
        if row is None:
            raise ValidationError("数据库中还没有专项工作，请用 --campaign 指定新专项工作的名称。")
        return row.id, row.name
    ref = str(ref).strip()
    if ref.isdigit():
        row = session.execute(select(Campaign.id, Campaign.name).where(Campaign.id == int(ref))).first()
        if row is None:
            raise NotFound(f"专项工作 {ref} 不存在。")
        return row.id, row.name
    row = session.execute(select(Campaign.id, Campaign.name).where(Campaign.name == ref)).first()
    return (row.id, row.name) if row else (None, ref)


def preview_import(session: Session, path: Path, campaign: Optional[str] = None, *,
                   today: Optional[dt.date] = None, sheet: Optional[str] = None) -> ImportPreview:
    today = today or dt.date.today()
    campaign_id, campaign_name = find_campaign(session, campaign)
    year = today.year
    if campaign_id is not None:
        year = session.get(Campaign, campaign_id).start_date.year
    parsed = read_task_list(Path(path), year, sheet=sheet, today=today)
    return build_preview(session, parsed, campaign_id, campaign_name, today=today)


def build_preview(session: Session, parsed: ParsedSheet, campaign_id: Optional[int],
                  campaign_name: str, *, today: Optional[dt.date] = None) -> ImportPreview:
    today = today or dt.date.today()
    units = session.execute(select(Unit.id, Unit.name, Unit.kind, Unit.active)
                            .order_by(Unit.sort_order, Unit.id)).all()
    by_key = {unit_key(u.name): u.id for u in units}
    active = [(u.id, u.name) for u in units if u.active]
    active_kinds = [(u.id, u.name, u.kind) for u in units if u.active]
    collectives: dict[str, tuple[int, ...]] = {}
    districts = tuple(u.id for u in units if u.kind == "district" and u.active)
    existing: dict[str, bool] = {}
    if campaign_id is not None:
        existing = dict(session.execute(select(Task.code, Task.deleted)
                                        .where(Task.campaign_id == campaign_id)).all())
    known: dict[str, int] = {}
    # Keyed by unit_key: one unknown unit however its brackets are written, named as first seen.
    unknown: dict[str, tuple[str, list[int]]] = {}
    rows = []
    for t in parsed.tasks:
        errors, warnings = list(t.errors), list(t.warnings)
        if t.deadline.date is not None and t.deadline.date < today:
            # Often a bare "6月底前" read in the campaign's year: worth a look before importing.
            warnings.append(f"完成时限 {t.deadline.date.isoformat()} 已过")
        if t.code in existing:
            errors.append(f"编号 {t.code} 在专项工作中已存在" +
                          ("（被已删除的任务占用）" if existing[t.code] else ""))
        names = [t.lead] if t.lead else []
        for name in [*t.units, *t.support]:
            if name == ALL_DISTRICTS:
                continue
            if is_collective(name) and unit_key(name) not in by_key:
                ids = collectives.get(unit_key(name)) or expand_collective(name, active_kinds)
                if ids:
                    collectives[unit_key(name)] = ids
                    warnings.append(f"“{name}”展开为 {len(ids)} 个单位")
                    continue
            names.append(name)
        for name in names:
            uid = by_key.get(unit_key(name))
            if uid is None:
                rows_of = unknown.setdefault(unit_key(name), (name, []))[1]
                if t.row not in rows_of:
                    rows_of.append(t.row)
            else:
                known[name] = uid
        if ALL_DISTRICTS in t.units or ALL_DISTRICTS in t.support:
            if not districts:
                errors.append("“各旗区”无法展开：还没有旗区类型的单位")
            else:
                warnings.append(f"“各旗区”展开为 {len(districts)} 个旗区")
        rows.append(PreviewRow(
            row=t.row, code=t.code, title=t.title, category=t.category, lead_unit=t.lead,
            units=tuple(t.units), leader=t.leader, deadline=t.deadline.date,
            deadline_note=t.deadline.note, description=t.description, target=t.target,
            errors=tuple(errors), warnings=tuple(warnings),
            deadline_unreadable=bool(t.deadline.error), support_units=tuple(t.support),
            recurrence=t.deadline.recurrence))
    unknown_units = [UnknownUnit(name, tuple(r), suggest_units(name, active),
                                 is_collective(name))
                     for name, r in unknown.values()]
    return ImportPreview(
        file_name=parsed.file_name, sha256=parsed.sha256, sheet=parsed.sheet,
        header_row=parsed.header_row, columns=parsed.columns, campaign_id=campaign_id,
        campaign_name=campaign_name, rows=rows, skipped=parsed.skipped, notes=parsed.notes,
        unknown_units=unknown_units, known_units=known, district_ids=districts,
        sheet_names=parsed.sheet_names, column_report=list(parsed.column_report),
        category_rows=list(parsed.category_rows), sheet_warnings=list(parsed.warnings),
        collectives=collectives)


def _guess_kind(name: str) -> str:
    return "district" if name.endswith(("旗", "区", "县")) and len(name) <= 8 else "department"


def apply_import(session: Session, actor: Actor, preview: ImportPreview,
                 unit_map: Optional[dict[str, UnitChoice]] = None, *,
                 today: Optional[dt.date] = None) -> ImportResult:
    """Insert every previewed task, or nothing: any row error or unmapped unit refuses all."""
    require(actor, "import")
    today = today or dt.date.today()
    unit_map = {unit_key(name): choice for name, choice in (unit_map or {}).items()}
    if not preview.rows:
        raise ValidationError(f"{preview.file_name} 中没有可导入的任务。")
    if preview.error_count:
        bad = [r for r in preview.rows if r.errors][:5]
        listing = "；".join(f"第 {r.row} 行：{r.errors[0]}" for r in bad)
        raise ValidationError(f"清单中有 {preview.error_count} 处错误，未导入任何任务。{listing}")
    missing = preview.unresolved(unit_map)
    if missing:
        raise ValidationError("以下单位尚未指定“新建”或对应的已有单位：" + "、".join(missing[:10]))

    campaign_id = preview.campaign_id
    if campaign_id is None:
        if session.scalar(select(Campaign.id).where(Campaign.name == preview.campaign_name)):
            raise ValidationError(f"专项工作「{preview.campaign_name}」已存在，请重新预览。")
        c = Campaign(name=preview.campaign_name[:200], start_date=today,
                     description=f"由 {preview.file_name} 导入")
        session.add(c)
        session.flush()
        campaign_id = c.id
        audit.record(session, actor, "campaign.create", "campaign", c.id,
                     summary=f"导入任务清单时新建专项工作「{c.name}」",
                     after={"name": c.name, "start_date": c.start_date})
    campaign = session.get(Campaign, campaign_id)
    taken = set(session.scalars(select(Task.code).where(Task.campaign_id == campaign_id)))
    clash = [r.code for r in preview.rows if r.code in taken]
    if clash:
        raise ValidationError(f"编号 {'、'.join(clash[:5])} 刚被其他人导入或新增，请重新预览。")

    # Every spelling of a unit in the file (（虚构） or (虚构)) finds the same id.
    ids = {unit_key(name): uid for name, uid in preview.known_units.items()}
    created = []
    collectives = dict(preview.collectives)
    valid_ids = set(session.scalars(select(Unit.id)))
    next_order = (session.scalar(select(Unit.sort_order).order_by(Unit.sort_order.desc())) or 0) + 1
    for u in preview.unknown_units:
        choice = unit_map[unit_key(u.name)]
        if choice == CREATE:
            unit = Unit(name=u.name[:100], kind=_guess_kind(u.name), sort_order=next_order)
            next_order += 1
            session.add(unit)
            session.flush()
            ids[unit_key(u.name)] = unit.id
            created.append(u.name)
            audit.record(session, actor, "unit.create", "unit", unit.id,
                         summary=f"导入任务清单时新建单位「{u.name}」",
                         after={"name": unit.name, "kind": unit.kind})
        elif isinstance(choice, int) and choice in valid_ids:
            ids[unit_key(u.name)] = choice
        elif isinstance(choice, (tuple, list)) and choice and set(choice) <= valid_ids:
            if any(unit_key(r.lead_unit) == unit_key(u.name) for r in preview.rows if r.lead_unit):
                raise ValidationError(f"“{u.name}”是牵头单位，只能对应一个单位。")
            collectives[unit_key(u.name)] = tuple(choice)
        else:
            raise ValidationError(f"单位“{u.name}”对应的单位不存在（{choice}）。")

    start = max(campaign.start_date, min(today, campaign.end_date or today))
    task_values = []
    for r in preview.rows:
        task_values.append(dict(
            campaign_id=campaign_id, code=r.code, sort_key=code_sort_key(r.code),
            title=r.title, category=r.category, description=r.description, target=r.target,
            lead_unit_id=ids.get(unit_key(r.lead_unit)) if r.lead_unit else None, leader=r.leader,
            start_date=start if (r.deadline is None or r.deadline >= start) else r.deadline,
            deadline=r.deadline, deadline_note=r.deadline_note, recurrence=r.recurrence,
            closed_on=None,
            close_outcome="", close_note="", deleted=False, version=1))
    new_ids = session.execute(insert(Task).returning(Task.id, sort_by_parameter_order=True),
                              task_values).scalars().all()
    assignments, events = [], []
    for task_id, r, values in zip(new_ids, preview.rows, task_values):
        unit_ids: list[int] = []
        supporting: set[int] = set()
        if r.lead_unit:
            unit_ids.append(ids[unit_key(r.lead_unit)])
        for names, support in ((r.units, False), (r.support_units, True)):
            for name in names:
                more = (preview.district_ids if name == ALL_DISTRICTS else
                        collectives.get(unit_key(name)) or (ids[unit_key(name)],))
                for u in more:
                    if u not in unit_ids:
                        unit_ids.append(u)
                        if support:
                            supporting.add(u)
        assignments.extend(dict(task_id=task_id, unit_id=u, progress=0, closed_on=None,
                                close_outcome="", close_note="", archived=False,
                                supporting=u in supporting, version=1)
                           for u in unit_ids)
        after = {k: values[k] for k in ("code", "title", "category", "lead_unit_id", "leader",
                                        "deadline", "deadline_note", "recurrence")}
        after["unit_ids"] = unit_ids
        if supporting:
            after["supporting_unit_ids"] = [u for u in unit_ids if u in supporting]
        events.append(dict(user_id=actor.user_id, action="task.import", entity="task",
                           entity_id=task_id, task_id=task_id,
                           summary=f"从 {preview.file_name} 第 {r.row} 行导入任务 {r.code}",
                           before="", after=json.dumps(after, ensure_ascii=False, default=str)))
    for i in range(0, len(assignments), 20_000):
        session.execute(insert(Assignment), assignments[i:i + 20_000])
    session.execute(insert(AuditEvent), events)
    audit.record(session, actor, "tasks.import", "campaign", campaign_id,
                 summary=f"导入任务清单 {preview.file_name}：任务 {len(new_ids)} 项，"
                         f"责任分工 {len(assignments)} 条",
                 after={"file": preview.file_name, "sha256": preview.sha256,
                        "tasks": len(new_ids), "units_created": created})
    return ImportResult(campaign_id, len(new_ids), len(assignments), tuple(created))
