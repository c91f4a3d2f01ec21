"""One-time credential links: the service and the page a holder opens from the mail."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import override_settings
from django.utils import timezone

from loket.audit.models import AuditEntry
from loket.directory.backends import get_backend
from loket.directory.credentials import (
    LinkExpired,
    LinkUnknown,
    LinkUsed,
    credential_url,
    issue_credential_link,
    reveal_credential,
)
from loket.directory.models import CredentialLink


@pytest.fixture
def issued(case, ppk):
    password = get_backend().reset_password(ppk)
    token = issue_credential_link(case=case, account=ppk, password=password)
    return token, password


def _url(token: str) -> str:
    return f"/akun/tautan/{token}/"


def test_the_database_holds_neither_the_password_nor_the_token(issued):
    token, password = issued
    (link,) = CredentialLink.objects.all()
    row = " ".join(str(v) for v in CredentialLink.objects.values().get().values())
    assert password not in row and token not in row
    assert link.sealed_password and link.digest != token
    assert abs(link.expires_at - link.created_at - dt.timedelta(hours=24)) < dt.timedelta(seconds=5)


@override_settings(LOKET_BASE_URL="https://loket.example.go.id")
def test_the_url_is_the_base_address_and_the_link_page(issued):
    token, _password = issued
    assert credential_url(token) == f"https://loket.example.go.id/akun/tautan/{token}/"


def test_opening_the_link_shows_a_button_and_consumes_nothing(client, issued):
    token, password = issued
    for _ in range(2):  # a mail scanner, then the holder
        response = client.get(_url(token))
        assert response.status_code == 200
        assert "Tampilkan password sementara" in response.content.decode()
        assert password not in response.content.decode()
        assert "no-store" in response["Cache-Control"]
    assert CredentialLink.objects.get().revealed_at is None


def test_revealing_shows_user_id_and_password_once(client, issued, ppk):
    token, password = issued
    response = client.post(_url(token))
    page = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert re.search(r'id="user-id">ppk\.pupr01<', page)
    assert f'id="password">{password}<' in page
    link = CredentialLink.objects.get()
    assert link.revealed_at is not None and link.sealed_password == ""

    again = client.post(_url(token))
    assert again.status_code == 410
    assert "sudah dipakai" in again.content.decode() and password not in again.content.decode()
    assert client.get(_url(token)).status_code == 410


def test_an_expired_link_says_so(client, issued):
    token, password = issued
    CredentialLink.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.post(_url(token))
    assert response.status_code == 410
    assert "tidak berlaku" in response.content.decode() and password not in response.content.decode()
    with pytest.raises(LinkExpired):
        reveal_credential(token=token)


def test_an_unknown_link_is_not_found(client, issued):
    token, _password = issued
    assert client.post(_url(token[:-2] + "xx")).status_code == 404
    assert client.get(_url("tidak-ada")).status_code == 404
    assert CredentialLink.objects.get().revealed_at is None


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
    client.post(_url(token))
    response = client.post("/akun/masuk/", {"unit": "uji", "user_id": "ppk.pupr01", "password": password})
    assert response.status_code == 302 and response["Location"] == "/akun/ganti-password/"
