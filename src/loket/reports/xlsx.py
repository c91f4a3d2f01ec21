"""The mutu baku report as one XLSX workbook (XlsxWriter), written by the worker.

Sheets: *keterangan* (the unit, the period, the filters, when it was made), then one per table,
*langkah*, *permohonan* (every matching case), *tunggu*, then the charts' figures, *bulan*,
*sebaran* and *jam*. Each table sheet has its header in row 1, frozen, with an autofilter over
its rows, and typed cells: whole numbers and decimals as numbers, shares as numbers with a
percent format, local times as Excel date-times (the wall-clock time of the case's unit; the
zone named in the heading and in a column of its own, as a cell of a spreadsheet is read alone).
Text is always written as text (`strings_to_formulas` off), so a name typed as "=..." never runs.

The per-case sheet may hold a million rows: the workbook is written in XlsxWriter's
`constant_memory` mode (each row goes to a temporary file as soon as the next one starts) from
`mutu_baku.iter_case_rows` (a database cursor), so neither the cases nor the sheet are ever held
in memory whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

from loket.units.models import Unit
from loket.units.services import zone_label

from . import mutu_baku, series
from .figures import WEEKDAYS, bucket_labels, month_label, step_label
from .mutu_baku import ReportFilter
from .tables import (
    DEC,
    INT,
    PCT,
    TIME,
    Col,
    case_table,
    case_values,
    local_naive,
    step_table,
    step_values,
    wait_table,
    wait_values,
    zones_of,
)

Progress = Callable[[int, str], None]
# Percent with one decimal and a space before the sign, as Excel's own French and Indonesian
# percent formats write it ("66,7 %" where the decimal mark is a comma).
PERCENT_FORMAT = "0.0\\ %"
DECIMAL_FORMAT = "0.0"
TIME_FORMAT = "yyyy-mm-dd hh:mm"
PROGRESS_EVERY = 2000  # rows of the per-case sheet between two progress reports


def _none(_pct: int, _step: str) -> None:
    return None


class _Book:
    def __init__(self, path: Path) -> None:
        self.book = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                "tmpdir": str(path.parent),
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "default_date_format": TIME_FORMAT,
            },
        )
        self.head = self.book.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "bottom": 1, "bg_color": "#EEF1F5"}
        )
        self.title = self.book.add_format({"bold": True, "font_size": 14})
        self.label = self.book.add_format({"bold": True, "valign": "top"})
        self.wrap = self.book.add_format({"text_wrap": True, "valign": "top"})
        self.formats = {
            DEC: self.book.add_format({"num_format": DECIMAL_FORMAT}),
            PCT: self.book.add_format({"num_format": PERCENT_FORMAT}),
            TIME: self.book.add_format({"num_format": TIME_FORMAT}),
            INT: None,
        }

    def write(self, sheet: Any, r: int, c: int, kind: str, value: Any) -> None:
        if value is None or value == "":
            sheet.write_blank(r, c, None)
        elif kind == TIME and isinstance(value, dt.datetime):
            sheet.write_datetime(r, c, local_naive(value), self.formats[TIME])
        elif isinstance(value, bool):
            sheet.write_boolean(r, c, value)
        elif isinstance(value, int | float):
            sheet.write_number(r, c, value, self.formats.get(kind))
        else:
            sheet.write_string(r, c, str(value))

    def table(
        self, name: str, cols: list[Col], rows: Iterable[list[Any]], *, every: Callable[[int], None] | None = None
    ) -> int:
        """A sheet with a frozen, filtered header and one line per row (written as they come);
        after a TIME column, a column naming each row's zone. Returns the number of rows."""
        sheet = self.book.add_worksheet(name)
        headings: list[tuple[str, int]] = []
        for col in cols:
            headings.append((col.heading, col.width))
            if col.kind == TIME:
                headings.append((_("zona waktu"), 10))
        for c, (heading, width) in enumerate(headings):
            sheet.write_string(0, c, heading, self.head)
            sheet.set_column(c, c, width)
        sheet.set_row(0, 45)
        sheet.freeze_panes(1, 0)
        r = 0
        for r, values in enumerate(rows, start=1):
            c = 0
            for col, value in zip(cols, values, strict=True):
                self.write(sheet, r, c, col.kind, value)
                c += 1
                if col.kind == TIME:
                    self.write(sheet, r, c, "", zone_label(value.tzinfo, value) if value else None)
                    c += 1
            if every is not None and r % PROGRESS_EVERY == 0:
                every(r)
        sheet.autofilter(0, 0, max(r, 1), len(headings) - 1)
        return r


def write_workbook(
    path: Path,
    user: Any,
    spec: ReportFilter,
    *,
    units: list[Unit],
    made_at: dt.datetime,
    facts: list[tuple[str, str]],
    progress: Progress = _none,
) -> None:
    """The workbook of the report `spec` as `user` may read it, written to `path` (whose folder
    also takes XlsxWriter's temporary files). `facts`: the first sheet's lines (unit, period,
    filters); `made_at`: the local time it was made. `progress(percent, what)` is told along."""
    book = _Book(path)
    zone = zoneinfo_of(units)
    about = book.book.add_worksheet(_("keterangan"))
    about.set_column(0, 0, 28)
    about.set_column(1, 1, 80)
    about.write_string(0, 0, _("Laporan mutu baku"), book.title)
    r = 2
    for label, value in facts:
        about.write_string(r, 0, label, book.label)
        about.write_string(r, 1, value, book.wrap)
        r += 1
    about.write_string(r, 0, _("dibuat (waktu setempat: %(zone)s)") % {"zone": zone_label(zone, made_at)}, book.label)
    about.write_datetime(r, 1, local_naive(made_at.astimezone(zone)), book.formats[TIME])
    r += 2
    about.write_string(
        r,
        0,
        _(
            "Lembar langkah, permohonan dan tunggu memuat tabel halaman laporan; bulan, sebaran dan jam memuat angka grafiknya."
        ),
    )

    progress(5, _("Menghitung tabel per langkah"))
    report_steps = mutu_baku.step_rows(user, spec, now=made_at)
    steps = step_table()
    book.table(steps.key, steps.cols, (step_values(s) for s in report_steps))

    total = mutu_baku.count_cases(user, spec)
    progress(10, _("Menulis %(n)s permohonan") % {"n": total})
    cases = case_table(zones_of(units))

    def every(done: int) -> None:
        progress(
            10 + int(80 * done / max(total, 1)),
            _("Menulis permohonan %(done)s dari %(n)s") % {"done": done, "n": total},
        )

    book.table(cases.key, cases.cols, (case_values(c) for c in mutu_baku.iter_case_rows(user, spec)), every=every)

    progress(90, _("Menghitung waktu tunggu dan angka grafik"))
    waits = wait_table()
    book.table(waits.key, waits.cols, (wait_values(w) for w in mutu_baku.wait_rows(user, spec)))
    several = len(units) > 1
    book.table(
        "bulan",
        [
            Col(_("bulan"), width=16),
            Col(_("jumlah selesai"), INT),
            Col(_("dalam mutu baku"), INT),
            Col(_("dalam mutu baku (%)"), PCT),
        ],
        ([month_label(m.month, short=False), m.measured, m.within, m.share] for m in series.month_points(user, spec)),
    )
    book.table(
        "sebaran",
        [Col(_("langkah"), width=50), *(Col(label, INT) for label in bucket_labels()), Col(_("jumlah selesai"), INT)],
        (
            [step_label(s, several_units=several), *s.buckets, sum(s.buckets)]
            for s in report_steps
            if s.standard is not None and sum(s.buckets) > 0
        ),
    )
    grid = series.hour_grid(user, spec)
    hours = list(range(24))
    book.table(
        "jam",
        [
            Col(_("hari (waktu setempat %(zones)s)") % {"zones": zones_of(units)}, width=18),
            *(Col(f"{h:02d}", INT, 5) for h in hours),
        ],
        ([WEEKDAYS[d - 1], *(grid.counts.get((d, h), 0) for h in hours)] for d in range(1, 8)),
    )
    progress(97, _("Menyimpan berkas"))
    book.book.set_properties({"title": _("Laporan mutu baku"), "author": ", ".join(u.nama for u in units)})
    book.book.close()


def zoneinfo_of(units: list[Unit]) -> Any:
    import zoneinfo

    return zoneinfo.ZoneInfo(units[0].zona_waktu if units else "Asia/Jakarta")
