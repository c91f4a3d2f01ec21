"""The account sign-in standing in for SPSE: forced change of a temporary password, the SPSE
password rule, the rate limit, and the separation of units and of staff sign-in."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from loket.audit.models import AuditEntry
from loket.directory.backends import get_backend
from loket.directory.models import Account, SignInAttempt

from .conftest import OLD_PASSWORD, make_account

NEW = "Baru-Sekali-2026"


def _sign_in(client, user_id="ppk.pupr01", password=OLD_PASSWORD, unit="uji", **extra):
    return client.post("/akun/masuk/", {"unit": unit, "user_id": user_id, "password": password}, **extra)


@pytest.fixture
def temporary(ppk) -> str:
    """A temporary password as its holder has it: reset by staff, then revealed by the link."""
    password = get_backend().reset_password(ppk)
    assert get_backend().activate_password(Account.objects.get(pk=ppk.pk), password)
    return password


def test_signing_in_with_a_temporary_password_forces_the_change_page(client, ppk, temporary):
    response = _sign_in(client, password=temporary)
    assert response.status_code == 302 and response["Location"] == "/akun/ganti-password/"
    assert client.get("/akun/")["Location"] == "/akun/ganti-password/"
    page = client.get("/akun/ganti-password/").content.decode()
    assert "password sementara" in page and 'name="current"' not in page


def test_a_weak_new_password_is_refused_with_what_it_lacks(client, ppk, temporary):
    _sign_in(client, password=temporary)
    response = client.post("/akun/ganti-password/", {"new": "lemah123", "confirm": "lemah123"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "huruf besar" in page and "simbol" in page
    assert Account.objects.get(pk=ppk.pk).must_change_password is True


def test_the_new_password_must_differ_from_the_temporary_one_and_match_twice(client, ppk, temporary):
    _sign_in(client, password=temporary)
    page = client.post("/akun/ganti-password/", {"new": temporary, "confirm": temporary}).content.decode()
    assert "berbeda dari password sementara" in page
    page = client.post("/akun/ganti-password/", {"new": NEW, "confirm": NEW + "x"}).content.decode()
    assert "tidak sama" in page


def test_after_the_change_the_holder_reaches_home_and_signs_in_with_the_new_password(client, ppk, temporary):
    _sign_in(client, password=temporary)
    response = client.post("/akun/ganti-password/", {"new": NEW, "confirm": NEW}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/akun/"
    assert "Anda masuk ke SPSE (simulasi Loket) sebagai Siti Rahmawati (ppk.pupr01)" in page
    assert "Password berhasil diganti" in page

    client.post("/akun/keluar/")
    assert client.get("/akun/")["Location"].startswith("/akun/masuk/")
    assert "User ID atau password salah" in _sign_in(client, password=temporary).content.decode()
    assert _sign_in(client, password=NEW)["Location"] == "/akun/"
    actions = list(AuditEntry.objects.filter(action__startswith="account.").values_list("action", flat=True))
    assert actions.count("account.password_changed") == 1 and actions.count("account.signed_in") == 2


def test_a_wrong_password_gives_one_message_for_unknown_user_and_wrong_password(client, ppk):
    wrong = _sign_in(client, password="Salah-Sekali-1!").content.decode()
    unknown = _sign_in(client, user_id="tidak.ada").content.decode()
    assert "User ID atau password salah" in wrong and "User ID atau password salah" in unknown
    assert client.get("/akun/")["Location"].startswith("/akun/masuk/")


def test_the_sixth_attempt_within_15_minutes_is_refused_even_with_the_right_password(client, ppk):
    for _ in range(5):
        assert "User ID atau password salah" in _sign_in(client, password="Salah-Sekali-1!").content.decode()
    response = _sign_in(client)
    assert response.status_code == 200
    assert "Terlalu banyak percobaan" in response.content.decode()
    assert client.get("/akun/")["Location"].startswith("/akun/masuk/")
    assert SignInAttempt.objects.filter(outcome="blocked").count() == 1
    assert AuditEntry.objects.filter(action="account.sign_in_refused", detail__reason="blocked").exists()


def test_the_block_ends_after_15_minutes(client, ppk):
    for _ in range(5):
        _sign_in(client, password="Salah-Sekali-1!")
    SignInAttempt.objects.update(at=timezone.now() - dt.timedelta(minutes=16))
    assert _sign_in(client)["Location"] == "/akun/"


def test_twenty_failures_from_one_address_block_it_for_every_account(client, ppk):
    for i in range(20):
        _sign_in(client, user_id=f"tebak{i}", password="Salah-Sekali-1!")
    assert "Terlalu banyak percobaan" in _sign_in(client).content.decode()
    other_address = _sign_in(client, REMOTE_ADDR="10.0.0.9")
    assert other_address["Location"] == "/akun/"


def test_an_account_of_another_unit_cannot_sign_in_here(client, ppk):
    make_account("uji-lain", "ppk.dikbud")
    response = _sign_in(client, user_id="ppk.dikbud", unit="uji")
    assert "User ID atau password salah" in response.content.decode()
    response = _sign_in(client, user_id="ppk.pupr01", unit="uji-lain")
    assert "User ID atau password salah" in response.content.decode()


def test_an_inactive_account_cannot_sign_in(client, ppk):
    Account.objects.filter(pk=ppk.pk).update(is_active=False)
    page = _sign_in(client).content.decode()
    assert "belum aktif" in page
    assert client.get("/akun/")["Location"].startswith("/akun/masuk/")


def test_a_staff_or_outsider_sign_in_is_not_an_account_sign_in(client, outsider, superuser):
    client.force_login(outsider)
    assert client.get("/akun/")["Location"].startswith("/akun/masuk/")
    client.force_login(superuser)
    assert client.get("/akun/")["Location"].startswith("/akun/masuk/")


def test_signing_in_gives_a_new_session_key_and_keeps_a_staff_sign_in(client, ppk, superuser):
    client.force_login(superuser)
    before = client.session.session_key
    _sign_in(client)
    assert client.session.session_key != before
    assert client.session.get("_auth_user_id") == str(superuser.pk)
    client.post("/akun/keluar/")
    assert client.session.get("_auth_user_id") == str(superuser.pk)


def test_a_reset_by_staff_ends_the_holders_open_session(client, ppk):
    _sign_in(client)
    assert client.get("/akun/").status_code == 200
    get_backend().reset_password(ppk)
    assert client.get("/akun/")["Location"].startswith("/akun/masuk/")


def test_signing_out_needs_post(client, ppk):
    _sign_in(client)
    assert client.get("/akun/keluar/").status_code == 405
    assert client.get("/akun/").status_code == 200


def test_after_sign_in_the_holder_goes_back_to_the_page_asked_only_on_this_site(client, ppk):
    response = client.post(
        "/akun/masuk/?next=https://evil.example/",
        {"unit": "uji", "user_id": "ppk.pupr01", "password": OLD_PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/akun/"
    client.post("/akun/keluar/")
    response = client.post(
        "/akun/masuk/",
        {"unit": "uji", "user_id": "ppk.pupr01", "password": OLD_PASSWORD, "next": "/akun/ganti-password/"},
    )
    assert response["Location"] == "/akun/ganti-password/"


def test_a_voluntary_change_asks_for_the_current_password(client, ppk):
    _sign_in(client)
    page = client.post("/akun/ganti-password/", {"current": "Salah-1!x", "new": NEW, "confirm": NEW}).content.decode()
    assert "Password lama salah" in page
    response = client.post("/akun/ganti-password/", {"current": OLD_PASSWORD, "new": NEW, "confirm": NEW})
    assert response["Location"] == "/akun/"
    assert get_backend().check_password(Account.objects.get(pk=ppk.pk), NEW)


def test_the_sign_in_lists_units_by_their_names(client, ppk):
    page = client.get("/akun/masuk/").content.decode()
    option = f'<option value="{ppk.unit.kode}">{ppk.unit.nama}</option>'
    assert option in page and f"{ppk.unit.kode} — " not in page


def test_each_rule_a_password_breaks_is_said_once(client, ppk, temporary):
    _sign_in(client, password=temporary)
    page = client.post("/akun/ganti-password/", {"new": "Ab1!x", "confirm": "Ab1!x"}).content.decode()
    items = re.findall(r"<li>([^<]+)</li>", page)
    assert items == ["Password paling sedikit 8 karakter."]  # not Django's "too short" as well
