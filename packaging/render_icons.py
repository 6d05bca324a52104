"""Render resources/icons/taskboard.svg to the PNG sizes desktops ask for.

Run after editing the SVG: ``python packaging/render_icons.py``. The PNGs are committed, so
neither a build nor the program needs an SVG renderer.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRectF, QSaveFile, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(svg: Path, size: int, out: Path) -> None:
    image = QImage(size, size, QImage.Format_ARGB32)
    image.fill(Qt.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.Antialiasing)
    QSvgRenderer(str(svg)).render(painter, QRectF(0, 0, size, size))
    painter.end()
    target = QSaveFile(str(out))  # written beside the target and renamed into place
    target.open(QSaveFile.WriteOnly)
    image.save(target, "PNG")
    if not target.commit():
        raise OSError(f"cannot write {out}")


def main() -> int:
    QGuiApplication(sys.argv[:1])
    svg = ICONS / "taskboard.svg"
    for size in SIZES:
        render(svg, size, ICONS / f"taskboard-{size}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
