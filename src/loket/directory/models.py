"""Agencies (K/L/D/I), the accounts of a unit's SPSE mirrored in Loket's own database, the
one-time links that deliver their temporary passwords, and sign-in attempts."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Agency(models.Model):
    """A K/L/D/I an account belongs to, within one unit."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="agencies")
    name = models.CharField(_("nama instansi"), max_length=300)

    class Meta:
        ordering = ["unit", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="agency_unit_name_unique")]
        verbose_name = _("instansi")
        verbose_name_plural = _("instansi")

    def __str__(self) -> str:
        return self.name


class Account(models.Model):
    """One SPSE account. `password` holds an argon2 hash (Django's hashers), never the password."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="accounts")
    user_id = models.CharField(_("user ID"), max_length=80)
    name = models.CharField(_("nama"), max_length=200)
    nip = models.CharField(_("NIP"), max_length=18, blank=True)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("telepon"), max_length=30, blank=True)
    role = models.CharField(_("peran"), max_length=40)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="accounts")
    satker = models.CharField(_("satuan kerja"), max_length=300, blank=True)
    sk_number = models.CharField(_("nomor SK"), max_length=200, blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)
    must_change_password = models.BooleanField(_("wajib ganti password"), default=False)
    password = models.CharField(_("password (hash)"), max_length=256, blank=True)
    password_changed_at = models.DateTimeField(_("password diganti pada"), null=True, blank=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    class Meta:
        ordering = ["unit", "user_id"]
        constraints = [models.UniqueConstraint(fields=["unit", "user_id"], name="account_unit_user_id_unique")]
        # A user ID typed in another case is found on this index, not by a scan of the unit's
        # accounts (directory.backends.local.account_by_user_id).
        indexes = [
            models.Index("unit", Lower("user_id"), name="account_unit_user_id_lower"),
            # An index of its own, not `db_index=True`: on PostgreSQL the field option adds a
            # second, `varchar_pattern_ops` index for LIKE that no look-up of a NIP uses (39 MiB
            # at 10^6 accounts: bench/national.py).
            models.Index(fields=["nip"], name="account_nip_idx"),
        ]
        verbose_name = _("akun")
        verbose_name_plural = _("akun")

    def __str__(self) -> str:
        return f"{self.user_id} ({self.name})"


class CredentialLink(models.Model):
    """A one-time link to a temporary password. The password is kept only encrypted with a key
    derived from the link's token, and the token only as its SHA-256: the database alone cannot
    reveal it. Revealing (POST) consumes it."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="credential_links")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64, unique=True)
    sealed_password = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revealed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "cases_credentiallink"  # where it was created, before it moved to the directory
        verbose_name = _("tautan sekali pakai")
        verbose_name_plural = _("tautan sekali pakai")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.account_id}"


class SignInAttempt(models.Model):
    """One attempt to sign in with an account (the SPSE stand-in), kept so that guessing can be
    stopped across processes and machines: the rate limit counts these rows."""

    class Outcome(models.TextChoices):
        OK = "ok", _("berhasil")
        FAILED = "failed", _("gagal")
        BLOCKED = "blocked", _("ditolak (terlalu banyak percobaan)")

    at = models.DateTimeField(_("waktu"), db_index=True)
    unit_kode = models.CharField(_("unit"), max_length=40)
    user_id = models.CharField(_("user ID"), max_length=80)  # as typed, lower-cased
    ip = models.GenericIPAddressField(_("alamat IP"), null=True, blank=True)
    outcome = models.CharField(_("hasil"), max_length=10, choices=Outcome.choices)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["unit_kode", "user_id", "at"], name="signin_account_at"),
            models.Index(fields=["ip", "at"], name="signin_ip_at"),
        ]
        verbose_name = _("percobaan masuk")
        verbose_name_plural = _("percobaan masuk")

    def __str__(self) -> str:
        at = timezone.localtime(self.at)  # the admin's zone (loket.web.admin_zone)
        return f"{at:%d-%m-%Y %H:%M} {at.tzname()} {self.unit_kode}/{self.user_id} {self.outcome}"
