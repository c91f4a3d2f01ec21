"""The Standar Pelayanan holds every component (Permenpan RB 15/2014), in the regulation's order,
for each built-in SOP and for a test SOP written here; what the SOP gives comes from it (documents
per role, steps, the happy path's minutes in working time, the outputs), and the unit's settings
replace the defaults of the rest."""

from __future__ import annotations

import pytest

from loket.catalog.selectors import latest_versions, parsed
from loket.service_standard import defaults
from loket.service_standard.builder import COMPONENTS, standard_for, working_time
from loket.sop.paths import happy_path
from loket.units.services import save_unit
from tests.sop_factory import HAPPY_MINUTES, Berkas, make_service

pytestmark = pytest.mark.django_db

TITLES = [
    "Persyaratan",
    "Sistem, Mekanisme, dan Prosedur",
    "Jangka Waktu Pelayanan",
    "Biaya/Tarif",
    "Produk Pelayanan",
    "Penanganan Pengaduan, Saran, dan Masukan",
    "Dasar Hukum",
    "Sarana dan Prasarana, dan/atau Fasilitas",
    "Kompetensi Pelaksana",
    "Pengawasan Internal",
    "Jumlah Pelaksana",
    "Jaminan Pelayanan",
    "Jaminan Keamanan dan Keselamatan Pelayanan",
    "Evaluasi Kinerja Pelaksana",
]


def _assert_complete(standard) -> None:  # type: ignore[no-untyped-def]
    assert [c.title for c in standard.components] == TITLES
    assert [c.no for c in standard.components] == list(range(1, 15))
    assert [c.part for c in standard.components] == ["penyampaian"] * 6 + ["pengelolaan"] * 8
    empty = [c.title for c in standard.components if not c.text.strip()]
    assert empty == []
    assert [(part, len(cs)) for part, _title, cs in standard.parts] == [("penyampaian", 6), ("pengelolaan", 8)]


def test_the_standard_of_each_built_in_sop_holds_every_component_from_its_sop(installed):
    versions = list(latest_versions())
    assert len(versions) == 5
    for version in versions:
        sop = parsed(version)
        standard = standard_for(version)
        _assert_complete(standard)
        # persyaratan: every document the SOP asks for
        for berkas in sop.berkas:
            assert berkas.nama in standard.component("persyaratan").text, (sop.kode, berkas.nama)
        # prosedur: every step with its lane, and the catalogue's flowchart
        prosedur = standard.component("prosedur")
        assert prosedur.flowchart.startswith("<svg")
        for k in sop.kegiatan:
            assert any(line.startswith(f"{k.no}. ") and k.pelaksana in line for line in prosedur.blocks[0].items)
        # jangka waktu: the happy path's minutes
        happy = happy_path(sop)
        assert happy is not None
        assert f"Paling lama {happy.minutes} menit kerja" in standard.component("jangka_waktu").text
        # dasar hukum: the SOP's, then the legal basis of a standard itself
        for rule in sop.dasar_hukum:
            assert rule in standard.component("dasar_hukum").text
        assert defaults.DASAR_HUKUM[0] in standard.component("dasar_hukum").text
        assert standard.component("biaya").text == "Tidak dipungut biaya."
        assert "lapor.go.id" in standard.component("pengaduan").text
        assert "Survei Kepuasan Masyarakat" in standard.component("evaluasi_kinerja").text
        # pengawasan internal: the SOP's approver, and the lane reviewing the deviations
        pengawasan = standard.component("pengawasan_internal").text
        if sop.disahkan_oleh:
            assert f"atasan langsung ({sop.disahkan_oleh.jabatan})" in pengawasan
        assert f"ditinjau oleh {sop.pengawas or defaults.PENINJAU}" in pengawasan


def test_a_service_whose_roles_hand_in_other_documents_lists_each_roles_own(installed):
    version = next(v for v in latest_versions() if parsed(v).roles_differ)
    sop = parsed(version)
    persyaratan = standard_for(version).component("persyaratan")
    assert [b.heading for b in persyaratan.blocks] == [f"Untuk {role}" for role in sop.peran_akun]
    for block, role in zip(persyaratan.blocks, sop.peran_akun, strict=True):
        assert [item.split(" (")[0] for item in block.items] == [b.nama for b in sop.berkas_for(role)]
    assert "Jangka waktu sama untuk setiap peran" in standard_for(version).component("jangka_waktu").text


def test_a_service_with_two_channels_gives_the_time_of_each(installed):
    """A system decision on the channel (in person or not) makes two happy paths: each has its time."""
    for version in latest_versions():
        sop = parsed(version)
        system_decisions = [k for k in sop.kegiatan if k.keputusan and k.keputusan.oleh == "sistem"]
        if not system_decisions:
            continue
        text = standard_for(version).component("jangka_waktu").text
        question = system_decisions[0].keputusan.pertanyaan  # type: ignore[union-attr]
        assert f"{question} Ya" in text and f"{question} Tidak" in text
        break
    else:
        pytest.fail("no built-in SOP has a system decision")


def test_a_test_sop_written_here_gives_its_own_standard(db):
    service = make_service(
        unit="uji-sp",
        nama="Pemulihan Akun SPSE Pejabat Pengadaan",
        lanes={2: "Petugas Layanan", 3: "Petugas Layanan"},
        berkas=(
            Berkas("surat-pengajuan", "Surat pengajuan pemulihan akun SPSE"),
            Berkas("kartu-pegawai", "Kartu pegawai", wajib=False),
        ),
    )
    standard = standard_for(service.version)
    _assert_complete(standard)
    assert standard.component("persyaratan").blocks[0].items == (
        "Surat pengajuan pemulihan akun SPSE",
        "Kartu pegawai (tidak wajib)",
    )
    jangka = standard.component("jangka_waktu").text
    assert f"Paling lama {HAPPY_MINUTES} menit kerja, selesai dalam 1 hari kerja" in jangka
    assert "Senin–Jumat 08.00–16.00 WITA" in jangka
    # per lane on the happy path 1-2-5-6-8-9: Petugas Layanan 10, Verifikator Akun 15 + 5 + 5 + 5
    assert "Petugas Layanan: 10 menit kerja" in jangka and "Verifikator Akun: 30 menit kerja" in jangka
    # No kualifikasi in the file: one line per staff lane
    kompetensi = standard.component("kompetensi_pelaksana")
    assert kompetensi.origin == "bawaan"
    assert [item.split(":")[0] for item in kompetensi.blocks[0].items] == ["Verifikator Akun", "Petugas Layanan"]
    # jumlah pelaksana: counted from the staff holding the lanes (one Petugas Layanan, one
    # Verifikator Akun per agency)
    jumlah = standard.component("jumlah_pelaksana")
    assert jumlah.origin == "petugas"
    assert jumlah.blocks[0].paragraphs == ("3 orang",)
    assert set(jumlah.blocks[0].items) == {"Verifikator Akun: 2 orang", "Petugas Layanan: 1 orang"}
    # no approver in the file: the head of the unit supervises and signs
    assert f"Kepala {service.unit.nama}" in standard.component("pengawasan_internal").text
    assert standard.signature.position == f"Kepala {service.unit.nama}"


def test_a_staff_member_switched_off_is_not_counted(db):
    service = make_service(unit="uji-sp")
    before = standard_for(service.version).component("jumlah_pelaksana").blocks[0].paragraphs
    service.verifier.is_active = False
    service.verifier.save(update_fields=["is_active"])
    after = standard_for(service.version).component("jumlah_pelaksana").blocks[0].paragraphs
    assert (before, after) == (("2 orang",), ("1 orang",))


def test_the_units_settings_replace_the_defaults(service):
    save_unit(
        actor=None,
        kode=service.unit.kode,
        nama=None,
        zona_waktu=None,
        jam_kerja=None,
        update=True,
        surel="ukpbj@uji.go.id",
        telepon="(0541) 733333",
        standard={
            "sp_biaya": "Gratis, tanpa biaya apa pun",
            "sp_pengaduan": "Kotak saran di ruang layanan|Layanan WhatsApp 0811-000-111",
            "sp_sarana_prasarana": "Ruang layanan ber-AC",
            "sp_kompetensi_pelaksana": "Bersertifikat pelatihan SPSE",
            "sp_pengawasan_internal": "Inspektorat Kabupaten Uji",
            "sp_jumlah_pelaksana": "5 orang",
            "sp_jaminan_pelayanan": "Maklumat pelayanan dipasang di ruang layanan",
            "sp_jaminan_keamanan": "Ruang arsip terkunci",
            "sp_evaluasi_kinerja": "Evaluasi triwulanan",
            "sp_dasar_hukum": "Peraturan Bupati Uji Nomor 7 Tahun 2025 tentang Standar Pelayanan",
            "sp_tempat_penetapan": "Kota Uji",
        },
    )
    service.unit.refresh_from_db()
    standard = standard_for(service.version, service.unit)
    assert standard.component("biaya").text == "Gratis, tanpa biaya apa pun"
    assert standard.component("pengaduan").blocks[0].items == (
        "Kotak saran di ruang layanan",
        "Layanan WhatsApp 0811-000-111",
    )
    set_ones = {
        "sarana_prasarana": "Ruang layanan ber-AC",
        "kompetensi_pelaksana": "Bersertifikat pelatihan SPSE",
        "pengawasan_internal": "Inspektorat Kabupaten Uji",
        "jumlah_pelaksana": "5 orang",
        "jaminan_pelayanan": "Maklumat pelayanan dipasang di ruang layanan",
        "jaminan_keamanan": "Ruang arsip terkunci",
        "evaluasi_kinerja": "Evaluasi triwulanan",
    }
    assert {key: standard.component(key).text for key in set_ones} == set_ones
    assert all(standard.component(key).origin == "unit" for key in [*set_ones, "biaya", "pengaduan"])
    # the unit's legal basis replaces the default one
    dasar = standard.component("dasar_hukum").text
    assert "Peraturan Bupati Uji Nomor 7 Tahun 2025" in dasar and defaults.DASAR_HUKUM[0] not in dasar
    assert standard.signature.place == "Kota Uji"

    # "" empties a setting: its default is back
    save_unit(
        actor=None,
        kode=service.unit.kode,
        nama=None,
        zona_waktu=None,
        jam_kerja=None,
        update=True,
        standard={"sp_biaya": "", "sp_pengaduan": ""},
    )
    service.unit.refresh_from_db()
    standard = standard_for(service.version, service.unit)
    assert standard.component("biaya").text == "Tidak dipungut biaya."
    pengaduan = standard.component("pengaduan").blocks[0].items
    assert pengaduan[:2] == ("E-mail: ukpbj@uji.go.id", "Telepon: (0541) 733333")
    assert pengaduan[-1] == defaults.LAPOR


@pytest.mark.parametrize(
    ("minutes", "words"),
    [
        (35, "35 menit kerja"),
        (60, "1 jam kerja"),
        (95, "1 jam 35 menit kerja"),
        (480, "1 hari kerja"),
        (481, "2 hari kerja"),
        (960, "2 hari kerja"),
    ],
)
def test_working_minutes_are_said_in_words(minutes, words):
    assert working_time(minutes, 480) == words


def test_the_components_are_the_regulations_fourteen():
    assert [title for _key, title, _part in COMPONENTS] == TITLES
