"""Two staff answering the same case at the same moment, on PostgreSQL (row locks are real
there; SQLite serialises all writers, so the race cannot happen on it). On a test SOP of a test
unit (tests/sop_factory.py): the race is not about one built-in SOP."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from loket.cases import services
from loket.cases.errors import Conflict
from loket.cases.models import Case
from loket.cases.services import Decision, StepAnswer
from loket.notify.models import OutboxMessage
from tests.factories import staff
from tests.sop_factory import AGENCIES, VERIFIER
from tests.sop_factory import submit as submit_to

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL row locks; CI's PostgreSQL pass (DATABASE_URL) runs it",
)


@pytest.mark.django_db(transaction=True)
def test_two_staff_answering_at_once_one_wins_the_other_gets_a_conflict(service):
    second = staff("uji-verifikator-2", "uji", VERIFIER, AGENCIES[0])
    case = submit_to(service, email="pemohon@gmail.com").case
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def answer(actor):  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            services.decide(
                case_id=case.pk,
                actor=actor,
                version=case.version,
                decision=Decision(answers=[StepAnswer(2, "ya"), StepAnswer(5, "ya")]),
            )
            outcomes[actor.username] = "won"
        except Conflict as exc:
            outcomes[actor.username] = exc.message
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer, args=(who,)) for who in (service.verifier, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(o == "won" for o in outcomes.values()) == [False, True]
    loser = next(o for o in outcomes.values() if o != "won")
    assert "petugas lain" in loser
    case = Case.objects.get(pk=case.pk)
    assert [run.step for run in case.steps.order_by("id")] == [1, 2, 5, 6, 8, 9]
    assert OutboxMessage.objects.filter(case=case, template="hasil-password").count() == 1
