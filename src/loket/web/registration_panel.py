"""What the case page shows of a registration (`layanan: registrasi-akun`): the head of the
agency, the candidate, the reply letter, the wait for training (a row of its own among the steps,
with its days, not counted as anyone's working minutes), and the decision form's helpers (which
step sends the reply letter, the user ID the unit's rule proposes)."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.utils import timezone

from loket.cases.actions import REGISTRY
from loket.cases.models import Case
from loket.registration import effects as registration
from loket.registration.letters import agency_name
from loket.registration.models import Registration
from loket.sop.model import Sop

from .console_forms import RunStep


def registration_panel(case: Case, zone: zoneinfo.ZoneInfo) -> dict[str, Any] | None:
    found = Registration.objects.filter(case=case).first()
    if found is None:
        return None
    seats = [
        {
            "session": seat.session,
            "starts": timezone.localtime(seat.session.starts_at, zone),
            "status": seat.get_status_display(),
        }
        for seat in found.seats.select_related("session").order_by("session__starts_at")
    ]
    wait_end = found.trained_at or (None if found.waiting_since is None else timezone.now())
    days = (wait_end - found.waiting_since).days if found.waiting_since and wait_end else None
    return {
        "r": found,
        "agency": agency_name(found),
        "new_agency": not case.agency_id and bool(found.new_agency_name),
        "seats": seats,
        "waiting_since": timezone.localtime(found.waiting_since, zone) if found.waiting_since else None,
        "trained_at": timezone.localtime(found.trained_at, zone) if found.trained_at else None,
        "activated_at": timezone.localtime(found.activated_at, zone) if found.activated_at else None,
        "days": days,
    }


def with_training_wait(steps: list[dict[str, Any]], sop: Sop, panel: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The steps with the wait for training after the step that gates it (from its start to the
    attendance, or still running)."""
    if panel is None or panel["waiting_since"] is None:
        return steps
    out: list[dict[str, Any]] = []
    for row in steps:
        out.append(row)
        if sop.step(row["run"].step).tunggu and row["run"].finished_at is not None:
            out.append({"wait": panel})
    return out


def letter_step(case: Case, run: list[RunStep]) -> int | None:
    """The step of the staff member's run whose effect sends the reply letter, if any."""
    if not Registration.objects.filter(case=case).exists():
        return None
    for item in run:
        if REGISTRY[item.step.aksi].effect is registration.answer_and_dispose:
            return item.step.no
    return None


def line_values(case: Case, run: list[RunStep], posted: Any) -> dict[str, str]:
    """The value each one-line field shows: what the staff member typed, else the registry's
    proposal (e.g. the user ID the unit's rule makes)."""
    values: dict[str, str] = {}
    for item in run:
        for f in item.fields:
            if f.kind != "line":
                continue
            typed = posted.get(f.name, "") if posted else ""
            values[f.name] = typed or (f.initial(case) if f.initial else "")
    return values
