"""The command line: the GUI by default, subcommands for headless jobs."""
from __future__ import annotations

import argparse
import importlib
import re
import sys
from typing import Optional

from taskboard import __version__
from taskboard.cli.failures import CliError, explain_failure
from taskboard.cli.window_start import cmd_gui

# Modules whose ``register(subparsers, common_parser)`` adds their subcommands, in help order.
COMMAND_MODULES: list[str] = [
    "taskboard.cli.board",
    "taskboard.cli.bench",
    "taskboard.cli.demo",
    "taskboard.cli.admin",
    "taskboard.cli.accounts",
    "taskboard.cli.urge",
    "taskboard.cli.robots",
    "taskboard.cli.notices",
    "taskboard.cli.excel",
    "taskboard.cli.settings",
    "taskboard.cli.scores",
    "taskboard.cli.bulletin",
]


# argparse's own messages (Python 3.9+), said in Chinese.
_ARGPARSE_WORDS: list[tuple[str, str]] = [
    (r"the following arguments are required: (.*)", r"缺少必需的参数：\1"),
    (r"unrecognized arguments: (.*)", r"无法识别的参数：\1"),
    (r"one of the arguments (.*) is required", r"以下参数必须给出一个：\1"),
    (r"ambiguous option: (\S+) could match (.*)", r"选项 \1 有歧义，可能是：\2"),
    (r"invalid choice: (.*) \(choose from (.*)\)", r"取值无效：\1（可选：\2）"),
    (r"invalid int value: (.*)", r"应为整数，收到：\1"),
    (r"invalid float value: (.*)", r"应为数字，收到：\1"),
    (r"invalid (\S+) value: (.*)", r"取值无效：\2"),
    (r"expected one argument", "后面需要一个值"),
    (r"expected at least one argument", "后面至少需要一个值"),
    (r"expected at most one argument", "后面最多只能有一个值"),
    (r"ignored explicit argument (.*)", r"不接受取值：\1"),
    (r"not allowed with argument (.*)", r"不能与 \1 同时使用"),
]


def chinese_argparse_message(message: str) -> str:
    """"argument --period: 月份无效…" becomes "--period 月份无效…"; English words become Chinese."""
    m = re.fullmatch(r"argument (\S+?): (.*)", message, re.S)
    name, rest = (m[1], m[2]) if m else ("", message)
    for pattern, word in _ARGPARSE_WORDS:
        if re.fullmatch(pattern, rest, re.S):
            rest = re.sub(pattern, word, rest, flags=re.S)
            break
    if name in ("COMMAND", "ACTION") and rest.startswith("取值无效"):
        return "没有这个子命令" + rest[len("取值无效"):]
    return f"{name} {rest}" if name else rest


class TaskboardParser(argparse.ArgumentParser):
    """Usage errors in Chinese, worded and exiting (2) like the program's own errors.

    ``add_subparsers`` makes its parsers of the parser's own class, so every subcommand
    (and ``users``' actions) gets this behaviour too.
    """

    def __init__(self, *args, parents=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        for action in self._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = "显示本帮助并退出"
        # Parents are added after the renaming, so their options join the same "选项" group.
        for parent in parents:
            self._add_container_actions(parent)
            self._defaults.update(parent._defaults)

    def format_usage(self) -> str:
        return super().format_usage().replace("usage: ", "用法：", 1)

    def format_help(self) -> str:
        return super().format_help().replace("usage: ", "用法：", 1)

    def error(self, message: str) -> None:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: 错误：{chinese_argparse_message(message)}\n")


def add_global_options(parser: argparse.ArgumentParser, *, in_subcommand: bool) -> None:
    """The options every command takes, before or after the subcommand: declared once here.

    The top parser holds the defaults. The copies inside the subcommands default to SUPPRESS,
    so a value given before the subcommand is not overwritten by the subcommand's default
    (argparse applies the subparser's defaults after the top parser's values).
    """
    def default(value):
        return argparse.SUPPRESS if in_subcommand else value

    parser.add_argument("--db", metavar="URL", default=default(None),
                        help="数据库：SQLite 文件路径或数据库地址（默认依次为环境变量 TASKBOARD_DB、"
                             "本机用户数据文件）")
    parser.add_argument("--demo", action="store_true", default=default(False),
                        help="使用临时演示数据库（程序退出时删除）")
    parser.add_argument("--user", metavar="用户名", default=default(None),
                        help="以该账号登录（默认为环境变量 TASKBOARD_USER）；密码在终端中输入，"
                             "或由 --password-stdin、TASKBOARD_PASSWORD、TASKBOARD_PASSWORD_FILE 提供")
    parser.add_argument("--password-stdin", action="store_true", default=default(False),
                        help="从标准输入的第一行读取登录密码")


def _top_parser(parser_class=None) -> argparse.ArgumentParser:
    parser = (parser_class or TaskboardParser)(
        prog="taskboard",
        description="挂图作战 · 任务调度平台。不带子命令时打开窗口。")
    add_global_options(parser, in_subcommand=False)
    parser.add_argument("--version", action="version", version=f"taskboard {__version__}",
                        help="显示版本号并退出")
    parser.add_argument("--screenshot", metavar="FILE",
                        help="不显示窗口，把主窗口画成 PNG 图片后退出")
    parser.add_argument("--connect", action="store_true",
                        help="登录前在对话框中选择数据库（本机文件或 PostgreSQL 服务器）")
    parser.set_defaults(func=cmd_gui, command=None)
    return parser


class _NotJustTheWindow(Exception):
    pass


class _WindowOnlyParser(TaskboardParser):
    def error(self, message: str) -> None:
        raise _NotJustTheWindow(message)


def window_args(argv: list[str]) -> Optional[argparse.Namespace]:
    """The arguments of a plain window start, or None for anything else (a subcommand, help,
    a usage error), which the full parser then handles. The full parser imports every
    command's module, and with them the data layer; a window start need not wait for that
    before its first dialog is painted."""
    if any(a in ("-h", "--help", "--version") for a in argv):
        return None
    try:
        args, rest = _top_parser(_WindowOnlyParser).parse_known_args(argv)
    except _NotJustTheWindow:
        return None
    return None if rest else args


def build_parser() -> argparse.ArgumentParser:
    common = TaskboardParser(add_help=False)
    add_global_options(common, in_subcommand=True)
    parser = _top_parser()
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="子命令")

    for module in COMMAND_MODULES:
        importlib.import_module(module).register(sub, common)
    return parser


def main(argv: Optional[list[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = window_args(argv) or build_parser().parse_args(argv)
    try:
        if args.demo and args.db:
            raise CliError("--demo 与 --db 不能同时使用")
        if args.func is not cmd_gui:  # the window's start hands them on itself (window_start)
            from taskboard.cli.common import use_args

            use_args(args)
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except BaseException as exc:  # noqa: BLE001 — every failure ends in Chinese, exit 2
        message = explain_failure(exc)
        if message is None:
            raise
        print(f"taskboard: 错误：{message}", file=sys.stderr)
        return 2
