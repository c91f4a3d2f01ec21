"""Two counters pressing "Panggil berikutnya" at the same moment, on PostgreSQL (row locks are
real there; SQLite serialises all writers, so the race cannot happen on it): each gets its own
ticket, never the same one."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from loket.counter import services
from loket.counter.models import QueueTicket, Status
from tests.counter.conftest import make_desk

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL row locks (SKIP LOCKED); CI's PostgreSQL pass (DATABASE_URL) runs it",
)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("waiting", [1, 2, 5])
def test_two_counters_calling_at_once_never_get_the_same_ticket(installed, settings, waiting):
    settings.LOKET_COUNTER_CLOSES_AT = "off"  # runs at any hour
    desk = make_desk()
    for _ in range(waiting):
        services.issue_ticket(service=desk.service, actor=desk.front)
    one, two = desk.counters
    services.sign_in(one, desk.helpdesk)
    services.sign_in(two, desk.helpdesk2)
    barrier = threading.Barrier(2)
    got: dict[str, int | None] = {}
    errors: list[BaseException] = []

    def call(counter, actor):  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            ticket = services.call_next(counter, actor)
            got[counter.name] = ticket.pk if ticket else None
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=call, args=pair) for pair in ((one, desk.helpdesk), (two, desk.helpdesk2))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    taken = [pk for pk in got.values() if pk is not None]
    assert len(taken) == min(waiting, 2) and len(set(taken)) == len(taken)
    assert QueueTicket.objects.filter(status=Status.CALLED).count() == len(taken)
