"""Which staff lanes work the front office and the counters of a unit, read from its SOPs.

A lane staffs the front office when a step of one of the unit's installed SOPs (newest versions)
with the action `isi-buku-tamu` or `beri-nomor-antrian` is in that lane and the lane is a staff
lane of the unit (catalog.UnitLane: the requester's lane that signs the guest book is not one);
it staffs the counters when such a step has the action `panggil-antrian`. The services that take
queue tickets are the SOPs with a `beri-nomor-antrian` step. Nothing here names a lane or an SOP.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from loket.catalog.selectors import parsed, staff_lanes, unit_versions
from loket.staff import rules

GUEST_BOOK_ACTION = "isi-buku-tamu"
TICKET_ACTION = "beri-nomor-antrian"
CALL_ACTION = "panggil-antrian"
FRONT_OFFICE_ACTIONS = frozenset({GUEST_BOOK_ACTION, TICKET_ACTION})
COUNTER_ACTIONS = frozenset({CALL_ACTION})


@dataclass(frozen=True)
class QueueService:
    kode: str
    nama: str
    ticket_minutes: int | None  # the SOP's time standard for the ticket (`waktu` of its step)


@dataclass(frozen=True)
class UnitQueueLanes:
    front_office: frozenset[str]
    counter: frozenset[str]
    services: tuple[QueueService, ...]


def queue_lanes(unit: Any) -> UnitQueueLanes:
    staff = staff_lanes(unit.pk)
    front: set[str] = set()
    counter: set[str] = set()
    services: list[QueueService] = []
    for version in unit_versions(unit.pk):
        sop = parsed(version)
        minutes: int | None = None
        gives_tickets = False
        for step in sop.kegiatan:
            if step.aksi in FRONT_OFFICE_ACTIONS and step.pelaksana in staff:
                front.add(step.pelaksana)
            if step.aksi in COUNTER_ACTIONS and step.pelaksana in staff:
                counter.add(step.pelaksana)
            if step.aksi == TICKET_ACTION:
                gives_tickets = True
                minutes = step.waktu
        if gives_tickets:
            services.append(QueueService(sop.kode, sop.nama, minutes))
    return UnitQueueLanes(frozenset(front), frozenset(counter), tuple(services))


def holds_lane(user: Any, unit: Any, lanes: frozenset[str]) -> bool:
    return any(r.unit_id == unit.pk and r.role in lanes for r in rules.roles_of(user))


def _lanes_by_unit(user: Any) -> dict[int, tuple[Any, UnitQueueLanes]]:
    """The queue lanes of each unit the user holds a role at, read once per user object (as its
    roles are: `rules.forget_roles` drops both), so the console's nav and panel on one page do not
    read every SOP of the unit again."""
    roles = rules.roles_of(user)
    cached = getattr(user, "_loket_queue_lanes", None)
    if cached is None or cached[0] is not roles:
        found: dict[int, tuple[Any, UnitQueueLanes]] = {}
        for role in roles:
            if role.unit_id not in found:
                found[role.unit_id] = (role.unit, queue_lanes(role.unit))
        cached = (roles, found)
        if user is not None and getattr(user, "is_authenticated", False):
            user._loket_queue_lanes = cached
    return cached[1]


def units_of(user: Any, *, counter: bool) -> list[Any]:
    """The units where the user works the front office (counter=False) or a counter (True)."""
    lanes_by_unit = _lanes_by_unit(user)
    seen: dict[int, Any] = {}
    for role in rules.roles_of(user):
        unit, lanes = lanes_by_unit[role.unit_id]
        if role.role in (lanes.counter if counter else lanes.front_office):
            seen.setdefault(role.unit_id, unit)
    return list(seen.values())
