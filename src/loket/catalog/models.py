"""An installed SOP version: the file's text as installed, its hash, and when and by whom."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SopVersion(models.Model):
    kode = models.SlugField(_("kode"), max_length=80)
    versi = models.PositiveIntegerField(_("versi"))
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="sop_versions")
    nomor = models.CharField(_("nomor SOP"), max_length=200)
    nama = models.CharField(_("nama SOP"), max_length=500)
    layanan = models.CharField(_("layanan"), max_length=40)
    content = models.TextField(_("isi berkas SOP"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    source = models.CharField(_("sumber"), max_length=300, blank=True)
    installed_at = models.DateTimeField(_("dipasang pada"), auto_now_add=True)
    installed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kode", "-versi"]
        constraints = [models.UniqueConstraint(fields=["kode", "versi"], name="sop_kode_versi_unique")]
        verbose_name = _("versi SOP")
        verbose_name_plural = _("versi SOP")

    def __str__(self) -> str:
        return f"{self.kode} v{self.versi}"


class UnitLane(models.Model):
    """A staff lane of a unit: a lane (`pelaksana`) of its installed SOPs with at least one step
    staff complete, and whether its staff each serve only their own agency (`lingkup_instansi`).
    Derived from the installed SOPs, rebuilt by every install; the staff roles of the unit are
    exactly these lanes. The requesters' lanes are not here."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="lanes")
    name = models.CharField(_("lajur"), max_length=60)
    agency_scoped = models.BooleanField(_("per instansi"), default=False)

    class Meta:
        ordering = ["unit", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="unitlane_unit_name_unique")]
        verbose_name = _("lajur petugas")
        verbose_name_plural = _("lajur petugas")

    def __str__(self) -> str:
        return f"{self.name} @ {self.unit_id}"
