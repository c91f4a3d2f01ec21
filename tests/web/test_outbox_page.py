"""The outbox page's demo sink (issue 11, point 8): with Django's file mail sink, each mail is
listed as a person reads it (subject, To, the date in local time with its zone, the text body,
attachments by name and human size), newest first; never the raw MIME or base64; a file that is
not a mail shows as unreadable with its name and does not break the page. Real files in the sink
folder: written by Django's own file backend, by the outbox worker, or by hand."""

from __future__ import annotations

import os
import re

import pytest
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse

from loket.notify.models import OutboxMessage
from loket.notify.tasks import deliver
from tests.factories import pdf_bytes
from tests.sop_factory import submit

pytestmark = pytest.mark.django_db

FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"


@pytest.fixture
def sink(settings, tmp_path):
    settings.DEBUG = True
    settings.EMAIL_BACKEND = FILE_BACKEND
    settings.EMAIL_FILE_PATH = str(tmp_path)
    return tmp_path


def send(sink, subject: str, body: str, date: str, *, attachments=(), to="pemohon.baru@gmail.com") -> None:
    message = EmailMessage(subject, body, "Loket <loket@localhost>", [to], headers={"Date": date})
    for name, content, kind in attachments:
        message.attach(name, content, kind)
    get_connection(FILE_BACKEND, file_path=str(sink)).send_messages([message])


def sink_part(page: str) -> str:
    return page[page.index("penampung demo") :]


def test_each_mail_reads_as_a_mail_newest_first_with_its_attachment_by_name_and_size(client, superuser, sink):
    pdf = pdf_bytes(3)
    pdf += b"%" * (31 * 1024 + 512 - len(pdf))  # 31,5 KB: a comment after the end of the PDF
    send(
        sink,
        "Surat jawaban permohonan",
        "Yth. Rina Kartika,\n\nTerlampir surat jawaban.",
        "Tue, 01 Dec 2026 02:00:00 +0000",
        attachments=[("surat-jawaban.pdf", pdf, "application/pdf")],
    )
    send(
        sink,
        "Permohonan Anda diterima — UKPBJ Kabupaten Uji",
        "Yth. Rina,\n\nPermohonan diterima.",
        "Wed, 02 Dec 2026 05:07:00 +0000",
    )
    client.force_login(superuser)
    response = client.get(reverse("console:outbox"))
    assert response.status_code == 200
    page = sink_part(response.content.decode())
    # Newest first: the mail of 2 December before the one of 1 December.
    assert page.index("Permohonan Anda diterima — UKPBJ Kabupaten Uji") < page.index("Surat jawaban permohonan")
    # The decoded subject, the addressee, the local time with its zone (no unit: the display zone).
    assert "pemohon.baru@gmail.com" in page
    assert "02-12-2026 12:07 WIB" in page and "01-12-2026 09:00 WIB" in page
    assert "Yth. Rina Kartika,<br>" in page and "Terlampir surat jawaban." in page
    # The attachment by its name and a human size, never its content.
    assert "surat-jawaban.pdf" in page
    assert "surat-jawaban.pdf (31,5\xa0KB)" in page
    assert "JVBERi0" not in page  # base64 of "%PDF-"
    assert "Content-Transfer-Encoding" not in page and "MIME-Version" not in page
    assert "=?utf-8?" not in page.lower()


def test_an_encoded_non_ascii_subject_is_read_and_a_broken_file_does_not_break_the_page(client, superuser, sink):
    (sink / "20261202-050700-1.log").write_bytes(
        b"Subject: =?utf-8?b?UGVybW9ob25hbiBBbmRhIGRpdG9sYWsg4oCUIHN1cmF0IGtlcHV0dXNhbg==?=\n"
        b"From: Loket <loket@localhost>\n"
        b"To: =?utf-8?q?Bapak_B=C3=BCdi?= <budi@uji.go.id>\n"
        b"Date: Wed, 02 Dec 2026 05:07:00 +0000\n"
        b"MIME-Version: 1.0\n"
        b"Content-Type: text/plain; charset=utf-8\n"
        b"Content-Transfer-Encoding: base64\n\n"
        b"WXRoLiBCYXBhayBCw7xkaSwKCkFsYXNhbjogU0sgYnVyYW0u\n"
        b"\n" + b"-" * 79 + b"\n"
    )
    (sink / "20261202-060000-2.log").write_bytes(b"\x00\x01\xffbukan e-mail sama sekali\n")
    os.utime(sink / "20261202-060000-2.log")
    client.force_login(superuser)
    response = client.get(reverse("console:outbox"))
    assert response.status_code == 200
    page = sink_part(response.content.decode())
    assert "Permohonan Anda ditolak — surat keputusan" in page
    assert "Bapak Büdi" in page and "budi@uji.go.id" in page
    assert "Yth. Bapak Büdi,<br><br>Alasan: SK buram." in page
    assert "WXRoLiBC" not in page
    assert "Tidak terbaca sebagai e-mail" in page and "20261202-060000-2.log" in page


def test_a_case_mail_sent_by_the_worker_reads_in_the_units_zone(client, superuser, sink, service):
    case = submit(service).case  # the unit `uji` is in WITA
    received = OutboxMessage.objects.get(case=case, template="diterima")
    deliver(received.pk)
    received.refresh_from_db()
    assert received.status == OutboxMessage.Status.SENT
    client.force_login(superuser)
    page = sink_part(client.get(reverse("console:outbox")).content.decode())
    assert received.subject in page and case.requester_email in page
    assert f"{case.reference}" in page
    assert re.search(r"· \d\d-\d\d-2\d{3} \d\d:\d\d WITA</span>", page) and " WIB" not in page
