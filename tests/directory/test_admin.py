"""The directory in the admin: accounts searchable, the hash never editable, outsiders refused."""

from __future__ import annotations

from loket.directory.models import Account

from .conftest import OLD_PASSWORD


def test_accounts_are_found_by_nip_and_the_hash_is_read_only(client, superuser, ppk):
    client.force_login(superuser)
    listing = client.get("/admin/directory/account/", {"q": ppk.nip}).content.decode()
    assert "ppk.pupr01" in listing
    page = client.get(f"/admin/directory/account/{ppk.pk}/change/").content.decode()
    assert 'name="password"' not in page and "argon2" in page


def test_an_account_cannot_be_put_in_an_agency_of_another_unit(client, superuser, ppk):
    from loket.directory.models import Agency
    from loket.units.models import Unit

    other = Agency.objects.create(unit=Unit.objects.get(kode="uji-lain"), name="Dinas Pendidikan")
    client.force_login(superuser)
    data = {
        "unit": ppk.unit_id,
        "user_id": ppk.user_id,
        "name": ppk.name,
        "nip": ppk.nip,
        "role": "PPK",
        "agency": other.pk,
        "satker": "",
        "sk_number": "",
        "email": ppk.email,
        "phone": "",
        "is_active": "on",
    }
    response = client.post(f"/admin/directory/account/{ppk.pk}/change/", data)
    assert response.status_code == 200 and "bukan milik unit" in response.content.decode()
    assert Account.objects.get(pk=ppk.pk).agency == ppk.agency
    assert OLD_PASSWORD  # the fixture's password stays the account's


def test_an_outsider_is_refused_the_directory_admin(client, outsider, ppk):
    client.force_login(outsider)
    response = client.get("/admin/directory/account/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
