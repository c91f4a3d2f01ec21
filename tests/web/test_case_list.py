"""The console's "Semua permohonan" page (/konsol/kasus/): every case in my scope, whatever its
status, found by the search box and the filters, in keyset pages; above it the cases I acted on
last. The queries themselves: loket.cases.search."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import secrets
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from loket.cases import search
from loket.cases.models import Case, Status
from loket.cases.selectors import is_overdue, overdue_q
from tests.cases.test_services import answer_run
from tests.sop_factory import STRANGERS, Service, make_service, strangers, submit

URL = "/konsol/kasus/"
UTC = dt.UTC

pytestmark = pytest.mark.django_db


# -- the world ----------------------------------------------------------------------------------


def two_cases(service: Service) -> tuple[Case, Case]:
    """Rina's case (typed user ID and e-mail of her own, her NIP; linked to the first agency's
    directory account) and Budi's (nothing in the directory), both at the first agency."""
    rina = submit(
        service,
        name="Rina Kartika",
        email="Rina.Pribadi@gmail.com",
        user_id="rina.ketik",
        nip="199204172018012003",
    ).case
    budi = submit(
        service, name="Budi Santoso", email="budi@gmail.com", user_id="budi.ketik", nip="198501012010011001"
    ).case
    rina.refresh_from_db()
    budi.refresh_from_db()
    assert rina.account == service.account and budi.account is None
    return rina, budi


_SERIAL = itertools.count(1)


def clone(case: Case, count: int, **fields: Any) -> list[Case]:
    """`count` copies of `case` written at once (new reference and tracking digest), `fields` set
    on each; created_at is set after the insert (auto_now_add ignores it)."""
    created_at = fields.pop("created_at", None)
    rows = []
    for _ in range(count):
        row = Case(
            **{
                f.attname: getattr(case, f.attname)
                for f in Case._meta.concrete_fields
                if f.attname not in {"id", "reference", "tracking_digest"}
            }
        )
        row.reference = f"{case.reference}-{next(_SERIAL):05d}"
        row.tracking_digest = secrets.token_hex(32)
        for name, value in fields.items():
            setattr(row, name, value)
        rows.append(row)
    made = Case.objects.bulk_create(rows)
    if created_at is not None:
        Case.objects.filter(pk__in=[c.pk for c in made]).update(created_at=created_at)
    return list(Case.objects.filter(pk__in=[c.pk for c in made]).order_by("pk"))


def listed(response: Any) -> list[int]:
    """The ids of the cases in the page's result table (after its heading), in order."""
    body = response.content.decode()
    results = body.split("<h2>", 2)[-1] if "Permohonan terakhir saya" in body else body
    return [int(pk) for pk in re.findall(r'href="/konsol/kasus/(\d+)/"', results)]


# -- the search box -----------------------------------------------------------------------------


def test_the_page_lists_every_case_in_scope_newest_first_with_a_nav_link(client, service):
    rina, budi = two_cases(service)
    Case.objects.filter(pk=rina.pk).update(status=Status.DONE, current_lane="", current_due_at=None)
    client.force_login(service.verifier)
    response = client.get(URL)
    assert response.status_code == 200
    assert reverse("console:cases") == URL
    assert listed(response) == [budi.pk, rina.pk]  # a closed case is found too
    assert f'href="{URL}"' in client.get(reverse("console:queue")).content.decode()


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("reference", "rina"),
        ("reference-lower", "rina"),
        ("rina kar", "rina"),
        ("KARTIKA", "rina"),
        ("19920417 201801 2 003", "rina"),
        ("199204172018012003", "rina"),
        ("rina.ketik", "rina"),
        ("account-user-id", "rina"),
        ("RINA.PRIBADI@GMAIL.COM", "rina"),
        ("account-email", "rina"),
        ("budi", "budi"),
        ("198501012010011001", "budi"),
        ("budi.ketik", "budi"),
        ("budi@gmail.com", "budi"),
        ("prefix", "both"),
        ("tidak ada yang bernama ini", "none"),
        ("rina.ketik@gmail.com", "none"),
        ("19920417", "none"),  # a NIP is matched whole, not by prefix
    ],
)
def test_each_search_field_finds_its_case_and_not_the_others(client, service, query, who):
    rina, budi = two_cases(service)
    typed = {
        "reference": rina.reference,
        "reference-lower": rina.reference.lower(),
        "account-user-id": service.account.user_id,
        "account-email": service.account.email.upper(),
        "prefix": service.prefix,
    }.get(query, query)
    client.force_login(service.verifier)
    response = client.get(URL, {"q": typed})
    assert response.status_code == 200
    expected = {"rina": [rina.pk], "budi": [budi.pk], "both": [budi.pk, rina.pk], "none": []}[who]
    assert listed(response) == expected
    assert "Permohonan terakhir saya" not in response.content.decode()


def test_a_reference_prefix_narrows_as_it_grows(client, service):
    rina, _budi = two_cases(service)
    copies = clone(rina, 3)
    client.force_login(service.verifier)
    assert listed(client.get(URL, {"q": rina.reference})) == [c.pk for c in reversed(copies)] + [rina.pk]
    assert listed(client.get(URL, {"q": copies[1].reference})) == [copies[1].pk]


# -- scope --------------------------------------------------------------------------------------


@pytest.mark.parametrize("stranger", STRANGERS)
def test_a_stranger_never_finds_the_case(client, service, other_service, stranger):
    rina, budi = two_cases(service)
    client.force_login(strangers(service, other_service)[stranger])
    for params in ({}, {"q": rina.reference}, {"q": "Rina"}, {"q": service.prefix}, {"q": "199204172018012003"}):
        response = client.get(URL, params)
        assert response.status_code == 200
        assert listed(response) == []
        if not params:
            body = response.content.decode()
            assert rina.reference not in body and budi.reference not in body


def test_a_case_of_another_unit_is_not_listed_even_with_the_same_name(client, service, other_service):
    mine, _budi = two_cases(service)
    theirs = submit(other_service, other_service.account, name="Rina Kartika").case
    client.force_login(service.verifier)
    assert theirs.pk not in listed(client.get(URL, {"q": "Rina"}))
    assert listed(client.get(URL, {"q": "Rina"})) == [mine.pk]


def test_an_anonymous_visitor_is_sent_to_sign_in(client, service):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("console:login"))


# -- the filters --------------------------------------------------------------------------------


def test_the_status_filter(client, service):
    rina, budi = two_cases(service)
    Case.objects.filter(pk=rina.pk).update(status=Status.REFUSED)
    client.force_login(service.verifier)
    assert listed(client.get(URL, {"status": "refused"})) == [rina.pk]
    assert listed(client.get(URL, {"status": "open"})) == [budi.pk]
    assert listed(client.get(URL, {"status": "done"})) == []


def test_the_sop_filter(client, service):
    rina, _budi = two_cases(service)
    second = make_service(kode="uji-pulih-kedua", nama="Pemulihan Akun Kedua")
    other = submit(second, second.account, name="Rina Kartika").case
    client.force_login(service.verifier)
    response = client.get(URL, {"layanan": second.kode})
    assert listed(response) == [other.pk]
    assert listed(client.get(URL, {"layanan": service.kode, "q": "rina"})) == [rina.pk]


def test_the_lane_filter(client, service):
    rina, budi = two_cases(service)
    Case.objects.filter(pk=rina.pk).update(current_lane="")
    client.force_login(service.verifier)
    assert listed(client.get(URL, {"pelaksana": budi.current_lane})) == [budi.pk]
    assert budi.current_lane  # a staff lane the case waits on


def test_the_date_filter_counts_the_units_local_day(client, service):
    rina, budi = two_cases(service)
    # 16:30 UTC on 10 March is 00:30 on 11 March in WITA (UTC+8).
    Case.objects.filter(pk=rina.pk).update(created_at=dt.datetime(2026, 3, 10, 16, 30, tzinfo=UTC))
    Case.objects.filter(pk=budi.pk).update(created_at=dt.datetime(2026, 3, 10, 15, 30, tzinfo=UTC))  # 23:30
    client.force_login(service.verifier)
    assert listed(client.get(URL, {"dari": "2026-03-11", "sampai": "2026-03-11"})) == [rina.pk]
    assert listed(client.get(URL, {"dari": "2026-03-10", "sampai": "2026-03-10"})) == [budi.pk]
    assert listed(client.get(URL, {"sampai": "2026-03-10"})) == [budi.pk]
    assert listed(client.get(URL, {"dari": "2026-03-10"})) == [rina.pk, budi.pk]


def test_the_overdue_filter_is_the_queues_rule(client, service):
    rina, budi = two_cases(service)
    now = timezone.now()
    Case.objects.filter(pk=rina.pk).update(current_due_at=now - dt.timedelta(minutes=5))
    Case.objects.filter(pk=budi.pk).update(current_due_at=now + dt.timedelta(hours=2))
    client.force_login(service.verifier)
    response = client.get(URL, {"terlambat": "on"})
    assert listed(response) == [rina.pk]
    assert "terlambat" in response.content.decode()
    for case in Case.objects.all():
        assert is_overdue(case, now) == Case.objects.filter(overdue_q(now), pk=case.pk).exists()


def test_a_bad_filter_value_is_shown_and_no_filter_guessed(client, service):
    two_cases(service)
    client.force_login(service.verifier)
    response = client.get(URL, {"dari": "kemarin"})
    assert response.status_code == 200
    assert len(listed(response)) == 2
    assert 'class="error"' in response.content.decode()


# -- order and keyset pages ---------------------------------------------------------------------


def test_both_orders_both_directions(client, service):
    rina, budi = two_cases(service)
    now = timezone.now()
    Case.objects.filter(pk=rina.pk).update(current_due_at=now + dt.timedelta(hours=1))
    Case.objects.filter(pk=budi.pk).update(current_due_at=now + dt.timedelta(hours=3))
    no_due = clone(rina, 1, current_due_at=None, status=Status.WAITING)[0]
    client.force_login(service.verifier)
    assert listed(client.get(URL, {"urut": "diajukan-turun"})) == [no_due.pk, budi.pk, rina.pk]
    assert listed(client.get(URL, {"urut": "diajukan-naik"})) == [rina.pk, budi.pk, no_due.pk]
    # No due time: after the others, in either direction.
    assert listed(client.get(URL, {"urut": "tenggat-naik"})) == [rina.pk, budi.pk, no_due.pk]
    assert listed(client.get(URL, {"urut": "tenggat-turun"})) == [budi.pk, rina.pk, no_due.pk]


def walk(client: Any, params: dict[str, str]) -> tuple[list[int], list[int]]:
    """Every page forwards by "berikutnya", then back by "sebelumnya" from the last: (ids in
    order forwards, ids in order read backwards page by page)."""
    forwards: list[list[int]] = []
    response = client.get(URL, params)
    while True:
        forwards.append(listed(response))
        found = re.search(r'href="(\?[^"]*)" rel="next"', response.content.decode())
        if not found:
            break
        response = client.get(URL + found.group(1).replace("&amp;", "&"))
    assert 'rel="prev"' in response.content.decode() or len(forwards) == 1
    backwards: list[list[int]] = [forwards[-1]]
    while True:
        found = re.search(r'href="(\?[^"]*)" rel="prev"', response.content.decode())
        if not found:
            break
        response = client.get(URL + found.group(1).replace("&amp;", "&"))
        backwards.append(listed(response))
    assert backwards[::-1] == forwards  # the same pages, read the other way
    for page in forwards[:-1]:
        assert len(page) == search.PAGE_SIZE
    return [pk for page in forwards for pk in page], [pk for page in backwards for pk in page]


@pytest.mark.parametrize("sort", ["diajukan-turun", "diajukan-naik", "tenggat-naik", "tenggat-turun"])
def test_keyset_pages_are_disjoint_and_complete_across_equal_sort_keys(client, service, sort):
    rina, budi = two_cases(service)
    when = dt.datetime(2026, 5, 4, 2, 0, tzinfo=UTC)
    due = dt.datetime(2026, 5, 5, 2, 0, tzinfo=UTC)
    # Pages of 50 over 130 cases: runs of equal keys straddle every page boundary, and about a
    # third have no due time (the second segment of the due order).
    clone(rina, 60, created_at=when, current_due_at=due)
    clone(rina, 30, created_at=when + dt.timedelta(hours=1), current_due_at=None)
    clone(budi, 38, created_at=when - dt.timedelta(hours=1), current_due_at=due - dt.timedelta(hours=1))
    client.force_login(service.verifier)
    ids, _ = walk(client, {"urut": sort, "q": service.prefix})
    assert len(ids) == len(set(ids)) == Case.objects.count() == 130
    cases = {c.pk: c for c in Case.objects.all()}
    if sort.startswith("diajukan"):
        expected = sorted(cases, key=lambda pk: (cases[pk].created_at, pk), reverse=sort.endswith("turun"))
    else:
        timed = [pk for pk in cases if cases[pk].current_due_at]
        untimed = [pk for pk in cases if not cases[pk].current_due_at]
        down = sort.endswith("turun")
        expected = sorted(timed, key=lambda pk: (cases[pk].current_due_at, pk), reverse=down)
        expected += sorted(untimed, reverse=down)
    assert ids == expected


def test_a_stale_or_forged_cursor_shows_the_first_page(client, service):
    two_cases(service)
    client.force_login(service.verifier)
    response = client.get(URL, {"setelah": "bukan-kursor"})
    assert response.status_code == 200
    assert len(listed(response)) == 2
    assert "Tautan halaman tidak berlaku lagi" in response.content.decode()


def test_the_query_count_does_not_grow_with_the_cases(client, service):
    rina, budi = two_cases(service)
    answer_run(rina, service.verifier, [(2, "ya", "")])
    client.force_login(service.verifier)
    client.get(URL)  # the session and the roles' caches warm
    counts = []
    for more in (0, 120):
        clone(budi, more)
        for params in ({}, {"q": "Budi", "urut": "tenggat-naik"}):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(URL, params).status_code == 200
            counts.append(len(queries))
    # The due order reads its second segment only when the first does not fill the page: at
    # most one query fewer with more cases, never more.
    assert counts[2] == counts[0] and counts[3] <= counts[1]


# -- times and what I did last ------------------------------------------------------------------


def test_times_are_shown_in_the_units_zone(client, service, other_service):
    rina, _budi = two_cases(service)
    Case.objects.filter(pk=rina.pk).update(
        created_at=dt.datetime(2026, 3, 10, 16, 30, tzinfo=UTC),  # 00:30 on 11 March, WITA
        current_due_at=dt.datetime(2026, 3, 11, 1, 5, tzinfo=UTC),  # 09:05 WITA
    )
    theirs = submit(other_service, other_service.account).case
    Case.objects.filter(pk=theirs.pk).update(created_at=dt.datetime(2026, 3, 10, 16, 30, tzinfo=UTC))
    client.force_login(service.verifier)
    body = client.get(URL, {"q": rina.reference}).content.decode()
    assert "11-03-2026 00:30" in body and "11-03-2026 09:05" in body
    assert "10-03-2026 16:30" not in body
    client.force_login(other_service.staff_of("Petugas Layanan"))
    assert "11-03-2026 01:30" in client.get(URL, {"q": theirs.reference}).content.decode()  # WIT, UTC+9


def test_my_recent_cases_are_on_top_when_nothing_is_searched(client, service):
    rina, budi = two_cases(service)
    answer_run(rina, service.verifier, [(2, "ya", "")])
    client.force_login(service.verifier)
    body = client.get(URL).content.decode()
    assert "Permohonan terakhir saya" in body
    recent = body.split("Permohonan terakhir saya", 1)[1].split("<h2>", 1)[0]
    assert rina.reference in recent and budi.reference not in recent
    assert [c.pk for c in search.recently_acted(service.verifier)] == [rina.pk]
    assert search.recently_acted(service.other_agency_verifier) == []
    assert "Permohonan terakhir saya" not in client.get(URL, {"q": "Budi"}).content.decode()
