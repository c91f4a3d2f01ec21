"""Rate limits that hold (loket.throttle): the client address through trusted proxies only, the
look-ups by tracking code and the submits of the portal and the API, the staff console's and the
account sign-in's limits. The same limits under parallel attempts: tests/test_throttles_parallel.py."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from loket.directory.models import Account, SignInAttempt
from loket.throttle.address import resolve_address
from loket.throttle.limits import Refused
from loket.throttle.models import Hit
from loket.throttle.signin import CONSOLE, SignInTicket, begin_sign_in
from tests.factories import pdf_bytes
from tests.hashers import FastArgon2PasswordHasher
from tests.sop_factory import Service, service
from tests.sop_factory import submit as submit_to

__all__ = ["service"]

pytestmark = pytest.mark.django_db

WRONG = "AAAA-BBBB-CCCC-DDDD"
PASSWORD = "Rahasia-uji-123"
FORM_URL = reverse("portal:form", args=["uji", "uji-pulih-akun"])


class HashCount:
    """Counts the password hashes computed (each an argon2 run): checks and new hashes."""

    def __init__(self) -> None:
        self.n = 0
        self._lock = threading.Lock()

    def wrap(self, method: Any) -> Any:
        def counted(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                self.n += 1
            return method(*args, **kwargs)

        return counted


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> Iterator[HashCount]:
    count = HashCount()
    for name in ("verify", "encode"):
        monkeypatch.setattr(FastArgon2PasswordHasher, name, count.wrap(getattr(FastArgon2PasswordHasher, name)))
    yield count


def open_case(client: Client, code: str, **extra: Any):  # type: ignore[no-untyped-def]
    return client.post(reverse("portal:status"), {"code": code}, **extra)


def look_up(client: Client, code: str, **extra: Any):  # type: ignore[no-untyped-def]
    return client.get(f"/api/v1/requests/{code}", **extra)


# -- the client address ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.1"),  # no proxy trusted: the header is the client's word only
        (1, "", "10.0.0.1"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # what the client prepended is skipped
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (2, "203.0.113.9", "203.0.113.9"),  # fewer entries than proxies: the leftmost
        (1, "6.6.6.6, not-an-address", "10.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_comes_from_x_forwarded_for_only_through_trusted_proxies(proxies, forwarded, expected):
    meta = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": forwarded}
    assert resolve_address(meta, proxies) == expected


# -- look-ups by tracking code ---------------------------------------------------------------------


def test_spoofed_forwarded_addresses_and_fresh_sessions_do_not_reset_the_portal_count(service: Service):
    code = submit_to(service).tracking_code
    for i in range(30):
        response = open_case(Client(), WRONG, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
        assert response.status_code == 400
    stopped = open_case(Client(), code, HTTP_X_FORWARDED_FOR="198.51.100.200")
    assert stopped.status_code == 429
    assert "Terlalu banyak kode pelacakan yang salah" in stopped.content.decode()
    assert 0 < int(stopped["Retry-After"]) <= 15 * 60
    # The API counts under the same address: switching gains nothing.
    assert look_up(Client(), code).status_code == 429
    assert open_case(Client(REMOTE_ADDR="10.1.2.3"), code).status_code == 302


def test_behind_one_trusted_proxy_each_client_counts_under_the_address_the_proxy_saw(service: Service, settings):
    settings.LOKET_TRUSTED_PROXIES = 1
    code = submit_to(service).tracking_code
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for i in range(30):
        # The client prepends a different address every time; the proxy appends the real one.
        assert open_case(Client(**proxy), WRONG, HTTP_X_FORWARDED_FOR=f"6.6.6.{i}, 203.0.113.7").status_code == 400
    assert open_case(Client(**proxy), code, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    # Another client behind the same proxy is not held back.
    assert open_case(Client(**proxy), code, HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 302


def test_ten_wrong_codes_in_one_session_stop_it_and_right_codes_do_not_count(service: Service):
    code = submit_to(service).tracking_code
    browser = Client()
    for _ in range(12):
        assert open_case(browser, code).status_code == 302
    assert not Hit.objects.exists()
    for _ in range(10):
        open_case(browser, WRONG)
    assert open_case(browser, code).status_code == 429
    assert Hit.objects.filter(scope="lookup.session").count() == 10


def test_the_api_look_up_answers_429_in_its_error_shape_with_retry_after(service: Service):
    code = submit_to(service).tracking_code
    api = Client()
    for _ in range(5):
        assert look_up(api, code).status_code == 200  # the right code does not count
    for i in range(30):
        assert look_up(api, WRONG, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code == 404
    stopped = look_up(api, code)
    assert stopped.status_code == 429
    body = stopped.json()
    assert set(body) == {"detail", "problems"} and body["problems"] == {}
    assert "Terlalu banyak kode pelacakan yang salah" in body["detail"] and "menit" in body["detail"]
    assert 0 < int(stopped["Retry-After"]) <= 15 * 60
    assert look_up(Client(REMOTE_ADDR="10.1.2.3"), code).status_code == 200


def test_wrong_codes_handing_in_documents_count_too(service: Service, settings):
    settings.LOKET_LOOKUP_LIMIT_PER_ADDRESS = 3
    api = Client()
    for _ in range(3):
        response = api.post(f"/api/v1/requests/{WRONG}/documents", {"note": "x"})
        assert response.status_code == 404
    response = api.post(f"/api/v1/requests/{WRONG}/documents", {"note": "x"})
    assert response.status_code == 429 and response["Retry-After"]
    assert look_up(api, WRONG).status_code == 429


# -- submits ---------------------------------------------------------------------------------------


def _form_data(service: Service, client: Client) -> dict[str, Any]:
    import re

    page = client.get(FORM_URL).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', page)
    assert token
    return {
        "form_token": token.group(1),
        "user_id": service.account.user_id,
        "name": "Rina Kartika",
        "email": "pemohon.baru@gmail.com",
        "phone": "0811-5550-123",
        "agency": str(service.account.agency_id),
        "need": "password",
        "berkas-surat-pengajuan": SimpleUploadedFile("surat.pdf", pdf_bytes(), "application/pdf"),
        "berkas-sk-penunjukan": SimpleUploadedFile("sk.pdf", pdf_bytes(2), "application/pdf"),
    }


def test_portal_submits_are_limited_per_session_and_per_address(service: Service, settings):
    settings.LOKET_SUBMIT_LIMIT_PER_SESSION = 2
    settings.LOKET_SUBMIT_LIMIT_PER_ADDRESS = 3
    browser = Client()
    bad = _form_data(service, browser) | {"email": "bukan-alamat"}
    assert browser.post(FORM_URL, bad).status_code == 400  # made nothing: does not count
    for _ in range(2):
        assert browser.post(FORM_URL, _form_data(service, browser)).status_code == 302
    stopped = browser.post(FORM_URL, _form_data(service, browser))
    assert stopped.status_code == 429 and 0 < int(stopped["Retry-After"]) <= 3600
    assert "Terlalu banyak permohonan" in stopped.content.decode()
    other = Client()
    assert other.post(FORM_URL, _form_data(service, other)).status_code == 302  # the address's third
    other = Client(HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert other.post(FORM_URL, _form_data(service, other)).status_code == 429


def test_api_submits_are_limited_per_address(service: Service, settings):
    settings.LOKET_SUBMIT_LIMIT_PER_ADDRESS = 2
    data = {
        "unit": "uji",
        "service": "uji-pulih-akun",
        "need": "password",
        "name": "Rina Kartika",
        "email": "pemohon.baru@gmail.com",
        "user_id": service.account.user_id,
        "agency": service.account.agency_id,
    }

    def files() -> dict[str, Any]:
        return {kode: SimpleUploadedFile(name, content) for kode, name, content in service.files()}

    for _ in range(2):
        assert Client().post("/api/v1/requests", data | files()).status_code == 201
    stopped = Client().post("/api/v1/requests", data | files())
    assert stopped.status_code == 429 and int(stopped["Retry-After"]) > 0
    assert "Terlalu banyak permohonan" in stopped.json()["detail"]


def test_the_openapi_document_lists_429_for_the_throttled_operations():
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert "429" in paths["/api/v1/requests"]["post"]["responses"]
    assert "429" in paths["/api/v1/requests/{tracking_code}"]["get"]["responses"]


# -- the staff console's sign-in -------------------------------------------------------------------


@pytest.fixture
def clerk(db):  # type: ignore[no-untyped-def]
    return get_user_model().objects.create_user("petugas-uji", password=PASSWORD)


def console_sign_in(client: Client, password: str, username: str = "petugas-uji", **extra: Any):  # type: ignore[no-untyped-def]
    return client.post(reverse("console:login"), {"username": username, "password": password}, **extra)


def test_the_console_refuses_the_sixth_attempt_without_checking_the_password(clerk, hashes):
    attacker = Client(REMOTE_ADDR="198.51.100.66")
    for _ in range(5):
        response = console_sign_in(attacker, "salah-sekali")
        assert response.status_code == 200 and "Nama pengguna atau password salah" in response.content.decode()
    assert hashes.n == 5
    for i in range(3):  # even the right password, and whatever X-Forwarded-For says
        stopped = console_sign_in(attacker, PASSWORD, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
        assert stopped.status_code == 429
        assert "Terlalu banyak percobaan masuk yang gagal" in stopped.content.decode()
        assert 14 * 60 < int(stopped["Retry-After"]) <= 15 * 60
    assert hashes.n == 5  # a refused attempt costs no argon2 hash
    assert "_auth_user_id" not in attacker.session
    # The admin's sign-in shares the limit.
    admin = attacker.post("/admin/login/", {"username": "petugas-uji", "password": PASSWORD})
    assert admin.status_code == 200 and "_auth_user_id" not in attacker.session
    # The holder, from their own address, signs in.
    holder = Client(REMOTE_ADDR="10.20.30.40")
    assert console_sign_in(holder, PASSWORD)["Location"] == reverse("console:queue")
    rows = SignInAttempt.objects.filter(unit_kode=CONSOLE)
    assert rows.filter(outcome="failed").count() == 5 and rows.filter(outcome="ok").count() == 1


def test_unknown_usernames_from_one_address_are_limited_at_twenty(db, clerk):
    guesser = Client(REMOTE_ADDR="198.51.100.66")
    for i in range(20):
        assert console_sign_in(guesser, "salah", username=f"tebak{i}").status_code == 200
    assert console_sign_in(guesser, PASSWORD).status_code == 429
    assert console_sign_in(Client(REMOTE_ADDR="10.20.30.40"), PASSWORD).status_code == 302


def _fail(n: int, ip: str = "198.51.100.66") -> None:
    for _ in range(n):
        ticket = begin_sign_in(unit_kode=CONSOLE, user_id="petugas-uji", ip=ip)
        assert isinstance(ticket, SignInTicket)


def _age(minutes: int) -> None:
    for attempt in SignInAttempt.objects.all():
        attempt.at -= dt.timedelta(minutes=minutes)
        attempt.save(update_fields=["at"])


def test_each_further_lockout_lasts_twice_as_long_and_a_success_starts_over(db):
    _fail(5)
    refused = begin_sign_in(unit_kode=CONSOLE, user_id="petugas-uji", ip="198.51.100.66")
    assert isinstance(refused, Refused) and refused.minutes == 15
    _age(16)
    _fail(5)
    refused = begin_sign_in(unit_kode=CONSOLE, user_id="Petugas-Uji ", ip="198.51.100.66")
    assert isinstance(refused, Refused) and refused.minutes == 30
    _age(31)
    _fail(5)
    refused = begin_sign_in(unit_kode=CONSOLE, user_id="petugas-uji", ip="198.51.100.66")
    assert isinstance(refused, Refused) and refused.minutes == 60
    _age(61)
    ticket = begin_sign_in(unit_kode=CONSOLE, user_id="petugas-uji", ip="198.51.100.66")
    assert isinstance(ticket, SignInTicket)
    ticket.succeeded()
    _fail(4)  # counted from the success on
    assert isinstance(begin_sign_in(unit_kode=CONSOLE, user_id="petugas-uji", ip="198.51.100.66"), SignInTicket)


# -- the account sign-in ---------------------------------------------------------------------------


@pytest.fixture
def holder(service: Service) -> Account:
    account = service.account
    account.password = make_password("Lama-Sekali-1!")
    account.save(update_fields=["password"])
    return account


def account_sign_in(client: Client, account: Account, password: str, **extra: Any):  # type: ignore[no-untyped-def]
    data = {"unit": account.unit.kode, "user_id": account.user_id, "password": password}
    return client.post("/akun/masuk/", data, **extra)


def test_someone_guessing_from_elsewhere_cannot_lock_the_holder_out(holder: Account, hashes):
    attacker = Client(REMOTE_ADDR="198.51.100.66")
    for _ in range(5):
        assert "User ID atau password salah" in account_sign_in(attacker, holder, "Salah-Sekali-1!").content.decode()
    before = hashes.n
    for i in range(5):
        page = account_sign_in(attacker, holder, "Lama-Sekali-1!", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
        assert "Terlalu banyak percobaan" in page.content.decode()
    assert hashes.n == before
    response = account_sign_in(Client(REMOTE_ADDR="10.20.30.40"), holder, "Lama-Sekali-1!")
    assert response["Location"] == "/akun/"
    assert set(SignInAttempt.objects.filter(outcome="blocked").values_list("ip", flat=True)) == {"198.51.100.66"}


def test_behind_a_trusted_proxy_the_sign_in_records_the_client_address(holder: Account, settings):
    settings.LOKET_TRUSTED_PROXIES = 1
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    account_sign_in(proxy, holder, "Salah-Sekali-1!", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert SignInAttempt.objects.get().ip == "203.0.113.7"
