"""Builders for the staff tests: staff with one role, and cases placed in a unit, agency and lane."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from loket.cases.models import Case, Channel, Need, Status, StepRun
from loket.catalog.models import SopVersion
from loket.directory.models import Agency
from loket.staff.models import StaffRole
from loket.units.models import Unit

PASSWORD = "Rahasia-uji-123"
SOP_OF_UNIT = {
    "kaltim": "kaltim-reset-ppk",
    "magelang": "magelang-reset-ppk",
    "sbt": "sbt-reset-pokja",
    "kkp": "kkp-reset-admin-agency",
    "papua": "papua-reset-ppk",  # the new unit of tests/new_unit.py
}


def agency(unit: str, name: str) -> Agency:
    return Agency.objects.get_or_create(unit=Unit.objects.get(kode=unit), name=name)[0]


def staff(username: str, unit: str, role: str, agency_name: str | None = None) -> Any:
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        user = get_user_model().objects.create_user(username, password=PASSWORD)
    StaffRole.objects.create(
        user=user,
        unit=Unit.objects.get(kode=unit),
        role=role,
        agency=agency(unit, agency_name) if agency_name else None,
    )
    return user


def case(
    reference: str,
    unit: str,
    *,
    lane: str,
    agency_name: str | None = None,
    status: str = Status.OPEN,
    step: int | None = None,
    since: dt.datetime | None = None,
) -> Case:
    """A case of the unit's SOP waiting at `lane`; with `step`, it stands at that step, a staff
    step started `since` (now by default)."""
    created = Case.objects.create(
        unit=Unit.objects.get(kode=unit),
        sop=SopVersion.objects.get(kode=SOP_OF_UNIT[unit]),
        reference=reference,
        tracking_digest=hashlib.sha256(reference.encode()).hexdigest(),
        channel=Channel.WEB,
        need=Need.PASSWORD,
        requester_name="Pemohon " + reference,
        requester_email="pemohon@instansi.go.id",
        agency=agency(unit, agency_name) if agency_name else None,
        current_step=step,
        current_lane=lane,
        status=status,
    )
    if step is not None:
        StepRun.objects.create(
            case=created,
            step=step,
            aksi="kerjakan",
            lane=lane,
            by=StepRun.By.STAFF,
            started_at=since or timezone.now(),
        )
    return created
