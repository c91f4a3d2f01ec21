"""Which staff lanes open a unit's mail, read from its SOPs, and who may see its mailbox screen.

The lanes that open mail at a unit are the lanes of its steps with the action `panggil-antrian`
("memanggil nomor antrian berikutnya atau membuka e-mail berikutnya": the counter's lanes,
`loket.counter.lanes.queue_lanes(unit).counter`). A unit whose SOPs have no such step gets, from
each of its installed SOPs (newest versions), the lane of the first staff step after the
requester's step(s): the lane a new request reaches first. Only staff lanes of the unit count
(catalog.UnitLane). Nothing here names a lane or an SOP.

A user sees a unit's mailbox screen when the unit has a mailbox and the user holds one of those
lanes at the unit (`loket.staff.rules.roles_of`), or is a superuser.
"""

from __future__ import annotations

from typing import Any

from loket.catalog.selectors import parsed, staff_lanes, unit_versions
from loket.counter.lanes import queue_lanes
from loket.staff import rules
from loket.units.models import Unit

_CACHE_ATTR = "_loket_mail_lanes"


def mail_lanes(unit: Any) -> frozenset[str]:
    """The staff lanes that open mail at `unit` (module docstring)."""
    counter = queue_lanes(unit).counter
    if counter:
        return counter
    staff = staff_lanes(unit.pk)
    found: set[str] = set()
    for version in unit_versions(unit.pk):
        sop = parsed(version)
        steps = sorted(sop.kegiatan, key=lambda k: k.no)
        i = 0
        while i < len(steps) and steps[i].by == "pemohon":
            i += 1  # the requester's own step(s) that open the SOP
        for step in steps[i:]:
            if step.by == "staf" and step.pelaksana in staff:
                found.add(step.pelaksana)
                break
    return frozenset(found)


def _mailbox_units() -> list[Unit]:
    return list(Unit.objects.filter(mailbox__isnull=False).select_related("mailbox").order_by("kode"))


def units_of(user: Any) -> list[Unit]:
    """The units with a mailbox whose screen `user` may see, by kode; read once per user object
    (as its roles are: `rules.forget_roles` drops both)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    roles = rules.roles_of(user)
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None and cached[0] is roles:
        return list(cached[1])
    units = _mailbox_units()
    if not user.is_superuser:
        held: dict[int, set[str]] = {}
        for role in roles:
            held.setdefault(role.unit_id, set()).add(role.role)
        units = [u for u in units if u.pk in held and held[u.pk] & mail_lanes(u)]
    setattr(user, _CACHE_ATTR, (roles, units))
    return list(units)


def may_see(user: Any, unit: Any) -> bool:
    """Whether `user` may see (and act on) the mailbox screen of `unit`."""
    return any(u.pk == unit.pk for u in units_of(user))
