"""Sending the outbox: the task queued with each mail, and the sweep that catches what it missed.

`deliver` is the one place a mail leaves. It works in three steps so that a worker killed at any
moment leaves the row telling what may have happened (docs/mail.md, "After a crash"):

1. a short transaction claims the row: status `sending`, `attempted_at`, one more attempt; COMMIT;
2. the SMTP conversation, outside any transaction, with the secrets filled in and the row's own
   `Message-ID`;
3. a second short transaction records the outcome: `sent` with the secrets erased, or back to
   pending for a later try (after a growing pause, up to MAX_ATTEMPTS), or `failed` for good,
   again with the secrets erased.

A row left `sending` longer than the lease (`mail_lease()`) lost its worker between steps 1 and 3:
the relay may or may not have accepted it. `send_pending` sends it again, with the same
Message-ID: at least once, never lost. That window, from the relay's "250 accepted" to the commit
of step 3, is the only one in which a mail can go out twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from .models import CODE_MARKER, LINK_MARKER, OutboxMessage

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# The pause after the 1st, 2nd, 3rd and 4th failed attempt: an SMTP outage of an hour or so
# does not use up every attempt.
RETRY_DELAYS = [dt.timedelta(minutes=m) for m in (1, 5, 15, 60)]
# A pending mail younger than this still has its own task on the way; the sweep leaves it be.
SWEEP_AFTER = dt.timedelta(minutes=1)


class Outcome:
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"


def mail_lease() -> dt.timedelta:
    """How long a worker may take over one mail before it is taken for lost.

    `LOKET_MAIL_LEASE_SECONDS`, by default the larger of 5 minutes and ten EMAIL_TIMEOUTs (one
    SMTP conversation is a handful of exchanges, each bounded by EMAIL_TIMEOUT). The same lease
    applies to a task row left RUNNING (see worker.reclaim_lost_tasks).
    """
    default = max(300, 10 * int(getattr(settings, "EMAIL_TIMEOUT", None) or 30))
    return dt.timedelta(seconds=float(getattr(settings, "LOKET_MAIL_LEASE_SECONDS", default)))


def new_message_id() -> str:
    """A fresh Message-ID (`<...@domain>`), the domain taken from DEFAULT_FROM_EMAIL."""
    domain = parseaddr(str(settings.DEFAULT_FROM_EMAIL))[1].rpartition("@")[2] or "loket.localhost"
    return make_msgid(domain=domain)


@task()
def send_outbox_message(message_id: int) -> str:
    """Send one outbox message (queued by queue_mail); returns the outcome."""
    return deliver(message_id)


def _erase_secrets(message: OutboxMessage) -> list[str]:
    message.secret_link = ""
    message.secret_code = ""
    return ["secret_link", "secret_code"]


def _claim(message_id: int, now: dt.datetime) -> tuple[OutboxMessage, bool] | str:
    """Step 1: take the row (pending, or `sending` past its lease) and commit it as `sending`.

    Returns the claimed row, with its secrets still in memory, and whether an earlier attempt
    was interrupted; or an Outcome when there is nothing to send.
    """
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status=OutboxMessage.Status.PENDING)
                | Q(status=OutboxMessage.Status.SENDING, attempted_at__lte=now - mail_lease()),
                pk=message_id,
            )
            .first()
        )
        if message is None:
            return Outcome.SKIPPED
        fields = ["attempts", "last_error", "status", "next_attempt_at", "attempted_at", "message_id"]
        interrupted = message.status == OutboxMessage.Status.SENDING
        if interrupted:
            logger.warning(
                "Outbox message %s (%s): attempt %s began %s and never finished (worker lost); "
                "the relay may have accepted it, so it may arrive twice, with Message-ID %s",
                message.pk,
                message.template,
                message.attempts,
                message.attempted_at,
                message.message_id,
            )
        if message.secret_erased:
            # Never send the marker in place of the secret: staff must issue a new link.
            message.status = OutboxMessage.Status.FAILED
            message.last_error = _("Tautan atau kode dalam e-mail ini sudah dihapus; e-mail tidak dapat dikirim lagi.")
            message.next_attempt_at = None
            message.save(update_fields=[*fields, *_erase_secrets(message)])
            return Outcome.FAILED
        if interrupted and message.attempts >= MAX_ATTEMPTS:
            message.status = OutboxMessage.Status.FAILED
            message.last_error = _(
                "Pekerja berhenti di tengah percobaan terakhir; server e-mail mungkin sudah menerimanya."
            )
            message.next_attempt_at = None
            message.save(update_fields=[*fields, *_erase_secrets(message)])
            return Outcome.FAILED
        message.status = OutboxMessage.Status.SENDING
        message.attempts += 1
        message.attempted_at = now
        message.message_id = message.message_id or new_message_id()
        if interrupted:
            message.last_error = _(
                "Percobaan sebelumnya terputus (pekerja berhenti); dikirim ulang dengan Message-ID yang sama."
            )
        message.save(update_fields=fields)
        return message, interrupted


def deliver(message_id: int, *, now: dt.datetime | None = None) -> str:
    """Send message `message_id` if it is pending (or `sending` past its lease) and nobody else is.

    Effects: the row is committed as `sending` (one more attempt, `attempted_at`) before the
    SMTP conversation; the mail goes out through the configured mail backend with its secrets
    filled in and the row's Message-ID; then the row records `sent` and sent_at, with
    secret_link and secret_code erased. On failure the row goes back to pending with the error
    (never a secret) and the time of the next try, or turns `failed` after MAX_ATTEMPTS (secrets
    erased). A worker that dies in between leaves the row `sending`; see the module docstring.
    """
    now = now or timezone.now()
    claimed = _claim(message_id, now)
    if isinstance(claimed, str):
        return claimed
    message, interrupted = claimed
    mail = EmailMessage(
        subject=message.subject,
        body=message.body.replace(LINK_MARKER, message.secret_link).replace(CODE_MARKER, message.secret_code),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        headers={"Auto-Submitted": "auto-generated", "Message-ID": message.message_id, **_thread_headers(message)},
    )
    try:
        _attach(mail, message)
        mail.send()
    except Exception as exc:  # whatever the backend raises, the row must say so
        return _record_failure(message, exc, now)
    # After an interrupted attempt the admin shows that this mail may have arrived twice.
    note = _("Terkirim; percobaan sebelumnya terputus, jadi penerima mungkin mendapat dua salinan (Message-ID sama).")
    _record(
        message,
        status=OutboxMessage.Status.SENT,
        sent_at=timezone.now(),
        last_error=note if interrupted else "",
        next_attempt_at=None,
        secret_link="",
        secret_code="",
    )
    logger.info("Outbox message %s (%s) sent", message.pk, message.template)
    return Outcome.SENT


# References keeps the first mail of the case and the latest ones (RFC 5322 allows trimming).
MAX_REFERENCES = 10


def _thread_headers(message: OutboxMessage) -> dict[str, str]:
    """In-Reply-To and References: the mail this one answers and the thread before it, so that
    the requester's client shows one thread and their reply names the case.

    The thread is, in order, the Message-IDs of the case's earlier mail, each preceded by the
    requester's mail it answered (`in_reply_to`: the mail that opened the case, a reply read from
    the mailbox), then the requester's mail this one answers. In-Reply-To is that last mail: the
    requester's mail this one answers, else the case's latest earlier mail. A mail of no case
    answers only its `in_reply_to`, when it has one."""
    thread: list[str] = []
    if message.case_id is not None:
        for answered, own in (
            OutboxMessage.objects.filter(case_id=message.case_id, pk__lt=message.pk)
            .order_by("pk")
            .values_list("in_reply_to", "message_id")
        ):
            thread += [answered, own]
    thread = [i for i in dict.fromkeys(thread) if i and i != message.in_reply_to]
    if message.in_reply_to:
        thread.append(message.in_reply_to)
    if not thread:
        return {}
    if len(thread) > MAX_REFERENCES:
        thread = [thread[0], *thread[-(MAX_REFERENCES - 1) :]]
    return {"In-Reply-To": thread[-1], "References": " ".join(thread)}


def _attach(mail: EmailMessage, message: OutboxMessage) -> None:
    """The mail's attachments: a case document's stored file, or a small text file."""
    from loket.cases.models import Document

    for item in message.attachments:
        if "document" in item:
            doc = Document.objects.get(pk=item["document"])
            with doc.file.open("rb") as f:
                mail.attach(doc.original_name, f.read(), doc.content_type)
        else:
            mail.attach(item["name"], item["text"], item["content_type"])


def _record(message: OutboxMessage, **values: object) -> None:
    """Step 3: write the outcome, only while the row is still `sending` (one short statement).

    A row no longer `sending` was finished by another worker that took it over after the lease:
    its outcome stands.
    """
    updated = OutboxMessage.objects.filter(pk=message.pk, status=OutboxMessage.Status.SENDING).update(**values)
    if not updated:
        logger.warning("Outbox message %s was finished by another worker meanwhile", message.pk)


def _record_failure(message: OutboxMessage, exc: Exception, now: dt.datetime) -> str:
    error = _scrub(f"{type(exc).__name__}: {exc}", message)[:1000]
    if message.attempts >= MAX_ATTEMPTS:
        _record(
            message,
            status=OutboxMessage.Status.FAILED,
            last_error=error,
            next_attempt_at=None,
            secret_link="",
            secret_code="",
        )
        outcome = Outcome.FAILED
    else:
        delay = RETRY_DELAYS[min(message.attempts, len(RETRY_DELAYS)) - 1]
        _record(message, status=OutboxMessage.Status.PENDING, last_error=error, next_attempt_at=now + delay)
        outcome = Outcome.RETRY
    logger.warning(
        "Outbox message %s (%s) attempt %s failed: %s", message.pk, message.template, message.attempts, error
    )
    return outcome


def _scrub(text: str, message: OutboxMessage) -> str:
    """Keep a secret out of an error text, should a server ever echo the mail back."""
    for secret, marker in ((message.secret_link, LINK_MARKER), (message.secret_code, CODE_MARKER)):
        if secret:
            text = text.replace(secret, marker)
    return text


def send_pending(limit: int = 100, *, now: dt.datetime | None = None) -> int:
    """Send the mail whose own task was lost, failed or died with its worker; returns how many were sent.

    Picks up to `limit` messages, oldest first: pending ones older than SWEEP_AFTER whose next
    try is due, and `sending` ones whose attempt began longer than the lease ago (their worker
    died mid-send: they go out again with the same Message-ID). See `deliver` for the effects.
    """
    now = now or timezone.now()
    pending = Q(status=OutboxMessage.Status.PENDING, created_at__lte=now - SWEEP_AFTER) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    lost = Q(status=OutboxMessage.Status.SENDING, attempted_at__lte=now - mail_lease())
    due = OutboxMessage.objects.filter(pending | lost).order_by("created_at", "id").values_list("pk", flat=True)[:limit]
    return sum(deliver(pk, now=now) == Outcome.SENT for pk in list(due))
