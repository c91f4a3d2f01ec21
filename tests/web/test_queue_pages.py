"""The work queue's pages (`/konsol/`): "berikutnya" and "sebelumnya" walk every waiting case
once, in the queue's order (due time, the cases without one last, then submitted time), the same
pages both ways; a link that no longer works shows the first page and says so; the page costs the
same queries for 3 cases or 60; the count stops at its cap; the rows' times read as everywhere
else. On test SOPs of test units (tests/sop_factory.py)."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from loket.cases import search
from loket.cases.models import Case
from loket.web import queue_page
from loket.web.case_rows import local_text
from loket.web.templatetags.local_time import lokal
from tests.sop_factory import submit
from tests.web.test_case_list import clone

URL = "/konsol/"
UTC = dt.UTC

pytestmark = pytest.mark.django_db


def rows_of(response: Any) -> list[int]:
    """The ids of the cases in the queue's table, top to bottom."""
    assert response.status_code == 200
    return [int(pk) for pk in re.findall(r'<td><a href="/konsol/kasus/(\d+)/">', response.content.decode())]


def link(response: Any, rel: str) -> str | None:
    found = re.search(rf'href="(\?[^"]*)" rel="{rel}"', response.content.decode())
    return found.group(1).replace("&amp;", "&") if found else None


def queue_order(cases: list[Case]) -> list[int]:
    """The order the queue promises: due time (none: after all that have one), submitted, id."""
    far = dt.datetime.max.replace(tzinfo=UTC)
    return [c.pk for c in sorted(cases, key=lambda c: (c.current_due_at or far, c.created_at, c.pk))]


def walk(client: Any) -> list[list[int]]:
    """Every page from the first by "berikutnya", then back by "sebelumnya" from the last; checks
    that the way back shows the same pages, and returns them."""
    response = client.get(URL)
    pages = [rows_of(response)]
    while (after := link(response, "next")) is not None:
        response = client.get(URL + after)
        pages.append(rows_of(response))
    back = [pages[-1]]
    while (before := link(response, "prev")) is not None:
        response = client.get(URL + before)
        back.append(rows_of(response))
    assert back[::-1] == pages
    return pages


def fill_queue(service: Any, other_service: Any, runs: tuple[int, int, int, int, int]) -> None:
    """A first case and its clones waiting at the test unit's verifier, in five runs: of one due
    time and submitted time, an earlier due time submitted later, the same due time submitted
    earlier, and two runs with no due time (the queue's last segment) on two submitted times. The
    later submitted are written first, so that the id alone does not give the order; runs longer
    than a page straddle its boundaries. And one case of another unit, never in this queue."""
    first = submit(service).case
    first.refresh_from_db()
    submitted = dt.datetime(2026, 5, 4, 2, 0, tzinfo=UTC)
    due = dt.datetime(2026, 5, 5, 2, 0, tzinfo=UTC)
    same, later, earlier, untimed, untimed_earlier = runs
    clone(first, same, created_at=submitted, current_due_at=due)
    clone(first, later, created_at=submitted + dt.timedelta(hours=1), current_due_at=due - dt.timedelta(hours=1))
    clone(first, earlier, created_at=submitted - dt.timedelta(hours=2), current_due_at=due - dt.timedelta(hours=1))
    clone(first, untimed, created_at=submitted, current_due_at=None)
    clone(first, untimed_earlier, created_at=submitted - dt.timedelta(days=1), current_due_at=None)
    submit(other_service)


def test_the_pages_visit_every_waiting_case_once_in_the_queues_order_and_back(client, service, other_service):
    fill_queue(service, other_service, (60, 19, 20, 15, 15))  # 130 cases on pages of 50
    client.force_login(service.verifier)
    pages = walk(client)
    assert [len(page) for page in pages] == [50, 50, 30]
    mine = list(Case.objects.filter(unit=service.unit))
    assert len(mine) == 130
    assert [pk for page in pages for pk in page] == queue_order(mine)


def test_the_cases_without_a_due_time_come_last_oldest_first(client, service):
    timed, late_untimed, early_untimed = (submit(service).case for _ in range(3))
    now = dt.datetime.now(UTC)
    Case.objects.filter(pk=timed.pk).update(current_due_at=now + dt.timedelta(days=30))
    Case.objects.filter(pk=late_untimed.pk).update(current_due_at=None, created_at=now)
    Case.objects.filter(pk=early_untimed.pk).update(current_due_at=None, created_at=now - dt.timedelta(days=1))
    client.force_login(service.verifier)
    response = client.get(URL)
    assert rows_of(response) == [timed.pk, early_untimed.pk, late_untimed.pk]
    assert response.content.decode().count("tanpa mutu baku waktu") == 2
    assert link(response, "next") is None and link(response, "prev") is None


@pytest.mark.parametrize(
    "cursor",
    [
        "bukan-kursor",
        search.encode_cursor("submitted", 0, Case(pk=1, created_at=dt.datetime.now(UTC)), ["created_at"]),
    ],
    ids=["forged", "the-case-lists"],
)
def test_a_link_that_no_longer_works_shows_the_first_page_and_says_so(client, service, cursor):
    cases = [submit(service).case for _ in range(2)]
    client.force_login(service.verifier)
    response = client.get(URL, {"setelah": cursor})
    assert rows_of(response) == queue_order([Case.objects.get(pk=c.pk) for c in cases])
    assert "Tautan halaman tidak berlaku lagi; ditampilkan halaman pertama." in response.content.decode()
    assert "Tautan halaman" not in client.get(URL).content.decode()


def test_the_page_costs_the_same_queries_for_3_cases_or_60(client, service):
    first = submit(service).case
    first.refresh_from_db()
    client.force_login(service.verifier)
    # A third of the cases without a due time, so that both pages read both of the queue's
    # segments (a page filled by the timed cases alone reads one query fewer).
    clone(first, 1, current_due_at=None)
    clone(first, 1)
    client.get(URL)  # the session's idle stamp is written on its first use
    with CaptureQueriesContext(connection) as three:
        assert len(rows_of(client.get(URL))) == 3
    clone(first, 19, current_due_at=None)
    clone(first, 38)
    with CaptureQueriesContext(connection) as sixty:
        response = client.get(URL)
    assert len(rows_of(response)) == 50 and link(response, "next")
    assert len(sixty) == len(three)
    # and no row of the queue carries its SOP's whole file
    reads = [q["sql"] for q in sixty.captured_queries if 'FROM "cases_case"' in q["sql"]]
    assert reads and not [sql for sql in reads if '"catalog_sopversion"."content"' in sql]


def test_the_count_is_exact_up_to_its_cap(client, service, monkeypatch):
    first = submit(service).case
    first.refresh_from_db()
    clone(first, 2)
    client.force_login(service.verifier)
    assert "3 permohonan menunggu Anda." in client.get(URL).content.decode()
    monkeypatch.setattr(queue_page, "COUNT_CAP", 2)
    assert "Lebih dari 2 permohonan menunggu Anda." in client.get(URL).content.decode()


def test_a_row_reads_as_the_case_does_everywhere_else(client, service):
    case = submit(service).case
    created = dt.datetime(2026, 12, 1, 1, 30, tzinfo=UTC)  # 09:30 WITA, the test unit's zone
    overdue = created + dt.timedelta(minutes=15)
    Case.objects.filter(pk=case.pk).update(created_at=created, current_due_at=overdue)
    case.refresh_from_db()
    client.force_login(service.verifier)
    body = client.get(URL).content.decode()
    assert f'<td><a href="/konsol/kasus/{case.pk}/">{case.reference}</a></td>' in body
    assert f"<td>{lokal(created, case)}</td>" in body and lokal(overdue, case) in body
    assert "01-12-2026 09:30 WITA" in body and "terlambat" in body
    assert client.get(f"/konsol/kasus/{case.pk}/").status_code == 200


@pytest.mark.parametrize("zone", ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "Europe/Amsterdam", "UTC"])
def test_the_rows_time_text_is_the_lokal_filters(zone):
    where = zoneinfo.ZoneInfo(zone)
    for moment in (
        dt.datetime(2026, 1, 1, 0, 0, tzinfo=UTC),
        dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC),  # Amsterdam's clocks go forward
        dt.datetime(2026, 10, 25, 0, 59, 59, tzinfo=UTC),
        dt.datetime(2026, 12, 31, 23, 5, tzinfo=UTC),
    ):
        assert local_text(moment, where) == lokal(moment, zone)
