"""Before Qt starts on a Linux desktop: are the X11 (xcb) libraries Qt needs installed?

When one is missing Qt aborts with a message that names libxcb-cursor0 whatever is really
missing. Loading each library first lets the start-up name the exact Debian/UOS packages.
"""
from __future__ import annotations

import ctypes
import os
import sys
from typing import Callable, Mapping, Optional

# soname -> the Debian / UOS / Kylin package that ships it (what Qt 6's xcb plugin links).
XCB_LIBRARIES: dict[str, str] = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
}
APT_LINE = "sudo apt-get install " + " ".join(dict.fromkeys(XCB_LIBRARIES.values()))


def _loads(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def wants_xcb(env: Mapping[str, str] = os.environ, platform: str = sys.platform) -> bool:
    """Qt will try the X11 plugin: Linux, no other platform asked for, not a Wayland session."""
    if not platform.startswith("linux"):
        return False
    asked = env.get("QT_QPA_PLATFORM", "").split(":")[0].strip()
    if asked:
        return asked == "xcb"
    return bool(env.get("DISPLAY")) and not env.get("WAYLAND_DISPLAY")


def missing_packages(loads: Callable[[str], bool] = _loads) -> list[tuple[str, str]]:
    """(library, package) for every library Qt's xcb plugin needs that cannot be loaded."""
    return [(lib, pkg) for lib, pkg in XCB_LIBRARIES.items() if not loads(lib)]


def message(missing: list[tuple[str, str]]) -> str:
    libs = "、".join(lib for lib, _ in missing)
    pkgs = " ".join(dict.fromkeys(pkg for _, pkg in missing))
    return (f"无法打开图形界面：缺少 Qt 图形界面（X11/xcb）所需的系统库 {libs}。\n"
            f"请让管理员安装以下软件包后重试：\n  sudo apt-get install {pkgs}\n"
            "（统信 UOS、麒麟等 Debian 系桌面软件包名称相同；"
            "无图形界面的服务器请使用命令行子命令。）")


def check_display_libraries(env: Mapping[str, str] = os.environ, platform: str = sys.platform,
                            loads: Callable[[str], bool] = _loads) -> Optional[str]:
    """The Chinese message to print instead of starting Qt, or None when all is well."""
    if not wants_xcb(env, platform):
        return None
    missing = missing_packages(loads)
    return message(missing) if missing else None
