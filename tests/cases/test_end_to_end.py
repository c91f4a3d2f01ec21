"""A PPK reset from request to new password, over HTTP and a real SMTP conversation: the mail the
in-process SMTP server receives carries the one-time link; the account signs in with the
temporary password and is made to change it. On a test SOP of a test unit (tests/sop_factory.py):
nothing here is about one built-in SOP."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.cookies import SimpleCookie

import pytest
from django.core.management import call_command
from django.core.servers.basehttp import WSGIRequestHandler
from django.db import connection, connections
from django.http import HttpResponse
from django.test import Client
from django.test.testcases import LiveServerThread, _StaticFilesHandler
from django.urls import reverse
from django.utils import timezone

from loket.directory.models import CredentialLink
from tests.cases.test_services import answer_run
from tests.sop_factory import submit

pytestmark = pytest.mark.django_db


LINK = re.compile(r"https?://\S+?/akun/tautan/#([A-Za-z0-9_-]+)")


def link_from(mail_body: str) -> str:
    """The one-time link in a mail, `.../akun/tautan/#<token>`: the token in the fragment only."""
    match = LINK.search(mail_body)
    assert match, mail_body
    assert match.group(1) not in match.group(0).split("#", 1)[0]
    return match.group(0)


def token_of(link: str) -> str:
    return link.split("#", 1)[1]


def reveal(client: Client, link: str) -> HttpResponse:
    """What the link page does in a browser: its form POSTs the fragment's token in the body."""
    return client.post(reverse("akun:tautan"), {"token": token_of(link)})


@pytest.fixture
def finished_reset(service, smtp_server, settings):
    settings.LOKET_BASE_URL = "http://testserver"
    submitted = submit(service)
    answer_run(submitted.case, service.verifier, [(2, "ya", ""), (5, "ya", "")])
    call_command("worker", "--once")
    mails = smtp_server.wait_for(2)
    return submitted, mails


def test_the_requester_gets_a_receipt_and_the_holder_a_link_at_the_address_on_record(service, finished_reset):
    submitted, mails = finished_reset
    # The survey invitation (loket.survey) also goes to the requester once the case is done.
    mails = [m for m in mails if "Survei kepuasan" not in m.subject]
    receipt, result = sorted(mails, key=lambda m: "Tanda terima" not in m.subject)
    assert receipt.envelope_to == ["pemohon.baru@gmail.com"]
    assert submitted.tracking_code in receipt.body
    assert result.envelope_to == [service.account.email] == ["ppk.dpr@uji.go.id"]
    assert submitted.case.reference in result.subject + result.body
    assert "/akun/tautan/" in result.body


def test_the_link_reveals_once_and_the_account_must_change_the_password(client, service, finished_reset):
    _, mails = finished_reset
    result = next(m for m in mails if "/akun/tautan/" in m.body)
    url = link_from(result.body)
    # Opening the link (as a mail scanner would) consumes nothing; the test client, like a
    # browser, sends no fragment.
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    revealed = reveal(client, url)
    assert revealed.status_code == 200
    page = revealed.content.decode()
    assert "ppk.dpr.uji" in page
    password = re.search(r'id="password">([^<]+)<', page).group(1)
    again = reveal(client, url)
    assert again.status_code == 410 and "sudah" in again.content.decode()

    signed_in = client.post(reverse("akun:masuk"), {"unit": "uji", "user_id": "ppk.dpr.uji", "password": password})
    assert signed_in.status_code == 302 and signed_in["Location"] == reverse("akun:ganti_password")
    assert client.get(reverse("akun:beranda"))["Location"] == reverse("akun:ganti_password")
    weak = client.post(reverse("akun:ganti_password"), {"new": "password", "confirm": "password"})
    assert weak.status_code == 200 and "huruf" in weak.content.decode()
    changed = client.post(reverse("akun:ganti_password"), {"new": "Baru-Sekali-2026!", "confirm": "Baru-Sekali-2026!"})
    assert changed.status_code == 302
    assert client.get(reverse("akun:beranda")).status_code == 200
    holder = service.account
    holder.refresh_from_db()
    assert holder.must_change_password is False


def test_the_link_cannot_be_revealed_after_24_hours(client, finished_reset):
    _, mails = finished_reset
    url = link_from(next(m for m in mails if "/akun/tautan/" in m.body).body)
    CredentialLink.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = reveal(client, url)
    assert response.status_code == 410 and "Masa berlaku tautan ini sudah habis" in response.content.decode()


def every_text_in_the_database() -> str:
    """Every text value of every row of every table (to look for a secret in clear)."""
    out = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from the schema
            out.extend(str(value) for row in cursor.fetchall() for value in row if value is not None)
    return "\n".join(out)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def every_log_record() -> Iterator[list[logging.LogRecord]]:
    """Every record logged meanwhile, at DEBUG, by every logger: the root's and those that do not
    propagate to it (`django.server`, runserver's access log, among them)."""
    capture = _Records()
    loggers = [logging.getLogger(), logging.getLogger("django"), logging.getLogger("django.request")]
    loggers += [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and not logger.propagate
    ]
    loggers.append(logging.getLogger("django.server"))
    levels = {logger: logger.level for logger in loggers}
    for logger in levels:
        logger.setLevel(logging.DEBUG)
        logger.addHandler(capture)
    try:
        yield capture.records
    finally:
        for logger, level in levels.items():
            logger.removeHandler(capture)
            logger.setLevel(level)


class _RunserverThread(LiveServerThread):
    """Django's live server answering through runserver's own request handler, which writes each
    request line to the `django.server` logger as `runserver` does (the live server's is quiet)."""

    def _create_server(self, connections_override=None):  # type: ignore[no-untyped-def]
        return self.server_class(
            (self.host, self.port),
            WSGIRequestHandler,
            allow_reuse_address=False,
            connections_override=connections_override,
        )


@pytest.fixture
def runserver(transactional_db, settings) -> Iterator[str]:
    shared = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}
    for conn in shared.values():
        conn.inc_thread_sharing()  # an in-memory database is seen through this very connection
    thread = _RunserverThread("127.0.0.1", _StaticFilesHandler, connections_override=shared)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    assert thread.error is None, thread.error
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    try:
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()
        for conn in shared.values():
            conn.dec_thread_sharing()


class _Browser:
    """Just enough of a browser: cookies, the CSRF token in forms, the page's Origin on POST."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(_NoRedirect)

    def _send(self, request: urllib.request.Request) -> tuple[int, str]:
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = self.opener.open(request, timeout=10)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            morsel = SimpleCookie(header)
            self.cookies.update({k: m.value for k, m in morsel.items()})
        return response.status, response.read().decode()

    def get(self, url: str) -> tuple[int, str]:
        # As a browser does, the fragment stays in the browser.
        return self._send(urllib.request.Request(self.base + urllib.parse.urldefrag(url).url.removeprefix(self.base)))

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, str]:
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": self.cookies["csrftoken"]}).encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST")
        request.add_header("Origin", self.base)
        return self._send(request)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def test_no_log_record_and_no_table_holds_the_link_token_or_the_password(
    runserver, service, smtp_server, settings, client, every_log_record
):
    """A whole reset (request, the staff's decision over HTTP, the worker's mail, the link opened
    and revealed over HTTP, revealed again) with every logger at DEBUG and runserver's access log
    on: neither the token nor the password is in any record, nor in any text of any table."""
    settings.LOKET_BASE_URL = runserver
    case = submit(service).case
    client.force_login(service.verifier)  # a session in the database, for the browser below
    staff = _Browser(runserver)
    staff.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    case_page = reverse("console:case", args=[case.pk])
    assert staff.get(runserver + case_page)[0] == 200
    decided, _ = staff.post(case_page, {"version": str(case.version), "jawaban-2": "ya", "jawaban-5": "ya"})
    assert decided == 302
    call_command("worker", "--once", stdout=io.StringIO())
    link = link_from(next(m for m in smtp_server.wait_for(2) if "/akun/tautan/" in m.body).body)
    token = token_of(link)

    holder = _Browser(runserver)
    status, page = holder.get(link)
    assert status == 200 and "Tampilkan password sementara" in page
    status, page = holder.post(reverse("akun:tautan"), {"token": token})
    assert status == 200
    password = re.search(r'id="password">([^<]+)<', page).group(1)
    assert holder.post(reverse("akun:tautan"), {"token": token})[0] == 410  # Django logs "Gone: ..."
    assert holder.post(reverse("akun:tautan"), {"kode": token[:-3]})[0] == 404

    def access_log() -> list[str]:
        return [r.getMessage() for r in every_log_record if r.name == "django.server"]

    # The server writes its line once the answer is out: wait for the last one.
    deadline = time.monotonic() + 5
    while len(access_log()) < 6 and time.monotonic() < deadline:
        time.sleep(0.02)
    server_lines = access_log()
    assert any('"GET /akun/tautan/ HTTP/1.1" 200' in line for line in server_lines), server_lines
    assert sum('"POST /akun/tautan/ HTTP/1.1"' in line for line in server_lines) == 3, server_lines
    request_lines = [r.getMessage() for r in every_log_record if r.name == "django.request"]
    assert "Gone: /akun/tautan/" in request_lines and "Not Found: /akun/tautan/" in request_lines
    # aiosmtpd's `mail.log` is the test's receiving mail server, which logs the mail it is given.
    loket_records = [r for r in every_log_record if not r.name.startswith("mail.log")]
    assert len(loket_records) > 10
    for record in loket_records:
        text = f"{record.getMessage()} {vars(record)}"
        assert token not in text and password not in text, record
    stored = every_text_in_the_database()
    assert token not in stored and password not in stored  # the outbox erased the link once sent
