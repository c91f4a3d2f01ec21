"""The report's three tables, one definition for every place that shows them: the page, the CSV,
the XLSX workbook and the monthly PDF.

Each table is a list of columns (a heading and a kind) and, per row of `mutu_baku`, a list of
typed values: text, a whole number, a decimal, a share (0..1), a local time. Each output writes
the values its own way (`cell` for the page and the CSV: a share as a percentage with one
decimal, a time with its zone's name; the XLSX keeps the types: numbers, a % format, Excel
dates), so the figures cannot differ between them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from loket.units.models import Unit
from loket.units.services import zone_label

from .mutu_baku import CaseRow, Report, StepRow, WaitRow

Cell = str | int | float | None

TEXT, INT, DEC, PCT, TIME = "text", "int", "dec", "pct", "time"


@dataclass(frozen=True)
class Col:
    heading: str
    kind: str = TEXT
    width: int = 12  # the XLSX column's width, in characters


@dataclass
class Row:
    cells: list[Cell]  # as the page and the CSV show them
    href: str = ""  # the case page of a per-case row
    late: bool = False  # drawn as overdue
    values: list[Any] = field(default_factory=list)  # typed, as the XLSX writes them
    # The page only: one more cell after `cells` (the step's deviations) and where it leads.
    extra: str = ""
    extra_href: str = ""


@dataclass
class Table:
    key: str
    title: str
    note: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    more: str = ""  # said under the table when the page shows only part of it
    csv_query: str = ""  # the page's query string for this table's CSV
    extra_heading: str = ""  # the page only: the heading of the rows' `extra` cell
    extra_at: int = -1  # the page only: the column after which the `extra` cell stands
    cols: list[Col] = field(default_factory=list)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def cell(col: Col, value: Any) -> Cell:
    """A typed value as the page and the CSV show it (decimals still as numbers)."""
    if value is None:
        return None
    if col.kind == DEC:
        return _round(value)
    if col.kind == PCT:
        return round(value * 100, 1)
    if col.kind == TIME:
        return f"{value:%Y-%m-%d %H:%M} {zone_label(value.tzinfo, value)}"
    return value


def zones_of(units: Iterable[Unit]) -> str:
    return "/".join(sorted({zone_label(u.zona_waktu) for u in units}))


# -- the columns and each row's values ------------------------------------------------------------


def step_columns() -> list[Col]:
    return [
        Col(_("unit"), TEXT, 10),
        Col(_("layanan"), TEXT, 24),
        Col(_("langkah"), INT, 8),
        Col(_("kegiatan"), TEXT, 40),
        Col(_("pelaksana"), TEXT, 20),
        Col(_("mutu baku (menit)"), INT),
        Col(_("jumlah selesai"), INT),
        Col(_("median (menit)"), DEC),
        Col(_("persentil 90 (menit)"), DEC),
        Col(_("dalam mutu baku (%)"), PCT),
        Col(_("melewati mutu baku"), INT),
        Col(_("berjalan"), INT),
        Col(_("berjalan lewat tenggat"), INT),
    ]


def step_values(s: StepRow) -> list[Any]:
    return [
        s.unit.kode,
        f"{s.sop.kode} v{s.sop.versi}",
        s.step,
        s.uraian,
        s.lane,
        s.standard,
        s.count,
        s.median,
        s.p90,
        s.share_within,
        s.overdue,
        s.running,
        s.running_late,
    ]


def case_columns(zones: str) -> list[Col]:
    return [
        Col(_("nomor registrasi"), TEXT, 22),
        Col(_("unit"), TEXT, 10),
        Col(_("layanan"), TEXT, 24),
        Col(_("kanal"), TEXT, 10),
        Col(_("instansi"), TEXT, 30),
        Col(_("diajukan (waktu setempat: %(zones)s)") % {"zones": zones}, TIME, 18),
        Col(_("status"), TEXT, 14),
        Col(_("langkah selesai"), INT),
        Col(_("menit kerja"), INT),
        Col(_("mutu baku jalur yang ditempuh (menit)"), INT, 16),
        Col(_("mutu baku jalur utama (menit)"), INT, 16),
        Col(_("selisih dari jalur yang ditempuh (menit)"), INT, 16),
        Col(_("melewati mutu baku"), INT),
    ]


def case_values(c: CaseRow) -> list[Any]:
    return [
        c.reference,
        c.unit.kode,
        f"{c.sop.kode} v{c.sop.versi}",
        c.channel,
        c.agency,
        c.submitted,
        c.status,
        c.steps,
        c.working,
        c.path_standard,
        c.happy_standard,
        c.working - c.path_standard,
        c.overdue,
    ]


def wait_columns() -> list[Col]:
    return [
        Col(_("unit"), TEXT, 10),
        Col(_("layanan"), TEXT, 24),
        Col(_("langkah"), TEXT, 14),
        Col(_("kegiatan"), TEXT, 40),
        Col(_("pelaksana"), TEXT, 20),
        Col(_("jumlah selesai"), INT),
        Col(_("masih menunggu"), INT),
        Col(_("median (jam)"), DEC),
        Col(_("persentil 90 (jam)"), DEC),
    ]


def wait_values(w: WaitRow) -> list[Any]:
    if w.is_training:
        label: Any = (
            _("menunggu pelatihan setelah langkah %(no)s") % {"no": w.after} if w.after else _("menunggu pelatihan")
        )
    else:
        label = w.step
    return [
        w.unit.kode,
        f"{w.sop.kode} v{w.sop.versi}",
        label,
        w.uraian,
        w.lane,
        w.count,
        w.running,
        w.median_hours,
        w.p90_hours,
    ]


def _row(cols: list[Col], values: list[Any], **extra: Any) -> Row:
    return Row([cell(c, v) for c, v in zip(cols, values, strict=True)], values=values, **extra)


def step_table() -> Table:
    cols = step_columns()
    return Table(
        "langkah",
        _("Mutu baku per langkah"),
        _("Langkah petugas dan sistem yang telah selesai, menit kerja dibandingkan mutu baku langkahnya."),
        [c.heading for c in cols],
        cols=cols,
    )


def case_table(zones: str) -> Table:
    cols = case_columns(zones)
    return Table(
        "permohonan",
        _("Per permohonan"),
        _(
            "Jumlah menit kerja langkah petugas dan sistem yang telah selesai, dibandingkan mutu baku "
            "jalur yang ditempuh permohonan dan mutu baku jalur utama SOP."
        ),
        [c.heading for c in cols],
        cols=cols,
    )


def wait_table() -> Table:
    cols = wait_columns()
    return Table(
        "tunggu",
        _("Waktu tunggu pemohon"),
        _(
            "Langkah pemohon sendiri (N/A) dan menunggu pelatihan, dalam jam kalender; tidak dihitung "
            "sebagai menit kerja petugas."
        ),
        [c.heading for c in cols],
        cols=cols,
    )


def step_row(table: Table, s: StepRow) -> Row:
    return _row(table.cols, step_values(s), late=bool(s.overdue or s.running_late))


def case_row(table: Table, c: CaseRow) -> Row:
    return _row(
        table.cols, case_values(c), href=reverse("console:case", args=[c.case_id]), late=c.over_path or bool(c.overdue)
    )


def wait_row(table: Table, w: WaitRow) -> Row:
    return _row(table.cols, wait_values(w))


def tables(report: Report, *, units: list[Unit], case_limit: int | None) -> list[Table]:
    """The report's three tables with their headings and typed cells. A time names its zone in
    its cell and in its column's heading (the zones of `units`, the report's units)."""
    steps, cases, waits = step_table(), case_table(zones_of(units)), wait_table()
    steps.rows = [step_row(steps, s) for s in report.steps]
    cases.rows = [case_row(cases, c) for c in report.cases]
    if case_limit is not None and report.cases_total > len(report.cases):
        cases.more = _("Ditampilkan %(shown)s permohonan terbaru dari %(total)s; unduh CSV untuk semuanya.") % {
            "shown": len(report.cases),
            "total": report.cases_total,
        }
    waits.rows = [wait_row(waits, w) for w in report.waits]
    return [steps, cases, waits]


def local_naive(moment: dt.datetime) -> dt.datetime:
    """A local time as the wall-clock time a spreadsheet cell holds (its zone named in the heading)."""
    return moment.replace(tzinfo=None)
