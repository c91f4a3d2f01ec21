"""Working minutes: due times across weekends and Indonesian public holidays, in WITA and WIT."""

from __future__ import annotations

import datetime as dt
import random
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from loket.calendar.units import calendar_for
from loket.calendar.working import INDONESIA, IndonesianHolidays, WorkCalendar

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
WIT = ZoneInfo("Asia/Jayapura")
UTC = dt.UTC

kaltim = WorkCalendar(tz="Asia/Makassar")
sbt = WorkCalendar(tz="Asia/Jayapura")


def at(zone: ZoneInfo, *parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=zone)  # type: ignore[misc]


def test_the_package_knows_the_2026_holidays_the_tests_rely_on():
    assert dt.date(2026, 8, 17) in INDONESIA  # Independence Day, a Monday
    assert dt.date(2026, 12, 25) in INDONESIA  # Christmas, a Friday
    assert dt.date(2026, 8, 18) not in INDONESIA
    assert dt.date(2027, 8, 17) in INDONESIA  # a later year is loaded on first use


def test_it_carries_a_step_over_the_weekend():
    # Friday 3 July 2026, 15:55 WITA, a 10-minute step: 5 minutes on Friday, 5 on Monday.
    due = kaltim.add(at(WITA, 2026, 7, 3, 15, 55), 10)
    assert due == at(WITA, 2026, 7, 6, 8, 5)
    assert due.tzinfo is UTC and due == dt.datetime(2026, 7, 6, 0, 5, tzinfo=UTC)


def test_it_skips_independence_day_in_wit():
    # Friday 14 August 2026 15:55 WIT; Monday 17 August is a holiday: due Tuesday 08:05 WIT.
    assert sbt.add(at(WIT, 2026, 8, 14, 15, 55), 10) == at(WIT, 2026, 8, 18, 8, 5)


def test_it_skips_christmas_in_wita():
    # Thursday 24 December 2026 15:55; Friday 25 is Christmas, then the weekend: Monday 28.
    assert kaltim.add(at(WITA, 2026, 12, 24, 15, 55), 10) == at(WITA, 2026, 12, 28, 8, 5)


def test_cuti_bersama_counts_only_when_asked_for():
    with_leave = WorkCalendar(tz="Asia/Makassar", holidays=IndonesianHolidays(cuti_bersama=True))
    start = at(WITA, 2026, 12, 23, 15, 55)  # Wednesday; Thursday 24 is cuti bersama Natal
    assert kaltim.add(start, 10) == at(WITA, 2026, 12, 24, 8, 5)
    assert with_leave.add(start, 10) == at(WITA, 2026, 12, 28, 8, 5)


def test_counting_starts_at_opening_when_started_before_it():
    assert kaltim.add(at(WITA, 2026, 7, 7, 6, 30), 30) == at(WITA, 2026, 7, 7, 8, 30)


def test_counting_starts_next_working_morning_when_started_after_closing():
    assert kaltim.add(at(WITA, 2026, 7, 7, 17, 0), 30) == at(WITA, 2026, 7, 8, 8, 30)
    assert kaltim.add(at(WITA, 2026, 7, 7, 16, 0), 30) == at(WITA, 2026, 7, 8, 8, 30)  # closing is outside


def test_counting_starts_on_monday_when_started_on_a_saturday():
    assert sbt.add(at(WIT, 2026, 7, 4, 10, 0), 5) == at(WIT, 2026, 7, 6, 8, 5)


def test_a_step_that_runs_out_at_closing_is_due_at_closing():
    assert kaltim.add(at(WITA, 2026, 7, 3, 15, 55), 5) == at(WITA, 2026, 7, 3, 16, 0)


def test_zero_minutes_is_the_start_inside_hours_and_the_next_opening_outside():
    inside = at(WITA, 2026, 7, 7, 10, 17, 42)
    assert kaltim.add(inside, 0) == inside
    assert kaltim.add(at(WITA, 2026, 7, 3, 19, 0), 0) == at(WITA, 2026, 7, 6, 8, 0)


def test_two_working_days_are_960_minutes():
    assert kaltim.add(at(WITA, 2026, 7, 6, 10, 0), 960) == at(WITA, 2026, 7, 8, 10, 0)
    # ... and across Independence Day and a weekend: Friday 10:00 -> Wednesday 10:00
    assert kaltim.add(at(WITA, 2026, 8, 14, 10, 0), 960) == at(WITA, 2026, 8, 19, 10, 0)


def test_the_unit_zone_decides_not_the_zone_the_start_is_given_in():
    start_wib = at(WIB, 2026, 7, 7, 7, 30)  # 08:30 in Makassar, 09:30 in Jayapura
    assert kaltim.add(start_wib, 10) == at(WITA, 2026, 7, 7, 8, 40)
    assert sbt.add(start_wib, 10) == at(WIT, 2026, 7, 7, 9, 40)
    assert WorkCalendar(tz="Asia/Jakarta").add(start_wib, 10) == at(WIB, 2026, 7, 7, 8, 10)


def test_it_refuses_naive_datetimes_and_negative_minutes():
    with pytest.raises(ValueError, match="naive"):
        kaltim.add(dt.datetime(2026, 7, 7, 9, 0), 5)
    with pytest.raises(ValueError, match="negative"):
        kaltim.add(at(WITA, 2026, 7, 7, 9, 0), -1)


def test_it_refuses_malformed_hours():
    with pytest.raises(ValueError):
        WorkCalendar(tz="Asia/Makassar", hours="16:00-08:00")
    with pytest.raises(ValueError):
        WorkCalendar(tz="Asia/Makassar", hours="8-16")


def test_between_counts_working_minutes_only():
    friday = at(WITA, 2026, 8, 14, 15, 0)
    tuesday = at(WITA, 2026, 8, 18, 9, 0)  # weekend and Independence Day in between
    assert kaltim.between(friday, tuesday) == 60 + 60
    assert kaltim.between(tuesday, friday) == 0
    assert kaltim.between(friday, friday) == 0
    # Both ends outside hours: the night and the weekend count nothing.
    assert kaltim.between(at(WITA, 2026, 7, 3, 18, 0), at(WITA, 2026, 7, 6, 7, 0)) == 0
    assert kaltim.between(at(WITA, 2026, 7, 6, 7, 0), at(WITA, 2026, 7, 7, 20, 0)) == 960


def test_between_rounds_down_to_whole_minutes():
    start = at(WITA, 2026, 7, 7, 9, 0, 30)
    assert kaltim.between(start, at(WITA, 2026, 7, 7, 9, 5, 29)) == 4
    assert kaltim.between(start, at(WITA, 2026, 7, 7, 9, 5, 30)) == 5


@pytest.mark.parametrize("cal", [kaltim, sbt, WorkCalendar(tz="Asia/Jakarta", hours="07:30-15:00")])
def test_between_is_the_inverse_of_add(cal):
    rng = random.Random(17)
    zone = ZoneInfo(cal.tz)
    base = at(zone, 2026, 8, 10, 0, 0)
    for _ in range(400):
        start = base + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 30), seconds=rng.randrange(60))
        minutes = rng.choice([0, 1, 5, 10, 30, 450, 480, 481, 960, 2400, rng.randrange(5000)])
        due = cal.add(start, minutes)
        assert cal.between(start, due) == minutes, (start, minutes)
        assert cal.between(start, due - dt.timedelta(seconds=1)) == max(0, minutes - 1) or minutes == 0


def test_add_agrees_with_counting_minute_by_minute():
    holidays = {dt.date(2026, 8, 17), dt.date(2026, 8, 25)}
    cal = WorkCalendar(tz="Asia/Jayapura", hours="08:00-12:30", holidays=holidays)

    def slow_add(start: dt.datetime, minutes: int) -> dt.datetime:
        t = start.astimezone(WIT).replace(second=0, microsecond=0)
        left = minutes

        def working(m: dt.datetime) -> bool:
            return m.weekday() < 5 and m.date() not in holidays and dt.time(8) <= m.time() < dt.time(12, 30)

        while not working(t):
            t += dt.timedelta(minutes=1)
        while left:
            if working(t):
                left -= 1
            t += dt.timedelta(minutes=1)
        return t

    rng = random.Random(3)
    for _ in range(60):
        start = at(WIT, 2026, 8, 12, 0, 0) + dt.timedelta(minutes=rng.randrange(60 * 24 * 14))
        minutes = rng.randrange(1, 900)
        assert cal.add(start, minutes) == slow_add(start, minutes), (start, minutes)


def test_a_unit_gets_its_own_calendar_shared_between_units_alike():
    a = SimpleNamespace(zona_waktu="Asia/Jayapura", jam_kerja="07:30-15:30")
    b = SimpleNamespace(zona_waktu="Asia/Jayapura", jam_kerja="07:30-15:30")
    cal = calendar_for(a)
    assert cal is calendar_for(b)
    assert cal.add(at(WIT, 2026, 7, 3, 15, 25), 10) == at(WIT, 2026, 7, 6, 7, 35)


def test_the_calendar_of_an_installed_unit_reads_its_zone(installed):
    from loket.units.models import Unit

    assert calendar_for(Unit.objects.get(kode="sbt")) == WorkCalendar(tz="Asia/Jayapura", hours="08:00-16:00")
    assert calendar_for(Unit.objects.get(kode="kaltim")).tz == "Asia/Makassar"
