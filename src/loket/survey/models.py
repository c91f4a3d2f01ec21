"""The survey's rows: an invitation per ended case, at most one answer per case, a tablet per counter.

- `Invitation`: one per case (made when the case ends with a result, or when staff offer the survey
  on the counter's tablet). Only the SHA-256 of its link's token is stored; the raw token lives in
  the mail alone (through the outbox's secret link, erased once sent).
- `Response`: the answer, one per case, enforced by the database (one-to-one on the case and on the
  invitation), the nine scores 1..4 each held by a check constraint. It keeps the unit, the SOP
  version and kode (the service) and the channel so that the index is one aggregate over this table
  alone, on its own indexes.
- `Tablet`: the counter's survey tablet, reached by its secret token in the URL (as the display
  board), with no staff sign-in.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .ikm import FIELDS, UNSUR


def new_tablet_token() -> str:
    return secrets.token_urlsafe(24)


class Invitation(models.Model):
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="survey_invitation")
    digest = models.CharField(max_length=64, unique=True)  # SHA-256 of the link's token
    created_at = models.DateTimeField(_("dibuat"))
    expires_at = models.DateTimeField(_("berlaku sampai"))
    mailed_at = models.DateTimeField(_("dikirim"), null=True, blank=True)
    # The counter whose tablet shows this survey, and since when (the tablet shows the newest offer).
    offered_counter = models.ForeignKey(
        "counter.Counter", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    offered_at = models.DateTimeField(_("ditawarkan di loket"), null=True, blank=True)
    used_at = models.DateTimeField(_("dijawab"), null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["offered_counter", "offered_at"], name="survey_inv_offered_idx")]
        verbose_name = _("undangan survei")
        verbose_name_plural = _("undangan survei")

    def __str__(self) -> str:
        return f"{self.case_id}"


class Via(models.TextChoices):
    LINK = "tautan", _("tautan e-mail")
    TABLET = "tablet", _("tablet di loket")


class Response(models.Model):
    invitation = models.OneToOneField(Invitation, on_delete=models.PROTECT, related_name="response")
    # One answer per case: the database refuses a second one, whatever the path it came by.
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="survey_response")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    sop = models.ForeignKey("catalog.SopVersion", on_delete=models.PROTECT, related_name="+")
    sop_kode = models.SlugField(_("layanan (kode SOP)"), max_length=80)
    channel = models.CharField(_("kanal permohonan"), max_length=10)
    via = models.CharField(_("dijawab lewat"), max_length=10, choices=Via.choices)
    submitted_at = models.DateTimeField(_("dijawab"))
    persyaratan = models.PositiveSmallIntegerField(UNSUR[0].name)
    prosedur = models.PositiveSmallIntegerField(UNSUR[1].name)
    waktu = models.PositiveSmallIntegerField(UNSUR[2].name)
    biaya = models.PositiveSmallIntegerField(UNSUR[3].name)
    produk = models.PositiveSmallIntegerField(UNSUR[4].name)
    kompetensi = models.PositiveSmallIntegerField(UNSUR[5].name)
    perilaku = models.PositiveSmallIntegerField(UNSUR[6].name)
    sarana = models.PositiveSmallIntegerField(UNSUR[7].name)
    pengaduan = models.PositiveSmallIntegerField(UNSUR[8].name)
    comment = models.TextField(_("saran dan masukan"), blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(**{f"{name}__gte": 1, f"{name}__lte": 4}), name=f"survey_response_{name}_1_4"
            )
            for name in FIELDS
        ]
        indexes = [
            # The index of a unit (or several) over a period, and of one service of it.
            models.Index(fields=["unit", "submitted_at"], name="survey_resp_unit_idx"),
            models.Index(fields=["unit", "sop_kode", "submitted_at"], name="survey_resp_unit_sop_idx"),
        ]
        verbose_name = _("jawaban survei")
        verbose_name_plural = _("jawaban survei")

    def __str__(self) -> str:
        return f"{self.case_id} {self.submitted_at:%Y-%m-%d}"

    def scores(self) -> list[int]:
        return [getattr(self, name) for name in FIELDS]


class Tablet(models.Model):
    """The survey tablet of one counter: its page at /survei/tablet/<token>/ needs no sign-in."""

    counter = models.OneToOneField("counter.Counter", on_delete=models.CASCADE, related_name="survey_tablet")
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_tablet_token)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        verbose_name = _("tablet survei")
        verbose_name_plural = _("tablet survei")

    def __str__(self) -> str:
        return f"{self.counter}"
