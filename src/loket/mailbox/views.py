"""The console's mailbox screen of a unit: the mail waiting for a person, the e-mail cases waiting on
their requester, the failed mail, the last mail handled; and the actions on them (choose a service,
mark reviewed, check now), each a POST that calls one function of loket.mailbox.review and
redirects back with a message.

Scope: a unit's page answers 404 unless the unit has a mailbox and the user holds a lane that opens
its mail, or is a superuser (loket.mailbox.lanes).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from loket.cases.models import Need
from loket.units.models import Unit

from . import review, selectors
from .lanes import may_see, units_of
from .models import InboundMail, Mailbox


def _mailbox(request: HttpRequest, unit_kode: str) -> Mailbox:
    mailbox = Mailbox.objects.select_related("unit").filter(unit__kode=unit_kode).first()
    if mailbox is None or not may_see(request.user, mailbox.unit):
        raise Http404(_("Halaman ini bukan untuk peran Anda di unit ini."))
    return mailbox


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    units = units_of(request.user)
    if not units:
        raise Http404(_("Anda tidak membuka e-mail di unit mana pun."))
    if len(units) == 1:
        return redirect("console:mailbox", unit_kode=units[0].kode)
    rows = [{"unit": unit, "counts": selectors.counts(unit.mailbox, request.user)} for unit in units]
    return render(request, "mailbox/index.html", {"rows": rows})


@never_cache
@login_required
@require_GET
def mailbox_page(request: HttpRequest, unit_kode: str) -> HttpResponse:
    mailbox = _mailbox(request, unit_kode)
    unit: Unit = mailbox.unit
    open_mails = list(selectors.needs_action(mailbox))
    recent = list(selectors.recent(mailbox))
    for row in open_mails + recent:
        row.shown_case = selectors.shown_case(request.user, row)  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "unit": unit,
        "mailbox": mailbox,
        "open_mails": open_mails,
        "waiting": list(selectors.waiting_cases(unit, request.user)),
        "failed": list(selectors.failed(mailbox)),
        "recent": recent,
        "services": review.service_choices(unit),
        "needs": [(n.value, n.label) for n in review.NEEDS],
        "note_max": review.NOTE_MAX,
        "NEEDS_SERVICE": InboundMail.Status.NEEDS_SERVICE,
        "default_need": Need.PASSWORD.value,
    }
    return render(request, "mailbox/mailbox.html", context)


def _int(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


@login_required
@require_POST
def choose_service(request: HttpRequest, unit_kode: str, mail_id: int) -> HttpResponse:
    mailbox = _mailbox(request, unit_kode)
    try:
        row = review.choose_service(
            mailbox=mailbox,
            mail_id=mail_id,
            version_id=_int(request.POST.get("layanan")) or 0,
            need=request.POST.get("kebutuhan", ""),
            actor=request.user,
        )
    except review.ReviewError as exc:
        messages.error(request, exc.message)
    else:
        if row.status == InboundMail.Status.REQUEST and row.case is not None:
            messages.success(
                request,
                _("E-mail dari %(sender)s menjadi permohonan %(ref)s.")
                % {"sender": row.from_address, "ref": row.case.reference},
            )
        elif row.status == InboundMail.Status.ANSWERED:
            messages.warning(
                request,
                _(
                    "E-mail dari %(sender)s belum dapat menjadi permohonan (%(reason)s); pemohon dijawab dengan berkas yang perlu dikirim."
                )
                % {"sender": row.from_address, "reason": row.reason},
            )
        else:
            messages.warning(
                request,
                _("E-mail dari %(sender)s: %(status)s. %(reason)s")
                % {"sender": row.from_address, "status": row.get_status_display(), "reason": row.reason},
            )
    return redirect("console:mailbox", unit_kode=mailbox.unit.kode)


@login_required
@require_POST
def mark_reviewed(request: HttpRequest, unit_kode: str, mail_id: int) -> HttpResponse:
    mailbox = _mailbox(request, unit_kode)
    try:
        row = review.mark_reviewed(
            mailbox=mailbox, mail_id=mail_id, note=request.POST.get("catatan", ""), actor=request.user
        )
    except review.ReviewError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("E-mail dari %(sender)s ditandai sudah ditinjau.") % {"sender": row.from_address})
    return redirect("console:mailbox", unit_kode=mailbox.unit.kode)


@login_required
@require_POST
def check_now(request: HttpRequest, unit_kode: str) -> HttpResponse:
    mailbox = _mailbox(request, unit_kode)
    result = review.check_now(mailbox=mailbox, actor=request.user)
    (messages.error if result.error or result.failed else messages.success)(request, result.summary())
    return redirect("console:mailbox", unit_kode=mailbox.unit.kode)
