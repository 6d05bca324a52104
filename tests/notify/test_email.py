"""E-mail delivery against real SMTP servers on loopback (aiosmtpd), and broken ones."""
import email
import email.policy
import os
import shutil
import socket
import ssl
import stat
import subprocess
import threading

import pytest
from aiosmtpd.controller import Controller

from taskboard.core.models import UrgeNotice
from taskboard.core.settings import BoardSettings, save_setting
from taskboard.notify import delivery
from taskboard.notify import email as mail
from tests.notify.conftest import issue_for_units


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    def __init__(self, refuse_rcpt: bool = False) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.rcpts: list[str] = []
        self.refuse_rcpt = refuse_rcpt

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_rcpt:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.rcpts += envelope.rcpt_tos
        self.messages.append(email.message_from_bytes(envelope.original_content,
                                                      policy=email.policy.default))
        return "250 Message accepted"


@pytest.fixture
def smtp_server():
    servers = []

    def start(handler=None, **kw):
        handler = handler or Sink()
        controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **kw)
        controller.start()
        servers.append(controller)
        return handler, controller.port

    yield start
    for c in servers:
        c.stop()


def config(port, security="none", **kw):
    return mail.SmtpConfig(host="127.0.0.1", port=port, security=security, account="",
                           sender="ducha@example.gov.cn", sender_name="调度办公室", **kw)


def _notice(db, notice_id):
    with db.session() as s:
        return s.get(UrgeNotice, notice_id)


@pytest.mark.sqlite_only
def test_mail_arrives_with_chinese_subject_and_both_attachments(demo_db, dispatcher,
                                                                smtp_server):
    sink, port = smtp_server()
    issued, rows = issue_for_units(demo_db, dispatcher)
    results = delivery.email_notices(demo_db, dispatcher, [issued[0].notice_id],
                                     config=config(port))
    assert [(r.ok, r.message) for r in results] == [(True, "已发送")]
    (msg,) = sink.messages
    assert msg["Subject"] == "催办〔2026〕1号 关于2026年11月重点任务的催办通知"
    assert sink.rcpts == [f"unit{issued[0].unit_id:03d}@example.com"]
    assert "调度办公室" in str(msg["From"])
    assert rows[0].title in msg.get_body(("plain",)).get_content()
    files = {a.get_filename(): a.get_content() for a in msg.iter_attachments()}
    stem = f"催办〔2026〕1号-{rows[0].unit_name}"
    assert set(files) == {f"{stem}.pdf", f"{stem}.docx"}
    assert files[f"{stem}.pdf"].startswith(b"%PDF")
    assert files[f"{stem}.docx"].startswith(b"PK")
    n = _notice(demo_db, issued[0].notice_id)
    assert (n.email_status, n.email_error) == ("sent", "") and n.delivered_at is not None
    # Sending again does not mail the unit twice.
    again = delivery.email_notices(demo_db, dispatcher, [n.id], config=config(port))
    assert again[0].message == "此前已发送" and len(sink.messages) == 1


@pytest.mark.sqlite_only
def test_refused_recipient_leaves_the_notice_undelivered_and_retryable(demo_db, dispatcher,
                                                                       smtp_server):
    _, bad_port = smtp_server(Sink(refuse_rcpt=True))
    issued, _ = issue_for_units(demo_db, dispatcher)
    nid = issued[0].notice_id
    (res,) = delivery.email_notices(demo_db, dispatcher, [nid], config=config(bad_port))
    assert not res.ok and "拒收" in res.message and "550" in res.message
    n = _notice(demo_db, nid)
    assert (n.email_status, n.delivered_at) == ("failed", None)
    sink, good_port = smtp_server()
    (res,) = delivery.email_notices(demo_db, dispatcher, [nid], config=config(good_port))
    assert res.ok and len(sink.messages) == 1
    assert _notice(demo_db, nid).delivered_at is not None


@pytest.mark.sqlite_only
def test_dropped_and_refused_connections_are_explained(demo_db, dispatcher):
    issued, _ = issue_for_units(demo_db, dispatcher, n_units=2)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    drop_port = listener.getsockname()[1]

    def drop():  # accept and hang up at once, twice at most
        listener.settimeout(10)
        for _ in range(2):
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            conn.close()

    t = threading.Thread(target=drop, daemon=True)
    t.start()
    (dropped,) = delivery.email_notices(demo_db, dispatcher, [issued[0].notice_id],
                                        config=config(drop_port))
    listener.close()
    t.join(10)
    assert not dropped.ok and "断开" in dropped.message
    (refused,) = delivery.email_notices(demo_db, dispatcher, [issued[1].notice_id],
                                        config=config(free_port()))
    assert not refused.ok and "连接被拒绝" in refused.message
    for i in issued:
        n = _notice(demo_db, i.notice_id)
        assert (n.email_status, n.delivered_at) == ("failed", None)


@pytest.mark.sqlite_only
def test_no_server_configured_is_a_clear_message_and_changes_nothing(demo_db, dispatcher):
    issued, _ = issue_for_units(demo_db, dispatcher)
    with pytest.raises(mail.EmailError, match="尚未配置邮件服务器"):
        delivery.email_notices(demo_db, dispatcher, [issued[0].notice_id])
    assert _notice(demo_db, issued[0].notice_id).email_status == ""
    with demo_db.Session.begin() as s:
        save_setting(s, "smtp_host", "smtp.example.gov.cn")
    with pytest.raises(mail.EmailError, match="发件人"):
        delivery.email_notices(demo_db, dispatcher, [issued[0].notice_id])


def test_password_comes_from_env_or_a_private_file(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv(mail.ENV_PASSWORD, raising=False)
    monkeypatch.setattr(mail.platformdirs, "user_config_dir",
                        lambda *a, **k: str(tmp_path / "taskboard"))
    assert mail.load_password() == ""
    path = mail.save_password("s3cret")
    assert path.read_text() == "s3cret"
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert mail.load_password() == "s3cret"
    monkeypatch.setenv(mail.ENV_PASSWORD, "from-env")
    assert mail.load_password() == "from-env"
    cfg = mail.smtp_config(BoardSettings(smtp_host="h", smtp_sender="a@b.cn"))
    assert cfg.password == "from-env" and "from-env" not in repr(cfg)
    mail.save_password("")
    assert not path.exists()


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    return server, ssl.create_default_context(cafile=str(cert))


@pytest.mark.sqlite_only
@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_encrypted_delivery(demo_db, dispatcher, smtp_server, tls_files, security):
    server_ctx, client_ctx = tls_files
    kw = ({"ssl_context": server_ctx} if security == "ssl"
          else {"tls_context": server_ctx, "require_starttls": True})
    sink, port = smtp_server(**kw)
    issued, _ = issue_for_units(demo_db, dispatcher)
    (res,) = delivery.email_notices(demo_db, dispatcher, [issued[0].notice_id],
                                    config=config(port, security), ssl_context=client_ctx)
    assert res.ok, res.message
    assert len(sink.messages) == 1
    # The same server without our CA: certificate check fails, nothing is marked sent.
    issued2, _ = issue_for_units(demo_db, dispatcher)
    (bad,) = delivery.email_notices(demo_db, dispatcher, [issued2[0].notice_id],
                                    config=config(port, security))
    assert not bad.ok and "加密连接失败" in bad.message
