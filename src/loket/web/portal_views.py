"""The requester portal (no sign-in): the landing page, choosing a unit and its service, the
request form, the receipt, and the status page where a requester follows their case, supplies
missing documents or withdraws.

Thin: every change goes through `loket.cases.services`, what a requester is shown of a case
comes from `loket.cases.requester_view`, the double-submit guard is `portal_guard` and the limit
on wrong tracking codes `portal_rate_limit`. What the portal keeps in the browser's session
(server side, Django's database sessions), beside the guard's form tokens:

- the receipt of the last submit: the tracking code in clear only until the receipt shows it;
- the cases this browser opened with their tracking code (ids only, for CASE_MINUTES): the code
  itself is never kept, so supplying documents or withdrawing asks for it again.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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
from loket.sop.model import Sop
from loket.sop.paths import happy_path

from .portal_forms import RequestForm, SupplyForm, TrackingCodeForm, WithdrawForm, read_uploads
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


@require_http_methods(["GET", "POST"])
def request_form(request: HttpRequest, unit_kode: str, sop_kode: str) -> HttpResponse:
    version = _service_or_404(unit_kode, sop_kode)
    sop = parsed(version)
    agencies = list(Agency.objects.filter(unit=version.unit).order_by("name"))
    if request.method == "GET":
        form = RequestForm(initial={"form_token": new_form_token(request)}, berkas=sop.berkas, agencies=agencies)
        return _render_form(request, version, sop, form)

    form = RequestForm(request.POST, berkas=sop.berkas, agencies=agencies)
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
            typed = {name: request.POST.get(name, "") for name in (*RequestForm.IDENTITY, "agency", "need")}
            fresh = RequestForm(
                initial={**typed, "form_token": new_form_token(request)}, berkas=sop.berkas, agencies=agencies
            )
            error = _(
                "Formulir ini sudah tidak berlaku (terlalu lama terbuka atau sudah dikirim). "
                "Periksa isian, pilih kembali berkasnya, lalu kirim sekali lagi."
            )
            return _render_form(request, version, sop, fresh, error=error, status=400)
        files, too_large = read_uploads(request.FILES, sop.berkas)
        if form.is_valid():
            try:
                submitted = services.submit_request(
                    sop_version=version, channel=Channel.WEB, actor=request.user, **form.submission(files)
                )
            except Invalid as exc:
                form.add_problems({**exc.problems, **too_large})
            else:
                consume_form_token(request, token, submitted.case)
                request.session[SESSION_RECEIPT] = {"case": submitted.case.pk, "code": submitted.tracking_code}
                _remember_case(request, submitted.case)
                # Saved before the session row is released, so a second submit waiting on the
                # lock sees this token used.
                request.session.save()
                return redirect("portal:receipt")
        else:
            form.add_problems(too_large)
    return _render_form(request, version, sop, form, status=400)


def _render_form(
    request: HttpRequest,
    version: SopVersion,
    sop: Sop,
    form: RequestForm,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "web/portal/form.html",
        {
            "version": version,
            "sop": sop,
            "form": form,
            "error": error,
            "max_bytes": settings.LOKET_UPLOAD_MAX_BYTES,
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
            "limited": limited,
            "rate_minutes": RATE_MINUTES,
        },
        status=status,
    )
