"""Qt's own buttons speak Chinese: the UI is Chinese whatever the workstation's locale."""
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from taskboard.ui.app import ensure_app


def test_standard_buttons_are_chinese(qtbot):
    ensure_app()
    box = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
    qtbot.addWidget(box)
    texts = {b.text() for b in box.buttons()}
    assert texts == {"确定", "取消"}


def test_message_box_yes_no_are_chinese(qtbot):
    ensure_app()
    box = QMessageBox(QMessageBox.Question, "删除任务", "确定删除？",
                      QMessageBox.Yes | QMessageBox.No)
    qtbot.addWidget(box)
    texts = {b.text().replace("&", "") for b in box.buttons()}
    assert texts <= {"是(Y)", "否(N)", "是", "否"} and len(texts) == 2


def test_the_window_carries_the_program_icon_at_every_size(qtbot):
    from taskboard.ui.app import ensure_app

    app = ensure_app()
    sizes = sorted(s.width() for s in app.windowIcon().availableSizes())
    assert sizes == [16, 24, 32, 48, 64, 128, 256]
    image = app.windowIcon().pixmap(32, 32).toImage()
    # The pin at the top is red, the board's frame below it blue.
    pin, frame = image.pixelColor(15, 2), image.pixelColor(14, 5)
    assert pin.red() > 150 and pin.blue() < 100
    assert frame.blue() > 100 and frame.red() < 60
