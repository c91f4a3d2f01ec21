"""The official document: a PDF that parses and holds the SOP, a well-formed SVG, a printable HTML."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from loket.sop.load import load_file
from loket.sop.render import FORMATS, render
from loket.sop.render.document import tanggal

DEFINITIONS = sorted((Path(__file__).parents[2] / "src/loket/sop/definitions").glob("*.yaml"))
SVG_NS = "{http://www.w3.org/2000/svg}"


def _sop(path):
    loaded = load_file(path)
    assert loaded.sop is not None
    return loaded.sop


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module", params=DEFINITIONS, ids=lambda p: p.stem)
def pdf(request):
    sop = _sop(request.param)
    return sop, PdfReader(io.BytesIO(render(sop, "pdf", unit_name="Unit Uji")))


def test_the_pdf_holds_the_nomor_and_every_step(pdf):
    sop, reader = pdf
    text = _squash("".join(page.extract_text() for page in reader.pages))
    assert _squash(sop.nomor) in text
    assert _squash(sop.nama.upper()) in _squash(text.upper())
    for k in sop.kegiatan:
        assert _squash(k.uraian) in text, f"step {k.no} missing from the PDF"
        assert ("N/A" if k.waktu is None else f"{k.waktu}menit") in text
    for lane in sop.pelaksana:
        assert _squash(lane) in text


def test_the_pdf_is_a4_landscape_with_numbered_pages(pdf):
    _, reader = pdf
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    n = len(reader.pages)
    assert n >= 2  # the header page, then the activity table
    last = _squash(reader.pages[-1].extract_text())
    assert f"Halaman{n}dari{n}" in last


def test_the_pdf_prints_the_header_fields():
    sop = _sop(next(p for p in DEFINITIONS if p.stem == "kaltim-reset-ppk"))
    reader = PdfReader(io.BytesIO(render(sop, "pdf", unit_name="Biro Pengadaan Barang/Jasa")))
    first = _squash(reader.pages[0].extract_text())
    for expected in [
        "NomorSOP",
        "TanggalPembuatan",
        "28Februari2023",
        "TanggalRevisi",
        "DisahkanOleh",
        "NIP.19720528200502 1001".replace(" ", ""),
        "DasarHukum",
        "KualifikasiPelaksana",
        "Keterkaitan",
        "Peralatan/Perlengkapan",
        "Peringatan",
        "PencatatandanPendataan",
    ]:
        assert expected in first, expected


@pytest.mark.parametrize("path", DEFINITIONS, ids=lambda p: p.stem)
def test_the_svg_is_well_formed_with_labelled_lanes_and_every_step(path):
    sop = _sop(path)
    root = etree.fromstring(render(sop, "svg"))
    assert root.tag == f"{SVG_NS}svg"
    texts = [t.text for t in root.iter(f"{SVG_NS}text")]
    for lane in sop.pelaksana:
        assert lane in texts
    for k in sop.kegiatan:
        assert str(k.no) in texts
    decisions = sum(1 for k in sop.kegiatan if k.keputusan)
    assert texts.count("Ya") == decisions and texts.count("Tidak") == decisions
    assert len(root.findall(f".//{SVG_NS}polyline")) >= len(sop.kegiatan) - 1  # one arrow per link at least


def test_the_html_document_embeds_its_font_and_prints_on_a4_landscape():
    sop = _sop(DEFINITIONS[0])
    html = render(sop, "html").decode()
    assert "size: A4 landscape" in html
    assert "@font-face" in html and "font/ttf;base64," in html
    assert html.count('id="langkah-') == len(sop.kegiatan)


def test_the_html_escapes_what_the_file_says():
    sop = _sop(DEFINITIONS[0]).model_copy(update={"nama": "<script>alert(1)</script>"})
    html = render(sop, "html").decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_every_format_is_rendered_for_every_seed():
    for path in DEFINITIONS:
        sop = _sop(path)
        for fmt in FORMATS:
            assert render(sop, fmt), (path.stem, fmt)


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="unknown format"):
        render(_sop(DEFINITIONS[0]), "docx")


def test_dates_are_printed_the_indonesian_way():
    import datetime as dt

    assert tanggal(dt.date(2022, 1, 7)) == "7 Januari 2022"
    assert tanggal(None) == ""
