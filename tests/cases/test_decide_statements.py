"""What one decision costs the database (issue 13, item 2): counted statements, not timings.

The staff member's one submit of steps 2 and 5 "ya" on a test SOP (tests/sop_factory.py): the
case locked, its open step read and closed; the system's steps after it (the reset, the one-time
link, the result mail, the archive) recorded on the staff member's authority; the case ended,
the survey invitation. Everything the change gathers is written once at its end: its new steps
in one insert, their tallies in one statement per tally, the case row once, the audit entries in
one insert, the archive record in one upsert. No argon2 hash is made (the holder's reveal makes
it: loket.directory.credentials)."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import is_password_usable
from django.db import connection
from django.test.utils import CaptureQueriesContext

from loket.cases import services
from loket.cases.archive import verify_seal
from loket.cases.models import Status
from loket.cases.services import Decision, StepAnswer
from loket.notify.models import OutboxMessage
from tests.cases.test_services import answer_run, steps_of, ticked_all
from tests.sop_factory import HAPPY_STEPS, make_service, submit

pytestmark = pytest.mark.django_db

# 54 before (37 in the count, before the archive seal and the survey were part of it):
# the step rows inserted, read back and updated one by one, the case updated three times, two
# statements of tallies per step, savepoints around the link and the seal, the NIP of each step's
# staff member read apart, the audit entries of the decision apart
BUDGET = 29  # the test's transaction makes the decision's BEGIN/COMMIT a savepoint pair


def _starts(statements: list[str], prefix: str) -> int:
    return sum(s.lstrip().upper().startswith(prefix.upper()) for s in statements)


def test_a_one_submit_decision_with_a_reset_takes_at_most_its_budget_of_statements():
    service = make_service()
    case = submit(service).case
    answers = [(2, "ya", ""), (5, "ya", "")]
    case.refresh_from_db()
    decision = Decision(answers=[StepAnswer(*a) for a in answers], values={"kelengkapan": ticked_all(case, answers)})
    with CaptureQueriesContext(connection) as ctx:
        services.decide(case_id=case.pk, actor=service.verifier, version=case.version, decision=decision)
    statements = [q["sql"] for q in ctx.captured_queries]
    assert len(statements) <= BUDGET, "\n".join(statements)
    assert _starts(statements, 'INSERT INTO "cases_steprun"') == 1
    assert _starts(statements, 'UPDATE "cases_steprun"') == 1  # step 2, the row opened at submit
    assert _starts(statements, 'UPDATE "cases_case"') == 1
    assert _starts(statements, "INSERT INTO tallies_steptally") == 1
    assert _starts(statements, "INSERT INTO tallies_hourtally") == 1
    assert _starts(statements, 'INSERT INTO "cases_archiverecord"') == 1
    assert _starts(statements, 'INSERT INTO "audit_auditentry"') == 2  # the steps', the survey's
    assert _starts(statements, 'SELECT "staff_staffprofile"') == 0  # read with the steps
    # and the decision is whole: every step in order, the case done and sealed, the mails queued
    case.refresh_from_db()
    assert case.status == Status.DONE
    assert steps_of(case) == HAPPY_STEPS
    assert verify_seal(case.archive)
    assert len(case.archive.manifest["langkah"]) == len(HAPPY_STEPS)
    templates = set(OutboxMessage.objects.filter(case=case).values_list("template", flat=True))
    assert {"diterima", "hasil-password", "survei-kepuasan"} <= templates
    account = case.account
    account.refresh_from_db()
    assert account.must_change_password and not is_password_usable(account.password)


def test_the_steps_of_one_decision_are_tallied_and_timed_as_when_written_one_by_one():
    from loket.tallies.models import StepTally

    service = make_service()
    case = submit(service).case
    answer_run(case, service.verifier, [(2, "ya", ""), (5, "ya", "")])
    counted = sorted(StepTally.objects.filter(unit=service.unit).values_list("step", "by", "n"))
    assert [(step, by) for step, by, _n in counted] == sorted((no, by) for no, by, _answer in HAPPY_STEPS)
    assert all(n == 1 for _step, _by, n in counted)
    staff = case.steps.filter(by="staf").order_by("id")
    assert [run.step for run in staff] == [2, 5]
    assert all(run.actor == service.verifier and run.working_minutes is not None for run in staff)
