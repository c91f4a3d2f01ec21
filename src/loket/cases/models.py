"""A case (one request), its steps (StepRun: the audit trail of the SOP), its documents, the
counter behind reference numbers and the sealed archive record."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    WEB = "web", _("formulir web")
    EMAIL = "email", _("e-mail")
    COUNTER = "loket", _("langsung di loket")
    API = "api", _("API")


class Need(models.TextChoices):
    PASSWORD = "password", _("password baru (beserta user ID)")
    USER_ID = "user-id", _("informasi user ID saja")
    NEW_ACCOUNT = "akun-baru", _("akun baru")


class Status(models.TextChoices):
    OPEN = "open", _("diproses petugas")
    WAITING = "waiting", _("menunggu pemohon")
    # After the account is created, until its holder attends training (the step's `tunggu`).
    TRAINING = "training", _("menunggu pelatihan")
    DONE = "done", _("selesai")
    REFUSED = "refused", _("ditolak")
    WITHDRAWN = "withdrawn", _("dibatalkan pemohon")
    EXPIRED = "expired", _("kedaluwarsa")


CLOSED = {Status.DONE, Status.REFUSED, Status.WITHDRAWN, Status.EXPIRED}


class Case(models.Model):
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="cases")
    sop = models.ForeignKey("catalog.SopVersion", on_delete=models.PROTECT, related_name="cases")
    reference = models.CharField(_("nomor registrasi"), max_length=40, unique=True)
    # SHA-256 of the tracking code; unique by a constraint (no unused LIKE index on PostgreSQL)
    tracking_digest = models.CharField(max_length=64)
    channel = models.CharField(_("kanal"), max_length=10, choices=Channel.choices)
    need = models.CharField(_("kebutuhan"), max_length=10, choices=Need.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    # Raised on every change; a decision names the version it saw (optimistic concurrency).
    version = models.PositiveIntegerField(default=1)

    # What the requester typed (shown back to them, compared with the directory by staff).
    requester_user_id = models.CharField(_("user ID"), max_length=80, blank=True)
    requester_nip = models.CharField(_("NIP"), max_length=18, blank=True)
    requester_name = models.CharField(_("nama"), max_length=200)
    requester_email = models.EmailField(_("e-mail"))
    requester_phone = models.CharField(_("telepon"), max_length=30, blank=True)
    # The role of `peran_akun` the requester holds, as they said or the directory told (it decides
    # which documents of the SOP apply, Sop.berkas_for); blank on older cases: every document.
    requester_role = models.CharField(_("peran"), max_length=60, blank=True)
    agency = models.ForeignKey(
        "directory.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    # The directory account the request is about, once found (by user ID or NIP) or chosen.
    account = models.ForeignKey(
        "directory.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    # Staff confirmed by phone that the typed e-mail is the holder's: credentials may go there.
    email_confirmed_by_phone = models.BooleanField(default=False)
    phone_confirmation = models.TextField(_("catatan konfirmasi telepon"), blank=True)

    # Who is setting the temporary password in SPSE by hand for this case, and since when: one
    # staff member at a time is offered a password, so two cannot set two different ones.
    password_claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    password_claimed_at = models.DateTimeField(null=True, blank=True)

    current_step = models.PositiveIntegerField(null=True, blank=True)
    current_lane = models.CharField(max_length=60, blank=True)
    current_due_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("diajukan"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(_("ditutup"), null=True, blank=True)
    outcome_note = models.TextField(_("catatan hasil"), blank=True)
    # When the retention job removed the files of this archived case (loket.cases.retention):
    # set, the case is done with; the job's search reads only the cases where it is not.
    documents_removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # Not `db_index=True` on the field: on PostgreSQL that adds a second index for LIKE,
            # which no filter on a lane uses (they are all equalities).
            models.Index(fields=["current_lane"], name="case_current_lane_idx"),
            models.Index(fields=["unit", "status", "current_lane", "current_due_at"], name="case_queue_idx"),
            # An agency-scoped lane's queue in its exact order (bench/cases.py: no sort on deep pages).
            models.Index(
                fields=["agency", "status", "current_lane", "current_due_at", "created_at", "id"],
                name="case_agency_queue_idx",
            ),
            # Finding any case (loket.cases.search): keyset pages of a unit's or an agency's cases
            # by submitted or due time, and the search box's exact look-ups.
            models.Index(fields=["unit", "created_at", "id"], name="case_unit_created_idx"),
            models.Index(fields=["agency", "created_at", "id"], name="case_agency_created_idx"),
            models.Index(fields=["unit", "current_due_at", "id"], name="case_unit_due_idx"),
            models.Index(fields=["agency", "current_due_at", "id"], name="case_agency_due_idx"),
            models.Index(fields=["requester_nip"], name="case_requester_nip_idx"),
            models.Index(fields=["requester_user_id"], name="case_requester_uid_idx"),
            models.Index(Lower("requester_email"), name="case_requester_email_idx"),
            # The retention job's search: a unit's closed cases by age, among those it has not done.
            models.Index(
                fields=["unit", "closed_at"],
                name="case_retention_pending_idx",
                condition=Q(documents_removed_at__isnull=True, closed_at__isnull=False),
            ),
        ]
        constraints = [models.UniqueConstraint(fields=["tracking_digest"], name="case_tracking_digest_unique")]
        verbose_name = _("permohonan")
        verbose_name_plural = _("permohonan")

    def __str__(self) -> str:
        return self.reference

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED


class StepRun(models.Model):
    """One step of the SOP as it ran for one case: who, on whose behalf, when, the answer."""

    class By(models.TextChoices):
        REQUESTER = "pemohon", _("pemohon")
        STAFF = "staf", _("petugas")
        SYSTEM = "sistem", _("sistem")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    step = models.PositiveIntegerField(_("langkah"))
    aksi = models.CharField(max_length=40)
    lane = models.CharField(_("pelaksana"), max_length=60)
    by = models.CharField(max_length=10, choices=By.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("mulai"))
    due_at = models.DateTimeField(_("tenggat"), null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    standard_minutes = models.PositiveIntegerField(_("mutu baku (menit)"), null=True, blank=True)
    working_minutes = models.PositiveIntegerField(_("menit kerja"), null=True, blank=True)
    answer = models.CharField(_("jawaban"), max_length=12, blank=True)
    note = models.TextField(_("catatan"), blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["case", "id"]
        verbose_name = _("langkah")
        verbose_name_plural = _("langkah")
        # The report counts the running steps live (the finished ones are in loket.tallies):
        # few steps are open at a time, and this index holds only those.
        indexes = [
            models.Index(fields=["case"], condition=Q(finished_at__isnull=True), name="steprun_open_idx"),
            # "Permohonan terakhir saya" on the case list walks a staff member's newest steps
            # (cases.search.recently_acted), whatever the size of everyone else's history.
            models.Index(fields=["actor", "-id"], name="steprun_actor_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.step} {self.aksi}"


def document_path(instance: Document, filename: str) -> str:
    return f"berkas/{instance.case.unit.kode}/{instance.case.reference}/{instance.sha256}"


class Document(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    kode = models.CharField(_("jenis berkas"), max_length=80)
    original_name = models.CharField(_("nama berkas"), max_length=255)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=document_path, max_length=300)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    step = models.PositiveIntegerField(_("diserahkan pada langkah"))
    # Set when the retention job removed the stored file: the row (name, size, SHA-256) stays, so
    # the archive's seal still verifies and the record still lists the document.
    removed_at = models.DateTimeField(_("dihapus sesuai masa retensi"), null=True, blank=True)

    class Meta:
        ordering = ["case", "kode", "-uploaded_at"]
        verbose_name = _("berkas")
        verbose_name_plural = _("berkas")

    def __str__(self) -> str:
        return f"{self.kode}: {self.original_name}"

    @property
    def is_removed(self) -> bool:
        """The file was removed by retention: there is nothing to open, only the row."""
        return self.removed_at is not None


class ReferenceCounter(models.Model):
    """The last reference number given per unit and year (locked while the next is taken)."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="refcounter_unit_year_unique")]

    def __str__(self) -> str:
        return f"{self.unit_id}-{self.year}: {self.last}"


class ArchiveRecord(models.Model):
    """The sealed file of a finished case: a manifest (documents with SHA-256, steps, actors,
    times) and its own SHA-256, printable as PDF."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="archive")
    sealed_at = models.DateTimeField()
    manifest = models.JSONField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("arsip")
        verbose_name_plural = _("arsip")

    def __str__(self) -> str:
        return f"{self.case_id} {self.sha256[:12]}"
