"""Scope: the one place that says which cases a user may see and act on.

A staff member sees the cases of the units they hold a role in; for an agency-scoped role (a lane
the unit's SOPs list in `lingkup_instansi`, catalog.UnitLane) only the cases of their agency. They act in a lane (an SOP `pelaksana`) when they hold
that role in the case's unit, and for an agency-scoped role only on their agency's cases. Their
queue is the open cases waiting on a lane they hold, in that scope.

Denials that follow from this, each tested in tests/staff/test_rules.py:
- a user with no role (or an inactive or anonymous user) sees and acts on nothing;
- a superuser has no case access by being one: superusers run the admin (units, SOPs, staff),
  and see cases only through staff roles of their own, so every look at a case is in someone's
  scope and on the audit trail under a role;
- an agency-scoped role with no agency recorded (a bad row) grants nothing, rather than the
  cases with no agency;
- a role that is not a staff lane of its unit's installed SOPs (its lane was never installed, or
  it names a requester's lane) grants nothing: its scope is not known, so it is not guessed;
- a case with no agency is seen by the non-agency roles of its unit only.

Whether a case is waiting on a lane at all (its status and current step) is the engine's and the
case services' question; `can_act` answers only "is this in the user's scope".
"""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

from django.db.models import OuterRef, Q, Subquery

from loket.cases.models import Status
from loket.catalog.models import UnitLane

from .models import StaffRole

# Where roles_of keeps the user's roles for the rest of the request (one query per request).
_CACHE_ATTR = "_loket_staff_roles"
NOTHING = Q(pk__in=[])


def roles_of(user: Any) -> list[StaffRole]:
    """The user's staff roles (with unit and agency), read once per user object. Each carries
    `lane_scoped`: True or False as the unit's lane (UnitLane) says, None when the role is not a
    staff lane of its unit; read in the same query."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        scope = UnitLane.objects.filter(unit=OuterRef("unit"), name=OuterRef("role")).values("agency_scoped")
        cached = list(
            StaffRole.objects.filter(user=user)
            .select_related("unit", "agency")
            .annotate(lane_scoped=Subquery(scope[:1]))
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_roles(user: Any) -> None:
    """Drop the cached roles (after a change to them within the same request or test)."""
    if user is not None and hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _agency_scoped(role: StaffRole) -> bool | None:
    """True/False: the role's lane is (not) agency-scoped at its unit; None: not a lane there."""
    return getattr(role, "lane_scoped", None)


def _grants(role: StaffRole) -> bool:
    scoped = _agency_scoped(role)
    if scoped is None:
        return False  # not a staff lane of the unit: no known scope, so nothing
    # An agency-scoped row without an agency must not read as "the cases without an agency".
    return not scoped or role.agency_id is not None


def _limited_to_agency(role: StaffRole) -> bool:
    """A role is limited to its agency when its lane is agency-scoped, and also whenever the row
    names an agency: a later SOP version that drops the lane's scope must not widen what an
    agency's staff already see to the whole unit."""
    return bool(_agency_scoped(role)) or role.agency_id is not None


def _scope_q(role: StaffRole) -> Q:
    q = Q(unit_id=role.unit_id)
    if _limited_to_agency(role):
        q &= Q(agency_id=role.agency_id)
    return q


def _any(parts: list[Q]) -> Q:
    return reduce(or_, parts) if parts else NOTHING


def queue_q(user: Any) -> Q:
    """Filter over Case: the open cases waiting on one of the user's lanes, in their scope."""
    parts = [_scope_q(r) & Q(current_lane=r.role) for r in roles_of(user) if _grants(r)]
    return Q(status=Status.OPEN) & _any(parts) if parts else NOTHING


def visible_q(user: Any) -> Q:
    """Filter over Case: every case (any status) in the user's scope."""
    return _any([_scope_q(r) for r in roles_of(user) if _grants(r)])


def _in_scope(role: StaffRole, case: Any) -> bool:
    if not _grants(role) or role.unit_id != case.unit_id:
        return False
    return not _limited_to_agency(role) or role.agency_id == case.agency_id


def can_view(user: Any, case: Any) -> bool:
    """Whether the user may see `case` (same rule as visible_q, without a query)."""
    return any(_in_scope(r, case) for r in roles_of(user))


def can_act(user: Any, case: Any, lane: str) -> bool:
    """Whether the user may act in `lane` on `case`: they hold that role in its scope."""
    return any(r.role == lane and _in_scope(r, case) for r in roles_of(user))
