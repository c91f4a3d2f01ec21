"""The reports' figures of finished steps, read from the tallies (loket.tallies.models).

Each function takes the reader and the report's filter (`loket.reports.mutu_baku.ReportFilter`)
and runs one aggregate query; what comes back to Python is one row per distinct number of minutes
of each group (a histogram), never a step. The scope is the case list's (`rules.visible_q`: the
unit, and the agency of an agency-scoped role; a superuser every unit); the period is the local
day the case was submitted, as in the report.

**Percentiles from a histogram.** The continuous percentile of n sorted values v1..vn at p is
v[⌊h⌋] + (h − ⌊h⌋)·(v[⌈h⌉] − v[⌊h⌋]) with h = 1 + p·(n − 1) (what `percentile_cont` computes).
Walking the distinct values in order with their counts finds the values of ranks ⌊h⌋ and ⌈h⌉,
so the figure is exactly the one over the raw values; p is a Fraction, so h is exact.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from loket.staff import rules

from .models import HourTally, StepTally

STAFF_BY = ("staf", "sistem")
REQUESTER_BY = "pemohon"
GROUP = ("unit_id", "sop_id", "step", "lane")
# The distribution against the standard: a run of w minutes on a standard of s falls in the first
# bucket whose bound b holds w <= b·s (the last has none), compared as whole numbers.
BUCKETS: tuple[Fraction | None, ...] = (Fraction(1, 2), Fraction(1), Fraction(3, 2), Fraction(2), None)


def scope_q(user: Any, spec: Any) -> Q:
    """Filter over a tally: the reader's scope and every filter of `spec`."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    q = Q() if user.is_superuser else rules.visible_q(user)
    if spec.unit:
        q &= Q(unit__kode=spec.unit)
    if spec.date_from is not None:
        q &= Q(day__gte=spec.date_from)
    if spec.date_to is not None:
        q &= Q(day__lte=spec.date_to)
    if spec.sop:
        q &= Q(sop__kode=spec.sop)
    if spec.versi is not None:
        q &= Q(sop__versi=spec.versi)
    if spec.channel:
        q &= Q(channel=spec.channel)
    if spec.agency is not None:
        q &= Q(agency_id=spec.agency)
    return q & spec.step_q()


def percentile(histogram: Sequence[tuple[int, int]], p: Fraction) -> float | None:
    """The continuous percentile at `p` of the values that `histogram` ((value, count), by value)
    counts (module docstring); None when it counts nothing."""
    total = sum(n for _v, n in histogram)
    if not total:
        return None
    h = 1 + p * (total - 1)
    low_rank, frac = int(h), h - int(h)
    high_rank = low_rank + (1 if frac else 0)
    seen = 0
    low = high = None
    for value, n in histogram:
        seen += n
        if low is None and seen >= low_rank:
            low = value
        if seen >= high_rank:
            high = value
            break
    assert low is not None and high is not None
    return float(low + frac * (high - low))


def bucket_of(minutes: int, standard: int) -> int:
    for i, bound in enumerate(BUCKETS):
        if bound is None or minutes * bound.denominator <= standard * bound.numerator:
            return i
    return len(BUCKETS) - 1


@dataclass
class Figures:
    """One group's finished runs (module docstring of loket.reports.mutu_baku)."""

    count: int = 0
    within: int = 0
    overdue: int = 0
    standard: int | None = None
    buckets: list[int] = field(default_factory=lambda: [0] * len(BUCKETS))
    histogram: list[tuple[int, int]] = field(default_factory=list)  # (minutes, runs), by minutes

    def percentile(self, p: Fraction) -> float | None:
        return percentile(self.histogram, p)


def _histograms(qs: QuerySet[Any], group: Sequence[str]) -> dict[tuple[Any, ...], Figures]:
    rows = qs.values(*group, "minutes", "standard").annotate(runs=Sum("n")).order_by(*group, "minutes")
    out: dict[tuple[Any, ...], Figures] = defaultdict(Figures)
    for r in rows:
        figures = out[tuple(r[g] for g in group)]
        minutes, runs, standard = r["minutes"], r["runs"], r["standard"]
        figures.count += runs
        if figures.histogram and figures.histogram[-1][0] == minutes:
            figures.histogram[-1] = (minutes, figures.histogram[-1][1] + runs)
        else:
            figures.histogram.append((minutes, runs))
        if standard is not None:
            figures.standard = max(figures.standard or 0, standard)
            if minutes <= standard:
                figures.within += runs
            else:
                figures.overdue += runs
            figures.buckets[bucket_of(minutes, standard)] += runs
    return dict(out)


def step_figures(user: Any, spec: Any) -> dict[tuple[Any, ...], Figures]:
    """Per (unit id, SOP version id, step, lane): the finished staff and system steps."""
    qs = StepTally.objects.filter(scope_q(user, spec), by__in=STAFF_BY)
    return _histograms(qs, GROUP)


def wait_figures(user: Any, spec: Any) -> dict[tuple[Any, ...], Figures]:
    """Per (unit id, SOP version id, step, lane): the requester's finished steps, in minutes."""
    qs = StepTally.objects.filter(scope_q(user, spec), by=REQUESTER_BY)
    return _histograms(qs, GROUP)


def month_points(user: Any, spec: Any) -> dict[Any, tuple[int, int]]:
    """Per local month of submission (its first day): finished staff steps with a standard, and
    those within it."""
    qs = StepTally.objects.filter(scope_q(user, spec), by__in=STAFF_BY, standard__isnull=False)
    rows = (
        qs.annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(measured=Sum("n"), within=Sum("n", filter=Q(minutes__lte=F("standard"))))
        .order_by("month")
    )
    return {r["month"]: (r["measured"] or 0, r["within"] or 0) for r in rows}


def hour_counts(user: Any, spec: Any) -> dict[tuple[int, int], int]:
    """Finished staff and system steps per local ISO weekday and hour of finishing."""
    qs = HourTally.objects.filter(scope_q(user, spec), by__in=STAFF_BY)
    rows = qs.values("weekday", "hour").annotate(runs=Sum("n")).order_by()
    return {(r["weekday"], r["hour"]): r["runs"] for r in rows}
