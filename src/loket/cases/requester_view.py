"""What a requester is shown of their case, the same in the portal and the API: the progress of
its steps (done, in progress, waiting on them, still expected), the documents they are asked for
and by when, and where the result was sent (masked).

No staff names and no staff notes, except the note that asks for documents or gives the reason of
a refusal. Step texts are the requester's (`actions.requester_text`), never the SOP's sentence for
staff.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from django.utils.translation import gettext_lazy as _

from loket import engine
from loket.sop.model import Kegiatan, Sop

from .actions import REGISTRY, requester_text
from .asked import Asked, asked_documents
from .models import Case, Status, StepRun
from .selectors import facts_of

# What a requester is shown while the case waits on a gate (a step's `tunggu`).
GATE_TEXT = {
    "pelatihan": _(
        "Calon pengguna mengikuti pelatihan penggunaan aplikasi; akun diaktifkan setelah kehadirannya dicatat"
    ),
}

State = Literal["done", "in-progress", "waiting-on-you", "stopped", "expected"]


@dataclass(frozen=True)
class ProgressItem:
    step: int
    text: str
    state: State
    at: dt.datetime | None = None
    answer: str = ""  # ya/tidak of a staff decision
    note: str = ""  # only a note meant for the requester


@dataclass(frozen=True)
class RequesterView:
    case: Case
    sop: Sop
    progress: list[ProgressItem]
    asked: Asked | None  # only while the case waits on the requester
    sent_to: str | None  # the masked address the result went to, once it went
    documents: list[tuple[str, str, dt.datetime]]  # (document's name, file name, handed in at)


def requester_view(case: Case, sop: Sop) -> RequesterView:
    runs = list(case.steps.order_by("id"))
    names = {b.kode: b.nama for b in sop.berkas}
    sent = next((r for r in reversed(runs) if r.finished_at is not None and "alamat" in r.detail), None)
    return RequesterView(
        case=case,
        sop=sop,
        progress=_progress(case, sop, runs),
        asked=asked_documents(sop, runs, zone=case.unit.zona_waktu, role=case.requester_role)
        if case.status == Status.WAITING
        else None,
        sent_to=sent.detail["alamat"] if sent else None,
        documents=[
            (names.get(doc.kode, doc.kode), doc.original_name, doc.uploaded_at)
            for doc in case.documents.order_by("uploaded_at", "id")
        ],
    )


def _progress(case: Case, sop: Sop, runs: list[StepRun]) -> list[ProgressItem]:
    items: list[ProgressItem] = []
    for index, run in enumerate(runs):
        step = sop.step(run.step)
        following = runs[index + 1] if index + 1 < len(runs) else None
        state: State
        if run.finished_at is None:
            state = "waiting-on-you" if run.by == StepRun.By.REQUESTER else "in-progress"
        elif run.answer in ("dibatalkan", "kedaluwarsa"):
            state = "stopped"
        else:
            state = "done"
        items.append(
            ProgressItem(
                step=step.no,
                text=requester_text(step),
                state=state,
                at=run.finished_at,
                answer=run.answer if step.keputusan is not None and run.by == StepRun.By.STAFF else "",
                note=_note_for_requester(run, following),
            )
        )
    if case.status == Status.TRAINING and case.current_step is not None:
        gate = sop.step(case.current_step).tunggu or ""
        items.append(ProgressItem(step=case.current_step, text=str(GATE_TEXT.get(gate, "")), state="in-progress"))
    items.extend(ProgressItem(step=s.no, text=requester_text(s), state="expected") for s in expected_rest(case, sop))
    return items


def _note_for_requester(run: StepRun, following: StepRun | None) -> str:
    """Staff notes stay inside, except the one that asks for documents or gives the reason of a
    refusal; the requester's own notes are theirs to see."""
    if not run.note or run.finished_at is None:
        return ""
    if run.by == StepRun.By.REQUESTER:
        return run.note
    meant_for_requester = following is not None and REGISTRY[following.aksi].shows_note
    if run.by == StepRun.By.STAFF and run.answer == "tidak" and meant_for_requester:
        return run.note
    return ""


def expected_rest(case: Case, sop: Sop) -> list[Kegiatan]:
    """The steps still ahead of an open case if every check goes well, in order."""
    if case.is_closed or case.current_step is None:
        return []
    facts = facts_of(case)
    rest: list[Kegiatan] = []
    step = sop.step(case.current_step)
    seen = {step.no}
    for _round in range(len(sop.kegiatan)):
        by = engine.by_of(step, facts)
        answer = engine.allowed_answers(step)[0] if by == "staf" else None
        advance = engine.advance(sop, step.no, answer, facts, by=by)
        rest.extend(move.step for move in advance.moves[1:])
        if advance.waiting is None or advance.waiting.no in seen:
            break
        rest.append(advance.waiting)
        seen.add(advance.waiting.no)
        step = advance.waiting
    return rest
