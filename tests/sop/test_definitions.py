"""The five built-in SOP files (src/loket/sop/definitions) against the printed SOPs they transcribe.

Every table below is literal data read from the seeds in /work/shared/seeds (000 Kaltim reset PPK,
001 Magelang reset PPK, 002 Kaltim registrasi Admin Agency, 003 SBT reset Pokja, 004 KKP reset Admin
Agency): the Waktu column (N/A and blank -> None), the actor of each step (from the lane marks and the
step's wording), the branches of each decision, and the header (Nomor SOP, NIP, dates). Each file must
also check clean against the units of units.yaml.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from loket.sop import model
from loket.sop.check import check_file
from loket.sop.load import read_yaml
from loket.sop.model import Sop

HERE = Path(model.__file__).parent
DEFINITIONS = HERE / "definitions"
KODES = [
    "kaltim-registrasi-admin-agency",
    "kaltim-reset-ppk",
    "kkp-reset-admin-agency",
    "magelang-reset-ppk",
    "sbt-reset-pokja",
]

AA, PPE, HD, FO = "Admin Agency", "Admin PPE", "Helpdesk", "Front Office"


def units() -> list[str]:
    data = read_yaml((HERE / "units.yaml").read_text(encoding="utf-8"))
    return [u["kode"] for u in data]


def sop(kode: str) -> Sop:
    loaded = check_file(DEFINITIONS / f"{kode}.yaml", known_units=units())
    assert loaded.violations == []
    assert loaded.sop is not None
    return loaded.sop


# --- the files as a whole ------------------------------------------------------------------------


def test_the_five_seed_definitions_are_there() -> None:
    assert sorted(p.stem for p in DEFINITIONS.glob("*.yaml")) == KODES


def test_units_yaml_names_the_four_units() -> None:
    assert units() == ["kaltim", "magelang", "sbt", "kkp"]


@pytest.mark.parametrize("kode", KODES)
def test_every_definition_loads_and_checks_clean(kode: str) -> None:
    loaded = check_file(DEFINITIONS / f"{kode}.yaml", known_units=units())
    assert [str(v) for v in loaded.violations] == []
    assert loaded.sop is not None


@pytest.mark.parametrize("kode", KODES)
def test_kode_equals_the_file_name(kode: str) -> None:
    assert sop(kode).kode == kode


@pytest.mark.parametrize(
    ("kode", "unit", "layanan", "peran_akun", "versi"),
    [
        # Versi 2: the agency scope of their Admin Agency lane is declared (lingkup_instansi);
        # versi 3: the SK's original, shown in person, is marked (asli).
        # Magelang versi 4: the appointment decree asked per role (peran).
        # One more versi for each: the lane that reviews deviations (pengawas).
        ("kaltim-reset-ppk", "kaltim", "reset-akun", ["PPK"], 4),
        # The table title of 001 reads "... USER ID PPK/PP/POKIA" (POKJA).
        ("magelang-reset-ppk", "magelang", "reset-akun", ["PPK", "PP", "Pokja Pemilihan"], 5),
        # Versi 3: the heading printed on the form (kop).
        ("sbt-reset-pokja", "sbt", "reset-akun", ["Pokja Pemilihan"], 4),
        # Versi 2: the form Loket fills (formulir), the training gate (tunggu) and the copy (tembusan).
        ("kaltim-registrasi-admin-agency", "kaltim", "registrasi-akun", ["Admin Agency"], 3),
        # Versi 2: the original SK shown at the counter is recorded (asli); versi 3: "Tanggal Efektif".
        ("kkp-reset-admin-agency", "kkp", "reset-akun", ["Admin Agency"], 4),
    ],
)
def test_unit_service_and_roles(kode: str, unit: str, layanan: str, peran_akun: list[str], versi: int) -> None:
    s = sop(kode)
    assert (s.unit, s.layanan, s.peran_akun, s.versi) == (unit, layanan, peran_akun, versi)


# --- the header ----------------------------------------------------------------------------------

# nama (printed in capitals), nomor, approver's name and NIP, and the dates (pembuatan, revisi,
# pengesahan, efektif) as printed; None where the form is blank or the field is missing.
HEADERS = {
    "kaltim-reset-ppk": (
        "PERUBAHAN PASSWORD DAN PEMBERIAN INFORMASI USER ID PPK",
        "000.3/0628/BPLPSE/B.PBJ",
        ("KEPALA BIRO PENGADAAN BARANG DAN JASA", "Buyung Dodi Gunawan, S.T., M.M.", "19720528 200502 1 001"),
        (dt.date(2023, 2, 28), None, None, None),
    ),
    "kaltim-registrasi-admin-agency": (
        "REGISTRASI ADMIN AGENCY K/L/D/I",
        "000.3/06.20/BPLPSE/B.PBJ",
        ("KEPALA BIRO PENGADAAN BARANG DAN JASA", "Buyung Dodi Gunawan, S.T., M.M.", "19720528 200502 1 001"),
        (dt.date(2023, 2, 28), None, None, None),
    ),
    "sbt-reset-pokja": (
        "SOP RESET PASSWORD DAN PERUBAHAN INFORMASI USER ID POKJA PEMILIHAN",
        "027/04/SOP-LPSE/UKPBJ/2022",
        ("PJ. SEKRETARIS DAERAH", "Drs. JAFAR KWAIRUMARATU", "19650705 199203 1 023"),
        (dt.date(2022, 1, 5), None, dt.date(2022, 1, 7), None),
    ),
    "kkp-reset-admin-agency": (
        "PERUBAHAN PASSWORD DAN PEMBERIAN INFORMASI USER ID ADMIN AGENCY",
        "B. 1958/SJ.6/ST.310/VI/1/2018",
        (None, "Budi Sulistiyo", "19661130 198702 1 001"),  # jabatan: see the next test
        (None, None, None, None),  # Tanggal Pembuatan, Revisi and Efektif printed blank
    ),
}


@pytest.mark.parametrize("kode", sorted(HEADERS))
def test_header_fields_match_the_seed(kode: str) -> None:
    nama, nomor, (jabatan, approver, nip), dates = HEADERS[kode]
    s = sop(kode)
    assert s.nama.upper() == nama
    assert s.nomor == nomor
    assert s.disahkan_oleh is not None
    if jabatan is not None:
        assert s.disahkan_oleh.jabatan.upper() == jabatan
    assert s.disahkan_oleh.nama == approver
    assert s.disahkan_oleh.nip == nip
    assert (s.tanggal.pembuatan, s.tanggal.revisi, s.tanggal.pengesahan, s.tanggal.efektif) == dates


def test_kkp_approver_signs_for_the_secretary_general() -> None:
    jabatan = sop("kkp-reset-admin-agency").disahkan_oleh
    assert jabatan is not None
    assert "a.n. Sekretaris Jenderal" in jabatan.jabatan
    assert "Plt. Kepala Biro Umum dan Pengadaan Barang Jasa" in jabatan.jabatan


def test_magelang_prints_no_header_so_none_is_invented() -> None:
    # Seed 001 has no header page: no Nomor SOP, no dates, no approver.
    s = sop("magelang-reset-ppk")
    assert s.nama.upper() == "PERUBAHAN PASSWORD DAN PEMBERIAN INFORMASI USER ID PPK"
    assert s.nomor == "-"
    assert s.disahkan_oleh is None
    assert (s.tanggal.pembuatan, s.tanggal.revisi, s.tanggal.pengesahan, s.tanggal.efektif) == (None,) * 4


# --- the table: lanes, minutes, actors, branches -------------------------------------------------

LANES = {
    "kaltim-reset-ppk": ["PPK", AA],
    "magelang-reset-ppk": ["PPK", AA],
    "sbt-reset-pokja": ["Pokja Pemilihan", AA],
    "kaltim-registrasi-admin-agency": ["Pimpinan Instansi", AA, "Kepala LPSE", PPE],
    "kkp-reset-admin-agency": [AA, FO, HD, PPE],
}

# Waktu per step, as printed ("N/A" and a blank cell -> None).
MINUTES = {
    "kaltim-reset-ppk": {1: None, 2: 5, 3: 5, 4: None, 5: 10, 6: 5, 7: 5, 8: 10, 9: 5},
    "magelang-reset-ppk": {1: None, 2: 5, 3: 5, 4: None, 5: 10, 6: 5, 7: 5, 8: 10, 9: 5},
    "sbt-reset-pokja": {1: None, 2: 5, 3: 5, 4: None, 5: 15, 6: 15, 7: 5, 8: 10, 9: 5},
    "kaltim-registrasi-admin-agency": {1: None, 2: None, 3: 5, 4: 5, 5: None, 6: 15, 7: 10, 8: 10},
    "kkp-reset-admin-agency": {
        1: None,
        2: None,
        3: 5,
        4: None,
        5: 5,
        6: 5,
        7: None,
        8: None,  # blank cell
        9: 15,
        10: 10,
        11: 5,
        12: 5,
        13: 10,
        14: 5,
    },
}

# The actor (lane) of each step.
ACTORS = {
    "kaltim-reset-ppk": {1: "PPK", 2: AA, 3: AA, 4: "PPK", 5: AA, 6: AA, 7: AA, 8: AA, 9: AA},
    "magelang-reset-ppk": {1: "PPK", 2: AA, 3: AA, 4: "PPK", 5: AA, 6: AA, 7: AA, 8: AA, 9: AA},
    "sbt-reset-pokja": {1: "Pokja Pemilihan", 2: AA, 3: AA, 4: "Pokja Pemilihan", 5: AA, 6: AA, 7: AA, 8: AA, 9: AA},
    "kaltim-registrasi-admin-agency": {
        1: "Pimpinan Instansi",
        2: "Kepala LPSE",
        3: PPE,
        4: PPE,
        5: AA,  # "Melengkapi": the Admin Agency asked in step 4
        6: PPE,
        7: PPE,
        8: PPE,
    },
    "kkp-reset-admin-agency": {
        1: AA,
        2: AA,  # "Admin Agency melapor ke front office dan mengisi buku tamu"
        3: FO,  # queue number
        4: HD,
        5: HD,
        6: HD,  # "helpdesk meminta kepada Admin Agency"
        7: AA,
        8: HD,  # "helpdesk menyerahkan berkas permohonan kepada Admin PPE"
        9: PPE,  # "Menerima berkas permohonan dari Helpdesk"
        10: PPE,
        11: PPE,  # "Memberitahu Admin Agency melalui Helpdesk"
        12: PPE,
        13: PPE,  # lane not legible in the seed; the holder of the result
        14: HD,
    },
}

# Each decision: step -> (ya, tidak).
DECISIONS = {
    "kaltim-reset-ppk": {2: (5, 3), 5: (6, 7)},
    "magelang-reset-ppk": {2: (5, 3), 5: (6, 7)},
    "sbt-reset-pokja": {2: (5, 3), 5: (6, 7)},
    "kaltim-registrasi-admin-agency": {3: (6, 4)},
    # 1: "apabila datang langsung lanjut ke 2 sd 4, apabila melalui email lanjut ke nomor 4"
    "kkp-reset-admin-agency": {1: (2, 4), 5: (8, 6), 9: (10, 11)},
}

# Every other step: step -> lanjut.
NEXT = {
    "kaltim-reset-ppk": {1: 2, 3: 4, 4: 2, 6: 8, 7: "selesai", 8: 9, 9: "selesai"},
    "magelang-reset-ppk": {1: 2, 3: 4, 4: 2, 6: 8, 7: "selesai", 8: 9, 9: "selesai"},
    "sbt-reset-pokja": {1: 2, 3: 4, 4: 2, 6: 8, 7: "selesai", 8: 9, 9: "selesai"},
    "kaltim-registrasi-admin-agency": {1: 2, 2: 3, 4: 5, 5: 3, 6: 7, 7: 8, 8: "selesai"},
    "kkp-reset-admin-agency": {
        2: 3,
        3: 4,
        4: 5,
        6: 7,
        7: 5,
        8: 9,
        10: 12,
        11: "selesai",
        12: 13,
        13: 14,
        14: "selesai",
    },
}

# Which step does what: the completeness check, the validity check, the refusal, the archive.
ROLES = {
    "kaltim-reset-ppk": {"periksa-kelengkapan": [2], "periksa-keabsahan": [5], "tolak": [7], "arsipkan": [9]},
    "magelang-reset-ppk": {"periksa-kelengkapan": [2], "periksa-keabsahan": [5], "tolak": [7], "arsipkan": [9]},
    "sbt-reset-pokja": {"periksa-kelengkapan": [2], "periksa-keabsahan": [5], "tolak": [7], "arsipkan": [9]},
    "kaltim-registrasi-admin-agency": {
        "periksa-kelengkapan": [3],
        "periksa-keabsahan": [],
        "tolak": [],
        "arsipkan": [8],
        "buat-akun": [6],
    },
    "kkp-reset-admin-agency": {"periksa-kelengkapan": [5], "periksa-keabsahan": [9], "tolak": [11], "arsipkan": [13]},
}


@pytest.mark.parametrize("kode", KODES)
def test_lanes_are_the_table_columns_left_to_right(kode: str) -> None:
    assert sop(kode).pelaksana == LANES[kode]


@pytest.mark.parametrize("kode", KODES)
def test_minutes_of_every_step_match_the_seed(kode: str) -> None:
    assert {k.no: k.waktu for k in sop(kode).kegiatan} == MINUTES[kode]


@pytest.mark.parametrize("kode", KODES)
def test_steps_are_numbered_as_printed_and_in_order(kode: str) -> None:
    assert [k.no for k in sop(kode).kegiatan] == sorted(MINUTES[kode])


@pytest.mark.parametrize("kode", KODES)
def test_actor_of_every_step_matches_the_seed(kode: str) -> None:
    assert {k.no: k.pelaksana for k in sop(kode).kegiatan} == ACTORS[kode]


@pytest.mark.parametrize("kode", KODES)
def test_decision_branches_match_the_seed(kode: str) -> None:
    s = sop(kode)
    got = {k.no: (k.keputusan.ya, k.keputusan.tidak) for k in s.kegiatan if k.keputusan is not None}
    assert got == DECISIONS[kode]
    assert {k.no: k.lanjut for k in s.kegiatan if k.keputusan is None} == NEXT[kode]


@pytest.mark.parametrize("kode", KODES)
def test_the_steps_that_check_refuse_and_archive(kode: str) -> None:
    s = sop(kode)
    for aksi, steps in ROLES[kode].items():
        assert [k.no for k in s.kegiatan if k.aksi == aksi] == steps, aksi


@pytest.mark.parametrize("kode", KODES)
def test_the_requester_submits_first_and_completes_the_file(kode: str) -> None:
    s = sop(kode)
    assert s.step(1).aksi == "ajukan-berkas"
    completing = [k for k in s.kegiatan if k.aksi == "lengkapi-berkas"]
    assert len(completing) == 1
    # The requester's steps are untimed (N/A) in every seed.
    assert completing[0].waktu is None and s.step(1).waktu is None


def test_only_the_kkp_channel_decision_is_answered_by_the_system() -> None:
    for kode in KODES:
        for k in sop(kode).kegiatan:
            if k.keputusan is None:
                continue
            if (kode, k.no) == ("kkp-reset-admin-agency", 1):
                assert (k.keputusan.oleh, k.keputusan.syarat) == ("sistem", "kanal-langsung")
            else:
                assert (k.keputusan.oleh, k.keputusan.syarat) == ("staf", None), (kode, k.no)


# --- documents handed in -------------------------------------------------------------------------

# The appointment decree as the seed's Peralatan/Perlengkapan names it.
DECREES = {
    "kaltim-reset-ppk": "Surat Keputusan/SK pengangkatan sebagai PPK",
    "magelang-reset-ppk": "Surat keputusan/SK pengangkatan sebagai PPK",
    "sbt-reset-pokja": "Surat Penetapan Sebagai Pokja Pemilihan",
    "kaltim-registrasi-admin-agency": "Surat Keputusan/SK Penunjukan sebagai Admin Agency",
    "kkp-reset-admin-agency": "SK Pengangkatan Admin Agency",
}


@pytest.mark.parametrize("kode", KODES)
def test_berkas_has_the_request_letter_and_the_appointment_decree(kode: str) -> None:
    berkas = {b.kode: b for b in sop(kode).berkas}
    assert "surat-permohonan" in berkas
    assert "sk-pengangkatan" in berkas
    assert berkas["surat-permohonan"].nama.lower().startswith("surat permohonan")
    assert berkas["surat-permohonan"].wajib
    assert berkas["sk-pengangkatan"].nama == DECREES[kode]
    assert berkas["sk-pengangkatan"].wajib


def test_the_registration_also_asks_for_the_account_form() -> None:
    # Seed 002 step 1: form, appointment letter, request letter to the head of the LPSE.
    berkas = sop("kaltim-registrasi-admin-agency").berkas
    assert [b.kode for b in berkas] == ["formulir-akun", "sk-pengangkatan", "surat-permohonan"]
    assert berkas[0].nama == "Formulir Permohonan Pembuatan Akun Admin Agency"
    assert berkas[2].nama == "Surat Permohonan kepada Pimpinan LPSE"


def test_the_registration_gates_activation_on_training_and_copies_the_head() -> None:
    # Seed 002: "Aktivasi akun dilakukan jika Admin Agency telah mengikuti pelatihan" (step 6) and
    # "... dengan tembusan kepada Kepala LPSE" (step 7); Loket fills the application form.
    registration = sop("kaltim-registrasi-admin-agency")
    assert registration.step(6).tunggu == "pelatihan"
    assert registration.step(7).tembusan == ["Kepala LPSE"]
    assert [b.kode for b in registration.berkas if b.formulir] == ["formulir-akun"]
