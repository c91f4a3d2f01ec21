"""The official document's header, on the rendered HTML: the date rows the file names, the printed
heading (`kop`) or else the unit's name, the title line without a doubled "SOP", and the optional
logo cell."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from lxml import html as lxml_html

from loket.sop.check import check_text
from loket.sop.load import load_file
from loket.sop.model import Sop
from loket.sop.render.document import render_html

DEFINITIONS = Path(__file__).parents[2] / "src/loket/sop/definitions"
# a 1x1 transparent PNG
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")


def _sop(stem: str) -> Sop:
    loaded = load_file(DEFINITIONS / f"{stem}.yaml")
    assert loaded.sop is not None, loaded.violations
    return loaded.sop


def _header(sop: Sop, **kwargs):
    doc = lxml_html.fromstring(render_html(sop, unit_name="Unit Uji", **kwargs))
    (table,) = doc.xpath("//table[contains(@class, 'header')]")
    return doc, table


def _labels(table) -> list[str]:
    return [td.text_content().strip() for td in table.xpath(".//td[contains(@class, 'label')]")]


def _with(sop: Sop, **changes) -> Sop:
    return Sop.model_validate({**sop.model_dump(exclude_unset=True), **changes})


@pytest.mark.parametrize(
    ("stem", "label"),
    [
        ("kkp-reset-admin-agency", "Tanggal Efektif"),  # seed 004 prints "Tanggal Efektif"
        ("sbt-reset-pokja", "Tanggal Pengesahan"),  # seed 003 prints "Tanggal Pengesahan"
        ("kaltim-reset-ppk", "Tanggal Pengesahan"),  # seed 000 prints "TGL PENGESAHAN"
        ("kaltim-registrasi-admin-agency", "Tanggal Pengesahan"),  # seed 002 likewise
    ],
)
def test_the_date_row_is_the_one_the_file_names(stem, label):
    _doc, table = _header(_sop(stem))
    labels = _labels(table)
    assert labels[:3] == ["Nomor SOP", "Tanggal Pembuatan", "Tanggal Revisi"]
    assert labels[3] == label
    assert ({"Tanggal Efektif", "Tanggal Pengesahan"} - {label}).isdisjoint(labels)
    # the heading cell spans every row of the header
    (cell,) = table.xpath(".//td[contains(@class, 'unit')]")
    assert cell.get("rowspan") == str(len(labels))


def test_the_date_label_follows_the_file_not_the_kode():
    tanggal = {"pembuatan": "2024-01-02", "efektif": "2024-02-03"}
    sop = Sop.model_validate({**_sop("sbt-reset-pokja").model_dump(exclude_unset=True), "tanggal": tanggal})
    _doc, table = _header(sop)
    assert "Tanggal Efektif" in _labels(table) and "Tanggal Pengesahan" not in _labels(table)
    assert "3 Februari 2024" in table.text_content()
    both = _with(sop, tanggal={"pengesahan": "2024-01-05", "efektif": "2024-02-03"})
    labels = _labels(_header(both)[1])
    assert labels[3:5] == ["Tanggal Pengesahan", "Tanggal Efektif"]
    neither = _with(sop, tanggal={})
    assert _labels(_header(neither)[1])[3] == "Tanggal Pengesahan"


def test_sbt_prints_its_heading_and_no_doubled_sop():
    sop = _sop("sbt-reset-pokja")
    doc, table = _header(sop)
    (kop,) = table.xpath(".//div[contains(@class, 'kop')]")
    assert [t.strip() for t in kop.itertext() if t.strip()] == [
        "PEMERINTAH KABUPATEN SERAM BAGIAN TIMUR",
        "SEKRETARIAT DAERAH",
    ]
    assert "Unit Uji" not in kop.text_content()
    titles = [h.text_content() for h in doc.xpath("//h2")]
    assert titles and all(t.startswith("SOP Reset Password") for t in titles)
    assert not any("Prosedur SOP" in t for t in titles)


def test_without_kop_the_unit_name_heads_the_document():
    _doc, table = _header(_sop("kaltim-reset-ppk"))
    (kop,) = table.xpath(".//div[contains(@class, 'kop')]")
    assert kop.text_content().strip() == "Unit Uji"
    doc = _header(_sop("kaltim-reset-ppk"))[0]
    assert all(h.text_content().startswith("Standar Operasional Prosedur Perubahan") for h in doc.xpath("//h2"))


def test_the_checker_knows_kop_and_refuses_an_empty_line():
    text = (DEFINITIONS / "sbt-reset-pokja.yaml").read_text()
    assert check_text(text, "sbt.yaml").violations == []
    broken = text.replace("  - SEKRETARIAT DAERAH\n", '  - ""\n', 1)
    assert [v.rule for v in check_text(broken, "sbt.yaml").violations] == ["kop"]
    typo = text.replace("kop:", "kopp:", 1)
    assert "kunci-asing" in [v.rule for v in check_text(typo, "sbt.yaml").violations]


def test_the_logo_cell_holds_the_logo_when_set(tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    _doc, table = _header(_sop("kaltim-reset-ppk"), logo=logo)
    (img,) = table.xpath(".//div[contains(@class, 'logo')]/img")
    assert img.get("src") == "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert img.get("alt") == "Logo Unit Uji"


@pytest.mark.parametrize("logo", [None, "", "/nonexistent/logo.png", "logo.gif"])
def test_no_logo_no_logo_cell(logo):
    _doc, table = _header(_sop("kaltim-reset-ppk"), logo=logo)
    assert table.xpath(".//div[contains(@class, 'logo')]") == []
    assert table.xpath(".//img") == []
