"""Reading cases: a case by its tracking code (requesters) or in a staff member's scope, the work
queue, and the steps a staff member answers now."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from loket import engine
from loket.directory.backends import backend_for
from loket.sop.model import Kegiatan, Sop
from loket.staff import rules

from .codes import tracking_digest
from .errors import NotFound
from .models import Case, Need, Status


def case_by_tracking_code(code: str, *, lock: bool = False) -> Case:
    """The case a requester's tracking code opens (`lock`: row-locked for a change); NotFound
    with a message for the requester when none does."""
    qs = Case.objects.select_related("unit", "sop")
    if lock:
        qs = qs.select_for_update(of=("self",))
    case = qs.filter(tracking_digest=tracking_digest(code)).first()
    if case is None:
        raise NotFound(_("Kode pelacakan tidak dikenal. Periksa kembali kode dari e-mail tanda terima Anda."))
    return case


def facts_of(case: Case) -> engine.Facts:
    """What the engine needs to know of `case` to answer system decisions and to know who acts."""
    return engine.Facts(
        channel=case.channel,
        assisted=backend_for(case.unit).by_hand,
        needs_password=case.need in {Need.PASSWORD, Need.NEW_ACCOUNT},
    )


def require_view(actor: Any, case_id: int) -> Case:
    """The case for a staff page, or NotFound when it is outside the actor's scope (a case of
    another unit or agency does not exist for them)."""
    case = Case.objects.select_related("unit", "sop", "agency", "account", "account__agency").filter(pk=case_id).first()
    if case is None or not rules.can_view(actor, case):
        raise NotFound(_("Permohonan tidak ditemukan."))
    return case


def work_queue(actor: Any) -> QuerySet[Case]:
    """The cases waiting on one of the actor's roles in their scope, oldest due first (cases whose
    step has no time standard after them, oldest first)."""
    return (
        Case.objects.filter(rules.queue_q(actor))
        .select_related("unit", "sop", "agency")
        # not each row's copy of its SOP's file (8-13 KB): `parsed` knows the SOP by its hash
        .defer("sop__content")
        .order_by(F("current_due_at").asc(nulls_last=True), "created_at", "id")
    )


def answerable_steps(actor: Any, case: Case, sop: Sop) -> list[Kegiatan]:
    """The steps `actor` answers now on one form: the staff run from the step the case waits at,
    limited to the lanes the actor may act in."""
    if case.is_closed or case.current_step is None or case.status == Status.TRAINING:
        return []  # a case held at a gate waits on an event, not on a staff answer
    run = engine.staff_run(sop, case.current_step, facts_of(case))
    return [step for step in run if rules.can_act(actor, case, step.pelaksana)]


def is_overdue(case: Case, now: Any = None) -> bool:
    return bool(case.current_due_at and case.current_due_at < (now or timezone.now()))


def overdue_q(now: Any = None) -> Q:
    """Filter over Case: `is_overdue` as a query (a due time, and it has passed)."""
    return Q(current_due_at__isnull=False, current_due_at__lt=now or timezone.now())
