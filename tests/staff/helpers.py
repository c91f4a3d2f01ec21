"""Builders for the staff tests: staff with one role, and cases placed in a unit, agency and lane."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth import get_user_model

from loket.cases.models import Case, Channel, Need, Status
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


def case(reference: str, unit: str, *, lane: str, agency_name: str | None = None, status: str = Status.OPEN) -> Case:
    return Case.objects.create(
        unit=Unit.objects.get(kode=unit),
        sop=SopVersion.objects.get(kode=SOP_OF_UNIT[unit]),
        reference=reference,
        tracking_digest=hashlib.sha256(reference.encode()).hexdigest(),
        channel=Channel.WEB,
        need=Need.PASSWORD,
        requester_name="Pemohon " + reference,
        requester_email="pemohon@instansi.go.id",
        agency=agency(unit, agency_name) if agency_name else None,
        current_lane=lane,
        status=status,
    )
