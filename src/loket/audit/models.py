"""One audit model for every change of state and every look at a secret (conventions.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    at = models.DateTimeField(_("waktu"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("tindakan"), max_length=80)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="audit")
    detail = models.JSONField(_("rincian"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("catatan audit")
        verbose_name_plural = _("jejak audit")

    def __str__(self) -> str:
        if self.at is None:
            return self.action
        at = timezone.localtime(self.at)  # the admin's zone (loket.web.admin_zone), with its name
        return f"{at:%d-%m-%Y %H:%M} {at.tzname()} {self.action}"
