"""One counted attempt under a limit."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Hit(models.Model):
    """One attempt counted under a limit (a wrong tracking code, a submit): `scope` names the
    limit (`lookup.address`, `submit.session`, ...), `key` is a keyed hash of the client address
    or session (never the address itself). Rows older than a day are pruned as new ones come."""

    scope = models.CharField(_("batas"), max_length=40)
    key = models.CharField(_("kunci"), max_length=64)
    at = models.DateTimeField(_("waktu"), db_index=True)

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "at"], name="throttle_hit_key_at")]
        verbose_name = _("percobaan terhitung")
        verbose_name_plural = _("percobaan terhitung")

    def __str__(self) -> str:
        at = timezone.localtime(self.at)  # the admin's zone (loket.web.admin_zone)
        return f"{at:%d-%m-%Y %H:%M} {at.tzname()} {self.scope}"
