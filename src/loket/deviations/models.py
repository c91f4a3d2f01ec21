"""A deviation from the mutu baku (`Deviation`): one step of one case that ran over its time
standard or was done with a required document missing, the executor's answer and the
supervisor's review; and its history (`DeviationEvent`), every answer and review kept.

The rules that decide what is a deviation live in `services.deviations_of` (one place); the
lane that reviews (the SOP's `pengawas`) and who sees what in `selectors`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    TIME = "waktu", _("waktu")
    REQUIREMENT = "persyaratan", _("persyaratan")


class Status(models.TextChoices):
    OPEN = "terbuka", _("belum dijawab")
    ANSWERED = "dijawab", _("dijawab, menunggu tinjauan")
    ACCEPTED = "diterima", _("diterima")
    RETURNED = "dikembalikan", _("dikembalikan")


# The states in which the executor may (again) give their reason, and in which a reviewer decides.
ANSWERABLE = (Status.OPEN, Status.RETURNED)
REVIEWABLE = (Status.ANSWERED,)


class Deviation(models.Model):
    """One deviation of one step (StepRun) of one kind; the step's actor answers for it."""

    step_run = models.ForeignKey("cases.StepRun", on_delete=models.CASCADE, related_name="deviations")
    # The step's case, number and lane, kept beside it so that the lists and the report's counts
    # filter and group without joining the steps (ten million rows at national scale).
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="deviations")
    step = models.PositiveIntegerField(_("langkah"), db_default=0)
    lane = models.CharField(_("pelaksana"), max_length=60, blank=True, db_default="")
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices)
    executor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deviations", verbose_name=_("pelaksana")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    # Raised on every change; an answer or a review names the version it saw (optimistic check).
    version = models.PositiveIntegerField(default=1)
    recorded_at = models.DateTimeField(_("dicatat"))
    # What was measured: {"menit_kerja": n, "mutu_baku": m} or {"berkas": [kode, ...]}.
    detail = models.JSONField(_("rincian"), default=dict, blank=True)
    reason = models.TextField(_("alasan"), blank=True)
    answered_at = models.DateTimeField(_("dijawab"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("peninjau"),
    )
    review_note = models.TextField(_("catatan tinjauan"), blank=True)
    reviewed_at = models.DateTimeField(_("ditinjau"), null=True, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["step_run", "kind"], name="deviation_step_kind_unique")]
        indexes = [
            # "Penyimpangan saya": an executor's deviations, newest first, by status.
            models.Index(fields=["executor", "status", "recorded_at"], name="deviation_executor_idx"),
            # The supervisor's list and the report's counts: a unit's cases' deviations.
            models.Index(fields=["case", "kind"], name="deviation_case_idx"),
            models.Index(fields=["status", "recorded_at"], name="deviation_status_idx"),
            # The nav's count of what waits for review: the answered ones, by case.
            models.Index(fields=["status", "case"], name="deviation_status_case_idx"),
        ]
        verbose_name = _("penyimpangan")
        verbose_name_plural = _("penyimpangan")

    def __str__(self) -> str:
        return f"{self.case_id} #{self.step_run_id} {self.kind} {self.status}"


class DeviationEvent(models.Model):
    """One thing that happened to a deviation, with the text given then (never overwritten)."""

    class Action(models.TextChoices):
        RECORDED = "dicatat", _("dicatat")
        ANSWERED = "dijawab", _("dijawab")
        ACCEPTED = "diterima", _("diterima")
        RETURNED = "dikembalikan", _("dikembalikan")

    deviation = models.ForeignKey(Deviation, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("waktu"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("tindakan"), max_length=12, choices=Action.choices)
    text = models.TextField(_("isi"), blank=True)

    class Meta:
        ordering = ["deviation", "at", "id"]
        verbose_name = _("riwayat penyimpangan")
        verbose_name_plural = _("riwayat penyimpangan")

    def __str__(self) -> str:
        return f"{self.deviation_id} {self.action}"
