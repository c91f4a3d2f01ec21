"""The unit's staff lanes (catalog.UnitLane) as installs derive them, the `lingkup` check across a
unit's SOPs, and the warning for lanes nobody holds (service, `loket sop install`, admin upload)."""

from __future__ import annotations

import importlib
import io

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from loket.catalog.models import SopVersion, UnitLane
from loket.catalog.services import SopRejected, install_builtin
from loket.staff.models import StaffRole
from tests.new_unit import LANES, SOP, add_unit, install, other_sop

from ..staff.helpers import agency, staff

fill_unit_lanes = importlib.import_module("loket.catalog.migrations.0002_unit_lanes").fill_unit_lanes


def lanes(unit: str) -> list[tuple[str, bool]]:
    return list(UnitLane.objects.filter(unit__kode=unit).order_by("name").values_list("name", "agency_scoped"))


BUILTIN_LANES = {
    # Admin Agency is a staff lane of kaltim-reset-ppk (agency-scoped) and the requester of
    # kaltim-registrasi-admin-agency.
    "kaltim": [("Admin Agency", True), ("Admin PPE", False), ("Kepala LPSE", False)],
    # At KKP the Admin Agency is the requester: no lane of KKP's staff is agency-scoped. Each
    # unit's `pengawas` (who reviews deviations) is a staff role too, though no step is its.
    "kkp": [("Admin PPE", False), ("Front Office", False), ("Helpdesk", False), ("Kepala Biro Umum dan PBJ", False)],
    "magelang": [("Admin Agency", True), ("Kepala Bagian Pengadaan Barang/Jasa", False)],
    "sbt": [("Admin Agency", True), ("Sekretaris Daerah", False)],
}


def test_the_builtin_install_derives_each_units_staff_lanes_without_the_requesters(installed):
    assert {unit: lanes(unit) for unit in BUILTIN_LANES} == BUILTIN_LANES


def test_installing_again_rebuilds_the_lanes_of_an_existing_database(installed):
    UnitLane.objects.all().delete()
    assert all(not item.created for item in install_builtin())  # as `make demo` on an existing database
    assert {unit: lanes(unit) for unit in BUILTIN_LANES} == BUILTIN_LANES


def test_the_migration_fills_the_lanes_from_the_installed_versions(installed):
    UnitLane.objects.all().delete()
    fill_unit_lanes(apps, None)
    assert {unit: lanes(unit) for unit in BUILTIN_LANES} == BUILTIN_LANES


def test_the_migration_keeps_scoped_lanes_scoped_for_files_installed_before_the_key(installed):
    # A file installed before `lingkup_instansi` existed declares no scope. The built-in kode takes
    # the built-in definition's scope; another SOP's lane takes it from staff who hold it for an agency.
    version = SopVersion.objects.get(kode="magelang-reset-ppk")
    version.content = version.content.replace("lingkup_instansi: [Admin Agency]\n", "")
    version.save()
    add_unit()
    install(SOP.replace("lingkup_instansi: [Verifikator Instansi]\n", ""))
    staff("kepala", "papua", "Kepala UKPBJ")
    # Under the old rule a scoped lane's holders named their agency: that marks the lane scoped.
    staff("verif", "papua", "Verifikator Instansi")
    StaffRole.objects.filter(user__username="verif").update(agency=agency("papua", "Dinas PU Papua"))
    UnitLane.objects.all().delete()
    fill_unit_lanes(apps, None)
    assert lanes("magelang") == [("Admin Agency", True), ("Kepala Bagian Pengadaan Barang/Jasa", False)]
    assert lanes("papua") == [("Kepala UKPBJ", False), ("Petugas Layanan", False), ("Verifikator Instansi", True)]


def test_a_new_units_sop_brings_its_own_lanes(installed):
    add_unit()
    result = install()
    assert result.created
    assert lanes("papua") == [("Kepala UKPBJ", False), ("Petugas Layanan", False), ("Verifikator Instansi", True)]
    assert lanes("kaltim") == BUILTIN_LANES["kaltim"]  # other units untouched


def test_the_install_warns_for_each_lane_nobody_holds_until_someone_does(installed):
    add_unit()
    warnings = install().warnings
    assert len(warnings) == len(LANES)
    assert (
        "Peringatan: belum ada petugas berperan Kepala UKPBJ di unit papua; tambahkan dengan "
        '`loket staff add USERNAME --unit papua --role "Kepala UKPBJ"`'
    ) in warnings
    assert any('--role "Verifikator Instansi" --agency "NAMA INSTANSI"' in w for w in warnings)

    staff("kepala", "papua", "Kepala UKPBJ")
    staff("layanan", "papua", "Petugas Layanan")
    again = install()
    assert again.created is False
    assert [w for w in again.warnings if "Kepala UKPBJ" in w or "Petugas Layanan" in w] == []
    assert len(again.warnings) == 1 and "Verifikator Instansi" in again.warnings[0]


def test_an_inactive_holder_does_not_count(installed):
    add_unit()
    user = staff("kepala", "papua", "Kepala UKPBJ")
    user.is_active = False
    user.save()
    assert any("Kepala UKPBJ" in w for w in install().warnings)


def test_a_lane_scoped_in_one_sop_and_not_in_another_of_the_unit_is_refused(installed):
    add_unit()
    install()
    with pytest.raises(SopRejected) as refused:
        install(other_sop(kode="papua-registrasi-ppk", scoped=False))
    (v,) = refused.value.violations
    assert v.rule == "lingkup"
    assert "lajur `Verifikator Instansi` di unit `papua` berlaku per instansi pada SOP `papua-reset-ppk`" in v.message
    assert "tambahkan `Verifikator Instansi` ke `lingkup_instansi`" in v.message
    assert v.line == SOP.splitlines().index("  - Verifikator Instansi") + 1  # the lane in `pelaksana`
    assert not SopVersion.objects.filter(kode="papua-registrasi-ppk").exists()
    # The same scope in both installs.
    assert install(other_sop(kode="papua-registrasi-ppk", scoped=True)).created


def test_the_scope_check_names_the_lingkup_line_when_this_file_scopes_the_lane(installed):
    add_unit()
    install(other_sop(kode="papua-registrasi-ppk", scoped=False))
    with pytest.raises(SopRejected) as refused:
        install()
    (v,) = refused.value.violations
    assert (v.rule, v.line) == ("lingkup", SOP.splitlines().index("lingkup_instansi: [Verifikator Instansi]") + 1)
    assert "hapus `Verifikator Instansi` dari `lingkup_instansi`" in v.message


def test_loket_sop_install_prints_the_warnings_and_succeeds(installed, tmp_path):
    add_unit()
    path = tmp_path / "papua.yaml"
    path.write_text(SOP, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("sop", "install", str(path), stdout=out, stderr=err)
    assert "papua-reset-ppk versi 1: dipasang" in out.getvalue()
    assert err.getvalue().count("Peringatan: belum ada petugas berperan") == 3
    assert 'loket staff add USERNAME --unit papua --role "Petugas Layanan"' in err.getvalue()


def test_loket_sop_install_refuses_an_inconsistent_scope(installed, tmp_path):
    add_unit()
    install()
    path = tmp_path / "other.yaml"
    path.write_text(other_sop(kode="papua-registrasi-ppk", scoped=False), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("sop", "install", str(path), stdout=io.StringIO(), stderr=err)
    assert exited.value.code == 1
    assert "lingkup" in err.getvalue() and "Verifikator Instansi" in err.getvalue()


def test_the_admin_upload_shows_the_warnings(client, superuser, installed):
    add_unit()
    client.force_login(superuser)
    response = client.post(
        reverse("admin:catalog_sopversion_add"),
        {"berkas": SimpleUploadedFile("papua.yaml", SOP.encode())},
        follow=True,
    )
    page = response.content.decode()
    assert "SOP papua-reset-ppk versi 1 dipasang." in page
    assert "belum ada petugas berperan Verifikator Instansi di unit papua" in page
