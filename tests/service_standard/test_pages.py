"""The Standar Pelayanan pages, without sign-in: the index, each service's page (the 14
components, the flowchart, the unit's identity) and its A4 PDF (read back with pypdf), the links
from the SOP catalogue and the portal; and the unit command's flags that set the unit's fields."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from pypdf import PdfReader

from loket.catalog.selectors import latest_versions, parsed
from loket.units.models import Unit
from tests.service_standard.test_builder import TITLES
from tests.sop_factory import install, reset_sop

pytestmark = pytest.mark.django_db


def _pdf_text(content: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(content))
    return reader, " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_each_services_page_shows_the_fourteen_components_without_sign_in(installed):
    client = Client()
    for version in latest_versions():
        response = client.get(f"/standar-pelayanan/{version.kode}/")
        assert response.status_code == 200, version.kode
        html = response.content.decode()
        for title in TITLES:
            assert f'class="sp-title">{title.replace(",", ",")}</th>' in html, (version.kode, title)
        assert html.count('<tr id="') == 14
        assert "Penyampaian Pelayanan (Service Delivery)" in html
        assert "Pengelolaan Pelayanan (Manufacturing)" in html
        assert '<div class="flowchart sp-flowchart"><svg' in html
        assert version.unit.nama in html
        assert f"/standar-pelayanan/{version.kode}/standar-pelayanan.pdf?versi={version.versi}" in html


def test_the_pdf_of_each_service_prints_on_a4_with_every_component_and_the_unit(installed):
    client = Client()
    for version in latest_versions():
        sop = parsed(version)
        response = client.get(f"/standar-pelayanan/{version.kode}/standar-pelayanan.pdf")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        reader, text = _pdf_text(response.content)
        box = reader.pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 portrait, in points
        for title in ["STANDAR PELAYANAN", *TITLES, "No Komponen Uraian"]:
            assert title in text, (version.kode, title)
        assert " ".join(version.unit.nama.split()) in text
        assert "Ditetapkan di" in text and "pada tanggal" in text
        if sop.disahkan_oleh and sop.disahkan_oleh.nama:
            assert sop.disahkan_oleh.nama in text
            assert f"NIP. {sop.disahkan_oleh.nip}" in text
        assert "Lampiran: Diagram Alir" in text
        assert reader.metadata.title == f"Standar Pelayanan {sop.nama}"


def test_the_pdf_carries_the_units_letterhead_and_its_own_settings(installed):
    call_command(
        "unit",
        "add",
        "kaltim",
        "--update",
        "--letterhead",
        "PEMERINTAH PROVINSI KALIMANTAN TIMUR|SEKRETARIAT DAERAH",
        "--address",
        "Jl. Gajah Mada No. 2, Samarinda",
        "--fee",
        "Tidak dipungut biaya (Perda Kaltim 1/2025)",
        "--established-at",
        "Samarinda",
        stdout=io.StringIO(),
    )
    response = Client().get("/standar-pelayanan/kaltim-reset-ppk/standar-pelayanan.pdf?unduh")
    assert response["Content-Disposition"].startswith("attachment;")
    _reader, text = _pdf_text(response.content)
    assert text.startswith("PEMERINTAH PROVINSI KALIMANTAN TIMUR SEKRETARIAT DAERAH Jl. Gajah Mada No. 2, Samarinda")
    assert "Tidak dipungut biaya (Perda Kaltim 1/2025)" in text
    assert "Ditetapkan di Samarinda" in text


def test_the_unit_command_sets_and_shows_the_standards_fields(installed):
    call_command(
        "unit",
        "add",
        "sbt",
        "--update",
        "--staff-count",
        "2 orang",
        "--complaints",
        "Kotak saran|Telepon 0911-1",
        stdout=io.StringIO(),
    )
    unit = Unit.objects.get(kode="sbt")
    assert (unit.sp_jumlah_pelaksana, unit.sp_pengaduan) == ("2 orang", "Kotak saran\nTelepon 0911-1")
    out = io.StringIO()
    call_command("unit", "show", "sbt", stdout=out)
    shown = out.getvalue()
    assert "--staff-count: 2 orang" in shown
    assert "--complaints: Kotak saran / Telepon 0911-1" in shown
    assert "--fee: (bawaan)" in shown


def test_an_older_version_is_shown_when_asked_and_bad_addresses_are_not_found(installed):
    text = reset_sop(kode="uji-sp-versi", unit="kaltim", versi=1, nama="Layanan Versi Satu")
    install(text)
    install(reset_sop(kode="uji-sp-versi", unit="kaltim", versi=2, nama="Layanan Versi Dua"))
    client = Client()
    newest = client.get("/standar-pelayanan/uji-sp-versi/").content.decode()
    older = client.get("/standar-pelayanan/uji-sp-versi/?versi=1").content.decode()
    assert "Layanan Versi Dua" in newest and "Ini versi lama." not in newest
    assert "Layanan Versi Satu" in older and "Ini versi lama." in older
    _reader, pdf_text = _pdf_text(client.get("/standar-pelayanan/uji-sp-versi/standar-pelayanan.pdf?versi=1").content)
    assert "Layanan Versi Satu" in pdf_text
    for url in [
        "/standar-pelayanan/tidak-ada/",
        "/standar-pelayanan/uji-sp-versi/?versi=9",
        "/standar-pelayanan/uji-sp-versi/?versi=satu",
        "/standar-pelayanan/tidak-ada/standar-pelayanan.pdf",
        "/standar-pelayanan/?unit=tidak-ada",
    ]:
        assert client.get(url).status_code == 404, url


def test_the_index_lists_every_service_by_unit_and_one_units_when_asked(installed):
    client = Client()
    html = client.get("/standar-pelayanan/").content.decode()
    for version in latest_versions():
        assert f'href="/standar-pelayanan/{version.kode}/"' in html
    assert html.count('class="card sp-unit"') == 4
    kkp = client.get("/standar-pelayanan/?unit=kkp").content.decode()
    assert kkp.count('class="card sp-unit"') == 1
    assert 'href="/standar-pelayanan/kkp-reset-admin-agency/"' in kkp
    assert 'href="/standar-pelayanan/kaltim-reset-ppk/"' not in kkp


def test_the_sop_page_and_the_portals_service_list_link_to_the_standard(installed):
    client = Client()
    sop_page = client.get("/sop/kaltim-reset-ppk/").content.decode()
    versi = parsed(next(v for v in latest_versions() if v.kode == "kaltim-reset-ppk")).versi
    assert f'href="/standar-pelayanan/kaltim-reset-ppk/?versi={versi}"' in sop_page
    portal = client.get("/permohonan/?unit=kaltim").content.decode()
    assert 'href="/standar-pelayanan/kaltim-reset-ppk/"' in portal
