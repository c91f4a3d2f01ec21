"""Reading cases for the console and the API: the work queue and one case with its steps."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone

from loket import engine
from loket.sop.model import Kegiatan, Sop
from loket.staff import rules

from .models import Case


def work_queue(actor: Any) -> QuerySet[Case]:
    """The cases waiting on one of the actor's roles in their scope, oldest due first (cases whose
    step has no time standard after them, oldest first)."""
    return (
        Case.objects.filter(rules.queue_q(actor))
        .select_related("unit", "sop", "agency")
        .order_by(F("current_due_at").asc(nulls_last=True), "created_at", "id")
    )


def answerable_steps(actor: Any, case: Case, sop: Sop) -> list[Kegiatan]:
    """The steps `actor` answers now on one form: the staff run from the step the case waits at,
    limited to the lanes the actor may act in."""
    if case.is_closed or case.current_step is None:
        return []
    return [step for step in engine.staff_run(sop, case.current_step) if rules.can_act(actor, case, step.pelaksana)]


def is_overdue(case: Case, now: Any = None) -> bool:
    return bool(case.current_due_at and case.current_due_at < (now or timezone.now()))
