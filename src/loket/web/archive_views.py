"""The console's "Periksa segel arsip" page: the verdict of `loket.cases.archive_verify` on a
case's sealed record, for staff who can view the case (others get 404, as on the case page).

Thin: the check is `verify_archive`, the same one `loket archive verify` calls.
"""

from __future__ import annotations

import zoneinfo

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from loket.cases.archive_verify import verify_archive
from loket.cases.errors import NotFound
from loket.cases.selectors import require_view
from loket.units.services import zone_label


@never_cache
@login_required
@require_GET
def archive_verify(request: HttpRequest, case_id: int) -> HttpResponse:
    try:
        case = require_view(request.user, case_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    verdict = verify_archive(case=case, actor=request.user)
    zone = zoneinfo.ZoneInfo(case.unit.zona_waktu)
    return render(
        request,
        "web/console/archive_verify.html",
        {"case": case, "verdict": verdict, "zone": zone, "zone_label": zone_label(zone)},
    )
