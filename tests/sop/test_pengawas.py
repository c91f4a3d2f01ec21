"""The SOP key `pengawas` (the lane that reviews the SOP's deviations from the mutu baku): the
checker's rule `pengawas`, and on install a unit-wide staff role of the unit (rule `lingkup`
across the unit's SOPs)."""

from __future__ import annotations

import pytest

from loket.catalog.models import UnitLane
from loket.catalog.services import SopRejected
from loket.sop.check import check_text, role_lanes
from tests.sop_factory import add_unit, install, reset_sop

TEXT = reset_sop()  # lanes: Pemilik Akun (requester), Verifikator Akun (staff, agency-scoped)


def _violations(pengawas: str) -> list[tuple[str, int | None, str]]:
    text = TEXT + f"pengawas: {pengawas}\n"
    line = text.count("\n")  # the key is the file's last line
    loaded = check_text(text, "uji.yaml")
    return [(v.rule, v.line == line, v.message) for v in loaded.violations]


def test_a_pengawas_outside_the_swimlanes_is_valid_and_a_staff_role_of_the_sop():
    loaded = check_text(TEXT + "pengawas: Kepala UKPBJ\n", "uji.yaml")
    assert loaded.violations == []
    assert loaded.sop is not None and loaded.sop.pengawas == "Kepala UKPBJ"
    assert role_lanes(loaded.sop) == ["Verifikator Akun", "Kepala UKPBJ"]
    assert check_text(TEXT, "uji.yaml").sop.pengawas is None  # type: ignore[union-attr]


@pytest.mark.parametrize("lane", ["Pemilik Akun", "PPK"])
def test_it_refuses_a_requesters_lane_or_role(lane):
    [(rule, on_its_line, message)] = _violations(lane)
    assert (rule, on_its_line) == ("pengawas", True)
    assert "lajur pemohon" in message and "Verifikator Akun" in message


def test_it_refuses_an_agency_scoped_lane():
    [(rule, _line, message)] = _violations("Verifikator Akun")
    assert rule == "pengawas" and "per instansi" in message and "seluruh unit" in message


@pytest.mark.parametrize("value", ['""', "Kepala Biro Umum dan Pengadaan Barang Jasa Kementerian"])
def test_it_refuses_an_empty_or_overlong_name(value):
    [(rule, _line, message)] = _violations(value)
    assert rule == "pengawas" and ("kosong" in message or "40 karakter" in message)


def test_it_refuses_a_pengawas_that_is_not_a_name():
    loaded = check_text(TEXT + "pengawas: [Kepala UKPBJ]\n", "uji.yaml")
    assert [v.rule for v in loaded.violations] == ["tipe"]


@pytest.mark.django_db
def test_installing_makes_it_a_unit_wide_staff_role_and_refuses_a_unit_that_scopes_it():
    add_unit()
    install(TEXT + "pengawas: Kepala UKPBJ\n")
    lanes = dict(UnitLane.objects.filter(unit__kode="uji").values_list("name", "agency_scoped"))
    assert lanes == {"Verifikator Akun": True, "Kepala UKPBJ": False}
    # Another SOP of the unit with the same lane as an agency-scoped staff lane: refused.
    other = reset_sop(kode="uji-lain", staff="Kepala UKPBJ")
    with pytest.raises(SopRejected) as refused:
        install(other)
    [violation] = refused.value.violations
    assert violation.rule == "lingkup" and "pengawas" in violation.message
