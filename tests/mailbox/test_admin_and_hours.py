"""The mailbox in the admin (the password never shown) and a mail read outside working hours."""

from __future__ import annotations

import datetime as dt

import pytest

from loket.cases.models import Case
from loket.mailbox import services
from loket.mailbox.models import InboundMail, Mailbox
from tests.factories import pdf_bytes
from tests.mailbox.conftest import deliver_mail, jpeg_bytes, make_mail

pytestmark = pytest.mark.django_db


def test_the_admin_never_shows_the_password_and_keeps_it_when_left_blank(client, superuser, service):
    box = Mailbox(unit=service.unit, host="imap.uji.go.id", port=993, username="loket@uji.go.id")
    box.set_password("Sandi-kotak-surat-9")
    box.save()
    client.force_login(superuser)

    page = client.get(f"/admin/mailbox/mailbox/{box.pk}/change/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Sandi-kotak-surat-9" not in html and box.password_sealed not in html
    assert 'name="password"' in html and 'name="password_sealed"' not in html
    response = client.post(
        f"/admin/mailbox/mailbox/{box.pk}/change/",
        {
            "unit": service.unit.pk,
            "host": "imap2.uji.go.id",
            "port": 993,
            "security": "ssl",
            "username": "loket@uji.go.id",
            "password": "",
            "inbox_folder": "INBOX",
            "processed_folder": "Diproses",
            "failed_folder": "Gagal",
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    box.refresh_from_db()
    assert (box.host, box.get_password()) == ("imap2.uji.go.id", "Sandi-kotak-surat-9")


def test_failed_mail_is_listed_in_the_admin(client, superuser, mailbox):
    InboundMail.objects.create(
        mailbox=mailbox, message_id="<x@y>", subject="Permohonan", status="failed", last_error="RuntimeError: x"
    )
    client.force_login(superuser)
    page = client.get("/admin/mailbox/inboundmail/?status__exact=failed")
    assert page.status_code == 200 and "Permohonan" in page.content.decode()


def test_a_mail_read_on_saturday_is_due_on_the_next_working_morning(service, mailbox, monkeypatch):
    # Saturday 5 December 2026, 10:00 WITA; the unit works 08:00-16:00 WITA on weekdays.
    saturday = dt.datetime(2026, 12, 5, 2, 0, tzinfo=dt.UTC)
    deliver_mail(
        mailbox,
        make_mail(
            sender=service.account.email,
            subject="Permohonan pemulihan akun SPSE PPK",
            attachments=[
                ("surat-pengajuan.pdf", "application/pdf", pdf_bytes()),
                ("sk-penunjukan.jpg", "image/jpeg", jpeg_bytes()),
            ],
        ),
    )
    monkeypatch.setattr("django.utils.timezone.now", lambda: saturday)

    services.poll_mailbox(mailbox)

    case = Case.objects.get()
    # The completeness check's 10 minutes run from Monday's opening: 08:10 WITA = 00:10 UTC.
    assert case.current_due_at == dt.datetime(2026, 12, 7, 0, 10, tzinfo=dt.UTC)
