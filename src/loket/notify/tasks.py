"""Sending the outbox: the task queued with each mail, and the sweep that catches what it missed.

`deliver` is the one place a mail leaves: it locks the row, fills the secrets in, sends over
Django's mail backend (EMAIL_* settings), and records the outcome. A mail that fails stays
pending and is tried again by `send_pending` after a growing pause, up to MAX_ATTEMPTS in all;
then it is marked failed and waits for "kirim ulang" in the admin.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
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


@task()
def send_outbox_message(message_id: int) -> str:
    """Send one outbox message (queued by queue_mail); returns the outcome."""
    return deliver(message_id)


def deliver(message_id: int, *, now: dt.datetime | None = None) -> str:
    """Send message `message_id` if it is still pending and nobody else is sending it.

    Effects: the mail goes out through the configured mail backend with its secrets filled in;
    the row records attempts, sent_at and status `sent`, with secret_link and secret_code erased.
    On failure the row stays pending with the error (never a secret) and the time of the next
    try, or turns `failed` after MAX_ATTEMPTS.
    """
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=OutboxMessage.Status.PENDING)
            .first()
        )
        if message is None:
            return Outcome.SKIPPED
        now = now or timezone.now()
        message.attempts += 1
        fields = ["attempts", "last_error", "status", "next_attempt_at"]
        if (LINK_MARKER in message.body and not message.secret_link) or (
            CODE_MARKER in message.body and not message.secret_code
        ):
            # Never send the marker in place of the secret: staff must issue a new link.
            message.status = OutboxMessage.Status.FAILED
            message.last_error = _("Tautan atau kode dalam surel ini sudah dihapus; surel tidak dapat dikirim lagi.")
            message.next_attempt_at = None
            message.save(update_fields=fields)
            return Outcome.FAILED
        mail = EmailMessage(
            subject=message.subject,
            body=message.body.replace(LINK_MARKER, message.secret_link).replace(CODE_MARKER, message.secret_code),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
            headers={"Auto-Submitted": "auto-generated"},
        )
        try:
            mail.send()
        except Exception as exc:  # whatever the backend raises, the row must say so
            message.last_error = _scrub(f"{type(exc).__name__}: {exc}", message)[:1000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutboxMessage.Status.FAILED
                message.next_attempt_at = None
            else:
                message.next_attempt_at = now + RETRY_DELAYS[min(message.attempts, len(RETRY_DELAYS)) - 1]
            message.save(update_fields=fields)
            logger.warning(
                "Outbox message %s (%s) attempt %s failed: %s",
                message.pk,
                message.template,
                message.attempts,
                message.last_error,
            )
            return Outcome.FAILED if message.status == OutboxMessage.Status.FAILED else Outcome.RETRY
        message.status = OutboxMessage.Status.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        message.next_attempt_at = None
        message.secret_link = ""
        message.secret_code = ""
        message.save(update_fields=[*fields, "sent_at", "secret_link", "secret_code"])
        logger.info("Outbox message %s (%s) sent", message.pk, message.template)
        return Outcome.SENT


def _scrub(text: str, message: OutboxMessage) -> str:
    """Keep a secret out of an error text, should a server ever echo the mail back."""
    for secret, marker in ((message.secret_link, LINK_MARKER), (message.secret_code, CODE_MARKER)):
        if secret:
            text = text.replace(secret, marker)
    return text


def send_pending(limit: int = 100, *, now: dt.datetime | None = None) -> int:
    """Send pending mail whose own task was lost or failed; returns how many were sent.

    Picks up to `limit` pending messages older than SWEEP_AFTER whose next try is due, oldest
    first, and delivers each (see `deliver` for the effects).
    """
    now = now or timezone.now()
    due = (
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, created_at__lte=now - SWEEP_AFTER)
        .exclude(next_attempt_at__gt=now)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(deliver(pk, now=now) == Outcome.SENT for pk in list(due))
