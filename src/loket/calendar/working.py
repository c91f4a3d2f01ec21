"""Working minutes: when a time standard of N minutes, started at a given moment, runs out.

A unit works Monday to Friday within its working hours ("08:00-16:00", local time in its time zone)
except on Indonesian public holidays. `WorkCalendar.add(start, minutes)` is the moment `minutes`
working minutes after `start`; `WorkCalendar.between(a, b)` counts the working minutes between two
moments. Both walk whole days (never minute by minute), so a call costs microseconds.

Rules at the edges (docs/staff.md repeats them for operators):
- A working day is the half-open interval [opening, closing). A moment outside it (before opening,
  at or after closing, on a weekend or a holiday) counts from the next opening.
- `add(start, 0)` is `start` itself when `start` is inside working hours, otherwise the next
  opening: "due now" can never fall in the night.
- A standard that runs out exactly at closing is due at closing (15:55 + 5 minutes is 16:00 the
  same day), not at the next opening.
- `between` counts whole minutes, rounded down; `between(s, add(s, m)) == m` for every s and m.
- Clock arithmetic is on local wall time. Indonesian zones have no daylight saving time; in a zone
  that has it, a working day that contains a change counts by wall clock.

Holidays come from the `holidays` package (Indonesia's national public holidays, by year, loaded
lazily and cached). Cuti bersama (collective leave of civil servants) is not counted as a holiday
by default: units that serve the public stay open on those days (SKB cuti bersama); a calendar
built with `IndonesianHolidays(cuti_bersama=True)` skips them as well.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import zoneinfo
from collections.abc import Container
from dataclasses import dataclass, field

import holidays as holidays_package

UTC = dt.UTC
_HOURS = re.compile(r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)")
_DAY = dt.timedelta(days=1)


class IndonesianHolidays(Container[dt.date]):
    """The set of Indonesian public holidays, any year, loaded one year at a time on first use.

    `date in IndonesianHolidays()` is a frozenset lookup after the year's first use (the package
    takes tens of milliseconds to compute a year, so each year is computed once per process).
    """

    def __init__(self, *, cuti_bersama: bool = False) -> None:
        self.cuti_bersama = cuti_bersama
        self._years: dict[int, frozenset[dt.date]] = {}
        self._lock = threading.Lock()

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, dt.date):
            return False
        year = self._years.get(day.year)
        if year is None:
            year = self._load(day.year)
        return day in year

    def _load(self, year: int) -> frozenset[dt.date]:
        with self._lock:
            if year not in self._years:
                categories = ("public", "government") if self.cuti_bersama else ("public",)
                days = holidays_package.country_holidays("ID", years=year, categories=categories)
                self._years[year] = frozenset(days)
            return self._years[year]

    def __repr__(self) -> str:
        return f"IndonesianHolidays(cuti_bersama={self.cuti_bersama})"


# One shared instance: every calendar of every unit reads the same cached years.
INDONESIA = IndonesianHolidays()


def parse_hours(hours: str) -> tuple[dt.timedelta, dt.timedelta]:
    """ "08:00-16:00" -> (8 h, 16 h) as offsets from local midnight. Raises ValueError."""
    match = _HOURS.fullmatch(hours)
    if not match:
        raise ValueError(f"working hours must look like 08:00-16:00, not {hours!r}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    opening, closing = dt.timedelta(hours=h1, minutes=m1), dt.timedelta(hours=h2, minutes=m2)
    if opening >= closing:
        raise ValueError(f"working hours must open before they close, not {hours!r}")
    return opening, closing


@dataclass(frozen=True)
class WorkCalendar:
    """A unit's working time: `tz` (IANA name), `hours` ("HH:MM-HH:MM" local), `holidays` (any
    container of dates: the Indonesian holidays by default; a plain set in tests)."""

    tz: str
    hours: str = "08:00-16:00"
    holidays: Container[dt.date] = field(default=INDONESIA, compare=False)
    _zone: zoneinfo.ZoneInfo = field(init=False, repr=False, compare=False)
    _opening: dt.timedelta = field(init=False, repr=False, compare=False)
    _closing: dt.timedelta = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        opening, closing = parse_hours(self.hours)
        # A frozen dataclass sets its derived fields through object.__setattr__, once.
        object.__setattr__(self, "_zone", zoneinfo.ZoneInfo(self.tz))
        object.__setattr__(self, "_opening", opening)
        object.__setattr__(self, "_closing", closing)

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def add(self, start: dt.datetime, minutes: int) -> dt.datetime:
        """The moment (UTC) when `minutes` working minutes have passed after `start` (aware)."""
        if minutes < 0:
            raise ValueError("minutes must not be negative")
        day, offset = self._forward(*self._local(start))
        left = dt.timedelta(minutes=minutes)
        today = self._closing - offset
        if left <= today:
            return self._utc(day, offset + left)
        left -= today
        full_day = self._closing - self._opening
        while True:
            day = self._next_working_day(day)
            if left <= full_day:
                return self._utc(day, self._opening + left)
            left -= full_day

    def between(self, a: dt.datetime, b: dt.datetime) -> int:
        """Whole working minutes from `a` to `b` (aware); 0 when `b` is not after `a`."""
        if b <= a:
            return 0
        day_a, off_a = self._forward(*self._local(a))
        day_b, off_b = self._forward(*self._local(b))
        if (day_a, off_a) >= (day_b, off_b):
            return 0
        if day_a == day_b:
            span = off_b - off_a
        else:
            span = (self._closing - off_a) + (off_b - self._opening)
            full_day = self._closing - self._opening
            day = self._next_working_day(day_a)
            while day < day_b:
                span += full_day
                day = self._next_working_day(day)
        return int(span.total_seconds() // 60)

    # --- local wall time ----------------------------------------------------------------------

    def _local(self, moment: dt.datetime) -> tuple[dt.date, dt.timedelta]:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("a naive datetime has no time zone: use django.utils.timezone.now()")
        local = moment.astimezone(self._zone)
        offset = dt.timedelta(
            hours=local.hour, minutes=local.minute, seconds=local.second, microseconds=local.microsecond
        )
        return local.date(), offset

    def _forward(self, day: dt.date, offset: dt.timedelta) -> tuple[dt.date, dt.timedelta]:
        """The working moment at or after local (day, offset)."""
        if not self.is_working_day(day) or offset >= self._closing:
            return self._next_working_day(day), self._opening
        return day, max(offset, self._opening)

    def _next_working_day(self, day: dt.date) -> dt.date:
        day += _DAY
        while not self.is_working_day(day):
            day += _DAY
        return day

    def _utc(self, day: dt.date, offset: dt.timedelta) -> dt.datetime:
        local = dt.datetime(day.year, day.month, day.day, tzinfo=self._zone) + offset
        return local.astimezone(UTC)
