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
