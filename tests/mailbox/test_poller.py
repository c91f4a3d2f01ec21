"""The mailbox against a real IMAP server (dovecot, tests/mailbox/conftest.py): mail put in with
IMAP APPEND, read by the poller, moved to its folders."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from django.core.management import call_command

from loket.cases.context import Decision, StepAnswer
from loket.cases.models import Case, Document, Status
from loket.cases.services import decide
from loket.mailbox import services
from loket.mailbox.models import InboundMail
from loket.notify.models import OutboxMessage
from tests.factories import pdf_bytes
from tests.mailbox.conftest import deliver_mail, folder_subjects, jpeg_bytes, make_mail

pytestmark = pytest.mark.django_db

SUBJECT = "Permohonan pemulihan akun SPSE PPK"


def request_mail(service, **kw) -> EmailMessage:  # type: ignore[no-untyped-def]
    kw.setdefault("sender", f"Rina Kartika <{service.account.email}>")
    kw.setdefault("subject", SUBJECT)
    kw.setdefault(
        "attachments",
        [
            ("surat-pengajuan.pdf", "application/pdf", pdf_bytes()),
            ("scan SK penunjukan.jpg", "image/jpeg", jpeg_bytes()),
        ],
    )
    return make_mail(**kw)


def poll(mailbox):  # type: ignore[no-untyped-def]
    mailbox.refresh_from_db()
    result = services.poll_mailbox(mailbox)
    assert not result.error, result.error
    return result


def waiting_for_sk(service, mailbox) -> Case:  # type: ignore[no-untyped-def]
    """A case made by mail whose completeness check asked for the SK again."""
    deliver_mail(mailbox, request_mail(service))
    poll(mailbox)
    case = Case.objects.get()
    decide(
        case_id=case.pk,
        actor=service.verifier,
        version=case.version,
        decision=Decision(
            answers=[StepAnswer(2, "tidak", "SK tidak terbaca")],
            values={"missing": ["sk-penunjukan"], "kelengkapan": []},
        ),
    )
    case.refresh_from_db()
    assert (case.status, case.current_step) == (Status.WAITING, 4)
    return case


def test_a_new_mail_with_a_pdf_and_a_jpeg_becomes_a_request_and_is_moved(service, mailbox):
    deliver_mail(mailbox, request_mail(service))

    result = poll(mailbox)

    case = Case.objects.get()
    assert (case.channel, case.status, case.current_step) == ("email", Status.OPEN, 2)
    assert case.requester_email == service.account.email
    assert case.account == service.account
    assert case.current_due_at is not None
    assert sorted(Document.objects.filter(case=case).values_list("kode", flat=True)) == [
        "sk-penunjukan",
        "surat-pengajuan",
    ]
    row = InboundMail.objects.get()
    assert (row.status, row.case, row.moved_to) == (InboundMail.Status.REQUEST, case, "Diproses")
    assert {a["name"]: a["kode"] for a in row.attachments} == {
        "surat-pengajuan.pdf": "surat-pengajuan",
        "scan SK penunjukan.jpg": "sk-penunjukan",
    }
    assert OutboxMessage.objects.get(case=case).template == "diterima"
    # Moved, never deleted.
    assert folder_subjects(mailbox, "INBOX") == []
    assert folder_subjects(mailbox, "Diproses") == [SUBJECT]
    assert result.read == 1 and result.statuses == {InboundMail.Status.REQUEST: 1}
    # A second poll finds nothing new.
    assert poll(mailbox).read == 0


def test_a_reply_threaded_by_in_reply_to_supplies_the_missing_document(service, mailbox, smtp_server):
    case = waiting_for_sk(service, mailbox)
    ask = OutboxMessage.objects.get(case=case, template="minta-kelengkapan")
    reply = request_mail(
        service,
        subject=f"Re: {ask.subject.replace(case.reference, 'permohonan saya')}",
        attachments=[("sk.jpg", "image/jpeg", jpeg_bytes())],
        headers={"In-Reply-To": ask.message_id, "References": ask.message_id},
    )
    deliver_mail(mailbox, reply)

    poll(mailbox)

    case.refresh_from_db()
    assert (case.status, case.current_step) == (Status.OPEN, 2)  # back to the completeness check
    row = InboundMail.objects.get(message_id=reply["Message-ID"])
    assert (row.status, row.case) == (InboundMail.Status.SUPPLIED, case)
    supplied = case.steps.filter(step=4).get()
    assert supplied.detail["berkas"] == ["sk-penunjukan"]
    assert Document.objects.filter(case=case, kode="sk-penunjukan").count() == 2

    # The mail Loket sends on the case is threaded to its earlier ones.
    call_command("worker", "--once")
    by_template = {m.message["Message-ID"]: m for m in smtp_server.wait_for(2)}
    sent_ask = by_template[ask.message_id].message
    first = OutboxMessage.objects.get(case=case, template="diterima")
    opening = InboundMail.objects.get(case=case, status=InboundMail.Status.REQUEST).message_id
    assert sent_ask["In-Reply-To"] == first.message_id
    # The thread starts at the requester's mail that opened the case.
    assert sent_ask["References"] == f"{opening} {first.message_id}"
    assert sent_ask["Auto-Submitted"] == "auto-generated"


def test_a_reply_with_only_the_reference_in_the_subject_is_threaded(service, mailbox):
    case = waiting_for_sk(service, mailbox)
    reply = request_mail(
        service, subject=f"SK untuk {case.reference}", attachments=[("lampiran.jpg", "image/jpeg", jpeg_bytes())]
    )
    deliver_mail(mailbox, reply)

    poll(mailbox)

    case.refresh_from_db()
    assert case.current_step == 2
    assert InboundMail.objects.get(message_id=reply["Message-ID"]).status == InboundMail.Status.SUPPLIED
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    "headers, subject",
    [
        ({"Auto-Submitted": "auto-replied"}, SUBJECT),
        ({"X-Autoreply": "yes"}, SUBJECT),
        ({"Precedence": "bulk"}, SUBJECT),
        ({"List-Id": "<pengadaan.lists.uji.go.id>"}, SUBJECT),
        ({}, "Out of Office: " + SUBJECT),
        ({}, "Balasan otomatis: " + SUBJECT),
    ],
)
def test_auto_replies_and_list_mail_are_ignored(service, mailbox, headers, subject):
    deliver_mail(mailbox, request_mail(service, subject=subject, headers=headers))

    poll(mailbox)

    row = InboundMail.objects.get()
    assert row.status == InboundMail.Status.IGNORED and row.reason
    assert not Case.objects.exists()
    assert not OutboxMessage.objects.exists()  # never answered: no mail loop
    assert folder_subjects(mailbox, "Diproses") == [subject]


def test_a_bounce_is_ignored(service, mailbox):
    bounce = make_mail(
        sender="MAILER-DAEMON@mail.uji.go.id",
        subject="Undelivered Mail Returned to Sender",
        attachments=[("laporan.pdf", "application/pdf", pdf_bytes())],
    )
    report = EmailMessage()
    for name in ("From", "To", "Subject", "Date"):
        report[name] = bounce[name]
    report["Message-ID"] = "<laporan-1@mail.uji.go.id>"
    report.set_content("This is the mail system at host mail.uji.go.id.\n")
    report.add_attachment(
        "Reporting-MTA: dns; mail.uji.go.id\n\nFinal-Recipient: rfc822; x@y.test\nAction: failed\nStatus: 5.1.1\n",
        subtype="delivery-status",
    )
    report.replace_header("Content-Type", report["Content-Type"].replace("multipart/mixed", "multipart/report"))
    deliver_mail(mailbox, report)
    deliver_mail(mailbox, bounce)

    poll(mailbox)

    assert [r.status for r in InboundMail.objects.all()] == [InboundMail.Status.IGNORED] * 2
    assert not Case.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_mail_with_a_bad_attachment_is_answered_with_what_to_send(service, mailbox):
    deliver_mail(
        mailbox,
        request_mail(
            service,
            attachments=[
                ("surat-pengajuan.pdf", "application/pdf", b"%PDF-1.4\nini bukan PDF yang utuh"),
                ("sk-penunjukan.jpg", "image/jpeg", jpeg_bytes()),
            ],
        ),
    )

    poll(mailbox)

    assert not Case.objects.exists()
    row = InboundMail.objects.get()
    assert row.status == InboundMail.Status.ANSWERED
    answer = OutboxMessage.objects.get()
    assert (answer.template, answer.to) == ("kotak-masuk-berkas-kurang", service.account.email)
    assert "Surat pengajuan pemulihan akun SPSE" in answer.body
    assert "SK penunjukan sebagai pejabat pengadaan" in answer.body
    assert SUBJECT in answer.body
    assert folder_subjects(mailbox, "Diproses") == [SUBJECT]


def test_a_bad_attachment_in_a_reply_is_answered_on_the_case(service, mailbox):
    case = waiting_for_sk(service, mailbox)
    deliver_mail(
        mailbox,
        request_mail(
            service, subject=f"Re: [{case.reference}]", attachments=[("sk.pdf", "application/pdf", b"%PDF rusak")]
        ),
    )

    poll(mailbox)

    case.refresh_from_db()
    assert case.status == Status.WAITING
    answer = OutboxMessage.objects.get(template="kotak-masuk-berkas-kurang")
    assert answer.case == case and answer.subject.startswith(f"[{case.reference}]")
    assert "SK penunjukan sebagai pejabat pengadaan" in answer.body


def test_a_subject_naming_no_service_is_left_for_staff(service, mailbox):
    deliver_mail(mailbox, request_mail(service, subject="Mohon bantuan"))

    poll(mailbox)

    assert InboundMail.objects.get().status == InboundMail.Status.NEEDS_SERVICE
    assert not Case.objects.exists()


def test_an_unknown_sender_is_left_for_staff(service, mailbox):
    deliver_mail(mailbox, request_mail(service, sender="orang.lain@gmail.com"))

    poll(mailbox)

    assert InboundMail.objects.get().status == InboundMail.Status.NEEDS_REVIEW
    assert not Case.objects.exists()


class Crash(BaseException):
    """The poller dies (as a kill would stop it), after the first mail's transaction committed."""


def test_a_poller_stopped_mid_batch_makes_no_duplicate_on_the_rerun(service, mailbox, monkeypatch):
    other = service.accounts[list(service.accounts)[1]]
    deliver_mail(mailbox, request_mail(service, subject=SUBJECT + " (1)"))
    deliver_mail(mailbox, request_mail(service, sender=other.email, subject=SUBJECT + " (2)"))

    def crash(row):  # type: ignore[no-untyped-def]
        raise Crash

    monkeypatch.setattr(services, "after_commit", crash)
    with pytest.raises(Crash):
        services.poll_mailbox(mailbox)
    assert Case.objects.count() == 1
    assert len(folder_subjects(mailbox, "INBOX")) == 2  # committed, not yet moved

    monkeypatch.undo()
    result = poll(mailbox)

    assert Case.objects.count() == 2
    assert sorted(Case.objects.values_list("requester_email", flat=True)) == sorted(
        [service.account.email, other.email]
    )
    assert InboundMail.objects.count() == 2
    assert result.read == 2 and result.moved == 2
    assert folder_subjects(mailbox, "INBOX") == []
    assert sorted(folder_subjects(mailbox, "Diproses")) == [SUBJECT + " (1)", SUBJECT + " (2)"]


def test_a_failing_mail_is_retried_then_moved_to_the_failed_folder(service, mailbox, monkeypatch, settings):
    settings.LOKET_MAILBOX_MAX_ATTEMPTS = 2
    deliver_mail(mailbox, request_mail(service))

    def broken(box, mail):  # type: ignore[no-untyped-def]
        raise RuntimeError("direktori tidak terjangkau")

    monkeypatch.setattr(services, "classify", broken)
    assert poll(mailbox).failed == 1
    row = InboundMail.objects.get()
    assert (row.status, row.attempts, row.moved_to) == (InboundMail.Status.FAILED, 1, "")
    assert "direktori tidak terjangkau" in row.last_error
    assert folder_subjects(mailbox, "INBOX") == [SUBJECT]  # left for the next poll

    poll(mailbox)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.moved_to) == (InboundMail.Status.FAILED, 2, "Gagal")
    assert folder_subjects(mailbox, "Gagal") == [SUBJECT]
    assert not Case.objects.exists()


def test_the_command_polls_once_and_reports(service, mailbox, capsys):
    deliver_mail(mailbox, request_mail(service))

    call_command("mailbox", "poll", "--once")

    out = capsys.readouterr().out
    assert "Kotak masuk uji: 1 e-mail dibaca (1 menjadi permohonan); 0 gagal" in out
    assert Case.objects.count() == 1


def test_a_wrong_password_is_recorded_without_the_password(service, mailbox):
    mailbox.set_password("salah-sekali-123")
    mailbox.save()

    result = services.poll_mailbox(mailbox)

    assert result.error
    mailbox.refresh_from_db()
    assert mailbox.last_error and "salah-sekali-123" not in mailbox.last_error


def test_the_command_sets_a_mailbox_with_the_password_from_the_environment(service, imap_server, monkeypatch, capsys):
    user, password = imap_server.add_user()
    monkeypatch.setenv("LOKET_MAILBOX_PASSWORD", password)

    call_command(
        "mailbox",
        "set",
        "uji",
        "--host",
        imap_server.host,
        "--port",
        str(imap_server.port),
        "--security",
        "none",
        "--user",
        user,
    )
    call_command("mailbox", "list")
    call_command("mailbox", "poll", "--once", "--unit", "uji")

    out = capsys.readouterr().out
    assert password not in out
    assert f"uji: {user} @ 127.0.0.1:{imap_server.port} (none, aktif)" in out
    assert "Kotak masuk uji: 0 e-mail dibaca; 0 gagal" in out
