"""The decision form of the case page: one fieldset per step of the staff member's run, with the
fields the action registry declares for each step's action, read into a `Decision` for
`services.decide`."""

from __future__ import annotations

from dataclasses import dataclass, replace
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
    chosen: str = ""  # after a refused submit: the answer given, shown again
    note: str = ""
    error: str = ""  # after a refused submit: the message, shown at the step it concerns

    @property
    def answered_by_its_fields(self) -> bool:
        """A step with nothing to choose (only `lanjut`) whose action asks for values (e.g. the
        password set in SPSE and its confirmation) is answered by giving them: no separate
        "done" button that would say the same as the confirmation."""
        return self.answers == ("lanjut",) and any(f.kind == "flag" for f in self.fields)


def run_steps(steps: list[tuple[Kegiatan, tuple[str, ...]]], *, assisted: bool) -> list[RunStep]:
    """The fieldsets of the form; a field two steps share is shown once, in the first."""
    shown: set[str] = set()
    out = []
    for step, answers in steps:
        fields = [f for f in fields_for([step], assisted=assisted) if f.name not in shown]
        shown.update(f.name for f in fields)
        out.append(RunStep(step, answers, fields))
    return out


def with_posted(run: list[RunStep], data: QueryDict, *, error: str, problems: list[str]) -> list[RunStep]:
    """The run as the staff member left it: their answers and notes kept, and the error shown at
    the step whose field (or note) it concerns, else at the first step."""
    names = set(problems)

    def concerns(item: RunStep) -> bool:
        return f"note-{item.step.no}" in names or any(f.name in names for f in item.fields)

    target = next((item.step.no for item in run if concerns(item)), run[0].step.no if run else None)
    return [
        replace(
            item,
            chosen=data.get(f"jawaban-{item.step.no}", ""),
            note=data.get(f"catatan-{item.step.no}", ""),
            error=error if item.step.no == target else "",
        )
        for item in run
    ]


def _value(data: QueryDict, f: Field) -> Any:
    if f.kind in {"documents", "checklist"}:
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
