"""The production shape's front: Debian's nginx (deploy/nginx.conf) before gunicorn
(deploy/gunicorn.conf.py) serving Loket with production settings, checked as a user would.

nginx listens on 127.0.0.2 and the client connects from 127.0.0.5, so the address Loket records
tells the client's (X-Forwarded-For as nginx appends it) from nginx's own (127.0.0.1, where
gunicorn hears it from). TLS is off on loopback; nginx says https (X-Forwarded-Proto), as it
does behind its ssl lines. The session cookie is Secure: the client sends it back as a browser
on https would.
"""

from __future__ import annotations

import http.client
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from loket.directory.models import SignInAttempt
from tests.nginx_site import NGINX, Browser, Gunicorn, Nginx
from tests.notify.test_crash import SharedDatabase
from tests.sop_factory import other_service, service, submit  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)

HOST = "loket.test"
CLIENT = "127.0.0.5"
PASSWORD = "Rahasia-uji-123"
ACCEL = "/_berkas/"


@dataclass
class Site:
    nginx: Nginx
    gunicorn: Gunicorn
    shared: SharedDatabase
    media: Path

    def browser(self) -> Browser:
        return Browser(self.nginx.host, self.nginx.port, server_name=HOST, source=CLIENT)


@pytest.fixture
def site(tmp_path: Path, settings: Any, service: Any, other_service: Any) -> Iterator[tuple[Site, dict[str, Any]]]:  # noqa: F811
    if not Path(NGINX).exists():
        pytest.fail("nginx is not installed: scripts/system-deps.sh installs it (make test runs it)")
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    mine, theirs = submit(service).case, submit(other_service).case
    staff = service.verifier
    staff.set_password(PASSWORD)
    staff.save()
    shared = SharedDatabase(tmp_path)
    shared.export()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "LOKET_", "DATABASE_", "DJANGO_"))},
        "LOKET_DEBUG": "0",
        "LOKET_SECRET_KEY": secrets.token_urlsafe(50),
        "LOKET_ALLOWED_HOSTS": HOST,
        "LOKET_ENV_FILE": str(tmp_path / "no.env"),
        "LOKET_VAR_DIR": str(tmp_path / "var"),
        "LOKET_MEDIA_DIR": str(media),
        "LOKET_ACCEL_REDIRECT": ACCEL,
        "LOKET_TRUSTED_PROXIES": "1",
        "LOKET_LOG_LEVEL": "WARNING",
        "DATABASE_URL": shared.url,
    }
    subprocess.run(
        [str(Path(sys.executable).with_name("loket")), "collectstatic", "--noinput", "-v0"],
        env=env,
        check=True,
        capture_output=True,
    )
    gunicorn = Gunicorn(env, tmp_path / "gunicorn.log", workers=2)
    nginx = Nginx(
        tmp_path / "nginx",
        upstream=gunicorn.address,
        static_root=tmp_path / "var" / "static",
        media_dir=media,
        accel_prefix=ACCEL,
        server_name=HOST,
    )
    gunicorn.start()
    nginx.start()
    try:
        yield Site(nginx, gunicorn, shared, media), {"mine": mine, "theirs": theirs, "staff": staff}
    finally:
        nginx.stop()
        gunicorn.stop()


def test_pages_answer_through_nginx_as_https_with_the_clients_address(site):
    front, data = site
    browser = front.browser()
    page = browser.get(reverse("console:login"))
    # https as Django sees it: no redirect to https (no loop), HSTS sent, the cookie Secure
    assert page.status == 200, page.headers
    assert "max-age=" in page.headers["Strict-Transport-Security"]
    assert "secure" in browser.cookie_flags["csrftoken"].lower()
    # without nginx's word for it, the same page sends the client to https
    direct = http.client.HTTPConnection("127.0.0.1", front.gunicorn.port, timeout=30)
    direct.request("GET", reverse("console:login"), headers={"Host": HOST})
    answer = direct.getresponse()
    assert answer.status == 301 and answer.headers["Location"].startswith("https://")
    direct.close()
    # static files from nginx itself (collectstatic's directory)
    static = browser.get("/static/web/loket.css")
    assert (
        static.status == 200
        and static.body == (Path(__file__).parents[2] / "src/loket/web/static/web/loket.css").read_bytes()
    )

    signed_in = browser.sign_in(reverse("console:login"), data["staff"].username, PASSWORD, forwarded_for="203.0.113.9")
    assert signed_in.status == 302, signed_in.body[:300]
    front.nginx.stop()
    front.gunicorn.stop()
    front.shared.import_back()
    attempt = SignInAttempt.objects.get(user_id=data["staff"].username.lower())
    assert (attempt.ip, attempt.outcome) == (CLIENT, "ok")  # the client's, not nginx's nor the forged one


def test_staff_download_a_document_through_nginx_and_not_one_of_another_unit(site):
    front, data = site
    browser = front.browser()
    assert (
        browser.sign_in(reverse("console:login"), data["staff"].username, PASSWORD, forwarded_for="203.0.113.9").status
        == 302
    )
    doc = data["mine"].documents.get(kode="surat-pengajuan")
    stored = doc.file.open("rb").read()
    url = reverse("console:document", args=[data["mine"].pk, doc.pk])
    answer = browser.get(url)
    assert answer.status == 200 and answer.body == stored
    assert answer.headers["Content-Type"] == "application/pdf"
    assert answer.headers["Content-Disposition"].startswith("inline")
    assert "sandbox" in answer.headers["Content-Security-Policy"]
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert "X-Accel-Redirect" not in answer.headers  # nginx keeps it to itself
    # nginx sent the file Loket named, Loket sent no byte of it
    line = front.nginx.logged(f'"GET {url} ')
    assert f'accel="{ACCEL}{doc.file.name}"' in line, line

    # the internal location is not reachable from outside, signed in or not
    assert browser.get(f"{ACCEL}{doc.file.name}").status == 404
    # a document of another unit's case: refused by Loket, so nginx sends nothing
    other = data["theirs"].documents.get(kode="surat-pengajuan")
    refused = browser.get(reverse("console:document", args=[data["theirs"].pk, other.pk]))
    assert refused.status == 404 and other.file.open("rb").read() not in refused.body
