"""The case list's "Permohonan terakhir saya" when the staff member has answered many steps: the
ten cases of their scope they answered last, the latest first, the same as a GROUP BY over every
step they answered would give, whatever lies between (steps on cases now outside their scope,
several steps on one case); and in a constant number of queries."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext

from loket.cases import search
from loket.cases.models import Case, StepRun
from loket.staff import rules
from tests.sop_factory import submit
from tests.web.test_case_list import clone

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def answered(user, cases: list[Case], start: dt.datetime) -> None:
    """`user` answers a step of each case in turn, a minute apart."""
    StepRun.objects.bulk_create(
        StepRun(
            case=case,
            step=2,
            aksi="periksa",
            lane="Verifikator",
            by=StepRun.By.STAFF,
            actor=user,
            started_at=start + dt.timedelta(minutes=i),
            finished_at=start + dt.timedelta(minutes=i, seconds=30),
            answer="ya",
        )
        for i, case in enumerate(cases)
    )


def grouped(user) -> list[tuple[int, dt.datetime]]:
    """What the list showed before: one GROUP BY over every step the user answered."""
    return list(
        Case.objects.filter(rules.visible_q(user), steps__actor=user)
        .annotate(last=Max("steps__id"), at=Max("steps__finished_at"))
        .order_by("-last")
        .values_list("pk", "at")[: search.RECENT_SIZE]
    )


def test_the_last_ten_in_scope_across_many_steps_and_strangers_cases(service, other_service, monkeypatch):
    monkeypatch.setattr(search, "RECENT_CHUNK", 3)  # many walks over a few rows
    mine = clone(submit(service).case, 14)
    theirs = clone(submit(other_service).case, 9)  # answered by the same user, outside their scope
    user = service.verifier
    start = dt.datetime(2026, 6, 1, 1, 0, tzinfo=UTC)
    # Interleaved: mine, a stranger's, mine again (a later step on an earlier case), ...
    order = [c for pair in itertools.zip_longest(mine, theirs) for c in pair if c is not None]
    answered(user, order + mine[:4] + theirs, start)
    expected = grouped(user)
    assert len(expected) == search.RECENT_SIZE
    got = search.recently_acted(user)
    assert [(c.pk, c.last_acted_at) for c in got] == expected
    assert got[0].pk == mine[3].pk  # my latest answer is on a case I had answered before


def test_fewer_than_ten_are_all_listed(service):
    mine = clone(submit(service).case, 4)
    answered(service.verifier, mine, dt.datetime(2026, 6, 1, 1, 0, tzinfo=UTC))
    assert [c.pk for c in search.recently_acted(service.verifier)] == [c.pk for c in mine[::-1]]


def test_the_queries_do_not_grow_with_the_steps_answered(service):
    user = service.verifier
    first = submit(service).case
    answered(user, clone(first, 12), dt.datetime(2026, 6, 1, 1, 0, tzinfo=UTC))
    rules.roles_of(user)
    with CaptureQueriesContext(connection) as few:
        assert len(search.recently_acted(user)) == search.RECENT_SIZE
    answered(user, clone(first, 3 * search.RECENT_CHUNK), dt.datetime(2026, 6, 2, 1, 0, tzinfo=UTC))
    with CaptureQueriesContext(connection) as many:
        assert len(search.recently_acted(user)) == search.RECENT_SIZE
    assert len(many) == len(few)


def test_a_long_walk_over_strangers_cases_sends_no_growing_list_of_ids(service, other_service, monkeypatch):
    """A staff member whose newest answers are all on cases now outside their scope (moved to
    another unit): the walk reads chunk after chunk, but no query carries more than one chunk's
    step runs and the cases kept so far (SQLite refuses a statement of more than 32,766 values)."""
    monkeypatch.setattr(search, "RECENT_CHUNK", 3)
    user = service.verifier
    mine = clone(submit(service).case, 4)
    theirs = clone(submit(other_service).case, 29)
    answered(user, mine + theirs, dt.datetime(2026, 6, 1, 1, 0, tzinfo=UTC))  # mine first: oldest
    with CaptureQueriesContext(connection) as walk:
        got = search.recently_acted(user)
    assert [c.pk for c in got] == [c.pk for c in mine[::-1]] == [pk for pk, _ in grouped(user)]
    lists = [
        sql.split(" IN (", 1)[1].split(")", 1)[0] for sql in (q["sql"] for q in walk.captured_queries) if " IN (" in sql
    ]
    assert len(walk) > 20  # it did walk: ten chunks of three
    assert max(len(ids.split(",")) for ids in lists) <= search.RECENT_CHUNK + search.RECENT_SIZE
