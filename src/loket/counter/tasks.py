"""The counter's housekeeping as a periodic job of the worker (settings.LOKET_PERIODIC_JOBS).

The counter pages and the board tidy their own unit whenever they look (services.tidy); this job
does the same with no page open, so that a ticket left called becomes "tidak hadir" after the
no-show minutes and the day's waiting tickets are closed after the queue closes, on time.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef
from django.utils import timezone

from loket.units.models import Unit

from . import services
from .models import QueueTicket, Status


def tidy_queues(*, now: dt.datetime | None = None) -> int:
    """Close the closed days' tickets and mark the overdue no-shows of every unit with a ticket
    still waiting or called (services.tidy). Returns how many tickets changed."""
    now = now or timezone.now()
    open_tickets = QueueTicket.objects.filter(unit=OuterRef("pk"), status__in=[Status.WAITING, Status.CALLED])
    return sum(services.tidy(unit, now) for unit in Unit.objects.filter(Exists(open_tickets)).order_by("kode"))
