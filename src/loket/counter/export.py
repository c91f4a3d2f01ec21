"""The guest book as a file for the office: CSV (any spreadsheet) and XLSX (Excel, with its
columns typed: times as times, minutes as numbers)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

import xlsxwriter

from loket.csv_files import csv_bytes, formula_safe

HEADER = (
    "waktu datang",
    "nama",
    "instansi",
    "NIP/identitas",
    "telepon",
    "layanan",
    "nomor antrian",
    "kode tiket",
    "tiket diterbitkan",
    "menit sampai tiket",
    "status",
    "nomor registrasi",
    "menit di loket",
    "dicatat oleh",
)


TIMED = ("waktu datang", "tiket diterbitkan")  # the columns of local times: their heading names the zone


def header(zone: str) -> tuple[str, ...]:
    """The columns' headings; a time column's names the unit's zone ("waktu datang (WIB)"), as a
    cell of a spreadsheet is read alone."""
    return tuple(f"{name} ({zone})" if zone and name in TIMED else name for name in HEADER)


def _values(row: dict[str, Any]) -> list[Any]:
    """One guest-book row: local times as naive datetimes, minutes as integers or None."""
    entry, ticket = row["entry"], row["ticket"]
    return [
        row["arrived"].replace(tzinfo=None),
        entry.name,
        entry.agency,
        entry.id_number,
        entry.phone,
        entry.service.name,
        ticket.display if ticket else "",
        ticket.code if ticket else "",
        row["issued"].replace(tzinfo=None) if row["issued"] else None,
        row["minutes"],
        ticket.get_status_display() if ticket else "",
        ticket.case.reference if ticket and ticket.case_id else "",
        ticket.minutes_at_counter if ticket else None,
        entry.recorded_by.get_username(),
    ]


def _cell(value: Any) -> Any:
    """A CSV cell a spreadsheet will not run as a formula."""
    if isinstance(value, str):
        return formula_safe(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return "" if value is None else value


def as_csv(rows: Iterable[dict[str, Any]], *, zone: str = "") -> bytes:
    return csv_bytes(header(zone), ([_cell(v) for v in _values(row)] for row in rows))


def as_xlsx(rows: Iterable[dict[str, Any]], *, title: str, zone: str = "") -> bytes:
    out = io.BytesIO()
    # strings_to_formulas off: a name typed as "=..." stays text, never a formula.
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet("Buku tamu")
    bold = book.add_format({"bold": True})
    when = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet.write_row(0, 0, header(zone), bold)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(_values(row)):
            if isinstance(value, dt.datetime):
                sheet.write_datetime(r, c, value, when)
            elif value is None:
                sheet.write_blank(r, c, None)
            elif isinstance(value, int):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, value)
    sheet.set_column(0, 0, 17)
    sheet.set_column(1, 2, 28)
    sheet.set_column(3, 13, 15)
    sheet.freeze_panes(1, 0)
    book.set_properties({"title": title})
    book.close()
    return out.getvalue()
