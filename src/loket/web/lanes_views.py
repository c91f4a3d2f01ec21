"""The console's lanes page, for administrators: per unit, each staff lane of its installed SOPs
(agency-scoped or not) with who holds it, and the open cases waiting at a lane nobody holds.

Superusers only. It lists references, steps and lanes, not the cases' contents: a superuser has
no case access by being one (loket.staff.rules), and this page does not give it.
"""

from __future__ import annotations

import zoneinfo

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from loket.catalog.selectors import parsed
from loket.staff.lanes import lanes_report


@login_required
@require_GET
def lanes(request: HttpRequest) -> HttpResponse:
    if not request.user.is_superuser:
        raise PermissionDenied
    units = []
    for item in lanes_report():
        zone = zoneinfo.ZoneInfo(item.unit.zona_waktu)
        waiting = []
        for case in item.waiting:
            sop = parsed(case.sop)
            step = next((k for k in sop.kegiatan if k.no == case.current_step), None)
            since = getattr(case, "waiting_since", None)
            waiting.append(
                {
                    "case": case,
                    "step": step,
                    # in the unit's local time, shown with its zone (the template keeps it so)
                    "since": timezone.localtime(since, zone) if since else None,
                }
            )
        units.append({"unit": item.unit, "lanes": item.lanes, "waiting": waiting})
    return render(request, "web/console/lanes.html", {"units": units})
