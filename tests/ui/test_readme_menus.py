"""Issue 16, item 9: every 菜单 → 项 path the README names exists in the app."""
import re
from pathlib import Path

import pytest

from taskboard.core.actor import load_actor
from taskboard.ui.app import ensure_app, make_window
from tests.conftest import TODAY

pytestmark = pytest.mark.sqlite_only
MENUS = {"文件": "file", "任务": "task", "催办": "urge", "视图": "view", "管理": "admin",
         "帮助": "help"}
ITEM = r"[^\s，。(（]+(?: taskboard)?"
# A menu name at a word's start: "单位管理 → 办公室群机器人…" is a dialog's button, not a menu.
PATH = re.compile(rf"(?<![\u4e00-\u9fff])(文件|任务|催办|视图|管理|帮助) → ({ITEM}(?: / {ITEM})*)")


def _clean(text: str) -> str:
    return re.sub(r"\(&\w\)|&|…", "", text).strip()


def test_readme_menu_paths_exist(qtbot, demo_db, ui_state):
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    paths = [(menu, item) for menu, items in PATH.findall(readme)
             for item in items.split(" / ")]
    assert len(paths) >= 9
    ensure_app()
    with demo_db.session() as s:
        admin = load_actor(s, "admin")
    w = make_window(demo_db, admin, ui_state, today=lambda: TODAY)
    qtbot.addWidget(w)
    for menu, item in paths:
        texts = {_clean(a.text()) for a in w.menus[MENUS[menu]].actions() if a.isVisible()}
        assert _clean(item) in texts, (menu, item, texts)
