"""Reading deviations: who sees which, the two lists, and the counts the mutu baku report shows.

**Scope.** An executor sees their own deviations (to answer them). A holder of an SOP's
`pengawas` lane at its unit sees the deviations of that SOP's cases at that unit (to review
them): the `pengawas` of the SOP's newest installed version, so a lane named by a revision
reviews the deviations of the cases that still run on older versions too, and an SOP that names
none is reviewed by a superuser only. A superuser sees every deviation. Anyone else sees none.
A `pengawas` lane is never agency-scoped (the checker and the install's `lingkup` rule), so its
holder reviews every agency's cases of the unit; a role row that nevertheless names an agency
(a bad row) is kept to that agency, the narrower reading of `staff.rules`.

**Filters.** The lists filter exactly as the mutu baku report does: the deviations of the cases
`reports.mutu_baku.matching_cases` selects for the same `ReportFilter` (period, SOP, version,
channel, agency, unit, and so within the report's scope), of the step, lane and staff member it
names (the deviation's own copy of its step's number and lane, and its executor, who completed
the step: no step is read); then status and kind. A staff member who holds no role any more has no unit to report on, and so no list.
"""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, Q, QuerySet

from loket.catalog.selectors import latest_versions, parsed
from loket.reports.mutu_baku import ReportFilter, matching_cases
from loket.staff import rules

from .models import ANSWERABLE, REVIEWABLE, Deviation, Status

NOTHING = Q(pk__in=[])


def _active(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


# Where `supervised` keeps its answer for the rest of the request (as staff.rules.roles_of).
_CACHE_ATTR = "_loket_supervised"


def supervised(user: Any) -> list[tuple[int, str, int | None]]:
    """(unit id, SOP kode, agency id or None) of every SOP whose newest version names as
    `pengawas` a lane the user holds at its unit; read once per user object."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = _supervised(user)
        if user is not None:
            setattr(user, _CACHE_ATTR, cached)
    return cached


def _supervised(user: Any) -> list[tuple[int, str, int | None]]:
    held: dict[tuple[int, str], int | None] = {}
    for role in rules.roles_of(user):
        if getattr(role, "lane_scoped", None) is False:  # a unit-wide staff lane of its unit
            held[(role.unit_id, role.role)] = role.agency_id
    if not held:
        return []
    units = {unit for unit, _lane in held}
    found = []
    for version in latest_versions().filter(unit_id__in=units):
        lane = parsed(version).pengawas
        if lane and (version.unit_id, lane) in held:
            found.append((version.unit_id, version.kode, held[(version.unit_id, lane)]))
    return found


def report_q(user: Any, spec: ReportFilter) -> Q:
    """Filter over Deviation: the deviations of what the mutu baku report counts for `user` and
    `spec` (module docstring)."""
    # the executor is who completed the step
    return Q(case__in=matching_cases(user, spec).values("pk")) & spec.step_q(actor="executor_id")


def review_q(user: Any) -> Q:
    """Filter over Deviation: the deviations the user reviews."""
    if not _active(user):
        return NOTHING
    if user.is_superuser:
        return Q()
    parts = []
    for unit_id, kode, agency_id in supervised(user):
        q = Q(case__unit_id=unit_id, case__sop__kode=kode)
        if agency_id is not None:
            q &= Q(case__agency_id=agency_id)
        parts.append(q)
    return reduce(or_, parts) if parts else NOTHING


def may_review(user: Any) -> bool:
    """Whether the user has deviations to review somewhere (the "Penyimpangan" page)."""
    return _active(user) and (user.is_superuser or bool(supervised(user)))


def can_review(user: Any, deviation: Deviation) -> bool:
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    return any(
        unit_id == deviation.case.unit_id
        and kode == deviation.case.sop.kode
        and (agency_id is None or agency_id == deviation.case.agency_id)
        for unit_id, kode, agency_id in supervised(user)
    )


def can_see(user: Any, deviation: Deviation) -> bool:
    """The executor, and whoever reviews it."""
    return _active(user) and (deviation.executor_id == user.pk or can_review(user, deviation))


def has_own(user: Any) -> bool:
    return _active(user) and Deviation.objects.filter(executor=user).exists()


def waiting_on(user: Any) -> dict[str, int]:
    """How many deviations wait on the user: to answer (their own, open or returned) and to
    review (answered, in their review scope; never their own). One query each."""
    if not _active(user):
        return {"jawab": 0, "tinjau": 0}
    mine = Deviation.objects.filter(executor=user, status__in=ANSWERABLE).count()
    review = 0
    if may_review(user):
        review = Deviation.objects.filter(review_q(user), status__in=REVIEWABLE).exclude(executor=user).count()
    return {"jawab": mine, "tinjau": review}


def deviation_list(
    user: Any, spec: ReportFilter, *, mine: bool, status: str = "", kind: str = ""
) -> QuerySet[Deviation]:
    """The deviations of the user's list (their own, or those they review) that the report's
    filters `spec`, `status` and `kind` select, newest first, with what a row shows."""
    scope = Q(executor=user) if mine else review_q(user)
    if not _active(user):
        return Deviation.objects.none()
    qs = Deviation.objects.filter(scope, report_q(user, spec))
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related(
        "case", "case__unit", "case__sop", "case__agency", "step_run", "executor", "reviewer"
    ).order_by("-recorded_at", "-id")


def deviation_summary(user: Any, spec: ReportFilter) -> dict[tuple[int, int], dict[str, int]]:
    """For the mutu baku report, per (SOP version id, step number): how many deviations its
    steps carry (`jumlah`), how many have a standing answer (`dijawab`: answered and waiting for
    review, or accepted) and how many were accepted (`diterima`). Over the steps the report
    itself counts for `user` and `spec` (its scope and filters, both kinds); one SQL aggregate."""
    rows = (
        Deviation.objects.filter(report_q(user, spec))
        .values("case__sop_id", "step")
        .annotate(
            jumlah=Count("pk"),
            dijawab=Count("pk", filter=Q(status__in=(Status.ANSWERED, Status.ACCEPTED))),
            diterima=Count("pk", filter=Q(status=Status.ACCEPTED)),
        )
        .order_by()
    )
    return {
        (r["case__sop_id"], r["step"]): {
            "jumlah": r["jumlah"],
            "dijawab": r["dijawab"],
            "diterima": r["diterima"],
        }
        for r in rows
    }


def late_step(case: Any, now: Any = None) -> dict[str, Any] | None:
    """The step the case waits at, when a staff member finishing it now would finish it late
    (its working minutes so far exceed its standard: the rule `services.is_over`): its number
    and minutes, for the case page's "Alasan keterlambatan". None otherwise."""
    from django.utils import timezone

    from loket.calendar.units import calendar_for
    from loket.cases.models import StepRun

    if case.is_closed or case.current_step is None:
        return None
    run = case.steps.filter(finished_at__isnull=True, by=StepRun.By.STAFF).order_by("-id").first()
    if run is None or run.step != case.current_step or run.standard_minutes is None:
        return None
    from .services import LATE_REASON, is_over  # services reads this module

    minutes = calendar_for(case.unit).between(run.started_at, now or timezone.now())
    if not is_over(minutes, run.standard_minutes):
        return None
    return {
        "no": run.step,
        "name": LATE_REASON.format(no=run.step),
        "minutes": minutes,
        "standard": run.standard_minutes,
    }
