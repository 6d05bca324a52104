"""Issue 16, item 10: a missing X11 library is named with its Debian package before Qt starts."""
import subprocess
import sys

from taskboard.ui.common.platform_check import (
    APT_LINE, XCB_LIBRARIES, check_display_libraries, missing_packages, wants_xcb,
)


def test_only_an_x11_start_on_linux_is_checked():
    assert wants_xcb({"DISPLAY": ":0"}, "linux")
    assert wants_xcb({"QT_QPA_PLATFORM": "xcb"}, "linux")
    assert not wants_xcb({"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0"}, "linux")
    assert not wants_xcb({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert not wants_xcb({"DISPLAY": ":0"}, "win32")
    assert not wants_xcb({}, "linux")


def test_missing_libraries_are_named_with_their_packages():
    gone = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1"}
    text = check_display_libraries({"DISPLAY": ":0"}, "linux", lambda lib: lib not in gone)
    assert "libxcb-icccm.so.4、libxcb-keysyms.so.1" in text
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1\n" in text
    assert "libxcb-cursor0" not in text  # Qt's own message names this one whatever is missing
    assert check_display_libraries({"DISPLAY": ":0"}, "linux", lambda lib: True) is None
    assert missing_packages(lambda lib: lib != "libxcb-cursor.so.0") == [
        ("libxcb-cursor.so.0", "libxcb-cursor0")]


def test_readme_lists_every_package():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert APT_LINE in readme
    assert len(set(XCB_LIBRARIES.values())) == len(XCB_LIBRARIES)


def test_start_up_prints_the_message_and_exits_2(tmp_path):
    # A library that cannot exist stands in for a missing one, in a real child process.
    code = ("import taskboard.ui.common.platform_check as p\n"
            "p.XCB_LIBRARIES['libnot-there-i16.so.9'] = 'libnot-there-i16'\n"
            "from taskboard.ui.app import ensure_app\nensure_app()\n")
    env = {"PATH": "/usr/bin:/bin", "DISPLAY": ":0", "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2
    assert "无法打开图形界面" in done.stderr and "libnot-there-i16" in done.stderr
    assert "Traceback" not in done.stderr
