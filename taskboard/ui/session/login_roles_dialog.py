"""建立数据库登录角色: after the upgrade of a shared database, the accounts made before it get
their own PostgreSQL login roles, each with a one-time password shown here once."""
from __future__ import annotations

from html import escape
from typing import Optional

from PySide6.QtGui import QFontDatabase, QGuiApplication, QTextDocument
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QLabel, QMessageBox, QTableWidget, QTableWidgetItem, QVBoxLayout,
    QWidget,
)

from taskboard.core.actor import Actor
from taskboard.core.db import Database, describe_database
from taskboard.core.errors import ServiceError
from taskboard.core.server_login import issued_rows

WARNING = ("这些一次性密码只显示这一次，程序和数据库都不保存明文。关闭本窗口前，请复制或打印这份名单，"
           "分别当面交给本人；每人首次登录时必须改成只有自己知道的密码。")


HEADERS = ["用户名", "显示名称", "角色", "一次性密码"]


class OneTimePasswordsDialog(QDialog):
    """The list of accounts and their one-time passwords, to copy or print, then gone."""

    def __init__(self, rows: list[tuple[str, str, str, str]], where: str = "",
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.rows = rows
        self.where = where
        self.setWindowTitle("一次性密码（只显示这一次）")
        self.setMinimumSize(720, 440)
        warning = QLabel(WARNING)
        warning.setObjectName("oneTimeWarning")
        warning.setWordWrap(True)
        warning.setStyleSheet("color: #b00020; font-weight: bold;")
        intro = QLabel(f"已为 {len(rows)} 个账号建立数据库登录角色。{where}")
        intro.setWordWrap(True)
        # A table, not aligned text: Chinese names are not two Latin letters wide in every font.
        self.table = QTableWidget(len(rows), len(HEADERS))
        self.table.setObjectName("passwordList")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.verticalHeader().hide()
        fixed = QFontDatabase.systemFont(QFontDatabase.FixedFont)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                item = QTableWidgetItem(value)
                if c == len(HEADERS) - 1:  # l and 1, O and 0 told apart
                    item.setFont(fixed)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox()
        self.copy_button = buttons.addButton("复制名单", QDialogButtonBox.ActionRole)
        self.print_button = buttons.addButton("打印…", QDialogButtonBox.ActionRole)
        self.close_button = buttons.addButton("已抄下或打印，关闭", QDialogButtonBox.AcceptRole)
        self.copy_button.clicked.connect(self.copy)
        self.print_button.clicked.connect(self.print_list)
        buttons.accepted.connect(self._close)
        layout = QVBoxLayout(self)
        layout.addWidget(warning)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)

    def plain_text(self) -> str:
        """Tab-separated: pasted into a spreadsheet, each column lands in its own."""
        lines = ["\t".join(HEADERS)]
        lines += ["\t".join(row) for row in self.rows]
        return "\n".join(lines) + "\n"

    def html(self) -> str:
        cells = "".join(
            "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in self.rows)
        return (f"<h3>taskboard 一次性密码</h3><p>{escape(self.where)}</p>"
                f"<p><b>{escape(WARNING)}</b></p><table border='1' cellpadding='4' "
                "cellspacing='0'><tr><th>用户名</th><th>显示名称</th><th>角色</th>"
                f"<th>一次性密码</th></tr>{cells}</table>")

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.plain_text())

    def print_list(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.HighResolution)
        if QPrintDialog(printer, self).exec() != QDialog.Accepted:
            return
        doc = QTextDocument()
        doc.setHtml(self.html())
        doc.print_(printer)

    def _close(self) -> None:
        if QMessageBox.question(self, "关闭名单", "关闭后这些一次性密码无法再次查看。确认已抄下或打印？") \
                == QMessageBox.Yes:
            self.accept()

    def reject(self) -> None:  # Esc and the title bar's × ask too
        self._close()


def offer_login_roles(db: Database, actor: Actor, parent: Optional[QWidget] = None) -> int:
    """The administrator on a connection as the schema owner is offered roles for the accounts
    that have none; how many were made."""
    if db.is_sqlite or db.account is not None or actor.role != "admin":
        return 0
    from taskboard.core import pg_roles

    with db.session() as s:
        if pg_roles.connection_kind(s) != "owner":
            return 0
        missing = pg_roles.accounts_without_login(s)
    if not missing:
        return 0
    names = "、".join(missing[:10]) + (f" 等 {len(missing)} 个" if len(missing) > 10 else "")
    answer = QMessageBox.question(
        parent, "建立数据库登录角色",
        f"本数据库由服务器核对每个账号的密码。以下账号还没有数据库登录角色，暂时不能登录：{names}。\n\n"
        "现在为它们建立登录角色，并各发一个一次性密码吗？（也可以以后用命令 taskboard admin create-roles 建立）")
    if answer != QMessageBox.Yes:
        return 0
    try:
        with db.Session.begin() as s:
            issued = pg_roles.issue_one_time_passwords(s, actor)
    except ServiceError as exc:
        # Nothing was made (one transaction): say why and carry on into the window.
        QMessageBox.warning(parent, "未能建立登录角色", str(exc))
        return 0
    with db.session() as s:
        rows = issued_rows(s, issued)
    OneTimePasswordsDialog(rows, describe_database(db.url), parent).exec()
    return len(issued)
