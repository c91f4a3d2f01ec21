"""The survey's reads: the IKM of a period, per element and per service, against the sample needed.

Every figure is one SQL aggregate: `SUM` of each of the nine score fields and `COUNT(*)` over the
matching responses, grouped by unit and service (an NRR is exactly SUM / COUNT; the exact sums keep
the index free of float rounding, where `AVG` would hand back a float; the whole selection's
figures are the groups' sums added up); the population is one `COUNT` of the cases that ended with
a result (done or refused, `services.SURVEYED_ENDINGS`) in the period, grouped the same way. No response or case is
loaded into Python except the comments shown (newest first, at most COMMENT_ROWS on the page).

Indexes: `Response` (unit, submitted_at) and (unit, sop_kode, submitted_at) for the aggregates;
the population counts cases by (unit, status, closed_at), an index on Case that loket.cases
provides (see docs/survey.md).

The period is in local days of each unit (its own zone), as the mutu baku report's: a response
counts on the day it was submitted, a case in the population on the day it was closed.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from loket.cases.models import Case
from loket.units.models import Unit

from .ikm import FIELDS, UNSUR, converted, ikm, nrr, nrr_grade, sample_size
from .models import Response
from .services import SURVEYED_ENDINGS

COMMENT_ROWS = 200


@dataclass(frozen=True)
class SurveyFilter:
    unit: str = ""  # a unit's kode; "" every unit in scope
    date_from: dt.date | None = None  # local day of the unit, inclusive
    date_to: dt.date | None = None  # inclusive
    sop: str = ""  # a service (SOP kode); "" every service


@dataclass(frozen=True)
class Element:
    field: str
    name: str
    total: int
    nrr: Fraction
    grade: str
    label: str

    @property
    def converted(self) -> Decimal:
        """NRR × 25, two decimals: the element on the index's scale."""
        return converted(self.nrr)


@dataclass
class Result:
    """The index of one selection (all of it, or one unit's service)."""

    respondents: int
    population: int
    elements: list[Element] = field(default_factory=list)
    value: Decimal | None = None
    grade: str = ""
    label: str = ""
    unit: Unit | None = None
    sop_kode: str = ""

    @property
    def sample(self) -> int:
        return sample_size(self.population)

    @property
    def enough(self) -> bool:
        return self.respondents >= self.sample

    @property
    def weakest(self) -> list[Element]:
        """The elements with the lowest NRR (what to improve first)."""
        if not self.elements:
            return []
        low = min(e.nrr for e in self.elements)
        return [e for e in self.elements if e.nrr == low]


@dataclass
class Comment:
    submitted_at: dt.datetime
    unit: Unit
    sop_kode: str
    text: str


@dataclass
class Survey:
    overall: Result
    services: list[Result]
    comments: list[Comment]
    comments_total: int


def _period_q(units: Sequence[Unit], start: dt.date | None, end: dt.date | None, moment: str) -> Q:
    """Rows of `units` whose `moment` falls within the local days start..end of their own unit."""
    parts = Q(pk__in=[])
    for unit in units:
        zone = zoneinfo.ZoneInfo(unit.zona_waktu)
        part = Q(unit_id=unit.pk)
        if start is not None:
            part &= Q(**{f"{moment}__gte": dt.datetime.combine(start, dt.time(), zone)})
        if end is not None:
            part &= Q(**{f"{moment}__lt": dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), zone)})
        parts |= part
    return parts


def _units(units: Sequence[Unit], spec: SurveyFilter) -> list[Unit]:
    return [u for u in units if not spec.unit or u.kode == spec.unit]


def responses(units: Sequence[Unit], spec: SurveyFilter) -> QuerySet[Response]:
    chosen = _units(units, spec)
    qs = Response.objects.filter(_period_q(chosen, spec.date_from, spec.date_to, "submitted_at"))
    if spec.sop:
        qs = qs.filter(sop_kode=spec.sop)
    return qs.order_by()


def population(units: Sequence[Unit], spec: SurveyFilter) -> QuerySet[Case]:
    """The cases served to an end (done or refused) in the period: who could have answered."""
    chosen = _units(units, spec)
    qs = Case.objects.filter(
        _period_q(chosen, spec.date_from, spec.date_to, "closed_at"), status__in=list(SURVEYED_ENDINGS)
    )
    if spec.sop:
        qs = qs.filter(sop__kode=spec.sop)
    return qs.order_by()


_SUMS = {f"s_{name}": Sum(name) for name in FIELDS}


def _result(row: dict[str, Any], population: int) -> Result:
    n = row["n"] or 0
    result = Result(respondents=n, population=population)
    if n:
        for unsur in UNSUR:
            total = int(row[f"s_{unsur.field}"])
            value = nrr(total, n)
            letter, label = nrr_grade(value)
            result.elements.append(Element(unsur.field, unsur.name, total, value, letter, label))
        result.value, result.grade, result.label = ikm([e.nrr for e in result.elements])
    return result


def survey(units: Sequence[Unit], spec: SurveyFilter, *, comment_limit: int | None = COMMENT_ROWS) -> Survey:
    """The index of the selection, per service of each unit, and the comments (newest first).

    Three queries: the responses grouped by unit and service (count, the nine sums, the comments
    written), the population grouped the same way, and the newest comments; the whole selection's
    figures are the sums of the groups' (exact: sums and counts add up)."""
    qs = responses(units, spec)
    by_unit = {u.pk: u for u in units}
    counted = {
        (r["unit_id"], r["sop__kode"]): r["n"]
        for r in population(units, spec).values("unit_id", "sop__kode").annotate(n=Count("pk")).order_by()
    }
    grouped: dict[tuple[int, str], dict[str, Any]] = {
        (r["unit_id"], r["sop_kode"]): dict(r)
        for r in qs.values("unit_id", "sop_kode").annotate(
            n=Count("pk"), texts=Count("pk", filter=~Q(comment="")), **_SUMS
        )
    }
    total: dict[str, Any] = {"n": 0, **{key: 0 for key in _SUMS}}
    for found in grouped.values():
        for name in total:
            total[name] += found[name] or 0
    overall = _result(total, sum(counted.values()))
    services = []
    for key in sorted(set(counted) | set(grouped), key=lambda k: (by_unit[k[0]].kode, k[1])):
        result = _result(grouped.get(key, {"n": 0}), counted.get(key, 0))
        result.unit, result.sop_kode = by_unit[key[0]], key[1]
        services.append(result)
    rows = (
        qs.exclude(comment="").order_by("-submitted_at", "-pk").values("submitted_at", "unit_id", "sop_kode", "comment")
    )
    comments = [
        Comment(r["submitted_at"], by_unit[r["unit_id"]], r["sop_kode"], r["comment"])
        for r in (rows if comment_limit is None else rows[:comment_limit])
    ]
    return Survey(overall, services, comments, sum(r["texts"] for r in grouped.values()))
