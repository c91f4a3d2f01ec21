"""What a registration (`layanan: registrasi-akun`) needs beside its case: the candidate the head
of the agency asks an account for, the training sessions that gate the account's activation and
each candidate's seat in them, and per unit the reply letter's settings and number counter."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Registration(models.Model):
    """One request for a new account. The case's requester is the head of the agency (Pimpinan
    Instansi; `Case.requester_*`), or whoever files for them (`filed_by`); the candidate is who
    the account is for. `trained_at` is set when the candidate is recorded present at a session;
    `activated_at` when the account is active (local: at once; assisted: when staff confirm it in
    SPSE)."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="registration")
    head_position = models.CharField(_("jabatan pimpinan instansi"), max_length=200)
    filed_by = models.CharField(_("diajukan oleh (atas nama pimpinan)"), max_length=200, blank=True)
    # An agency the unit does not list yet, as the request names it; staff confirm it (Agency row).
    new_agency_name = models.CharField(_("instansi baru"), max_length=300, blank=True)
    candidate_name = models.CharField(_("nama calon Admin Agency"), max_length=200)
    candidate_nip = models.CharField(_("NIP calon"), max_length=18)
    candidate_email = models.EmailField(_("e-mail calon"))
    candidate_phone = models.CharField(_("telepon calon"), max_length=30)
    candidate_position = models.CharField(_("jabatan calon"), max_length=200)
    sk_number = models.CharField(_("nomor SK penunjukan"), max_length=200)
    sk_date = models.DateField(_("tanggal SK penunjukan"))
    letter_number = models.CharField(_("nomor surat jawaban"), max_length=120, blank=True)
    waiting_since = models.DateTimeField(_("menunggu pelatihan sejak"), null=True, blank=True)
    trained_at = models.DateTimeField(_("mengikuti pelatihan pada"), null=True, blank=True)
    activated_at = models.DateTimeField(_("akun diaktifkan pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("registrasi akun")
        verbose_name_plural = _("registrasi akun")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.candidate_name}"


class TrainingSession(models.Model):
    """A training session of a unit: when (stored in UTC, shown in the unit's zone), where (a
    place, an online link, or both), and how many candidates it takes."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="training_sessions")
    title = models.CharField(_("judul"), max_length=200, default="Pelatihan penggunaan aplikasi SPSE")
    starts_at = models.DateTimeField(_("mulai"))
    ends_at = models.DateTimeField(_("selesai"))
    place = models.CharField(_("tempat"), max_length=300, blank=True)
    online_url = models.URLField(_("tautan daring"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(_("kapasitas"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    attendance_recorded_at = models.DateTimeField(_("kehadiran dicatat pada"), null=True, blank=True)

    class Meta:
        ordering = ["unit", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="training_ends_after_start"
            ),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="training_capacity_positive"),
        ]
        verbose_name = _("sesi pelatihan")
        verbose_name_plural = _("sesi pelatihan")

    def __str__(self) -> str:
        starts = timezone.localtime(self.starts_at, zoneinfo.ZoneInfo(self.unit.zona_waktu))  # the unit's time
        return f"{self.unit_id} {starts:%d-%m-%Y %H:%M} {starts.tzname()} {self.title}"


class TrainingSeat(models.Model):
    """A candidate invited to a session, and whether they came. A candidate absent from one
    session keeps that seat on record and may be invited to another."""

    class Status(models.TextChoices):
        INVITED = "invited", _("diundang")
        PRESENT = "present", _("hadir")
        ABSENT = "absent", _("tidak hadir")

    session = models.ForeignKey(TrainingSession, on_delete=models.PROTECT, related_name="seats")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="seats")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.INVITED)
    invited_at = models.DateTimeField(_("diundang pada"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("kehadiran dicatat pada"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["session", "registration__candidate_name"]
        constraints = [
            models.UniqueConstraint(fields=["session", "registration"], name="trainingseat_session_registration_unique")
        ]
        verbose_name = _("peserta pelatihan")
        verbose_name_plural = _("peserta pelatihan")

    def __str__(self) -> str:
        return f"{self.session_id}: {self.registration_id} {self.status}"


class LetterSettings(models.Model):
    """A unit's reply letter (Surat Jawaban Permohonan Pembuatan Akun) and its account naming:
    the letterhead, the number pattern, the body, who signs, and the pattern of the user ID Loket
    proposes for a new account. A unit without a row uses the defaults (registration.letters)."""

    unit = models.OneToOneField("units.Unit", on_delete=models.CASCADE, related_name="letter_settings")
    letterhead = models.TextField(_("kop surat (satu baris per baris)"))
    city = models.CharField(_("kota penandatanganan"), max_length=100)
    number_pattern = models.CharField(
        _("pola nomor surat"),
        max_length=200,
        help_text=_("Penanda: {no} (nomor urut), {no:03d}, {bulan} (I-XII), {bulan_angka}, {tahun}, {unit}."),
    )
    body = models.TextField(
        _("isi surat"),
        help_text=_(
            "Penanda: {instansi}, {pimpinan}, {jabatan_pimpinan}, {calon}, {nip_calon}, {tanggal_permohonan}, "
            "{nomor_registrasi}, {unit}."
        ),
    )
    signer_name = models.CharField(_("nama penanda tangan"), max_length=200)
    signer_nip = models.CharField(_("NIP penanda tangan"), max_length=30, blank=True)
    signer_position = models.CharField(_("jabatan penanda tangan"), max_length=200)
    user_id_pattern = models.CharField(
        _("pola user ID akun baru"),
        max_length=80,
        help_text=_("Penanda: {nama} (nama depan), {nama_belakang}, {instansi} (singkatan), {nip}, {unit}."),
    )

    class Meta:
        verbose_name = _("pengaturan surat dan akun")
        verbose_name_plural = _("pengaturan surat dan akun")

    def __str__(self) -> str:
        return str(self.unit_id)


class LetterCounter(models.Model):
    """The last letter number given per unit and year (locked while the next is taken)."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="lettercounter_unit_year_unique")]

    def __str__(self) -> str:
        return f"{self.unit_id}-{self.year}: {self.last}"
