"""The calendar of a unit (LPSE/UKPBJ): its time zone and working hours, with Indonesia's holidays.

The one place that turns a Unit row into a WorkCalendar; calendars are shared per (time zone,
hours), so asking for one per request or per step costs a dictionary lookup.
"""

from __future__ import annotations

import functools
from typing import Protocol

from .working import WorkCalendar


class HasWorkingTime(Protocol):
    zona_waktu: str
    jam_kerja: str


def calendar_for(unit: HasWorkingTime) -> WorkCalendar:
    """The working calendar of `unit` (anything with `zona_waktu` and `jam_kerja`)."""
    return _calendar(unit.zona_waktu, unit.jam_kerja or "08:00-16:00")


@functools.lru_cache(maxsize=256)
def _calendar(tz: str, hours: str) -> WorkCalendar:
    return WorkCalendar(tz=tz, hours=hours)
