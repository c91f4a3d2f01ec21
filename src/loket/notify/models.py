"""An outgoing mail, kept until sent (and after, without its secret link, for the record)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Where a mail's one-time link goes in the stored body; filled in only at send time.
LINK_MARKER = "[[TAUTAN-SEKALI-PAKAI]]"
# Where a requester's tracking code goes in the stored body (only its digest is kept elsewhere).
CODE_MARKER = "[[KODE-PELACAKAN]]"


class OutboxMessage(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("menunggu dikirim")
        # Handed to the relay by a worker: committed before the SMTP conversation starts, so that a
        # worker that dies mid-send leaves a trace (see tasks.deliver and docs/mail.md).
        SENDING = "sending", _("sedang dikirim")
        SENT = "sent", _("terkirim")
        FAILED = "failed", _("gagal")

    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True, db_index=True)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="mails")
    template = models.CharField(_("templat"), max_length=80)
    to = models.EmailField(_("kepada"))
    subject = models.CharField(_("perihal"), max_length=300)
    body = models.TextField(_("isi"))
    # The one-time link of a credential mail: stored only until the mail is sent, then erased.
    secret_link = models.CharField(max_length=500, blank=True)
    # The requester's tracking code (mail `diterima`): same rule as the link.
    secret_code = models.CharField(max_length=64, blank=True)
    # The mail's Message-ID header, chosen at queue time: every attempt, a resend after a crash
    # included, carries the same one, so receivers can tell a duplicate.
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    # The Message-ID of the mail this one answers that Loket did not send (the requester's mail
    # read from a unit's mailbox): In-Reply-To and the head of References (tasks._thread_headers).
    in_reply_to = models.CharField(_("membalas Message-ID"), max_length=255, blank=True)
    # Files sent with the mail: a case's document (`{"document": id}`, read at send time) or a
    # small text file (`{"name", "content_type", "text"}`, e.g. a calendar invitation). No secret.
    attachments = models.JSONField(_("lampiran"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    last_error = models.TextField(_("galat terakhir"), blank=True)
    # When the current (or last) attempt began; a row still `sending` long after is a worker lost.
    attempted_at = models.DateTimeField(_("percobaan terakhir pada"), null=True, blank=True)
    sent_at = models.DateTimeField(_("terkirim pada"), null=True, blank=True)
    # After a failed attempt the sweep waits until then before trying again (backoff).
    next_attempt_at = models.DateTimeField(_("coba lagi setelah"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("e-mail keluar")
        verbose_name_plural = _("kotak keluar")
        # The health check's oldest waiting mail: only the few rows not sent yet, however large
        # the outbox grows.
        indexes = [
            models.Index(
                fields=["created_at"], condition=models.Q(status__in=["pending", "sending"]), name="outbox_waiting_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"

    @property
    def secret_erased(self) -> bool:
        """Whether the body waits for a secret the row no longer holds (it can never be sent)."""
        return (LINK_MARKER in self.body and not self.secret_link) or (
            CODE_MARKER in self.body and not self.secret_code
        )
