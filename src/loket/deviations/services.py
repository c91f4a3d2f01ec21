"""The use cases of a deviation from the mutu baku: recorded when its step finishes, answered by
its executor, reviewed by the SOP's supervisor (`pengawas`) or a superuser.

Every SOP's warnings end with the same rule: any deviation from the mutu baku in requirements,
time or output is a failure the executor answers for. Loket records two kinds, each decided by
one rule here (`deviations_of`), when the step is finished (`record_deviations`, called by
`cases.services._finish`; no job scans for them later):

- **waktu**: the step's working minutes exceed its standard (`working_minutes >
  standard_minutes`). This is exactly the case page's "melewati mutu baku" and the mutu baku
  report's "overdue", so the three never disagree. It is also "finished after its due time":
  the due time is the standard added in the same working-minute calendar from the step's start,
  so the two differ only within the minute that `between` rounds down.
- **persyaratan**: a completeness check (the action whose staff mark missing documents, i.e.
  whose answer "ya" says the file is complete) answered "ya" while a required document is
  outstanding: a document required (`wajib`) of the requester's role (`Sop.berkas_for`) of which
  the case holds no file, or one the case's previous completeness check marked missing
  (`kurang`, its answer "tidak") that was not handed in after that check. The check is the step
  whose requirement is "berkas permohonan lengkap"; the steps after it rely on its answer, so the
  one who declared the file complete answers for it, once.

Only steps a staff member finished count (`by` = staf, with an actor): the system's steps take no
minutes, the requester's have no standard, and a staff step closed by a withdrawal or an expiry
was finished by nobody. Output deviations are not recorded: the output of each step is produced
(or refused) by the engine itself.

State: terbuka → dijawab (the executor's reason) → diterima / dikembalikan (the reviewer's
decision, a note required to return) → dijawab again. Each change raises `version`; an answer
or review names the version it saw, so a double submit or two reviewers at once change it once
and the second is told what happened (`Conflict`), its text kept on the page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.audit.services import log_action
from loket.cases.actions import REGISTRY
from loket.cases.errors import Conflict, Invalid, NotAllowed, NotFound
from loket.cases.models import Case, StepRun
from loket.catalog.selectors import parsed

from . import selectors
from .models import ANSWERABLE, REVIEWABLE, Deviation, DeviationEvent, Kind, Status

# The decision value (and the case page's field) with the executor's reason for a late step,
# per step number: given with the answer, it answers the step's `waktu` deviation at once.
LATE_REASON = "alasan-terlambat-{no}"
LATE_REASON_PREFIX = "alasan-terlambat-"


def is_over(working_minutes: int | None, standard_minutes: int | None) -> bool:
    """The one rule of "melewati mutu baku": the case page's badge, the `waktu` deviation and the
    case page's "Alasan keterlambatan" (`selectors.late_step`) call it; the report's queries
    write the same comparison as `working_minutes__gt=F("standard_minutes")`."""
    return standard_minutes is not None and working_minutes is not None and working_minutes > standard_minutes


def _is_completeness_check(aksi: str) -> bool:
    """The action whose staff mark the missing documents (its answer "ya": the file is complete)."""
    action = REGISTRY.get(aksi)
    return action is not None and any(f.kind == "documents" for f in action.fields)


def outstanding_documents(run: StepRun, case: Case) -> list[str]:
    """The kodes of the required documents outstanding when `run` (a completeness check of
    `case`) finishes: required of the requester's role with no file in the case, or marked
    missing by the previous check and not handed in after it (module docstring)."""
    sop = parsed(case.sop)
    required = [b.kode for b in sop.berkas_for(case.requester_role) if b.wajib]
    latest: dict[str, dt.datetime] = {}
    for kode, uploaded in case.documents.values_list("kode", "uploaded_at"):
        latest[kode] = max(uploaded, latest.get(kode, uploaded))
    previous = (
        case.steps.filter(aksi=run.aksi, finished_at__isnull=False, id__lt=run.pk, answer="tidak")
        .order_by("-id")
        .first()
    )
    marked = set(previous.detail.get("kurang", [])) if previous is not None else set()
    found = []
    for kode in required:
        if (
            kode not in latest
            or previous is not None
            and previous.finished_at
            and kode in marked
            and latest[kode] <= previous.finished_at
        ):
            found.append(kode)
    return found


def deviations_of(run: StepRun, case: Case) -> list[tuple[str, dict[str, Any]]]:
    """The deviations a finished step carries, each (kind, what was measured)."""
    if run.by != StepRun.By.STAFF or run.actor_id is None or run.finished_at is None:
        return []
    found: list[tuple[str, dict[str, Any]]] = []
    if is_over(run.working_minutes, run.standard_minutes):
        found.append((Kind.TIME, {"menit_kerja": run.working_minutes, "mutu_baku": run.standard_minutes}))
    if run.answer == "ya" and _is_completeness_check(run.aksi):
        missing = outstanding_documents(run, case)
        if missing:
            found.append((Kind.REQUIREMENT, {"berkas": missing}))
    return found


def record_deviations(run: StepRun, *, case: Case, now: dt.datetime, reason: str = "") -> list[Deviation]:
    """The step `run` of `case` has just been finished (saved, inside the caller's transaction):
    record its deviations.

    Effects, in order: a Deviation per kind found (`deviations_of`), open, for the step's actor,
    each with its history's first event and audit `deviation.recorded`; when `reason` is given
    (the case page's "Alasan keterlambatan"), the `waktu` deviation answered with it at once
    (`deviation.answered`). A step without deviations writes nothing."""
    made: list[Deviation] = []
    found = deviations_of(run, case)
    if not found or run.actor is None:
        return made
    for kind, detail in found:
        deviation = Deviation.objects.create(
            step_run=run,
            case=case,
            step=run.step,
            lane=run.lane,
            kind=kind,
            executor=run.actor,
            recorded_at=now,
            detail=detail,
        )
        DeviationEvent.objects.create(deviation=deviation, at=now, action=DeviationEvent.Action.RECORDED)
        log_action("deviation.recorded", case=case, deviation=deviation.pk, step=run.step, kind=kind)
        if kind == Kind.TIME and isinstance(reason, str) and reason.strip():
            _answer(deviation, actor=run.actor, reason=reason.strip(), now=now)
        made.append(deviation)
    return made


def _answer(deviation: Deviation, *, actor: Any, reason: str, now: dt.datetime) -> None:
    deviation.status = Status.ANSWERED
    deviation.reason = reason
    deviation.answered_at = now
    deviation.version += 1
    deviation.save(update_fields=["status", "reason", "answered_at", "version"])
    DeviationEvent.objects.create(
        deviation=deviation, at=now, actor=actor, action=DeviationEvent.Action.ANSWERED, text=reason
    )
    log_action(
        "deviation.answered",
        actor=actor,
        case=deviation.case,
        deviation=deviation.pk,
        step=deviation.step_run.step,
        kind=deviation.kind,
    )


def _locked(deviation_id: int) -> Deviation:
    deviation = (
        Deviation.objects.select_for_update(of=("self",))
        .select_related("case", "case__unit", "case__sop", "step_run", "executor")
        .filter(pk=deviation_id)
        .first()
    )
    if deviation is None:
        raise NotFound(_("Penyimpangan tidak ditemukan."))
    return deviation


def _text_problem(text: str, field: str) -> None:
    from loket.cases.services import text_problems

    if problems := text_problems(multiline=frozenset({field}), **{field: text}):
        raise Invalid(_("Isian memuat karakter kontrol yang tidak diizinkan. Ketik ulang isinya."), problems)


@transaction.atomic
def answer_deviation(*, deviation_id: int, actor: Any, version: int, reason: str) -> Deviation:
    """The executor gives (or, after a return, gives again) their reason for a deviation, as seen
    at `version`.

    Effects, in order: the deviation locked; only its executor may answer (others: NotFound when
    they may not see it, NotAllowed when they may); version checked (Conflict: it changed since);
    it must be open or returned; the reason required and checked; status `dijawab`, reason and
    time written, version raised; history event; audit `deviation.answered`."""
    deviation = _locked(deviation_id)
    if deviation.executor_id != getattr(actor, "pk", None):
        if selectors.can_see(actor, deviation):
            raise NotAllowed(_("Hanya pelaksana langkah ini yang menjawab penyimpangannya."))
        raise NotFound(_("Penyimpangan tidak ditemukan."))
    if deviation.version != version:
        raise Conflict(
            _(
                "Penyimpangan ini sudah berubah sejak halaman dibuka. Periksa statusnya; alasan Anda masih di kotak isian."
            )
        )
    if deviation.status not in ANSWERABLE:
        raise Conflict(
            _("Penyimpangan ini sudah %(status)s; tidak perlu dijawab lagi.")
            % {"status": deviation.get_status_display()}
        )
    reason = reason.strip()
    if not reason:
        raise Invalid(_("Tulis alasan penyimpangan ini."), {"alasan": ""})
    _text_problem(reason, "alasan")
    _answer(deviation, actor=actor, reason=reason, now=timezone.now())
    return deviation


@transaction.atomic
def review_deviation(*, deviation_id: int, actor: Any, version: int, accept: bool, note: str = "") -> Deviation:
    """A reviewer (a holder of the SOP's `pengawas` lane at its unit, or a superuser) accepts the
    executor's answer or returns it (with a note saying what is missing), as seen at `version`.

    Effects, in order: the deviation locked; the actor must review its SOP at its unit and not be
    its executor; version checked (Conflict: another reviewer or a new answer came first); it
    must be answered; a note required to return; status `diterima` or `dikembalikan`, reviewer,
    note and time written, version raised; history event; audit `deviation.accepted` or
    `deviation.returned`."""
    deviation = _locked(deviation_id)
    if not selectors.can_review(actor, deviation):
        if selectors.can_see(actor, deviation):
            raise NotAllowed(_("Penyimpangan ini ditinjau oleh pengawas SOP-nya; Anda tidak berwenang."))
        raise NotFound(_("Penyimpangan tidak ditemukan."))
    if deviation.executor_id == actor.pk:
        raise NotAllowed(_("Penyimpangan Anda sendiri ditinjau oleh pengawas lain atau administrator."))
    if deviation.version != version:
        raise Conflict(
            _(
                "Penyimpangan ini sudah ditinjau atau dijawab ulang sejak halaman dibuka. Periksa statusnya; catatan Anda masih di kotak isian."
            )
        )
    if deviation.status not in REVIEWABLE:
        raise Conflict(
            _("Penyimpangan ini %(status)s; hanya jawaban yang menunggu tinjauan yang dapat ditinjau.")
            % {"status": deviation.get_status_display()}
        )
    note = note.strip()
    if not accept and not note:
        raise Invalid(_("Tulis catatan: apa yang perlu dijelaskan pelaksana."), {"catatan": ""})
    _text_problem(note, "catatan")
    now = timezone.now()
    deviation.status = Status.ACCEPTED if accept else Status.RETURNED
    deviation.reviewer = actor
    deviation.review_note = note
    deviation.reviewed_at = now
    deviation.version += 1
    deviation.save(update_fields=["status", "reviewer", "review_note", "reviewed_at", "version"])
    action = DeviationEvent.Action.ACCEPTED if accept else DeviationEvent.Action.RETURNED
    DeviationEvent.objects.create(deviation=deviation, at=now, actor=actor, action=action, text=note)
    log_action(
        "deviation.accepted" if accept else "deviation.returned",
        actor=actor,
        case=deviation.case,
        deviation=deviation.pk,
        step=deviation.step_run.step,
        kind=deviation.kind,
    )
    return deviation
