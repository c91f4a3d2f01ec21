"""An export of the mutu baku report built by the worker: the XLSX workbook or the monthly PDF.

The file is stored with Django's default storage under MEDIA_ROOT (`ekspor/<user>/<random>`),
which is never served directly (settings.MEDIA_ROOT): only `views.export_file` hands it out, and
only to the user who asked for it, while it has not expired.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def export_path(instance: ExportJob, filename: str) -> str:
    # Never the user's filter or a name: the download name is `ExportJob.filename`.
    return f"ekspor/{instance.user_id}/{secrets.token_hex(16)}.{instance.format}"


class ExportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "antri", _("menunggu giliran")
        RUNNING = "berjalan", _("sedang dibuat")
        DONE = "selesai", _("selesai")
        FAILED = "gagal", _("gagal")

    class Format(models.TextChoices):
        XLSX = "xlsx", _("XLSX (lembar kerja)")
        PDF = "pdf", _("PDF laporan bulanan")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    spec = models.JSONField(_("saringan"), default=dict)  # the ReportFilter, dates as ISO days
    month = models.CharField(_("bulan"), max_length=7, blank=True)  # YYYY-MM, for the monthly PDF
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("kemajuan (%)"), default=0)
    step = models.CharField(_("tahap"), max_length=200, blank=True)  # what the worker is doing now
    file = models.FileField(upload_to=export_path, max_length=300, blank=True)
    filename = models.CharField(_("nama berkas"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    error = models.TextField(_("kesalahan"), blank=True)
    created_at = models.DateTimeField(_("diminta"), auto_now_add=True)
    started_at = models.DateTimeField(_("mulai"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)  # the worker's heartbeat while it runs
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    expires_at = models.DateTimeField(_("kedaluwarsa"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="export_user_idx")]
        verbose_name = _("ekspor laporan")
        verbose_name_plural = _("ekspor laporan")

    def __str__(self) -> str:
        return f"{self.format} {self.created_at:%Y-%m-%d} {self.status}"

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def downloadable(self) -> bool:
        return self.status == self.Status.DONE and bool(self.file) and not self.expired

    @property
    def waiting(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
