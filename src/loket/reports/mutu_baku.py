"""The mutu baku report (issue 12, point 1): each step's working minutes against its standard,
each case's total against its SOP path, and the requester's own waits apart.

Pure reads: a `ReportFilter` and the user in, rows out. The figures of finished steps come from
the tallies (`loket.tallies`): each step is counted when it finishes, with the `working_minutes`
and `standard_minutes` the case page shows as "menit kerja / mutu baku" (written by
`cases.services` with the unit's working-minute calendar), so the report and the case page cannot
disagree, and a year of a large unit reads a few thousand tally rows instead of millions of
steps (bench/reports_scale.py). What is still running is counted live over the open steps (a
partial index holds only those). The per-case table sums the steps of the cases it shows, the
newest `CASE_ROWS` found first. No case is loaded into Python beyond those rows.

**Which rows count.**
- *Staff figures*: steps completed by staff or by the system on a staff lane (`by` = staf or
  sistem). A step counts once it is finished (its working minutes are known); a step still
  running is counted apart ("berjalan"), and "lewat tenggat" when its due time has passed.
  *Within the standard*: working minutes <= standard minutes; *overdue* ("melewati mutu baku"):
  working minutes > standard minutes, exactly the case page's rule. Steps without a standard
  (N/A) are counted but have no share and are never overdue.
- *Requester waits*: steps of the requester's own lane (`by` = pemohon: handing in, completing
  the file) and the wait for training (registration's `waiting_since` .. `trained_at`). They never
  enter the staff figures; their length is calendar time (hours), since the clock of the working
  minutes is paused for them.

**Filters.** The unit, period, SOP, version, channel and agency select cases: the period is the
day the case was submitted, in the local days of the case's own unit (as the case list's filter).
The step, lane and staff member (the step's `actor`) select steps within those cases: the step
table counts only matching steps; the per-case table lists the cases with at least one matching
staff step, with totals over the whole case; the requester table applies the step and lane (and
the staff member who recorded the step, e.g. at the counter), and shows training waits only when
none of the three is set. The scope is `loket.staff.rules.visible_q` (unit, agency); a superuser
sees every unit, as the lanes page shows references to administrators (aggregates and
references, no case contents).

**Median and 90th percentile.** Both are the continuous percentile (linear interpolation between
the two nearest ranks, `percentile_cont`). For the steps they are read from the tallies'
histograms, exactly (`loket.tallies.selectors.percentile`); the requester's waits are counted
there in whole minutes. The per-case summary and the training waits, which no tally keeps, are
computed by the database: PostgreSQL has `percentile_cont(p) WITHIN GROUP (ORDER BY v)`, one
pass per group. SQLite has no such aggregate (and loading an extension is not portable), so the
same definition is written with window functions, which SQLite has had since 3.25:
`ROW_NUMBER()` and `COUNT(*)` over the group give each value its rank and the group's size; the
rank h = 1 + p·(n−1) is split into its whole part and fraction with integer arithmetic (p as a
fraction, so 0.9·10 is exactly 9), and the value is v[floor h] + frac·(v[ceil h] − v[floor h]).
The filtered rows come from the ORM (`query.sql_with_params()`), so the filters are written once;
only the outer aggregate differs between the two dialects (`_percentiles`).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Q, QuerySet, Sum
from django.utils import timezone

from loket.cases.models import Case, Channel, Status, StepRun
from loket.catalog.models import SopVersion
from loket.catalog.selectors import parsed
from loket.sop.paths import happy_path
from loket.staff import rules
from loket.tallies import selectors as tallies
from loket.units.models import Unit

MEDIAN = Fraction(1, 2)
P90 = Fraction(9, 10)
# The per-case table on the page shows this many cases (the CSV every case).
CASE_ROWS = 100

_STAFF_BY = (StepRun.By.STAFF, StepRun.By.SYSTEM)
_GROUP = {"g_unit": "case__unit_id", "g_sop": "case__sop_id", "g_step": "step", "g_lane": "lane"}


@dataclass(frozen=True)
class ReportFilter:
    """What the report asks for; every field optional (empty: everything in scope)."""

    unit: str = ""  # the unit's kode
    date_from: dt.date | None = None  # submitted on or after this local day of the case's unit
    date_to: dt.date | None = None  # submitted on or before this local day
    sop: str = ""  # the SOP's kode
    versi: int | None = None  # one version of it
    step: int | None = None  # the step's number
    lane: str = ""  # the step's lane (pelaksana)
    staff: int | None = None  # the id of the user who completed the step (StepRun.actor)
    channel: str = ""  # Case.channel
    agency: int | None = None  # the case's agency (id)

    @property
    def narrows_steps(self) -> bool:
        return self.step is not None or bool(self.lane) or self.staff is not None

    def step_q(self, actor: str = "actor_id") -> Q:
        """The step filters (step, lane, staff member) over anything that keeps a step's number,
        lane and who completed it (`actor`: that field's name): the steps, the tallies, the
        deviations."""
        q = Q()
        if self.step is not None:
            q &= Q(step=self.step)
        if self.lane:
            q &= Q(lane=self.lane)
        if self.staff is not None:
            q &= Q(**{actor: self.staff})
        return q


@dataclass
class StepRow:
    """One step of one SOP version: its standard and how its finished runs measured up."""

    unit: Unit
    sop: SopVersion
    step: int
    uraian: str
    lane: str
    standard: int | None
    count: int  # finished runs (working minutes known)
    median: float | None
    p90: float | None
    within: int  # finished runs with working minutes <= standard
    overdue: int  # finished runs with working minutes > standard ("melewati mutu baku")
    running: int  # runs not finished yet
    running_late: int  # of those, past their due time
    # The finished runs by working minutes against the standard: <= 50 %, <= 100 %, <= 150 %,
    # <= 200 %, > 200 % (BUCKETS); the first two add up to `within`, the last three to `overdue`.
    buckets: tuple[int, ...] = (0, 0, 0, 0, 0)

    @property
    def share_within(self) -> float | None:
        """The share (0..1) of finished runs within the standard; None without a standard."""
        if self.standard is None or not self.count:
            return None
        return self.within / self.count


@dataclass
class CaseRow:
    """One case: its staff working minutes against the standard of the path it took and of the
    SOP's happy path."""

    case_id: int
    reference: str
    unit: Unit
    sop: SopVersion
    channel: str
    status: str
    agency: str
    submitted: dt.datetime  # local time of the case's unit
    working: int  # sum of the finished staff steps' working minutes
    path_standard: int  # sum of the same steps' standard minutes (the path the case took)
    happy_standard: int | None  # the SOP version's happy path minutes
    steps: int  # finished staff steps
    overdue: int  # of those, over their standard

    @property
    def over_path(self) -> bool:
        return self.working > self.path_standard

    @property
    def over_happy(self) -> bool:
        return self.happy_standard is not None and self.working > self.happy_standard


@dataclass
class WaitRow:
    """The requester's own wait at one step of one SOP version (or for training: `step` None),
    in calendar hours; never counted against staff."""

    unit: Unit
    sop: SopVersion
    step: int | None
    uraian: str
    lane: str
    count: int  # finished waits
    running: int  # still waiting
    median_hours: float | None
    p90_hours: float | None
    after: int | None = None  # for training: the step whose account waits for it

    @property
    def is_training(self) -> bool:
        return self.step is None


@dataclass
class Report:
    steps: list[StepRow] = field(default_factory=list)
    cases: list[CaseRow] = field(default_factory=list)
    cases_total: int = 0  # every matching case (the page shows the first CASE_ROWS)
    waits: list[WaitRow] = field(default_factory=list)


# -- scope and filters ----------------------------------------------------------------------------


def units_in_scope(user: Any) -> list[Unit]:
    """The units whose report the user may read: a superuser every unit, a staff member the
    units of their roles; nobody else any."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return list(Unit.objects.order_by("kode"))
    return sorted({role.unit_id: role.unit for role in rules.roles_of(user)}.values(), key=lambda u: u.kode)


def may_read(user: Any) -> bool:
    """Whether the user has a unit to report on (the page and its nav link)."""
    return bool(units_in_scope(user))


def _scope_q(user: Any) -> Q:
    if user is not None and getattr(user, "is_superuser", False) and user.is_active:
        return Q()
    return rules.visible_q(user)


def _period_q(units: Sequence[Unit], date_from: dt.date | None, date_to: dt.date | None) -> Q:
    """Filter over Case: submitted within the local days of each case's own unit."""
    if date_from is None and date_to is None:
        return Q()
    parts = Q(pk__in=[])
    for unit in units:
        zone = zoneinfo.ZoneInfo(unit.zona_waktu)
        part = Q(unit_id=unit.pk)
        if date_from is not None:
            part &= Q(created_at__gte=dt.datetime.combine(date_from, dt.time(), zone))
        if date_to is not None:
            part &= Q(created_at__lt=dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(), zone))
        parts |= part
    return parts


def matching_cases(user: Any, spec: ReportFilter) -> QuerySet[Case]:
    """The cases in the user's scope that the case filters of `spec` select (unordered)."""
    units = units_in_scope(user)
    if not units:
        return Case.objects.none()
    if spec.unit:
        units = [u for u in units if u.kode == spec.unit]
        if not units:
            return Case.objects.none()
    qs = Case.objects.filter(_scope_q(user), unit_id__in=[u.pk for u in units])
    qs = qs.filter(_period_q(units, spec.date_from, spec.date_to))
    if spec.sop:
        qs = qs.filter(sop__kode=spec.sop)
    if spec.versi is not None:
        qs = qs.filter(sop__versi=spec.versi)
    if spec.channel:
        qs = qs.filter(channel=spec.channel)
    if spec.agency is not None:
        qs = qs.filter(agency_id=spec.agency)
    return qs.order_by()


def matching_steps(user: Any, spec: ReportFilter) -> QuerySet[StepRun]:
    """Every step (any `by`) of the matching cases that the step filters select."""
    return StepRun.objects.filter(case__in=matching_cases(user, spec).values("pk")).filter(spec.step_q()).order_by()


# -- median and 90th percentile -------------------------------------------------------------------


def _percentiles(
    qs: QuerySet[Any], group: dict[str, str], value: Any, ps: Sequence[Fraction] = (MEDIAN, P90)
) -> dict[tuple[Any, ...], list[float | None]]:
    """The continuous percentiles `ps` of `value` (a field name or an expression; NULLs are
    left out) over the rows of `qs`, per group (`group`: alias -> field). Keyed by the group's
    values in `group`'s order. See the module docstring for the two dialects."""
    aliases = list(group)
    rows = qs.annotate(**{a: F(f) for a, f in group.items()}, r_value=value).values(*aliases, "r_value")
    try:
        inner, params = rows.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (e.g. no unit in scope)
        return {}
    return _percentile_sql(inner, params, aliases, ps)


def _percentile_sql(
    inner: str, params: Sequence[Any], aliases: Sequence[str], ps: Sequence[Fraction]
) -> dict[tuple[Any, ...], list[float | None]]:
    """The percentiles `ps` of the column `r_value` of the query `inner`, per group of its
    columns `aliases`, in the dialect of the database (module docstring)."""
    cols = ", ".join(aliases)
    if connection.vendor == "postgresql":
        # A float literal: no parameter (and no %) in the outer query.
        ordered = ", ".join(f"percentile_cont({float(p)!r}) WITHIN GROUP (ORDER BY r_value)" for p in ps)
        sql = f"SELECT {cols}, {ordered} FROM ({inner}) AS s WHERE r_value IS NOT NULL GROUP BY {cols}"
    else:
        picks: list[str] = []
        for p in ps:
            num, den = p.numerator, p.denominator
            whole = f"(({num} * (n - 1)) / {den})"  # integer division: floor of p*(n-1)
            rest = f"(({num} * (n - 1)) - {whole} * {den})"  # remainder, 0 <= rest < den
            low = f"MAX(CASE WHEN rn = 1 + {whole} THEN r_value END)"
            high = f"MAX(CASE WHEN rn = 1 + {whole} + ({rest} > 0) THEN r_value END)"
            picks.append(f"{low} + (MAX({rest}) * 1.0 / {den}) * ({high} - {low})")
        sql = (
            f"WITH s AS ({inner}), r AS (SELECT {cols}, r_value,"
            f" ROW_NUMBER() OVER (PARTITION BY {cols} ORDER BY r_value) AS rn,"
            f" COUNT(*) OVER (PARTITION BY {cols}) AS n FROM s WHERE r_value IS NOT NULL)"
            f" SELECT {cols}, {', '.join(picks)} FROM r GROUP BY {cols}"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    width = len(aliases)
    return {tuple(row[:width]): [_number(v) for v in row[width:]] for row in found}


def _number(value: Any) -> float | None:
    """A percentile as a float: minutes as they are, durations (an interval on PostgreSQL,
    microseconds on SQLite) in microseconds; the caller knows which."""
    if value is None:
        return None
    if isinstance(value, dt.timedelta):
        return value / dt.timedelta(microseconds=1)
    return float(value)


def _hours(microseconds: float | None) -> float | None:
    return None if microseconds is None else microseconds / 3_600_000_000


def _minutes_as_hours(minutes: float | None) -> float | None:
    return None if minutes is None else minutes / 60


# -- the report -----------------------------------------------------------------------------------


class _Names:
    """Units and SOP versions of the rows (one query each), each version parsed once."""

    def __init__(self, unit_ids: set[int], sop_ids: set[int]) -> None:
        self.units = {u.pk: u for u in Unit.objects.filter(pk__in=unit_ids)}
        self.sops = {v.pk: v for v in SopVersion.objects.filter(pk__in=sop_ids)}
        self._parsed = {pk: parsed(v) for pk, v in self.sops.items()}
        self._happy: dict[int, int | None] = {}

    def uraian(self, sop_id: int, step: int) -> str:
        sop = self._parsed[sop_id]
        return next((k.uraian for k in sop.kegiatan if k.no == step), "")

    def happy(self, sop_id: int) -> int | None:
        if sop_id not in self._happy:
            path = happy_path(self._parsed[sop_id])
            self._happy[sop_id] = path.minutes if path else None
        return self._happy[sop_id]

    def training_step(self, sop_id: int) -> tuple[int | None, str]:
        """The step whose account waits for training (`tunggu`), and its lane."""
        step = next((k for k in self._parsed[sop_id].kegiatan if k.tunggu), None)
        return (step.no, step.pelaksana) if step else (None, "")


def _running(user: Any, spec: ReportFilter, by: Any, now: dt.datetime) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Per (unit id, SOP version id, step, lane): the runs of `by` not finished yet, those past
    their due time, and their standard. A live count: few steps are open at any time, and the
    partial index on unfinished steps finds them."""
    rows = (
        matching_steps(user, spec)
        .filter(by__in=by, finished_at__isnull=True)
        .values(*_GROUP.values())
        .annotate(
            running=Count("pk"), running_late=Count("pk", filter=Q(due_at__lt=now)), standard=Max("standard_minutes")
        )
        .order_by()
    )
    return {tuple(r[f] for f in _GROUP.values()): r for r in rows}


def step_rows(user: Any, spec: ReportFilter, *, now: dt.datetime | None = None) -> list[StepRow]:
    """Per unit, SOP version, step and lane: the staff figures (module docstring); the finished
    runs from the tallies, the running ones counted live."""
    now = now or timezone.now()
    finished = tallies.step_figures(user, spec)
    running = _running(user, spec, _STAFF_BY, now)
    keys = set(finished) | set(running)
    names = _Names({k[0] for k in keys}, {k[1] for k in keys})
    out = []
    for key in keys:
        figures = finished.get(key, tallies.Figures())
        live = running.get(key, {})
        unit_id, sop_id, step, lane = key
        out.append(
            StepRow(
                unit=names.units[unit_id],
                sop=names.sops[sop_id],
                step=step,
                uraian=names.uraian(sop_id, step),
                lane=lane,
                standard=figures.standard if figures.standard is not None else live.get("standard"),
                count=figures.count,
                median=figures.percentile(MEDIAN),
                p90=figures.percentile(P90),
                within=figures.within,
                overdue=figures.overdue,
                running=live.get("running", 0),
                running_late=live.get("running_late", 0),
                buckets=tuple(figures.buckets),
            )
        )
    out.sort(key=lambda row: (row.unit.kode, row.sop.kode, row.sop.versi, row.step, row.lane))
    return out


def _case_query(user: Any, spec: ReportFilter) -> tuple[QuerySet[Case], QuerySet[Any]]:
    """The matching cases (those with a matching staff step when the step filters are set), and
    the same as one row of staff totals per case, newest first."""
    cases = matching_cases(user, spec)
    if spec.narrows_steps:
        cases = cases.filter(pk__in=matching_steps(user, spec).filter(by__in=_STAFF_BY).values("case_id"))
    done = Q(steps__by__in=_STAFF_BY, steps__finished_at__isnull=False)
    rows = (
        cases.values("pk", "reference", "unit_id", "sop_id", "channel", "status", "created_at", "agency__name")
        .annotate(
            working=Sum("steps__working_minutes", filter=done),
            path_standard=Sum("steps__standard_minutes", filter=done),
            steps_done=Count("steps", filter=done),
            overdue=Count("steps", filter=done & Q(steps__working_minutes__gt=F("steps__standard_minutes"))),
        )
        .order_by("-created_at", "-pk")
    )
    return cases, rows


def _case_row(r: dict[str, Any], names: _Names) -> CaseRow:
    labels, statuses = dict(Channel.choices), dict(Status.choices)
    unit = names.units[r["unit_id"]]
    return CaseRow(
        case_id=r["pk"],
        reference=r["reference"],
        unit=unit,
        sop=names.sops[r["sop_id"]],
        channel=str(labels.get(r["channel"], r["channel"])),
        status=str(statuses.get(r["status"], r["status"])),
        agency=r["agency__name"] or "",
        submitted=timezone.localtime(r["created_at"], zoneinfo.ZoneInfo(unit.zona_waktu)),
        working=r["working"] or 0,
        path_standard=r["path_standard"] or 0,
        happy_standard=names.happy(r["sop_id"]),
        steps=r["steps_done"],
        overdue=r["overdue"],
    )


def case_rows(user: Any, spec: ReportFilter, *, limit: int | None = CASE_ROWS) -> tuple[list[CaseRow], int]:
    """The matching cases (newest first; at most `limit`, None: all) with their staff totals
    against the path they took and the happy path; and how many cases match in all."""
    cases, rows = _case_query(user, spec)
    total = cases.count()
    if limit is not None:
        # The newest ids first (an index walk), then the totals of those cases only: summing
        # every case's steps before sorting would cost the whole period on each page view.
        newest = list(cases.order_by("-created_at", "-pk").values_list("pk", flat=True)[:limit])
        rows = rows.filter(pk__in=newest)
    found = list(rows)
    names = _Names({r["unit_id"] for r in found}, {r["sop_id"] for r in found})
    return [_case_row(r, names) for r in found], total


def iter_case_rows(user: Any, spec: ReportFilter, *, chunk_size: int = 2000) -> Iterator[CaseRow]:
    """Every matching case as `case_rows` gives it, newest first, streamed from the database
    (`.iterator()`: a server-side cursor on PostgreSQL), for the exports of every case: one
    chunk of rows in memory at a time, never the whole table. The units and SOP versions of the
    user's scope are read once, before the first row."""
    units = units_in_scope(user)
    unit_ids = {u.pk for u in units}
    names = _Names(unit_ids, set(SopVersion.objects.filter(unit_id__in=unit_ids).values_list("pk", flat=True)))
    _cases, rows = _case_query(user, spec)
    for r in rows.iterator(chunk_size=chunk_size):
        yield _case_row(r, names)


def count_cases(user: Any, spec: ReportFilter) -> int:
    """How many cases `case_rows` and `iter_case_rows` list in all."""
    return _case_query(user, spec)[0].count()


@dataclass(frozen=True)
class CaseSummary:
    """The per-case table in a few figures (the monthly PDF): how many cases match, how many
    have a finished staff step, how many of those went over the standard of the path they took,
    and the median and 90th percentile of their staff working minutes."""

    total: int
    measured: int
    over_path: int
    median: float | None
    p90: float | None


def case_summary(user: Any, spec: ReportFilter) -> CaseSummary:
    """One aggregate over the per-case rows (`_case_query`), in SQL: no case read into Python."""
    cases, rows = _case_query(user, spec)
    total = cases.count()
    try:
        per_case, params = rows.order_by().query.sql_with_params()
    except EmptyResultSet:
        return CaseSummary(total, 0, 0, None, None)
    measured_sql = f"SELECT 1 AS g_all, working AS r_value, path_standard FROM ({per_case}) AS c WHERE steps_done > 0"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), COALESCE(SUM(CASE WHEN r_value > path_standard THEN 1 ELSE 0 END), 0)"
            f" FROM ({measured_sql}) AS m",
            params,
        )
        measured, over = cursor.fetchone()
    marks = _percentile_sql(measured_sql, params, ["g_all"], (MEDIAN, P90)).get((1,), [None, None])
    return CaseSummary(total, int(measured), int(over), marks[0], marks[1])


def wait_rows(user: Any, spec: ReportFilter) -> list[WaitRow]:
    """The requester's own steps and the training waits, in calendar hours (module docstring)."""
    from loket.registration.models import Registration

    finished = tallies.wait_figures(user, spec)
    running = _running(user, spec, (StepRun.By.REQUESTER,), timezone.now())
    training: list[dict[str, Any]] = []
    training_marks: dict[tuple[Any, ...], list[float | None]] = {}
    if not spec.narrows_steps:
        waits = Registration.objects.filter(
            case__in=matching_cases(user, spec).values("pk"), waiting_since__isnull=False
        ).order_by()
        group = {"g_unit": "case__unit_id", "g_sop": "case__sop_id"}
        training = list(
            waits.values(*group.values()).annotate(
                count=Count("pk", filter=Q(trained_at__isnull=False)),
                running=Count("pk", filter=Q(trained_at__isnull=True)),
            )
        )
        wait = ExpressionWrapper(F("trained_at") - F("waiting_since"), output_field=DurationField())
        training_marks = _percentiles(waits.filter(trained_at__isnull=False), group, wait)
    keys = set(finished) | set(running)
    names = _Names(
        {k[0] for k in keys} | {r["case__unit_id"] for r in training},
        {k[1] for k in keys} | {r["case__sop_id"] for r in training},
    )
    out = []
    for key in keys:
        figures = finished.get(key, tallies.Figures())
        unit_id, sop_id, step, lane = key
        out.append(
            WaitRow(
                unit=names.units[unit_id],
                sop=names.sops[sop_id],
                step=step,
                uraian=names.uraian(sop_id, step),
                lane=lane,
                count=figures.count,
                running=running.get(key, {}).get("running", 0),
                median_hours=_minutes_as_hours(figures.percentile(MEDIAN)),
                p90_hours=_minutes_as_hours(figures.percentile(P90)),
            )
        )
    for r in training:
        median, p90 = training_marks.get((r["case__unit_id"], r["case__sop_id"]), [None, None])
        after, lane = names.training_step(r["case__sop_id"])
        out.append(
            WaitRow(
                unit=names.units[r["case__unit_id"]],
                sop=names.sops[r["case__sop_id"]],
                step=None,
                uraian=names.uraian(r["case__sop_id"], after) if after else "",
                lane=lane,
                count=r["count"],
                running=r["running"],
                median_hours=_hours(median),
                p90_hours=_hours(p90),
                after=after,
            )
        )
    out.sort(key=lambda row: (row.unit.kode, row.sop.kode, row.sop.versi, row.step is None, row.step or 0))
    return out


def report(
    user: Any, spec: ReportFilter, *, now: dt.datetime | None = None, case_limit: int | None = CASE_ROWS
) -> Report:
    """The whole report: the step table, the per-case table and the requester's waits."""
    cases, total = case_rows(user, spec, limit=case_limit)
    return Report(steps=step_rows(user, spec, now=now), cases=cases, cases_total=total, waits=wait_rows(user, spec))
