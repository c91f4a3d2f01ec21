"""The console's mutu baku report (`/konsol/laporan/mutu-baku/`), its CSVs (`?format=csv`), its
charts, and its exports through the worker (XLSX, the monthly PDF).

Thin: the GET form reads the filters into a `ReportFilter`, `loket.reports.mutu_baku` computes
the rows, and `tables` turns them into the three tables the page, the CSVs (one file per table,
`&tabel=langkah|permohonan|tunggu`), the XLSX and the PDF all show, so they cannot differ (the
page writes decimals with a comma, the CSV with a point). Under the tables, the five charts
(`figures`). "Unduh XLSX" and "Unduh PDF" post the filters to `export_new`, which queues an
`ExportJob` and sends the reader to its page (`export_job`), which follows its progress
(`export_status`, polled by static/reports/export-job.js) and offers the file when it is done
(`export_file`, to the user who asked only). Staff with a unit see their scope; a superuser every
unit; anyone else is refused.
"""

from __future__ import annotations

import csv
import datetime as dt
import zoneinfo
from collections.abc import Iterable, Iterator
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from loket.cases.models import Channel
from loket.catalog.models import SopVersion
from loket.catalog.selectors import parsed
from loket.csv_files import csv_bytes, formula_safe
from loket.directory.models import Agency
from loket.staff.models import StaffRole
from loket.units.models import Unit
from loket.units.services import zone_label
from loket.web.file_responses import stored_file_response

from . import exports, mutu_baku, series
from .figures import ChartData, month_label, report_charts
from .models import ExportJob
from .mutu_baku import Report, ReportFilter
from .tables import (
    Cell,
    Row,
    Table,
    case_row,
    case_table,
    step_row,
    step_table,
    tables,
    wait_row,
    wait_table,
    zones_of,
)


class ReportForm(forms.Form):
    """The query string of the page; every field optional, choices from the user's scope."""

    unit = forms.ChoiceField(label=gettext_lazy("Unit"), required=False)
    dari = forms.DateField(
        label=gettext_lazy("Diajukan dari"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sampai = forms.DateField(
        label=gettext_lazy("sampai"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    layanan = forms.ChoiceField(label=gettext_lazy("Layanan (SOP)"), required=False)
    versi = forms.IntegerField(label=gettext_lazy("Versi"), required=False, min_value=1)
    langkah = forms.IntegerField(label=gettext_lazy("Langkah"), required=False, min_value=1)
    pelaksana = forms.ChoiceField(label=gettext_lazy("Pelaksana"), required=False)
    petugas = forms.TypedChoiceField(label=gettext_lazy("Petugas"), required=False, coerce=int, empty_value=None)
    kanal = forms.ChoiceField(label=gettext_lazy("Kanal"), required=False)
    instansi = forms.TypedChoiceField(label=gettext_lazy("Instansi"), required=False, coerce=int, empty_value=None)

    def __init__(self, data: Any, *, units: list[Unit]) -> None:
        super().__init__(data)
        unit_ids = [u.pk for u in units]
        versions = list(SopVersion.objects.filter(unit_id__in=unit_ids).order_by("kode", "-versi"))
        sops: dict[str, str] = {}
        lanes: set[str] = set()
        for version in versions:
            sops.setdefault(version.kode, version.nama)
            lanes.update(parsed(version).pelaksana)
        staff = (
            get_user_model()
            .objects.filter(pk__in=StaffRole.objects.filter(unit_id__in=unit_ids).values("user_id"))
            .order_by("username")
        )
        agencies = Agency.objects.filter(unit_id__in=unit_ids).select_related("unit").order_by("unit__kode", "name")
        every = [("", _("semua"))]
        choices: dict[str, list[tuple[Any, str]]] = {
            "unit": every + [(u.kode, f"{u.kode} — {u.nama}") for u in units],
            "layanan": every + [(kode, f"{kode} — {nama}") for kode, nama in sops.items()],
            "pelaksana": every + [(lane, lane) for lane in sorted(lanes)],
            "petugas": every + [(user.pk, user.get_username()) for user in staff],
            "kanal": every + [(value, str(label)) for value, label in Channel.choices],
            "instansi": every + [(a.pk, a.name if len(units) == 1 else f"{a.name} ({a.unit.kode})") for a in agencies],
        }
        for name, options in choices.items():
            choice_field = self.fields[name]
            assert isinstance(choice_field, forms.ChoiceField)
            choice_field.choices = options

    def spec(self) -> ReportFilter:
        data = self.cleaned_data if self.is_valid() else {}
        return ReportFilter(
            unit=data.get("unit") or "",
            date_from=data.get("dari"),
            date_to=data.get("sampai"),
            sop=data.get("layanan") or "",
            versi=data.get("versi"),
            step=data.get("langkah"),
            lane=data.get("pelaksana") or "",
            staff=data.get("petugas"),
            channel=data.get("kanal") or "",
            agency=data.get("instansi"),
        )


# -- the tables (kept importable from here) -------------------------------------------------------

__all__ = ["Row", "Table", "as_csv", "tables"]


def _plain(value: Cell, decimal: str = ".") -> str:
    """A cell as text: whole numbers without a fraction, one decimal otherwise, "" for none."""
    if value is None:
        return ""
    if isinstance(value, float):
        text = str(int(value)) if value.is_integer() else f"{value:.1f}"
        return text.replace(".", decimal)
    return str(value)


def _csv_cell(value: Cell) -> str:
    """A CSV cell a spreadsheet will not run as a formula (as the guest book's export)."""
    text = _plain(value)
    return text if isinstance(value, int | float) else formula_safe(text)


def as_csv(table: Table) -> bytes:
    """One table as a CSV file: its header, then its rows."""
    return csv_bytes([_csv_cell(c) for c in table.columns], ([_csv_cell(c) for c in row.cells] for row in table.rows))


class _Line:
    """A file-like object that hands back what csv.writer writes (one line at a time)."""

    def write(self, text: str) -> str:
        return text


def _csv_stream(table: Table, rows: Iterable[Row]) -> Iterator[bytes]:
    """The same file as `as_csv`, line by line: the per-case table of every case is streamed."""
    writer = csv.writer(_Line())
    yield ("\ufeff" + writer.writerow([_csv_cell(c) for c in table.columns])).encode("utf-8")
    for row in rows:
        yield writer.writerow([_csv_cell(c) for c in row.cells]).encode("utf-8")


def _csv_response(request: HttpRequest, units: list[Unit], spec: ReportFilter) -> HttpResponse | StreamingHttpResponse:
    wanted = request.GET.get("tabel") or "langkah"
    zones = zones_of(units)
    if wanted == "langkah":
        table = step_table()
        rows: Iterable[Row] = [step_row(table, s) for s in mutu_baku.step_rows(request.user, spec, now=timezone.now())]
    elif wanted == "permohonan":
        table = case_table(zones)
        rows = (case_row(table, c) for c in mutu_baku.iter_case_rows(request.user, spec))
    elif wanted == "tunggu":
        table = wait_table()
        rows = [wait_row(table, w) for w in mutu_baku.wait_rows(request.user, spec)]
    else:
        raise Http404
    response = StreamingHttpResponse(_csv_stream(table, rows), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate(timezone=zoneinfo.ZoneInfo(units[0].zona_waktu)).strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="mutu-baku-{table.key}-{stamp}.csv"'
    return response


# -- the page -------------------------------------------------------------------------------------

FILTER_FIELDS = ("unit", "dari", "sampai", "layanan", "versi", "langkah", "pelaksana", "petugas", "kanal", "instansi")


def filter_summary(spec: ReportFilter) -> str:
    """The filters other than the unit and the period, on one line ("" for none)."""
    parts = []
    for label, value in (
        (_("layanan"), spec.sop),
        (_("versi"), spec.versi),
        (_("langkah"), spec.step),
        (_("pelaksana"), spec.lane),
        (_("kanal"), spec.channel),
    ):
        if value not in (None, ""):
            parts.append(f"{label}: {value}")
    if spec.staff is not None:
        user = get_user_model().objects.filter(pk=spec.staff).first()
        parts.append(f"{_('petugas')}: {user.get_username() if user else spec.staff}")
    if spec.agency is not None:
        agency = Agency.objects.filter(pk=spec.agency).first()
        parts.append(f"{_('instansi')}: {agency.name if agency else spec.agency}")
    return "; ".join(parts)


def _local(moment: dt.datetime | None, zone: zoneinfo.ZoneInfo) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment, zone)
    return f"{local:%d-%m-%Y %H:%M} {zone_label(zone, local)}"


def _zone(units: list[Unit]) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(units[0].zona_waktu)


def chart_data(user: Any, spec: ReportFilter, report: Report) -> ChartData:
    return ChartData(
        steps=report.steps,
        months=series.month_points(user, spec),
        hours=series.hour_grid(user, spec),
        several_units=len({s.unit.pk for s in report.steps}) > 1,
    )


def _deviation_cells(request: HttpRequest, spec: ReportFilter, report: Report, steps: Table) -> None:
    """The step table's last column on the page: the step's deviations in the report's filters,
    how many are answered and accepted, leading to the deviation list of that step (for whoever
    reviews; the others see the figures)."""
    from loket.deviations import selectors as deviations

    summary = deviations.deviation_summary(request.user, spec)
    reviews = deviations.may_review(request.user)
    steps.extra_heading = _("Penyimpangan")
    # beside the overdue count it accounts for
    steps.extra_at = next(i for i, c in enumerate(steps.cols) if c.heading == _("melewati mutu baku"))
    for step, row in zip(report.steps, steps.rows, strict=True):
        counts = summary.get((step.sop.pk, step.step))
        if not counts:
            continue
        row.extra = _("%(jumlah)s (%(dijawab)s dijawab, %(diterima)s diterima)") % counts
        if reviews:
            query = request.GET.copy()
            for name in ("format", "tabel", "halaman"):
                query.pop(name, None)
            chosen = {"unit": step.unit.kode, "layanan": step.sop.kode, "versi": step.sop.versi, "langkah": step.step}
            for name, value in chosen.items():
                query[name] = str(value)  # replaces what the page's query had
            row.extra_href = f"{reverse('console:deviations')}?{query.urlencode()}"


@login_required
@require_GET
def report_page(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The report: the filters, the three tables, the charts, the downloads; `?format=csv` one
    table as a CSV."""
    units = mutu_baku.units_in_scope(request.user)
    if not units:
        raise PermissionDenied
    form = ReportForm(request.GET or None, units=units)
    spec = form.spec()
    if request.GET.get("format") == "csv":
        return _csv_response(request, units, spec)
    report = mutu_baku.report(request.user, spec, now=timezone.now(), case_limit=mutu_baku.CASE_ROWS)
    parts = tables(report, units=units, case_limit=mutu_baku.CASE_ROWS)
    for table in parts:
        query = request.GET.copy()
        query.update({"format": "csv", "tabel": table.key})
        table.csv_query = query.urlencode()
        for row in table.rows:
            row.cells = [_plain(c, ",") if isinstance(c, float) else c for c in row.cells]
    _deviation_cells(request, spec, report, next(t for t in parts if t.key == "langkah"))
    drawn = report_charts(chart_data(request.user, spec, report))
    zone = _zone(units)
    kept = [(name, value) for name in FILTER_FIELDS for value in request.GET.getlist(name) if value]
    jobs = [
        (job, _local(job.created_at, zone))
        for job in ExportJob.objects.filter(user_id=request.user.pk or 0).order_by("-created_at")[:5]
    ]
    context = {
        "form": form,
        "tables": parts,
        "filtered": bool(request.GET),
        "charts": [(chart, mark_safe(chart.svg)) for chart in drawn],  # noqa: S308 - escaped by charts
        "kept": kept,
        "kept_month": [(n, v) for n, v in kept if n not in ("dari", "sampai")],
        "this_month": timezone.localdate(timezone=zone).strftime("%Y-%m"),
        "pdf_needs_unit": exports.pdf_unit(request.user, spec) is None,
        "jobs": jobs,
    }
    return render(request, "reports/mutu_baku.html", context)


# -- the exports ----------------------------------------------------------------------------------


def _back(data: Any) -> str:
    query = QueryDict(mutable=True)
    for name in FILTER_FIELDS:
        for value in data.getlist(name):
            if value:
                query.appendlist(name, value)
    return reverse("console:mutu_baku") + (f"?{query.urlencode()}" if query else "") + "#unduh"


@login_required
@require_POST
def export_new(request: HttpRequest) -> HttpResponse:
    """Queue the XLSX (`format=xlsx`, the page's filters) or the monthly PDF (`format=pdf`,
    `bulan=YYYY-MM`) and go to the job's page."""
    units = mutu_baku.units_in_scope(request.user)
    if not units:
        raise PermissionDenied
    form = ReportForm(request.POST, units=units)
    if not form.is_valid():
        messages.error(request, _("Periksa isian saringan sebelum mengunduh."))
        return redirect(_back(request.POST))
    try:
        job = exports.request_export(
            user=request.user,
            spec=form.spec(),
            fmt=request.POST.get("format", ""),
            month=request.POST.get("bulan", ""),
        )
    except exports.ExportRefused as exc:
        messages.error(request, str(exc))
        return redirect(_back(request.POST))
    return redirect("console:mutu_baku_job", job_id=job.pk)


def _own_job(request: HttpRequest, job_id: Any) -> ExportJob:
    """The job if the signed-in user asked for it (anyone else: 404, as if there were none)."""
    if not mutu_baku.units_in_scope(request.user):
        raise PermissionDenied
    job = ExportJob.objects.filter(pk=job_id, user_id=request.user.pk or 0).first()
    if job is None:
        raise Http404(_("Unduhan tidak ditemukan."))
    return exports.refresh(job)


def _status(job: ExportJob, zone: zoneinfo.ZoneInfo) -> dict[str, Any]:
    expires = _local(job.expires_at, zone)
    label = _("kedaluwarsa, berkas sudah dihapus") if job.status == ExportJob.Status.DONE and not job.file else None
    return {
        "status": job.status,
        "label": str(label or job.get_status_display()),
        "progress": job.progress,
        "step": job.step,
        "download": reverse("console:mutu_baku_job_file", args=[job.pk]) if job.downloadable else None,
        "filename": job.filename,
        "error": job.error,
        "waiting": job.waiting,
        "link_text": _("Unduh %(name)s") % {"name": job.filename} if job.filename else _("Unduh"),
        "expires_text": _("tersedia sampai %(when)s") % {"when": expires} if expires else "",
    }


@login_required
@require_GET
def export_job(request: HttpRequest, job_id: Any) -> HttpResponse:
    """One export: what was asked, its progress, and the file when it is done."""
    job = _own_job(request, job_id)
    units = mutu_baku.units_in_scope(request.user)
    zone = _zone(units)
    spec = exports.spec_from_json(job.spec)
    back = QueryDict(mutable=True)
    for name, value in (
        ("unit", spec.unit),
        ("dari", spec.date_from),
        ("sampai", spec.date_to),
        ("layanan", spec.sop),
        ("versi", spec.versi),
        ("langkah", spec.step),
        ("pelaksana", spec.lane),
        ("petugas", spec.staff),
        ("kanal", spec.channel),
        ("instansi", spec.agency),
    ):
        if value not in (None, ""):
            back[name] = str(value)
    month = exports.parse_month(job.month)
    context = {
        "job": job,
        "state": _status(job, zone),
        "created": _local(job.created_at, zone),
        "finished": _local(job.finished_at, zone),
        "expires": _local(job.expires_at, zone),
        "period": month_label(month, short=False) if month else "",
        "filters": filter_summary(spec),
        "unit": spec.unit,
        "back": reverse("console:mutu_baku") + (f"?{back.urlencode()}" if back else ""),
    }
    return render(request, "reports/export_job.html", context)


@login_required
@require_GET
def export_status(request: HttpRequest, job_id: Any) -> JsonResponse:
    """The job's state as JSON, for its page to follow."""
    job = _own_job(request, job_id)
    response = JsonResponse(_status(job, _zone(mutu_baku.units_in_scope(request.user))))
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def export_file(request: HttpRequest, job_id: Any) -> HttpResponse | FileResponse:
    """The finished file, to the user who asked for it, until it expires."""
    job = _own_job(request, job_id)
    if not job.downloadable:
        raise Http404(_("Berkas ini belum siap atau sudah kedaluwarsa."))
    kind = XLSX_TYPE if job.format == ExportJob.Format.XLSX else "application/pdf"
    response = stored_file_response(job.file, content_type=kind, as_attachment=True, filename=job.filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
