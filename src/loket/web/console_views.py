"""The staff console: the work queue, the case page with its one-submit decision form, documents
shown inline, the sealed archive as PDF, and the outbox for administrators.

Thin: reads come from the case selectors, every change goes through `services.decide`.
"""

from __future__ import annotations

import zoneinfo
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from loket import engine
from loket.audit.services import log_action
from loket.cases import services
from loket.cases.archive import archive_pdf as render_archive_pdf
from loket.cases.errors import CaseError, NotFound
from loket.cases.models import ArchiveRecord, Case, Document
from loket.cases.retention import removed_notice
from loket.cases.selectors import answerable_steps, require_view
from loket.cases.validity import candidates, compare
from loket.catalog.selectors import parsed
from loket.counter.selectors import counter_visit
from loket.deviations.forms import late_reason
from loket.deviations.selectors import late_step
from loket.deviations.services import is_over
from loket.directory.backends import backend_for
from loket.directory.passwords import generate_temporary_password
from loket.notify.mail_files import SinkMail, read_folder
from loket.notify.models import OutboxMessage
from loket.sop.model import Sop
from loket.staff import rules

from .admin_zone import admin_zone
from .console_forms import RunStep, read_decision, run_steps, with_posted
from .file_responses import stored_file_response
from .queue_page import AFTER, BEFORE, queue_page
from .registration_panel import letter_step, line_values, registration_panel, with_training_wait


def _case_or_404(request: HttpRequest, case_id: int) -> Case:
    try:
        return require_view(request.user, case_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The cases waiting on me, oldest due first, in keyset pages (`queue_page`)."""
    page = queue_page(request.user, after=request.GET.get(AFTER) or None, before=request.GET.get(BEFORE) or None)
    return render(request, "web/console/queue.html", {"page": page, "roles": rules.roles_of(request.user)})


def _staff_run(request: HttpRequest, case: Case, sop: Sop) -> list[RunStep]:
    steps = [(step, engine.allowed_answers(step)) for step in answerable_steps(request.user, case, sop)]
    return run_steps(steps, assisted=backend_for(case.unit).by_hand)


@sensitive_post_parameters("temporary_password")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def case_page(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case with its documents and the directory record, and the staff member's steps on one
    form. Never cached: where staff set a password in SPSE by hand, the page shows it."""
    case = _case_or_404(request, case_id)
    sop = parsed(case.sop)
    run = _staff_run(request, case, sop)
    error = ""
    problem_fields: list[str] = []
    late = late_step(case)  # finishing the waiting step now would be late: ask why (loket.deviations)
    if request.method == "POST":
        if not run:
            messages.error(request, _("Permohonan ini tidak sedang menunggu Anda. Halaman dimuat ulang."))
            return redirect("console:case", case_id=case.pk)
        version, decision, error = read_decision(request.POST, run)
        if decision is not None:
            decision.values.update(late_reason(request.POST, late))
        if decision is not None and version is not None:
            try:
                decided = services.decide(case_id=case.pk, actor=request.user, version=version, decision=decision)
            except CaseError as exc:
                error = exc.message
                problem_fields = list(exc.problems)
            else:
                messages.success(
                    request,
                    _("Tersimpan: langkah %(steps)s.") % {"steps": ", ".join(str(no) for no in decided.applied)},
                )
                return redirect("console:case", case_id=case.pk)
        case = _case_or_404(request, case_id)
        run = with_posted(_staff_run(request, case, sop), request.POST, error=error, problems=problem_fields)
    zone = zoneinfo.ZoneInfo(case.unit.zona_waktu)
    documents = list(case.documents.order_by("-uploaded_at", "-id"))
    present = {doc.kode for doc in documents}
    # In the checklist's order, each under its SOP name, the newest of a document first.
    # The checklist is the requester's role's documents (Sop.berkas_for); a document of another
    # role handed in still shows under its own name.
    checklist = sop.berkas_for(case.requester_role)
    order = {b.kode: (i, b.nama) for i, b in enumerate(checklist)}
    order.update({b.kode: (len(checklist), b.nama) for b in sop.berkas if b.kode not in order})
    documents.sort(key=lambda d: order.get(d.kode, (len(order), d.kode))[0])
    shown: set[str] = set()
    readable = []
    for doc in documents:
        readable.append({"d": doc, "name": order.get(doc.kode, (0, doc.kode))[1], "first": doc.kode not in shown})
        shown.add(doc.kode)
    steps = []
    step_runs = list(case.steps.select_related("actor", "on_behalf_of").order_by("id"))
    handed_in = step_runs[0].detail if step_runs else {}
    originals = {k: True for k in handed_in.get("asli_diperlihatkan", [])} | {
        k: False for k in handed_in.get("asli_tidak_diperlihatkan", [])
    }
    for step_run in step_runs:
        over = is_over(step_run.working_minutes, step_run.standard_minutes)
        steps.append({"run": step_run, "uraian": sop.step(step_run.step).uraian, "over": over})
    panel = registration_panel(case, zone)
    steps = with_training_wait(steps, sop, panel)
    status = 400 if error else 200
    posted = request.POST if error else None
    run, claimed_by_other, offered_password = _password_offer(request, case, run, posted)
    return render(
        request,
        "web/console/case.html",
        {
            "case": case,
            "sop": sop,
            "zone": zone,
            "run": run,
            "error": error,
            "problem_fields": problem_fields,
            "claim": claimed_by_other,
            "posted": posted,
            "offered_password": offered_password,
            "berkas": [{"b": b, "present": b.kode in present, "original": originals.get(b.kode)} for b in checklist],
            "visit": counter_visit(case),
            "documents": readable,
            "steps": steps,
            "checks": compare(case, case.account, sop),
            "candidates": candidates(case) if case.account is None else [],
            "archive": ArchiveRecord.objects.filter(case=case).first(),
            "registration": panel,
            "letter_step": letter_step(case, run),
            "line_values": line_values(case, run, posted),
            "checked_items": [int(v) for v in posted.getlist("kelengkapan") if v.isdigit()] if posted else [],
            "kept": _kept_choices(run, posted),
            "late": late,
        },
        status=status,
    )


def _kept_choices(run: list[RunStep], posted: Any) -> dict[str, list[str]]:
    """After a refused submit, what the staff member ticked or chose in each documents or account
    field, by field name: the form shows these, not the case's own state, so nothing given is
    lost. Empty on a fresh page (the documents field then ticks the ones not handed in)."""
    if not posted:
        return {}
    kinds = {"documents", "account"}
    return {f.name: posted.getlist(f.name) for item in run for f in item.fields if f.kind in kinds}


def _password_offer(
    request: HttpRequest, case: Case, run: list[RunStep], posted: Any
) -> tuple[list[RunStep], services.PasswordClaim | None, str]:
    """Where the run sets a password in SPSE by hand: (the run, another staff member's claim if
    they hold the step now, the password to offer). One staff member at a time is offered one;
    the others get no form. Shown once per page; after a refused submit the one the staff member
    may already have set is offered again, not a new one."""
    if not any(f.kind == "password" for item in run for f in item.fields):
        return run, None, ""
    claim = services.claim_password_step(case_id=case.pk, actor=request.user)
    if not claim.mine:
        return [], claim, ""
    return run, None, (posted.get("temporary_password", "") if posted else "") or generate_temporary_password()


@login_required
@require_GET
def document(request: HttpRequest, case_id: int, doc_id: int) -> HttpResponse | FileResponse:
    case = _case_or_404(request, case_id)
    doc = Document.objects.filter(pk=doc_id, case=case).first()
    if doc is None:
        raise Http404(_("Berkas tidak ditemukan."))
    log_action("document.viewed", actor=request.user, case=case, document=doc.pk, kode=doc.kode)
    if doc.is_removed:  # its file went with the unit's retention period; the seal keeps its hash
        return HttpResponse(removed_notice(doc), status=410, content_type="text/plain; charset=utf-8")
    name = f"{doc.kode}.{doc.content_type.split('/')[-1]}"
    response = stored_file_response(doc.file, content_type=doc.content_type, filename=name)
    response["Content-Disposition"] = f'inline; filename="{name}"'
    # Uploaded content is shown, never run: no scripts, no sniffing, no third-party framing.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; object-src 'self'"
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Frame-Options"] = "SAMEORIGIN"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def archive_pdf(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    record = ArchiveRecord.objects.filter(case=case).first()
    if record is None:
        raise Http404(_("Berkas ini belum diarsipkan."))
    log_action("archive.printed", actor=request.user, case=case)
    response = HttpResponse(render_archive_pdf(record), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="arsip-{case.reference}.pdf"'
    return response


@never_cache
@login_required
@require_GET
def letter_preview(request: HttpRequest, case_id: int) -> HttpResponse:
    """The reply letter as it would go out now, for the staff member about to send it."""
    from loket.registration.effects import letter_preview as make_preview

    case = _case_or_404(request, case_id)
    if letter_step(case, _staff_run(request, case, parsed(case.sop))) is None:
        raise Http404(_("Tidak ada surat jawaban yang menunggu Anda untuk permohonan ini."))
    made = make_preview(case)
    if made is None:
        raise Http404(_("Permohonan ini tidak membuat surat jawaban."))
    response = HttpResponse(made[1], content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="pratinjau-surat-{case.reference}.pdf"'
    return response


@login_required
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    """For administrators: the outbox, and in the demo the mail the file sink received."""
    if not request.user.is_superuser:
        raise PermissionDenied
    page = Paginator(OutboxMessage.objects.select_related("case").order_by("-id"), 50).get_page(
        request.GET.get("halaman")
    )
    sink: list[dict[str, Any]] = []
    zone = admin_zone(request.user)
    if settings.DEBUG and settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
        sink = _sink_mails(read_folder(Path(settings.EMAIL_FILE_PATH)), zone)
    return render(request, "web/console/outbox.html", {"page": page, "sink": sink, "zone": zone})


def _sink_mails(mails: list[SinkMail], zone: zoneinfo.ZoneInfo) -> list[dict[str, Any]]:
    """Each mail of the sink with the zone its time is read in: the unit's of the case it was
    written for (found by its Message-ID in the outbox), else `zone`."""
    ids = [m.message_id for m in mails if m.message_id]
    found = OutboxMessage.objects.filter(message_id__in=ids, case__isnull=False)
    units = {
        message_id: zoneinfo.ZoneInfo(name)
        for message_id, name in found.values_list("message_id", "case__unit__zona_waktu")
    }
    return [{"m": m, "zone": units.get(m.message_id, zone)} for m in mails]
