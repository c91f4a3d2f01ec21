"""Every change at the front office and the counters: the guest book, tickets, calls, the day's close.

Each function takes `now` (an aware datetime; default the current time) so the day, the close and
the no-show minutes are testable. Settings (read from the environment by loket.settings):

- LOKET_COUNTER_NO_SHOW_MINUTES (10): a called ticket not served after this many minutes may be
  (and, on every look at the counter or the board, is) marked "tidak hadir";
- LOKET_COUNTER_CLOSES_AT (None): when a unit's queue of the day closes, local time "HH:MM";
  None: the end of the unit's working hours; "off": never (the day still changes at midnight);
  a dict {unit kode: value} sets it per unit.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from .lanes import queue_lanes
from .models import Counter, GuestBookEntry, QueueTicket, ServiceQueue, Status, TicketEvent, new_short_code

Kind = TicketEvent.Kind


class CounterError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else timezone.now()


def zone(unit: Any) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(unit.zona_waktu)


def local_day(unit: Any, now: dt.datetime | None = None) -> dt.date:
    return _now(now).astimezone(zone(unit)).date()


def no_show_minutes() -> int:
    return int(getattr(settings, "LOKET_COUNTER_NO_SHOW_MINUTES", 10))


def closes_at(unit: Any, day: dt.date) -> dt.datetime | None:
    """The moment the unit's queue of `day` closes (None: it does not close before midnight)."""
    setting = getattr(settings, "LOKET_COUNTER_CLOSES_AT", None)
    if isinstance(setting, dict):
        setting = setting.get(unit.kode)
    if setting == "off":
        return None
    hhmm = setting or (unit.jam_kerja or "08:00-16:00")[6:]
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return dt.datetime(day.year, day.month, day.day, hours, minutes, tzinfo=zone(unit))


def is_closed(unit: Any, now: dt.datetime | None = None) -> bool:
    now = _now(now)
    closing = closes_at(unit, local_day(unit, now))
    return closing is not None and now >= closing


def _event(
    ticket: QueueTicket, kind: str, now: dt.datetime, *, actor: Any = None, counter: Any = None, note: str = ""
) -> None:
    TicketEvent.objects.create(
        ticket=ticket, unit_id=ticket.unit_id, kind=kind, at=now, actor=actor, counter=counter, note=note[:200]
    )


# --- set-up -------------------------------------------------------------------------------------


def setup_services(unit: Any) -> list[ServiceQueue]:
    """One ServiceQueue row for each installed SOP of the unit that gives queue numbers, with the
    next free prefix letter; existing rows (and their prefixes) are kept."""
    rows = []
    taken = set(ServiceQueue.objects.filter(unit=unit).values_list("prefix", flat=True))
    for service in queue_lanes(unit).services:
        row = ServiceQueue.objects.filter(unit=unit, sop_kode=service.kode).first()
        if row is None:
            prefix = next(chr(c) for c in range(ord("A"), ord("Z") + 1) if chr(c) not in taken)
            taken.add(prefix)
            row = ServiceQueue.objects.create(unit=unit, sop_kode=service.kode, name=service.nama[:120], prefix=prefix)
        rows.append(row)
    return rows


def setup_counters(unit: Any, count: int) -> list[Counter]:
    """Counters "Loket 1" … "Loket N" serving every queue service of the unit (kept if present)."""
    services = list(ServiceQueue.objects.filter(unit=unit, active=True))
    counters = []
    for number in range(1, count + 1):
        counter, created = Counter.objects.get_or_create(unit=unit, number=number, defaults={"name": f"Loket {number}"})
        if created:
            counter.services.set(services)
        counters.append(counter)
    return counters


# --- front office -------------------------------------------------------------------------------


def record_guest(
    *,
    unit: Any,
    service: ServiceQueue,
    name: str,
    agency: str,
    id_number: str,
    phone: str,
    actor: Any,
    arrived_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> GuestBookEntry:
    if service.unit_id != unit.pk:
        raise CounterError("Layanan itu bukan layanan unit ini.")
    return GuestBookEntry.objects.create(
        unit=unit,
        service=service,
        name=name.strip(),
        agency=agency.strip(),
        id_number=id_number.strip(),
        phone=phone.strip(),
        arrived_at=arrived_at or _now(now),
        recorded_by=actor,
    )


def issue_ticket(
    *,
    service: ServiceQueue,
    actor: Any = None,
    entry: GuestBookEntry | None = None,
    now: dt.datetime | None = None,
    transferred_from: QueueTicket | None = None,
) -> QueueTicket:
    """The next number of `service` today at its unit. Numbers are per service per local day; the
    service row is locked while the number is taken, so two desks never print the same one."""
    now = _now(now)
    unit = service.unit
    if is_closed(unit, now):
        raise CounterError("Antrian hari ini sudah ditutup (di luar jam layanan).")
    if entry is not None and entry.tickets.exists():
        raise CounterError("Tamu ini sudah mendapat nomor antrian.")
    day = local_day(unit, now)
    with transaction.atomic():
        ServiceQueue.objects.select_for_update().get(pk=service.pk)
        last = QueueTicket.objects.filter(service=service, day=day).aggregate(m=Max("number"))["m"] or 0
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    ticket = QueueTicket.objects.create(
                        unit=unit,
                        service=service,
                        day=day,
                        number=last + 1,
                        entry=entry,
                        issued_at=now,
                        code=new_short_code(),
                        transferred_from=transferred_from,
                    )
                break
            except IntegrityError:  # a short code taken already (one in a billion): draw again
                continue
        else:  # pragma: no cover
            raise CounterError("Nomor antrian tidak dapat dibuat; coba lagi.")
        _event(ticket, Kind.ISSUED, now, actor=actor)
    return ticket


# --- housekeeping: the day's close and the no-shows --------------------------------------------


def close_day(unit: Any, now: dt.datetime | None = None) -> int:
    """Mark the waiting and called tickets of a closed day "ditutup" (kept on record). A day is
    closed once its closing time has passed, and every earlier day is. Returns how many."""
    now = _now(now)
    today = local_day(unit, now)
    stale = Q(day__lt=today)
    if is_closed(unit, now):
        stale |= Q(day=today)
    marked = 0
    with transaction.atomic():
        for ticket in QueueTicket.objects.select_for_update().filter(
            stale, unit=unit, status__in=[Status.WAITING, Status.CALLED]
        ):
            ticket.status = Status.CLOSED
            ticket.closed_at = now
            ticket.save(update_fields=["status", "closed_at"])
            _event(ticket, Kind.CLOSED, now)
            marked += 1
    return marked


def _no_show_due(ticket: QueueTicket, now: dt.datetime) -> bool:
    last_call = ticket.recalled_at or ticket.called_at
    return last_call is not None and now - last_call >= dt.timedelta(minutes=no_show_minutes())


def expire_no_shows(unit: Any, now: dt.datetime | None = None) -> int:
    """Called tickets not served within the no-show minutes become "tidak hadir"."""
    now = _now(now)
    marked = 0
    with transaction.atomic():
        for ticket in QueueTicket.objects.select_for_update(skip_locked=True).filter(unit=unit, status=Status.CALLED):
            if _no_show_due(ticket, now):
                _mark_no_show(ticket, now, actor=None)
                marked += 1
    return marked


def tidy(unit: Any, now: dt.datetime | None = None) -> int:
    """Close the unit's past days and mark its overdue no-shows; how many tickets changed."""
    return close_day(unit, now) + expire_no_shows(unit, now)


# --- counters -----------------------------------------------------------------------------------


def sign_in(counter: Counter, user: Any, now: dt.datetime | None = None) -> Counter:
    """The user works at `counter` (and at no other counter of any unit)."""
    with transaction.atomic():
        locked = Counter.objects.select_for_update().get(pk=counter.pk)
        if locked.staffed_by_id not in (None, user.pk):
            raise CounterError(f"{locked.name} sedang dijaga {locked.staffed_by}. Minta ia keluar dari loket dulu.")
        Counter.objects.filter(staffed_by=user).exclude(pk=locked.pk).update(staffed_by=None, staffed_since=None)
        locked.staffed_by = user
        locked.staffed_since = _now(now)
        locked.save(update_fields=["staffed_by", "staffed_since"])
    return locked


def sign_out(counter: Counter, user: Any) -> None:
    Counter.objects.filter(pk=counter.pk, staffed_by=user).update(staffed_by=None, staffed_since=None)


def _staffed(counter: Counter, actor: Any) -> Counter:
    locked = Counter.objects.select_for_update().get(pk=counter.pk)
    if locked.staffed_by_id != actor.pk:
        raise CounterError(f"Anda tidak sedang menjaga {locked.name}.")
    return locked


def active_ticket(counter: Counter) -> QueueTicket | None:
    return (
        QueueTicket.objects.filter(counter=counter, status__in=[Status.CALLED, Status.SERVING])
        .select_related("service")
        .first()
    )


def call_next(counter: Counter, actor: Any, now: dt.datetime | None = None) -> QueueTicket | None:
    """Call the oldest waiting ticket of today for this counter: first those transferred to it,
    then those of the services it serves. Rows are taken with SKIP LOCKED, so two counters calling
    at the same moment never take the same ticket. None when nobody waits."""
    now = _now(now)
    with transaction.atomic():
        counter = _staffed(counter, actor)
        if active_ticket(counter) is not None:
            raise CounterError("Selesaikan dulu nomor yang sedang dipanggil atau dilayani di loket ini.")
        today = local_day(counter.unit, now)
        # of=self: the joined service row must not be locked (it would make the other counter skip all)
        base = QueueTicket.objects.select_for_update(skip_locked=True, of=("self",)).filter(
            unit_id=counter.unit_id, day=today, status=Status.WAITING
        )
        ticket = base.filter(counter=counter).order_by("issued_at", "id").first()
        if ticket is None:
            ticket = (
                base.filter(counter=None, service__in=counter.services.all(), service__active=True)
                .order_by("issued_at", "id")
                .first()
            )
        if ticket is None:
            return None
        ticket.status = Status.CALLED
        ticket.counter = counter
        ticket.called_at = now
        ticket.save(update_fields=["status", "counter", "called_at"])
        _event(ticket, Kind.CALLED, now, actor=actor, counter=counter)
    return ticket


def own_ticket(ticket_id: int, counter: Counter, actor: Any, statuses: tuple[str, ...]) -> QueueTicket:
    """The ticket, locked, if it is at `counter` (staffed by `actor`) in one of `statuses`."""
    _staffed(counter, actor)
    ticket = QueueTicket.objects.select_for_update(of=("self",)).select_related("service").get(pk=ticket_id)
    if ticket.counter_id != counter.pk or ticket.status not in statuses:
        raise CounterError(f"Nomor {ticket.display} tidak sedang di loket ini (status: {ticket.get_status_display()}).")
    return ticket


def recall(ticket_id: int, counter: Counter, actor: Any, now: dt.datetime | None = None) -> QueueTicket:
    now = _now(now)
    with transaction.atomic():
        ticket = own_ticket(ticket_id, counter, actor, (Status.CALLED,))
        ticket.recalled_at = now
        ticket.recalls += 1
        ticket.save(update_fields=["recalled_at", "recalls"])
        _event(ticket, Kind.RECALLED, now, actor=actor, counter=counter)
    return ticket


def start_serving(ticket_id: int, counter: Counter, actor: Any, now: dt.datetime | None = None) -> QueueTicket:
    now = _now(now)
    with transaction.atomic():
        ticket = own_ticket(ticket_id, counter, actor, (Status.CALLED,))
        ticket.status = Status.SERVING
        ticket.serving_at = now
        ticket.save(update_fields=["status", "serving_at"])
        _event(ticket, Kind.SERVING, now, actor=actor, counter=counter)
    return ticket


def finish(ticket_id: int, counter: Counter, actor: Any, *, note: str, now: dt.datetime | None = None) -> QueueTicket:
    """End a served ticket without a request (the visitor only asked, or brought no file): the
    reason is required and kept. A request is opened with `loket.counter.intake.open_request`,
    which ends the ticket itself."""
    now = _now(now)
    note = " ".join(note.split())
    if not note:
        raise CounterError("Tulis mengapa nomor ini selesai tanpa permohonan (mis. hanya bertanya).")
    with transaction.atomic():
        ticket = own_ticket(ticket_id, counter, actor, (Status.SERVING,))
        close_ticket(ticket, counter, actor, now, note=note)
    return ticket


def close_ticket(
    ticket: QueueTicket, counter: Counter, actor: Any, now: dt.datetime, *, note: str = "", case: Any = None
) -> None:
    """Mark a served ticket (locked by the caller) done, with the case opened from it or the
    reason there is none."""
    ticket.status = Status.DONE
    ticket.done_at = now
    ticket.case = case
    ticket.done_note = note[:200]
    ticket.save(update_fields=["status", "done_at", "case", "done_note"])
    _event(ticket, Kind.DONE, now, actor=actor, counter=counter, note=case.reference if case else note)


def _mark_no_show(ticket: QueueTicket, now: dt.datetime, *, actor: Any) -> None:
    ticket.status = Status.NO_SHOW
    ticket.no_show_at = now
    ticket.save(update_fields=["status", "no_show_at"])
    _event(ticket, Kind.NO_SHOW, now, actor=actor, counter=ticket.counter)


def no_show(ticket_id: int, counter: Counter, actor: Any, now: dt.datetime | None = None) -> QueueTicket:
    """Mark a called ticket "tidak hadir"; only once the no-show minutes have passed since the
    last call (a visitor gets that long to come to the counter)."""
    now = _now(now)
    with transaction.atomic():
        ticket = own_ticket(ticket_id, counter, actor, (Status.CALLED,))
        if not _no_show_due(ticket, now):
            raise CounterError(
                f"Tunggu {no_show_minutes()} menit sejak panggilan terakhir sebelum menandai tidak hadir; panggil ulang dulu."
            )
        _mark_no_show(ticket, now, actor=actor)
    return ticket


def transfer(
    ticket_id: int,
    counter: Counter,
    actor: Any,
    *,
    to_counter: Counter | None = None,
    to_service: ServiceQueue | None = None,
    now: dt.datetime | None = None,
) -> QueueTicket:
    """Send a called or served ticket on: to another counter (the same number waits for that
    counter, ahead of the others) or to another service (a new number of that service, the old
    one kept as "dialihkan"). Returns the ticket that now waits."""
    now = _now(now)
    if (to_counter is None) == (to_service is None):
        raise CounterError("Pilih satu tujuan: loket lain atau layanan lain.")
    with transaction.atomic():
        ticket = own_ticket(ticket_id, counter, actor, (Status.CALLED, Status.SERVING))
        if to_counter is not None:
            if to_counter.unit_id != ticket.unit_id or to_counter.pk == counter.pk:
                raise CounterError("Loket tujuan harus loket lain di unit ini.")
            ticket.status = Status.WAITING
            ticket.counter = to_counter
            ticket.transferred_at = now
            ticket.save(update_fields=["status", "counter", "transferred_at"])
            _event(ticket, Kind.TRANSFERRED, now, actor=actor, counter=counter, note=f"ke {to_counter.name}")
            return ticket
        assert to_service is not None
        if to_service.unit_id != ticket.unit_id or to_service.pk == ticket.service_id:
            raise CounterError("Layanan tujuan harus layanan lain di unit ini.")
        ticket.status = Status.TRANSFERRED
        ticket.transferred_at = now
        ticket.save(update_fields=["status", "transferred_at"])
        new = issue_ticket(service=to_service, actor=actor, now=now, transferred_from=ticket)
        if ticket.entry_id:
            QueueTicket.objects.filter(pk=new.pk).update(entry_id=ticket.entry_id)
            new.entry_id = ticket.entry_id
        _event(ticket, Kind.TRANSFERRED, now, actor=actor, counter=counter, note=f"ke {new.display}")
        return new
