"""The admin's times in local time: Django's admin prints every date and time in the active zone,
which is the server's UTC unless a request activates another. `AdminZoneMiddleware` activates,
for a request to the admin, the zone of the staff member's unit (LOKET_DISPLAY_ZONE, Asia/Jakarta,
for a superuser or anyone whose roles span zones), and the admin's header names it ("waktu dalam
WITA"), as every other page names the zone of its times."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext

from loket.units.services import zone_label

ADMIN_PREFIX = "/admin/"


def admin_zone(user: Any) -> zoneinfo.ZoneInfo:
    """The zone the admin shows `user`'s times in: their units' one zone, else the display zone."""
    zones: set[str] = set()
    if getattr(user, "is_authenticated", False) and not user.is_superuser:
        from loket.staff.models import StaffRole

        zones = set(StaffRole.objects.filter(user=user).values_list("unit__zona_waktu", flat=True))
    name = zones.pop() if len(zones) == 1 else getattr(settings, "LOKET_DISPLAY_ZONE", "Asia/Jakarta")
    return zoneinfo.ZoneInfo(name)


class AdminZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(ADMIN_PREFIX):
            return self.get_response(request)
        timezone.activate(admin_zone(request.user))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def _site_header() -> str:
    return gettext("Administrasi Loket · waktu dalam %(zone)s") % {"zone": zone_label(timezone.get_current_timezone())}


# Read at every render, so the header names the zone this request's times are shown in.
site_header = lazy(_site_header, str)()
