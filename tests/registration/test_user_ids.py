"""The user ID proposed for a new account: filled from the unit's pattern, lower-case ASCII, never
empty, unique among the unit's accounts; and the checks on the one staff settle on."""

from __future__ import annotations

import pytest

from loket.registration.user_ids import (
    agency_initials,
    propose_user_id,
    user_id_pattern_problems,
    user_id_problems,
)
from tests.factories import account
from tests.sop_factory import add_unit

PUPR = "Dinas Pekerjaan Umum dan Penataan Ruang"
NIP = "199001012015012001"


@pytest.fixture
def unit(db):
    return add_unit("uji")


def propose(unit, pattern: str = "{nama}.{instansi}", name: str = "Siti Rahmawati", agency: str = PUPR, nip: str = NIP):  # type: ignore[no-untyped-def]
    return propose_user_id(unit=unit, pattern=pattern, candidate_name=name, agency_name=agency, nip=nip)


@pytest.mark.parametrize(
    ("name", "initials"),
    [
        (PUPR, "dpupr"),
        ("Dinas PUPR", "dpupr"),
        ("Badan Pengelolaan Keuangan dan Aset Daerah (BPKAD)", "bpkad"),
        ("Biro Pengadaan Barang/Jasa Setda", "bpbjs"),
        ("dinas kesehatan", ""),
    ],
)
def test_the_agency_initials_come_from_its_capitalised_words(name, initials):
    assert agency_initials(name) == initials


def test_the_default_pattern_gives_first_name_and_agency_initials(unit):
    assert propose(unit) == "siti.dpupr"


def test_every_placeholder_fills(unit):
    assert propose(unit, "{nama_belakang}_{nama}-{unit}") == "rahmawati_siti-uji"
    assert propose(unit, "aa.{nip}", nip="19900101 201501 2 001") == f"aa.{NIP}"


def test_a_taken_user_id_gets_a_number_compared_without_case(unit):
    account("uji", "Siti.DPUPR", role="Admin Agency", agency_name=PUPR)
    assert propose(unit) == "siti.dpupr2"
    account("uji", "siti.dpupr2", role="Admin Agency", agency_name=PUPR)
    assert propose(unit) == "siti.dpupr3"


def test_accounts_of_another_unit_do_not_count(unit):
    add_unit("uji-lain", zona_waktu="WIT")
    account("uji-lain", "siti.dpupr", role="Admin Agency", agency_name=PUPR)
    assert propose(unit) == "siti.dpupr"


def test_accents_punctuation_titles_and_degrees_are_left_out(unit):
    assert propose(unit, "{nama}.{nama_belakang}", name="José Ñúñez-Ómar") == "jose.nunez-omar"
    assert propose(unit, "{nama}.{nama_belakang}", name="Dr. H. Ahmad Fauzi, S.T., M.T.") == "ahmad.fauzi"
    assert propose(unit, "{nama}..{instansi}", name="A'isyah") == "aisyah.dpupr"  # separators not repeated


def test_the_proposal_is_never_empty_nor_longer_than_40(unit):
    assert propose(unit, "{nama}", name="—") == "adminagency"
    assert propose(unit, "{nama}.{instansi}", name="...", agency="dinas kecil") == "adminagency"
    long = propose(unit, "{nama}.{nama_belakang}.{nip}", name="Kusumawardhaningtyas Prameswari")
    assert len(long) <= 40 and not long.endswith((".", "_", "-"))
    account("uji", long, role="Admin Agency", agency_name=PUPR)
    second = propose(unit, "{nama}.{nama_belakang}.{nip}", name="Kusumawardhaningtyas Prameswari")
    assert len(second) <= 40 and second.endswith("2") and second != long


def test_a_pattern_that_does_not_format_falls_back_to_the_default(unit):
    assert propose(unit, "{nama}.{foo}") == "siti.dpupr"


def test_user_id_pattern_problems():
    assert user_id_pattern_problems("{nama}.{instansi}") == []
    assert user_id_pattern_problems("{nama_belakang}-{nip}-{unit}") == []
    assert any("{foo} tidak dikenal" in p for p in user_id_pattern_problems("{nama}.{foo}"))
    assert any("tidak berpasangan" in p for p in user_id_pattern_problems("{nama"))
    assert user_id_pattern_problems("") == ["Pola user ID tidak boleh kosong."]
    assert user_id_pattern_problems("...") == ["Pola user ID tidak menghasilkan huruf atau angka apa pun."]


def test_user_id_problems_for_the_id_staff_settle_on(unit):
    account("uji", "siti.dpupr", role="Admin Agency", agency_name=PUPR)
    assert user_id_problems(unit, "siti.dpupr2") == []
    assert user_id_problems(unit, "") == ["User ID tidak boleh kosong."]
    assert any("huruf kecil" in p for p in user_id_problems(unit, "Siti Dpupr"))
    assert any("huruf kecil" in p for p in user_id_problems(unit, "siti/dpupr"))
    assert any("paling banyak 80" in p for p in user_id_problems(unit, "a" * 81))
    assert user_id_problems(unit, "a" * 80) == []
    assert any("sudah dipakai" in p for p in user_id_problems(unit, "siti.dpupr"))
    assert any("sudah dipakai" in p for p in user_id_problems(unit, "SITI.DPUPR"))
