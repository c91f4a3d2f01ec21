"""A unit's identity on its pages: the footer of the portal's and the console's pages of one unit
(address, phone, opening hours; not on another unit's page, nor on a page of no one unit), and
the letterhead and contact on the portal receipt and the counter's receipt."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from loket.cases.models import Case
from loket.counter.models import QueueTicket
from loket.units.models import Unit
from tests.counter.conftest import make_desk
from tests.factories import PASSWORD, pdf_bytes, png_bytes
from tests.web.test_portal import submit

pytestmark = pytest.mark.django_db

KALTIM = {
    "kop": "PEMERINTAH PROVINSI KALIMANTAN TIMUR\nBIRO PENGADAAN BARANG/JASA",
    "alamat": "Jl. Gajah Mada No. 2\nSamarinda 75121",
    "telepon": "(0541) 733333",
    "surel": "lpse@kaltimprov.go.id",
}


def set_identity(kode: str, **fields: str) -> Unit:
    unit = Unit.objects.get(kode=kode)
    for name, value in fields.items():
        setattr(unit, name, value)
    unit.full_clean()
    unit.save()
    return unit


def footer(page: str) -> str:
    match = re.search(r'<footer class="unit-footer".*?</footer>', page, re.S)
    return match.group(0) if match else ""


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    assert client.login(username=user.get_username(), password=PASSWORD)
    return client


def test_the_portal_pages_of_a_unit_show_its_address_phone_and_hours(installed, client):
    set_identity("kaltim", **KALTIM)
    start = footer(client.get(reverse("portal:start"), {"unit": "kaltim"}).content.decode())
    assert "Jl. Gajah Mada No. 2<br>Samarinda 75121" in start
    assert 'href="tel:0541733333">(0541) 733333</a>' in start
    assert 'href="mailto:lpse@kaltimprov.go.id"' in start
    assert "Jam layanan: Senin–Jumat 08.00–16.00 WITA" in start
    form = footer(client.get(reverse("portal:form", args=["kaltim", "kaltim-reset-ppk"])).content.decode())
    assert "Jl. Gajah Mada No. 2" in form and "(0541) 733333" in form


def test_another_units_page_shows_its_own_footer_and_a_page_of_no_one_unit_none(installed, client):
    set_identity("kaltim", **KALTIM)
    other = footer(client.get(reverse("portal:start"), {"unit": "magelang"}).content.decode())
    assert "Bagian Pengadaan Barang/Jasa Sekretariat Daerah Kota Magelang" in other
    assert "Gajah Mada" not in other and "0541" not in other
    assert "Senin–Jumat 08.00–16.00 WIB" in other  # its own hours, in its own zone
    assert footer(client.get(reverse("portal:start")).content.decode()) == ""
    assert footer(client.get(reverse("portal:home")).content.decode()) == ""


def test_the_portal_receipt_carries_the_letterhead_and_the_contact(service, client):
    set_identity("uji", kop="PEMERINTAH KABUPATEN UJI\nUKPBJ", alamat="Jl. Merdeka No. 1", telepon="(0541) 111222")
    assert submit(client, service).status_code == 302
    page = client.get(reverse("portal:receipt")).content.decode()
    kop = page.split('<header class="receipt-kop">')[1].split("</header>")[0]
    assert '<p class="kop-line">PEMERINTAH KABUPATEN UJI</p>' in kop and '<p class="kop-line last">UKPBJ</p>' in kop
    assert "Jl. Merdeka No. 1" in kop
    contact = page.split('<footer class="receipt-contact">')[1].split("</footer>")[0]
    assert "Telp. (0541) 111222" in contact and "Jam layanan: Senin–Jumat 08.00–16.00 WITA" in contact
    case = Case.objects.get()
    # The status page and the console's case page are the unit's pages too.
    console = signed_in(service.verifier)
    assert "Jl. Merdeka No. 1" in footer(console.get(reverse("console:case", args=[case.pk])).content.decode())
    # The queue concerns no one case, but this staff member works at one unit only: its footer
    # (tests/web/test_console_unit_header.py: none for staff of several units).
    assert "Jl. Merdeka No. 1" in footer(console.get(reverse("console:queue")).content.decode())


def test_the_counter_receipt_carries_the_letterhead_and_the_contact(installed, settings):
    settings.LOKET_COUNTER_CLOSES_AT = "off"
    set_identity(
        "kkp",
        kop="KEMENTERIAN KELAUTAN DAN PERIKANAN\nBIRO UMUM DAN PENGADAAN BARANG JASA",
        alamat="Jl. Medan Merdeka Timur No. 16\nJakarta Pusat 10110",
        telepon="(021) 3519070",
        jam_layanan="Senin–Jumat 08.00–16.00 WIB",
    )
    desk = make_desk()
    guest = {
        "name": "Rina Wulandari",
        "agency": "Direktorat Jenderal Perikanan Tangkap",
        "id_number": "199204172018011003",
        "phone": "0812-3456-7890",
    }
    signed_in(desk.front).post(
        reverse("console:counter_front", args=[desk.unit.kode]), {**guest, "service": desk.service.pk}
    )
    ticket = QueueTicket.objects.get()
    client = signed_in(desk.helpdesk)
    desk_url = reverse("console:counter_desk", args=[desk.unit.kode])
    client.post(desk_url, {"aksi": "masuk", "loket": desk.counters[0].pk})
    client.post(desk_url, {"aksi": "panggil"})
    client.post(desk_url, {"aksi": "layani", "tiket": ticket.pk})
    opened = client.post(
        reverse("console:counter_open_request", args=[desk.unit.kode, ticket.pk]),
        {
            "name": "Rina Wulandari",
            "nip": "199204172018011003",
            "email": "rina.wulandari@kkp.go.id",
            "need": "password",
            "berkas-surat-permohonan": SimpleUploadedFile("surat.pdf", pdf_bytes(), "application/pdf"),
            "berkas-sk-pengangkatan": SimpleUploadedFile("sk.png", png_bytes(), "image/png"),
            "originals": ["sk-pengangkatan"],
        },
    )
    assert opened.status_code == 302
    page = client.get(opened["Location"]).content.decode()
    kop = page.split('<header class="kop">')[1].split("</header>")[0]
    assert '<p class="kop-line">KEMENTERIAN KELAUTAN DAN PERIKANAN</p>' in kop
    assert '<p class="unit">BIRO UMUM DAN PENGADAAN BARANG JASA</p>' in kop
    assert "Jl. Medan Merdeka Timur No. 16, Jakarta Pusat 10110" in kop
    contact = page.split('<footer class="contact">')[1].split("</footer>")[0]
    assert "Telp. (021) 3519070" in contact and "Jam layanan: Senin–Jumat 08.00–16.00 WIB" in contact


def test_the_demo_units_have_an_identity_and_the_demo_staff_a_nip(installed):
    from loket.staff.models import StaffProfile
    from loket.units.services import unit_identity
    from loket.web.management.commands.demo import STAFF, seed

    kkp = set_identity("kkp", alamat="Alamat operator")  # an operator's own identity is kept
    seed()
    identities = {unit.kode: unit_identity(unit) for unit in Unit.objects.all()}
    assert identities["kaltim"].kop[0] == "PEMERINTAH PROVINSI KALIMANTAN TIMUR"
    assert all(identities[kode].alamat and identities[kode].telepon for kode in ("kaltim", "magelang", "sbt"))
    assert identities["kkp"].alamat == ["Alamat operator"] and kkp.telepon == ""
    nips = dict(StaffProfile.objects.values_list("user__username", "nip"))
    assert sorted(nips) == sorted(username for username, *_rest in STAFF)
    assert all(len(nip) == 18 for nip in nips.values())
