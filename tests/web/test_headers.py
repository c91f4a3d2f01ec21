"""What every page sends beside its content: a Content-Security-Policy that allows no inline
script, a Permissions-Policy, and sessions that end after a working day's idle time or when the
browser closes; and the embedded database set up to take concurrent writers."""

from __future__ import annotations

import re
import time

import pytest
from django.urls import reverse

from tests.sop_factory import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(service):
    return submit(service).case


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def _pages(service, case) -> list[str]:
    return [
        reverse("portal:home"),
        reverse("portal:start"),
        reverse("portal:start") + f"?unit={service.unit.kode}",
        reverse("portal:form", args=[service.unit.kode, service.version.kode]),
        reverse("portal:status"),
        reverse("web:sop_list"),
        reverse("web:sop_detail", args=[service.version.kode]),
        reverse("console:login"),
        reverse("akun:masuk"),
        "/admin/login/",
    ]


def test_every_page_has_a_policy_without_inline_script_and_no_inline_script_in_it(client, service, case):
    for url in _pages(service, case):
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
        assert directives["script-src"] == "'self'", url
        assert "unsafe-inline" not in directives["style-src"], url
        assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'self'", url
        assert "camera=()" in response["Permissions-Policy"], url
        html = response.content.decode()
        if not url.startswith("/admin/"):
            assert not INLINE_SCRIPT.search(html), url
            assert not INLINE_HANDLER.search(html), url
            assert ' style="' not in html, url


def test_the_staff_pages_have_the_policy_too(client, service, case):
    client.force_login(service.verifier)
    for url in (reverse("console:queue"), reverse("console:case", args=[case.pk])):
        response = client.get(url)
        assert "script-src 'self'" in response["Content-Security-Policy"], url
        assert not INLINE_SCRIPT.search(response.content.decode()), url
        assert not INLINE_HANDLER.search(response.content.decode()), url


def test_a_document_shown_inline_keeps_its_own_sandbox(client, service, case):
    client.force_login(service.verifier)
    doc = case.documents.first()
    response = client.get(reverse("console:document", args=[case.pk, doc.pk]))
    assert response["Content-Security-Policy"].startswith("sandbox")


def test_the_sop_document_as_html_may_style_itself_but_run_nothing(client, service):
    version = service.version
    response = client.get(reverse("web:sop_download", args=[version.kode, version.versi, "html"]))
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert policy.startswith("default-src 'none'") and "style-src 'unsafe-inline'" in policy
    assert "script-src" not in policy  # none: default-src 'none' covers it


def test_a_staff_session_ends_with_the_browser_and_after_a_working_day_idle(client, service, settings):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    response = client.post(
        reverse("console:login"), {"username": service.verifier.get_username(), "password": "Rahasia-uji-123"}
    )
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["expires"] and not cookie["max-age"]  # a browser-session cookie

    session = client.session
    first = session.get_expiry_date()
    # Used again after the refresh interval: the idle clock starts over.
    session["loket.seen"] = int(time.time()) - settings.LOKET_SESSION_REFRESH_SECONDS - 1
    session.save()
    client.get(reverse("console:queue"))
    assert client.session.get_expiry_date() > first


def test_sqlite_writers_wait_for_each_other(settings):
    options = settings.DATABASES["default"].get("OPTIONS", {})
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("the SQLite options apply to SQLite only; this run uses another database")
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 20
    assert "journal_mode=WAL" in options["init_command"]
