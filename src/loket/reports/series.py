"""The charts' own figures (issue 12, point 3): the share within the standard per month and the
load per weekday and hour, read from the tallies (`loket.tallies.selectors`: the same finished
staff and system steps as the step table, counted as they finished), never a step loaded into
Python.

The other charts need no query of their own: the share per step, the distribution against the
standard and the load per lane are sums of the step table's rows (`StepRow.within`,
`StepRow.buckets`, `StepRow.count`).

**Local time.** A month is the local month in which the case was submitted (the same day the
report's period filter reads), a weekday and an hour are those of the moment the step was
finished, both in the zone of the case's own unit; the tallies keep them so when they count a
step (`loket.tallies.services`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from loket.tallies import selectors as tallies
from loket.units.models import Unit

from .mutu_baku import ReportFilter, units_in_scope


@dataclass(frozen=True)
class MonthPoint:
    """One local month: finished staff steps with a standard, and those within it."""

    month: dt.date  # the first day of the month
    measured: int
    within: int

    @property
    def share(self) -> float | None:
        return self.within / self.measured if self.measured else None


@dataclass
class HourGrid:
    """Finished staff steps per local weekday (1 Monday .. 7 Sunday) and hour (0..23)."""

    counts: dict[tuple[int, int], int] = field(default_factory=dict)
    zones: list[str] = field(default_factory=list)  # the zones' keys, for their labels
    working_hours: tuple[int, int] = (8, 16)  # the earliest start and latest end of the units' hours

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def hours(self) -> list[int]:
        """The hours a chart shows: the units' working hours and every hour with a step."""
        start, end = self.working_hours
        seen = [h for (_d, h) in self.counts]
        first = min([start, *seen])
        last = max([end - 1, *seen])
        return list(range(first, last + 1))


def _report_units(user: Any, spec: ReportFilter) -> list[Unit]:
    units = units_in_scope(user)
    return [u for u in units if u.kode == spec.unit] if spec.unit else units


def month_points(user: Any, spec: ReportFilter, *, span: tuple[dt.date, dt.date] | None = None) -> list[MonthPoint]:
    """The share within the standard per local month of submission, from the first month with a
    measured step to the last (or over the months of `span`, a first and a last day), months
    without one in between included (`measured` 0)."""
    totals = {
        (month.date() if isinstance(month, dt.datetime) else month): counts
        for month, counts in tallies.month_points(user, spec).items()
    }
    if span is not None:
        month, last = span[0].replace(day=1), span[1].replace(day=1)
    elif totals:
        month, last = min(totals), max(totals)
    else:
        return []
    out = []
    while month <= last:
        measured, within = totals.get(month, (0, 0))
        out.append(MonthPoint(month, measured, within))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return out


def _working_hours(units: list[Unit]) -> tuple[int, int]:
    """The earliest start hour and the latest end hour (rounded up) of the units' working hours
    ("08:00-16:00": 8 and 16)."""
    spans = []
    for unit in units:
        start, _sep, end = unit.jam_kerja.partition("-")
        try:
            end_hour, _c, end_minute = end.strip().partition(":")
            spans.append((int(start.strip().partition(":")[0]), int(end_hour) + bool(end_minute.strip("0"))))
        except ValueError:
            continue
    if not spans:
        return (8, 16)
    return (min(s for s, _e in spans), max(e for _s, e in spans))


def hour_grid(user: Any, spec: ReportFilter) -> HourGrid:
    """Finished staff steps per local weekday and hour of finishing."""
    units = _report_units(user, spec)
    grid = HourGrid(zones=sorted({u.zona_waktu for u in units}), working_hours=_working_hours(units))
    grid.counts = tallies.hour_counts(user, spec)
    return grid
