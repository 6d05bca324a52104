"""Remembered database servers, connection URLs and the connection test.

Servers are kept per user as JSON under the platform's config directory. Passwords are never
written anywhere: the user types one for every connection, and a child process started on
another database receives it through its environment only (never on the command line, which
other users of the machine can read).
"""
from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Mapping, MutableMapping, Optional

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from taskboard.core.paths import default_config_dir, default_url

ENV_PASSWORD = "TASKBOARD_DB_PASSWORD"
STORE_FILE = "servers.json"
STORE_VERSION = 1
DRIVER = "postgresql+psycopg"
DEFAULT_PORT = 5432
TEST_TIMEOUT_S = 5
# Without a timeout a dead server makes libpq wait for the operating system (minutes);
# the window would hang instead of showing the lost-connection banner.
CONNECT_TIMEOUT_S = 10

SSLMODES: dict[str, str] = {
    "prefer": "尽量加密（prefer，默认）",
    "require": "必须加密（require）",
    "verify-ca": "加密并验证证书（verify-ca）",
    "verify-full": "加密并验证证书与主机名（verify-full）",
    "allow": "服务器要求时加密（allow）",
    "disable": "不加密（disable）",
}


class ConnectionSetupError(Exception):
    """Bad server settings or an unreadable server list, with a message fit for the user."""


@dataclass(frozen=True)
class ServerEntry:
    """A remembered PostgreSQL server. Deliberately has no password field."""

    name: str
    host: str
    port: int = DEFAULT_PORT
    database: str = "taskboard"
    user: str = ""
    sslmode: str = "prefer"

    @property
    def label(self) -> str:
        who = f"{self.user}@" if self.user else ""
        how = "" if self.user else "（本人账号登录）"
        return f"{self.name} — {who}{self.host}:{self.port}/{self.database}{how}"


@dataclass
class ServerStore:
    servers: list[ServerEntry] = field(default_factory=list)
    # What was opened last: {"kind": "server", "name": ...} or {"kind": "sqlite", "path": ...}
    last: Optional[dict] = None

    def find(self, name: str) -> Optional[ServerEntry]:
        return next((s for s in self.servers if s.name == name), None)


def default_store_path() -> Path:
    return default_config_dir() / STORE_FILE


def default_sqlite_path() -> Path:
    return Path(make_url(default_url()).database or "")


# --- validation -------------------------------------------------------------------------------

def validate_server(entry: ServerEntry, others: tuple[ServerEntry, ...] = ()) -> ServerEntry:
    """The entry with surrounding blanks removed; ConnectionSetupError says what is wrong."""
    e = ServerEntry(name=str(entry.name).strip(), host=str(entry.host).strip(),
                    port=entry.port, database=str(entry.database).strip(),
                    user=str(entry.user).strip(), sslmode=str(entry.sslmode).strip())
    if not e.name:
        raise ConnectionSetupError("请填写名称，例如“市政务服务局服务器”。")
    if any(o.name == e.name for o in others):
        raise ConnectionSetupError(f"已有名为“{e.name}”的服务器，请换一个名称。")
    if not e.host:
        raise ConnectionSetupError("请填写服务器地址（主机名或 IP 地址）。")
    if any(c.isspace() for c in e.host) or "/" in e.host:
        raise ConnectionSetupError(f"服务器地址“{e.host}”无效：不能含空格或“/”。")
    if isinstance(e.port, bool) or not isinstance(e.port, int) or not 1 <= e.port <= 65535:
        raise ConnectionSetupError(f"端口“{e.port}”无效：应为 1–65535 之间的整数。")
    if not e.database:
        raise ConnectionSetupError("请填写数据库名。")
    # No user: each account signs in with its own database role (core/server_login.py).
    if e.sslmode not in SSLMODES:
        raise ConnectionSetupError(
            f"SSL 模式“{e.sslmode}”无效，可选：{'、'.join(SSLMODES)}。")
    return e


# --- the JSON file ----------------------------------------------------------------------------

def _entry_from(raw: object, index: int) -> ServerEntry:
    if not isinstance(raw, dict):
        raise ConnectionSetupError(f"第 {index} 个服务器不是有效的记录。")
    try:
        # Unknown keys, a hand-written "password" among them, are dropped, never kept.
        entry = ServerEntry(name=raw["name"], host=raw["host"],
                            port=raw.get("port", DEFAULT_PORT),
                            database=raw.get("database", "taskboard"),
                            user=raw.get("user", ""), sslmode=raw.get("sslmode", "prefer"))
    except KeyError as exc:
        raise ConnectionSetupError(f"第 {index} 个服务器缺少“{exc.args[0]}”。") from None
    try:
        return validate_server(entry)
    except ConnectionSetupError as exc:
        raise ConnectionSetupError(f"第 {index} 个服务器：{exc}") from None


def load_store(path: Optional[Path] = None) -> ServerStore:
    """The remembered servers; an absent file is an empty list, a damaged one an error."""
    path = Path(path or default_store_path())
    if not path.exists():
        return ServerStore()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConnectionSetupError(f"无法读取服务器列表 {path}：{exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("servers", []), list):
        raise ConnectionSetupError(f"服务器列表 {path} 的格式不对。")
    if data.get("version", STORE_VERSION) > STORE_VERSION:
        raise ConnectionSetupError(f"服务器列表 {path} 由更新版本的 taskboard 写入，请升级本程序。")
    servers: list[ServerEntry] = []
    try:
        for i, raw in enumerate(data.get("servers", []), 1):
            entry = _entry_from(raw, i)
            validate_server(entry, tuple(servers))
            servers.append(entry)
    except ConnectionSetupError as exc:
        raise ConnectionSetupError(f"服务器列表 {path} 有误：{exc}") from None
    last = data.get("last")
    return ServerStore(servers, last if isinstance(last, dict) else None)


def save_store(store: ServerStore, path: Optional[Path] = None) -> Path:
    """Write atomically, so a crash mid-write leaves the previous list intact."""
    path = Path(path or default_store_path())
    data = {"version": STORE_VERSION, "servers": [asdict(s) for s in store.servers],
            "last": store.last}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".servers-", suffix=".json", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f, ensure_ascii=False, indent=2)
            if os.name == "posix":
                os.chmod(tmp, 0o600)  # host and user names are nobody else's business
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise ConnectionSetupError(f"无法保存服务器列表 {path}：{exc}") from None
    return path


def set_aside(path: Optional[Path] = None) -> Optional[Path]:
    """Rename a damaged list to ``servers.json.bad`` before a new one replaces it."""
    path = Path(path or default_store_path())
    if not path.exists():
        return None
    bad = path.with_name(path.name + ".bad")
    os.replace(path, bad)
    return bad


# --- URLs -------------------------------------------------------------------------------------

def server_url(entry: ServerEntry, password: Optional[str] = None,
               timeout: int = CONNECT_TIMEOUT_S) -> URL:
    """URL.create escapes '@', ':', '/', '%' and the like in user, password and database."""
    return URL.create(DRIVER, username=entry.user or None, password=password or None,
                      host=entry.host, port=entry.port, database=entry.database,
                      query={"sslmode": entry.sslmode, "connect_timeout": str(timeout)})


def sqlite_url(path: Path) -> URL:
    return URL.create("sqlite", database=str(Path(path).expanduser().resolve()))


def url_text(url: URL) -> str:
    """The URL as a string, password included when it has one (for the engine only)."""
    return url.render_as_string(hide_password=False)


def without_password(url: str | URL) -> URL:
    # URL.set() ignores None, so the URL is built again instead.
    u = make_url(url)
    return URL.create(u.drivername, username=u.username, password=None, host=u.host,
                      port=u.port, database=u.database, query=u.query)


def public_url(url: str | URL) -> str:
    """The URL without its password: safe for a command line, a log or a message."""
    try:
        return url_text(without_password(url))
    except Exception:  # not even a URL: mask whatever sits between "user:" and "@"
        return re.sub(r"(://[^/@:]*:)[^?]*@", r"\1***@", str(url))


def same_database(a: str | URL, b: str | URL) -> bool:
    """Whether two URLs lead to the same database, whatever their passwords and options."""
    ua, ub = make_url(a), make_url(b)
    if ua.get_backend_name() != ub.get_backend_name():
        return False
    if ua.get_backend_name() == "sqlite":
        return Path(ua.database or "").resolve() == Path(ub.database or "").resolve()
    return ((ua.host or "localhost", ua.port or DEFAULT_PORT, ua.database, ua.username)
            == (ub.host or "localhost", ub.port or DEFAULT_PORT, ub.database, ub.username))


def with_env_password(url: str, environ: Optional[MutableMapping[str, str]] = None) -> str:
    """Put the password passed in ENV_PASSWORD into a server URL that has none.

    The variable is removed, so processes this one starts do not inherit it.
    """
    environ = os.environ if environ is None else environ
    password = environ.pop(ENV_PASSWORD, None)
    if not password or "://" not in url:
        return url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" or parsed.password:
        return url
    return url_text(parsed.set(password=password))


def child_command(url: str) -> list[str]:
    """How to start this program again on ``url`` (which must carry no password)."""
    if make_url(url).password:
        raise ValueError("a password must not be put on a command line")
    if getattr(sys, "frozen", False):  # a packaged build is its own interpreter
        return [sys.executable, "--db", url]
    return [sys.executable, "-m", "taskboard", "--db", url]


def child_environment(password: Optional[str],
                      base: Optional[Mapping[str, str]] = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env.pop(ENV_PASSWORD, None)
    env.pop("TASKBOARD_DB", None)  # --db names the database; nothing else may
    if password:
        env[ENV_PASSWORD] = password
    return env


# --- the connection test ----------------------------------------------------------------------

@dataclass(frozen=True)
class ConnectionCheck:
    """What 测试连接 found. ``ok`` means the program can open this database."""

    ok: bool
    message: str
    server_version: str = ""
    schema: str = ""  # empty, current, older, newer, foreign; "" when not connected


SCHEMA_NOTES = {
    "empty": "数据库是空的，连接时将自动建立 taskboard 的数据表。",
    "older": "数据库由旧版本 taskboard 建立，连接时将自动升级。",
    "current": "这是 taskboard 数据库，版本与本程序一致。",
    "newer": "数据库由更新版本的 taskboard 升级过，请先升级本程序。",
    "foreign": "该数据库里已有其他程序的数据表，不是 taskboard 数据库；请改用一个空数据库。",
}

# libpq's messages in English, and as a server with Chinese lc_messages words them.
_PATTERNS: list[tuple[tuple[str, ...], str]] = [
    (("password authentication failed", "password 认证失败", "密码认证失败"), "password"),
    (("no password supplied",), "no_password"),
    (("no pg_hba.conf entry", "pg_hba.conf 记录"), "hba"),
    (("timeout expired", "超时"), "timeout"),
    (("connection refused", "failed to resolve host", "could not translate host name",
      "name or service not known", "no route to host", "network is unreachable",
      "server closed the connection unexpectedly", "拒绝连接"), "unreachable"),
    (("permission denied", "权限不够"), "permission"),
    (("ssl",), "ssl"),
]


def _kind(detail: str) -> str:
    low = detail.lower()
    if "does not exist" in low or "不存在" in detail:
        if "database" in low or "数据库" in detail:
            return "database"
        if "role" in low or "角色" in detail:
            return "role"
    for needles, kind in _PATTERNS:
        if any(n in low for n in needles):
            return kind
    return "other"


def explain_error(exc: BaseException, entry: ServerEntry,
                  timeout: int = CONNECT_TIMEOUT_S) -> str:
    """A Chinese sentence saying what went wrong and what to do about it."""
    detail = str(getattr(exc, "orig", None) or exc).strip()
    first = detail.splitlines()[0] if detail else type(exc).__name__
    # Host and port are said in Chinese already; keep the server's own words.
    first = re.sub(r'^(connection failed: )?connection to server at "[^"]*", port \d+ failed: ',
                   "", first)
    where = f"{entry.host}:{entry.port}"
    messages = {
        "password": f"用户名或密码错误：服务器 {where} 拒绝了用户“{entry.user}”的密码。",
        "no_password": "服务器要求密码，请输入密码后再试。",
        "database": f"服务器 {where} 上没有名为“{entry.database}”的数据库。请数据库管理员先创建它"
                    f"（CREATE DATABASE … OWNER …），taskboard 会在首次连接时建立数据表。",
        "role": f"服务器 {where} 上没有用户“{entry.user}”。",
        "hba": f"服务器 {where} 不允许从本机以用户“{entry.user}”连接（pg_hba.conf 中没有相应规则），"
               "请联系数据库管理员。",
        "timeout": f"连接服务器 {where} 超时（{timeout} 秒）：请检查网络、地址和端口。",
        "unreachable": f"无法连接到服务器 {where}：服务器未运行、地址或端口有误，或被防火墙阻挡。",
        "permission": f"用户“{entry.user}”在数据库“{entry.database}”中没有建表或读写的权限。"
                      "请数据库管理员把该数据库的所有者设为这个用户（ALTER DATABASE … OWNER TO …）。",
        "ssl": f"与服务器 {where} 建立加密连接失败，请检查“SSL 模式”。",
        "other": f"连接服务器 {where} 失败。",
    }
    return f"{messages[_kind(detail)]}\n（{first}）"


def schema_state(conn) -> str:
    from taskboard.core.migrate import alembic_config, head_revision
    from alembic.script import ScriptDirectory

    tables = set(inspect(conn).get_table_names())
    if not tables:
        return "empty"
    if "alembic_version" not in tables:
        return "foreign"
    current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    if current is None:
        return "empty"
    if current == head_revision():
        return "current"
    known = {r.revision for r in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    return "older" if current in known else "newer"


def check_server(entry: ServerEntry, password: Optional[str],
                 timeout: int = TEST_TIMEOUT_S) -> ConnectionCheck:
    """Connect once, briefly, and report the server version and the state of the schema."""
    try:
        entry = validate_server(entry)
    except ConnectionSetupError as exc:
        return ConnectionCheck(False, str(exc))
    try:
        engine = create_engine(server_url(entry, password, timeout), poolclass=NullPool)
    except Exception as exc:  # the driver is an optional extra
        return ConnectionCheck(False, "本程序未安装 PostgreSQL 驱动，请安装 taskboard[postgres]"
                                      f"（psycopg）。（{exc}）")
    try:
        with engine.connect() as conn:
            version = str(conn.execute(text("SHOW server_version")).scalar())
            state = schema_state(conn)
    except Exception as exc:
        return ConnectionCheck(False, explain_error(exc, entry, timeout))
    finally:
        engine.dispose()
    ok = state not in ("newer", "foreign")
    head = "连接成功" if ok else "已连接，但不能使用这个数据库"
    return ConnectionCheck(ok, f"{head}：PostgreSQL {version}。\n{SCHEMA_NOTES[state]}",
                           version, state)


def check_sqlite(path: Path) -> ConnectionCheck:
    """The same report for a local file: missing (will be created), sound, damaged."""
    from taskboard.core.backup import integrity_problems

    path = Path(path).expanduser()
    if path.is_dir():
        return ConnectionCheck(False, f"“{path}”是文件夹，请选择一个 .sqlite 文件。")
    if not path.exists():
        if not path.parent.exists() and path.parent != default_sqlite_path().parent:
            return ConnectionCheck(False, f"文件夹不存在：{path.parent}")
        return ConnectionCheck(True, f"文件尚不存在，连接时将新建本机数据库：{path}", schema="empty")
    problems = integrity_problems(path)
    if problems:
        return ConnectionCheck(False, "这个文件不能使用：" + "；".join(problems[:3]))
    engine = create_engine(url_text(sqlite_url(path)), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            version = str(conn.execute(text("SELECT sqlite_version()")).scalar())
            state = schema_state(conn)
    except Exception as exc:
        return ConnectionCheck(False, f"无法打开文件 {path}：{exc}")
    finally:
        engine.dispose()
    ok = state not in ("newer", "foreign")
    head = "可以打开" if ok else "不能使用这个文件"
    return ConnectionCheck(ok, f"{head}：SQLite {version}。\n{SCHEMA_NOTES[state]}", version, state)
