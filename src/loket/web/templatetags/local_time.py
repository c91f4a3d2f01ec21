"""`{{ moment|lokal:unit }}`: a moment as staff and requesters read it, in the unit's zone with
its name ("02-12-2026 13:31 WIB"). The one place that says how a time is shown with its zone;
the server keeps UTC. `unit` may be a unit, anything with a `unit` (a case, an account, an SOP
version), or a zone name; without one, LOKET_DISPLAY_ZONE (Asia/Jakarta)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import template
from django.conf import settings
from django.utils import dateformat

from loket.units.services import zone_label

register = template.Library()


def zone_of(where: Any) -> zoneinfo.ZoneInfo:
    if isinstance(where, zoneinfo.ZoneInfo):
        return where
    if isinstance(where, str) and where:
        return zoneinfo.ZoneInfo(where)
    unit = getattr(where, "unit", None) or where
    name = getattr(unit, "zona_waktu", None) or getattr(settings, "LOKET_DISPLAY_ZONE", "Asia/Jakarta")
    return zoneinfo.ZoneInfo(str(name))


@register.filter
def lokal(value: dt.datetime | None, where: Any = None) -> str:
    if not value:
        return ""
    zone = zone_of(where)
    return f"{dateformat.format(value.astimezone(zone), 'd-m-Y H:i')} {zone_label(zone, value)}"


@register.filter
def zona(where: Any) -> str:
    """The zone's name (WIB, WITA, WIT) for a column heading."""
    return zone_label(zone_of(where))
