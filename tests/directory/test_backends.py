"""The local directory backend and the backend setting."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from loket.directory.backends import get_backend
from loket.directory.backends.local import LocalBackend
from loket.directory.models import Account, Agency
from loket.directory.passwords import password_problems
from loket.units.models import Unit

from .conftest import OLD_PASSWORD, make_account


def test_the_local_backend_is_the_default():
    assert isinstance(get_backend(), LocalBackend)


@override_settings(LOKET_DIRECTORY_BACKEND="loket.directory.models.Account")
def test_a_setting_that_names_no_backend_fails_loudly():
    with pytest.raises(ImproperlyConfigured, match="not a DirectoryBackend"):
        get_backend()


def test_reset_stops_the_old_password_and_revealing_makes_the_new_one_work(ppk):
    backend = get_backend()
    password = backend.reset_password(ppk)
    stored = Account.objects.get(pk=ppk.pk)
    assert stored.must_change_password is True
    assert password_problems(password) == []
    # Until its holder reveals it, neither the old nor the new password signs in.
    assert not backend.check_password(stored, OLD_PASSWORD)
    assert not backend.check_password(stored, password)
    assert backend.activate_password(stored, password) is True
    stored = Account.objects.get(pk=ppk.pk)
    assert stored.password.startswith("argon2$argon2")
    assert password not in stored.password
    assert backend.check_password(stored, password)
    assert not backend.check_password(stored, OLD_PASSWORD)


def test_a_revealed_password_does_not_replace_one_set_since_the_reset(ppk):
    backend = get_backend()
    password = backend.reset_password(ppk)
    backend.set_password(ppk, "Pilihan-Sendiri7")
    assert backend.activate_password(Account.objects.get(pk=ppk.pk), password) is False
    stored = Account.objects.get(pk=ppk.pk)
    assert backend.check_password(stored, "Pilihan-Sendiri7")
    assert not backend.check_password(stored, password)


def test_setting_the_password_clears_the_must_change_flag(ppk):
    backend = get_backend()
    backend.reset_password(ppk)
    backend.set_password(ppk, "Pilihan-Sendiri7")
    stored = Account.objects.get(pk=ppk.pk)
    assert stored.must_change_password is False and stored.password_changed_at is not None
    assert backend.check_password(stored, "Pilihan-Sendiri7")


def test_find_by_user_id_ignores_case_and_falls_back_to_nip(ppk):
    backend = get_backend()
    assert backend.find(unit=ppk.unit, user_id="PPK.PUPR01") == ppk
    assert backend.find(unit=ppk.unit, user_id="tidak.ada", nip="19850312 201001 2 001") == ppk
    assert backend.look_up_user_id(ppk) == "ppk.pupr01"


def test_find_stays_in_its_unit(ppk):
    other_unit = Unit.objects.get(kode="uji-lain")
    assert get_backend().find(unit=other_unit, user_id="ppk.pupr01", nip=ppk.nip) is None


def test_find_by_a_nip_shared_by_two_accounts_leaves_the_choice_to_staff(ppk):
    make_account("uji", "pokja.pupr01", role="Pokja Pemilihan", nip=ppk.nip)
    assert get_backend().find(unit=ppk.unit, nip=ppk.nip) is None


def test_a_created_account_cannot_sign_in_until_reset_and_waits_for_activation(units):
    unit = Unit.objects.get(kode="uji")
    backend = get_backend()
    account = backend.create(
        unit=unit,
        user_id="aa.baru",
        name="Admin Baru",
        email="aa.baru@instansi.go.id",
        role="Admin Agency",
        agency=Agency.objects.create(unit=unit, name="Dinas Sosial"),
        nip="19900101 201501 1 002",
        active=False,
    )
    assert account.nip == "199001012015011002"
    assert not account.is_active and account.must_change_password
    assert not backend.check_password(account, "")
    password = backend.reset_password(account)
    assert not backend.check_password(account, password)  # not before its holder reveals it
    assert backend.activate_password(account, password)
    assert backend.check_password(account, password)
    backend.activate(account)
    assert Account.objects.get(pk=account.pk).is_active
