"""The monthly service-performance report as PDF (Laporan Kinerja Pelayanan), A4 portrait, for
an office to print, sign and file: the unit's letterhead, the month (local, in Indonesian), the
summary figures, the step table, the five charts (the page's own SVGs), the per-case figures
summarised, the requester's waits, and the signature block.

The month is one local month of the unit: the cases submitted from its first to its last day
(the report's period filter); the chart per month shows the six months ending with it, so that
the month is read against the ones before. The other filters (SOP, lane, ...) are the page's.

The letterhead and the signing city are the unit's letter settings (`registration.letters.
config_for`: its LetterSettings row, else its identity). The signer is the head of the unit:
when every SOP in the report names the same `disahkan_oleh`, that position, name and NIP;
otherwise "Kepala <unit>" with the name and NIP lines left for a hand signature. The document
is Indonesian whatever the reader's language (it is filed), with the DejaVu fonts shipped with
the SOP renderer.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from loket.catalog.selectors import parsed
from loket.registration.letters import FONTS, config_for, format_nip, tanggal_indonesia
from loket.units.models import Unit
from loket.units.services import unit_identity, zone_label

from . import mutu_baku, series
from .charts import number, percent
from .figures import MONTHS, ChartData, report_charts
from .mutu_baku import ReportFilter
from .tables import step_row, step_table, wait_row, wait_table

logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)

TREND_MONTHS = 6


@dataclass(frozen=True)
class Signer:
    position: str
    name: str = ""
    nip: str = ""


def month_span(month: dt.date) -> tuple[dt.date, dt.date]:
    """The first and the last day of `month`'s month."""
    first = month.replace(day=1)
    return first, (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def months_before(month: dt.date, count: int) -> dt.date:
    """The first day of the month `count` months before `month`'s."""
    index = month.year * 12 + month.month - 1 - count
    return dt.date(index // 12, index % 12 + 1, 1)


def month_name(month: dt.date) -> str:
    return f"{MONTHS[month.month - 1]} {month.year}"


def signer_for(unit: Unit, versions: list[Any]) -> Signer:
    """The head who signs: the SOPs' common `disahkan_oleh`, else "Kepala <unit>" unnamed."""
    signers = {
        (s.jabatan, s.nama or "", s.nip or "") if s else None
        for s in (parsed(v).disahkan_oleh for v in {v.pk: v for v in versions}.values())
    }
    if len(signers) == 1:
        (only,) = signers
        if only is not None:
            return Signer(only[0], only[1], format_nip(only[2]) if only[2] else "")
    return Signer(f"Kepala {unit.nama}")


def _summary(steps: list[Any], cases: mutu_baku.CaseSummary, waits: list[Any]) -> list[tuple[str, str]]:
    measured = sum(s.count for s in steps if s.standard is not None)
    within = sum(s.within for s in steps if s.standard is not None)
    overdue = sum(s.overdue for s in steps)
    late = sum(s.running_late for s in steps)
    running = sum(s.running for s in steps)
    rows = [
        ("Permohonan diajukan", number(cases.total)),
        ("Permohonan dengan langkah petugas selesai", number(cases.measured)),
        (
            "Permohonan melewati mutu baku jalur yang ditempuh",
            f"{number(cases.over_path)} ({percent(cases.over_path / cases.measured if cases.measured else None)})",
        ),
        (
            "Menit kerja per permohonan (median / persentil 90)",
            f"{_minutes(cases.median)} / {_minutes(cases.p90)}",
        ),
        ("Langkah petugas dan sistem selesai", number(sum(s.count for s in steps))),
        (
            "Dalam mutu baku",
            f"{number(within)} dari {number(measured)} ({percent(within / measured if measured else None)})",
        ),
        ("Melewati mutu baku", number(overdue)),
        ("Langkah masih berjalan (lewat tenggat)", f"{number(running)} ({number(late)})"),
        ("Pemohon masih menunggu", number(sum(w.running for w in waits))),
    ]
    return rows


def _minutes(value: float | None) -> str:
    return "—" if value is None else f"{number(round(value, 1))} menit"


def _page_cells(table: Any) -> None:
    """Decimals with a comma, as the page shows them."""
    for row in table.rows:
        row.cells = [number(c) if isinstance(c, float) else ("—" if c is None else c) for c in row.cells]


def monthly_pdf(
    user: Any,
    spec: ReportFilter,
    *,
    unit: Unit,
    month: dt.date,
    now: dt.datetime,
    progress: Callable[[int, str], None] = lambda _p, _s: None,
) -> bytes:
    """The PDF of `unit`'s month `month` as `user` may read it (spec's period is replaced by the
    month; its other filters stay)."""
    from weasyprint import HTML

    with translation.override("id"):
        first, last = month_span(month)
        spec = ReportFilter(**{**spec.__dict__, "unit": unit.kode, "date_from": first, "date_to": last})
        progress(10, "Menghitung tabel per langkah")
        steps = mutu_baku.step_rows(user, spec, now=now)
        waits = mutu_baku.wait_rows(user, spec)
        cases = mutu_baku.case_summary(user, spec)
        progress(40, "Menghitung angka grafik")
        since = months_before(first, TREND_MONTHS - 1)
        trend = ReportFilter(**{**spec.__dict__, "date_from": since})
        months = series.month_points(user, trend, span=(since, last))
        data = ChartData(steps=steps, months=months, hours=series.hour_grid(user, spec))
        drawn = report_charts(data)
        step_tab, wait_tab = step_table(), wait_table()
        step_tab.rows = [step_row(step_tab, s) for s in steps]
        wait_tab.rows = [wait_row(wait_tab, w) for w in waits]
        for table in (step_tab, wait_tab):
            _page_cells(table)
        # The unit is the letterhead's: its column says nothing here.
        step_tab.columns, wait_tab.columns = step_tab.columns[1:], wait_tab.columns[1:]
        for table in (step_tab, wait_tab):
            for row in table.rows:
                row.cells = row.cells[1:]
        config = config_for(unit)
        zone = zoneinfo.ZoneInfo(unit.zona_waktu)
        local = now.astimezone(zone)
        signed = tanggal_indonesia(local.date())
        filters = _filter_lines(spec)
        context = {
            "fonts": {
                "regular": (FONTS / "DejaVuSansCondensed.ttf").as_uri(),
                "bold": (FONTS / "DejaVuSansCondensed-Bold.ttf").as_uri(),
            },
            "letterhead": config.letterhead,
            "logo": unit_identity(unit).logo_uri(),
            "unit": unit,
            "period": month_name(first),
            "trend_from": month_name(months_before(first, TREND_MONTHS - 1)),
            "filters": filters,
            "summary": _summary(steps, cases, waits),
            "steps": step_tab,
            "waits": wait_tab,
            "charts": [(c, mark_safe(c.svg)) for c in drawn],  # noqa: S308 - every text in it is escaped (charts)
            "date_line": f"{config.city}, {signed}" if config.city else signed,
            "signer": signer_for(unit, [s.sop for s in steps] + [w.sop for w in waits]),
            "made_at": f"{signed} {local:%H.%M} {zone_label(zone, local)}",
        }
        progress(60, "Menyusun PDF")
        html = render_to_string("reports/monthly.html", context)
        document = HTML(string=html, base_url=str(FONTS)).render()
        document.metadata.title = f"Laporan Kinerja Pelayanan {unit.nama} {month_name(first)}"
        document.metadata.authors = [unit.nama]
        progress(90, "Menyimpan PDF")
        return document.write_pdf()


def _filter_lines(spec: ReportFilter) -> list[str]:
    """The filters other than unit and period, as "Layanan: kode" lines (none: every service)."""
    labels = [
        ("sop", "Layanan (SOP)"),
        ("versi", "Versi"),
        ("step", "Langkah"),
        ("lane", "Pelaksana"),
        ("channel", "Kanal"),
    ]
    lines = [f"{label}: {getattr(spec, name)}" for name, label in labels if getattr(spec, name) not in (None, "")]
    if spec.staff is not None:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(pk=spec.staff).first()
        lines.append(f"Petugas: {user.get_username() if user else spec.staff}")
    if spec.agency is not None:
        from loket.directory.models import Agency

        agency = Agency.objects.filter(pk=spec.agency).first()
        lines.append(f"Instansi: {agency.name if agency else spec.agency}")
    return lines
