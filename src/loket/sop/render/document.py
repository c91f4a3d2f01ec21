"""The official SOP document (Permenpan RB 35/2012 layout) as HTML, ready for print or WeasyPrint.

Page 1: the header table (the optional unit logo and the heading, `kop` of the file or else the
unit's name; the date rows the file's `tanggal` names) and the paired sections. Then the activity table, paginated here: every
row's height is measured from its text (text.py) before any page is set, so that the flowchart
(drawn across the lane columns, one picture per cell cut from the page's drawing) lines up with
its rows, and an off-page connector stands where a page break cuts the flow.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from ..model import Kegiatan, Sop
from . import text
from .layout import Page, RowSpec, layout, row_specs
from .svg import page_elements

PAGE_W, PAGE_H = 297.0, 210.0
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 10.0, 10.0, 14.0
CONTENT_W = PAGE_W - 2 * MARGIN_X
FONT_PT = 7.5
HEAD_PT = 7.5
PAD_X, PAD_Y = 1.5, 1.2
MIN_STEP_ROW, MIN_EXTRA_ROW = 15.0, 11.0
TITLE_H = 11.0  # the activity pages' title line and its space
SAFETY = 4.0  # room left at the foot of a page for what measuring cannot foresee

_BULAN = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]


@dataclass(frozen=True)
class Columns:
    no: float
    kegiatan: float
    lane: float
    lanes: int
    kelengkapan: float
    waktu: float
    output: float
    keterangan: float


def columns(lanes: int) -> Columns:
    """Column widths (mm) of the activity table for a number of lanes, filling the page width."""
    no, kegiatan, waktu, output = 8.0, 52.0, 13.0, 30.0
    # lanes share about 100 mm (32 mm at most each), never leaving under 50 mm for the two text columns
    lane = min(32.0, 100.0 / lanes, (CONTENT_W - no - kegiatan - waktu - output - 50.0) / lanes)
    rest = CONTENT_W - no - kegiatan - lane * lanes - waktu - output
    return Columns(no, kegiatan, lane, lanes, round(rest * 0.58, 2), waktu, output, round(rest * 0.42, 2))


def _list_height(items: list[str], width: float) -> float:
    if len(items) == 1:
        return text.height(items[0], width, FONT_PT)
    return sum(text.height(item, width - 3.5, FONT_PT) for item in items)


def waktu_label(k: Kegiatan) -> str:
    return "N/A" if k.waktu is None else f"{k.waktu} menit"


def row_height(spec: RowSpec, cols: Columns) -> float:
    k = spec.step
    if k is None:
        return MIN_EXTRA_ROW
    inner = 2 * PAD_X
    heights = [
        text.height(k.uraian, cols.kegiatan - inner, FONT_PT),
        _list_height(k.kelengkapan, cols.kelengkapan - inner) if k.kelengkapan else 0.0,
        text.height(waktu_label(k), cols.waktu - inner, FONT_PT),
        text.height(k.output or "", cols.output - inner, FONT_PT),
        text.height(k.keterangan or "", cols.keterangan - inner, FONT_PT),
    ]
    # half a spare line: a measured line can still wrap one word earlier in another renderer
    spare = FONT_PT * 0.6 * text.PT_TO_MM
    return max(MIN_STEP_ROW, max(heights) + 2 * PAD_Y + spare)


def header_height(sop: Sop, cols: Columns) -> float:
    lane_names = max(text.height(name, cols.lane - 2 * PAD_X, HEAD_PT, bold=True) for name in sop.pelaksana)
    return 2 * (2 * PAD_Y) + text.height("Pelaksana", 40, HEAD_PT, bold=True) + max(lane_names, 7.0)


def tanggal(value: dt.date | None) -> str:
    return f"{value.day} {_BULAN[value.month - 1]} {value.year}" if value else ""


def tanggal_rows(sop: Sop) -> list[tuple[str, dt.date | None]]:
    """The header's date rows: Pembuatan and Revisi, then the approval date as the file names it.

    The keys the file's `tanggal` block writes (even as null) are the rows its form prints; a date
    given is always printed. Where the file names neither `pengesahan` nor `efektif` (or both,
    without dates), the row reads "Tanggal Pengesahan".
    """
    t = sop.tanggal
    named = t.model_fields_set
    rows: list[tuple[str, dt.date | None]] = [
        ("Tanggal Pembuatan", t.pembuatan),
        ("Tanggal Revisi", t.revisi),
    ]
    efektif = t.efektif is not None or ("efektif" in named and "pengesahan" not in named)
    pengesahan = t.pengesahan is not None or not efektif
    if pengesahan:
        rows.append(("Tanggal Pengesahan", t.pengesahan))
    if efektif:
        rows.append(("Tanggal Efektif", t.efektif))
    return rows


def judul(sop: Sop) -> str:
    """The title line of the activity pages: "Standar Operasional Prosedur" and the name, unless
    the name already begins with "SOP" (as SBT's does): then the name alone, as the form prints."""
    if sop.nama.split(" ", 1)[0].upper() == "SOP":
        return sop.nama
    return f"Standar Operasional Prosedur {sop.nama}"


_LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}


def logo_uri(path: str | Path | None) -> str | None:
    """The unit logo as a data: URI (the document stays self-contained), or None when no logo is
    set, its file is missing or of another type (the document is drawn without it)."""
    if not path:
        return None
    file = Path(path)
    kind = _LOGO_TYPES.get(file.suffix.lower())
    try:
        data = file.read_bytes() if kind else None
    except OSError:
        data = None
    if data is None:
        logging.getLogger(__name__).warning("logo %s tidak dapat dibaca; dokumen tanpa logo", path)
        return None
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


@dataclass
class CellRow:
    """One printed row: the step (or None) and, for each lane, its cut of the page's drawing."""

    step: Kegiatan | None
    height: float
    lanes: list[Markup]


def _cut(page: Page, cols: Columns) -> list[CellRow]:
    drawing = page_elements(page)
    rows = []
    for row in page.rows:
        cells = []
        for lane in range(cols.lanes):
            cells.append(
                Markup(
                    f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{lane * cols.lane:.3f} {row.y:.3f} '
                    f'{cols.lane:.3f} {row.h:.3f}" preserveAspectRatio="none" '
                    f'style="height:{row.h:.3f}mm">{drawing}</svg>'
                )
            )
        rows.append(CellRow(row.spec.step if row.spec else None, row.h, cells))
    return rows


def activity_pages(sop: Sop) -> tuple[Columns, list[list[CellRow]]]:
    cols = columns(len(sop.pelaksana))
    specs = row_specs(sop)
    heights = [row_height(s, cols) for s in specs]
    available = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM - TITLE_H - header_height(sop, cols) - SAFETY
    pages = layout(sop, lane_width=cols.lane, heights=heights, available=available)
    return cols, [_cut(page, cols) for page in pages]


_env = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(sop: Sop, *, unit_name: str | None = None, logo: str | Path | None = None) -> str:
    """The document; `unit_name` heads it where the file has no `kop`, `logo` (an image file:
    PNG, JPEG or SVG) stands in the header's logo cell when given."""
    cols, pages = activity_pages(sop)
    return _env.get_template("sop.html.j2").render(
        sop=sop,
        unit_name=unit_name or sop.unit,
        kop=sop.kop or [unit_name or sop.unit],
        logo=logo_uri(logo),
        judul=judul(sop),
        tanggal_rows=tanggal_rows(sop),
        cols=cols,
        pages=pages,
        tanggal=tanggal,
        waktu_label=waktu_label,
        font_css=Markup(text.font_face_css()),
        font_family=text.FONT_FAMILY,
        margins=(MARGIN_TOP, MARGIN_X, MARGIN_BOTTOM),
        content_w=CONTENT_W,
    )
