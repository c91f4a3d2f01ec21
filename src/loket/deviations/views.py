"""The console's deviation pages: "Penyimpangan saya" (the executor's own, to answer),
"Penyimpangan" (those a supervisor reviews: accept or return with a note), one deviation with
its history, and the two POSTs.

Thin: the filters are the mutu baku report's (`forms.DeviationFilterForm`), the rows come from
`selectors.deviation_list`, every change goes through `services`. A refused answer or review
(changed meanwhile, a note missing) shows the deviation again with the text typed still in its
box, so nothing is lost.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from loket.cases.errors import CaseError
from loket.catalog.selectors import parsed
from loket.reports.mutu_baku import units_in_scope

from . import selectors, services
from .forms import DeviationFilterForm
from .models import ANSWERABLE, REVIEWABLE, Deviation, Kind

PAGE_SIZE = 50


def _rows(user: Any, deviations: list[Deviation]) -> list[dict[str, Any]]:
    """What each row shows beside the deviation: its step's sentence, the missing documents'
    names, and which form (if any) the user gets."""
    out = []
    for d in deviations:
        sop = parsed(d.case.sop)
        try:
            uraian = sop.step(d.step_run.step).uraian
        except KeyError:
            uraian = ""
        names = {b.kode: b.nama for b in sop.berkas}
        out.append(
            {
                "d": d,
                "uraian": uraian,
                "berkas": [names.get(k, k) for k in d.detail.get("berkas", [])],
                "answers": d.executor_id == user.pk and d.status in ANSWERABLE,
                "reviews": d.status in REVIEWABLE and d.executor_id != user.pk and selectors.can_review(user, d),
            }
        )
    return out


def _list(request: HttpRequest, *, mine: bool) -> HttpResponse:
    units = units_in_scope(request.user)
    if not units or (not mine and not selectors.may_review(request.user)):
        raise PermissionDenied
    form = DeviationFilterForm(request.GET or None, units=units, mine=mine)
    found = selectors.deviation_list(
        request.user, form.spec(), mine=mine, status=form.chosen_status(), kind=form.chosen_kind()
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("halaman"))
    query = request.GET.copy()
    query.pop("halaman", None)
    return render(
        request,
        "deviations/list.html",
        {
            "mine": mine,
            "form": form,
            "page": page,
            "rows": _rows(request.user, list(page)),
            "query": query.urlencode(),
            "filtered": bool(request.GET),
            "here": request.get_full_path(),
            "reviews": selectors.may_review(request.user),
            "kinds": Kind,
        },
    )


@login_required
@require_GET
def my_list(request: HttpRequest) -> HttpResponse:
    return _list(request, mine=True)


@login_required
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    return _list(request, mine=False)


def _visible(request: HttpRequest, deviation_id: int) -> Deviation:
    deviation = (
        Deviation.objects.select_related(
            "case", "case__unit", "case__sop", "case__agency", "step_run", "executor", "reviewer"
        )
        .filter(pk=deviation_id)
        .first()
    )
    if deviation is None or not selectors.can_see(request.user, deviation):
        raise Http404(_("Penyimpangan tidak ditemukan."))
    return deviation


def _detail(request: HttpRequest, deviation: Deviation, *, error: str = "", status: int = 200) -> HttpResponse:
    row = _rows(request.user, [deviation])[0]
    events = list(deviation.events.select_related("actor").order_by("at", "id"))
    return render(
        request,
        "deviations/detail.html",
        {
            "row": row,
            "d": deviation,
            "events": events,
            "error": error,
            "posted": request.POST if error else None,
            "back": _next(request),
            "kinds": Kind,
        },
        status=status,
    )


@login_required
@require_GET
def detail(request: HttpRequest, deviation_id: int) -> HttpResponse:
    return _detail(request, _visible(request, deviation_id))


def _next(request: HttpRequest) -> str:
    """Where to go back to: the list the form was on (same site only), else the user's list."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


@login_required
@require_POST
def answer(request: HttpRequest, deviation_id: int) -> HttpResponse:
    deviation = _visible(request, deviation_id)
    version = _version(request)
    if version is None:
        return _detail(request, deviation, error=_("Formulir tidak lengkap. Muat ulang halaman."), status=400)
    try:
        services.answer_deviation(
            deviation_id=deviation.pk, actor=request.user, version=version, reason=request.POST.get("alasan", "")
        )
    except CaseError as exc:
        return _detail(request, _visible(request, deviation_id), error=exc.message, status=exc.status)
    messages.success(request, _("Alasan tersimpan; penyimpangan menunggu tinjauan pengawas."))
    return redirect(_next(request) or "console:my_deviations")


@login_required
@require_POST
def review(request: HttpRequest, deviation_id: int) -> HttpResponse:
    deviation = _visible(request, deviation_id)
    version = _version(request)
    decision = request.POST.get("keputusan", "")
    if version is None or decision not in ("terima", "kembalikan"):
        return _detail(request, deviation, error=_("Formulir tidak lengkap. Muat ulang halaman."), status=400)
    try:
        services.review_deviation(
            deviation_id=deviation.pk,
            actor=request.user,
            version=version,
            accept=decision == "terima",
            note=request.POST.get("catatan", ""),
        )
    except CaseError as exc:
        return _detail(request, _visible(request, deviation_id), error=exc.message, status=exc.status)
    messages.success(
        request,
        _("Jawaban diterima.") if decision == "terima" else _("Jawaban dikembalikan kepada pelaksana."),
    )
    return redirect(_next(request) or "console:deviations")
