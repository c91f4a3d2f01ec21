"""The demo's past requests (`loket.web.demo_history`): made once, by the real services on a
simulated clock, ended, partly late, with the working minutes of the unit's calendar, and no
mail of theirs left for the worker to send."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import F
from django.utils import timezone

from loket.cases.models import Case, Status, StepRun
from loket.catalog.services import install_builtin
from loket.notify.models import OutboxMessage
from loket.web.demo_history import seed_history
from loket.web.management.commands.demo import seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def history():
    install_builtin()
    seed()
    made = seed_history(scale=0.15)
    return made


def test_the_history_is_made_once_and_every_case_ended(history):
    assert history == Case.objects.count() >= 40
    assert seed_history(scale=0.15) == 0  # a second run changes nothing
    assert Case.objects.count() == history
    assert set(Case.objects.values_list("status", flat=True)) <= {Status.DONE, Status.REFUSED}
    assert Case.objects.filter(status=Status.REFUSED).exists()
    assert set(Case.objects.values_list("unit__kode", flat=True)) == {"kaltim", "magelang", "sbt", "kkp"}
    now = timezone.now()
    assert not Case.objects.filter(created_at__gt=now - dt.timedelta(days=1)).exists()
    assert Case.objects.filter(created_at__lt=now - dt.timedelta(days=60)).exists()


def test_some_steps_run_late_and_the_calendar_pauses_over_nights_and_weekends(history):
    staff = StepRun.objects.filter(by=StepRun.By.STAFF, finished_at__isnull=False)
    late = staff.filter(working_minutes__gt=F("standard_minutes")).count()
    assert 0.05 * staff.count() < late < 0.5 * staff.count()
    # A step that spans a night or a weekend counts only its working minutes.
    spans = [
        (run.working_minutes, (run.finished_at - run.started_at).total_seconds() / 60)
        for run in staff.exclude(working_minutes=None)
    ]
    assert any(wall > 16 * 60 and worked < wall / 2 for worked, wall in spans)
    # Every staff step was done by a demo staff member of the case's unit and lane.
    assert not staff.filter(actor=None).exists()


def test_no_mail_of_the_past_waits_for_the_worker(history):
    old = OutboxMessage.objects.filter(case__in=Case.objects.all())
    assert old.exists()
    assert not old.exclude(status=OutboxMessage.Status.SENT).exists()
    assert not old.exclude(secret_link="").exists() and not old.exclude(secret_code="").exists()
    # Nor a task to send one: the worker would find it sent, hundreds of times, at the demo's start.
    from django_tasks_db.models import DBTaskResult

    queued = DBTaskResult.objects.filter(status="READY").values_list("args_kwargs", flat=True)
    assert not {call["args"][0] for call in queued} & set(old.values_list("pk", flat=True))


def test_the_past_deviations_are_answered_and_reviewed_as_a_unit_would():
    from loket.deviations.models import Deviation, Status
    from loket.web.demo_history import answer_for_the_past

    install_builtin()
    seed()
    seed_history(scale=0.3, after_case=answer_for_the_past)
    deviations = Deviation.objects.all()
    statuses = set(deviations.values_list("status", flat=True))
    assert {Status.OPEN, Status.ANSWERED, Status.ACCEPTED} <= statuses
    answered = deviations.exclude(status=Status.OPEN)
    assert not answered.filter(reason="").exists()
    reviewed = deviations.filter(status=Status.ACCEPTED)
    assert set(reviewed.values_list("reviewer__username", flat=True)) <= {
        "kepala-kaltim", "kepala-magelang", "sekda-sbt", "kepala-kkp"
    }  # fmt: skip
    # Nothing is answered after the real now.
    assert not deviations.filter(answered_at__gt=timezone.now()).exists()


def test_a_third_of_the_past_requesters_answered_the_survey():
    from loket.survey.models import Response
    from loket.web.demo_history import answer_for_the_past

    install_builtin()
    seed()
    made = seed_history(scale=0.3, after_case=answer_for_the_past)
    answered = Response.objects.count()
    assert 0.15 * made < answered < 0.6 * made
    assert Response.objects.exclude(comment="").exists()
    assert set(Response.objects.values_list("case__unit__kode", flat=True)) == {"kaltim", "magelang", "sbt", "kkp"}
