"""GET /api/v1/search/cases: the console's "Semua permohonan" search for API tokens: the same
search box and filters, keyset cursors, and the caller's scope only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from loket.cases.models import Case, Status
from tests.sop_factory import STRANGERS
from tests.web.test_case_list import clone, two_cases

from .conftest import API, bearer

URL = f"{API}/search/cases"
UTC = dt.UTC

pytestmark = pytest.mark.django_db


def found(client: Any, token: str, **params: Any) -> list[int]:
    response = client.get(URL, params, headers=bearer(token))
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("reference", "rina"),
        ("reference-lower", "rina"),
        ("rina kar", "rina"),
        ("19920417 201801 2 003", "rina"),
        ("rina.ketik", "rina"),
        ("account-user-id", "rina"),
        ("rina.pribadi@gmail.com", "rina"),
        ("account-email", "rina"),
        ("budi", "budi"),
        ("198501012010011001", "budi"),
        ("prefix", "both"),
        ("nobody", "none"),
    ],
)
def test_each_search_field_finds_its_case_and_not_the_others(client, service, service_tokens, query, who):
    rina, budi = two_cases(service)
    typed = {
        "reference": rina.reference,
        "reference-lower": rina.reference.lower(),
        "account-user-id": service.account.user_id,
        "account-email": service.account.email,
        "prefix": service.prefix,
    }.get(query, query)
    expected = {"rina": [rina.pk], "budi": [budi.pk], "both": [budi.pk, rina.pk], "none": []}[who]
    assert found(client, service_tokens["verifier"], q=typed) == expected


def test_an_item_names_the_case_and_its_times_in_utc(client, service, service_tokens):
    rina, _budi = two_cases(service)
    Case.objects.filter(pk=rina.pk).update(created_at=dt.datetime(2026, 3, 10, 16, 30, tzinfo=UTC))
    response = client.get(URL, {"q": rina.reference}, headers=bearer(service_tokens["verifier"]))
    item = response.json()["items"][0]
    assert item["reference"] == rina.reference
    assert item["unit"] == "uji" and item["service"] == service.kode and item["agency"] == service.agency.name
    assert item["requester_name"] == "Rina Kartika" and item["status"] == "open"
    assert item["submitted_at"].startswith("2026-03-10T16:30:00")
    assert response.json()["next_cursor"] is None and response.json()["prev_cursor"] is None


@pytest.mark.parametrize("stranger", STRANGERS)
def test_a_stranger_never_finds_the_case(client, service, service_tokens, stranger):
    rina, budi = two_cases(service)
    token = service_tokens[stranger]
    for params in ({}, {"q": rina.reference}, {"q": "Rina"}, {"q": service.prefix}, {"q": "199204172018012003"}):
        assert found(client, token, **params) == []
        body = client.get(URL, params, headers=bearer(token)).content.decode()
        assert budi.reference not in body


def test_without_a_token_it_is_refused(client, service):
    two_cases(service)
    response = client.get(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_the_filters(client, service, service_tokens):
    rina, budi = two_cases(service)
    now = timezone.now()
    Case.objects.filter(pk=rina.pk).update(
        status=Status.WAITING,
        current_lane="",
        current_due_at=now - dt.timedelta(minutes=1),
        created_at=dt.datetime(2026, 3, 10, 16, 30, tzinfo=UTC),  # 11 March in WITA
    )
    Case.objects.filter(pk=budi.pk).update(
        current_due_at=now + dt.timedelta(hours=1), created_at=dt.datetime(2026, 3, 10, 15, 30, tzinfo=UTC)
    )
    token = service_tokens["verifier"]
    assert found(client, token, status="waiting") == [rina.pk]
    assert found(client, token, status="open") == [budi.pk]
    assert found(client, token, service=service.kode) == [rina.pk, budi.pk]
    assert found(client, token, service="bukan-layanan") == []
    assert found(client, token, lane=budi.current_lane) == [budi.pk]
    assert found(client, token, submitted_from="2026-03-11") == [rina.pk]
    assert found(client, token, submitted_to="2026-03-10") == [budi.pk]
    assert found(client, token, overdue="true") == [rina.pk]
    assert found(client, token, sort="due", order="asc") == [rina.pk, budi.pk]
    assert found(client, token, sort="submitted", order="asc") == [budi.pk, rina.pk]


def test_bad_parameters_answer_400_in_the_one_shape(client, service, service_tokens):
    two_cases(service)
    headers = bearer(service_tokens["verifier"])
    for params, field in (
        ({"after": "bukan-kursor"}, "after"),
        ({"before": "bukan-kursor"}, "before"),
        ({"status": "entah"}, "status"),
        ({"limit": 0}, "limit"),
        ({"sort": "nama"}, "sort"),
        ({"submitted_from": "kemarin"}, "submitted_from"),
    ):
        response = client.get(URL, params, headers=headers)
        assert response.status_code == 400, params
        assert set(response.json()) == {"detail", "problems"}
        assert field in response.json()["problems"], response.json()


@pytest.mark.parametrize(
    ("sort", "order"), [("submitted", "desc"), ("submitted", "asc"), ("due", "asc"), ("due", "desc")]
)
def test_cursor_pages_are_disjoint_and_complete_across_equal_keys(client, service, service_tokens, sort, order):
    rina, budi = two_cases(service)
    when = dt.datetime(2026, 5, 4, 2, 0, tzinfo=UTC)
    clone(rina, 9, created_at=when, current_due_at=when + dt.timedelta(days=1))
    clone(budi, 6, created_at=when, current_due_at=None)
    headers = bearer(service_tokens["verifier"])
    pages, cursor = [], None
    while True:
        params = {"sort": sort, "order": order, "limit": 4, **({"after": cursor} if cursor else {})}
        body = client.get(URL, params, headers=headers).json()
        pages.append([item["id"] for item in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    ids = [pk for page in pages for pk in page]
    assert len(ids) == len(set(ids)) == 17
    assert all(len(page) == 4 for page in pages[:-1])
    # Back from the last page by prev_cursor: the same pages.
    back, cursor = [pages[-1]], body["prev_cursor"]
    while cursor:
        body = client.get(URL, {"sort": sort, "order": order, "limit": 4, "before": cursor}, headers=headers).json()
        back.append([item["id"] for item in body["items"]])
        cursor = body["prev_cursor"]
    assert back[::-1] == pages
    # A cursor belongs to its order.
    other = "due" if sort == "submitted" else "submitted"
    first = client.get(URL, {"sort": sort, "limit": 4}, headers=headers).json()
    assert client.get(URL, {"sort": other, "after": first["next_cursor"]}, headers=headers).status_code == 400


def test_the_query_count_does_not_grow_with_the_cases(client, service, service_tokens):
    _rina, budi = two_cases(service)
    headers = bearer(service_tokens["verifier"])
    client.get(URL, headers=headers)  # the token's first use is recorded once
    counts = []
    for more in (0, 150):
        clone(budi, more)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"q": "Budi", "limit": 100}, headers=headers).status_code == 200
        counts.append(len(queries))
    assert counts[1] == counts[0]
