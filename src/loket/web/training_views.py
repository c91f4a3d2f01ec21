"""The console's training pages: the training sessions of a unit whose registrations wait on
training (`tunggu: pelatihan`), the candidates waiting for one, the invitations, the attendance
(on one screen, or from a CSV list looked at before it is recorded), and where the accounts live
in SPSE the activation staff confirm after doing it there.

Thin: reads come from `loket.registration.services` (and the models, for the lists), every change
goes through its services. Scope: a staff member sees a unit's pages when they hold a lane there
whose steps wait on training (`may_plan_training`); any other unit, session or candidate is 404.
Times are shown in the unit's zone, with its name (WITA).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from loket.cases import services as case_services
from loket.cases.errors import CaseError
from loket.cases.models import Status
from loket.directory.backends import backend_for
from loket.directory.passwords import generate_temporary_password
from loket.registration import services
from loket.registration.effects import agency_name
from loket.registration.models import Registration, TrainingSeat, TrainingSession
from loket.staff import rules
from loket.units.models import Unit

from .training_forms import ActivationForm, AttendanceCsvForm, AttendanceForm, InviteForm, SessionForm

PAST_SHOWN = 20  # the latest past sessions listed on a unit's page


# -- scope -------------------------------------------------------------------------------------------


def training_units(user: Any) -> list[Unit]:
    """The units where `user` may plan training, by name."""
    units = {role.unit_id: role.unit for role in rules.roles_of(user)}
    return sorted((u for u in units.values() if services.may_plan_training(user, u)), key=lambda u: u.nama)


def _unit_or_404(request: HttpRequest, unit_kode: str) -> Unit:
    unit = Unit.objects.filter(kode=unit_kode).first()
    if unit is None or not services.may_plan_training(request.user, unit):
        raise Http404(_("Unit tidak ditemukan."))
    return unit


def _session_or_404(request: HttpRequest, session_id: int) -> TrainingSession:
    session = TrainingSession.objects.select_related("unit").filter(pk=session_id).first()
    if session is None or not services.may_plan_training(request.user, session.unit):
        raise Http404(_("Sesi pelatihan tidak ditemukan."))
    return session


def _zone(unit: Unit) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(unit.zona_waktu)


# -- how times read ------------------------------------------------------------------------------------


def local(value: dt.datetime | None, zone: zoneinfo.ZoneInfo) -> str:
    """A moment in the unit's zone: Rabu, 9 Desember 2026 09.00 WITA."""
    if value is None:
        return ""
    shown = timezone.localtime(value, zone)
    return f"{dateformat.format(shown, 'l, j F Y')} {shown:%H.%M} {shown.tzname()}"


def span(starts: dt.datetime, ends: dt.datetime, zone: zoneinfo.ZoneInfo) -> str:
    """A session's time in the unit's zone: Rabu, 9 Desember 2026 09.00–12.00 WITA (both days
    named when it ends on another day)."""
    a, b = timezone.localtime(starts, zone), timezone.localtime(ends, zone)
    day = dateformat.format(a, "l, j F Y")
    if a.date() == b.date():
        return f"{day} {a:%H.%M}–{b:%H.%M} {b.tzname()}"
    return f"{day} {a:%H.%M} – {dateformat.format(b, 'l, j F Y')} {b:%H.%M} {b.tzname()}"


def local_date(value: dt.datetime | None, zone: zoneinfo.ZoneInfo) -> str:
    return dateformat.format(timezone.localtime(value, zone), "j F Y") if value else ""


# -- the rows the pages list ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionRow:
    session: TrainingSession
    when: str
    taken: int  # seats not lost to an absence
    invited: int
    present: int
    started: bool


@dataclass(frozen=True)
class CandidateRow:
    registration: Registration
    agency: str
    since: str
    days: int | None
    missed: int


def _session_rows(unit: Unit, now: dt.datetime) -> tuple[list[SessionRow], list[SessionRow]]:
    """(the sessions still to come or running, soonest first; the latest past ones, newest first)."""
    absent, present = TrainingSeat.Status.ABSENT, TrainingSeat.Status.PRESENT
    counted = TrainingSession.objects.filter(unit=unit).annotate(
        n_taken=Count("seats", filter=~Q(seats__status=absent)),
        n_invited=Count("seats"),
        n_present=Count("seats", filter=Q(seats__status=present)),
    )
    zone = _zone(unit)

    def row(s: Any) -> SessionRow:
        return SessionRow(
            s, span(s.starts_at, s.ends_at, zone), s.n_taken, s.n_invited, s.n_present, s.starts_at <= now
        )

    upcoming = [row(s) for s in counted.filter(ends_at__gt=now).order_by("starts_at", "id")]
    past = [row(s) for s in counted.filter(ends_at__lte=now).order_by("-starts_at", "-id")[:PAST_SHOWN]]
    return upcoming, past


def _missed(registrations: list[Registration]) -> dict[int, int]:
    """Sessions each candidate was invited to and did not attend."""
    counts = (
        TrainingSeat.objects.filter(registration__in=registrations, status=TrainingSeat.Status.ABSENT)
        .values("registration")
        .annotate(n=Count("id"))
    )
    return {c["registration"]: c["n"] for c in counts}


def _candidate_rows(registrations: list[Registration], unit: Unit, now: dt.datetime) -> list[CandidateRow]:
    zone = _zone(unit)
    missed = _missed(registrations)
    return [
        CandidateRow(
            r,
            agency_name(r),
            local_date(r.waiting_since, zone),
            (now - r.waiting_since).days if r.waiting_since else None,
            missed.get(r.pk, 0),
        )
        for r in registrations
    ]


# -- pages ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The units where the staff member plans training; straight to the unit's page when one."""
    units = training_units(request.user)
    if not units:
        raise Http404(_("Anda tidak mengatur pelatihan di unit mana pun."))
    if len(units) == 1:
        return redirect("console:training_unit", unit_kode=units[0].kode)
    return render(request, "web/console/training/index.html", {"units": units})


@login_required
@require_http_methods(["GET", "POST"])
def unit_page(request: HttpRequest, unit_kode: str) -> HttpResponse:
    """A unit's sessions, its waiting candidates, those awaiting activation in SPSE, and the form
    of a new session (POST)."""
    unit = _unit_or_404(request, unit_kode)
    zone = _zone(unit)
    form = SessionForm(request.POST if request.method == "POST" else None, zone=zone)
    status = 200
    if request.method == "POST":
        form.is_valid()  # Django reads what it can; the service says what a session needs
        values = form.session_values()
        if form.errors:
            form.add_problems(services.session_problems(**{k: v for k, v in values.items() if k != "title"}))
        else:
            try:
                session = services.plan_session(unit=unit, actor=request.user, **values)
            except CaseError as exc:
                form.add_problems({k: v or exc.message for k, v in exc.problems.items()} or {"__all__": exc.message})
            else:
                messages.success(
                    request,
                    _("Sesi pelatihan tersimpan: %(when)s. Undang calon peserta di bawah.")
                    % {"when": span(session.starts_at, session.ends_at, zone)},
                )
                return redirect("console:training_session", session_id=session.pk)
        status = 400
    now = timezone.now()
    upcoming, past = _session_rows(unit, now)
    by_hand = backend_for(unit).by_hand
    awaiting = services.awaiting_activation(request.user, unit) if by_hand else []
    return render(
        request,
        "web/console/training/unit.html",
        {
            "unit": unit,
            "zone_name": timezone.localtime(now, zone).tzname(),
            "form": form,
            "upcoming": upcoming,
            "past": past,
            "past_shown": PAST_SHOWN,
            "waiting": _candidate_rows(services.waiting_candidates(request.user, unit), unit, now),
            "by_hand": by_hand,
            "awaiting": [{"r": r, "agency": agency_name(r), "trained": local(r.trained_at, zone)} for r in awaiting],
            "other_units": len(training_units(request.user)) > 1,
        },
        status=status,
    )


def _render_session(
    request: HttpRequest,
    session: TrainingSession,
    *,
    invite_form: InviteForm | None = None,
    attendance_form: AttendanceForm | None = None,
    csv_form: AttendanceCsvForm | None = None,
    report: list[services.RowReport] | None = None,
    status: int = 200,
) -> HttpResponse:
    unit = session.unit
    zone = _zone(unit)
    now = timezone.now()
    seats = list(
        session.seats.select_related("registration", "registration__case", "registration__case__agency").order_by(
            "registration__candidate_name", "id"
        )
    )
    # Seats still to record: invited, and the request still waits on training (one withdrawn
    # since the invitation is not recorded: record_attendance skips it).
    invited = [
        s for s in seats if s.status == TrainingSeat.Status.INVITED and s.registration.case.status == Status.TRAINING
    ]
    taken = sum(1 for s in seats if s.status != TrainingSeat.Status.ABSENT)
    started = session.starts_at <= now
    inviting = session.ends_at > now  # a session under way still takes a late candidate
    waiting = _candidate_rows(services.waiting_candidates(request.user, unit), unit, now) if inviting else []
    invite_form = invite_form or InviteForm()
    attendance_form = attendance_form or AttendanceForm()
    by_hand = backend_for(unit).by_hand
    # Where the accounts live in SPSE: the seats whose activation staff may confirm now.
    to_activate = {r.pk for r in services.awaiting_activation(request.user, unit)} if by_hand and started else set()
    return render(
        request,
        "web/console/training/session.html",
        {
            "unit": unit,
            "session": session,
            "when": span(session.starts_at, session.ends_at, zone),
            "starts": local(session.starts_at, zone),
            "recorded": local(session.attendance_recorded_at, zone),
            "started": started,
            "inviting": inviting,
            "seats": seats,
            "invited": invited,
            "open_ids": {s.pk for s in invited},
            "taken": taken,
            "left": max(session.capacity - taken, 0),
            "waiting": waiting,
            "invite_form": invite_form,
            "invite_ticked": invite_form.ticked(),
            "attendance_form": attendance_form,
            "present_ticked": attendance_form.ticked(),
            "csv_form": csv_form or AttendanceCsvForm(),
            "report": report,
            "by_hand": by_hand,
            "to_activate": to_activate,
        },
        status=status,
    )


@login_required
@require_GET
def session_page(request: HttpRequest, session_id: int) -> HttpResponse:
    return _render_session(request, _session_or_404(request, session_id))


@login_required
@require_POST
def invite(request: HttpRequest, session_id: int) -> HttpResponse:
    """Invite the ticked candidates in one go; the refused ones are named with the reason."""
    session = _session_or_404(request, session_id)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _render_session(request, session, invite_form=form, status=400)
    names = dict(
        Registration.objects.filter(pk__in=form.cleaned_data["registrations"], case__unit=session.unit).values_list(
            "pk", "candidate_name"
        )
    )
    try:
        result = services.invite(
            session_id=session.pk, registration_ids=form.cleaned_data["registrations"], actor=request.user
        )
    except CaseError as exc:
        messages.error(request, exc.message)
        return redirect("console:training_session", session_id=session.pk)
    if result.seats:
        messages.success(
            request,
            ngettext(
                "%(n)s calon diundang; undangan dan berkas kalender dikirim lewat e-mail.",
                "%(n)s calon diundang; undangan dan berkas kalender dikirim lewat e-mail.",
                len(result.seats),
            )
            % {"n": len(result.seats)},
        )
    for rid, why in result.refused.items():
        messages.warning(
            request, _("Tidak diundang: %(name)s. %(why)s") % {"name": names.get(rid, f"#{rid}"), "why": why}
        )
    return redirect("console:training_session", session_id=session.pk)


def _recorded_message(result: services.Recorded, *, by_hand: bool) -> str:
    counts = _("%(present)s hadir, %(absent)s tidak hadir") % {
        "present": len(result.present),
        "absent": len(result.absent),
    }
    if result.activated:
        n = len(result.activated)
        more = ngettext(
            "%(n)s akun diaktifkan dan informasi akun dikirim",
            "%(n)s akun diaktifkan dan informasi akun dikirim",
            n,
        ) % {"n": n}
        return f"{counts}; {more}."
    if by_hand and result.present:
        n = len(result.present)
        more = ngettext(
            "%(n)s akun menunggu diaktifkan di SPSE (lihat daftar di halaman pelatihan)",
            "%(n)s akun menunggu diaktifkan di SPSE (lihat daftar di halaman pelatihan)",
            n,
        ) % {"n": n}
        return f"{counts}; {more}."
    return f"{counts}."


@login_required
@require_POST
def attendance(request: HttpRequest, session_id: int) -> HttpResponse:
    """Record the whole session's attendance: the ticked came, every other invited one did not."""
    session = _session_or_404(request, session_id)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        return _render_session(request, session, attendance_form=form, status=400)
    try:
        result = services.record_attendance(
            session_id=session.pk, present_ids=form.cleaned_data["present"], actor=request.user
        )
    except CaseError as exc:
        messages.error(request, exc.message)
    else:
        if result.present or result.absent:
            messages.success(request, _recorded_message(result, by_hand=backend_for(session.unit).by_hand))
        else:
            messages.info(request, _("Tidak ada undangan yang belum dicatat kehadirannya."))
    return redirect("console:training_session", session_id=session.pk)


@login_required
@require_POST
def attendance_csv(request: HttpRequest, session_id: int) -> HttpResponse:
    """Read an attendance list: a report per row, and the attendance form ticked as the list
    says, to look at and submit. Nothing is recorded here."""
    session = _session_or_404(request, session_id)
    form = AttendanceCsvForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_session(request, session, csv_form=form, status=400)
    try:
        present, report = services.read_attendance_csv(session.pk, form.content(), request.user)
    except CaseError as exc:
        form.add_error("file", exc.message)
        return _render_session(request, session, csv_form=form, status=400)
    return _render_session(
        request,
        session,
        csv_form=AttendanceCsvForm(),
        attendance_form=AttendanceForm(initial={"present": present}),
        report=report,
    )


@sensitive_post_parameters("temporary_password")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def activation(request: HttpRequest, registration_id: int) -> HttpResponse:
    """Where the accounts live in SPSE: staff activate the trained candidate's account there, set
    the temporary password Loket offers (or the one SPSE gave), and confirm it here; Loket sends
    it by the one-time link and keeps no copy. Never cached: the page shows the password."""
    registration = (
        Registration.objects.select_related("case", "case__unit", "case__agency", "case__account")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None:
        raise Http404(_("Permohonan tidak ditemukan."))
    unit = registration.case.unit
    if not services.may_plan_training(request.user, unit) or not backend_for(unit).by_hand:
        raise Http404(_("Permohonan tidak ditemukan."))
    if registration.pk not in {r.pk for r in services.awaiting_activation(request.user, unit)}:
        raise Http404(_("Permohonan tidak ditemukan."))
    # One staff member at a time is offered a password for the case (as on the case page).
    claim = case_services.claim_password_step(case_id=registration.case_id, actor=request.user)
    if not claim.mine:
        return render(
            request,
            "web/console/training/activation.html",
            {
                "unit": unit,
                "r": registration,
                "agency": agency_name(registration),
                "trained": local(registration.trained_at, _zone(unit)),
                "claim": claim,
                "zone": _zone(unit),
            },
            status=409,
        )
    form = ActivationForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.confirm_activation(
                registration_id=registration.pk,
                actor=request.user,
                temporary_password=form.cleaned_data["temporary_password"],
                password_set_in_spse=form.cleaned_data["password_set_in_spse"],
            )
        except CaseError as exc:
            form.add_problems({k: v or exc.message for k, v in exc.problems.items()} or {"__all__": exc.message})
        else:
            messages.success(
                request,
                _(
                    "Aktivasi akun %(user_id)s tercatat. Informasi akun dan password sementara dikirim kepada "
                    "%(name)s melalui tautan sekali pakai."
                )
                % {
                    "user_id": registration.case.account.user_id if registration.case.account else "",
                    "name": registration.candidate_name,
                },
            )
            return redirect("console:training_unit", unit_kode=unit.kode)
    if request.method == "POST":
        status = 400
    # After a refused submit the password the staff member may already have set is offered again.
    offered = (request.POST.get("temporary_password", "") if request.method == "POST" else "") or (
        generate_temporary_password()
    )
    return render(
        request,
        "web/console/training/activation.html",
        {
            "unit": unit,
            "r": registration,
            "agency": agency_name(registration),
            "trained": local(registration.trained_at, _zone(unit)),
            "form": form,
            "offered_password": offered,
        },
        status=status,
    )
