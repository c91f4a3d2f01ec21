"""The outbox end to end: queued in a transaction, sent over real SMTP by `loket worker`."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from loket.notify.models import CODE_MARKER, LINK_MARKER, OutboxMessage
from loket.notify.services import queue_mail
from loket.notify.tasks import MAX_ATTEMPTS, deliver, send_pending
from tests.fixtures_smtp import free_port

LINK = "https://loket.example.go.id/kredensial/Zq9-rahasia-sekali/"
CODE = "ABCD-EFGH-JKLM-NPQR"

pytestmark = pytest.mark.django_db


def queue_password_mail(to: str = "siti@pupr.kaltimprov.go.id") -> OutboxMessage:
    return queue_mail(
        to=to,
        template="hasil-password",
        context={
            "reference": "KALTIM-2026-000007",
            "name": "Siti Rahmawati",
            "hours": 24,
            "unit_name": "LPSE Provinsi Kalimantan Timur",
        },
        secret_link=LINK,
    )


def queue_received_mail(to: str = "pemohon.baru@gmail.com") -> OutboxMessage:
    return queue_mail(
        to=to,
        template="diterima",
        context={
            "reference": "KALTIM-2026-000007",
            "tracking_code": CODE,
            "unit_name": "LPSE Provinsi Kalimantan Timur",
            "service_name": "Reset Password PPK",
            "status_url": "http://127.0.0.1:8000/permohonan/status/",
        },
    )


def work_once() -> None:
    call_command("worker", "--once", stdout=io.StringIO())


def stored_text(message: OutboxMessage) -> str:
    """Everything of a row an operator or a database dump could read."""
    message.refresh_from_db()
    return " ".join(str(getattr(message, f.attname)) for f in OutboxMessage._meta.concrete_fields)


def age(message: OutboxMessage, minutes: int) -> None:
    OutboxMessage.objects.filter(pk=message.pk).update(created_at=timezone.now() - dt.timedelta(minutes=minutes))


@pytest.mark.django_db(transaction=True)
def test_the_worker_delivers_queued_mail_with_the_secrets_filled_in_and_then_forgets_them(smtp_server, settings):
    settings.DEFAULT_FROM_EMAIL = "LPSE Kaltim <lpse@kaltimprov.go.id>"
    with transaction.atomic():
        password = queue_password_mail()
        received = queue_received_mail()
    assert LINK not in stored_text(password).replace(password.secret_link, "")
    assert CODE not in stored_text(received).replace(received.secret_code, "")

    work_once()

    mails = {m.envelope_to[0]: m for m in smtp_server.wait_for(2)}
    assert sorted(mails) == ["pemohon.baru@gmail.com", "siti@pupr.kaltimprov.go.id"]
    to_siti = mails["siti@pupr.kaltimprov.go.id"]
    assert to_siti.envelope_from == "lpse@kaltimprov.go.id"
    assert to_siti.subject == "Password sementara untuk permohonan KALTIM-2026-000007"
    assert f"\n{LINK}\n" in to_siti.body and LINK_MARKER not in to_siti.body
    assert to_siti.message["Auto-Submitted"] == "auto-generated"
    assert to_siti.message["Message-ID"] == password.message_id  # chosen at queue time, kept on the row
    assert password.message_id.endswith("@kaltimprov.go.id>")
    to_requester = mails["pemohon.baru@gmail.com"]
    assert CODE in to_requester.body and CODE_MARKER not in to_requester.body
    assert to_requester.subject == "Permohonan KALTIM-2026-000007 sudah kami terima"

    for message in (password, received):
        text = stored_text(message)
        assert (message.status, message.attempts, message.secret_link, message.secret_code) == ("sent", 1, "", "")
        assert message.sent_at is not None
        assert LINK not in text and CODE not in text
    assert LINK_MARKER in password.body and CODE_MARKER in received.body


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_neither_mail_nor_task(smtp_server):
    with pytest.raises(RuntimeError), transaction.atomic():
        queue_password_mail()
        assert (OutboxMessage.objects.count(), DBTaskResult.objects.count()) == (1, 1)
        raise RuntimeError("the change the mail tells about failed")
    assert (OutboxMessage.objects.count(), DBTaskResult.objects.count()) == (0, 0)
    work_once()
    assert smtp_server.messages == []


def test_the_task_is_queued_with_the_message_id_only():
    message = queue_password_mail()
    task = DBTaskResult.objects.get()
    assert task.task_path == "loket.notify.tasks.send_outbox_message"
    assert task.args_kwargs == {"args": [message.pk], "kwargs": {}}


def test_when_smtp_is_down_the_mail_stays_pending_and_goes_out_once_it_is_up(smtp_server, settings):
    settings.EMAIL_PORT = free_port()  # nothing listens there
    message = queue_password_mail()
    work_once()

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("pending", 1)
    assert "Connection" in message.last_error or "refused" in message.last_error.lower()
    assert LINK not in message.last_error
    assert message.secret_link == LINK  # still needed for the next try
    assert message.next_attempt_at is not None and message.next_attempt_at > timezone.now()
    # The sweep respects the pause after a failure ...
    age(message, 2)
    assert send_pending() == 0
    # ... and once it is over and the server answers, the mail goes out.
    settings.EMAIL_PORT = smtp_server.port
    assert send_pending(now=message.next_attempt_at + dt.timedelta(seconds=1)) == 1
    assert LINK in smtp_server.wait_for(1)[0].body
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error, message.secret_link) == ("sent", 2, "", "")


def test_after_the_last_attempt_the_mail_is_marked_failed(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    message = queue_password_mail()
    later = timezone.now()
    for _ in range(MAX_ATTEMPTS):
        later += dt.timedelta(hours=2)
        deliver(message.pk, now=later)
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", MAX_ATTEMPTS)
    assert (message.secret_link, message.secret_code) == ("", "")  # failed for good: the secret is erased
    assert LINK not in stored_text(message)
    assert send_pending(now=later + dt.timedelta(days=1)) == 0
    message.refresh_from_db()
    assert message.attempts == MAX_ATTEMPTS


def test_every_attempt_carries_the_same_message_id(smtp_server, settings):
    settings.EMAIL_PORT = free_port()
    message = queue_received_mail()
    deliver(message.pk)
    settings.EMAIL_PORT = smtp_server.port
    message.refresh_from_db()
    assert deliver(message.pk, now=message.next_attempt_at) == "sent"
    assert smtp_server.wait_for(1)[0].message["Message-ID"] == message.message_id


def test_a_mail_queued_without_a_message_id_gets_one_before_it_is_sent(smtp_server):
    message = queue_received_mail()
    OutboxMessage.objects.filter(pk=message.pk).update(message_id="")  # a row from before Message-IDs
    work_once()
    message.refresh_from_db()
    assert message.message_id.startswith("<")
    assert smtp_server.wait_for(1)[0].message["Message-ID"] == message.message_id


def test_the_sweep_sends_a_mail_whose_task_was_lost(smtp_server):
    message = queue_received_mail()
    DBTaskResult.objects.all().delete()  # the task never ran: a crash, a purge, a lost queue
    work_once()
    assert smtp_server.messages == []  # too young for the sweep: its task may still be on the way

    age(message, 2)
    assert send_pending() == 1
    assert CODE in smtp_server.wait_for(1)[0].body
    message.refresh_from_db()
    assert message.status == "sent"


def test_a_mail_already_sent_is_not_sent_again_by_its_task(smtp_server):
    message = queue_received_mail()
    age(message, 2)
    assert send_pending() == 1
    work_once()  # the task runs late
    assert len(smtp_server.wait_for(1)) == 1
    message.refresh_from_db()
    assert message.attempts == 1


def test_a_mail_whose_link_was_erased_is_never_sent_with_the_marker(smtp_server):
    message = queue_password_mail()
    OutboxMessage.objects.filter(pk=message.pk).update(secret_link="")
    work_once()
    message.refresh_from_db()
    assert message.status == "failed"
    assert "dihapus" in message.last_error
    assert smtp_server.messages == []


def test_with_a_backend_that_runs_at_once_the_mail_leaves_only_after_commit(
    smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_password_mail()
        assert smtp_server.messages == []
    assert LINK in smtp_server.wait_for(1)[0].body
    message.refresh_from_db()
    assert message.status == "sent"


def test_a_mail_not_sent_before_its_link_expired_loses_its_copy_of_the_link(settings):
    """The periodic job: the outbox keeps no copy of a one-time link that can no longer be used."""
    import datetime as dt

    from django.utils import timezone

    from loket.notify.models import OutboxMessage
    from loket.notify.services import erase_expired_secret_links

    old = OutboxMessage.objects.create(
        to="a@b.go.id",
        template="hasil-password",
        subject="s",
        body="[[TAUTAN-SEKALI-PAKAI]]",
        secret_link="https://x/akun/tautan/#rahasia",
    )
    fresh = OutboxMessage.objects.create(
        to="a@b.go.id",
        template="hasil-password",
        subject="s",
        body="[[TAUTAN-SEKALI-PAKAI]]",
        secret_link="https://x/akun/tautan/#baru",
    )
    OutboxMessage.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=settings.LOKET_LINK_HOURS, minutes=1)
    )
    assert erase_expired_secret_links() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.secret_link == "" and old.secret_erased
    assert fresh.secret_link.endswith("#baru")
    assert "loket.notify.services.erase_expired_secret_links" in settings.LOKET_PERIODIC_JOBS
