"""Units as plans write them in one cell: several names, who leads, who supports, and phrases
that stand for a whole group of units (各旗区, 各旗县（市、区）教育局).

Names are split only between names: at 、，；/ and line breaks outside brackets, so
自治区党委宣传部（自治区新闻出版局、电影局） and 各旗县（市、区）教育局 stay whole.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any, Iterable, Optional

LEAD = "lead"
SUPPORT = "support"

ALL_DISTRICTS = "各旗区"
_ALL_DISTRICTS = re.compile(
    r"^(全市)?各(旗区|旗县区|旗县市区|旗县\(市、?区\)|旗县|区县|县市区|县区|区|县\(市、?区\))"
    r"(人民政府|政府|党委和政府|党委政府)?$")
_OPEN, _CLOSE = "（([【〔", "）)]】〕"
_BETWEEN = "、/／ 　\t"
_CLAUSE = "，,；;\n\r"
# 牵头单位：X / 配合单位：Y — a label gives its role to the names after it in the cell.
_LABEL = re.compile(r"^\s*(牵头单位|牵头部门|牵头|主责单位|责任单位|责任部门|配合单位|配合部门|配合|"
                    r"协办单位|协办|参与单位|参与)\s*[:：]\s*")
_ROLE_MARK = re.compile(r"[（(]\s*(牵头|牵头单位|主责|负责|配合|协办|参与)\s*[)）]")
_ROLE_SUFFIX = re.compile(r"^(.{2,}?)(牵头|负责|配合|协办|参与)$")
_STAR = "*＊※"
# 各盟行政公署、市人民政府: one collective phrase although a 、 stands in it.
_COLLECTIVE_PAIR = re.compile(r"(各[^、，,；;\n（(]{1,12})、((?:市|盟|旗|县|区)(?:人民政府|政府|行政公署))")


def unit_key(name: str) -> str:
    """A unit name for comparing only: full-width brackets and letters as half-width, no spaces.

    The name stored and shown stays as written; this key makes （虚构） and (虚构) one unit.
    """
    return "".join(unicodedata.normalize("NFKC", name).split())


def _role_of(word: str) -> Optional[str]:
    if word.startswith(("牵头", "主责", "负责")):
        return LEAD
    if word.startswith(("配合", "协办", "参与")):
        return SUPPORT
    return None


def _split_outside_brackets(text: str, seps: str) -> list[str]:
    parts, depth, current = [], 0, []
    for ch in text:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        if depth == 0 and ch in seps:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def is_collective(name: str) -> bool:
    return name.startswith(("各", "全市各", "所有"))


def parse_unit_cell(value: Any) -> list[tuple[str, Optional[str]]]:
    """(name, role) for every unit named in the cell, in order, each once.

    role is LEAD, SUPPORT or None (as the column says). Markers understood: X（牵头）, X*, *X,
    lines 牵头单位：X / 配合单位：Y, and X牵头，Y、Z配合.
    """
    if value is None:
        return []
    text = str(value).strip()
    if not text:
        return []
    text = _COLLECTIVE_PAIR.sub(lambda m: f"{m.group(1)}\u0000{m.group(2)}", text)
    found: list[tuple[str, Optional[str]]] = []
    keys: dict[str, int] = {}
    label_role: Optional[str] = None
    for clause in _split_outside_brackets(text, _CLAUSE):
        label = _LABEL.match(clause)
        if label:
            label_role = _role_of(label.group(1)) if not label.group(1).startswith("责任") else None
            clause = clause[label.end():]
        names = []
        for part in _split_outside_brackets(clause, _BETWEEN):
            part = part.replace("\u0000", "、").strip().strip("。.．:：")
            if not part:
                continue
            role = label_role
            mark = _ROLE_MARK.search(part)
            if mark:
                role = _role_of(mark.group(1))
                part = _ROLE_MARK.sub("", part).strip()
            if part[:1] in _STAR or part[-1:] in _STAR:
                role = LEAD
                part = part.strip(_STAR).strip()
            names.append([part, role])
        if names and not label:
            # 市财政局、市人社局配合: the word at the clause's end speaks for all its names.
            suffix = _ROLE_SUFFIX.match(names[-1][0])
            if suffix and not is_collective(names[-1][0]):
                names[-1][0] = suffix.group(1)
                for item in names:
                    if item[1] is None:
                        item[1] = _role_of(suffix.group(2))
        for name, role in names:
            if not name:
                continue
            if _ALL_DISTRICTS.match(unit_key(name)):
                name = ALL_DISTRICTS
            key = unit_key(name)
            if key in keys:
                i = keys[key]
                if role == LEAD:
                    found[i] = (found[i][0], LEAD)
                continue
            keys[key] = len(found)
            found.append((name, role))
    return found


def split_units(value: Any) -> tuple[list[str], Optional[str]]:
    """Unit names in a cell, and the first one marked as leading, if any."""
    parsed = parse_unit_cell(value)
    lead = next((n for n, role in parsed if role == LEAD), None)
    return [n for n, _ in parsed], lead


def expand_collective(name: str, units: Iterable[tuple[int, str, str]]) -> tuple[int, ...]:
    """Ids of the units a collective phrase stands for (empty when none match).

    ``units`` are (id, name, kind) of the active units. 各旗区 → every district;
    各旗县（市、区）教育局 → every district's 教育局 (a name starting with a district's name and
    ending with 教育局); 各盟行政公署、市人民政府 → every 盟/市 government; 各有关部门 → nothing
    (the user maps it).
    """
    units = list(units)
    key = unit_key(name)
    if key == ALL_DISTRICTS or _ALL_DISTRICTS.match(key):
        return tuple(uid for uid, _, kind in units if kind == "district")
    districts = [unit_key(n) for _, n, kind in units if kind == "district"]
    m = re.match(r"^(全市)?各(旗县\(市、?区\)|旗县市区|旗县区|旗区|旗县|区县|县市区|县区|县\(市、?区\))(.+)$", key)
    if m:
        suffix = m.group(3)
        return tuple(uid for uid, n, _ in units
                     if unit_key(n).endswith(suffix) and any(
                         unit_key(n).startswith(d) and len(unit_key(n)) > len(d) for d in districts))
    if re.match(r"^各盟(行政公署)?[、,]?市(人民政府)?$|^各盟市(人民政府)?$", key):
        return tuple(uid for uid, n, kind in units if kind != "department" and re.search(
            r"(盟|市)(行政公署|人民政府)?$", unit_key(n)) and not n.endswith(("区", "旗", "县")))
    return ()
