"""Every mail Loket sends in answer to a mail read from the mailbox is in that mail's thread: the
receipt of a case opened by mail, and the answers saying what to send (with a case or without),
carry In-Reply-To and References naming the requester's mail. Read back from the real SMTP
server (tests/fixtures_smtp.py) after the worker sent them; the mail comes from the real IMAP
server (tests/mailbox/conftest.py)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from loket.cases.models import Case
from loket.mailbox.models import InboundMail
from loket.notify.models import OutboxMessage
from tests.mailbox.conftest import deliver_mail, jpeg_bytes, make_mail
from tests.mailbox.test_poller import poll, request_mail, waiting_for_sk

pytestmark = pytest.mark.django_db


def sent(smtp_server, count):  # type: ignore[no-untyped-def]
    """The mail the worker sends now, by Message-ID, as the SMTP server received it."""
    call_command("worker", "--once")
    return {str(m.message["Message-ID"]): m.message for m in smtp_server.wait_for(count)}


def test_the_answer_to_a_mail_without_attachments_is_in_its_thread(service, mailbox, smtp_server):
    question = make_mail(sender=service.account.email, subject="Bagaimana cara memulihkan akun saya?")
    deliver_mail(mailbox, question)

    poll(mailbox)

    answer = OutboxMessage.objects.get()
    assert answer.case is None
    got = sent(smtp_server, 1)[answer.message_id]
    assert got["In-Reply-To"] == question["Message-ID"]
    assert got["References"] == question["Message-ID"]
    assert got["Auto-Submitted"] == "auto-generated"
    assert got["To"] == service.account.email


def test_the_answer_to_a_request_with_a_bad_attachment_is_in_its_thread(service, mailbox, smtp_server):
    mail = request_mail(
        service,
        attachments=[
            ("surat-pengajuan.pdf", "application/pdf", b"%PDF-1.4\nini bukan PDF yang utuh"),
            ("sk-penunjukan.jpg", "image/jpeg", jpeg_bytes()),
        ],
    )
    deliver_mail(mailbox, mail)

    poll(mailbox)

    assert not Case.objects.exists()
    answer = OutboxMessage.objects.get()
    got = sent(smtp_server, 1)[answer.message_id]
    assert (got["In-Reply-To"], got["References"]) == (mail["Message-ID"], mail["Message-ID"])


def test_the_receipt_and_the_later_mail_of_a_case_opened_by_mail_stay_in_its_thread(service, mailbox, smtp_server):
    case = waiting_for_sk(service, mailbox)  # opened by mail; the completeness check asked for the SK
    opening = InboundMail.objects.get(case=case).message_id
    receipt = OutboxMessage.objects.get(case=case, template="diterima")
    ask = OutboxMessage.objects.get(case=case, template="minta-kelengkapan")

    got = sent(smtp_server, 2)

    assert case.reference in got[receipt.message_id]["Subject"]
    assert got[receipt.message_id]["In-Reply-To"] == opening
    assert got[receipt.message_id]["References"] == opening
    assert got[ask.message_id]["In-Reply-To"] == receipt.message_id
    assert got[ask.message_id]["References"] == f"{opening} {receipt.message_id}"
    assert {m["Auto-Submitted"] for m in got.values()} == {"auto-generated"}

    # The requester answers with a document that is no PDF: Loket's answer names their reply,
    # after the thread so far.
    reply = request_mail(
        service,
        subject=f"Re: {got[ask.message_id]['Subject']}",
        attachments=[("sk.pdf", "application/pdf", b"%PDF rusak")],
        headers={"In-Reply-To": ask.message_id, "References": f"{opening} {receipt.message_id} {ask.message_id}"},
    )
    deliver_mail(mailbox, reply)
    poll(mailbox)
    answer = OutboxMessage.objects.get(case=case, template="kotak-masuk-berkas-kurang")

    got = sent(smtp_server, 3)

    assert got[answer.message_id]["In-Reply-To"] == reply["Message-ID"]
    assert got[answer.message_id]["References"] == (
        f"{opening} {receipt.message_id} {ask.message_id} {reply['Message-ID']}"
    )
