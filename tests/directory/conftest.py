"""Fixtures of the directory tests: accounts of two units and a case to hang links on. The units
are test units and the case's SOP a test SOP (tests/sop_factory.py): the directory is not about
one built-in SOP."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password

from loket.cases.models import Case, Channel, Need
from loket.catalog.models import SopVersion
from loket.directory.models import Account, Agency
from loket.units.models import Unit
from tests.sop_factory import add_unit, install, reset_sop

OLD_PASSWORD = "Lama-Sekali-1!"


class CheapArgon2Hasher(Argon2PasswordHasher):
    """Argon2 with a small memory cost: the same format, a fraction of the time per test."""

    memory_cost = 1024


@pytest.fixture(autouse=True)
def cheap_hashing(settings):
    settings.PASSWORD_HASHERS = ["tests.directory.conftest.CheapArgon2Hasher"]


def make_account(unit_kode: str, user_id: str, **fields: object) -> Account:
    unit = Unit.objects.get(kode=unit_kode)
    agency = Agency.objects.get_or_create(unit=unit, name=fields.pop("agency_name", "Dinas PUPR"))[0]
    defaults: dict[str, object] = {
        "name": f"Pemilik {user_id}",
        "nip": "198503122010012001",
        "email": f"{user_id}@instansi.go.id",
        "role": "PPK",
        "password": make_password(OLD_PASSWORD),
    }
    defaults.update(fields)
    return Account.objects.create(unit=unit, user_id=user_id, agency=agency, **defaults)


@pytest.fixture
def units(db) -> list[Unit]:
    """Unit `uji` with the test reset SOP installed, and a second unit, `uji-lain`."""
    units = [add_unit("uji"), add_unit("uji-lain", zona_waktu="WIT")]
    install(reset_sop(kode="uji-pulih-akun", unit="uji"))
    return units


@pytest.fixture
def ppk(units) -> Account:
    return make_account("uji", "ppk.pupr01", name="Siti Rahmawati")


@pytest.fixture
def case(ppk) -> Case:
    return Case.objects.create(
        unit=ppk.unit,
        sop=SopVersion.objects.filter(kode="uji-pulih-akun").latest("versi"),
        reference="UJI-2026-000001",
        tracking_digest="0" * 64,
        channel=Channel.WEB,
        need=Need.PASSWORD,
        requester_user_id=ppk.user_id,
        requester_name=ppk.name,
        requester_email=ppk.email,
        account=ppk,
    )
