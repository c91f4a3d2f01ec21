"""The one rule for what a requester is asked to hand in after a completeness check: the
documents staff marked missing, or every document of the SOP when they named none and wrote only
a note; and the date after which the case expires. Read by the requester view (portal, API) and
by the mail that asks for them."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.sop.model import Berkas, Sop

from .models import StepRun


def for_whom(berkas: list[Berkas]) -> dict[str, str]:
    """By kode, " (untuk PP)" after the name of each document asked of some roles only (`peran`),
    where `berkas` lists the documents of several roles (no role is served by all of its
    role-specific ones: an SOP's whole list, for a requester whose role is not known); nothing
    where it is one role's list (`Sop.berkas_for`)."""
    specific = [b for b in berkas if b.peran]
    if not specific or set.intersection(*(set(b.peran or []) for b in specific)):
        return {}
    return {b.kode: " (" + _("untuk %(roles)s") % {"roles": ", ".join(b.peran or [])} + ")" for b in specific}


@dataclass(frozen=True)
class Asked:
    """What the requester is asked to hand in: the documents the last completeness check marked
    missing, or every document of the SOP when staff named none and wrote only a note."""

    berkas: list[Berkas]
    named: bool
    note: str
    deadline: dt.datetime | None  # in the unit's time zone


def asked_documents(sop: Sop, runs: list[StepRun], *, zone: str, role: str = "") -> Asked:
    """`runs`: the case's steps in order; `role`: the requester's (`Case.requester_role`), whose
    documents alone are asked for (`Sop.berkas_for`). The one rule for what a requester must hand in."""
    latest_first = runs[::-1]
    check = next((r for r in latest_first if r.aksi == "periksa-kelengkapan" and r.finished_at is not None), None)
    missing = set(check.detail.get("kurang", [])) if check else set()
    berkas = sop.berkas_for(role)
    named = [b for b in berkas if b.kode in missing]
    waiting = next((r for r in latest_first if r.finished_at is None and r.by == StepRun.By.REQUESTER), None)
    deadline = None
    if waiting is not None:
        deadline = timezone.localtime(
            waiting.started_at + dt.timedelta(days=settings.LOKET_REQUESTER_WAIT_DAYS), zoneinfo.ZoneInfo(zone)
        )
    return Asked(berkas=named or berkas, named=bool(named), note=check.note if check else "", deadline=deadline)
