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
    # Saturday 5 October 2024, 10:00 WITA; the unit works 08:00-16:00 WITA on weekdays. (A past
    # date: dovecot takes an APPEND date in the future for the present.)
    saturday = dt.datetime(2024, 10, 5, 2, 0, tzinfo=dt.UTC)
    deliver_mail(
        mailbox,
        make_mail(
            sender=service.account.email,
            subject="Permohonan pemulihan akun SPSE PPK",
            attachments=[
                ("surat-pengajuan.pdf", "application/pdf", pdf_bytes()),
                ("sk-penunjukan.jpg", "image/jpeg", jpeg_bytes()),
            ],
            date=saturday,
        ),
        arrived=saturday,
    )
    monkeypatch.setattr("django.utils.timezone.now", lambda: saturday)

    services.poll_mailbox(mailbox)

    case = Case.objects.get()
    # The completeness check's 10 minutes run from Monday's opening: 08:10 WITA = 00:10 UTC.
    assert case.current_due_at == dt.datetime(2024, 10, 7, 0, 10, tzinfo=dt.UTC)


def saturday_request(service, when: dt.datetime):  # type: ignore[no-untyped-def]
    return make_mail(
        sender=service.account.email,
        subject="Permohonan pemulihan akun SPSE PPK",
        attachments=[
            ("surat-pengajuan.pdf", "application/pdf", pdf_bytes()),
            ("sk-penunjukan.jpg", "image/jpeg", jpeg_bytes()),
        ],
        date=when,
    )


def poll_at(mailbox, when: dt.datetime, monkeypatch) -> Case:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("django.utils.timezone.now", lambda: when)
    result = services.poll_mailbox(mailbox)
    assert not result.error, result.error
    return Case.objects.get()


def test_a_mail_that_arrived_on_saturday_and_is_read_on_monday_counts_from_its_arrival(service, mailbox, monkeypatch):
    # Arrived Saturday 5 October 2024, 10:00 WITA; the poller reads it Monday at 11:00 WITA.
    saturday = dt.datetime(2024, 10, 5, 2, 0, tzinfo=dt.UTC)
    monday = dt.datetime(2024, 10, 7, 3, 0, tzinfo=dt.UTC)
    deliver_mail(mailbox, saturday_request(service, saturday), arrived=saturday)

    case = poll_at(mailbox, monday, monkeypatch)

    # Handed in when it arrived: the completeness check was due at Monday's opening + 10 minutes
    # (08:10 WITA), not 10 minutes after the poll, and is overdue by the time it is read.
    assert case.steps.get(step=1).finished_at == saturday
    assert case.current_due_at == dt.datetime(2024, 10, 7, 0, 10, tzinfo=dt.UTC)
    assert case.current_due_at < monday


def test_without_a_server_date_the_mail_s_date_header_counts(service, mailbox, monkeypatch):
    # The server's INTERNALDATE is unknown (a server that does not say): the Date header stands in.
    saturday = dt.datetime(2024, 10, 5, 2, 0, tzinfo=dt.UTC)
    monday = dt.datetime(2024, 10, 7, 3, 0, tzinfo=dt.UTC)
    deliver_mail(mailbox, saturday_request(service, saturday), arrived=monday)
    monkeypatch.setattr(services, "internal_date", lambda box, uid: None)

    case = poll_at(mailbox, monday, monkeypatch)

    assert case.steps.get(step=1).finished_at == saturday
    assert case.current_due_at == dt.datetime(2024, 10, 7, 0, 10, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "arrived, started",
    [
        # Three weeks before the poll: believed at most 7 days back.
        (dt.datetime(2024, 9, 18, 3, 0, tzinfo=dt.UTC), dt.datetime(2024, 10, 2, 3, 0, tzinfo=dt.UTC)),
        # A day after the poll (a wrong clock): the poll's time.
        (dt.datetime(2024, 10, 10, 3, 0, tzinfo=dt.UTC), dt.datetime(2024, 10, 9, 3, 0, tzinfo=dt.UTC)),
    ],
)
def test_an_arrival_time_out_of_bounds_is_held_to_the_last_7_days(service, mailbox, monkeypatch, arrived, started):
    poll_time = dt.datetime(2024, 10, 9, 3, 0, tzinfo=dt.UTC)  # Wednesday 11:00 WITA
    deliver_mail(mailbox, saturday_request(service, arrived), arrived=arrived)

    case = poll_at(mailbox, poll_time, monkeypatch)

    assert case.steps.get(step=1).finished_at == started
