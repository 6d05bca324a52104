"""Reading printed pages back: the text a reader can actually see, and the size it prints at.

LibreOffice writes every line of a cell into the PDF and hides what does not fit the row behind
a clipping rectangle, so the PDF's plain text holds clipped lines too. ``visible_runs`` keeps
only the runs whose baseline lies inside the clip in force when they are drawn.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader


@dataclass(frozen=True)
class Run:
    text: str
    size: float  # printed size in points: the font size times the page's scale
    visible: bool


def _apply(m, x, y):
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def page_runs(page) -> list[Run]:
    runs: list[Run] = []
    clip = [None]  # (x0, y0, x1, y1) in page space, None: the whole page
    stack: list = []
    pending: list = []

    def before(op, args, cm, tm):
        if op == b"q":
            stack.append(clip[0])
        elif op == b"Q":
            clip[0] = stack.pop() if stack else None
        elif op == b"re":
            x, y, w, h = (float(a) for a in args)
            (ax, ay), (bx, by) = _apply(cm, x, y), _apply(cm, x + w, y + h)
            pending.append((min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)))
        elif op in (b"W", b"W*") and pending:
            r = pending[-1]
            c = clip[0]
            clip[0] = r if c is None else (max(r[0], c[0]), max(r[1], c[1]),
                                           min(r[2], c[2]), min(r[3], c[3]))
        elif op == b"n":
            pending.clear()

    def text(t, cm, tm, font, size):
        if not t.strip():
            return
        x, y = _apply(cm, tm[4], tm[5])
        scale = (tm[2] ** 2 + tm[3] ** 2) ** 0.5 * (cm[2] ** 2 + cm[3] ** 2) ** 0.5
        c = clip[0]
        # The whole glyph must show: CJK glyphs reach about 0.12 em below the baseline and
        # 0.8 em above it.
        inside = c is None or (c[1] - 1 <= y - 0.12 * size * scale
                               and y + 0.8 * size * scale <= c[3] + 1
                               and c[0] - 1 <= x <= c[2] + 1)
        runs.append(Run(t, round(size * scale, 2), inside))

    page.extract_text(visitor_operand_before=before, visitor_text=text)
    return runs


def read_pages(path: Path) -> list[list[Run]]:
    return [page_runs(p) for p in PdfReader(str(path)).pages]


def visible_text(pages: list[list[Run]]) -> str:
    return "".join(r.text for runs in pages for r in runs if r.visible).replace("\n", "")
