"""CJK fonts for Qt and matplotlib, without Qt imports.

A fresh Linux box has no Chinese font; matplotlib then draws boxes. Prefer a system CJK font
(Microsoft YaHei on Windows, Noto Sans CJK / WenQuanYi on Chinese Linux desktops) and fall back
to Noto Sans CJK SC shipped by the ``mplfonts`` package.
"""
from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path
from typing import Optional

PREFERRED_FAMILIES = (
    "Microsoft YaHei",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "PingFang SC",
    "SimHei",
)


def bundled_font_path() -> Optional[Path]:
    # Located, not imported: importing mplfonts imports matplotlib, which the window's
    # start-up must not pay for.
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    return path if path.exists() else None


@lru_cache(maxsize=1)
def cjk_font() -> tuple[str, Optional[Path]]:
    """(family name, file to register or None when the system already has it)."""
    from matplotlib import font_manager

    installed = {f.name: Path(f.fname) for f in font_manager.fontManager.ttflist}
    for family in PREFERRED_FAMILIES:
        if family in installed:
            return family, installed[family]
    path = bundled_font_path()
    if path is None:
        return "sans-serif", None
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name(), path


@lru_cache(maxsize=1)
def configure_matplotlib() -> str:
    """Make matplotlib draw Chinese; returns the family used."""
    import matplotlib

    family, _ = cjk_font()
    matplotlib.rcParams["font.sans-serif"] = [family, "DejaVu Sans"]
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["axes.unicode_minus"] = False
    return family
