"""The limits under parallel attempts: threads with the test Client, each on its own database
connection (PostgreSQL: the test database, which these tests commit to; SQLite: the in-memory test
database copied to a file for the threads, with Loket's IMMEDIATE transactions and busy timeout,
and copied back after). Exactly the limit's number of attempts get through, however many arrive at
once."""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from loket.cases.models import Case
from loket.directory.models import SignInAttempt
from loket.throttle.models import Hit
from tests.sop_factory import Service, service
from tests.test_throttles import HashCount, hashes

__all__ = ["hashes", "service"]

pytestmark = pytest.mark.django_db(transaction=True)

PARALLEL = 20
PASSWORD = "Rahasia-uji-123"


@contextmanager
def own_connections(tmp_path: Path) -> Iterator[None]:
    """While inside, a new thread's connection reaches the data written so far."""
    connection.ensure_connection()
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    path = tmp_path / "shared.sqlite3"
    with closing(sqlite3.connect(path)) as target:
        connection.connection.backup(target)
    shared = connections.settings["default"]
    assert shared is connection.settings_dict
    saved = shared["NAME"]
    shared["NAME"] = str(path)
    try:
        yield
    finally:
        shared["NAME"] = saved
        with closing(sqlite3.connect(path)) as source:
            source.backup(connection.connection)


def at_once(tmp_path: Path, attempt: Callable[[int], int], n: int = PARALLEL) -> Counter[int]:
    """Run `attempt(i)` in n threads released together; the status codes they answered."""
    barrier = threading.Barrier(n)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            statuses.append(attempt(i))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    with own_connections(tmp_path):
        threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    assert not errors, errors
    return Counter(statuses)


def test_twenty_parallel_wrong_console_passwords_only_five_reach_the_password_check(db, tmp_path, hashes: HashCount):
    get_user_model().objects.create_user("petugas-uji", password=PASSWORD)
    hashes.n = 0

    def attempt(i: int) -> int:
        response = Client(REMOTE_ADDR="198.51.100.66").post(
            reverse("console:login"),
            {"username": "petugas-uji", "password": f"salah-{i}"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",  # spoofed: not trusted by default
        )
        return response.status_code

    assert at_once(tmp_path, attempt) == {200: 5, 429: 15}
    assert hashes.n == 5
    rows = Counter(SignInAttempt.objects.values_list("outcome", flat=True))
    assert rows == {"failed": 5, "blocked": 15}
    # The holder, elsewhere, is not locked out.
    assert Client(REMOTE_ADDR="10.20.30.40").post(
        reverse("console:login"), {"username": "petugas-uji", "password": PASSWORD}
    )["Location"] == reverse("console:queue")


def test_twenty_parallel_wrong_account_passwords_only_five_reach_the_password_check(
    service: Service, tmp_path, hashes: HashCount
):
    account = service.account
    account.password = make_password("Lama-Sekali-1!")
    account.save(update_fields=["password"])
    hashes.n = 0
    data = {"unit": account.unit.kode, "user_id": account.user_id}

    def attempt(i: int) -> int:
        response = Client(REMOTE_ADDR="198.51.100.66").post("/akun/masuk/", data | {"password": f"Salah-{i}!x"})
        page = response.content.decode()
        return 429 if "Terlalu banyak percobaan" in page else 401 if "password salah" in page else 0

    assert at_once(tmp_path, attempt) == {401: 5, 429: 15}
    assert hashes.n == 5
    assert Counter(SignInAttempt.objects.values_list("outcome", flat=True)) == {"failed": 5, "blocked": 15}
    holder = Client(REMOTE_ADDR="10.20.30.40").post("/akun/masuk/", data | {"password": "Lama-Sekali-1!"})
    assert holder["Location"] == "/akun/"


def test_parallel_wrong_codes_from_one_address_only_the_limit_are_looked_up(service: Service, tmp_path, settings):
    settings.LOKET_LOOKUP_LIMIT_PER_ADDRESS = 5

    def attempt(i: int) -> int:
        client = Client(HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
        if i % 2:
            return client.get(f"/api/v1/requests/AAAA-BBBB-CCCC-{i:04d}").status_code
        return client.post(reverse("portal:status"), {"code": f"AAAA-BBBB-CCCC-{i:04d}"}).status_code

    answers = at_once(tmp_path, attempt)
    assert answers[429] == PARALLEL - 5
    assert answers[404] + answers[400] == 5  # the API's and the portal's "unknown code"
    assert Hit.objects.filter(scope="lookup.address").count() == 5


def test_parallel_api_submits_from_one_address_make_only_the_limit_of_requests(service: Service, tmp_path, settings):
    settings.LOKET_SUBMIT_LIMIT_PER_ADDRESS = 3
    data: dict[str, Any] = {
        "unit": "uji",
        "service": "uji-pulih-akun",
        "need": "password",
        "name": "Rina Kartika",
        "email": "pemohon.baru@gmail.com",
        "user_id": service.account.user_id,
        "agency": service.account.agency_id,
    }
    files = service.files()

    def attempt(i: int) -> int:
        parts = {kode: SimpleUploadedFile(name, content) for kode, name, content in files}
        return Client().post("/api/v1/requests", data | parts).status_code

    assert at_once(tmp_path, attempt, n=8) == {201: 3, 429: 5}
    assert Case.objects.count() == 3
