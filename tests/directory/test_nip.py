"""NIP checks: strict for civil servants (PNS), lenient for contract staff (PPPK)."""

from __future__ import annotations

import pytest

from loket.directory.nip import nip_problems, normalise_nip

PNS = "197205282005021001"  # born 28 May 1972, in service from Feb 2005, male, no. 001


def test_a_valid_pns_nip_has_no_problems_strict_or_lenient():
    assert nip_problems(PNS, strict=True) == []
    assert nip_problems(PNS, strict=False) == []


def test_it_accepts_the_nip_as_printed_with_spaces():
    assert normalise_nip("19720528 200502 1 001") == PNS
    assert nip_problems("19720528 200502 1 001", strict=True) == []


@pytest.mark.parametrize(
    ("nip", "fragment"),
    [
        ("19720528200502100", "18 angka"),
        ("1972052820050210011", "18 angka"),
        ("19720528200502100A", "18 angka"),
        ("19720230200502 1001", "tanggal lahir"),  # 30 February
        ("18900528 191502 1 001", "Tahun lahir"),
        ("19720528 200513 1 001", "bulan"),
        ("19720528 198002 1 001", "15 tahun"),  # in service at 7
        ("19720528 200502 3 001", "jenis kelamin"),
        ("19720528 200502 1 000", "000"),
    ],
)
def test_it_refuses_a_malformed_pns_nip_with_the_reason(nip, fragment):
    problems = nip_problems(nip, strict=True)
    assert problems, nip
    assert any(fragment in p for p in problems), problems


def test_a_pppk_number_fails_strict_but_passes_lenient():
    pppk = "19850312 202421 2 004"  # digits 13-14 ("21") are not a month
    assert any("bulan" in p for p in nip_problems(pppk, strict=True))
    assert nip_problems(pppk, strict=False) == []


@pytest.mark.parametrize(
    "nip",
    ["19850230 202421 2 004", "19850312 202421 3 004", "19850312 202421 2 000", "1985031220242120"],
)
def test_lenient_still_refuses_what_no_nip_can_be(nip):
    assert nip_problems(nip, strict=False)
