"""A real IMAP server for the mailbox tests: Debian's dovecot, configured in a temporary directory
and run as a non-root process (as the `dovecot` system user when the tests run as root), on a free
port of 127.0.0.1, without TLS. One server per test session; each test gets an account of its own.
"""

from __future__ import annotations

import datetime
import email.utils
import grp
import io
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from loket.mailbox.models import Mailbox
from tests.fixtures_smtp import free_port
from tests.sop_factory import other_service, service

__all__ = ["other_service", "service"]

DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)

CONF = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {user}
default_internal_user = {user}
default_internal_group = {group}
first_valid_uid = {uid}
first_valid_gid = {gid}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


@dataclass
class ImapServer:
    host: str
    port: int
    root: Path
    uid: int
    gid: int

    users: list[tuple[str, str]]

    def add_user(self) -> tuple[str, str]:
        """An account no test used before (all written at start: dovecot rereads its passwd file
        only when its modification time changes, which a write in the same second does not)."""
        return self.users.pop()

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text() if path.exists() else ""


@pytest.fixture(scope="session")
def imap_server() -> Iterator[ImapServer]:
    if DOVECOT is None:
        pytest.skip("dovecot is not installed (scripts/system-deps.sh installs dovecot-imapd)")
    if os.geteuid() == 0:
        # Dovecot's login processes refuse to run as root: run the whole server as `dovecot`.
        entry = pwd.getpwnam("dovecot")
        uid, gid = entry.pw_uid, entry.pw_gid
    else:
        uid, gid = os.getuid(), os.getgid()
    user, group = pwd.getpwuid(uid).pw_name, grp.getgrgid(gid).gr_name
    root = Path(tempfile.mkdtemp(prefix="loket-dovecot-"))
    for sub in ("run", "state", "home"):
        (root / sub).mkdir()
    users = [(f"loket-{i}-{secrets.token_hex(3)}@uji.go.id", secrets.token_urlsafe(12)) for i in range(500)]
    (root / "passwd").write_text("".join(f"{u}:{{PLAIN}}{p}\n" for u, p in users))
    port = free_port()
    conf = root / "dovecot.conf"
    conf.write_text(CONF.format(root=root, user=user, group=group, uid=uid, gid=gid, port=port))
    if os.geteuid() == 0:
        for path in [root, *root.rglob("*")]:
            os.chown(path, uid, gid)
    proc = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(conf)],
        user=uid if os.geteuid() == 0 else None,
        group=gid if os.geteuid() == 0 else None,
        extra_groups=[] if os.geteuid() == 0 else None,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = ImapServer("127.0.0.1", port, root, uid, gid, users)
    deadline = time.monotonic() + 15
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                if sock.recv(100).startswith(b"* OK"):
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            err = proc.stderr.read().decode() if proc.stderr else ""
            pytest.fail(f"dovecot did not start: {err}\n{server.log()}")
        time.sleep(0.1)
    yield server
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def mailbox(imap_server: ImapServer, service: Any) -> Mailbox:
    """The test unit's mailbox: a fresh account on the real IMAP server."""
    user, password = imap_server.add_user()
    box = Mailbox(
        unit=service.unit,
        host=imap_server.host,
        port=imap_server.port,
        security=Mailbox.Security.NONE,
        username=user,
    )
    box.set_password(password)
    box.save()
    return box


def imap(box: Mailbox) -> Any:
    from imap_tools import MailBoxUnencrypted

    return MailBoxUnencrypted(box.host, box.port, timeout=10).login(box.username, box.get_password())


def deliver_mail(
    box: Mailbox, message: EmailMessage, folder: str = "INBOX", *, arrived: datetime.datetime | None = None
) -> None:
    """Put a mail in the mailbox with IMAP APPEND, as a mail server's delivery would; `arrived`
    sets when the server received it (its INTERNALDATE; default now)."""
    with imap(box) as client:
        client.append(message.as_bytes(), folder, dt=arrived, flag_set=())


def folder_subjects(box: Mailbox, folder: str) -> list[str]:
    with imap(box) as client:
        if not client.folder.exists(folder):
            return []
        client.folder.set(folder)
        return [m.subject for m in client.fetch(mark_seen=False, headers_only=True)]


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), "white").save(out, format="JPEG")
    return out.getvalue()


def make_mail(
    *,
    sender: str,
    subject: str,
    to: str = "loket@uji.go.id",
    attachments: list[tuple[str, str, bytes]] = (),  # type: ignore[assignment]
    headers: dict[str, str] | None = None,
    body: str = "Dengan hormat,\nterlampir berkas permohonan kami.\n",
    date: datetime.datetime | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = email.utils.format_datetime(date) if date else email.utils.formatdate(localtime=True)
    message["Message-ID"] = email.utils.make_msgid(domain="pemohon.test")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    for filename, mime, content in attachments:
        maintype, subtype = mime.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message
