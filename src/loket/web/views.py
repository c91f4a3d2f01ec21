"""The SOP catalogue: one page listing every SOP, one page per SOP with its downloads."""

from __future__ import annotations

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from loket.catalog import selectors
from loket.catalog.models import SopVersion
from loket.sop.paths import all_paths, happy_path
from loket.sop.render import FORMATS
from loket.sop.render import render as render_sop

DOWNLOADS = [
    ("pdf", _("Dokumen resmi (PDF)")),
    ("html", _("Dokumen resmi (HTML)")),
    ("svg", _("Diagram alir (SVG)")),
    ("bpmn", "BPMN 2.0"),
    ("mermaid", "Mermaid"),
]


@require_GET
def sop_list(request: HttpRequest) -> HttpResponse:
    rows = []
    for version in selectors.latest_versions():
        sop = selectors.parsed(version)
        rows.append({"version": version, "sop": sop, "happy": happy_path(sop)})
    return render(request, "web/sop_list.html", {"rows": rows})


@require_GET
def sop_detail(request: HttpRequest, kode: str, versi: int | None = None) -> HttpResponse:
    version = selectors.get_version_or_404(kode, versi)
    sop = selectors.parsed(version)
    context = {
        "version": version,
        "sop": sop,
        "paths": all_paths(sop),
        "happy": happy_path(sop),
        "flowchart": mark_safe(_rendered(version, "svg").decode("utf-8")),  # noqa: S308 - our own SVG, text escaped
        "downloads": DOWNLOADS,
        "history": SopVersion.objects.filter(kode=kode).order_by("-versi"),
    }
    return render(request, "web/sop_detail.html", context)


@require_GET
def sop_download(request: HttpRequest, kode: str, versi: int, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("format tidak dikenal")
    version = selectors.get_version_or_404(kode, versi)
    media_type, extension = FORMATS[fmt]
    response = HttpResponse(_rendered(version, fmt), content_type=media_type)
    filename = f"{version.kode}-v{version.versi}.{extension}"
    inline = fmt in ("pdf", "svg", "html") and request.GET.get("unduh") is None
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    if fmt in ("html", "svg"):
        # A self-contained document (its styles and embedded font are inside it): no script, no
        # fetch, only its own inline styles and data: fonts and images.
        response["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; font-src data:; img-src data:"
        )
    return response


def _rendered(version: SopVersion, fmt: str) -> bytes:
    """A rendering, cached by content hash: an installed version never changes."""
    logo = version.unit.logo or None
    # The unit's logo (its file) is part of the document: another logo, another rendering.
    key = f"sop-render:{version.sha256}:{fmt}:{logo or ''}"
    data = cache.get(key)
    if data is None:
        data = render_sop(selectors.parsed(version), fmt, unit_name=version.unit.nama, logo=logo)
        cache.set(key, data, timeout=None)
    return data
