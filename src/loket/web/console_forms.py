"""The decision form of the case page: one fieldset per step of the staff member's run, read
into a `Decision` for `services.decide`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from loket.cases.services import Decision, StepAnswer
from loket.sop.model import Kegiatan


@dataclass(frozen=True)
class RunStep:
    step: Kegiatan
    answers: tuple[str, ...]


def read_decision(data: QueryDict, run: list[RunStep]) -> tuple[int | None, Decision | None, str]:
    """(version, decision, error). Answers are taken in the run's order up to the first step left
    unanswered: a `tidak` early in the run makes the later questions moot."""
    try:
        version = int(data.get("version", ""))
    except ValueError:
        return None, None, _("Formulir tidak lengkap. Muat ulang halaman.")
    answers: list[StepAnswer] = []
    for item in run:
        given = data.get(f"jawaban-{item.step.no}", "")
        if given not in item.answers:
            break
        answers.append(StepAnswer(item.step.no, given, data.get(f"catatan-{item.step.no}", "")))
        if given == "tidak":
            break
    if not answers:
        return version, None, _("Pilih jawaban untuk langkah pertama.")
    account: Any = data.get("akun") or None
    decision = Decision(
        answers=answers,
        missing=data.getlist("kurang"),
        account_id=int(account) if account and account.isdigit() else None,
        phone_confirmation=data.get("konfirmasi_telepon", ""),
        email_confirmed_by_phone=data.get("email_dikonfirmasi") == "1",
    )
    return version, decision, ""
