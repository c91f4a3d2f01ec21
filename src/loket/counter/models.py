"""The front office and the counters: guest-book entries, queue tickets, counters and their calls.

Which services take queue tickets at a unit, under which prefix, is a row per service
(`ServiceQueue`); which counters serve which services is a row per counter (`Counter`). Which
staff lanes may sign the guest book or sign in to a counter is read from the unit's installed SOPs
(loket.counter.lanes), never written here.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by hand


def new_short_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


def new_board_token() -> str:
    return secrets.token_urlsafe(24)


class ServiceQueue(models.Model):
    """A service (an SOP by kode) that takes queue tickets at a unit, and its ticket prefix."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="service_queues")
    sop_kode = models.SlugField(_("kode SOP"), max_length=80)
    name = models.CharField(_("nama layanan di tiket"), max_length=120)
    prefix = models.CharField(
        _("awalan nomor"), max_length=3, validators=[RegexValidator(r"^[A-Z]{1,3}$", _("Huruf besar A-Z, 1-3 huruf."))]
    )
    active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        ordering = ["unit", "prefix"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "sop_kode"], name="servicequeue_unit_sop_unique"),
            models.UniqueConstraint(fields=["unit", "prefix"], name="servicequeue_unit_prefix_unique"),
        ]
        verbose_name = _("layanan antrian")
        verbose_name_plural = _("layanan antrian")

    def __str__(self) -> str:
        return f"{self.prefix} — {self.name}"


class Counter(models.Model):
    """A counter (loket) of a unit, the services it serves, and who is signed in to it."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="counters")
    number = models.PositiveSmallIntegerField(_("nomor"))
    name = models.CharField(_("nama"), max_length=60, help_text=_("seperti yang diucapkan: Loket 1"))
    services = models.ManyToManyField(ServiceQueue, related_name="counters", verbose_name=_("layanan"))
    active = models.BooleanField(_("aktif"), default=True)
    staffed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    staffed_since = models.DateTimeField(_("dijaga sejak"), null=True, blank=True)

    class Meta:
        ordering = ["unit", "number"]
        constraints = [models.UniqueConstraint(fields=["unit", "number"], name="counter_unit_number_unique")]
        verbose_name = _("loket")
        verbose_name_plural = _("loket")

    def __str__(self) -> str:
        return f"{self.name} @ {self.unit_id}"


class GuestBookEntry(models.Model):
    """A visitor who signed the guest book at the front office: the SOP's record of the visit."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="guest_book")
    service = models.ForeignKey(ServiceQueue, on_delete=models.PROTECT, related_name="guests")
    name = models.CharField(_("nama"), max_length=200)
    agency = models.CharField(_("instansi"), max_length=300)
    id_number = models.CharField(_("NIP atau nomor identitas"), max_length=40)
    phone = models.CharField(_("telepon"), max_length=30)
    arrived_at = models.DateTimeField(_("waktu datang"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("dicatat"), auto_now_add=True)

    class Meta:
        ordering = ["-arrived_at", "-id"]
        indexes = [models.Index(fields=["unit", "arrived_at"])]
        verbose_name = _("buku tamu")
        verbose_name_plural = _("buku tamu")

    def __str__(self) -> str:
        return f"{self.name} ({self.agency})"


class Status(models.TextChoices):
    WAITING = "menunggu", _("menunggu")
    CALLED = "dipanggil", _("dipanggil")
    SERVING = "dilayani", _("dilayani")
    DONE = "selesai", _("selesai")
    NO_SHOW = "tidak-hadir", _("tidak hadir")
    TRANSFERRED = "dialihkan", _("dialihkan")
    CLOSED = "ditutup", _("antrian hari itu ditutup")


OPEN_STATUSES = (Status.WAITING, Status.CALLED, Status.SERVING)


class QueueTicket(models.Model):
    """A queue number of one service at one unit on one local day."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="queue_tickets")
    service = models.ForeignKey(ServiceQueue, on_delete=models.PROTECT, related_name="tickets")
    day = models.DateField(_("hari (waktu setempat)"))
    number = models.PositiveIntegerField(_("nomor"))
    code = models.CharField(_("kode tiket"), max_length=8, unique=True, default=new_short_code)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.WAITING)
    entry = models.ForeignKey(GuestBookEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets")
    counter = models.ForeignKey(
        Counter,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        help_text=_("loket yang memanggil; pada tiket menunggu: loket tujuan pengalihan"),
    )
    transferred_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="transferred_to"
    )
    case = models.OneToOneField(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="queue_ticket",
        help_text=_("permohonan yang dibuka dari tiket ini di loket"),
    )
    done_note = models.CharField(_("catatan selesai tanpa permohonan"), max_length=200, blank=True)
    issued_at = models.DateTimeField(_("diterbitkan"))
    called_at = models.DateTimeField(_("dipanggil"), null=True, blank=True)
    recalled_at = models.DateTimeField(_("dipanggil ulang"), null=True, blank=True)
    recalls = models.PositiveSmallIntegerField(_("kali dipanggil ulang"), default=0)
    serving_at = models.DateTimeField(_("mulai dilayani"), null=True, blank=True)
    done_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    no_show_at = models.DateTimeField(_("tidak hadir"), null=True, blank=True)
    closed_at = models.DateTimeField(_("ditutup"), null=True, blank=True)
    transferred_at = models.DateTimeField(_("dialihkan"), null=True, blank=True)

    class Meta:
        ordering = ["issued_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["service", "day", "number"], name="queueticket_service_day_number_unique")
        ]
        indexes = [models.Index(fields=["unit", "day", "status"])]
        verbose_name = _("tiket antrian")
        verbose_name_plural = _("tiket antrian")

    def __str__(self) -> str:
        return self.display

    @property
    def display(self) -> str:
        """The number as printed and spoken: A-012."""
        return f"{self.service.prefix}-{self.number:03d}"

    @property
    def minutes_at_counter(self) -> int | None:
        """Whole minutes from the visitor sitting down at the counter to the ticket's end."""
        if self.serving_at is None or self.done_at is None:
            return None
        return max(0, int((self.done_at - self.serving_at).total_seconds() // 60))

    @property
    def minutes_to_ticket(self) -> int | None:
        """Whole minutes from signing the guest book to the ticket (the SOP's time standard)."""
        if self.entry is None:
            return None
        return max(0, int((self.issued_at - self.entry.arrived_at).total_seconds() // 60))


class TicketEvent(models.Model):
    """Every change of a ticket, in order: what the board announces (calls and recalls) and the
    record of who did what at which counter."""

    class Kind(models.TextChoices):
        ISSUED = "terbit", _("diterbitkan")
        CALLED = "panggil", _("dipanggil")
        RECALLED = "panggil-ulang", _("dipanggil ulang")
        SERVING = "layani", _("mulai dilayani")
        DONE = "selesai", _("selesai")
        NO_SHOW = "tidak-hadir", _("tidak hadir")
        TRANSFERRED = "alihkan", _("dialihkan")
        CLOSED = "tutup", _("ditutup")

    ticket = models.ForeignKey(QueueTicket, on_delete=models.CASCADE, related_name="events")
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("peristiwa"), max_length=16, choices=Kind.choices)
    counter = models.ForeignKey(Counter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("waktu"))
    note = models.CharField(_("catatan"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["unit", "kind", "id"])]
        verbose_name = _("peristiwa tiket")
        verbose_name_plural = _("peristiwa tiket")

    def __str__(self) -> str:
        at = timezone.localtime(self.at)  # the admin's zone (loket.web.admin_zone)
        return f"{self.ticket_id} {self.kind} {at:%d-%m-%Y %H:%M} {at.tzname()}"


class Board(models.Model):
    """A display board of a unit (the waiting-room screen), reached by its secret token in the URL."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="boards")
    name = models.CharField(_("nama"), max_length=80, default="Ruang tunggu")
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_board_token)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    rotated_at = models.DateTimeField(_("token diganti"), null=True, blank=True)

    class Meta:
        ordering = ["unit", "name"]
        verbose_name = _("papan antrian")
        verbose_name_plural = _("papan antrian")

    def __str__(self) -> str:
        return f"{self.name} @ {self.unit_id}"
