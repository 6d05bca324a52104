"""Every file the program writes goes through one atomic write: a failure at any point, a
file held open by Excel on Windows, a full disk or a kill leave the previous file intact."""
import errno
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from taskboard.cli.main import main
from taskboard.core import atomic
from taskboard.core.atomic import FileWriteError, atomic_write, write_bytes

OLD = b"the previous, complete file"


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def test_a_write_replaces_the_file_in_one_step(tmp_path):
    target = tmp_path / "台账.xlsx"
    target.write_bytes(OLD)
    target.chmod(0o640)
    write_bytes(target, b"new contents")
    assert target.read_bytes() == b"new contents"
    assert target.stat().st_mode & 0o777 == 0o640  # a replaced file keeps its mode
    assert _leftovers(tmp_path) == []


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_private_file_is_never_readable_by_others(tmp_path):
    target = tmp_path / "smtp.pw"
    target.write_bytes(OLD)
    target.chmod(0o644)
    with atomic_write(target, mode=0o600) as fh:
        assert os.stat(fh.fileno()).st_mode & 0o777 == 0o600  # the temporary file too
        fh.write(b"secret")
    assert target.stat().st_mode & 0o777 == 0o600 and target.read_bytes() == b"secret"


def test_a_failure_while_writing_leaves_the_old_file(tmp_path):
    target = tmp_path / "台账.xlsx"
    target.write_bytes(OLD)
    with pytest.raises(RuntimeError):
        with atomic_write(target) as fh:
            fh.write(b"half a file")
            raise RuntimeError("the writer broke down")
    assert target.read_bytes() == OLD and _leftovers(tmp_path) == []


def test_a_file_open_in_excel_on_windows_is_named_and_kept(tmp_path, monkeypatch):
    target = tmp_path / "台账.xlsx"
    target.write_bytes(OLD)
    monkeypatch.setattr(atomic, "_WINDOWS", True)

    def locked(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))
    monkeypatch.setattr(atomic.os, "replace", locked)
    with pytest.raises(FileWriteError) as info:
        write_bytes(target, b"new")
    assert "文件正被其他程序打开，请关闭后重试" in str(info.value) and "台账.xlsx" in str(info.value)
    assert isinstance(info.value, OSError)
    assert target.read_bytes() == OLD and _leftovers(tmp_path) == []


def test_a_full_disk_is_named_and_the_old_file_kept(tmp_path, monkeypatch):
    target = tmp_path / "台账.xlsx"
    target.write_bytes(OLD)

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(atomic.os, "fsync", full)
    with pytest.raises(FileWriteError, match="磁盘空间已满"):
        write_bytes(target, b"new")
    assert target.read_bytes() == OLD and _leftovers(tmp_path) == []


def _windows_lock(monkeypatch):
    monkeypatch.setattr(atomic, "_WINDOWS", True)

    def locked(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))
    monkeypatch.setattr(atomic.os, "replace", locked)


@pytest.mark.parametrize("argv, name", [
    (["export-ledger", "--period", "2026-11", "-o", "{d}/台账.xlsx"], "台账.xlsx"),
    (["urge-ledger", "--out", "{d}/催办台账.xlsx"], "催办台账.xlsx"),
    (["export-report-forms", "--period", "2026-11", "--unit", "1", "-o", "{d}",
      "--today", "2026-11-23"], "东胜区_2026-11.xlsx"),
])
def test_every_export_command_keeps_the_old_file(demo_db, sign_in_as, tmp_path, capsys,
                                                  monkeypatch, argv, name):
    sign_in_as(demo_db)
    target = tmp_path / name
    target.write_bytes(OLD)
    _windows_lock(monkeypatch)
    assert main([a.format(d=tmp_path) for a in argv] + ["--db", demo_db.url]) == 2
    err = capsys.readouterr().err
    assert "文件正被其他程序打开，请关闭后重试" in err and "Traceback" not in err
    assert target.read_bytes() == OLD and _leftovers(tmp_path) == []


@pytest.mark.sqlite_only
def test_saved_notices_and_the_audit_export_go_through_the_same_write(demo_db, sign_in_as,
                                                                      tmp_path, capsys,
                                                                      monkeypatch):
    from taskboard.core.actor import load_actor
    from taskboard.core.services.audit_trail import query
    from taskboard.excel.audit_export import export_audit

    sign_in_as(demo_db)
    writes = []
    real = atomic.os.replace
    monkeypatch.setattr(atomic.os, "replace", lambda a, b: writes.append(Path(b).suffix) or real(a, b))
    assert main(["urge", "--overdue", "--today", "2026-11-23", "--out", str(tmp_path / "n"),
                 "--db", demo_db.url]) == 0
    assert {".pdf", ".docx"} <= set(writes)
    with demo_db.session() as s:
        rows = query(s, load_actor(s, "admin"))
    writes.clear()
    export_audit(rows, tmp_path / "日志.xlsx")
    assert writes == [".xlsx"]


STALL = textwrap.dedent("""
    import os, sys
    from taskboard.core import atomic

    def stall(*args):
        print("READY", flush=True)  # the program is killed while it stands here
        sys.stdin.read()

    setattr(atomic.os, sys.argv[1], stall)
    from taskboard.cli.main import main
    sys.exit(main(sys.argv[2:]))
""")


@pytest.mark.sqlite_only  # the file is the point; the backend it was read from is not
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")
@pytest.mark.parametrize("where", ["fsync", "replace"])
def test_sigkill_during_export_ledger_keeps_the_previous_ledger(demo_db, sign_in_as, tmp_path,
                                                               capsys, where):
    sign_in_as(demo_db)  # the environment carries the sign-in into the child process
    target = tmp_path / "台账.xlsx"
    argv = ["export-ledger", "--period", "2026-11", "-o", str(target), "--db", demo_db.url]
    assert main(argv) == 0
    good = target.read_bytes()
    child = subprocess.Popen([sys.executable, "-c", STALL, where, *argv],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, cwd=Path(__file__).resolve().parents[2])
    try:
        line = child.stdout.readline()
        assert line.strip() == b"READY", child.stderr.read().decode()
        child.send_signal(signal.SIGKILL)
        child.wait()
    finally:
        if child.poll() is None:
            child.kill()
        child.stdout.close()
        child.stderr.close()
        child.stdin.close()
    assert child.returncode == -signal.SIGKILL
    assert target.read_bytes() == good
    assert load_workbook(target)["台账"]["A1"].value.endswith("（2026年11月）")
