"""Builders for test data: real PDF and PNG bytes, directory accounts, staff with roles."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from PIL import Image
from pypdf import PdfWriter

from loket.catalog.models import SopVersion
from loket.directory.models import Account, Agency
from loket.staff.models import StaffRole
from loket.units.models import Unit

PASSWORD = "Rahasia-uji-123"


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, format="PNG")
    return out.getvalue()


def agency(unit_kode: str, name: str) -> Agency:
    return Agency.objects.get_or_create(unit=Unit.objects.get(kode=unit_kode), name=name)[0]


def account(unit_kode: str, user_id: str, *, role: str, agency_name: str, **fields: str) -> Account:
    defaults = {
        "name": fields.pop("name", f"Pemilik {user_id}"),
        "nip": fields.pop("nip", ""),
        "email": fields.pop("email", f"{user_id}@instansi.go.id"),
        "phone": fields.pop("phone", "081234567890"),
        "satker": fields.pop("satker", "Sekretariat"),
        "sk_number": fields.pop("sk_number", "800/123/2026"),
        "password": make_password("Lama-Sekali-1!"),
    }
    defaults.update(fields)
    return Account.objects.create(
        unit=Unit.objects.get(kode=unit_kode),
        user_id=user_id,
        role=role,
        agency=agency(unit_kode, agency_name),
        **defaults,
    )


def staff(username: str, unit_kode: str, role: str, agency_name: str | None = None):  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_user(username, password=PASSWORD)
    StaffRole.objects.create(
        user=user,
        unit=Unit.objects.get(kode=unit_kode),
        role=role,
        agency=agency(unit_kode, agency_name) if agency_name else None,
    )
    return user


def sop_version(kode: str) -> SopVersion:
    return SopVersion.objects.filter(kode=kode).order_by("-versi").first()  # type: ignore[return-value]


@dataclass
class People:
    """The personas of the case tests: staff of each lane and scope, the accounts they serve."""

    aa_pupr: object  # Admin Agency of Dinas PUPR (kaltim)
    aa_dinkes: object  # Admin Agency of Dinas Kesehatan (kaltim)
    aa_magelang: object
    aa_sbt: object
    kkp_helpdesk: object
    kkp_admin_ppe: object
    outsider_staff: object  # signed in, no role anywhere
    ppk: Account  # a PPK of Dinas PUPR, kaltim
    ppk_magelang: Account
    pokja_sbt: Account
    aa_account_kkp: Account  # an Admin Agency account served by KKP's SOP


def make_people() -> People:
    return People(
        aa_pupr=staff("aa-pupr", "kaltim", "Admin Agency", "Dinas PUPR"),
        aa_dinkes=staff("aa-dinkes", "kaltim", "Admin Agency", "Dinas Kesehatan"),
        aa_magelang=staff("aa-magelang", "magelang", "Admin Agency", "Dinas Pendidikan"),
        aa_sbt=staff("aa-sbt", "sbt", "Admin Agency", "Dinas Perhubungan"),
        kkp_helpdesk=staff("helpdesk-kkp", "kkp", "Helpdesk"),
        kkp_admin_ppe=staff("adminppe-kkp", "kkp", "Admin PPE"),
        outsider_staff=get_user_model().objects.create_user("bukan-petugas", password=PASSWORD),
        ppk=account(
            "kaltim",
            "ppk.pupr01",
            role="PPK",
            agency_name="Dinas PUPR",
            name="Siti Rahmawati",
            nip="198503122010012001",
            email="siti.rahmawati@pupr.kaltimprov.go.id",
        ),
        ppk_magelang=account("magelang", "ppk.dikbud", role="PPK", agency_name="Dinas Pendidikan"),
        pokja_sbt=account("sbt", "pokja.sbt07", role="Pokja Pemilihan", agency_name="Dinas Perhubungan"),
        aa_account_kkp=account("kkp", "aa.djpt", role="Admin Agency", agency_name="Ditjen Perikanan Tangkap"),
    )


# Test SOPs of test units, installed through the real path (tests/sop_factory.py).
from tests.sop_factory import (  # noqa: E402
    AGENCIES,
    BERKAS,
    REQUESTER,
    VERIFIER,
    Berkas,
    Service,
    add_agencies,
    add_unit,
    install,
    make_service,
    reset_sop,
)

__all__ = [
    "AGENCIES",
    "BERKAS",
    "PASSWORD",
    "REQUESTER",
    "VERIFIER",
    "Berkas",
    "People",
    "Service",
    "account",
    "add_agencies",
    "add_unit",
    "agency",
    "install",
    "make_people",
    "make_service",
    "pdf_bytes",
    "png_bytes",
    "reset_sop",
    "sop_version",
    "staff",
]
