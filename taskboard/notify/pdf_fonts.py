"""Fonts for notice PDFs: the official 仿宋 and 小标宋 where installed, otherwise a free serif.

GB/T 9704 sets the body in 仿宋 and the title in 小标宋. Windows offices have 仿宋 (simfang.ttf)
and often 方正小标宋简体; elsewhere the PDF embeds Noto Serif CJK SC (Debian's fonts-noto-cjk,
also Source Han Serif SC), a free Song face. reportlab embeds only TrueType outlines and the
Noto/Source Han fonts are CFF, so their GB 2312 repertoire (and any further characters a notice
needs) is converted once to TrueType with fontTools and kept in the user's cache folder.
"""
from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from taskboard.core.atomic import write_bytes

BODY, TITLE = "TaskboardBody", "TaskboardTitle"
# Named in the .docx so Word and WPS on an office PC use the official faces.
DOCX_BODY = "仿宋_GB2312"
DOCX_BODY_FALLBACK = "仿宋"
DOCX_TITLE = "方正小标宋简体"

WINDOWS_FONTS = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
# (path, subfont index): TrueType files reportlab can embed as they are.
OFFICIAL_BODY = ((WINDOWS_FONTS / "simfang.ttf", 0), (WINDOWS_FONTS / "FZFSK.TTF", 0),
                 (WINDOWS_FONTS / "STFANGSO.TTF", 0))
OFFICIAL_TITLE = ((WINDOWS_FONTS / "FZXBSJW.TTF", 0), (WINDOWS_FONTS / "方正小标宋简体.ttf", 0))
FREE_SERIF = {  # CFF collections: converted before use
    "regular": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
                "/usr/share/fonts/opentype/source-han-serif/SourceHanSerif-Regular.ttc",
                "/usr/share/fonts/OTF/NotoSerifCJK-Regular.ttc"),
    "bold": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
             "/usr/share/fonts/opentype/source-han-serif/SourceHanSerif-Bold.ttc",
             "/usr/share/fonts/OTF/NotoSerifCJK-Bold.ttc"),
}
# Last resorts, TrueType sans or Ming faces: a notice in them still prints.
OTHER_TTF = ((WINDOWS_FONTS / "simsun.ttc", 0), (WINDOWS_FONTS / "simhei.ttf", 0),
             (Path("/usr/share/fonts/truetype/arphic/uming.ttc"), 0),
             (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), 0))


@dataclass(frozen=True)
class PdfFonts:
    body: str  # a description for messages and tests: the face embedded
    title: str


class NoPdfFont(RuntimeError):
    pass


def _gb2312() -> str:
    """The GB 2312 characters (hanzi and symbols): what a notice's text is nearly always in."""
    out = []
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                out.append(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return "".join(out) + "".join(chr(c) for c in range(0x20, 0x7F)) + "〔〕—–…·　"


def _cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(os.environ.get("TASKBOARD_FONT_CACHE") or user_cache_dir("taskboard")) / "fonts"


def _sc_index(path: str) -> int:
    from fontTools.ttLib import TTCollection

    names = [f["name"].getDebugName(1) or "" for f in TTCollection(path, lazy=True).fonts]
    for i, name in enumerate(names):
        if name.endswith(" SC"):
            return i
    return 0


def convert_cff(path: str, text: str) -> bytes:
    """A TrueType font holding ``text``'s glyphs from the CFF collection at ``path``."""
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(path, fontNumber=_sc_index(path))
    opts = subset.Options()
    opts.name_IDs, opts.notdef_outline, opts.hinting = ["*"], True, False
    opts.layout_features = []
    sub = subset.Subsetter(opts)
    sub.populate(text=text)
    sub.subset(font)
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"], font["loca"] = glyf, newTable("loca")
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                 "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                 "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    post = font["post"]
    post.formatType, post.extraNames, post.mapping = 2.0, [], {}
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _converted(weight: str, needed: str) -> Optional[Path]:
    """The cached TrueType copy of the free serif, holding every character in ``needed``."""
    source = next((p for p in FREE_SERIF[weight] if Path(p).exists()), None)
    if source is None:
        return None
    folder = _cache_dir()
    target = folder / f"{Path(source).stem}-SC-{os.path.getmtime(source):.0f}.ttf"
    chars_file = target.with_suffix(".chars")
    have = chars_file.read_text("utf-8") if target.exists() and chars_file.exists() else ""
    missing = set(needed) - set(have)
    if have and not missing:
        return target
    text = "".join(sorted(set(have or _gb2312()) | missing))
    data = convert_cff(source, text)
    folder.mkdir(parents=True, exist_ok=True)
    for path, payload in ((target, data), (chars_file, text.encode("utf-8"))):
        write_bytes(path, payload)
    return target


_registered: dict[str, tuple[str, int, float]] = {}


def _register(name: str, path: Path, index: int = 0) -> bool:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    key = (str(path), index, path.stat().st_mtime)
    if _registered.get(name) == key:
        return True
    try:
        pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=index))
    except Exception:  # CFF outlines, a damaged file: try the next one
        return False
    _registered[name] = key
    return True


def _first_ttf(name: str, candidates: Iterable[tuple[Path, int]]) -> Optional[tuple[str, Path, int]]:
    for path, index in candidates:
        if path.exists() and _register(name, path, index):
            return path.name, path, index
    return None


def _mpl_simhei() -> tuple[tuple[Path, int], ...]:
    try:
        import mplfonts
    except ImportError:
        return ()
    return ((Path(mplfonts.__file__).parent / "fonts" / "SimHei.ttf", 0),)


def pdf_fonts(text: str) -> PdfFonts:
    """Register the body and title fonts able to print ``text``; which faces they are."""
    needed = "".join(sorted({c for c in text if ord(c) > 0x7F}))
    extra = os.environ.get("TASKBOARD_PDF_FONT")
    official = ((Path(extra), 0),) if extra else ()
    body = _first_ttf(BODY, official + OFFICIAL_BODY)
    free = False
    if body is None:
        path = _converted("regular", needed)
        if path is not None and _register(BODY, path):
            body, free = ("Noto Serif CJK SC", path, 0), True
    if body is None:
        body = _first_ttf(BODY, OTHER_TTF + _mpl_simhei())
    if body is None:
        raise NoPdfFont("找不到可嵌入 PDF 的中文字体：请安装仿宋（simfang.ttf）或 Noto Serif CJK"
                        "（Debian/Ubuntu 的 fonts-noto-cjk 软件包），或设置 TASKBOARD_PDF_FONT "
                        "指向 TrueType 字体文件。")
    title = _first_ttf(TITLE, OFFICIAL_TITLE)
    if title is None and free:
        path = _converted("bold", needed)
        if path is not None and _register(TITLE, path):
            title = ("Noto Serif CJK SC Bold", path, 0)
    if title is None:  # the body face, set larger
        _register(TITLE, body[1], body[2])
        title = body
    return PdfFonts(body[0], title[0])
