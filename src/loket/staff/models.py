"""A staff member's role in a unit (and, for an agency-scoped lane, an agency), their profile
(the NIP printed beside their name on official records); API tokens."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# Staff roles are the staff lanes of the unit's installed SOPs (catalog.UnitLane), and which of
# them are agency-scoped is what those SOPs declare (`lingkup_instansi`): no list of roles here.


class StaffRole(models.Model):
    """One lane a user works in at one unit; a role in an agency-scoped lane also names its agency."""

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

    def clean(self) -> None:
        """The role is a staff lane of the unit's installed SOPs; an agency is named exactly when
        that lane is agency-scoped, and it is an agency of the same unit (the admin form and
        `loket staff add` both check)."""
        from loket.catalog.models import UnitLane

        errors: dict[str, str] = {}
        lanes = (
            {lane.name: lane.agency_scoped for lane in UnitLane.objects.filter(unit_id=self.unit_id)}
            if self.unit_id
            else {}
        )
        if not self.unit_id:
            pass  # the unit field reports its own error
        elif not lanes:
            errors["role"] = str(
                _("Unit ini belum punya SOP terpasang, jadi belum punya peran petugas; pasang SOP dulu.")
            )
        elif self.role not in lanes:
            errors["role"] = _("Peran di unit ini harus salah satu dari: %(roles)s.") % {
                "roles": ", ".join(sorted(lanes))
            }
        elif lanes[self.role] and not self.agency_id:
            errors["agency"] = _("Peran %(role)s wajib menyebut instansinya.") % {"role": self.role}
        elif not lanes[self.role] and self.agency_id:
            scoped = sorted(name for name, is_scoped in lanes.items() if is_scoped)
            errors["agency"] = (
                _("Instansi hanya disebut untuk peran %(roles)s.") % {"roles": ", ".join(scoped)}
                if scoped
                else str(_("Instansi tidak disebut: tidak ada peran per instansi di unit ini."))
            )
        if self.agency is not None and self.unit_id and self.agency.unit_id != self.unit_id:
            errors["agency"] = _("Instansi %(agency)s bukan instansi unit ini.") % {"agency": self.agency}
        if errors:
            raise ValidationError(errors)


def validate_staff_nip(value: str) -> None:
    """A staff member's NIP: 18 digits (PNS or PPPK, loket.directory.nip, checked leniently)."""
    from loket.directory.nip import nip_problems

    problems = nip_problems(value, strict=False)
    if problems:
        raise ValidationError(" ".join(problems))


class StaffProfile(models.Model):
    """What an official record prints about a staff member beside their name (Django's user has
    no NIP). A user without a row has no NIP."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    nip = models.CharField(
        _("NIP"),
        max_length=18,
        blank=True,
        validators=[validate_staff_nip],
        help_text=_("18 angka tanpa spasi; dicetak di arsip permohonan di samping nama petugas."),
    )

    class Meta:
        verbose_name = _("profil petugas")
        verbose_name_plural = _("profil petugas")

    def __str__(self) -> str:
        return f"{self.user} {self.nip}".strip()


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
