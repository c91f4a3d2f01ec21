"""The server reads no more of a request than the SOPs allow: a body declared larger than the
largest request of any installed SOP is answered 413 before one byte of it is read (API in its
JSON shape, the portal with a page in the requester's words); a file over the file limit inside
a request under it is kept only up to one byte past the limit, refused with its true size, and the
form's other fields come back whole."""

from __future__ import annotations

import io
import json
import re
import sys

import pytest
from django.core import signals
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.http.multipartparser import MultiPartParser
from django.test import RequestFactory

from loket.cases.models import Case
from loket.request_size import request_limit
from tests.factories import pdf_bytes
from tests.sop_factory import Berkas, make_service, service

__all__ = ["service"]  # the fixture
from tests.web.test_portal import FORM_URL, form_token, request_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


class CountingInput:
    """A client's body as the WSGI server hands it over, counting what the application reads."""

    def __init__(self, data: bytes) -> None:
        self.data = io.BytesIO(data)
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.data.read(size)
        self.read_bytes += len(chunk)
        return chunk

    def readline(self, size: int = -1) -> bytes:
        line = self.data.readline(size)
        self.read_bytes += len(line)
        return line


def _wsgi_post(path: str, body: bytes, declared: int, content_type: str) -> tuple[str, dict[str, str], bytes, int]:
    """POST through Django's WSGI handler as a server would: (status, headers, body, bytes read)."""
    stream = CountingInput(body)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(declared),
        "HTTP_ACCEPT_LANGUAGE": "id",
        "wsgi.input": stream,
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    started: dict[str, object] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: object = None) -> None:
        started.update(status=status, headers=dict(headers))

    # As Django's test client does: the test's database connection (and its transaction) stays
    # open across the request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        content = b"".join(WSGIHandler()(environ, start_response))
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    return str(started["status"]), dict(started["headers"]), content, stream.read_bytes  # type: ignore[call-overload]


MULTIPART = "multipart/form-data; boundary=xYzZy"
START = b'--xYzZy\r\nContent-Disposition: form-data; name="berkas"; filename="besar.pdf"\r\n\r\n%PDF-1.7\n'


def test_a_body_over_the_limit_is_answered_413_by_the_api_before_a_byte_is_read(service, settings):
    settings.LOKET_UPLOAD_MAX_BYTES = 5_000_000
    status, headers, body, read = _wsgi_post("/api/v1/requests", START, 30_000_000, MULTIPART)
    assert status.startswith("413")
    assert read == 0
    assert headers["Content-Type"].startswith("application/json")
    # A hop-by-hop header is the server's, never the application's (wsgiref refuses it: a 500).
    assert not any(name.lower() in {"connection", "keep-alive", "transfer-encoding"} for name in headers)
    detail = json.loads(body)["detail"]
    assert (
        "terlalu besar (28,6\xa0MB)" in detail and "4,8\xa0MB untuk setiap berkas" in detail
    )  # as filesizeformat says them
    assert Case.objects.count() == 0


def test_the_portal_answers_a_page_in_the_requester_s_words_and_reads_nothing(service, settings):
    settings.LOKET_UPLOAD_MAX_BYTES = 5_000_000
    status, headers, body, read = _wsgi_post(FORM_URL, START, 30_000_000, MULTIPART)
    assert status.startswith("413") and read == 0
    page = body.decode()
    assert headers["Content-Type"].startswith("text/html")
    assert "<h1>Kiriman terlalu besar</h1>" in page
    assert "Tidak ada yang tersimpan" in page and "tombol Kembali" in page
    # Two documents of 5 MB and 1 MiB for the fields: the limit the page names.
    assert "paling besar 10,5\xa0MB" in page  # 2 × 5,000,000 bytes + 1 MiB
    assert "Content-Security-Policy" in headers


def test_the_limit_follows_the_sop_with_the_most_documents(service, settings):
    settings.LOKET_UPLOAD_MAX_BYTES = 1_000_000
    two = request_limit()
    assert two == 2 * 1_000_000 + settings.LOKET_REQUEST_FIELDS_BYTES
    make_service(
        unit="lima",
        berkas=[Berkas(f"lampiran-{i}", f"Lampiran {i}") for i in range(5)],
        agencies=["Dinas Uji Lima"],
    )
    assert request_limit() == 5 * 1_000_000 + settings.LOKET_REQUEST_FIELDS_BYTES
    # A request as large as the five-document SOP allows is read (and then checked as usual).
    status, _headers, _body, read = _wsgi_post("/api/v1/requests", START, 4_500_000, MULTIPART)
    assert status.startswith("400") and read == len(START)  # read, then refused as cut off


def test_an_operator_s_limit_replaces_the_sop_s(service, settings):
    settings.LOKET_UPLOAD_MAX_BYTES = 5_000_000
    settings.LOKET_REQUEST_MAX_BYTES = 2_000_000  # e.g. the proxy's client_max_body_size
    status, _headers, _body, read = _wsgi_post(FORM_URL, START, 3_000_000, MULTIPART)
    assert status.startswith("413") and read == 0


def test_a_file_over_its_limit_is_kept_only_to_one_byte_past_it_with_its_true_size(settings):
    settings.LOKET_UPLOAD_MAX_BYTES = 100_000
    content = b"%PDF-1.7\n" + b"x" * 750_000
    body = START[: START.index(b"\r\n\r\n") + 4] + content + b"\r\n--xYzZy--\r\n"
    request = RequestFactory().post("/", data=body, content_type=MULTIPART)
    _post, files = MultiPartParser(request.META, io.BytesIO(body), request.upload_handlers).parse()
    upload = files["berkas"]
    assert upload.size == len(content)
    kept = upload.read()
    assert kept == content[: 100_000 + 1]


def test_the_form_refuses_the_one_file_and_keeps_every_other_field(client, service, settings, media):
    settings.LOKET_UPLOAD_MAX_BYTES = 1_000_000
    token = form_token(client)
    big = SimpleUploadedFile("besar.pdf", pdf_bytes() + b"\0" * 1_800_000)
    data = request_data(service, token, **{"berkas-surat-pengajuan": big})
    response = client.post(FORM_URL, data)
    assert response.status_code == 400
    page = response.content.decode()
    found = re.search(r'id="id_berkas-surat-pengajuan_error">([^<]*)<', page)
    assert found and "terlalu besar (1,7\xa0MB); paling besar 976,6\xa0KB" in found.group(1)
    for field in ("name", "email", "phone"):
        value = data[field]
        assert re.search(rf'name="{field}"[^>]*value="{re.escape(str(value))}"', page), field
    assert Case.objects.count() == 0
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


@pytest.mark.django_db(transaction=True)
def test_a_real_wsgi_server_answers_413_before_the_body_arrives(live_server, settings):
    """Through Django's own server (wsgiref underneath, which refuses what WSGI forbids): the
    answer comes while the client has sent only the start of a 30 MB body."""
    import socket

    from tests.sop_factory import make_service

    make_service(unit="wsgi", accounts=False)
    settings.LOKET_UPLOAD_MAX_BYTES = 5_000_000
    host, port = live_server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(
            (
                f"POST /api/v1/requests HTTP/1.1\r\nHost: {host}\r\nContent-Type: {MULTIPART}\r\n"
                "Content-Length: 30000000\r\n\r\n"
            ).encode()
            + START
        )
        answer = b""
        while b"\r\n\r\n" not in answer or b'"problems"' not in answer:
            chunk = conn.recv(65536)
            if not chunk:
                break
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"Kiriman terlalu besar (28,6" in answer  # 30,000,000 bytes, as filesizeformat gives it
