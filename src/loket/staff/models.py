"""A staff member's role in a unit (and, for Admin Agency, an agency); API tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Staff roles are SOP lane names (`pelaksana`); the agency-scoped one is Admin Agency.
STAFF_ROLES = ["Admin Agency", "Admin PPE", "Helpdesk", "Front Office", "Kepala LPSE"]
AGENCY_SCOPED_ROLES = {"Admin Agency"}


class StaffRole(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles")
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="staff_roles")
    role = models.CharField(_("peran"), max_length=40)
    agency = models.ForeignKey(
        "directory.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="staff_roles"
    )

    class Meta:
        ordering = ["unit", "role", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role", "agency"], name="staffrole_unique"),
            models.UniqueConstraint(
                fields=["user", "unit", "role"], condition=models.Q(agency=None), name="staffrole_unique_no_agency"
            ),
        ]
        verbose_name = _("peran petugas")
        verbose_name_plural = _("peran petugas")

    def __str__(self) -> str:
        scope = f" / {self.agency}" if self.agency_id else ""
        return f"{self.user} — {self.role} @ {self.unit.kode}{scope}"


class ApiToken(models.Model):
    """A staff member's API token. Only its SHA-256 is kept; the token is printed once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField(_("awalan"), max_length=12)
    digest = models.CharField(_("SHA-256"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("terakhir dipakai"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("dicabut"), null=True, blank=True)

    class Meta:
        verbose_name = _("token API")
        verbose_name_plural = _("token API")

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"
