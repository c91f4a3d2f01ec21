"""A unit's identity (letterhead, address, phone, e-mail, website, opening hours): validated unit
settings set by `loket unit add --update` (or the admin), read through one
`units.services.unit_identity`, and printed on the registration reply letter."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from loket.audit.models import AuditEntry
from loket.registration.letters import reply_letter_pdf
from loket.units.models import Unit
from loket.units.services import default_opening_hours, unit_identity
from tests.registration.test_letters import make_registration, settings_for
from tests.sop_factory import make_service


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("unit", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def flat(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def test_a_unit_without_identity_is_named_and_open_in_its_working_hours(installed):
    identity = unit_identity(Unit.objects.get(kode="kaltim"))
    assert identity.kop == ["Biro Pengadaan Barang/Jasa Sekretariat Daerah Provinsi Kalimantan Timur"]
    assert (identity.alamat, identity.telepon, identity.surel, identity.situs) == ([], "", "", "")
    assert identity.jam_layanan == "Senin–Jumat 08.00–16.00 WITA"
    assert identity.contact_line == ""
    papua = Unit(kode="papua", nama="UKPBJ Papua", zona_waktu="Asia/Jayapura", jam_kerja="07:30-15:30")
    assert default_opening_hours(papua) == "Senin–Jumat 07.30–15.30 WIT"


def test_the_command_sets_shows_and_clears_the_identity(installed):
    out = run(
        "add",
        "kaltim",
        "--update",
        "--letterhead",
        "PEMERINTAH PROVINSI KALIMANTAN TIMUR|BIRO PENGADAAN BARANG/JASA",
        "--address",
        "Jl. Gajah Mada No. 2|Samarinda 75121",
        "--phone",
        "(0541) 733333",
        "--email",
        "lpse@kaltimprov.go.id",
        "--website",
        "https://lpse.kaltimprov.go.id",
        "--opening-hours",
        "Senin–Kamis 08.00–16.00, Jumat 08.00–11.00 WITA",
    )
    assert "diperbarui" in out
    unit = Unit.objects.get(kode="kaltim")
    assert unit.kop == "PEMERINTAH PROVINSI KALIMANTAN TIMUR\nBIRO PENGADAAN BARANG/JASA"
    assert unit.alamat == "Jl. Gajah Mada No. 2\nSamarinda 75121"
    identity = unit_identity(unit)
    assert identity.kop == ["PEMERINTAH PROVINSI KALIMANTAN TIMUR", "BIRO PENGADAAN BARANG/JASA"]
    assert identity.address_line == "Jl. Gajah Mada No. 2, Samarinda 75121"
    assert identity.contact_line == "Telp. (0541) 733333 · E-mail lpse@kaltimprov.go.id · lpse.kaltimprov.go.id"
    assert identity.jam_layanan == "Senin–Kamis 08.00–16.00, Jumat 08.00–11.00 WITA"
    entry = AuditEntry.objects.get(action="unit.updated")
    assert entry.detail["telepon"] == "(0541) 733333" and entry.detail["kode"] == "kaltim"
    shown = run("show", "kaltim")
    assert "alamat: Jl. Gajah Mada No. 2, Samarinda 75121" in shown
    assert "jam layanan: Senin–Kamis 08.00–16.00, Jumat 08.00–11.00 WITA" in shown
    run("add", "kaltim", "--update", "--opening-hours", "", "--website", "")
    unit.refresh_from_db()
    assert (unit.jam_layanan, unit.situs, unit.telepon) == ("", "", "(0541) 733333")
    assert unit_identity(unit).jam_layanan == "Senin–Jumat 08.00–16.00 WITA"  # derived again


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--phone", "telp 0541", "--phone: Nomor telepon hanya boleh berisi angka"),
        ("--phone", "12-3", "paling sedikit 5 angka"),
        ("--email", "lpse@kaltim", "--email: Alamat e-mail kontak tidak sah"),
        ("--website", "lpse.kaltimprov.go.id", "--website: Alamat situs web harus dimulai https://"),
    ],
)
def test_a_wrong_contact_is_refused_with_a_clear_message(installed, flag, value, message):
    with pytest.raises(CommandError, match=message):
        run("add", "kaltim", "--update", flag, value)
    unit = Unit.objects.get(kode="kaltim")
    assert (unit.telepon, unit.surel, unit.situs) == ("", "", "")
    assert not AuditEntry.objects.filter(action="unit.updated").exists()


@pytest.mark.parametrize("phone", ["(0541) 733333", "+62 541 733 333", "0541-733333", "021 3519070"])
def test_phones_as_offices_print_them_are_accepted(db, phone):
    Unit(kode="u", nama="U", zona_waktu="Asia/Jakarta", telepon=phone).full_clean()


def test_the_model_refuses_what_the_command_refuses(db):
    unit = Unit(kode="u", nama="U", zona_waktu="Asia/Jakarta", telepon="abc", surel="x@", situs="ftp://x.id")
    with pytest.raises(ValidationError) as exc:
        unit.full_clean()
    assert set(exc.value.message_dict) == {"telepon", "surel", "situs"}


def test_the_admin_edits_the_identity(installed, admin_client):
    from django.urls import reverse

    unit = Unit.objects.get(kode="magelang")
    url = reverse("admin:units_unit_change", args=[unit.pk])
    assert "Identitas (kaki halaman, tanda terima, surat, arsip)" in admin_client.get(url).content.decode()
    form = {
        "kode": unit.kode,
        "nama": unit.nama,
        "zona_waktu": unit.zona_waktu,
        "jam_kerja": unit.jam_kerja,
        "direktori": unit.direktori,
        "logo": "",
        "kop": "PEMERINTAH KOTA MAGELANG",
        "alamat": "Jl. Sarwo Edie Wibowo No. 2",
        "telepon": "nol dua",
        "surel": "",
        "situs": "",
        "jam_layanan": "",
    }
    refused = admin_client.post(url, form)
    assert refused.status_code == 200 and "Nomor telepon hanya boleh berisi angka" in refused.content.decode()
    assert admin_client.post(url, {**form, "telepon": "(0293) 362022"}).status_code == 302
    unit.refresh_from_db()
    assert (unit.kop, unit.telepon) == ("PEMERINTAH KOTA MAGELANG", "(0293) 362022")


def test_the_reply_letter_carries_the_units_letterhead_unless_its_letter_has_its_own(db):
    service = make_service()
    unit = service.unit
    unit.kop = "PEMERINTAH KABUPATEN UJI\nUNIT KERJA PENGADAAN BARANG/JASA"
    unit.alamat = "Jl. Merdeka No. 1\nUji 75111"
    unit.telepon = "(0541) 111222"
    unit.surel = "ukpbj@ujikab.go.id"
    unit.save()
    registration = make_registration(service)
    text = flat(reply_letter_pdf(registration, number="001/X/2026", date=dt.date(2026, 12, 3)))
    assert text.startswith(
        "PEMERINTAH KABUPATEN UJI UNIT KERJA PENGADAAN BARANG/JASA Jl. Merdeka No. 1 Uji 75111 "
        "Telp. (0541) 111222 · E-mail ukpbj@ujikab.go.id"
    ), text[:200]
    # The letter's own letterhead (LetterSettings) goes first, as it did.
    settings_for(unit, letterhead="BADAN UJI\nJl. Lain No. 9")
    own = flat(reply_letter_pdf(registration, number="001/X/2026", date=dt.date(2026, 12, 3)))
    assert own.startswith("BADAN UJI Jl. Lain No. 9") and "Jl. Merdeka" not in own
