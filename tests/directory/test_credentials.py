"""One-time credential links: the service and the page a holder opens from the mail."""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client, override_settings
from django.utils import timezone
from django.views.debug import SafeExceptionReporterFilter

from loket.audit.models import AuditEntry
from loket.directory.backends import get_backend
from loket.directory.credentials import (
    LinkExpired,
    LinkUnknown,
    LinkUsed,
    credential_url,
    issue_credential_link,
    reveal_credential,
    token_from_code,
)
from loket.directory.models import Account, CredentialLink
from loket.directory.views import credential_link
from loket.logfilters import RedactSecrets, redact


@pytest.fixture
def issued(case, ppk):
    password = get_backend().reset_password(ppk)
    token = issue_credential_link(case=case, account=ppk, password=password)
    return token, password


PAGE = "/akun/tautan/"


def _reveal(client, token: str, field: str = "token"):
    """The reveal form's POST, the token in its body (as web/link.js or the holder puts it)."""
    return client.post(PAGE, {field: token})


def test_the_database_holds_neither_the_password_nor_the_token(issued):
    token, password = issued
    (link,) = CredentialLink.objects.all()
    row = " ".join(str(v) for v in CredentialLink.objects.values().get().values())
    assert password not in row and token not in row
    assert link.sealed_password and link.digest != token
    assert abs(link.expires_at - link.created_at - dt.timedelta(hours=24)) < dt.timedelta(seconds=5)


@override_settings(LOKET_BASE_URL="https://loket.example.go.id")
def test_the_url_carries_the_token_in_its_fragment_only(issued):
    token, _password = issued
    url = credential_url(token)
    assert url == f"https://loket.example.go.id/akun/tautan/#{token}"
    before_fragment = url.split("#", 1)[0]
    assert token not in before_fragment  # no path or query a server, proxy or browser would log


def test_opening_the_link_shows_the_reveal_form_and_consumes_nothing(client, issued):
    token, password = issued
    for _ in range(2):  # a mail scanner, then the holder: the fragment never reaches the server
        response = client.get(PAGE)
        page = response.content.decode()
        assert response.status_code == 200
        assert "Tampilkan password sementara" in page and password not in page and token not in page
        assert "no-store" in response["Cache-Control"]
        # Its POST must carry the page's Origin past the CSRF check: same-origin, not no-referrer.
        assert response["Referrer-Policy"] == "same-origin"
    assert CredentialLink.objects.get().revealed_at is None


def test_the_page_has_a_hidden_field_for_the_script_and_a_code_field_without_it(client):
    page = client.get(PAGE).content.decode()
    assert 'action="/akun/tautan/"' in page and 'method="post"' in page
    assert 'type="hidden" name="token" value=""' in page
    assert re.search(r'<input type="text" id="kode" name="kode" required', page)
    assert re.search(r'<script src="/static/web/link\.js" defer>', page)
    # The Content-Security-Policy allows no inline script or event handler.
    assert not re.search(r"<script(?![^>]*\bsrc=)", page) and not re.search(r"\son[a-z]+=", page)


def test_the_script_reads_the_fragment_fills_the_form_and_clears_the_address():
    path = finders.find("web/link.js")
    assert path, "web/link.js is not a static file"
    script = Path(path).read_text(encoding="utf-8")
    assert "location.hash" in script and "history.replaceState" in script
    assert "elements.token.value" in script


def test_revealing_shows_user_id_and_password_once(client, issued, ppk):
    token, password = issued
    response = _reveal(client, token)
    page = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert re.search(r'id="user-id">ppk\.pupr01<', page)
    assert f'id="password">{password}<' in page
    link = CredentialLink.objects.get()
    assert link.revealed_at is not None and link.sealed_password == ""

    again = _reveal(client, token)
    assert again.status_code == 410 and again["Referrer-Policy"] == "no-referrer"
    assert "sudah dipakai" in again.content.decode() and password not in again.content.decode()
    assert client.get(PAGE).status_code == 200  # the page itself knows no token


@pytest.mark.parametrize(
    "pasted",
    [
        "{token}",
        "  {token}\n",
        "https://loket.example.go.id/akun/tautan/#{token}",
        "<https://loket.example.go.id/akun/tautan/#{token}>",
        "https://loket.example.go.id/akun/tautan/#{half1}\n{half2}",  # wrapped by a mail client
        "https://loket.example.go.id/akun/tautan/{token}/",  # a link mailed before the fragment
    ],
)
def test_without_javascript_the_holder_pastes_the_link_or_the_code(client, issued, pasted):
    token, password = issued
    text = pasted.format(token=token, half1=token[:20], half2=token[20:])
    assert token_from_code(text) == token
    response = _reveal(client, text, field="kode")
    assert response.status_code == 200 and f'id="password">{password}<' in response.content.decode()


def test_an_empty_form_asks_for_the_code_and_consumes_nothing(client, issued):
    response = client.post(PAGE, {"token": "", "kode": "  "})
    assert response.status_code == 400 and "Tempelkan dulu" in response.content.decode()
    assert CredentialLink.objects.get().revealed_at is None
    assert not AuditEntry.objects.filter(action__startswith="credential.").exists()


def test_an_expired_link_says_so(client, issued):
    token, password = issued
    CredentialLink.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = _reveal(client, token)
    assert response.status_code == 410
    assert "tidak berlaku" in response.content.decode() and password not in response.content.decode()
    with pytest.raises(LinkExpired):
        reveal_credential(token=token)


def test_an_unknown_link_is_not_found_and_the_form_is_offered_again(client, issued):
    token, _password = issued
    response = _reveal(client, token[:-2] + "xx")
    page = response.content.decode()
    assert response.status_code == 404 and "tidak dikenal" in page and 'name="kode"' in page
    assert response["Referrer-Policy"] == "same-origin"  # it carries the form again
    assert _reveal(client, "tidak-ada", field="kode").status_code == 404
    assert CredentialLink.objects.get().revealed_at is None
    reasons = [e.detail.get("reason") for e in AuditEntry.objects.filter(action="credential.reveal_refused")]
    assert reasons == ["unknown", "unknown"]


def test_an_old_link_is_sent_on_to_the_fragment_form_consuming_nothing(client, issued):
    token, password = issued
    for method in (client.get, client.post):
        response = method(f"/akun/tautan/{token}/")
        assert response.status_code == 302 and response["Location"] == f"/akun/tautan/#{token}"
        assert response["Referrer-Policy"] == "no-referrer" and "no-store" in response["Cache-Control"]
    assert CredentialLink.objects.get().revealed_at is None
    assert not AuditEntry.objects.filter(action__startswith="credential.").exists()
    assert f'id="password">{password}<' in _reveal(client, token).content.decode()


def test_the_reveal_passes_the_csrf_check_with_the_pages_own_origin(issued):
    token, password = issued
    browser = Client(enforce_csrf_checks=True)
    browser.get(PAGE)
    csrf = browser.cookies["csrftoken"].value
    refused = browser.post(PAGE, {"token": token, "csrfmiddlewaretoken": csrf}, headers={"origin": "null"})
    assert refused.status_code == 403  # what no-referrer on the form page would make Chromium send
    assert CredentialLink.objects.get().revealed_at is None
    origin = "http://testserver"
    shown = browser.post(PAGE, {"token": token, "csrfmiddlewaretoken": csrf}, headers={"origin": origin})
    assert shown.status_code == 200 and password in shown.content.decode()


def test_a_newer_link_for_the_same_account_retires_the_older_one(case, ppk, issued):
    old_token, _old = issued
    new_password = get_backend().reset_password(ppk)
    new_token = issue_credential_link(case=case, account=ppk, password=new_password)
    with pytest.raises(LinkExpired):
        reveal_credential(token=old_token)
    assert reveal_credential(token=new_token).password == new_password


def test_every_reveal_and_refusal_is_audited_without_the_secret(issued, case):
    token, password = issued
    revealed = reveal_credential(token=token)
    assert revealed.user_id == "ppk.pupr01" and revealed.password == password
    with pytest.raises(LinkUsed):
        reveal_credential(token=token)
    with pytest.raises(LinkUnknown):
        reveal_credential(token="salah")
    entries = list(AuditEntry.objects.filter(action__startswith="credential.").order_by("id"))
    assert [(e.action, e.detail.get("reason")) for e in entries] == [
        ("credential.revealed", None),
        ("credential.reveal_refused", "used"),
        ("credential.reveal_refused", "unknown"),
    ]
    assert entries[0].case == case and entries[1].case == case and entries[2].case is None
    text = " ".join(str(e.detail) for e in entries)
    assert password not in text and token not in text


def test_the_revealed_password_signs_in(client, issued):
    token, password = issued
    _reveal(client, token)
    response = client.post("/akun/masuk/", {"unit": "uji", "user_id": "ppk.pupr01", "password": password})
    assert response.status_code == 302 and response["Location"] == "/akun/ganti-password/"


def test_the_logs_keep_no_token_of_an_old_link_and_no_fragment():
    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, '"%s" %s %s', ("", "", ""), None)
    record.args = ("GET /akun/tautan/AbC-123_x/ HTTP/1.1", "302", "0")
    RedactSecrets().filter(record)
    assert record.getMessage() == '"GET /akun/tautan/[disembunyikan]/ HTTP/1.1" 302 0'
    assert redact("sent https://h/akun/tautan/#AbC-123_x") == "sent https://h/akun/tautan/[disembunyikan]"
    assert redact("Gone: /akun/tautan/") == "Gone: /akun/tautan/"


def test_an_error_report_shows_neither_the_token_nor_the_code(rf, issued):
    token, _password = issued
    request = rf.post(PAGE, {"token": token, "kode": token})
    request._dont_enforce_csrf_checks = True
    credential_link(request)
    masked = SafeExceptionReporterFilter().get_post_parameters(request)
    assert token not in str(dict(masked))


def test_the_revealed_password_signs_in_and_the_old_one_stops_at_the_reset(client, ppk, issued):
    token, password = issued
    backend = get_backend()
    assert not backend.check_password(Account.objects.get(pk=ppk.pk), password)  # not before the reveal
    shown = _reveal(client, token)
    assert shown.status_code == 200 and password in shown.content.decode()
    assert backend.check_password(Account.objects.get(pk=ppk.pk), password)


def test_a_link_whose_account_had_a_password_set_since_the_reset_is_refused(client, ppk, issued):
    token, password = issued
    get_backend().set_password(Account.objects.get(pk=ppk.pk), "Pilihan-Sendiri7")
    response = _reveal(client, token)
    assert response.status_code == 410 and password not in response.content.decode()
    assert get_backend().check_password(Account.objects.get(pk=ppk.pk), "Pilihan-Sendiri7")
    assert CredentialLink.objects.get().revealed_at is None
    assert AuditEntry.objects.get(action="credential.reveal_refused").detail["reason"] == "expired"
