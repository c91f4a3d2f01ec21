"""A list of cases prepared for printing: the console's work queue (`queue_page`) and case list
(`case_list_views`) hand their templates strings, not cases to run tags and filters on.

At 50 rows a page, a `{% url %}` and two `lokal` filters per row were a third of a page's time;
here a row's link is built from one reversed prefix and its times by `local_text`, which gives
the `lokal` filter's text (web.templatetags.local_time) by plain formatting, each unit's zone read
once a page.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.urls import reverse

from loket.cases.models import Case


def local_text(value: dt.datetime, zone: zoneinfo.ZoneInfo) -> str:
    """The text of `{{ value|lokal:zone }}`, e.g. "02-12-2026 13:31 WITA", without `dateformat`
    parsing its format string each time (tests/web/test_queue_pages.py holds the two equal)."""
    local = value.astimezone(zone)
    return (
        f"{local.day:02d}-{local.month:02d}-{local.year:04d} {local.hour:02d}:{local.minute:02d} "
        f"{local.tzname() or zone.key}"
    )


class RowText:
    """What every row of one page needs: its case page's link, its times in its unit's zone, and
    where the case is from."""

    def __init__(self) -> None:
        # The case page's path for case 0, split around the id.
        self._head, self._tail = reverse("console:case", args=[0]).rsplit("0", 1)
        self._zones: dict[str, zoneinfo.ZoneInfo] = {}

    def url(self, case: Case) -> str:
        return f"{self._head}{case.pk}{self._tail}"

    def when(self, case: Case, value: dt.datetime | None) -> str:
        """`value` in the case's unit's zone as `lokal` shows it; "" for no value."""
        if value is None:
            return ""
        name = case.unit.zona_waktu
        zone = self._zones.get(name)
        if zone is None:
            zone = self._zones[name] = zoneinfo.ZoneInfo(name)
        return local_text(value, zone)

    @staticmethod
    def where(case: Case) -> str:
        """The unit's kode, and the agency's name when the case has one."""
        return f"{case.unit.kode} · {case.agency.name}" if case.agency else case.unit.kode
