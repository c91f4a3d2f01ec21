"""What requesters may ask for: the services on offer and the rule that a request names its
agency. The portal, the API and `submit_request` read these and nothing else."""

from __future__ import annotations

from typing import Any

from loket.catalog.models import SopVersion
from loket.catalog.selectors import get_version, latest_versions
from loket.directory.models import Agency

# The kinds of service (`layanan`) requesters can hand in: every kind the SOP model knows.
OFFERED = ("reset-akun", "registrasi-akun")


def offered_versions() -> Any:
    """The newest version of every SOP on offer, with its unit, by unit then kode."""
    return latest_versions().filter(layanan__in=OFFERED)


def offered_version(sop_kode: str, *, unit_kode: str | None = None) -> SopVersion | None:
    """The newest version of `sop_kode` if it is on offer (and of `unit_kode` when given)."""
    try:
        version = get_version(sop_kode)
    except SopVersion.DoesNotExist:
        return None
    if version.layanan not in OFFERED or (unit_kode is not None and version.unit.kode != unit_kode):
        return None
    return version


def agency_required(unit: Any) -> bool:
    """A request names its agency where the unit keeps agencies: staff of an agency-scoped lane
    see a case through its agency, and the directory record may not be found to supply it."""
    return Agency.objects.filter(unit=unit).exists()
