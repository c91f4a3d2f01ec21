"""The requester portal (no sign-in): the landing page, choosing a unit and its service, the
request form, the receipt, and the status page where a requester follows their case, supplies
missing documents or withdraws.

Thin: every change goes through `loket.cases.services`. What the portal keeps in the browser's
session (server side, Django's database sessions):

- the one-time tokens of the request forms it showed, and for each token used the case it made,
  so that a double submit makes one case and the second answer is the receipt of the first;
- the receipt of the last submit: the tracking code in clear only until the receipt shows it;
- the cases this browser opened with their tracking code (ids only, for CASE_MINUTES): the code
  itself is never kept, so supplying documents or withdrawing asks for it again.

Wrong tracking codes are counted in the audit trail (action WRONG_CODE, keyed by a keyed hash of
the session and of the client address, never the address itself) and limited per session and
per address over RATE_WINDOW. The database, not a cache, holds the count because many web
processes on many machines share it (architecture.md).
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
import zoneinfo
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from loket import engine
from loket.audit.models import AuditEntry
from loket.audit.services import log_action
from loket.cases import services
from loket.cases.codes import tracking_digest
from loket.cases.errors import Conflict, Invalid, NotFound
from loket.cases.models import Case, Channel, Status, StepRun
from loket.catalog.models import SopVersion
from loket.catalog.selectors import get_version, latest_versions, parsed
from loket.directory.models import Agency
from loket.sop.model import ACTIONS, Berkas, Kegiatan, Sop
from loket.sop.paths import happy_path

from .portal_forms import RequestForm, SupplyForm, TrackingCodeForm, WithdrawForm, read_uploads

SERVICE = "reset-akun"  # the only service the portal offers for now (registration comes later)

SESSION_TOKENS = "portal.form_tokens"  # one-time tokens of the request forms shown, oldest first
SESSION_SUBMITTED = "portal.submitted"  # digest of a used token -> id of the case it made
SESSION_RECEIPT = "portal.receipt"  # {"case": id, "code": tracking code until shown, then None}
SESSION_CASES = "portal.cases"  # id of a case opened with its code -> when (epoch seconds)
KEEP_TOKENS = 20  # forms open in other tabs stay usable; older tokens are forgotten

# A browser forgets the cases it opened after this long: counters and internet cafés share
# computers, and the status page shows the requester's e-mail and phone.
CASE_MINUTES = 120

WRONG_CODE = "portal.tracking_code_refused"
RATE_WINDOW = dt.timedelta(minutes=15)
RATE_PER_SESSION = 10
# Higher per address: a whole office often reaches the internet through one address.
RATE_PER_ADDRESS = 30

DB_SESSION_ENGINES = {"django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"}

STATUS_WORDS = {
    Status.OPEN: gettext_lazy("Permohonan Anda sedang diproses petugas."),
    Status.WAITING: gettext_lazy("Petugas meminta Anda melengkapi berkas. Unggah berkas yang diminta di bawah ini."),
    Status.DONE: gettext_lazy(
        "Permohonan selesai. Hasilnya dikirim ke alamat e-mail akun Anda di SPSE, atau ke alamat yang Anda "
        "tulis bila petugas sudah mengonfirmasinya melalui telepon."
    ),
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
    versions = list(latest_versions().filter(layanan=SERVICE))
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
    try:
        version = get_version(sop_kode)
    except SopVersion.DoesNotExist as exc:
        raise Http404(_("Layanan tidak ditemukan.")) from exc
    if version.unit.kode != unit_kode or version.layanan != SERVICE:
        raise Http404(_("Layanan tidak ditemukan."))
    return version


# -- the request form -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def request_form(request: HttpRequest, unit_kode: str, sop_kode: str) -> HttpResponse:
    version = _service_or_404(unit_kode, sop_kode)
    sop = parsed(version)
    agencies = list(Agency.objects.filter(unit=version.unit).order_by("name"))
    if request.method == "GET":
        form = RequestForm(initial={"form_token": _new_form_token(request)}, berkas=sop.berkas, agencies=agencies)
        return _render_form(request, version, sop, form)

    form = RequestForm(request.POST, berkas=sop.berkas, agencies=agencies)
    token = request.POST.get("form_token", "")
    with transaction.atomic():
        _hold_session(request)
        made = _case_of_token(request, token)
        if made is not None:
            _point_receipt_at(request, made)
            return redirect("portal:receipt")
        if token not in request.session.get(SESSION_TOKENS, []):
            # The session lost the token (expired, or another browser): show the typed values
            # again on a fresh form rather than guess whether this request was already made.
            typed = {name: request.POST.get(name, "") for name in (*RequestForm.IDENTITY, "agency", "need")}
            fresh = RequestForm(
                initial={**typed, "form_token": _new_form_token(request)}, berkas=sop.berkas, agencies=agencies
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
                _consume_form_token(request, token, submitted.case)
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


def _new_form_token(request: HttpRequest) -> str:
    token = secrets.token_urlsafe(24)
    request.session[SESSION_TOKENS] = [*request.session.get(SESSION_TOKENS, [])[-(KEEP_TOKENS - 1) :], token]
    return token


def _token_digest(token: str) -> str:
    return salted_hmac("loket.portal.form-token", token).hexdigest()


def _case_of_token(request: HttpRequest, token: str) -> int | None:
    if not token:
        return None
    made = request.session.get(SESSION_SUBMITTED, {}).get(_token_digest(token))
    return int(made) if made is not None else None


def _consume_form_token(request: HttpRequest, token: str, case: Case) -> None:
    request.session[SESSION_TOKENS] = [t for t in request.session.get(SESSION_TOKENS, []) if t != token]
    submitted = dict(list(request.session.get(SESSION_SUBMITTED, {}).items())[-(KEEP_TOKENS - 1) :])
    submitted[_token_digest(token)] = case.pk
    request.session[SESSION_SUBMITTED] = submitted


def _hold_session(request: HttpRequest) -> None:
    """Lock this browser's session row until the transaction ends, then read the session again.

    A double click sends the same form twice at once; without the lock both requests would read
    the token as unused and make two cases. With it the second waits, then finds the token used.
    Only sessions kept in the database (Django's default) can be locked this way."""
    key = request.session.session_key
    if key is None or settings.SESSION_ENGINE not in DB_SESSION_ENGINES:
        return
    list(Session.objects.select_for_update().filter(session_key=key).values_list("session_key", flat=True))
    request.session = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)


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
            "next_steps": ([sop.step(case.current_step)] if case.current_step else []) + _expected_rest(case, sop),
            "minutes": happy.minutes if happy else None,
        },
    )


# -- status: open a case with its tracking code ---------------------------------------------------


@require_http_methods(["GET", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    form = TrackingCodeForm(request.POST or None)
    if request.method == "POST":
        if _too_many_wrong_codes(request):
            return _render_limited(request, "web/portal/status.html", {"form": form})
        if form.is_valid():
            try:
                case = services.case_by_tracking_code(form.cleaned_data["code"])
            except NotFound as exc:
                _record_wrong_code(request)
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
    asked = _asked_documents(case, sop, _runs(case))
    form = SupplyForm(request.POST, berkas=asked.berkas)
    if _too_many_wrong_codes(request):
        return _render_case(request, case, supply_form=form, limited=True, status=429)
    if form.is_valid():
        code = form.cleaned_data["code"]
        if not _code_opens(code, case):
            _record_wrong_code(request)
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
        if _too_many_wrong_codes(request):
            return _render_limited(request, "web/portal/withdraw.html", context)
        if form.is_valid():
            code = form.cleaned_data["code"]
            if not _code_opens(code, case):
                _record_wrong_code(request)
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


@dataclass(frozen=True)
class Progress:
    """One step of the case as the requester sees it: no staff names, notes only those meant for
    the requester."""

    uraian: str
    state: str  # done | current | waiting-you | stopped | pending
    at: dt.datetime | None = None
    answer: str = ""
    note: str = ""


@dataclass(frozen=True)
class Asked:
    """What the last completeness check asked the requester for."""

    berkas: list[Berkas]  # the SOP's Berkas to hand in
    named: bool  # False when staff named none (only a note): every document may be handed in
    note: str
    deadline: dt.datetime | None


def _render_case(
    request: HttpRequest,
    case: Case,
    *,
    supply_form: SupplyForm | None = None,
    limited: bool = False,
    status: int = 200,
) -> HttpResponse:
    sop = parsed(case.sop)
    runs = _runs(case)
    asked = _asked_documents(case, sop, runs) if case.status == Status.WAITING else None
    if asked is not None and supply_form is None:
        supply_form = SupplyForm(berkas=asked.berkas)
    names = {b.kode: b.nama for b in sop.berkas}
    documents = [
        {"name": names.get(doc.kode, doc.kode), "file": doc.original_name, "at": doc.uploaded_at}
        for doc in case.documents.order_by("uploaded_at", "id")
    ]
    return render(
        request,
        "web/portal/case.html",
        {
            "case": case,
            "sop": sop,
            "words": STATUS_WORDS.get(Status(case.status), ""),
            "progress": _progress(case, sop, runs),
            "asked": asked,
            "supply_form": supply_form,
            "documents": documents,
            "limited": limited,
            "rate_minutes": int(RATE_WINDOW.total_seconds() // 60),
        },
        status=status,
    )


def _progress(case: Case, sop: Sop, runs: list[StepRun]) -> list[Progress]:
    items: list[Progress] = []
    for index, run in enumerate(runs):
        step = sop.step(run.step)
        following = runs[index + 1] if index + 1 < len(runs) else None
        if run.finished_at is None:
            state = "waiting-you" if run.by == StepRun.By.REQUESTER else "current"
        elif run.answer in ("dibatalkan", "kedaluwarsa"):
            state = "stopped"
        else:
            state = "done"
        items.append(
            Progress(
                uraian=step.uraian,
                state=state,
                at=run.finished_at,
                answer=run.answer if step.keputusan is not None and run.by == StepRun.By.STAFF else "",
                note=_note_for_requester(run, following),
            )
        )
    items.extend(Progress(uraian=step.uraian, state="pending") for step in _expected_rest(case, sop))
    return items


def _note_for_requester(run: StepRun, following: StepRun | None) -> str:
    """Staff notes stay inside, except the one that asks for documents or gives the reason of a
    refusal; the requester's own notes are theirs to see."""
    if not run.note or run.finished_at is None:
        return ""
    if run.by == StepRun.By.REQUESTER:
        return run.note
    asks_or_refuses = following is not None and (
        following.aksi == "minta-kelengkapan" or ACTIONS[following.aksi].outcome == "ditolak"
    )
    if run.by == StepRun.By.STAFF and run.answer == "tidak" and asks_or_refuses:
        return run.note
    return ""


def _expected_rest(case: Case, sop: Sop) -> list[Kegiatan]:
    """The steps still ahead of an open case if every check goes well, in order."""
    if case.is_closed or case.current_step is None:
        return []
    facts = engine.Facts(channel=case.channel)
    rest: list[Kegiatan] = []
    step = sop.step(case.current_step)
    seen = {step.no}
    for _round in range(len(sop.kegiatan)):
        by = engine.by_of(step)
        answer = engine.allowed_answers(step)[0] if by == "staf" else None
        advance = engine.advance(sop, step.no, answer, facts, by=by)
        rest.extend(move.step for move in advance.moves[1:])
        if advance.waiting is None or advance.waiting.no in seen:
            break
        rest.append(advance.waiting)
        seen.add(advance.waiting.no)
        step = advance.waiting
    return rest


def _runs(case: Case) -> list[StepRun]:
    return list(case.steps.order_by("id"))


def _asked_documents(case: Case, sop: Sop, runs: list[StepRun]) -> Asked:
    """`runs`: the case's steps in order (`_runs`)."""
    latest_first = runs[::-1]
    check = next((r for r in latest_first if r.aksi == "periksa-kelengkapan" and r.finished_at is not None), None)
    missing = set(check.detail.get("kurang", [])) if check else set()
    named = [b for b in sop.berkas if b.kode in missing]
    waiting = next((r for r in latest_first if r.finished_at is None and r.by == StepRun.By.REQUESTER), None)
    deadline = None
    if waiting is not None:
        deadline = timezone.localtime(
            waiting.started_at + dt.timedelta(days=settings.LOKET_REQUESTER_WAIT_DAYS),
            zoneinfo.ZoneInfo(case.unit.zona_waktu),
        )
    return Asked(
        berkas=named or list(sop.berkas),
        named=bool(named),
        note=check.note if check else "",
        deadline=deadline,
    )


# -- wrong tracking codes ------------------------------------------------------------------------


def _client_keys(request: HttpRequest) -> dict[str, str]:
    """Keyed hashes of the session and of the client address: enough to count, not to trace."""
    if request.session.session_key is None:
        request.session.create()
    return {
        "sesi": salted_hmac("loket.portal.session", request.session.session_key or "").hexdigest()[:24],
        "alamat": salted_hmac("loket.portal.address", _client_address(request)).hexdigest()[:24],
    }


def _client_address(request: HttpRequest) -> str:
    """The client's address. Behind the reverse proxy production runs (settings trust its
    X-Forwarded-Proto), the last X-Forwarded-For entry is the one the proxy saw; earlier ones
    are whatever the client sent."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.SECURE_PROXY_SSL_HEADER and forwarded:
        return forwarded.split(",")[-1].strip()
    return str(request.META.get("REMOTE_ADDR", ""))


def _record_wrong_code(request: HttpRequest) -> None:
    log_action(WRONG_CODE, **_client_keys(request))


def _too_many_wrong_codes(request: HttpRequest) -> bool:
    keys = _client_keys(request)
    recent = AuditEntry.objects.filter(action=WRONG_CODE, at__gte=timezone.now() - RATE_WINDOW)
    return (
        recent.filter(detail__sesi=keys["sesi"]).count() >= RATE_PER_SESSION
        or recent.filter(detail__alamat=keys["alamat"]).count() >= RATE_PER_ADDRESS
    )


def _render_limited(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    context = {**context, "limited": True, "rate_minutes": int(RATE_WINDOW.total_seconds() // 60)}
    return render(request, template, context, status=429)
