"""A mail that answers a mail Loket did not send (`queue_mail(in_reply_to=...)`) carries
In-Reply-To and References naming it; a value that is not one Message-ID never reaches a header."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from loket.notify.services import queue_mail

pytestmark = pytest.mark.django_db

CONTEXT = {
    "reference": "",
    "mail_subject": "Pertanyaan",
    "service_name": "Reset Password PPK",
    "problems": ["E-mail Anda tidak berlampiran."],
    "documents": ["Surat pengajuan"],
    "example": "surat.pdf",
    "unit_name": "LPSE Provinsi Kalimantan Timur",
}


def answer(in_reply_to: str):  # type: ignore[no-untyped-def]
    return queue_mail(
        to="siti@pupr.kaltimprov.go.id",
        template="kotak-masuk-berkas-kurang",
        context=CONTEXT,
        in_reply_to=in_reply_to,
    )


@pytest.mark.parametrize(
    "given, header",
    [
        (" <abc.123@pemohon.test> ", "<abc.123@pemohon.test>"),
        ("<a@b>\r\nBcc: korban@contoh.test", "<a@b>"),
        ("<a@b> <c@d>", None),
        ("tanpa-kurung@pemohon.test", None),
    ],
)
def test_only_one_message_id_is_ever_written_as_in_reply_to(smtp_server, given, header):
    message = answer(given)

    call_command("worker", "--once", stdout=io.StringIO())

    (got,) = smtp_server.wait_for(1)
    assert got.message["Message-ID"] == message.message_id
    assert got.message["In-Reply-To"] == header
    assert got.message["References"] == header
    assert got.envelope_to == ["siti@pupr.kaltimprov.go.id"] and got.message["Bcc"] is None
