"""Staff roles are the staff lanes of the unit's installed SOPs: `loket staff add` and the admin
accept exactly those, with an agency exactly for the agency-scoped ones; `loket staff lanes` and
the console's lanes page show each lane, its holders and the cases waiting where nobody holds it."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from loket.cases.models import Status
from loket.staff.lanes import waiting_at_unheld_lanes
from loket.staff.models import StaffRole
from loket.units.models import Unit
from tests.new_unit import add_unit, install

from .helpers import agency, case, staff

STRONG = "Loket-Papua-2026!"


@pytest.fixture
def papua(installed):
    add_unit()
    install()
    agency("papua", "Dinas PU")
    return Unit.objects.get(kode="papua")


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("staff", *args, stdout=out, stderr=err, stdin=io.StringIO(STRONG + "\n"))
    return out.getvalue(), err.getvalue()


def add(username: str, role: str, *extra: str) -> str:
    return run("add", username, "--unit", "papua", "--role", role, "--password-stdin", *extra)[0]


def roles(username: str) -> list[tuple[str, str, str | None]]:
    return [
        (r.unit.kode, r.role, r.agency.name if r.agency else None)
        for r in StaffRole.objects.filter(user__username=username).select_related("unit", "agency")
    ]


# --- loket staff add ----------------------------------------------------------------------------


def test_staff_add_accepts_the_lanes_of_the_units_sop(papua):
    assert add("kepala", "kepala  ukpbj").splitlines()[-1] == "kepala kini Kepala UKPBJ di unit papua."
    add("layanan", "Petugas Layanan")
    add("verif", "Verifikator Instansi", "--agency", "Dinas PU")
    assert roles("kepala") == [("papua", "Kepala UKPBJ", None)]
    assert roles("layanan") == [("papua", "Petugas Layanan", None)]
    assert roles("verif") == [("papua", "Verifikator Instansi", "Dinas PU")]


def test_staff_add_asks_an_agency_exactly_for_the_agency_scoped_lane(papua):
    with pytest.raises(CommandError, match=r"Peran Verifikator Instansi wajib menyebut instansinya \(--agency\)"):
        add("verif", "Verifikator Instansi")
    with pytest.raises(CommandError, match="Instansi hanya disebut untuk peran Verifikator Instansi"):
        add("kepala", "Kepala UKPBJ", "--agency", "Dinas PU")
    assert not StaffRole.objects.filter(unit=papua).exists()


def test_staff_add_refuses_an_unknown_role_listing_the_units_lanes(papua):
    with pytest.raises(CommandError) as refused:
        add("x", "Admin Agency")  # a lane of other units' SOPs, not of this one
    assert str(refused.value) == (
        "Peran Admin Agency tidak dikenal di unit papua. "
        "Pilih salah satu: Kepala UKPBJ, Petugas Layanan, Verifikator Instansi."
    )
    with pytest.raises(CommandError, match="Peran PPK tidak dikenal"):
        add("x", "PPK")  # the requester's lane is no staff role
    assert not get_user_model().objects.filter(username="x").exists()


def test_staff_add_for_a_unit_without_sop_says_to_install_one(db):
    add_unit("papua-barat")
    with pytest.raises(CommandError, match="belum punya SOP terpasang.*`loket sop install`"):
        run("add", "x", "--unit", "papua-barat", "--role", "Kepala UKPBJ", "--password-stdin")


# --- the model and the admin --------------------------------------------------------------------


def test_the_model_checks_the_role_against_the_units_lanes(papua):
    user = get_user_model().objects.create_user("x", password=STRONG)
    StaffRole(user=user, unit=papua, role="Kepala UKPBJ").full_clean()
    with pytest.raises(ValidationError, match="Kepala UKPBJ, Petugas Layanan, Verifikator Instansi"):
        StaffRole(user=user, unit=papua, role="Helpdesk").full_clean()
    with pytest.raises(ValidationError, match="wajib menyebut instansinya"):
        StaffRole(user=user, unit=papua, role="Verifikator Instansi").full_clean()
    StaffRole(user=user, unit=papua, role="Verifikator Instansi", agency=agency("papua", "Dinas PU")).full_clean()


def test_the_admin_offers_each_units_lanes_and_checks_them_per_unit(papua, client, superuser, outsider):
    client.force_login(superuser)
    url = reverse("admin:staff_staffrole_add")
    page = client.get(url).content.decode()
    assert 'label="papua: UKPBJ Provinsi Papua"' in page
    assert ">Verifikator Instansi (per instansi)<" in page and ">Kepala UKPBJ<" in page
    kaltim = Unit.objects.get(kode="kaltim")
    response = client.post(url, {"user": outsider.pk, "unit": kaltim.pk, "role": "Kepala UKPBJ", "agency": ""})
    assert response.status_code == 200 and "Peran di unit ini harus salah satu dari" in response.content.decode()
    response = client.post(url, {"user": outsider.pk, "unit": papua.pk, "role": "Kepala UKPBJ", "agency": ""})
    assert response.status_code == 302
    assert roles(outsider.username) == [("papua", "Kepala UKPBJ", None)]


# --- cases waiting at a lane nobody holds --------------------------------------------------------


def test_the_selector_finds_open_cases_at_lanes_nobody_can_act_on(papua):
    staff("layanan", "papua", "Petugas Layanan")
    staff("verif-pu", "papua", "Verifikator Instansi", "Dinas PU")
    held = case("PA1", "papua", lane="Petugas Layanan", step=2)
    held_for_pu = case("PA2", "papua", lane="Verifikator Instansi", step=4, agency_name="Dinas PU")
    other_agency = case("PA3", "papua", lane="Verifikator Instansi", step=4, agency_name="Dinas Kesehatan")
    no_agency = case("PA4", "papua", lane="Verifikator Instansi", step=4)
    kepala = case("PA5", "papua", lane="Kepala UKPBJ", step=5)
    closed = case("PA6", "papua", lane="Kepala UKPBJ", step=5)
    closed.status = Status.DONE
    closed.save()
    assert {held, held_for_pu, closed}.isdisjoint(waiting_at_unheld_lanes())
    assert list(waiting_at_unheld_lanes(unit=papua).order_by("reference")) == [other_agency, no_agency, kepala]

    user = staff("kepala", "papua", "Kepala UKPBJ")
    assert kepala not in waiting_at_unheld_lanes(unit=papua)
    user.is_active = False
    user.save()
    assert kepala in waiting_at_unheld_lanes(unit=papua)


def test_loket_staff_lanes_prints_each_lane_its_holders_and_the_cases_waiting(papua):
    staff("verif-pu", "papua", "Verifikator Instansi", "Dinas PU")
    since = dt.datetime(2026, 3, 2, 0, 15, tzinfo=dt.UTC)  # 09:15 WIT
    case("PA5", "papua", lane="Kepala UKPBJ", step=5, since=since)
    out, _ = run("lanes", "--unit", "papua")
    lines = out.splitlines()
    assert lines[0] == "Unit papua"
    assert any(line.split() == ["Kepala", "UKPBJ", "seluruh", "unit", "(belum", "ada)"] for line in lines)
    assert any(
        "Verifikator Instansi" in line and "per instansi" in line and "verif-pu (Dinas PU)" in line for line in lines
    )
    assert "Menunggu di lajur tanpa petugas:" in lines
    assert any(line.split()[:3] == ["PA5", "5", "Kepala"] and "2026-03-02 09:15 WIT" in line for line in lines)

    (unit,) = json.loads(run("lanes", "--unit", "papua", "--format", "json")[0])
    assert unit["unit"] == "papua"
    assert unit["lanes"][2] == {
        "name": "Verifikator Instansi",
        "agency_scoped": True,
        "holders": [{"username": "verif-pu", "agency": "Dinas PU"}],
    }
    assert unit["waiting_at_unheld_lanes"] == [
        {
            "reference": "PA5",
            "step": 5,
            "lane": "Kepala UKPBJ",
            "agency": None,
            "waiting_since": "2026-03-02T09:15+09:00",
        }
    ]


def test_loket_staff_lanes_of_every_unit_and_of_an_unknown_one(papua):
    out, _ = run("lanes")
    assert [line for line in out.splitlines() if line.startswith("Unit ")] == [
        "Unit kaltim", "Unit kkp", "Unit magelang", "Unit papua", "Unit sbt"
    ]  # fmt: skip
    with pytest.raises(CommandError, match="Unit maluku tidak dikenal"):
        run("lanes", "--unit", "maluku")


# --- the console's lanes page -------------------------------------------------------------------


def test_the_lanes_page_shows_a_superuser_the_cases_waiting_at_unheld_lanes(papua, client, superuser):
    since = dt.datetime(2026, 3, 2, 0, 15, tzinfo=dt.UTC)
    case("PA5", "papua", lane="Kepala UKPBJ", step=5, since=since)
    client.force_login(superuser)
    page = client.get(reverse("console:lanes")).content.decode()
    assert "UKPBJ Provinsi Papua" in page
    assert "<td>Verifikator Instansi</td>" in page and "per instansi" in page
    assert "belum ada petugas" in page
    assert "<td>PA5</td>" in page and "5. Menyetujui" in page and "02-03-2026 09:15 WIT" in page
    assert reverse("console:lanes") in client.get(reverse("console:outbox")).content.decode()  # in the nav


def test_the_lanes_page_is_refused_to_everyone_but_superusers(papua, client, outsider):
    url = reverse("console:lanes")
    assert client.get(url).status_code == 302  # anonymous: to the sign-in
    admin_only = get_user_model().objects.create_user("admin-biasa", password=STRONG, is_staff=True)
    for user in (outsider, admin_only, staff("kepala", "papua", "Kepala UKPBJ")):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert url not in client.get(reverse("console:queue")).content.decode()
