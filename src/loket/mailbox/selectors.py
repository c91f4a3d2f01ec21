"""What the console's mailbox screen and its panel beside the work queue read of a unit's mail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from loket.cases.models import Case, Channel, Status, StepRun
from loket.staff import rules

from .models import InboundMail, Mailbox

RECENT = 30


def needs_action(mailbox: Mailbox) -> QuerySet[InboundMail]:
    """Mails the poller left for a person (a service to choose, or to review) not yet handled."""
    return InboundMail.objects.filter(
        mailbox=mailbox,
        status__in=(InboundMail.Status.NEEDS_SERVICE, InboundMail.Status.NEEDS_REVIEW),
        reviewed_at__isnull=True,
    ).select_related("case")


def waiting_cases(unit: Any, user: Any) -> QuerySet[Case]:
    """The unit's e-mail cases waiting on their requester that `user` may see (their case scope,
    loket.staff.rules: an agency-scoped lane sees its agency's; a superuser by being one, none),
    oldest wait first, each with `since` (when its open step started)."""
    since = (
        StepRun.objects.filter(case=OuterRef("pk"), finished_at__isnull=True)
        .order_by("-started_at")
        .values("started_at")[:1]
    )
    return (
        Case.objects.filter(rules.visible_q(user), unit=unit, channel=Channel.EMAIL, status=Status.WAITING)
        .select_related("unit", "sop")
        .annotate(since=Subquery(since))
        .order_by("since", "pk")
    )


def failed(mailbox: Mailbox) -> QuerySet[InboundMail]:
    return InboundMail.objects.filter(mailbox=mailbox, status=InboundMail.Status.FAILED).order_by("-received_at")


def recent(mailbox: Mailbox) -> QuerySet[InboundMail]:
    """The last RECENT mails handled, newest first: neither failed nor still waiting for a person
    (those have lists of their own)."""
    waiting = needs_action(mailbox).values("pk")
    return (
        InboundMail.objects.filter(mailbox=mailbox)
        .exclude(status=InboundMail.Status.FAILED)
        .exclude(pk__in=waiting)
        .select_related("case", "reviewed_by")
        .order_by("-processed_at", "-pk")[:RECENT]
    )


@dataclass(frozen=True)
class Counts:
    needs_action: int
    waiting: int
    failed: int


def counts(mailbox: Mailbox, user: Any) -> Counts:
    return Counts(needs_action(mailbox).count(), waiting_cases(mailbox.unit, user).count(), failed(mailbox).count())


def shown_case(user: Any, row: InboundMail) -> Case | None:
    """The case of a mail row when `user` may see it (else the screen names no case)."""
    return row.case if row.case is not None and rules.can_view(user, row.case) else None
