"""The decision form of the case page: one fieldset per step of the staff member's run, with the
fields the action registry declares for each step's action, read into a `Decision` for
`services.decide`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from loket.cases.actions import Field, fields_for
from loket.cases.context import Decision, StepAnswer
from loket.sop.model import Kegiatan


@dataclass(frozen=True)
class RunStep:
    step: Kegiatan
    answers: tuple[str, ...]
    fields: list[Field]  # the fields of this step's action shown in its fieldset


def run_steps(steps: list[tuple[Kegiatan, tuple[str, ...]]], *, assisted: bool) -> list[RunStep]:
    """The fieldsets of the form; a field two steps share is shown once, in the first."""
    shown: set[str] = set()
    out = []
    for step, answers in steps:
        fields = [f for f in fields_for([step], assisted=assisted) if f.name not in shown]
        shown.update(f.name for f in fields)
        out.append(RunStep(step, answers, fields))
    return out


def _value(data: QueryDict, f: Field) -> Any:
    if f.kind == "documents":
        return data.getlist(f.name)
    if f.kind == "flag":
        return data.get(f.name) == "1"
    if f.kind == "account":
        raw = data.get(f.name) or ""
        return int(raw) if raw.isdigit() else None
    return data.get(f.name, "")


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
    values = {f.name: _value(data, f) for item in run for f in item.fields}
    return version, Decision(answers=answers, values=values), ""
