"""The Standar Pelayanan pages: the index of every installed service, one service's standard as a
page (printable on A4 by its print stylesheet) and as a PDF. Public, no sign-in: a unit publishes
its standards (Permenpan RB 15/2014)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from loket.catalog import selectors
from loket.catalog.models import SopVersion
from loket.units.models import Unit

from .builder import standard_for
from .pdf import standard_pdf


def _version(request: HttpRequest, kode: str) -> SopVersion:
    raw = request.GET.get("versi")
    if raw is not None and not raw.isdigit():
        raise Http404("versi harus berupa angka")
    return selectors.get_version_or_404(kode, int(raw) if raw else None)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Every service's newest version, by unit; `?unit=KODE` shows one unit's."""
    versions = list(selectors.latest_versions())
    unit = None
    if request.GET.get("unit"):
        unit = Unit.objects.filter(kode=request.GET["unit"]).first()
        if unit is None:
            raise Http404("unit tidak dikenal")
        versions = [v for v in versions if v.unit_id == unit.pk]
    groups: dict[int, dict] = {}
    for version in versions:
        group = groups.setdefault(version.unit_id, {"unit": version.unit, "services": []})
        group["services"].append({"version": version, "sop": selectors.parsed(version)})
    return render(request, "service_standard/index.html", {"groups": list(groups.values()), "unit": unit})


@require_GET
def detail(request: HttpRequest, kode: str) -> HttpResponse:
    version = _version(request, kode)
    standard = standard_for(version)
    latest = selectors.get_version(kode)
    return render(
        request,
        "service_standard/detail.html",
        {
            "version": version,
            "standard": standard,
            "is_latest": latest.versi == version.versi,
            # Our own SVG (the catalogue's flowchart), its text escaped where it is drawn.
            "flowchart": mark_safe(standard.component("prosedur").flowchart),  # noqa: S308
        },
    )


@require_GET
def pdf(request: HttpRequest, kode: str) -> HttpResponse:
    version = _version(request, kode)
    response = HttpResponse(standard_pdf(standard_for(version)), content_type="application/pdf")
    filename = f"standar-pelayanan-{version.kode}-v{version.versi}.pdf"
    disposition = "attachment" if request.GET.get("unduh") is not None else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
