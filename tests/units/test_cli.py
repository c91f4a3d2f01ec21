"""`loket unit add|list`: a new unit is data, added from the command line."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from loket.audit.models import AuditEntry
from loket.calendar.units import calendar_for
from loket.units.models import Unit


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("unit", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_unit_add_creates_a_unit_with_its_zone_and_hours(db):
    out = run("add", "papua", "--name", "UKPBJ Provinsi Papua", "--timezone", "WIT", "--hours", "07:30-15:30")
    assert out.strip() == (
        "Unit papua ditambahkan: UKPBJ Provinsi Papua, Asia/Jayapura, jam kerja 07:30-15:30, direktori lokal."
    )
    unit = Unit.objects.get(kode="papua")
    assert (unit.nama, unit.zona_waktu, unit.jam_kerja) == ("UKPBJ Provinsi Papua", "Asia/Jayapura", "07:30-15:30")
    assert unit.direktori == "lokal"  # Loket's own directory unless the unit says otherwise
    assert calendar_for(unit).hours == "07:30-15:30"
    assert AuditEntry.objects.filter(action="unit.created", detail__kode="papua").count() == 1


def test_unit_add_defaults_to_eight_to_four(db):
    run("add", "bali", "--name", "LPSE Provinsi Bali", "--timezone", "Asia/Makassar")
    assert Unit.objects.get(kode="bali").jam_kerja == "08:00-16:00"


def test_it_refuses_an_existing_kode_unless_updating(installed):
    with pytest.raises(CommandError, match="Unit kaltim sudah ada.*--update"):
        run("add", "kaltim", "--name", "Lain", "--timezone", "WITA")
    assert Unit.objects.get(kode="kaltim").nama.startswith("Biro Pengadaan")
    out = run("add", "kaltim", "--hours", "07:30-16:00", "--update")
    assert "diperbarui" in out
    unit = Unit.objects.get(kode="kaltim")
    assert (unit.jam_kerja, unit.zona_waktu) == ("07:30-16:00", "Asia/Makassar")
    assert AuditEntry.objects.filter(
        action="unit.updated", detail={"kode": "kaltim", "jam_kerja": "07:30-16:00"}
    ).exists()


def test_a_unit_whose_accounts_live_in_spse_is_set_to_the_assisted_directory(installed):
    out = run("add", "papua", "--name", "UKPBJ Provinsi Papua", "--timezone", "WIT", "--directory", "spse")
    assert "direktori spse" in out
    assert Unit.objects.get(kode="papua").direktori == "spse"
    run("add", "kaltim", "--update", "--directory", "spse")
    assert Unit.objects.get(kode="kaltim").direktori == "spse"
    assert AuditEntry.objects.filter(action="unit.updated", detail={"kode": "kaltim", "direktori": "spse"}).exists()
    with pytest.raises((CommandError, SystemExit)):  # argparse refuses a value outside lokal/spse
        run("add", "kaltim", "--update", "--directory", "ldap")
    assert Unit.objects.get(kode="kaltim").direktori == "spse"
    assert "spse" in run("list").splitlines()[2]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "X", "--timezone", "Asia/Bandung"], "Zona waktu tidak dikenal: Asia/Bandung"),
        (["--name", "X", "--timezone", "WIB", "--hours", "16:00-08:00"], "Jam kerja harus berbentuk"),
        (["--name", "X", "--timezone", "WIB", "--hours", "8-16"], "Jam kerja harus berbentuk"),
        (["--timezone", "WIB"], "Unit baru perlu --name"),
        (["--name", "X"], "Unit baru perlu --timezone"),
    ],
)
def test_it_refuses_invalid_values_in_indonesian(db, args, message):
    with pytest.raises(CommandError, match=message):
        run("add", "baru", *args)
    assert not Unit.objects.filter(kode="baru").exists()


def test_it_refuses_a_kode_that_is_not_a_slug(db):
    with pytest.raises(CommandError, match="KODE"):
        run("add", "kota magelang", "--name", "X", "--timezone", "WIB")


def test_unit_list_shows_every_unit(installed):
    lines = run("list").splitlines()
    assert lines[0].split()[:2] == ["kode", "zona"]
    assert [line.split()[:4] for line in lines[2:]] == [
        ["kaltim", "Asia/Makassar", "08:00-16:00", "lokal"],
        ["kkp", "Asia/Jakarta", "08:00-16:00", "lokal"],
        ["magelang", "Asia/Jakarta", "08:00-16:00", "lokal"],
        ["sbt", "Asia/Jayapura", "08:00-16:00", "lokal"],
    ]


def test_unit_list_says_when_there_is_none(db):
    assert "Belum ada unit" in run("list")
