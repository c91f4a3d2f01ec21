"""The use cases of a registration (`layanan: registrasi-akun`) beside the steps every case has:
hand in the request, plan a training session, invite waiting candidates, record attendance (on
one screen or from a CSV list), and confirm an activation done by hand in SPSE.

Recording a candidate present is what lets the case pass its `tunggu: pelatihan` gate
(`cases.services.pass_gate`): the account is activated (where it lives in Loket) and the steps
after the gate run (the one-time link to the candidate, the copy to the lanes the step names, the
archive). Where the accounts live in SPSE the candidate waits for staff to confirm the activation
there first (`confirm_activation`), because only a person can do it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from loket.audit.services import log_action
from loket.cases.errors import Conflict, Invalid, NotAllowed, NotFound
from loket.cases.models import CLOSED, Case, Channel, Need, Status
from loket.cases.services import (
    Submitted,
    checked_documents,
    open_case,
    pass_gate,
    text_problems,
    use_password_claim,
)
from loket.catalog.models import SopVersion
from loket.catalog.selectors import parsed
from loket.directory.backends import backend_for
from loket.directory.models import Agency
from loket.directory.nip import nip_problems, normalise_nip
from loket.directory.passwords import password_problems
from loket.notify.services import queue_mail
from loket.staff import rules

from .calendar_file import invitation_ics
from .models import Registration, TrainingSeat, TrainingSession

GATE = "pelatihan"
Upload = tuple[str, str, bytes]


# -- the request -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """Who the account is for, as the head of the agency names them."""

    name: str
    nip: str
    email: str
    phone: str
    position: str
    sk_number: str
    sk_date: dt.date | None


@dataclass(frozen=True)
class Head:
    """The head of the agency (Pimpinan Instansi) the request comes from, and who files it for
    them when it is not the head in person (a secretary, say: the letter still goes to the head)."""

    name: str
    position: str
    email: str
    phone: str = ""
    filed_by: str = ""


def registration_problems(
    *, unit: Any, head: Head, candidate: Candidate, agency_id: int | None, new_agency_name: str
) -> dict[str, str]:
    """Every field of a registration that is wrong, by form field name (empty when all is well)."""
    problems: dict[str, str] = {}
    required = {
        "head_name": (head.name, _("Nama pimpinan instansi wajib diisi.")),
        "head_position": (head.position, _("Jabatan pimpinan instansi wajib diisi.")),
        "candidate_name": (candidate.name, _("Nama calon Admin Agency wajib diisi.")),
        "candidate_position": (candidate.position, _("Jabatan calon wajib diisi.")),
        "candidate_phone": (candidate.phone, _("Nomor telepon calon wajib diisi.")),
        "sk_number": (candidate.sk_number, _("Nomor SK penunjukan wajib diisi.")),
    }
    for name, (value, message) in required.items():
        if not value.strip():
            problems[name] = message
    for name, address in (("head_email", head.email), ("candidate_email", candidate.email)):
        try:
            validate_email(address.strip())
        except ValidationError:
            problems[name] = _("Alamat e-mail tidak valid.")
    nip = normalise_nip(candidate.nip)
    if not nip:
        problems["candidate_nip"] = _("NIP calon wajib diisi.")
    elif found := nip_problems(nip, strict=False):
        problems["candidate_nip"] = " ".join(found)
    if candidate.sk_date is None:
        problems["sk_date"] = _("Tanggal SK penunjukan wajib diisi.")
    elif candidate.sk_date > timezone.localdate(timezone.now(), zoneinfo.ZoneInfo(unit.zona_waktu)):
        problems["sk_date"] = _("Tanggal SK tidak boleh sesudah hari ini.")
    if agency_id is not None and new_agency_name.strip():
        problems["new_agency_name"] = _("Pilih instansi dari daftar atau tulis nama instansi baru, salah satu saja.")
    elif agency_id is None and not new_agency_name.strip():
        problems["agency"] = _("Pilih instansi Anda, atau tulis namanya bila belum ada di daftar.")
    elif agency_id is not None and not Agency.objects.filter(pk=agency_id, unit=unit).exists():
        problems["agency"] = _("Instansi yang dipilih tidak terdaftar di unit ini.")
    problems.update(
        text_problems(
            head_name=head.name,
            head_position=head.position,
            head_email=head.email,
            head_phone=head.phone,
            filed_by=head.filed_by,
            new_agency_name=new_agency_name,
            candidate_name=candidate.name,
            candidate_nip=candidate.nip,
            candidate_email=candidate.email,
            candidate_phone=candidate.phone,
            candidate_position=candidate.position,
            sk_number=candidate.sk_number,
        )
    )
    return problems


def _pending_for(unit: Any, nip: str) -> Registration | None:
    """A registration of the same candidate still running at the unit."""
    return (
        Registration.objects.filter(case__unit=unit, candidate_nip=nip)
        .exclude(case__status__in=CLOSED)
        .select_related("case")
        .first()
    )


@transaction.atomic
def submit_registration(
    *,
    sop_version: SopVersion,
    channel: str,
    head: Head,
    candidate: Candidate,
    agency_id: int | None = None,
    new_agency_name: str = "",
    files: list[Upload],
    actor: Any = None,
) -> Submitted:
    """The head of an agency asks for a new account (step 1 of a registration SOP).

    Effects, in order: every field and document checked (all or nothing); a candidate already
    holding an account of the SOP's role at the unit, or with a registration still running, is
    refused; then as `submit_request`: the Case (its requester is the head), the Registration
    with the candidate, documents, step 1 and the next step opened, mail `diterima` to the head.
    """
    sop = parsed(sop_version)
    unit = sop_version.unit
    if sop.layanan != "registrasi-akun":
        raise Invalid(_("Layanan ini bukan permohonan akun baru."))
    if channel not in Channel.values:
        raise Invalid(_("Kanal permohonan tidak dikenal."), {"channel": ""})
    problems = registration_problems(
        unit=unit, head=head, candidate=candidate, agency_id=agency_id, new_agency_name=new_agency_name
    )
    checked = checked_documents(sop, files, problems)
    nip = normalise_nip(candidate.nip)
    if "candidate_nip" not in problems:
        from .effects import existing_account_at

        if existing_account_at(unit, nip, sop.peran_akun[0]) is not None:
            problems["candidate_nip"] = _(
                "Calon dengan NIP ini sudah memiliki akun %(role)s di unit ini. Bila lupa password atau user ID, "
                "ajukan permohonan pemulihan akun."
            ) % {"role": sop.peran_akun[0]}
        elif pending := _pending_for(unit, nip):
            problems["candidate_nip"] = _(
                "Permohonan akun untuk NIP ini sedang diproses (nomor registrasi %(ref)s)."
            ) % {"ref": pending.case.reference}
    if problems:
        raise Invalid(_("Permohonan belum dapat diajukan. Periksa isian yang ditandai."), problems)
    assert candidate.sk_date is not None  # checked above
    sk_date = candidate.sk_date
    agency = Agency.objects.filter(pk=agency_id, unit=unit).first() if agency_id is not None else None
    if agency is None and new_agency_name.strip():
        # The name as typed may be one the unit already lists (another spelling of case aside).
        agency = Agency.objects.filter(unit=unit, name__iexact=new_agency_name.strip()).first()

    def write_registration(case: Case) -> None:
        Registration.objects.create(
            case=case,
            head_position=head.position.strip(),
            filed_by=head.filed_by.strip(),
            new_agency_name="" if agency else new_agency_name.strip(),
            candidate_name=candidate.name.strip(),
            candidate_nip=nip,
            candidate_email=candidate.email.strip(),
            candidate_phone=candidate.phone.strip(),
            candidate_position=candidate.position.strip(),
            sk_number=candidate.sk_number.strip(),
            sk_date=sk_date,
        )

    return open_case(
        sop_version=sop_version,
        channel=channel,
        need=Need.NEW_ACCOUNT,
        requester={
            "requester_name": head.name.strip(),
            "requester_email": head.email.strip(),
            "requester_phone": head.phone.strip(),
            "requester_nip": "",
            "requester_user_id": "",
        },
        agency=agency,
        checked=checked,
        actor=actor,
        before_steps=write_registration,
    )


# -- training sessions ---------------------------------------------------------------------------------


def _may_train(actor: Any, case: Case) -> bool:
    """Staff may handle a candidate's training when they may act in the lane of the held step."""
    if case.current_step is None:
        return False
    step = parsed(case.sop).step(case.current_step)
    return step.tunggu == GATE and rules.can_act(actor, case, step.pelaksana)


def training_lanes(unit: Any) -> set[str]:
    """The lanes of the unit's installed SOPs whose steps wait on training."""
    from loket.catalog.selectors import unit_versions

    lanes: set[str] = set()
    for version in unit_versions(unit.pk):
        lanes.update(k.pelaksana for k in parsed(version).kegiatan if k.tunggu == GATE)
    return lanes


def may_plan_training(actor: Any, unit: Any) -> bool:
    """Whether `actor` holds a lane at `unit` whose steps wait on training."""
    lanes = training_lanes(unit)
    return any(role.unit_id == unit.pk and role.role in lanes for role in rules.roles_of(actor))


def waiting_candidates(actor: Any, unit: Any) -> list[Registration]:
    """Candidates of `unit` in the actor's scope whose case waits on training and who are not
    invited to a session still to come or not yet recorded, oldest wait first."""
    waiting = (
        Registration.objects.filter(case__unit=unit, case__status=Status.TRAINING, trained_at__isnull=True)
        .select_related("case", "case__unit", "case__sop", "case__agency", "case__account")
        .order_by("waiting_since", "id")
    )
    open_seats = set(
        TrainingSeat.objects.filter(status=TrainingSeat.Status.INVITED, registration__in=waiting).values_list(
            "registration_id", flat=True
        )
    )
    return [r for r in waiting if r.pk not in open_seats and _may_train(actor, r.case)]


def awaiting_activation(actor: Any, unit: Any) -> list[Registration]:
    """Candidates recorded present whose account, in SPSE, staff have still to activate there."""
    trained = (
        Registration.objects.filter(case__unit=unit, case__status=Status.TRAINING, trained_at__isnull=False)
        .select_related("case", "case__unit", "case__sop", "case__agency", "case__account")
        .order_by("trained_at", "id")
    )
    return [r for r in trained if _may_train(actor, r.case)]


def session_problems(
    *, starts_at: dt.datetime | None, ends_at: dt.datetime | None, place: str, online_url: str, capacity: int | None
) -> dict[str, str]:
    problems: dict[str, str] = {}
    if starts_at is None:
        problems["starts_at"] = _("Isi tanggal dan jam mulai.")
    if ends_at is None:
        problems["ends_at"] = _("Isi jam selesai.")
    if starts_at and ends_at and ends_at <= starts_at:
        problems["ends_at"] = _("Jam selesai harus sesudah jam mulai.")
    if starts_at and starts_at < timezone.now() - dt.timedelta(days=1):
        # A session held earlier today may still be recorded; one of an older day is a typo.
        problems["starts_at"] = _("Tanggal mulai sudah lewat; periksa tanggalnya.")
    if not place.strip() and not online_url.strip():
        problems["place"] = _("Isi tempat pelatihan, tautan daring, atau keduanya.")
    if online_url.strip():
        try:
            URLValidator(schemes=["https", "http"])(online_url.strip())
        except ValidationError:
            problems["online_url"] = _("Tautan daring harus alamat web yang lengkap (https://...).")
    if capacity is None or capacity < 1:
        problems["capacity"] = _("Kapasitas paling sedikit 1 peserta.")
    problems.update(text_problems(place=place, online_url=online_url))
    return problems


@transaction.atomic
def plan_session(
    *,
    unit: Any,
    actor: Any,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    place: str = "",
    online_url: str = "",
    capacity: int | None,
    title: str = "",
) -> TrainingSession:
    """A new training session of `unit` (times are aware datetimes; forms read them in the unit's
    zone)."""
    if not may_plan_training(actor, unit):
        raise NotAllowed(_("Anda tidak berwenang mengatur pelatihan di unit ini."))
    problems = session_problems(
        starts_at=starts_at, ends_at=ends_at, place=place, online_url=online_url, capacity=capacity
    )
    if problems:
        raise Invalid(_("Sesi pelatihan belum dapat disimpan. Periksa isian yang ditandai."), problems)
    assert starts_at is not None and ends_at is not None and capacity is not None  # checked above
    session = TrainingSession.objects.create(
        unit=unit,
        title=title.strip() or TrainingSession._meta.get_field("title").default,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        online_url=online_url.strip(),
        capacity=capacity,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    log_action("training.planned", actor=actor, session=session.pk, unit=unit.kode)
    return session


def _session(session_id: int, actor: Any, *, lock: bool = False) -> TrainingSession:
    qs = TrainingSession.objects.select_related("unit")
    if lock:
        qs = qs.select_for_update()
    session = qs.filter(pk=session_id).first()
    if session is None or not may_plan_training(actor, session.unit):
        raise NotFound(_("Sesi pelatihan tidak ditemukan."))
    return session


@dataclass
class Invited:
    seats: list[TrainingSeat] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)  # registration id -> why not


@transaction.atomic
def invite(*, session_id: int, registration_ids: Iterable[int], actor: Any) -> Invited:
    """Invite waiting candidates to a session not yet over: a seat each (up to the session's
    capacity) and an invitation mail with the session's details and an .ics file."""
    session = _session(session_id, actor, lock=True)
    # A session under way still takes a candidate who comes in late (invited on the day).
    if session.ends_at <= timezone.now():
        raise Conflict(_("Sesi ini sudah selesai; undang ke sesi yang akan datang."))
    taken = session.seats.exclude(status=TrainingSeat.Status.ABSENT).count()
    waiting = {r.pk: r for r in waiting_candidates(actor, session.unit)}
    result = Invited()
    now = timezone.now()
    for rid in dict.fromkeys(registration_ids):
        registration = waiting.get(rid)
        if registration is None:
            result.refused[rid] = _("Calon ini tidak sedang menunggu pelatihan, atau sudah diundang.")
            continue
        if taken >= session.capacity:
            result.refused[rid] = _("Sesi sudah penuh (%(n)s peserta).") % {"n": session.capacity}
            continue
        seat, _created = TrainingSeat.objects.update_or_create(
            session=session,
            registration=registration,
            defaults={"status": TrainingSeat.Status.INVITED, "invited_at": now, "invited_by": _user(actor)},
        )
        taken += 1
        result.seats.append(seat)
        _mail_invitation(seat)
        log_action("training.invited", actor=actor, case=registration.case, session=session.pk)
    return result


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _mail_invitation(seat: TrainingSeat) -> None:
    from .letters import tanggal_indonesia

    session, registration = seat.session, seat.registration
    zone = zoneinfo.ZoneInfo(session.unit.zona_waktu)
    starts, ends = timezone.localtime(session.starts_at, zone), timezone.localtime(session.ends_at, zone)
    queue_mail(
        to=registration.candidate_email,
        template="undangan-pelatihan",
        context={
            "reference": registration.case.reference,
            "name": registration.candidate_name,
            "title": session.title,
            "date": tanggal_indonesia(starts.date()),
            "start": starts.strftime("%H.%M"),
            "end": ends.strftime("%H.%M"),
            "zone": starts.tzname(),
            "place": session.place,
            "online_url": session.online_url,
            "unit_name": session.unit.nama,
        },
        case=registration.case,
        attachments=[{"name": "undangan-pelatihan.ics", "content_type": "text/calendar", "text": invitation_ics(seat)}],
    )


@dataclass
class Recorded:
    present: list[Registration] = field(default_factory=list)
    absent: list[Registration] = field(default_factory=list)
    activated: list[Registration] = field(default_factory=list)  # and their case moved on


@transaction.atomic
def record_attendance(*, session_id: int, present_ids: Iterable[int], actor: Any) -> Recorded:
    """Attendance of a whole session in one go: the invited candidates in `present_ids` came,
    every other invited one did not. A candidate present is trained: where the account lives in
    Loket it is activated and the case passes its gate at once (the link goes out, the file is
    archived); in SPSE it waits for `confirm_activation`. A candidate absent goes back to the
    waiting list, the seat kept on record."""
    session = _session(session_id, actor, lock=True)
    if session.starts_at > timezone.now():
        raise Conflict(_("Kehadiran dicatat setelah sesi dimulai."))
    present = set(present_ids)
    now = timezone.now()
    result = Recorded()
    # A request withdrawn since the invitation has no training left to record.
    for seat in session.seats.select_related("registration", "registration__case").filter(
        status=TrainingSeat.Status.INVITED, registration__case__status=Status.TRAINING
    ):
        registration = seat.registration
        seat.recorded_at, seat.recorded_by = now, _user(actor)
        if registration.pk in present:
            seat.status = TrainingSeat.Status.PRESENT
            seat.save()
            registration.trained_at = now
            registration.save(update_fields=["trained_at"])
            result.present.append(registration)
            log_action("training.attended", actor=actor, case=registration.case, session=session.pk)
            if not backend_for(session.unit).by_hand:
                _activate(registration, actor=actor, values={})
                result.activated.append(registration)
        else:
            seat.status = TrainingSeat.Status.ABSENT
            seat.save()
            result.absent.append(registration)
            log_action("training.missed", actor=actor, case=registration.case, session=session.pk)
    session.attendance_recorded_at = now
    session.save(update_fields=["attendance_recorded_at"])
    return result


def _activate(registration: Registration, *, actor: Any, values: dict[str, Any]) -> None:
    case = registration.case
    if case.account is None:
        raise Conflict(_("Akun permohonan %(ref)s belum dibuat.") % {"ref": case.reference})
    backend_for(case.unit).activate(case.account)
    registration.activated_at = timezone.now()
    registration.save(update_fields=["activated_at"])
    pass_gate(case_id=case.pk, gate=GATE, actor=actor, values=values)


@sensitive_variables("temporary_password")
@transaction.atomic
def confirm_activation(
    *, registration_id: int, actor: Any, temporary_password: str, password_set_in_spse: bool
) -> Case:
    """Where the accounts live in SPSE: staff activated the trained candidate's account there and
    set its temporary password; Loket records the activation and the case goes on (the password
    reaches the candidate by the one-time link). The staff member must hold the case's password
    claim (cases.services.claim_password_step, taken when the page offered the password) or no one."""
    registration = (
        Registration.objects.select_for_update()
        .select_related("case", "case__unit", "case__sop")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None or not _may_train(actor, registration.case):
        raise NotFound(_("Permohonan tidak ditemukan."))
    if registration.trained_at is None:
        raise Conflict(_("Calon ini belum tercatat mengikuti pelatihan."))
    problems = password_problems(temporary_password)
    if problems:
        raise Invalid(" ".join(problems), {"temporary_password": ""})
    if not password_set_in_spse:
        raise Invalid(
            _("Centang bahwa akun sudah diaktifkan dan password sementara sudah diatur di SPSE."),
            {"password_set_in_spse": ""},
        )
    case = (
        Case.objects.select_for_update(of=("self",)).select_related("password_claimed_by").get(pk=registration.case_id)
    )
    use_password_claim(case, actor, timezone.now())  # another staff member's password is not overwritten
    Case.objects.filter(pk=case.pk).update(password_claimed_by=None, password_claimed_at=None)
    _activate(registration, actor=actor, values={"temporary_password": temporary_password})
    return registration.case


# -- attendance from a CSV list --------------------------------------------------------------------------


@dataclass(frozen=True)
class RowReport:
    line: int
    who: str
    outcome: str  # hadir, tidak hadir, or the reason the row is refused
    ok: bool


PRESENT_WORDS = {"hadir", "ya", "y", "1", "true", "present", "v", "x"}
ABSENT_WORDS = {"tidak hadir", "tidak", "t", "0", "false", "absent", "-", ""}


def read_attendance_csv(session_id: int, data: bytes, actor: Any) -> tuple[set[int], list[RowReport]]:
    """The candidates an attendance list marks present, and a report per row. Columns: `nip` or
    `email` (either identifies the candidate), and `hadir` (hadir/ya/1 or tidak/0/blank); a
    delimiter of comma or semicolon. Rows that name nobody invited to the session are refused
    with the reason; nothing is recorded here (record_attendance does, for the rows accepted)."""
    session = _session(session_id, actor)
    seats = list(session.seats.select_related("registration").filter(status=TrainingSeat.Status.INVITED))
    by_nip = {s.registration.candidate_nip: s.registration for s in seats}
    by_email = {s.registration.candidate_email.lower(): s.registration for s in seats}
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else "", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    columns = {(c or "").strip().lower(): c for c in reader.fieldnames or []}
    if "hadir" not in columns or not ({"nip", "email"} & columns.keys()):
        raise Invalid(
            _("Daftar hadir harus punya kolom `hadir` dan kolom `nip` atau `email` (baris pertama)."), {"file": ""}
        )
    present: set[int] = set()
    reports: list[RowReport] = []
    seen: set[int] = set()
    for line, row in enumerate(reader, start=2):
        nip = normalise_nip(row.get(columns.get("nip", ""), "") or "")
        email = (row.get(columns.get("email", ""), "") or "").strip().lower()
        mark = (row.get(columns["hadir"]) or "").strip().lower()
        who = nip or email or "-"
        registration = by_nip.get(nip) if nip else by_email.get(email)
        if registration is None:
            reports.append(RowReport(line, who, _("tidak ada calon dengan NIP/e-mail ini di undangan sesi ini"), False))
        elif mark not in PRESENT_WORDS | ABSENT_WORDS:
            reports.append(
                RowReport(
                    line, who, _("isi kolom hadir tidak dikenal: %(v)s (tulis hadir atau tidak)") % {"v": mark}, False
                )
            )
        elif registration.pk in seen:
            reports.append(RowReport(line, who, _("calon ini sudah disebut di baris sebelumnya"), False))
        else:
            seen.add(registration.pk)
            if mark in PRESENT_WORDS:
                present.add(registration.pk)
            reports.append(
                RowReport(
                    line, registration.candidate_name, _("hadir") if mark in PRESENT_WORDS else _("tidak hadir"), True
                )
            )
    return present, reports
