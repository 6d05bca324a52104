import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from taskboard.cli import main as cli
from taskboard.core.models import UrgeNotice
from taskboard.core.settings import save_setting
from tests.notify.test_email import Sink, free_port


@pytest.fixture(autouse=True)
def _signed_in(cli_signed_in):
    """Commands sign in: tests on the demo data run them as its administrator."""

pytestmark = pytest.mark.sqlite_only


def run(capsys, *argv):
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def count(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(UrgeNotice))


def test_dry_run_prints_the_plan_and_changes_nothing(demo_db, capsys):
    code, out, _ = run(capsys, "urge", "--db", demo_db.url, "--today", "2026-11-23",
                       "--overdue", "--dry-run")
    assert code == 0
    assert "筛查（超期）" in out and "将发出督办通知单" in out and "演练" in out
    assert count(demo_db) == 0


def test_urge_issues_then_restrains_and_saves_documents(demo_db, capsys, tmp_path):
    code, out, _ = run(capsys, "urge", "--db", demo_db.url, "--today", "2026-11-23",
                       "--period", "2026-11", "--overdue", "--unreported", "--out",
                       str(tmp_path / "out"))
    issued = count(demo_db)
    assert code == 0 and issued > 0
    assert out.count("已发出") == issued
    assert len(list((tmp_path / "out").glob("*.pdf"))) == issued
    code, out, _ = run(capsys, "urge", "--db", demo_db.url, "--today", "2026-11-24",
                       "--overdue", "--unreported")
    assert code == 0 and "2026-11-26 起可再催办" in out and "没有需要催办的任务" in out
    assert count(demo_db) == issued
    code, out, _ = run(capsys, "urge", "--db", demo_db.url, "--today", "2026-11-24",
                       "--overdue", "--unreported", "--reason", "市政府常务会议前须报齐")
    assert code == 0 and count(demo_db) == 2 * issued


def test_send_without_server_is_refused_before_anything_is_issued(demo_db, capsys):
    code, _, err = run(capsys, "urge", "--db", demo_db.url, "--today", "2026-11-23", "--send")
    assert code == 2 and "尚未配置邮件服务器" in err
    assert count(demo_db) == 0


def test_send_and_retry_through_a_loopback_server(demo_db, capsys):
    from aiosmtpd.controller import Controller

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        with demo_db.Session.begin() as s:
            save_setting(s, "smtp_host", "127.0.0.1")
            save_setting(s, "smtp_port", free_port())  # nobody listens: every mail fails
            save_setting(s, "smtp_security", "none")
            save_setting(s, "smtp_sender", "ducha@example.gov.cn")
        code, out, _ = run(capsys, "urge", "--db", demo_db.url, "--today", "2026-11-23",
                           "--near-due", "--unreported", "--send")
        assert code == 1 and "发送失败" in out and "--retry-failed" in out
        assert sink.messages == []
        with demo_db.Session.begin() as s:
            save_setting(s, "smtp_port", controller.port)
        code, out, _ = run(capsys, "urge", "--db", demo_db.url, "--retry-failed")
        assert code == 0 and len(sink.messages) == count(demo_db) > 0
        code, out, _ = run(capsys, "urge", "--db", demo_db.url, "--retry-failed")
        assert "没有发送失败" in out
    finally:
        controller.stop()


def test_ledger_export_and_bad_input(demo_db, capsys, tmp_path):
    path = tmp_path / "台账.xlsx"
    code, out, _ = run(capsys, "urge-ledger", "--db", demo_db.url, "--out", str(path),
                       "--campaign", "1")
    assert code == 0 and "条催办记录" in out
    assert load_workbook(path).active["B2"].value == "责任单位"
    code, _, err = run(capsys, "urge-ledger", "--db", demo_db.url, "--out",
                       str(tmp_path / "x.csv"))
    assert code == 2 and ".xlsx" in err
    code, _, err = run(capsys, "urge", "--db", demo_db.url, "--campaign", "99")
    assert code == 2 and "专项工作不存在" in err
    with pytest.raises(SystemExit) as exc:
        cli.main(["urge", "--db", demo_db.url, "--period", "2026-13"])
    assert exc.value.code == 2


NOTE = "本期报送截止日为 11月25日，尚未到期：未报送的单位仍在报送期内"


def test_before_the_report_day_unreported_urging_needs_force(demo_db, capsys):
    code, out, err = run(capsys, "urge", "--db", demo_db.url, "--today", "2026-11-23")
    assert code == 2 and NOTE in out and "--force" in err and "未发出任何通知单" in err
    assert count(demo_db) == 0
    code, out, _ = run(capsys, "urge", "--db", demo_db.url, "--today", "2026-11-23",
                       "--dry-run")
    assert code == 0 and NOTE in out and "须加 --force" in out and count(demo_db) == 0
    code, out, _ = run(capsys, "urge", "--db", demo_db.url, "--today", "2026-11-23",
                       "--returned")
    assert code == 0 and NOTE in out  # returned reports are not "not yet due"
    returned = count(demo_db)
    code, out, _ = run(capsys, "urge", "--db", demo_db.url, "--today", "2026-11-23",
                       "--force")
    assert code == 0 and count(demo_db) > returned
    # On the report day itself there is no note and nothing to force.
    code, out, _ = run(capsys, "urge", "--db", demo_db.url, "--today", "2026-11-25",
                       "--dry-run")
    assert code == 0 and "尚未到期" not in out and "--force" not in out


def test_overdue_urging_before_the_report_day_is_unaffected(demo_db, capsys):
    code, out, _ = run(capsys, "urge", "--db", demo_db.url, "--today", "2026-11-23",
                       "--overdue")
    assert code == 0 and "尚未到期" not in out and count(demo_db) > 0


def test_unset_office_contact_is_warned_before_notices_say_dash(demo_db, capsys):
    code, out, _ = run(capsys, "urge", "--db", demo_db.url, "--today", "2026-11-23",
                       "--overdue", "--dry-run")
    warning = "办公室联系人、联系电话未设置，通知单将显示“—”；请用 taskboard settings set"
    assert code == 0 and warning in out
    with demo_db.Session.begin() as s:
        save_setting(s, "office_contact", "综合科")
        save_setting(s, "office_phone", "0477-8300001")
    code, out, _ = run(capsys, "urge", "--db", demo_db.url, "--today", "2026-11-23",
                       "--overdue", "--dry-run")
    assert code == 0 and "未设置" not in out
