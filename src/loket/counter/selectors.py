"""Reading the front office and the counters: the day's lists, the guest book, the board's state."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from loket.units.services import zone_label

from .models import Counter, GuestBookEntry, QueueTicket, Status, TicketEvent
from .services import local_day, zone

BOARD_CALLS = 8


def spoken(ticket_display: str, counter_name: str) -> str:
    """What the board says: "Nomor antrian A-012, silakan menuju loket 2"."""
    return f"Nomor antrian {ticket_display}, silakan menuju {counter_name.lower()}"


def day_tickets(unit: Any, now: dt.datetime | None = None) -> QuerySet[QueueTicket]:
    return (
        QueueTicket.objects.filter(unit=unit, day=local_day(unit, now))
        .select_related("service", "counter", "entry")
        .order_by("issued_at", "id")
    )


def counter_lists(counter: Counter, now: dt.datetime | None = None) -> dict[str, list[QueueTicket]]:
    """Waiting (for this counter: its services, or sent to it), called and serving, today."""
    tickets = day_tickets(counter.unit, now)
    services = list(counter.services.values_list("pk", flat=True))
    return {
        "waiting": list(
            tickets.filter(status=Status.WAITING).filter(Q(counter=counter) | Q(counter=None, service__in=services))
        ),
        "called": list(tickets.filter(status=Status.CALLED)),
        "serving": list(tickets.filter(status=Status.SERVING)),
    }


def search_guests(unit: Any, query: str = "", day_from: dt.date | None = None, day_to: dt.date | None = None):  # type: ignore[no-untyped-def]
    entries = (
        GuestBookEntry.objects.filter(unit=unit)
        .select_related("service", "recorded_by")
        .prefetch_related("tickets__service")
    )
    query = query.strip()
    if query:
        entries = entries.filter(
            Q(name__icontains=query)
            | Q(agency__icontains=query)
            | Q(id_number__icontains=query)
            | Q(phone__icontains=query)
            | Q(tickets__code__iexact=query)
        ).distinct()
    tz = zone(unit)
    if day_from:
        entries = entries.filter(arrived_at__gte=dt.datetime.combine(day_from, dt.time(), tzinfo=tz))
    if day_to:
        entries = entries.filter(
            arrived_at__lt=dt.datetime.combine(day_to + dt.timedelta(days=1), dt.time(), tzinfo=tz)
        )
    return entries


def board_state(unit: Any, now: dt.datetime | None = None) -> dict[str, Any]:
    """Only numbers and counters: nothing about the visitors."""
    now = now or timezone.now()
    tz = zone(unit)
    today = local_day(unit, now)
    counters = []
    for counter in Counter.objects.filter(unit=unit, active=True).order_by("number"):
        current = (
            QueueTicket.objects.filter(counter=counter, day=today, status__in=[Status.CALLED, Status.SERVING])
            .select_related("service")
            .order_by("-called_at")
            .first()
        )
        counters.append({"name": counter.name, "number": current.display if current else None})
    events = (
        TicketEvent.objects.filter(
            unit=unit, kind__in=[TicketEvent.Kind.CALLED, TicketEvent.Kind.RECALLED], ticket__day=today
        )
        .select_related("ticket__service", "counter")
        .order_by("-id")[:BOARD_CALLS]
    )
    calls = [
        {
            "id": event.pk,
            "number": event.ticket.display,
            "counter": event.counter.name if event.counter else "",
            "at": event.at.astimezone(tz).strftime("%H:%M"),
            "spoken": spoken(event.ticket.display, event.counter.name if event.counter else ""),
        }
        for event in events
    ]
    waiting = QueueTicket.objects.filter(unit=unit, day=today, status=Status.WAITING).count()
    return {
        "unit": unit.nama,
        "time": now.astimezone(tz).strftime("%H:%M"),
        "zone": zone_label(tz, now),  # WIB, WITA, WIT: the board names the zone of its times
        "counters": counters,
        "calls": calls,
        "waiting": waiting,
    }


def counter_visit(case: Any) -> dict[str, Any] | None:
    """A case opened at the counter, as its case page tells it: the ticket, the counter, the
    minutes waited (ticket to call) and at the counter (sitting down to the request written).
    None for a case that came another way."""
    ticket = QueueTicket.objects.filter(case=case).select_related("service", "counter").first()
    if ticket is None:
        return None
    waited = max(0, int((ticket.called_at - ticket.issued_at).total_seconds() // 60)) if ticket.called_at else None
    return {
        "ticket": ticket,
        "counter": ticket.counter.name if ticket.counter else "",
        "waited": waited,
        "at_counter": ticket.minutes_at_counter,
    }
