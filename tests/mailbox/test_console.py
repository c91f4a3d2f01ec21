"""The console's mailbox screen of a unit (/konsol/surel/<unit>/): its four lists, who may see it,
and its actions (choose a service, mark reviewed, check now) against the real IMAP server."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from loket.audit.models import AuditEntry
from loket.cases.models import Case, Channel, Document, Need, Status
from loket.counter.lanes import queue_lanes
from loket.mailbox import services
from loket.mailbox.lanes import mail_lanes
from loket.mailbox.models import InboundMail, Mailbox
from loket.notify.models import OutboxMessage
from loket.units.models import Unit
from tests.mailbox.conftest import deliver_mail, folder_subjects, imap, jpeg_bytes
from tests.mailbox.test_poller import SUBJECT, poll, request_mail, waiting_for_sk
from tests.sop_factory import AGENCIES, VERIFIER

pytestmark = pytest.mark.django_db

DESK = "Petugas Layanan"


def page_url(unit_kode: str) -> str:
    return reverse("console:mailbox", args=[unit_kode])


def section(html: str, anchor: str) -> str:
    """The part of the page from the heading `anchor` to the next heading."""
    start = html.index(f'id="{anchor}"')
    end = html.find("<h2", start)
    return html[start : end if end != -1 else len(html)]


def messages_of(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m) for m in get_messages(response.wsgi_request)]


def needs_service_mail(service, mailbox, **kw) -> InboundMail:  # type: ignore[no-untyped-def]
    """A request by mail whose subject names no service: the poller leaves it for the Helpdesk."""
    message = request_mail(service, subject="Mohon bantuan segera", **kw)
    deliver_mail(mailbox, message)
    poll(mailbox)
    row = InboundMail.objects.get(message_id=message["Message-ID"])
    assert (row.status, row.moved_to) == (InboundMail.Status.NEEDS_SERVICE, "Diproses")
    return row


def test_the_page_shows_each_list_to_a_lane_that_opens_mail(client, service, mailbox):
    case = waiting_for_sk(service, mailbox)  # an e-mail case waiting on its requester
    asked = needs_service_mail(service, mailbox)
    stranger = request_mail(service, sender="orang.lain@gmail.com", subject="Tolong reset akun PPK")
    deliver_mail(mailbox, stranger)
    poll(mailbox)
    review = InboundMail.objects.get(message_id=stranger["Message-ID"])
    assert review.status == InboundMail.Status.NEEDS_REVIEW
    broken = InboundMail.objects.create(
        mailbox=mailbox,
        message_id="<rusak-1@pemohon.test>",
        from_address="rusak@pemohon.test",
        subject="E-mail yang membuat galat",
        status=InboundMail.Status.FAILED,
        reason="Gagal diproses; dicoba lagi pada pemeriksaan berikutnya.",
        attempts=2,
        last_error="RuntimeError: direktori tidak terjangkau",
    )
    client.force_login(service.verifier)

    response = client.get(page_url(service.unit.kode))

    assert response.status_code == 200
    html = response.content.decode()
    zone = zoneinfo.ZoneInfo(service.unit.zona_waktu)
    action = section(html, "perlu-tindakan")
    assert "Mohon bantuan segera" in action and "Tolong reset akun PPK" in action
    assert service.account.email in action and "orang.lain@gmail.com" in action
    assert asked.reason in action and review.reason in action
    assert "surat-pengajuan.pdf" in action and "scan SK penunjukan.jpg" in action
    assert timezone.localtime(asked.received_at, zone).strftime("%H:%M") + " WITA" in action
    assert reverse("console:mailbox_choose", args=[service.unit.kode, asked.pk]) in action
    assert reverse("console:mailbox_choose", args=[service.unit.kode, review.pk]) not in action  # review only
    assert reverse("console:mailbox_review", args=[service.unit.kode, review.pk]) in action
    assert "Pemulihan Akun SPSE Pejabat Pengadaan" in action  # the service to choose
    waiting = section(html, "menunggu-pemohon")
    assert case.reference in waiting and case.requester_name in waiting
    assert reverse("console:case", args=[case.pk]) in waiting
    since = case.steps.get(finished_at__isnull=True).started_at
    assert timezone.localtime(since, zone).strftime("%H:%M") in waiting
    failed = section(html, "gagal")
    assert "E-mail yang membuat galat" in failed and "direktori tidak terjangkau" in failed
    assert re.search(rf'data-label="Percobaan"[^>]*>\s*{broken.attempts}\s*<', failed)
    recent = section(html, "terakhir")
    assert SUBJECT in recent and case.reference in recent and "menjadi permohonan" in recent
    assert "E-mail yang membuat galat" not in recent
    # The mailbox's last poll, never its password; no mail body anywhere.
    mailbox.refresh_from_db()
    assert timezone.localtime(mailbox.last_polled_at, zone).strftime("%H:%M") in html
    assert mailbox.get_password() not in html and mailbox.password_sealed not in html
    assert "terlampir berkas permohonan kami" not in html


def test_an_agency_scoped_lane_sees_the_mail_but_only_its_agency_s_cases(client, service, mailbox):
    case = waiting_for_sk(service, mailbox)  # agency A0
    client.force_login(service.other_agency_verifier)

    html = client.get(page_url(service.unit.kode)).content.decode()

    assert case.reference not in section(html, "menunggu-pemohon")
    assert case.reference not in html  # not in the last mails either
    assert SUBJECT in section(html, "terakhir")


def test_other_units_lanes_and_users_get_404_and_change_nothing(client, service, mailbox, other_service):
    Mailbox.objects.create(unit=other_service.unit, host="127.0.0.1", port=1, username="lain@uji.go.id")
    row = needs_service_mail(service, mailbox)
    strangers = [
        other_service.staff_of(VERIFIER, AGENCIES[0]),  # the same lane name, another unit
        other_service.staff_of(DESK),  # opens mail at its own unit, not this one
        service.no_role,
    ]
    for user in strangers:
        client.force_login(user)
        assert client.get(page_url(service.unit.kode)).status_code == 404
        assert client.post(reverse("console:mailbox_check", args=[service.unit.kode])).status_code == 404
        choose = reverse("console:mailbox_choose", args=[service.unit.kode, row.pk])
        assert client.post(choose, {"layanan": service.version.pk, "kebutuhan": "password"}).status_code == 404
        tinjau = reverse("console:mailbox_review", args=[service.unit.kode, row.pk])
        assert client.post(tinjau, {"catatan": "lihat"}).status_code == 404
    row.refresh_from_db()
    assert (row.status, row.reviewed_at) == (InboundMail.Status.NEEDS_SERVICE, None)
    assert not Case.objects.exists()
    # At the other unit the lane of the first staff step opens mail; the other lane does not.
    client.force_login(other_service.staff_of(DESK))
    assert client.get(page_url(other_service.unit.kode)).status_code == 200
    client.force_login(other_service.staff_of(VERIFIER, AGENCIES[0]))
    assert client.get(page_url(other_service.unit.kode)).status_code == 404
    # A unit without a mailbox has no page, even for its lane; a superuser sees every mailbox.
    mailbox.delete()
    client.force_login(service.verifier)
    assert client.get(page_url(service.unit.kode)).status_code == 404


def test_a_superuser_sees_every_mailbox_and_the_index_lists_them(client, superuser, service, mailbox, other_service):
    Mailbox.objects.create(unit=other_service.unit, host="127.0.0.1", port=1, username="lain@uji.go.id")
    client.force_login(superuser)

    index = client.get(reverse("console:mailbox_index"))

    assert index.status_code == 200
    assert (
        page_url(service.unit.kode) in index.content.decode()
        and page_url(other_service.unit.kode) in index.content.decode()
    )
    assert client.get(page_url(other_service.unit.kode)).status_code == 200
    # One unit: the index goes straight to it.
    client.force_login(service.verifier)
    response = client.get(reverse("console:mailbox_index"))
    assert (response.status_code, response["Location"]) == (302, page_url(service.unit.kode))
    client.force_login(service.no_role)
    assert client.get(reverse("console:mailbox_index")).status_code == 404


def test_the_lanes_that_open_mail_are_the_counter_s_where_the_sop_calls_the_queue(installed, service):
    kkp = Unit.objects.get(kode="kkp")
    counter = queue_lanes(kkp).counter
    assert counter and mail_lanes(kkp) == counter
    assert not queue_lanes(kkp).front_office & mail_lanes(kkp)  # the first staff step's lane is not
    # Without a queue step: the lane of the first staff step after the requester's.
    assert mail_lanes(service.unit) == {service.sop.step(2).pelaksana} == {VERIFIER}


def test_choosing_the_service_reads_the_mail_again_and_opens_the_case(client, service, mailbox):
    row = needs_service_mail(service, mailbox)
    assert not Case.objects.exists()
    client.force_login(service.verifier)

    response = client.post(
        reverse("console:mailbox_choose", args=[service.unit.kode, row.pk]),
        {"layanan": service.version.pk, "kebutuhan": Need.USER_ID},
    )

    assert (response.status_code, response["Location"]) == (302, page_url(service.unit.kode))
    case = Case.objects.get()
    assert (case.channel, case.need, case.sop, case.account) == (
        Channel.EMAIL,
        Need.USER_ID,
        service.version,
        service.account,
    )
    assert sorted(Document.objects.filter(case=case).values_list("kode", flat=True)) == [
        "sk-penunjukan",
        "surat-pengajuan",
    ]
    row.refresh_from_db()
    assert (row.status, row.case, row.reviewed_by) == (InboundMail.Status.REQUEST, case, service.verifier)
    assert {a["name"]: a["kode"] for a in row.attachments} == {
        "surat-pengajuan.pdf": "surat-pengajuan",
        "scan SK penunjukan.jpg": "sk-penunjukan",
    }
    assert OutboxMessage.objects.get(case=case).template == "diterima"
    entry = AuditEntry.objects.get(action="mail.service_chosen")
    assert (entry.actor, entry.case, entry.detail["need"], entry.detail["status"]) == (
        service.verifier,
        case,
        Need.USER_ID,
        InboundMail.Status.REQUEST,
    )
    assert messages_of(response) == [f"E-mail dari {service.account.email} menjadi permohonan {case.reference}."]
    # It left "Perlu tindakan"; a second post (a double click) changes nothing.
    page = client.get(page_url(service.unit.kode)).content.decode()
    assert "Mohon bantuan segera" not in section(page, "perlu-tindakan")
    again = client.post(
        reverse("console:mailbox_choose", args=[service.unit.kode, row.pk]),
        {"layanan": service.version.pk, "kebutuhan": Need.PASSWORD},
    )
    assert Case.objects.count() == 1
    assert "sudah ditangani" in messages_of(again)[0]


def test_a_chosen_service_with_a_bad_attachment_answers_the_sender(client, service, mailbox):
    row = needs_service_mail(
        service,
        mailbox,
        attachments=[
            ("surat-pengajuan.pdf", "application/pdf", b"%PDF-1.4\nrusak"),
            ("sk-penunjukan.jpg", "image/jpeg", jpeg_bytes()),
        ],
    )
    client.force_login(service.verifier)

    client.post(
        reverse("console:mailbox_choose", args=[service.unit.kode, row.pk]),
        {"layanan": service.version.pk, "kebutuhan": Need.PASSWORD},
    )

    row.refresh_from_db()
    assert (row.status, row.case) == (InboundMail.Status.ANSWERED, None)
    answer = OutboxMessage.objects.get()
    assert (answer.template, answer.to) == (services.TEMPLATE_FIX, service.account.email)
    assert "Pemulihan Akun SPSE Pejabat Pengadaan" in answer.body
    assert not Case.objects.exists()


def test_a_mail_no_longer_in_its_folder_is_said_so_and_nothing_changes(client, service, mailbox):
    row = needs_service_mail(service, mailbox)
    with imap(mailbox) as box:
        box.folder.set("Diproses")
        box.delete([m.uid for m in box.fetch(mark_seen=False, headers_only=True)])
    assert folder_subjects(mailbox, "Diproses") == []
    client.force_login(service.verifier)

    response = client.post(
        reverse("console:mailbox_choose", args=[service.unit.kode, row.pk]),
        {"layanan": service.version.pk, "kebutuhan": Need.PASSWORD},
    )

    (message,) = messages_of(response)
    assert "tidak ditemukan lagi di folder Diproses" in message
    row.refresh_from_db()
    assert (row.status, row.reviewed_at) == (InboundMail.Status.NEEDS_SERVICE, None)
    assert not Case.objects.exists() and not OutboxMessage.objects.exists()
    assert not AuditEntry.objects.filter(action="mail.service_chosen").exists()


def test_only_an_installed_reset_service_of_the_unit_may_be_chosen(client, service, mailbox, other_service):
    row = needs_service_mail(service, mailbox)
    client.force_login(service.verifier)

    response = client.post(
        reverse("console:mailbox_choose", args=[service.unit.kode, row.pk]),
        {"layanan": other_service.version.pk, "kebutuhan": Need.PASSWORD},
    )

    assert messages_of(response) == ["Pilih salah satu layanan reset akun unit ini."]
    row.refresh_from_db()
    assert row.status == InboundMail.Status.NEEDS_SERVICE and not Case.objects.exists()


def test_a_reviewed_mail_leaves_the_list_with_its_note_recorded(client, service, mailbox):
    deliver_mail(mailbox, request_mail(service, sender="orang.lain@gmail.com"))
    poll(mailbox)
    row = InboundMail.objects.get()
    assert row.status == InboundMail.Status.NEEDS_REVIEW
    client.force_login(service.verifier)
    url = reverse("console:mailbox_review", args=[service.unit.kode, row.pk])

    refused = client.post(url, {"catatan": "   "})

    assert messages_of(refused) == ["Tulis catatan singkat: apa yang sudah dilakukan dengan e-mail ini."]
    row.refresh_from_db()
    assert row.reviewed_at is None
    client.get(page_url(service.unit.kode))  # the message shown (and used up)

    response = client.post(url, {"catatan": "Bukan pemilik akun; ditelepon, diminta memakai portal."})

    assert response.status_code == 302
    assert messages_of(response) == ["E-mail dari orang.lain@gmail.com ditandai sudah ditinjau."]
    row.refresh_from_db()
    assert (row.reviewed_by, row.review_note) == (
        service.verifier,
        "Bukan pemilik akun; ditelepon, diminta memakai portal.",
    )
    assert row.reviewed_at is not None and row.status == InboundMail.Status.NEEDS_REVIEW
    entry = AuditEntry.objects.get(action="mail.reviewed")
    assert (entry.actor, entry.detail["mail"], entry.detail["note"]) == (service.verifier, row.pk, row.review_note)
    html = client.get(page_url(service.unit.kode)).content.decode()
    assert "orang.lain@gmail.com" not in section(html, "perlu-tindakan")
    assert "Bukan pemilik akun" in section(html, "terakhir")
    # The panel beside the work queue counts it no more.
    queue = client.get(reverse("console:queue")).content.decode()
    assert "0 perlu tindakan, 0 menunggu pemohon, 0 gagal" in queue


def test_check_now_polls_the_mailbox_and_reports(client, service, mailbox, monkeypatch):
    deliver_mail(mailbox, request_mail(service))

    def broken(box, mail):  # type: ignore[no-untyped-def]
        raise RuntimeError("direktori tidak terjangkau")

    monkeypatch.setattr(services, "classify", broken)
    poll(mailbox)
    row = InboundMail.objects.get()
    assert row.status == InboundMail.Status.FAILED
    monkeypatch.undo()
    client.force_login(service.verifier)

    response = client.post(reverse("console:mailbox_check", args=[service.unit.kode]))

    assert response.status_code == 302
    (message,) = messages_of(response)
    assert message.startswith("Kotak masuk uji: 1 e-mail dibaca (1 menjadi permohonan); 0 gagal")
    row.refresh_from_db()
    assert row.status == InboundMail.Status.REQUEST and Case.objects.get().status == Status.OPEN
    entry = AuditEntry.objects.get(action="mailbox.checked")
    assert (entry.actor, entry.detail["read"], entry.detail["failed"]) == (service.verifier, 1, 0)
    assert client.get(reverse("console:mailbox_check", args=[service.unit.kode])).status_code == 405  # POST only


def test_the_panel_and_the_nav_link_only_for_who_opens_mail(client, service, mailbox, other_service):
    needs_service_mail(service, mailbox)
    client.force_login(service.verifier)

    queue = client.get(reverse("console:queue")).content.decode()

    assert "1 perlu tindakan, 0 menunggu pemohon, 0 gagal" in queue
    assert page_url(service.unit.kode) in queue
    assert f'href="{reverse("console:mailbox_index")}"' in queue
    # A lane at a unit with no mailbox: neither.
    client.force_login(other_service.staff_of(DESK))
    queue = client.get(reverse("console:queue")).content.decode()
    assert "perlu tindakan" not in queue and reverse("console:mailbox_index") not in queue


def test_csrf_is_required_for_the_actions(service, mailbox):
    from django.test import Client

    row = needs_service_mail(service, mailbox)
    client = Client(enforce_csrf_checks=True)
    client.force_login(service.verifier)

    response = client.post(reverse("console:mailbox_review", args=[service.unit.kode, row.pk]), {"catatan": "x"})

    assert response.status_code == 403
    row.refresh_from_db()
    assert row.reviewed_at is None


def test_the_time_shown_is_the_unit_s(client, service, mailbox):
    """A unit in WIT shows 09:00 WIT for a mail read at 00:00 UTC."""
    service.unit.zona_waktu = "Asia/Jayapura"
    service.unit.save(update_fields=["zona_waktu"])
    row = InboundMail.objects.create(
        mailbox=mailbox,
        message_id="<jam@pemohon.test>",
        from_address="x@pemohon.test",
        subject="Jam",
        status=InboundMail.Status.NEEDS_REVIEW,
        reason="uji",
    )
    InboundMail.objects.filter(pk=row.pk).update(received_at=dt.datetime(2026, 12, 2, 0, 0, tzinfo=dt.UTC))
    client.force_login(service.verifier)

    html = client.get(page_url(service.unit.kode)).content.decode()

    assert "09:00 WIT" in section(html, "perlu-tindakan")
