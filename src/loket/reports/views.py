"""The console's mutu baku report (`/konsol/laporan/mutu-baku/`) and its CSV (`?format=csv`).

Thin: the GET form reads the filters into a `ReportFilter`, `loket.reports.mutu_baku` computes
the rows, and `tables` turns them into the three tables the page and the CSVs (one file per
table, `&tabel=langkah|permohonan|tunggu`) both show, so the two cannot differ (the page writes
decimals with a comma, the CSV with a point). Staff with a unit
see their scope; a superuser every unit; anyone else is refused.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from loket.cases.models import Channel
from loket.catalog.models import SopVersion
from loket.catalog.selectors import parsed
from loket.csv_files import csv_bytes, formula_safe
from loket.directory.models import Agency
from loket.staff.models import StaffRole
from loket.units.models import Unit
from loket.units.services import zone_label

from . import mutu_baku
from .mutu_baku import Report, ReportFilter

Cell = str | int | float | None


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


# -- the tables -----------------------------------------------------------------------------------


@dataclass
class Row:
    cells: list[Cell]
    href: str = ""  # the case page of a per-case row
    late: bool = False  # drawn as overdue


@dataclass
class Table:
    key: str
    title: str
    note: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    more: str = ""  # said under the table when the page shows only part of it
    csv_query: str = ""  # the page's query string for this table's CSV


def _share(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def tables(report: Report, *, units: list[Unit], case_limit: int | None) -> list[Table]:
    """The report's three tables with their headings and typed cells. A time names its zone in
    its cell and in its column's heading (the zones of `units`, the report's units)."""
    zones = "/".join(sorted({zone_label(u.zona_waktu) for u in units}))
    steps = Table(
        "langkah",
        _("Mutu baku per langkah"),
        _("Langkah petugas dan sistem yang telah selesai, menit kerja dibandingkan mutu baku langkahnya."),
        [
            _("unit"),
            _("layanan"),
            _("langkah"),
            _("kegiatan"),
            _("pelaksana"),
            _("mutu baku (menit)"),
            _("jumlah selesai"),
            _("median (menit)"),
            _("persentil 90 (menit)"),
            _("dalam mutu baku (%)"),
            _("melewati mutu baku"),
            _("berjalan"),
            _("berjalan lewat tenggat"),
        ],
    )
    for s in report.steps:
        steps.rows.append(
            Row(
                [
                    s.unit.kode,
                    f"{s.sop.kode} v{s.sop.versi}",
                    s.step,
                    s.uraian,
                    s.lane,
                    s.standard,
                    s.count,
                    _round(s.median),
                    _round(s.p90),
                    _share(s.share_within),
                    s.overdue,
                    s.running,
                    s.running_late,
                ],
                late=bool(s.overdue or s.running_late),
            )
        )
    cases = Table(
        "permohonan",
        _("Per permohonan"),
        _(
            "Jumlah menit kerja langkah petugas dan sistem yang telah selesai, dibandingkan mutu baku "
            "jalur yang ditempuh permohonan dan mutu baku jalur utama SOP."
        ),
        [
            _("nomor registrasi"),
            _("unit"),
            _("layanan"),
            _("kanal"),
            _("instansi"),
            _("diajukan (waktu setempat: %(zones)s)") % {"zones": zones},
            _("status"),
            _("langkah selesai"),
            _("menit kerja"),
            _("mutu baku jalur yang ditempuh (menit)"),
            _("mutu baku jalur utama (menit)"),
            _("selisih dari jalur yang ditempuh (menit)"),
            _("melewati mutu baku"),
        ],
    )
    for c in report.cases:
        cases.rows.append(
            Row(
                [
                    c.reference,
                    c.unit.kode,
                    f"{c.sop.kode} v{c.sop.versi}",
                    c.channel,
                    c.agency,
                    f"{c.submitted:%Y-%m-%d %H:%M} {zone_label(c.unit.zona_waktu, c.submitted)}",
                    c.status,
                    c.steps,
                    c.working,
                    c.path_standard,
                    c.happy_standard,
                    c.working - c.path_standard,
                    c.overdue,
                ],
                href=reverse("console:case", args=[c.case_id]),
                late=c.over_path or bool(c.overdue),
            )
        )
    if case_limit is not None and report.cases_total > len(report.cases):
        cases.more = _("Ditampilkan %(shown)s permohonan terbaru dari %(total)s; unduh CSV untuk semuanya.") % {
            "shown": len(report.cases),
            "total": report.cases_total,
        }
    waits = Table(
        "tunggu",
        _("Waktu tunggu pemohon"),
        _(
            "Langkah pemohon sendiri (N/A) dan menunggu pelatihan, dalam jam kalender; tidak dihitung "
            "sebagai menit kerja petugas."
        ),
        [
            _("unit"),
            _("layanan"),
            _("langkah"),
            _("kegiatan"),
            _("pelaksana"),
            _("jumlah selesai"),
            _("masih menunggu"),
            _("median (jam)"),
            _("persentil 90 (jam)"),
        ],
    )
    for w in report.waits:
        if w.is_training:
            label: Cell = (
                _("menunggu pelatihan setelah langkah %(no)s") % {"no": w.after} if w.after else _("menunggu pelatihan")
            )
        else:
            label = w.step
        waits.rows.append(
            Row(
                [
                    w.unit.kode,
                    f"{w.sop.kode} v{w.sop.versi}",
                    label,
                    w.uraian,
                    w.lane,
                    w.count,
                    w.running,
                    _round(w.median_hours),
                    _round(w.p90_hours),
                ]
            )
        )
    return [steps, cases, waits]


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


@login_required
@require_GET
def report_page(request: HttpRequest) -> HttpResponse:
    """The report: the filters, the three tables; `?format=csv` the same tables as one CSV."""
    units = mutu_baku.units_in_scope(request.user)
    if not units:
        raise PermissionDenied
    form = ReportForm(request.GET or None, units=units)
    spec = form.spec()
    as_file = request.GET.get("format") == "csv"
    limit = None if as_file else mutu_baku.CASE_ROWS
    report = mutu_baku.report(request.user, spec, now=timezone.now(), case_limit=limit)
    parts = tables(report, units=units, case_limit=limit)
    if as_file:
        wanted = request.GET.get("tabel") or parts[0].key
        table = next((t for t in parts if t.key == wanted), None)
        if table is None:
            raise Http404
        response = HttpResponse(as_csv(table), content_type="text/csv; charset=utf-8")
        stamp = timezone.localdate(timezone=zoneinfo.ZoneInfo(units[0].zona_waktu)).strftime("%Y%m%d")
        response["Content-Disposition"] = f'attachment; filename="mutu-baku-{table.key}-{stamp}.csv"'
        return response
    for table in parts:
        query = request.GET.copy()
        query.update({"format": "csv", "tabel": table.key})
        table.csv_query = query.urlencode()
        for row in table.rows:
            row.cells = [_plain(c, ",") if isinstance(c, float) else c for c in row.cells]
    return render(request, "reports/mutu_baku.html", {"form": form, "tables": parts, "filtered": bool(request.GET)})
