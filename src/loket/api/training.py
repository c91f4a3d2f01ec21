"""Staff operations (API token) of the training that gates a registration (`tunggu: pelatihan`):
a unit's training sessions and planning one, the candidates waiting for a session (and, where the
unit's accounts live in SPSE, those awaiting activation there), inviting candidates, recording a
session's attendance, and confirming an activation done by hand in SPSE.

Thin, as the console's training pages: every change goes through `loket.registration.services`.
Scope: a unit, its sessions and its candidates exist for a caller who holds a lane there whose
steps wait on training (`may_plan_training`); for anyone else they are 404. A session's
`starts_at`/`ends_at` carry the unit's offset (+08:00 for WITA), as people plan them; every other
time is UTC, as in the rest of the API.

The temporary password of an activation is never answered, logged or kept by this module: it goes
to the service, which hands it to the one-time link.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pydantic
from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from ninja import Query, Router, Schema
from ninja import Status as Answer

from loket.cases.errors import CaseError, Invalid, NotFound
from loket.cases.services import text_problems
from loket.directory.backends import backend_for
from loket.registration import services
from loket.registration.letters import agency_name
from loket.registration.models import Registration, TrainingSeat, TrainingSession
from loket.units.models import Unit

from .auth import StaffToken, staff_user
from .errors import refusals

router = Router(tags=["training"], auth=StaffToken())

# A unit's kode is a slug (units.Unit.kode); anything else names no unit, and is not looked up.
_UNIT_KODE = re.compile(r"[-a-zA-Z0-9_]{1,40}")
# The years a session may fall in: a wider span would not survive the conversions between zones
# (a year-9999 time with a negative offset has no UTC), and no session is planned outside it.
FIRST_YEAR, LAST_YEAR = 2000, 2099
MAX_IDS = 1000  # registration ids in one invitation or attendance


# -- scope and shapes shared by the operations --------------------------------------------------


def _unit(actor: Any, kode: str) -> Unit:
    unit = Unit.objects.filter(kode=kode).first() if _UNIT_KODE.fullmatch(kode) else None
    if unit is None or not services.may_plan_training(actor, unit):
        raise NotFound(_("Unit tidak ditemukan."))
    return unit


def _session(actor: Any, session_id: int) -> TrainingSession:
    session = TrainingSession.objects.select_related("unit").filter(pk=session_id).first()
    if session is None or not services.may_plan_training(actor, session.unit):
        raise NotFound(_("Sesi pelatihan tidak ditemukan."))
    return session


def _zone(unit: Unit) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(unit.zona_waktu)


@contextmanager
def _named_problems() -> Iterator[None]:
    """A service's refusal that names a field without a message of its own (a checkbox, a
    password) carries the refusal's message there, so a client can show it beside the field."""
    try:
        yield
    except CaseError as exc:
        exc.problems = {field: message or exc.message for field, message in exc.problems.items()}
        raise


class SessionOut(Schema):
    id: int
    unit: str
    title: str
    starts_at: dt.datetime = pydantic.Field(description="In the unit's time zone (its offset, e.g. +08:00).")
    ends_at: dt.datetime = pydantic.Field(description="In the unit's time zone.")
    place: str
    online_url: str
    capacity: int
    seats_taken: int = pydantic.Field(description="Seats invited or present (a seat lost to an absence is free).")
    attendance_recorded_at: dt.datetime | None


def _session_out(session: TrainingSession, taken: int) -> SessionOut:
    zone = _zone(session.unit)
    return SessionOut(
        id=session.pk,
        unit=session.unit.kode,
        title=session.title,
        starts_at=timezone.localtime(session.starts_at, zone),
        ends_at=timezone.localtime(session.ends_at, zone),
        place=session.place,
        online_url=session.online_url,
        capacity=session.capacity,
        seats_taken=taken,
        attendance_recorded_at=session.attendance_recorded_at,
    )


def _taken(session: TrainingSession) -> int:
    return session.seats.exclude(status=TrainingSeat.Status.ABSENT).count()


class CandidateRefOut(Schema):
    registration_id: int
    case_id: int
    reference: str
    candidate_name: str


def _ref(registration: Registration) -> CandidateRefOut:
    return CandidateRefOut(
        registration_id=registration.pk,
        case_id=registration.case_id,
        reference=registration.case.reference,
        candidate_name=registration.candidate_name,
    )


# -- GET /training/units/{unit}/sessions ---------------------------------------------------------


class SessionPage(Schema):
    limit: int = pydantic.Field(20, ge=1, le=100)
    offset: int = pydantic.Field(0, ge=0, le=1_000_000_000)  # an SQL OFFSET fits 64 bits


class SessionsOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[SessionOut] = pydantic.Field(description="The latest start first.")


@router.get(
    "/training/units/{unit}/sessions",
    response={200: SessionsOut, **refusals(400, 401, 404)},
    operation_id="training_sessions",
    summary="A unit's training sessions",
)
def list_sessions(request: HttpRequest, unit: str, page: Query[SessionPage]) -> SessionsOut:
    """The unit's training sessions, the latest start first (those still to come lead)."""
    found = _unit(staff_user(request), unit)
    sessions = (
        TrainingSession.objects.filter(unit=found)
        .select_related("unit")
        .annotate(n_taken=Count("seats", filter=~Q(seats__status=TrainingSeat.Status.ABSENT)))
        .order_by("-starts_at", "-id")
    )
    return SessionsOut(
        count=sessions.count(),
        limit=page.limit,
        offset=page.offset,
        items=[_session_out(s, s.n_taken) for s in sessions[page.offset : page.offset + page.limit]],
    )


# -- POST /training/units/{unit}/sessions --------------------------------------------------------


class SessionIn(Schema):
    title: str = pydantic.Field("", max_length=200, description="Default: Pelatihan penggunaan aplikasi SPSE.")
    starts_at: dt.datetime = pydantic.Field(description="With its offset, e.g. 2026-12-09T09:00:00+08:00.")
    ends_at: dt.datetime = pydantic.Field(description="With its offset; after `starts_at`.")
    place: str = pydantic.Field("", max_length=300, description="Where; give a place, an `online_url`, or both.")
    online_url: str = pydantic.Field("", max_length=500, description="An http(s) address of the online session.")
    capacity: int = pydantic.Field(le=10_000, description="Seats; at least 1.")


def _moment(value: dt.datetime) -> tuple[dt.datetime | None, str]:
    """The time in UTC, or why it cannot be taken."""
    if value.tzinfo is None or value.utcoffset() is None:
        return None, _("Sertakan zona waktu, misalnya 2026-12-09T09:00:00+08:00.")
    try:
        utc = value.astimezone(dt.UTC)
    except OverflowError:
        utc = None
    if utc is None or not FIRST_YEAR <= utc.year <= LAST_YEAR:
        return None, _("Tanggal harus antara tahun %(first)d dan %(last)d.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
    return utc, ""


@router.post(
    "/training/units/{unit}/sessions",
    response={201: SessionOut, **refusals(400, 401, 404)},
    operation_id="plan_training_session",
    summary="Plan a training session",
)
def plan_session(request: HttpRequest, unit: str, payload: SessionIn) -> Answer[SessionOut]:
    """A new training session of the unit. Then invite waiting candidates to it."""
    actor = staff_user(request)
    found = _unit(actor, unit)
    problems = text_problems(title=payload.title)
    starts_at, why = _moment(payload.starts_at)
    if why:
        problems["starts_at"] = why
    ends_at, why = _moment(payload.ends_at)
    if why:
        problems["ends_at"] = why
    if problems:
        checked = services.session_problems(
            starts_at=starts_at,
            ends_at=ends_at,
            place=payload.place,
            online_url=payload.online_url,
            capacity=payload.capacity,
        )
        raise Invalid(_("Sesi pelatihan belum dapat disimpan. Periksa isian yang ditandai."), {**checked, **problems})
    with _named_problems():
        session = services.plan_session(
            unit=found,
            actor=actor,
            starts_at=starts_at,
            ends_at=ends_at,
            place=payload.place,
            online_url=payload.online_url,
            capacity=payload.capacity,
            title=payload.title,
        )
    return Answer(201, _session_out(session, 0))


# -- GET /training/sessions/{session_id} ----------------------------------------------------------


class SeatOut(Schema):
    registration_id: int
    case_id: int
    reference: str
    candidate_name: str
    agency: str
    status: str = pydantic.Field(description="`invited`, `present` or `absent`.")
    invited_at: dt.datetime
    recorded_at: dt.datetime | None


class SessionSeatsOut(SessionOut):
    seats: list[SeatOut] = pydantic.Field(description="Every candidate invited, by name.")


@router.get(
    "/training/sessions/{session_id}",
    response={200: SessionSeatsOut, **refusals(400, 401, 404)},
    operation_id="training_session",
    summary="One training session and its seats",
)
def get_session(request: HttpRequest, session_id: int) -> SessionSeatsOut:
    """The session with every candidate invited to it and whether they came: the registration
    ids to name when recording its attendance."""
    session = _session(staff_user(request), session_id)
    seats = list(
        session.seats.select_related("registration", "registration__case", "registration__case__agency").order_by(
            "registration__candidate_name", "id"
        )
    )
    out = _session_out(session, sum(1 for s in seats if s.status != TrainingSeat.Status.ABSENT))
    return SessionSeatsOut(
        **out.model_dump(),
        seats=[
            SeatOut(
                registration_id=s.registration_id,
                case_id=s.registration.case_id,
                reference=s.registration.case.reference,
                candidate_name=s.registration.candidate_name,
                agency=agency_name(s.registration),
                status=s.status,
                invited_at=s.invited_at,
                recorded_at=s.recorded_at,
            )
            for s in seats
        ],
    )


# -- GET /training/units/{unit}/waiting ----------------------------------------------------------


class WaitingOut(Schema):
    registration_id: int
    case_id: int
    reference: str
    candidate_name: str
    agency: str = pydantic.Field(description="The agency's name, or the new agency's name as the request gave it.")
    waiting_since: dt.datetime | None
    sessions_missed: int = pydantic.Field(description="Sessions the candidate was invited to and did not attend.")


class AwaitingActivationOut(Schema):
    registration_id: int
    case_id: int
    reference: str
    candidate_name: str
    agency: str
    user_id: str | None = pydantic.Field(description="The account's user ID, as staff recorded it from SPSE.")
    trained_at: dt.datetime | None


class WaitingListOut(Schema):
    unit: str
    assisted: bool = pydantic.Field(
        description="The unit's accounts live in SPSE: staff activate a trained candidate's account there."
    )
    waiting: list[WaitingOut] = pydantic.Field(
        description="Candidates waiting on training, not invited to a session still to be recorded; oldest wait first."
    )
    awaiting_activation: list[AwaitingActivationOut] = pydantic.Field(
        description="Where `assisted`: candidates recorded present whose account staff have still to activate in "
        "SPSE (POST /training/registrations/{id}/activation). Empty elsewhere."
    )


@router.get(
    "/training/units/{unit}/waiting",
    response={200: WaitingListOut, **refusals(400, 401, 404)},
    operation_id="training_waiting",
    summary="Candidates waiting for training",
)
def list_waiting(request: HttpRequest, unit: str) -> WaitingListOut:
    """The candidates of the unit, in the caller's scope, to invite to a session; and where the
    unit's accounts live in SPSE, those trained whose activation staff have still to confirm."""
    actor = staff_user(request)
    found = _unit(actor, unit)
    waiting = services.waiting_candidates(actor, found)
    missed = dict(
        TrainingSeat.objects.filter(registration__in=waiting, status=TrainingSeat.Status.ABSENT)
        .values("registration")
        .annotate(n=Count("id"))
        .values_list("registration", "n")
    )
    assisted = backend_for(found).by_hand
    return WaitingListOut(
        unit=found.kode,
        assisted=assisted,
        waiting=[
            WaitingOut(
                registration_id=r.pk,
                case_id=r.case_id,
                reference=r.case.reference,
                candidate_name=r.candidate_name,
                agency=agency_name(r),
                waiting_since=r.waiting_since,
                sessions_missed=missed.get(r.pk, 0),
            )
            for r in waiting
        ],
        awaiting_activation=[
            AwaitingActivationOut(
                registration_id=r.pk,
                case_id=r.case_id,
                reference=r.case.reference,
                candidate_name=r.candidate_name,
                agency=agency_name(r),
                user_id=r.case.account.user_id if r.case.account else None,
                trained_at=r.trained_at,
            )
            for r in (services.awaiting_activation(actor, found) if assisted else [])
        ],
    )


# -- POST /training/sessions/{session_id}/invitations ----------------------------------------------


class InvitationsIn(Schema):
    registration_ids: list[int] = pydantic.Field(
        max_length=MAX_IDS, description="Waiting candidates (`registration_id` of GET .../waiting)."
    )


class RefusedOut(Schema):
    registration_id: int
    reason: str


class InvitedOut(Schema):
    session_id: int
    invited: list[CandidateRefOut] = pydantic.Field(description="Each got a seat and an invitation mail (.ics).")
    refused: list[RefusedOut] = pydantic.Field(description="Not invited, with the reason (not waiting, session full).")
    capacity: int
    seats_taken: int


@router.post(
    "/training/sessions/{session_id}/invitations",
    response={200: InvitedOut, **refusals(400, 401, 404, 409)},
    operation_id="invite_to_training",
    summary="Invite candidates to a session",
)
def invite(request: HttpRequest, session_id: int, payload: InvitationsIn) -> InvitedOut:
    """Invite waiting candidates to a session still to come, up to its capacity: a seat each and
    an invitation mail with the session's details and a calendar file. A candidate who cannot be
    invited is refused with the reason, the others are invited (409 when the session is over)."""
    actor = staff_user(request)
    session = _session(actor, session_id)
    if not payload.registration_ids:
        message = _("Pilih paling sedikit satu calon untuk diundang.")
        raise Invalid(message, {"registration_ids": message})
    with _named_problems():
        result = services.invite(session_id=session.pk, registration_ids=payload.registration_ids, actor=actor)
    seats = TrainingSeat.objects.filter(pk__in=[s.pk for s in result.seats]).select_related(
        "registration", "registration__case"
    )
    by_registration = {s.registration_id: s.registration for s in seats}
    return InvitedOut(
        session_id=session.pk,
        invited=[_ref(by_registration[s.registration_id]) for s in result.seats],
        refused=[RefusedOut(registration_id=rid, reason=why) for rid, why in result.refused.items()],
        capacity=session.capacity,
        seats_taken=_taken(session),
    )


# -- POST /training/sessions/{session_id}/attendance -------------------------------------------------


class AttendanceIn(Schema):
    present: list[int] = pydantic.Field(
        max_length=MAX_IDS,
        description="The registration ids of the invited candidates who came; every other invited one did not.",
    )


class AttendanceOut(Schema):
    session_id: int
    attendance_recorded_at: dt.datetime | None
    present: list[CandidateRefOut] = pydantic.Field(description="Recorded present: trained.")
    absent: list[CandidateRefOut] = pydantic.Field(description="Recorded absent: back on the waiting list.")
    activated: list[CandidateRefOut] = pydantic.Field(
        description="Of those present, whose account was activated and whose case went on (the account's "
        "information mailed). Where the accounts live in SPSE none: staff confirm each activation."
    )
    ignored: list[int] = pydantic.Field(
        description="Ids in `present` without an invitation of this session still to be recorded: nothing recorded."
    )


@router.post(
    "/training/sessions/{session_id}/attendance",
    response={200: AttendanceOut, **refusals(400, 401, 403, 404, 409)},
    operation_id="record_training_attendance",
    summary="Record a session's attendance",
)
def record_attendance(request: HttpRequest, session_id: int, payload: AttendanceIn) -> AttendanceOut:
    """The whole session's attendance in one go, once it has started (409 before): the invited
    candidates in `present` came, every other invited one did not. A candidate present is trained:
    where the account lives in Loket it is activated and the case goes on at once (the one-time
    link goes out, the file is archived). 403 when a candidate's case is in a lane the caller may
    not act in (an agency-scoped lane of another agency); then nothing is recorded."""
    actor = staff_user(request)
    session = _session(actor, session_id)
    with _named_problems():
        result = services.record_attendance(session_id=session.pk, present_ids=payload.present, actor=actor)
    session.refresh_from_db(fields=["attendance_recorded_at"])
    recorded = {r.pk for r in result.present}
    return AttendanceOut(
        session_id=session.pk,
        attendance_recorded_at=session.attendance_recorded_at,
        present=[_ref(r) for r in result.present],
        absent=[_ref(r) for r in result.absent],
        activated=[_ref(r) for r in result.activated],
        ignored=[rid for rid in dict.fromkeys(payload.present) if rid not in recorded],
    )


# -- POST /training/registrations/{registration_id}/activation ---------------------------------------


class ActivationIn(Schema):
    temporary_password: pydantic.SecretStr = pydantic.Field(
        max_length=128,
        description="The temporary password set in SPSE (SPSE's rule: at least 8 characters with lower and upper "
        "case, a digit and a symbol). Never answered back; Loket delivers it by the one-time link and keeps no copy.",
    )
    password_set_in_spse: bool = pydantic.Field(
        description="true: the account is activated in SPSE and this password set there."
    )


class ActivatedOut(Schema):
    registration_id: int
    case_id: int
    reference: str
    status: str = pydantic.Field(description="The case's status now (`done` once the steps after training ran).")
    activated_at: dt.datetime | None


@sensitive_variables()
def _confirm(*, registration_id: int, actor: Any, secret: pydantic.SecretStr, confirmed: bool) -> None:
    """The password out of its wrapper only here, where a traceback shows no local variable."""
    password = secret.get_secret_value()
    if text_problems(temporary_password=password):
        message = _("Password memuat karakter kontrol yang tidak diizinkan. Ketik ulang password-nya.")
        raise Invalid(message, {"temporary_password": message})
    with _named_problems():
        services.confirm_activation(
            registration_id=registration_id, actor=actor, temporary_password=password, password_set_in_spse=confirmed
        )


@router.post(
    "/training/registrations/{registration_id}/activation",
    response={200: ActivatedOut, **refusals(400, 401, 404, 409)},
    operation_id="confirm_activation",
    summary="Confirm an activation done in SPSE",
)
def confirm_activation(request: HttpRequest, registration_id: int, payload: ActivationIn) -> ActivatedOut:
    """Where the unit's accounts live in SPSE: staff activated a trained candidate's account there
    and set its temporary password; Loket records the activation, and the case goes on: the
    password reaches the candidate by the one-time link. 409 while the candidate is not recorded
    present; 404 for a unit whose accounts live in Loket (attendance activates those)."""
    actor = staff_user(request)
    registration = Registration.objects.select_related("case__unit").filter(pk=registration_id).first()
    if registration is None or not backend_for(registration.case.unit).by_hand:
        raise NotFound(_("Permohonan tidak ditemukan."))
    _confirm(
        registration_id=registration.pk,
        actor=actor,
        secret=payload.temporary_password,
        confirmed=payload.password_set_in_spse,
    )
    registration = Registration.objects.select_related("case").get(pk=registration.pk)
    return ActivatedOut(
        registration_id=registration.pk,
        case_id=registration.case_id,
        reference=registration.case.reference,
        status=registration.case.status,
        activated_at=registration.activated_at,
    )
