"""A new mail without attachments that replies to no case: answered with what to send when its
sender is in the unit's directory, left for staff without an answer otherwise (no backscatter)."""

from __future__ import annotations

import pytest

from loket.directory.models import Account
from loket.mailbox import services
from loket.mailbox.models import InboundMail
from loket.notify.models import OutboxMessage
from tests.mailbox.conftest import deliver_mail, folder_subjects, make_mail
from tests.mailbox.test_poller import poll, request_mail, waiting_for_sk
from tests.sop_factory import make_service

pytestmark = pytest.mark.django_db

QUESTION = "Bagaimana cara memulihkan akun saya?"


def test_a_known_sender_without_attachments_is_told_what_to_send(service, mailbox):
    deliver_mail(mailbox, make_mail(sender=f"Rina Kartika <{service.account.email}>", subject=QUESTION))

    poll(mailbox)

    row = InboundMail.objects.get()
    assert (row.status, row.case) == (InboundMail.Status.ANSWERED, None)
    answer = OutboxMessage.objects.get()
    assert (answer.template, answer.to, answer.case) == (services.TEMPLATE_FIX, service.account.email, None)
    assert "E-mail Anda tidak berlampiran." in answer.body
    assert "Surat pengajuan pemulihan akun SPSE" in answer.body
    assert "SK penunjukan sebagai pejabat pengadaan" in answer.body
    assert "Pemulihan Akun SPSE Pejabat Pengadaan" in answer.body
    assert QUESTION in answer.body
    assert folder_subjects(mailbox, "Diproses") == [QUESTION]


def test_an_unknown_sender_without_attachments_gets_no_answer(service, mailbox):
    deliver_mail(mailbox, make_mail(sender="promo@toko-murah.example", subject=QUESTION))

    poll(mailbox)

    row = InboundMail.objects.get()
    assert row.status == InboundMail.Status.NEEDS_REVIEW
    assert "tidak dijawab otomatis" in row.reason
    assert not OutboxMessage.objects.exists()


def test_a_known_sender_is_answered_once_a_day_at_most(service, mailbox):
    for n in (1, 2):
        deliver_mail(mailbox, make_mail(sender=service.account.email, subject=f"{QUESTION} ({n})"))

    poll(mailbox)

    assert sorted(InboundMail.objects.values_list("subject", "status")) == [
        (f"{QUESTION} (1)", InboundMail.Status.ANSWERED),
        (f"{QUESTION} (2)", InboundMail.Status.NEEDS_REVIEW),
    ]
    assert OutboxMessage.objects.count() == 1


def test_a_unit_with_several_reset_services_lists_the_documents_of_each(service, mailbox):
    make_service(
        kode="uji-pulih-pokja",
        nama="Pemulihan Akun SPSE Pokja Pemilihan",
        peran_akun=("Pokja Pemilihan",),
        nomor="046/SOP/UKPBJ-UJI/2026",
    )
    deliver_mail(mailbox, make_mail(sender=service.account.email, subject=QUESTION))

    poll(mailbox)

    body = OutboxMessage.objects.get().body
    assert "Pemulihan Akun SPSE Pejabat Pengadaan atau Pemulihan Akun SPSE Pokja Pemilihan" in body
    assert "Pemulihan Akun SPSE Pokja Pemilihan: SK penunjukan sebagai pejabat pengadaan" in body


def second_account_at(service, name: str) -> None:  # type: ignore[no-untyped-def]
    """Another account of the directory at the same address (a shared office mailbox)."""
    first = service.account
    Account.objects.create(
        unit=first.unit, user_id="ppk.kedua", name=name, email=first.email, role=first.role, agency=first.agency
    )


def test_the_answer_greets_the_directory_account_the_address_belongs_to(service, mailbox):
    deliver_mail(mailbox, make_mail(sender=f"Ibu Rina <{service.account.email}>", subject=QUESTION))

    poll(mailbox)

    body = OutboxMessage.objects.get().body
    assert body.startswith(f"Yth. {service.account.name},\n")
    assert service.account.name == "Rina Kartika"


def test_the_answer_greets_by_the_display_name_where_the_directory_cannot_tell(service, mailbox):
    second_account_at(service, "Budi Santoso")
    deliver_mail(mailbox, make_mail(sender=f'"Dr. Dewi Lestari, S.T." <{service.account.email}>', subject=QUESTION))

    poll(mailbox)

    assert OutboxMessage.objects.get().body.startswith("Yth. Dr. Dewi Lestari, S.T.,\n")


def test_the_answer_says_bapak_ibu_without_a_name(service, mailbox):
    second_account_at(service, "Budi Santoso")
    deliver_mail(mailbox, make_mail(sender=service.account.email, subject=QUESTION))

    poll(mailbox)

    assert OutboxMessage.objects.get().body.startswith("Yth. Bapak/Ibu,\n")


def test_the_answer_to_a_request_with_a_bad_attachment_greets_the_account(service, mailbox):
    deliver_mail(
        mailbox,
        request_mail(service, sender=service.account.email, attachments=[("surat.pdf", "application/pdf", b"%PDF x")]),
    )

    poll(mailbox)

    answer = OutboxMessage.objects.get()
    assert answer.case is None and answer.body.startswith("Yth. Rina Kartika,\n")


def test_the_answer_on_a_case_greets_its_requester(service, mailbox):
    case = waiting_for_sk(service, mailbox)
    deliver_mail(
        mailbox,
        request_mail(
            service,
            sender=f"Kantor PPK <{service.account.email}>",
            subject=f"Re: [{case.reference}]",
            attachments=[("sk.pdf", "application/pdf", b"%PDF rusak")],
        ),
    )

    poll(mailbox)

    answer = OutboxMessage.objects.get(template=services.TEMPLATE_FIX)
    assert answer.case == case and answer.body.startswith(f"Yth. {case.requester_name},\n")
    assert case.requester_name == "Rina Kartika"
