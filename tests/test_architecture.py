"""The layers and the absence of import circles, as a contract the suite checks."""
from __future__ import annotations

from pathlib import Path

from tests.import_graph import cycles, edges, violations

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 500


def test_no_import_circles_in_taskboard():
    assert cycles(edges(ROOT)) == []


def test_layers_import_only_what_they_may():
    assert violations(edges(ROOT)) == []


def test_every_module_stays_under_the_size_limit():
    big = {str(p.relative_to(ROOT)): n for p in (ROOT / "taskboard").rglob("*.py")
           if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert big == {}


def test_every_package_says_what_lives_there():
    silent = [str(p.relative_to(ROOT)) for p in (ROOT / "taskboard").rglob("__init__.py")
              if not p.read_text(encoding="utf-8").lstrip().startswith('"""')]
    assert silent == []


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_the_check_finds_a_forbidden_import_and_a_circle(tmp_path):
    root = _tree(tmp_path, {
        "taskboard/__init__.py": '"""x"""\n',
        "taskboard/core/__init__.py": '"""x"""\n',
        "taskboard/core/a.py": "from taskboard.core import b\n",
        "taskboard/core/b.py": "def f():\n    from taskboard.core.a import g\n",
        "taskboard/core/qt.py": "from PySide6.QtWidgets import QWidget\n",
        "taskboard/ui/__init__.py": '"""x"""\n',
        "taskboard/ui/view.py": "from ..cli.main import main\n",
        "taskboard/cli/__init__.py": '"""x"""\n',
        "taskboard/cli/main.py": "from taskboard.ui import view\n",
    })
    found = edges(root)
    assert cycles(found) == [["taskboard.cli.main", "taskboard.ui.view"],
                             ["taskboard.core.a", "taskboard.core.b"]]
    assert violations(found) == [
        "taskboard.core.qt:1 imports PySide6.QtWidgets (taskboard.core must not import PySide6)",
        "taskboard.ui.view:1 imports taskboard.cli.main (taskboard.ui must not import "
        "taskboard.cli)",
    ]


def test_every_package_is_installed():
    # pyproject.toml lists the packages (resources/ ships as taskboard.resources); a folder
    # missing from the list works from a checkout and is absent from every installed copy.
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
                 ["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts)
             for p in (ROOT / "taskboard").rglob("__init__.py")}
    assert found | {"taskboard.resources"} == listed
