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

from loket.catalog.models import UnitLane
from loket.catalog.selectors import latest_versions, parsed
from loket.staff import rules

FRONT_OFFICE_ACTIONS = frozenset({"isi-buku-tamu", "beri-nomor-antrian"})
TICKET_ACTION = "beri-nomor-antrian"
COUNTER_ACTIONS = frozenset({"panggil-antrian"})


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
    staff_lanes = set(UnitLane.objects.filter(unit=unit).values_list("name", flat=True))
    front: set[str] = set()
    counter: set[str] = set()
    services: list[QueueService] = []
    for version in latest_versions().filter(unit=unit):
        sop = parsed(version)
        minutes: int | None = None
        gives_tickets = False
        for step in sop.kegiatan:
            if step.aksi in FRONT_OFFICE_ACTIONS and step.pelaksana in staff_lanes:
                front.add(step.pelaksana)
            if step.aksi in COUNTER_ACTIONS and step.pelaksana in staff_lanes:
                counter.add(step.pelaksana)
            if step.aksi == TICKET_ACTION:
                gives_tickets = True
                minutes = step.waktu
        if gives_tickets:
            services.append(QueueService(sop.kode, sop.nama, minutes))
    return UnitQueueLanes(frozenset(front), frozenset(counter), tuple(services))


def holds_lane(user: Any, unit: Any, lanes: frozenset[str]) -> bool:
    return any(r.unit_id == unit.pk and r.role in lanes for r in rules.roles_of(user))


def units_of(user: Any, *, counter: bool) -> list[Any]:
    """The units where the user works the front office (counter=False) or a counter (True)."""
    seen: dict[int, Any] = {}
    for role in rules.roles_of(user):
        if role.unit_id in seen:
            continue
        lanes = queue_lanes(role.unit)
        if role.role in (lanes.counter if counter else lanes.front_office):
            seen[role.unit_id] = role.unit
    return list(seen.values())
