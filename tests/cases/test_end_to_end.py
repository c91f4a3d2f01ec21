"""A PPK reset from request to new password, over HTTP and a real SMTP conversation: the mail the
in-process SMTP server receives carries the one-time link; the account signs in with the
temporary password and is made to change it. On a test SOP of a test unit (tests/sop_factory.py):
nothing here is about one built-in SOP."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from loket.directory.models import CredentialLink
from tests.cases.test_services import answer_run
from tests.sop_factory import submit

pytestmark = pytest.mark.django_db


def link_from(mail_body: str) -> str:
    match = re.search(r"https?://\S+/akun/tautan/\S+/", mail_body)
    assert match, mail_body
    return match.group(0).split("testserver", 1)[-1] if "testserver" in match.group(0) else match.group(0)


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
    # Opening the link (as a mail scanner would) consumes nothing.
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    revealed = client.post(url)
    assert revealed.status_code == 200
    page = revealed.content.decode()
    assert "ppk.dpr.uji" in page
    password = re.search(r'id="password">([^<]+)<', page).group(1)
    again = client.post(url)
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
    response = client.post(url)
    assert response.status_code == 410 and "Masa berlaku tautan ini sudah habis" in response.content.decode()


def test_a_used_link_is_not_written_to_the_log(client, finished_reset, caplog):
    import logging

    from loket.logfilters import RedactSecrets

    _, mails = finished_reset
    url = link_from(next(m for m in mails if "/akun/tautan/" in m.body).body)
    token = url.rstrip("/").rsplit("/", 1)[-1]
    client.post(url)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.post(url)  # 410 Gone: Django logs the path
    assert caplog.records
    for record in caplog.records:
        RedactSecrets().filter(record)
        assert token not in record.getMessage()
