"""The console's survey page "Survei kepuasan (IKM)" (`/konsol/survei/`), its exports
(`?format=csv&tabel=unsur|layanan|saran`, `?format=xlsx`), and the counter's "Tawarkan survei".

Thin: the GET form reads the filters into a `SurveyFilter`, `selectors.survey` computes, `tables`
turns the result into the tables the page and the files both show (the page writes decimals with
a comma, the files keep numbers as numbers). Scope: the units of `loket.reports.mutu_baku.
units_in_scope` (a staff member's units, a superuser every unit); anyone else is refused (403).
Free text (the comments) is for staff only and is always escaped on the page; the files carry it
as text a spreadsheet never runs (`csv_files.formula_safe`, XlsxWriter's `write_string`).
"""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import xlsxwriter
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from loket.catalog.models import SopVersion
from loket.counter.models import Counter
from loket.csv_files import csv_bytes, formula_safe
from loket.reports.mutu_baku import units_in_scope
from loket.units.models import Unit
from loket.units.services import zone_label

from . import services
from .ikm import UNSUR
from .selectors import COMMENT_ROWS, Result, Survey, SurveyFilter, survey

Cell = str | int | float | Decimal | None


class SurveyForm(forms.Form):
    unit = forms.ChoiceField(label=gettext_lazy("Unit"), required=False)
    dari = forms.DateField(label=gettext_lazy("Dari"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sampai = forms.DateField(
        label=gettext_lazy("sampai"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    layanan = forms.ChoiceField(label=gettext_lazy("Layanan (SOP)"), required=False)

    def __init__(self, data: Any, *, units: list[Unit], today: dt.date) -> None:
        # The default period: this year up to today (the regulation asks for a survey at least yearly).
        defaults = {"dari": dt.date(today.year, 1, 1).isoformat(), "sampai": today.isoformat()}
        given = data.copy() if data is not None else {}
        for name, value in defaults.items():
            if not given.get(name):
                given[name] = value
        super().__init__(given)
        sops: dict[str, str] = {}
        for kode, nama in (
            SopVersion.objects.filter(unit__in=units).order_by("kode", "-versi").values_list("kode", "nama")
        ):
            sops.setdefault(kode, nama)
        every = [("", _("semua"))]
        unit_field, sop_field = self.fields["unit"], self.fields["layanan"]
        assert isinstance(unit_field, forms.ChoiceField) and isinstance(sop_field, forms.ChoiceField)
        unit_field.choices = every + [(u.kode, f"{u.kode} — {u.nama}") for u in units]
        sop_field.choices = every + [(kode, f"{kode} — {nama}") for kode, nama in sops.items()]

    def spec(self) -> SurveyFilter:
        data = self.cleaned_data if self.is_valid() else {}
        return SurveyFilter(
            unit=data.get("unit") or "",
            date_from=data.get("dari"),
            date_to=data.get("sampai"),
            sop=data.get("layanan") or "",
        )


# -- the tables ---------------------------------------------------------------------------------


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    grades: list[str] = field(default_factory=list)  # a row's grade letter, for its colour on the page
    places: dict[int, int] = field(default_factory=dict)  # decimals of a column (default 2)
    csv_query: str = ""

    def shown(self) -> list[tuple[list[str], str]]:
        """The rows as the page writes them (decimal comma), each with its grade letter."""
        return [
            ([comma(c, self.places.get(i, 2)) for i, c in enumerate(row)], grade)
            for row, grade in zip(self.rows, self.grades or [""] * len(self.rows), strict=True)
        ]


def _nrr(value: Fraction) -> Decimal:
    """An NRR as reported: four decimals (the NRR bands of the regulation have four)."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.0001"))


def tables(result: Survey, *, units: list[Unit]) -> list[Table]:
    elements = Table(
        "unsur",
        _("Nilai per unsur"),
        [_("no"), _("unsur"), _("jumlah nilai"), _("NRR"), _("NRR × 25"), _("mutu"), _("kinerja")],
        places={3: 4},
    )
    for number, e in enumerate(result.overall.elements, start=1):
        elements.rows.append([number, e.name, e.total, _nrr(e.nrr), e.converted, e.grade, e.label])
        elements.grades.append(e.grade)
    per_service = Table(
        "layanan",
        _("Per layanan"),
        [
            _("unit"),
            _("layanan (kode SOP)"),
            _("populasi (permohonan selesai)"),
            _("sampel minimal"),
            _("responden"),
            _("IKM"),
            _("mutu"),
            _("kinerja"),
            *[_("NRR %(unsur)s") % {"unsur": u.name} for u in UNSUR],
        ],
        places={8 + i: 4 for i in range(len(UNSUR))},
    )
    for r in result.services:
        assert r.unit is not None
        per_service.rows.append(
            [
                r.unit.kode,
                r.sop_kode,
                r.population,
                r.sample,
                r.respondents,
                r.value,
                r.grade,
                r.label,
                *([_nrr(e.nrr) for e in r.elements] if r.elements else [None] * len(UNSUR)),
            ]
        )
        per_service.grades.append(r.grade)
    zones = "/".join(sorted({zone_label(u.zona_waktu) for u in units}))
    comments = Table(
        "saran",
        _("Saran dan masukan"),
        [_("dijawab (waktu setempat: %(zones)s)") % {"zones": zones}, _("unit"), _("layanan (kode SOP)"), _("saran")],
    )
    for c in result.comments:
        local = timezone.localtime(c.submitted_at, zoneinfo.ZoneInfo(c.unit.zona_waktu))
        comments.rows.append(
            [f"{local:%Y-%m-%d %H:%M} {zone_label(c.unit.zona_waktu, local)}", c.unit.kode, c.sop_kode, c.text]
        )
    return [elements, per_service, comments]


def comma(value: Cell, places: int = 2) -> str:
    """A number as Indonesian writes it: a decimal comma ("82,88"); "" for none."""
    if value is None:
        return ""
    if isinstance(value, Decimal | float):
        return f"{value:.{places}f}".replace(".", ",")
    return str(value)


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal | int | float):
        return str(value)
    return formula_safe(value)


def as_csv(table: Table) -> bytes:
    return csv_bytes([_csv_cell(c) for c in table.columns], ([_csv_cell(c) for c in row] for row in table.rows))


def as_xlsx(parts: list[Table], summary: list[tuple[str, Cell]]) -> bytes:
    """One workbook: a summary sheet, then a sheet per table; typed cells (numbers as numbers, text
    as text never run as a formula), the header row frozen, an autofilter over each table."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#EEF1F5", "border": 1})
    two = book.add_format({"num_format": "0.00"})
    four = book.add_format({"num_format": "0.0000"})
    sheet = book.add_worksheet(_("ringkasan"))
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 40)
    for i, (label, value) in enumerate(summary):
        sheet.write_string(i, 0, label, bold)
        _write(sheet, i, 1, value, two)
    for table in parts:
        sheet = book.add_worksheet(table.title[:31])
        for col, heading in enumerate(table.columns):
            sheet.write_string(0, col, heading, bold)
            sheet.set_column(col, col, max(10, min(60, len(heading) + 2)))
        for r, row in enumerate(table.rows, start=1):
            for col, value in enumerate(row):
                _write(sheet, r, col, value, four if table.places.get(col) == 4 else two)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(table.rows), 1), len(table.columns) - 1)
    book.close()
    return out.getvalue()


def _write(sheet: Any, row: int, col: int, value: Cell, fmt: Any = None) -> None:
    if value is None:
        sheet.write_blank(row, col, None)
    elif isinstance(value, Decimal):
        sheet.write_number(row, col, float(value), fmt)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value)
    else:
        sheet.write_string(row, col, str(value))


def _summary(result: Result, spec: SurveyFilter) -> list[tuple[str, Cell]]:
    return [
        (_("periode"), f"{spec.date_from or ''} – {spec.date_to or ''}"),
        (_("unit"), spec.unit or _("semua")),
        (_("layanan (kode SOP)"), spec.sop or _("semua")),
        (_("IKM"), result.value),
        (_("mutu pelayanan"), result.grade),
        (_("kinerja unit pelayanan"), result.label),
        (_("responden"), result.respondents),
        (_("populasi (permohonan selesai)"), result.population),
        (_("sampel minimal (Krejcie–Morgan)"), result.sample),
    ]


# -- the pages ----------------------------------------------------------------------------------


@login_required
@require_GET
def survey_page(request: HttpRequest) -> HttpResponse:
    """The IKM of the period, per element and per service, the respondents against the sample,
    the comments; `?format=csv&tabel=...` one table as CSV, `?format=xlsx` every table."""
    units = units_in_scope(request.user)
    if not units:
        raise PermissionDenied
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(units[0].zona_waktu))
    form = SurveyForm(request.GET or None, units=units, today=today)
    spec = form.spec()
    wanted = request.GET.get("format", "")
    result = survey(units, spec, comment_limit=None if wanted else COMMENT_ROWS)
    parts = tables(result, units=units)
    stamp = today.strftime("%Y%m%d")
    if wanted == "csv":
        key = request.GET.get("tabel") or parts[0].key
        table = next((t for t in parts if t.key == key), None)
        if table is None:
            raise Http404
        response = HttpResponse(as_csv(table), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="ikm-{table.key}-{stamp}.csv"'
        return response
    if wanted == "xlsx":
        response = HttpResponse(
            as_xlsx(parts, _summary(result.overall, spec)),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="ikm-{stamp}.xlsx"'
        return response
    for table in parts:
        query = request.GET.copy()
        query.update({"format": "csv", "tabel": table.key})
        table.csv_query = query.urlencode()
    xlsx_query = request.GET.copy()
    xlsx_query["format"] = "xlsx"
    return render(
        request,
        "survey/console.html",
        {
            "form": form,
            "spec": spec,
            "overall": result.overall,
            "ikm": comma(result.overall.value),
            "element_table": parts[0],
            "elements": parts[0].shown(),
            "service_table": parts[1],
            "services": parts[1].shown(),
            "comment_table": parts[2],
            "comments": result.comments,
            "comments_total": result.comments_total,
            "xlsx_query": xlsx_query.urlencode(),
            "filtered": bool(request.GET),
        },
    )


@login_required
@require_POST
def offer(request: HttpRequest, counter_id: int) -> HttpResponse:
    """ "Tawarkan survei" on the desk page: the counter's tablet shows the survey for the visitor
    just served. Only the staff member signed in to that counter may (404 for anyone else)."""
    counter = Counter.objects.select_related("unit").filter(pk=counter_id, staffed_by_id=request.user.pk).first()
    if counter is None:
        raise Http404
    try:
        invitation = services.offer_at_counter(counter=counter, actor=request.user)
    except services.SurveyError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Survei untuk permohonan %(reference)s tampil di tablet %(counter)s.")
            % {"reference": invitation.case.reference, "counter": counter.name},
        )
    return redirect("console:counter_desk", unit_kode=counter.unit.kode)
