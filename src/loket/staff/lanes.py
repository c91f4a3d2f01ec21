"""Reading a unit's staff lanes (catalog.UnitLane, from its installed SOPs): who holds each, and
the open cases waiting at a lane nobody can act on.

Callers: `loket sop install` and the admin upload (the warning for unheld lanes), `loket staff
lanes` and the console's lanes page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import BooleanField, Exists, OuterRef, QuerySet, Subquery, Value, When
from django.db.models import Case as Choose

from loket.cases.models import Case, Status, StepRun
from loket.catalog.models import UnitLane
from loket.units.models import Unit

from .models import StaffRole


def held_lanes(unit_kode: str) -> set[str]:
    """The lanes of the unit that at least one active staff member holds (any agency)."""
    return set(
        StaffRole.objects.filter(unit__kode=unit_kode, user__is_active=True).values_list("role", flat=True).distinct()
    )


def waiting_at_unheld_lanes(*, unit: Unit | None = None) -> QuerySet[Case]:
    """Open cases whose current lane nobody can act on: no active staff member holds that lane
    in the case's unit, or, for an agency-scoped lane, none holds it for the case's agency (a
    case without an agency at such a lane is never held). A lane that is not a staff lane of
    the unit at all (its SOPs no longer have it) is held by nobody either. Each case carries
    `waiting_since`: when its current step started."""
    holders = StaffRole.objects.filter(unit=OuterRef("unit"), role=OuterRef("current_lane"), user__is_active=True)
    scoped = UnitLane.objects.filter(unit=OuterRef("unit"), name=OuterRef("current_lane")).values("agency_scoped")
    open_run = StepRun.objects.filter(case=OuterRef("pk"), finished_at=None).order_by("-id").values("started_at")
    cases = (
        Case.objects.filter(status=Status.OPEN)
        .exclude(current_lane="")
        .annotate(
            lane_scoped=Subquery(scoped[:1]),
            held=Choose(
                When(lane_scoped=False, then=Exists(holders.filter(agency=None))),
                When(lane_scoped=True, then=Exists(holders.filter(agency=OuterRef("agency")))),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .filter(held=False)
        .annotate(waiting_since=Subquery(open_run[:1]))
        .select_related("unit", "sop", "agency")
        .order_by("unit__kode", "current_lane", "created_at", "id")
    )
    return cases.filter(unit=unit) if unit is not None else cases


@dataclass
class LaneRow:
    name: str
    agency_scoped: bool
    holders: list[StaffRole] = field(default_factory=list)


@dataclass
class UnitLanes:
    unit: Unit
    lanes: list[LaneRow]
    waiting: list[Case]  # open cases at a lane nobody can act on


def lanes_report(*, unit: str | None = None) -> list[UnitLanes]:
    """Per unit (all, or the one whose kode is `unit`): each staff lane with its scope and its
    active holders, and the open cases waiting at unheld lanes. Three queries."""
    units = list(Unit.objects.order_by("kode").filter(**({"kode": unit} if unit else {})))
    lanes = UnitLane.objects.filter(unit__in=units).order_by("name")
    roles = (
        StaffRole.objects.filter(unit__in=units, user__is_active=True)
        .select_related("user", "agency")
        .order_by("user__username", "agency__name")
    )
    waiting = waiting_at_unheld_lanes().filter(unit__in=units)
    rows = {u.pk: UnitLanes(u, [], []) for u in units}
    by_lane: dict[tuple[int, str], LaneRow] = {}
    for lane in lanes:
        row = LaneRow(lane.name, lane.agency_scoped)
        rows[lane.unit_id].lanes.append(row)
        by_lane[(lane.unit_id, lane.name)] = row
    for role in roles:
        if (role.unit_id, role.role) in by_lane:
            by_lane[(role.unit_id, role.role)].holders.append(role)
    for case in waiting:
        rows[case.unit_id].waiting.append(case)
    return list(rows.values())
