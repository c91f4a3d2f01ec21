"""The requester portal (no sign-in): the landing page, choosing a unit and its service, the
request form (a reset's or a registration's, by the SOP's `layanan`: `KINDS`; a registration's
also hands out the filled application form as PDF), the receipt, and the status page where a
requester follows their case, supplies missing documents or withdraws.

Thin: every change goes through `loket.cases.services` (a registration's through
`loket.registration.services`), what a requester is shown of a case comes from
`loket.cases.requester_view`, the double-submit guard is `portal_guard` and the limit on wrong
tracking codes `portal_rate_limit`. What the portal keeps in the browser's session
(server side, Django's database sessions), beside the guard's form tokens:

- the receipt of the last submit: the tracking code in clear only until the receipt shows it;
- the cases this browser opened with their tracking code (ids only, for CASE_MINUTES): the code
  itself is never kept, so supplying documents or withdrawing asks for it again.
"""

from __future__ import annotations

import hashlib
import hmac
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from loket.audit.services import log_action
from loket.cases import services
from loket.cases.actions import requester_text
from loket.cases.codes import tracking_digest
from loket.cases.errors import Conflict, Invalid, NotFound
from loket.cases.models import Case, Channel, Status
from loket.cases.offer import offered_version, offered_versions
from loket.cases.requester_view import expected_rest, requester_view
from loket.cases.selectors import case_by_tracking_code
from loket.catalog.models import SopVersion
from loket.catalog.selectors import parsed
from loket.directory.models import Agency
from loket.directory.nip import normalise_nip
from loket.registration.letters import RequestForm as FilledForm
from loket.registration.letters import request_form_pdf
from loket.registration.models import Registration
from loket.registration.services import GATE, registration_problems, submit_registration
from loket.sop.model import Sop
from loket.sop.paths import happy_path

from .portal_forms import RegistrationForm, RequestForm, SupplyForm, TrackingCodeForm, WithdrawForm, read_uploads
from .portal_guard import case_of_token, consume_form_token, hold_session, is_open_token, new_form_token
from .portal_rate_limit import RATE_MINUTES, record_wrong_code, render_limited, too_many_wrong_codes

SESSION_RECEIPT = "portal.receipt"  # {"case": id, "code": tracking code until shown, then None}
SESSION_CASES = "portal.cases"  # id of a case opened with its code -> when (epoch seconds)
# A browser forgets the cases it opened after this long: counters and internet cafés share
# computers, and the status page shows the requester's e-mail and phone.
CASE_MINUTES = 120

STATUS_WORDS = {
    Status.OPEN: gettext_lazy("Permohonan Anda sedang diproses petugas."),
    Status.WAITING: gettext_lazy("Petugas meminta Anda melengkapi berkas. Unggah berkas yang diminta di bawah ini."),
    Status.TRAINING: gettext_lazy(
        "Akun sudah dibuat dan diaktifkan setelah calon mengikuti pelatihan. Undangan pelatihan dikirim ke e-mail calon."
    ),
    Status.DONE: gettext_lazy("Permohonan selesai."),
    Status.REFUSED: gettext_lazy("Permohonan ditolak."),
    Status.WITHDRAWN: gettext_lazy("Permohonan dibatalkan atas permintaan Anda."),
    Status.EXPIRED: gettext_lazy("Permohonan ditutup karena berkas yang diminta tidak dilengkapi dalam batas waktu."),
}


# -- landing and choosing a service -------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/portal/home.html")


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """Units that offer the service, then the chosen unit's services (one per SOP, its newest
    version)."""
    versions = list(offered_versions())
    units = {v.unit.kode: v.unit for v in versions}
    chosen = request.GET.get("unit", "")
    unit = units.get(chosen)
    offered = [{"version": v, "sop": parsed(v)} for v in versions if unit is not None and v.unit.kode == unit.kode]
    return render(
        request,
        "web/portal/start.html",
        {
            "units": sorted(units.values(), key=lambda u: u.nama),
            "unit": unit,
            "unknown_unit": bool(chosen) and unit is None,
            "services": offered,
        },
    )


def _service_or_404(unit_kode: str, sop_kode: str) -> SopVersion:
    version = offered_version(sop_kode, unit_kode=unit_kode)
    if version is None:
        raise Http404(_("Layanan tidak ditemukan."))
    return version


# -- the request form -----------------------------------------------------------------------------

PortalRequestForm = RequestForm | RegistrationForm
FILLED_FORM = "unduh-formulir"  # the name of the button that asks for the filled form (it hands nothing in)


@dataclass(frozen=True)
class Kind:
    """How the portal takes a request of one kind of service (the SOP's `layanan`): its form, its
    template, and the service that hands it in."""

    form: type[RequestForm] | type[RegistrationForm]
    template: str
    submit: Callable[..., services.Submitted]


KINDS: dict[str, Kind] = {
    "reset-akun": Kind(RequestForm, "web/portal/form.html", services.submit_request),
    "registrasi-akun": Kind(RegistrationForm, "web/portal/registration_form.html", submit_registration),
}


@require_http_methods(["GET", "POST"])
def request_form(request: HttpRequest, unit_kode: str, sop_kode: str) -> HttpResponse:
    """The request form of a service, by its kind. A submit is handed in once: the form's one-time
    token (portal_guard) is checked and used under a lock on the session, so a double click or a
    replay gets the receipt of the first submit; a token the session does not know gets the form
    back with the typed values. A registration form's "filled form" button answers the PDF of what
    was typed (nothing is stored)."""
    version = _service_or_404(unit_kode, sop_kode)
    sop = parsed(version)
    kind = KINDS.get(sop.layanan)
    if kind is None:
        raise Http404(_("Layanan tidak ditemukan."))
    agencies = list(Agency.objects.filter(unit=version.unit).order_by("name"))

    def make(*args: Any, **kwargs: Any) -> PortalRequestForm:
        if kind.form is RequestForm:
            kwargs["roles"] = sop.peran_akun if sop.roles_differ else ()
        return kind.form(*args, berkas=sop.berkas, agencies=agencies, **kwargs)

    if request.method == "GET":
        form = make(initial={"form_token": new_form_token(request)})
        return _render_form(request, version, sop, form, fields_key=_fresh_fields_key(version, agencies))

    form = make(request.POST)
    if isinstance(form, RegistrationForm) and FILLED_FORM in request.POST:
        return _filled_form(request, version, sop, form)
    token = request.POST.get("form_token", "")
    with transaction.atomic():
        hold_session(request)
        made = case_of_token(request, token)
        if made is not None:
            _point_receipt_at(request, made)
            return redirect("portal:receipt")
        if not is_open_token(request, token):
            # The session lost the token (expired, or another browser): show the typed values
            # again on a fresh form rather than guess whether this request was already made.
            typed = {name: request.POST.get(name, "") for name in kind.form.TYPED}
            fresh = make(initial={**typed, "form_token": new_form_token(request)})
            error = _(
                "Formulir ini sudah tidak berlaku (terlalu lama terbuka atau sudah dikirim). "
                "Periksa isian, pilih kembali berkasnya, lalu kirim sekali lagi."
            )
            return _render_form(request, version, sop, fresh, error=error, status=400)
        files, too_large = read_uploads(request.FILES, sop.berkas)
        if form.is_valid():
            try:
                submitted = kind.submit(
                    sop_version=version, channel=Channel.WEB, actor=request.user, **form.submission(files)
                )
            except Invalid as exc:
                form.add_problems({**exc.problems, **too_large})
            else:
                consume_form_token(request, token, submitted.case)
                request.session[SESSION_RECEIPT] = {"case": submitted.case.pk, "code": submitted.tracking_code}
                _remember_case(request, submitted.case)
                # Saved before the session row is released, so a second submit waiting on the
                # lock sees this token used. Nothing changes it after this: SessionMiddleware need
                # not write the same row again.
                request.session.save()
                request.session.modified = False
                return redirect("portal:receipt")
        else:
            if isinstance(form, RegistrationForm):
                # Every other problem of what was typed, too, so that one more submit can succeed.
                form.add_problems(registration_problems(unit=version.unit, **form.typed()))
            form.add_problems(too_large)
    return _render_form(request, version, sop, form, status=400)


def _filled_form(request: HttpRequest, version: SopVersion, sop: Sop, form: RegistrationForm) -> HttpResponse:
    """The application form filled with what was typed, as a PDF to print, sign, scan and upload;
    or, while a typed field is missing or wrong, the form again with the problems beside the
    fields. Nothing is stored and the form's token stays unused."""
    unit = version.unit
    if form.is_valid():
        form.add_problems(registration_problems(unit=unit, **form.typed()))
    if not form.is_valid():
        return _render_form(
            request,
            version,
            sop,
            form,
            error=_("Formulir terisi belum dapat dibuat. Lengkapi atau perbaiki isian yang ditandai, lalu unduh lagi."),
            status=400,
        )
    head, candidate = form.head(), form.candidate()
    pdf = request_form_pdf(
        FilledForm(
            unit_name=unit.nama,
            agency_name=form.agency_name(),
            head_name=head.name.strip(),
            head_position=head.position.strip(),
            head_email=head.email.strip(),
            head_phone=head.phone.strip(),
            filed_by=head.filed_by.strip(),
            candidate_name=candidate.name.strip(),
            candidate_nip=normalise_nip(candidate.nip),
            candidate_email=candidate.email.strip(),
            candidate_phone=candidate.phone.strip(),
            candidate_position=candidate.position.strip(),
            sk_number=candidate.sk_number.strip(),
            sk_date=candidate.sk_date,
            date=timezone.localdate(timezone.now(), zoneinfo.ZoneInfo(unit.zona_waktu)),
        )
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="formulir-permohonan-{normalise_nip(candidate.nip)}.pdf"'
    add_never_cache_headers(response)  # it carries the typed personal data
    return response


def _fresh_fields_key(version: SopVersion, agencies: list[Agency]) -> str:
    """The cache key of a fresh form's fields (web/portal/_request_fields.html): they follow from
    the SOP version (its file by hash: a test database may give a number to another SOP), the
    unit's agencies, the language and the file limit, and nothing of the visitor (the form's token
    and the CSRF token are rendered outside them)."""
    listed = hashlib.sha256(repr([(a.pk, a.name) for a in agencies]).encode()).hexdigest()[:32]
    return f"{version.pk}:{version.sha256}:{listed}:{get_language()}:{settings.LOKET_UPLOAD_MAX_BYTES}"


def _render_form(
    request: HttpRequest,
    version: SopVersion,
    sop: Sop,
    form: PortalRequestForm,
    *,
    error: str = "",
    status: int = 200,
    fields_key: str = "",
) -> HttpResponse:
    return render(
        request,
        KINDS[sop.layanan].template,
        {
            "version": version,
            "sop": sop,
            "form": form,
            "error": error,
            "max_bytes": settings.LOKET_UPLOAD_MAX_BYTES,
            "filled_form": FILLED_FORM,
            # Only a fresh reset form (no typed values, no problems) renders its fields from the
            # cache; a registration form's template does not read this.
            "fields_key": fields_key if isinstance(form, RequestForm) and not form.is_bound else "",
        },
        status=status,
    )


def _point_receipt_at(request: HttpRequest, case_id: int) -> None:
    stored = request.session.get(SESSION_RECEIPT) or {}
    if stored.get("case") != case_id:
        request.session[SESSION_RECEIPT] = {"case": case_id, "code": None}


# -- the receipt ---------------------------------------------------------------------------------


@never_cache
@require_GET
def receipt(request: HttpRequest) -> HttpResponse:
    """The reference and, once, the tracking code of the request this browser just submitted."""
    stored = request.session.get(SESSION_RECEIPT) or {}
    case = Case.objects.select_related("unit", "sop").filter(pk=stored.get("case") or 0).first()
    if case is None:
        return render(request, "web/portal/receipt.html", {"case": None}, status=404)
    code = stored.get("code")
    if code:
        request.session[SESSION_RECEIPT] = {"case": case.pk, "code": None}
    sop = parsed(case.sop)
    happy = happy_path(sop)
    return render(
        request,
        "web/portal/receipt.html",
        {
            "case": case,
            "sop": sop,
            "code": code,
            # The step the case waits at now comes first, then the rest if all goes well.
            "next_steps": [
                requester_text(step)
                for step in ([sop.step(case.current_step)] if case.current_step else []) + expected_rest(case, sop)
            ],
            "minutes": happy.minutes if happy else None,
            "registration": Registration.objects.filter(case=case).first(),
            "trains": any(step.tunggu == GATE for step in sop.kegiatan),
            "status_address": request.build_absolute_uri(reverse("portal:status")),
        },
    )


# -- status: open a case with its tracking code ---------------------------------------------------


@require_http_methods(["GET", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    form = TrackingCodeForm(request.POST or None)
    if request.method == "POST":
        if too_many_wrong_codes(request):
            return render_limited(request, "web/portal/status.html", {"form": form})
        if form.is_valid():
            try:
                case = case_by_tracking_code(form.cleaned_data["code"])
            except NotFound as exc:
                record_wrong_code(request)
                form.add_error("code", exc.message)
            else:
                _remember_case(request, case)
                log_action("portal.case_opened", case=case)
                return redirect("portal:status_case", reference=case.reference)
        return render(request, "web/portal/status.html", {"form": form}, status=400)
    return render(request, "web/portal/status.html", {"form": form})


@never_cache
@require_GET
def status_case(request: HttpRequest, reference: str) -> HttpResponse:
    case = _opened_case(request, reference)
    if case is None:
        return _back_to_status_form(request)
    return _render_case(request, case)


@never_cache
@require_POST
def supply(request: HttpRequest, reference: str) -> HttpResponse:
    """The requester hands in the documents the staff asked for."""
    case = _opened_case(request, reference)
    if case is None:
        return _back_to_status_form(request)
    if case.status != Status.WAITING:
        messages.info(request, _("Permohonan ini tidak sedang menunggu berkas dari Anda."))
        return redirect("portal:status_case", reference=case.reference)
    sop = parsed(case.sop)
    asked = requester_view(case, sop).asked
    assert asked is not None  # the case waits on the requester
    form = SupplyForm(request.POST, berkas=asked.berkas)
    if too_many_wrong_codes(request):
        return _render_case(request, case, supply_form=form, limited=True, status=429)
    if form.is_valid():
        code = form.cleaned_data["code"]
        if not _code_opens(code, case):
            record_wrong_code(request)
            form.add_error("code", _("Kode pelacakan tidak cocok dengan permohonan ini."))
        else:
            files, too_large = read_uploads(request.FILES, asked.berkas)
            try:
                services.supply_documents(
                    tracking_code=code,
                    files=[(kode, name, content) for kode, (name, content) in files.items()],
                    note=form.cleaned_data["note"],
                    actor=request.user,
                )
            except Invalid as exc:
                form.add_problems({**exc.problems, **too_large})
            except Conflict as exc:
                messages.error(request, exc.message)
                return redirect("portal:status_case", reference=case.reference)
            else:
                messages.success(request, _("Berkas diterima. Petugas akan memeriksa kembali kelengkapan berkas Anda."))
                return redirect("portal:status_case", reference=case.reference)
    return _render_case(request, case, supply_form=form, status=400)


@never_cache
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    """Confirm, then withdraw an open request."""
    case = _opened_case(request, reference)
    if case is None:
        return _back_to_status_form(request)
    if case.is_closed:
        messages.info(request, _("Permohonan ini sudah ditutup dan tidak dapat dibatalkan."))
        return redirect("portal:status_case", reference=case.reference)
    form = WithdrawForm(request.POST or None)
    context = {"case": case, "sop": parsed(case.sop), "form": form}
    if request.method == "POST":
        if too_many_wrong_codes(request):
            return render_limited(request, "web/portal/withdraw.html", context)
        if form.is_valid():
            code = form.cleaned_data["code"]
            if not _code_opens(code, case):
                record_wrong_code(request)
                form.add_error("code", _("Kode pelacakan tidak cocok dengan permohonan ini."))
            else:
                try:
                    services.withdraw_request(tracking_code=code, reason=form.cleaned_data["reason"])
                except Conflict as exc:
                    messages.error(request, exc.message)
                else:
                    messages.success(
                        request,
                        _("Permohonan %(ref)s dibatalkan. Pemberitahuan dikirim ke e-mail Anda.")
                        % {"ref": case.reference},
                    )
                return redirect("portal:status_case", reference=case.reference)
        return render(request, "web/portal/withdraw.html", context, status=400)
    return render(request, "web/portal/withdraw.html", context)


def _back_to_status_form(request: HttpRequest) -> HttpResponse:
    # The same answer whether the reference exists or not: a reference is public, the case is not.
    messages.info(request, _("Ketik kode pelacakan untuk membuka permohonan ini."))
    return redirect("portal:status")


def _code_opens(code: str, case: Case) -> bool:
    return hmac.compare_digest(tracking_digest(code), case.tracking_digest)


def _remember_case(request: HttpRequest, case: Case) -> None:
    opened = _fresh_cases(request)
    opened[str(case.pk)] = int(timezone.now().timestamp())
    request.session[SESSION_CASES] = opened


def _fresh_cases(request: HttpRequest) -> dict[str, int]:
    oldest = timezone.now().timestamp() - CASE_MINUTES * 60
    return {k: at for k, at in (request.session.get(SESSION_CASES) or {}).items() if at >= oldest}


def _opened_case(request: HttpRequest, reference: str) -> Case | None:
    case = Case.objects.select_related("unit", "sop").filter(reference=reference).first()
    if case is None or str(case.pk) not in _fresh_cases(request):
        return None
    return case


# -- the status page -------------------------------------------------------------------------------


def _render_case(
    request: HttpRequest,
    case: Case,
    *,
    supply_form: SupplyForm | None = None,
    limited: bool = False,
    status: int = 200,
) -> HttpResponse:
    sop = parsed(case.sop)
    view = requester_view(case, sop)
    if view.asked is not None and supply_form is None:
        supply_form = SupplyForm(berkas=view.asked.berkas)
    return render(
        request,
        "web/portal/case.html",
        {
            "case": case,
            "sop": sop,
            "view": view,
            "words": STATUS_WORDS.get(Status(case.status), ""),
            "supply_form": supply_form,
            "registration": Registration.objects.filter(case=case).first(),
            "limited": limited,
            "rate_minutes": RATE_MINUTES,
        },
        status=status,
    )
