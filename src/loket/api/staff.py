"""Staff operations (API token): the work queue, one case with the steps the caller may answer,
and deciding those steps.

A case outside the caller's unit, role or agency does not exist for them (404), as in the
console; a token whose user has no staff role sees an empty queue.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pydantic
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from loket import engine
from loket.cases import search, services
from loket.cases.actions import Field, all_fields, fields_for
from loket.cases.context import Decision, StepAnswer
from loket.cases.errors import Invalid
from loket.cases.models import Case
from loket.cases.selectors import answerable_steps, is_overdue, require_view, work_queue
from loket.catalog.selectors import parsed
from loket.directory.backends import backend_for
from loket.registration.letters import agency_name
from loket.registration.models import Registration
from loket.sop.model import Sop

from .auth import StaffToken, staff_user
from .case_search import cursor_problems, one_cursor
from .errors import refusals

router = Router(tags=["staff"], auth=StaffToken())


class CurrentStepOut(Schema):
    step: int
    description: str
    lane: str


def _current(case: Case, sop: Sop) -> CurrentStepOut | None:
    if case.current_step is None:
        return None
    step = sop.step(case.current_step)
    return CurrentStepOut(step=step.no, description=step.uraian, lane=step.pelaksana)


# -- GET /cases ----------------------------------------------------------------------------------


class QueuePage(Schema):
    limit: int = pydantic.Field(20, ge=1, le=100)
    # Kept for the clients of before the cursors: it reads every case before the page.
    # Bounded: an SQL OFFSET must fit a 64-bit integer (schemathesis found 2**63 answered 500).
    offset: int = pydantic.Field(0, ge=0, le=1_000_000_000, description="Rather `after`: this reads every case before.")
    after: str = pydantic.Field("", max_length=200, description="`next_cursor` of the previous answer.")
    before: str = pydantic.Field("", max_length=200, description="`prev_cursor` of the previous answer.")


class QueueItemOut(Schema):
    id: int
    reference: str
    status: str
    unit: str
    service: str
    service_name: str
    current_step: CurrentStepOut | None
    due_at: dt.datetime | None
    overdue: bool
    version: int


class QueueOut(Schema):
    count: int
    limit: int
    offset: int
    next_cursor: str | None = pydantic.Field(
        description="Pass as `after` for the next page; null on the last, and when paging by an `offset` above 0."
    )
    prev_cursor: str | None = pydantic.Field(description="Pass as `before` for the page before; null on the first.")
    items: list[QueueItemOut]


@router.get(
    "/cases", response={200: QueueOut, **refusals(400, 401)}, operation_id="work_queue", summary="My work queue"
)
def list_cases(request: HttpRequest, page: Query[QueuePage]) -> QueueOut:
    """The cases waiting on one of the caller's roles in their scope, the oldest due first; keyset
    pages by `after`/`before` (a page deep in the queue costs what the first costs)."""
    one_cursor(page.after, page.before)
    if page.offset and (page.after or page.before):
        raise Invalid(_("Pakai offset atau kursor, tidak keduanya."), {"offset": _("Kosongkan bila memakai kursor.")})
    user = staff_user(request)
    queue = work_queue(user)
    now = timezone.now()
    cursors: dict[str, str | None] = {"next_cursor": None, "prev_cursor": None}
    if page.offset:
        cases = list(queue[page.offset : page.offset + page.limit])
    else:
        with cursor_problems(page.before):
            keyset = search.work_queue_page(user, after=page.after or None, before=page.before or None, size=page.limit)
        cases = keyset.cases
        cursors = {"next_cursor": keyset.next_cursor, "prev_cursor": keyset.prev_cursor}
    items = []
    for case in cases:
        sop = parsed(case.sop)
        items.append(
            QueueItemOut(
                id=case.pk,
                reference=case.reference,
                status=case.status,
                unit=case.unit.kode,
                service=sop.kode,
                service_name=sop.nama,
                current_step=_current(case, sop),
                due_at=case.current_due_at,
                overdue=is_overdue(case, now),
                version=case.version,
            )
        )
    return QueueOut(count=queue.count(), limit=page.limit, offset=page.offset, items=items, **cursors)


# -- GET /cases/{case_id} -----------------------------------------------------------------------


class RequesterOut(Schema):
    name: str
    email: str
    user_id: str
    nip: str
    phone: str


class AccountOut(Schema):
    id: int
    user_id: str
    name: str
    role: str


class StepRunOut(Schema):
    step: int
    description: str
    aksi: str
    lane: str
    by: str = pydantic.Field(description="`pemohon` (requester), `staf` (staff) or `sistem` (system).")
    actor: str | None = pydantic.Field(description="The username of the staff member who answered.")
    on_behalf_of: str | None = pydantic.Field(description="For system steps: whose answer led there.")
    started_at: dt.datetime
    due_at: dt.datetime | None
    finished_at: dt.datetime | None
    standard_minutes: int | None
    working_minutes: int | None
    answer: str
    note: str


class DocumentOut(Schema):
    id: int
    kode: str
    name: str
    content_type: str
    size: int
    sha256: str
    step: int
    uploaded_at: dt.datetime


class AnswerableOut(Schema):
    step: int
    description: str
    aksi: str
    lane: str
    question: str | None
    answers: list[str]
    fields: list[str] = pydantic.Field(
        description="The decision keys this step's action reads (see the DecisionIn schema for each)."
    )


class CandidateOut(Schema):
    name: str
    nip: str
    email: str
    phone: str
    position: str


class TrainingSeatOut(Schema):
    session_id: int
    title: str
    starts_at: dt.datetime = pydantic.Field(description="In the unit's time zone (its offset, e.g. +08:00).")
    ends_at: dt.datetime = pydantic.Field(description="In the unit's time zone.")
    status: str = pydantic.Field(description="`invited`, `present` or `absent`.")
    invited_at: dt.datetime
    recorded_at: dt.datetime | None


class RegistrationOut(Schema):
    id: int
    head_position: str = pydantic.Field(description="The head of the agency is the case's `requester`.")
    filed_by: str = pydantic.Field(description="Who filed the request for the head, when not the head in person.")
    agency: str = pydantic.Field(description="The agency's name, or the new agency's name as the request gave it.")
    new_agency_name: str = pydantic.Field(description="An agency the unit did not list, as the request named it.")
    candidate: CandidateOut
    sk_number: str
    sk_date: dt.date
    letter_number: str = pydantic.Field(description="The reply letter's number, once the letter is made.")
    waiting_since: dt.datetime | None = pydantic.Field(description="Waiting on training since (the account made).")
    trained_at: dt.datetime | None = pydantic.Field(description="Recorded present at a training session.")
    activated_at: dt.datetime | None
    seats: list[TrainingSeatOut] = pydantic.Field(description="Every invitation to a training session, in order.")


def _registration(case: Case) -> RegistrationOut | None:
    registration = Registration.objects.filter(case=case).first()
    if registration is None:
        return None
    registration.case = case
    zone = zoneinfo.ZoneInfo(case.unit.zona_waktu)
    return RegistrationOut(
        id=registration.pk,
        head_position=registration.head_position,
        filed_by=registration.filed_by,
        agency=agency_name(registration),
        new_agency_name=registration.new_agency_name,
        candidate=CandidateOut(
            name=registration.candidate_name,
            nip=registration.candidate_nip,
            email=registration.candidate_email,
            phone=registration.candidate_phone,
            position=registration.candidate_position,
        ),
        sk_number=registration.sk_number,
        sk_date=registration.sk_date,
        letter_number=registration.letter_number,
        waiting_since=registration.waiting_since,
        trained_at=registration.trained_at,
        activated_at=registration.activated_at,
        seats=[
            TrainingSeatOut(
                session_id=seat.session_id,
                title=seat.session.title,
                starts_at=timezone.localtime(seat.session.starts_at, zone),
                ends_at=timezone.localtime(seat.session.ends_at, zone),
                status=seat.status,
                invited_at=seat.invited_at,
                recorded_at=seat.recorded_at,
            )
            for seat in registration.seats.select_related("session").order_by("invited_at", "id")
        ],
    )


class CaseOut(Schema):
    id: int
    reference: str
    status: str
    channel: str
    need: str
    unit: str
    service: str
    service_version: int
    service_name: str
    version: int
    submitted_at: dt.datetime
    closed_at: dt.datetime | None
    requester: RequesterOut
    agency: str | None
    account: AccountOut | None
    current_step: CurrentStepOut | None
    due_at: dt.datetime | None
    overdue: bool
    answerable: list[AnswerableOut] = pydantic.Field(
        description="The steps the caller may answer now, in order, in one decision."
    )
    steps: list[StepRunOut]
    documents: list[DocumentOut]
    registration: RegistrationOut | None = pydantic.Field(
        description="A registration (`need` `akun-baru`): the candidate, the reply letter, the training; else null."
    )


def _answerable(actor: Any, case: Case, sop: Sop) -> list[AnswerableOut]:
    assisted = backend_for(case.unit).by_hand
    return [
        AnswerableOut(
            step=step.no,
            description=step.uraian,
            aksi=step.aksi,
            lane=step.pelaksana,
            question=step.keputusan.pertanyaan if step.keputusan else None,
            answers=list(engine.allowed_answers(step)),
            fields=[f.name for f in fields_for([step], assisted=assisted)],
        )
        for step in answerable_steps(actor, case, sop)
    ]


@router.get(
    "/cases/{case_id}", response={200: CaseOut, **refusals(400, 401, 404)}, operation_id="get_case", summary="One case"
)
def get_case(request: HttpRequest, case_id: int) -> CaseOut:
    """The case with its steps, its documents, and the steps the caller may answer now."""
    actor = staff_user(request)
    case = require_view(actor, case_id)
    sop = parsed(case.sop)
    account = case.account
    return CaseOut(
        id=case.pk,
        reference=case.reference,
        status=case.status,
        channel=case.channel,
        need=case.need,
        unit=case.unit.kode,
        service=sop.kode,
        service_version=sop.versi,
        service_name=sop.nama,
        version=case.version,
        submitted_at=case.created_at,
        closed_at=case.closed_at,
        requester=RequesterOut(
            name=case.requester_name,
            email=case.requester_email,
            user_id=case.requester_user_id,
            nip=case.requester_nip,
            phone=case.requester_phone,
        ),
        agency=case.agency.name if case.agency else None,
        account=AccountOut(id=account.pk, user_id=account.user_id, name=account.name, role=account.role)
        if account
        else None,
        current_step=_current(case, sop),
        due_at=case.current_due_at,
        overdue=is_overdue(case),
        answerable=_answerable(actor, case, sop),
        steps=[
            StepRunOut(
                step=run.step,
                description=sop.step(run.step).uraian,
                aksi=run.aksi,
                lane=run.lane,
                by=run.by,
                actor=run.actor.get_username() if run.actor else None,
                on_behalf_of=run.on_behalf_of.get_username() if run.on_behalf_of else None,
                started_at=run.started_at,
                due_at=run.due_at,
                finished_at=run.finished_at,
                standard_minutes=run.standard_minutes,
                working_minutes=run.working_minutes,
                answer=run.answer,
                note=run.note,
            )
            for run in case.steps.select_related("actor", "on_behalf_of").order_by("id")
        ],
        documents=[
            DocumentOut(
                id=doc.pk,
                kode=doc.kode,
                name=doc.original_name,
                content_type=doc.content_type,
                size=doc.size,
                sha256=doc.sha256,
                step=doc.step,
                uploaded_at=doc.uploaded_at,
            )
            for doc in case.documents.order_by("kode", "-uploaded_at")
        ],
        registration=_registration(case),
    )


# -- POST /cases/{case_id}/decisions ------------------------------------------------------------


class AnswerIn(Schema):
    step: int
    answer: str = pydantic.Field(description="One of the step's `answers` (GET /cases/{id}: answerable).")
    note: str = ""


# The Python type and default of each kind of field the action registry declares.
_KINDS: dict[str, tuple[Any, Any]] = {
    "documents": (list[str], []),
    "checklist": (list[int], []),
    "account": (int | None, None),
    "user-id": (str, ""),
    "line": (str, ""),
    "text": (str, ""),
    "flag": (bool, False),
    "password": (str, ""),
}


def _decision_field(f: Field, actions: list[str]) -> tuple[Any, Any]:
    kind, default = _KINDS[f.kind]
    where = ", ".join(f"`{a}`" for a in actions)
    help_text = f" {f.help}" if f.help else ""
    only = " Only where the unit's accounts live in SPSE (assisted directory)." if f.assisted else ""
    return kind, pydantic.Field(default, description=f"{f.label}.{help_text} Read by {where}.{only}")


class _DecisionBase(Schema):
    version: int = pydantic.Field(description="The case's `version` as the caller saw it.")
    answers: list[AnswerIn]


# The decision's keys are the fields of the action registry (loket.cases.actions), so a field a
# new action declares is part of this schema with no change here.
DecisionIn = pydantic.create_model(  # type: ignore[call-overload]
    "DecisionIn",
    __base__=_DecisionBase,
    **{f.name: _decision_field(f, actions) for f, actions in all_fields()},
)


class DecidedOut(Schema):
    id: int
    version: int
    status: str
    current_step: CurrentStepOut | None
    applied: list[int] = pydantic.Field(description="The steps answered, in order.")


@router.post(
    "/cases/{case_id}/decisions",
    response={200: DecidedOut, **refusals(400, 401, 403, 404, 409)},
    operation_id="decide",
    summary="Answer the steps of a case",
)
def decide(request: HttpRequest, case_id: int, payload: DecisionIn) -> DecidedOut:  # type: ignore[valid-type]
    """Answer one or more consecutive steps of the caller's lane, as seen at `version`: a stale
    version answers 409 and changes nothing, so a repeated call advances the case once. Give the
    fields the answered steps' actions read (`answerable[].fields` of GET /cases/{id})."""
    values = payload.model_dump(exclude={"version", "answers"})  # type: ignore[attr-defined]
    decided = services.decide(
        case_id=case_id,
        actor=staff_user(request),
        version=payload.version,  # type: ignore[attr-defined]
        decision=Decision(
            answers=[StepAnswer(a.step, a.answer, a.note) for a in payload.answers],  # type: ignore[attr-defined]
            values=values,
        ),
    )
    case = decided.case
    return DecidedOut(
        id=case.pk,
        version=case.version,
        status=case.status,
        current_step=_current(case, parsed(case.sop)),
        applied=decided.applied,
    )
