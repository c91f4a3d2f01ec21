"""The SOP factory itself (tests/sop_factory.py): its default SOP is clean and has the usual reset
shape, and each parameter tests vary reaches the installed SOP, its lanes and its staff."""

from __future__ import annotations

import pytest

from loket.catalog.models import UnitLane
from loket.sop.check import check_text, staff_lanes
from loket.sop.paths import happy_path
from loket.staff.models import StaffRole
from tests.sop_factory import (
    AGENCIES,
    HAPPY_MINUTES,
    HAPPY_STEPS,
    REQUESTER,
    VERIFIER,
    Berkas,
    make_service,
    reset_sop,
    service,  # noqa: F401 - the fixture
)


def test_the_default_sop_is_clean_with_the_usual_reset_shape():
    loaded = check_text(reset_sop(), "uji.yaml", known_units=["uji"])
    assert loaded.violations == [] and loaded.sop is not None
    sop = loaded.sop
    assert sop.pelaksana == [REQUESTER, VERIFIER] and sop.lingkup_instansi == [VERIFIER]
    assert staff_lanes(sop) == [VERIFIER]
    path = happy_path(sop)
    assert path is not None
    assert list(path.steps) == [no for no, _by, _answer in HAPPY_STEPS] and path.minutes == HAPPY_MINUTES
    flow = {k.no: (k.aksi, k.lanjut, k.keputusan and (k.keputusan.ya, k.keputusan.tidak)) for k in sop.kegiatan}
    assert flow == {
        1: ("ajukan-berkas", 2, None),
        2: ("periksa-kelengkapan", None, (5, 3)),
        3: ("minta-kelengkapan", 4, None),
        4: ("lengkapi-berkas", 2, None),
        5: ("periksa-keabsahan", None, (6, 7)),
        6: ("reset-atau-user-id", 8, None),
        7: ("tolak", "selesai", None),
        8: ("beri-tahu-hasil", 9, None),
        9: ("arsipkan", "selesai", None),
    }


def test_the_service_fixture_installs_the_sop_with_staff_and_accounts_per_agency(service):  # noqa: F811
    assert service.version.kode == "uji-pulih-akun" and service.unit.kode == "uji"
    assert list(UnitLane.objects.filter(unit=service.unit).values_list("name", "agency_scoped")) == [(VERIFIER, True)]
    assert sorted(service.staff) == sorted((VERIFIER, agency) for agency in AGENCIES)
    role = StaffRole.objects.get(user=service.verifier)
    role.full_clean()  # a role the admin and `loket staff add` would accept
    assert (role.role, role.agency.name) == (VERIFIER, AGENCIES[0])
    assert [a.agency.name for a in service.accounts.values()] == list(AGENCIES)
    assert [kode for kode, _name, _content in service.files()] == ["surat-pengajuan", "sk-penunjukan"]


@pytest.mark.django_db
def test_lanes_scope_documents_and_times_are_the_tests_to_choose():
    made = make_service(
        unit="lain",
        requester="Pejabat Pengadaan",
        staff="Petugas Layanan",
        lanes={5: "Verifikator Instansi", 6: "Verifikator Instansi", 7: "Verifikator Instansi"},
        lingkup_instansi=["Verifikator Instansi"],
        berkas=[Berkas("ktp", "Kartu tanda penduduk", wajib=False)],
        waktu={2: 30},
    )
    sop = made.sop
    assert sop.step(2).waktu == 30 and sop.step(5).pelaksana == "Verifikator Instansi"
    assert [(b.kode, b.wajib) for b in sop.berkas] == [("ktp", False)]
    lanes = dict(UnitLane.objects.filter(unit=made.unit).values_list("name", "agency_scoped"))
    assert lanes == {"Petugas Layanan": False, "Verifikator Instansi": True}
    assert made.staff_of("Petugas Layanan").staff_roles.get().agency is None
    assert made.staff_of("Verifikator Instansi", AGENCIES[1]).staff_roles.get().agency.name == AGENCIES[1]
    assert [kode for kode, _name, _content in made.files()] == ["ktp"]
    assert made.prefix == "LAIN-"
