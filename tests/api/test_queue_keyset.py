"""The API's work queue (`GET /api/v1/cases`) by keyset pages: `next_cursor` walks every waiting
case once in the queue's order (due time, the cases without one last, then submitted time) and
`prev_cursor` walks back over the same pages; a page deep in the queue costs the queries of the
first; a forged cursor, both cursors, or a cursor with an offset are 400 in the caller's words;
`offset` still pages as before for older clients. On test SOPs of test units."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from loket.cases.models import Case
from tests.web.test_queue_pages import fill_queue, queue_order

from .conftest import API, bearer

pytestmark = pytest.mark.django_db
UTC = dt.UTC
EDGE = base64.urlsafe_b64encode(b'["queue",1,["9999-12-31T23:00:00-05:00"],1]').decode().rstrip("=")


def queue(client: Any, token: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"{API}/cases", params, headers=bearer(token))
    assert response.status_code == 200, response.json()
    return dict(response.json())


def ids(answer: dict[str, Any]) -> list[int]:
    return [item["id"] for item in answer["items"]]


@pytest.fixture
def waiting(service, other_service) -> list[Case]:
    """45 cases waiting at the test unit's verifier, in runs that straddle pages of 10, 10 of them
    with no due time (tests/web/test_queue_pages.py `fill_queue`)."""
    fill_queue(service, other_service, (17, 9, 8, 5, 5))
    return list(Case.objects.filter(unit=service.unit))


def test_the_cursors_walk_every_waiting_case_once_in_order_and_back(client, service, service_tokens, waiting):
    token = service_tokens["verifier"]
    answer = queue(client, token, limit=10)
    assert answer["prev_cursor"] is None and answer["count"] == 45
    pages = [ids(answer)]
    while answer["next_cursor"]:
        answer = queue(client, token, limit=10, after=answer["next_cursor"])
        pages.append(ids(answer))
    assert [len(page) for page in pages] == [10, 10, 10, 10, 5]
    assert [pk for page in pages for pk in page] == queue_order(waiting)
    back = [pages[-1]]
    while answer["prev_cursor"]:
        answer = queue(client, token, limit=10, before=answer["prev_cursor"])
        back.append(ids(answer))
    assert back[::-1] == pages
    # The offset pages of older clients give the same rows; they hand out no cursor.
    by_offset = queue(client, token, limit=10, offset=20)
    assert ids(by_offset) == pages[2] and by_offset["next_cursor"] is None


def test_a_deep_page_costs_the_queries_of_the_first(client, service_tokens, waiting):
    token = service_tokens["verifier"]
    first = queue(client, token, limit=10)
    with CaptureQueriesContext(connection) as on_first:
        queue(client, token, limit=10)
    later = first
    for _ in range(2):
        later = queue(client, token, limit=10, after=later["next_cursor"])
    with CaptureQueriesContext(connection) as deep:
        assert len(ids(queue(client, token, limit=10, after=later["next_cursor"]))) == 10
    assert len(deep) <= len(on_first) + 1  # the page may read the queue's second segment too
    assert not any("OFFSET" in q["sql"].upper() for q in deep.captured_queries)


@pytest.mark.parametrize(
    ("params", "field", "detail"),
    [
        ({"after": "bukan-kursor"}, "after", "Kursor halaman tidak berlaku."),
        # A time at the calendar's edge, which has no UTC: the database would fail on it.
        ({"after": EDGE}, "after", "Kursor halaman tidak berlaku."),
        ({"before": "bukan-kursor"}, "before", "Kursor halaman tidak berlaku."),
        ({"after": "x", "before": "y"}, "before", "Isi salah satu saja."),
        ({"after": "x", "offset": 10}, "offset", "Kosongkan bila memakai kursor."),
    ],
    ids=["forged-after", "edge-of-time", "forged-before", "both-cursors", "cursor-and-offset"],
)
def test_a_cursor_the_queue_did_not_give_is_refused_in_words(client, service_tokens, waiting, params, field, detail):
    response = client.get(f"{API}/cases", params, headers=bearer(service_tokens["verifier"]))
    assert response.status_code == 400
    assert response.json()["problems"] == {field: detail}


def test_a_cursor_of_the_case_search_is_not_a_queue_cursor(client, service_tokens, waiting):
    token = service_tokens["verifier"]
    found = client.get(f"{API}/search/cases", {"limit": 5}, headers=bearer(token)).json()
    response = client.get(f"{API}/cases", {"after": found["next_cursor"]}, headers=bearer(token))
    assert response.status_code == 400 and response.json()["problems"] == {"after": "Kursor halaman tidak berlaku."}
