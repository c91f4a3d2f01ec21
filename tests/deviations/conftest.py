"""The deviation tests' fixtures: a test unit whose SOP names a `pengawas` (Kepala UKPBJ) and
its holder; `service`/`other_service` (tests/sop_factory.py) for a unit without one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from loket.cases.models import Case, StepRun
from loket.cases.services import Decision, StepAnswer, decide
from tests.factories import staff
from tests.sop_factory import Service, make_service, other_service, reset_sop, service, submit

__all__ = ["other_service", "service"]

SUPERVISOR = "Kepala UKPBJ"


@dataclass
class Supervised:
    svc: Service
    supervisor: Any  # holds the SOP's pengawas lane
    admin: Any  # a superuser


@pytest.fixture
def supervised(db) -> Supervised:
    svc = make_service(text=reset_sop() + f"pengawas: {SUPERVISOR}\n")
    admin = get_user_model().objects.create_superuser("admin-uji", password="Rahasia-uji-123")
    return Supervised(svc, staff("uji-kepala", "uji", SUPERVISOR), admin)


def started_long_ago(case: Case, step: int) -> None:
    """The open step started 30 days ago: finishing it now is far over its standard."""
    StepRun.objects.filter(case=case, step=step, finished_at__isnull=True).update(
        started_at=timezone.now() - dt.timedelta(days=30)
    )


def answer(case: Case, actor: Any, answers: list[tuple[int, str]], **values: Any) -> None:
    case.refresh_from_db()
    decide(
        case_id=case.pk,
        actor=actor,
        version=case.version,
        decision=Decision(
            answers=[StepAnswer(no, ans, "" if ans == "ya" else "Berkas kurang") for no, ans in answers],
            values=values,
        ),
    )


def late_case(svc: Service, **values: Any) -> Case:
    """A case whose completeness check (step 2) the verifier answered "ya" far too late."""
    case = submit(svc).case
    started_long_ago(case, 2)
    answer(case, svc.verifier, [(2, "ya")], **values)
    case.refresh_from_db()
    return case
