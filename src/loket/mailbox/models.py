"""A unit's mailbox polled over IMAP, and every mail read from it."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def _fernet() -> Fernet:
    """The key that seals mailbox passwords, derived from SECRET_KEY (the database alone cannot
    reveal them)."""
    digest = hashlib.sha256(f"loket.mailbox:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class Mailbox(models.Model):
    """The IMAP account a unit receives requests at. The password is kept sealed and never shown."""

    class Security(models.TextChoices):
        SSL = "ssl", _("SSL/TLS sejak awal (biasanya port 993)")
        STARTTLS = "starttls", _("STARTTLS (biasanya port 143)")
        NONE = "none", _("tanpa enkripsi (hanya untuk uji di mesin sendiri)")

    unit = models.OneToOneField("units.Unit", on_delete=models.PROTECT, related_name="mailbox")
    host = models.CharField(_("server IMAP"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(_("keamanan"), max_length=10, choices=Security.choices, default=Security.SSL)
    username = models.CharField(_("nama pengguna"), max_length=255)
    password_sealed = models.TextField(blank=True)
    inbox_folder = models.CharField(_("folder masuk"), max_length=200, default="INBOX")
    processed_folder = models.CharField(_("folder sudah diproses"), max_length=200, default="Diproses")
    failed_folder = models.CharField(_("folder gagal"), max_length=200, default="Gagal")
    enabled = models.BooleanField(_("aktif"), default=True)
    last_polled_at = models.DateTimeField(_("terakhir diperiksa"), null=True, blank=True)
    last_error = models.TextField(_("galat terakhir"), blank=True)

    class Meta:
        verbose_name = _("kotak surat")
        verbose_name_plural = _("kotak surat")

    def __str__(self) -> str:
        return f"{self.unit.kode}: {self.username}@{self.host}"

    def set_password(self, password: str) -> None:
        self.password_sealed = _fernet().encrypt(password.encode()).decode() if password else ""

    def get_password(self) -> str:
        if not self.password_sealed:
            return ""
        try:
            return _fernet().decrypt(self.password_sealed.encode()).decode()
        except InvalidToken:
            return ""  # SECRET_KEY changed: the administrator types the password again


class InboundMail(models.Model):
    """One mail read from a mailbox, keyed by its Message-ID: a rerun never handles it twice."""

    class Status(models.TextChoices):
        REQUEST = "request", _("menjadi permohonan")
        SUPPLIED = "supplied", _("berkas balasan diterima")
        REPLY = "reply", _("balasan dicatat pada permohonan")
        ANSWERED = "answered", _("dijawab: berkas kurang atau tidak terbaca")
        NEEDS_SERVICE = "service", _("perlu dipilihkan layanan")
        NEEDS_REVIEW = "review", _("perlu ditinjau petugas")
        IGNORED = "ignored", _("diabaikan")
        FAILED = "failed", _("gagal")

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="mails")
    message_id = models.CharField(_("Message-ID"), max_length=255)
    from_address = models.CharField(_("pengirim"), max_length=320, blank=True)
    subject = models.CharField(_("perihal"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("dikirim pada"), null=True, blank=True)
    received_at = models.DateTimeField(_("dibaca pada"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    reason = models.TextField(_("keterangan"), blank=True)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_mails"
    )
    attachments = models.JSONField(_("lampiran"), default=list, blank=True)  # [{name, size, kode}]
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    last_error = models.TextField(_("galat terakhir"), blank=True)
    moved_to = models.CharField(_("dipindahkan ke"), max_length=200, blank=True)
    processed_at = models.DateTimeField(_("diproses pada"), null=True, blank=True)
    # A person's look at a mail the poller left for staff (the console's "Sudah ditinjau", or the
    # service chosen for it): who, when, and their short note.
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ditinjau oleh"),
    )
    reviewed_at = models.DateTimeField(_("ditinjau pada"), null=True, blank=True)
    review_note = models.CharField(_("catatan tinjauan"), max_length=500, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "message_id"], name="inboundmail_mailbox_message_id_unique")
        ]
        verbose_name = _("e-mail masuk")
        verbose_name_plural = _("e-mail masuk")

    def __str__(self) -> str:
        return f"{self.from_address}: {self.subject}"

    @property
    def done(self) -> bool:
        return self.status != self.Status.FAILED
