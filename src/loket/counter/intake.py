"""Opening a request at the counter from a served queue ticket (the visitor at the Helpdesk's desk).

The request is written on the `loket` channel, so an SOP that branches on how a request came
(`syarat: kanal-langsung`) takes its counter branch by itself. The steps the visitor already went
through before the file was written down (signing the guest book, getting the number, being
called) are recorded with their real times and staff, so the ticket's standard (e.g. "5 menit
terhitung setelah mengisi buku tamu") is measured like any step, and the step after them starts
when the visitor sat down at the counter: the time at the counter is measured too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from loket.cases import services as case_services
from loket.cases.models import Channel
from loket.catalog.models import SopVersion
from loket.catalog.selectors import latest_versions, parsed

from .lanes import CALL_ACTION, GUEST_BOOK_ACTION, TICKET_ACTION
from .models import Counter, QueueTicket, Status, TicketEvent
from .services import CounterError, close_ticket, own_ticket

Upload = tuple[str, str, bytes]
RESET = "reset-akun"


@dataclass(frozen=True)
class Opened:
    ticket: QueueTicket
    submitted: case_services.Submitted


def version_of(ticket: QueueTicket) -> SopVersion:
    """The newest installed version of the ticket's service, or a CounterError saying why the
    request cannot be written from here."""
    version = latest_versions().filter(unit_id=ticket.unit_id, kode=ticket.service.sop_kode).first()
    if version is None:
        raise CounterError(f"Layanan {ticket.service.name} tidak lagi terpasang di unit ini; hubungi administrator.")
    if version.layanan != RESET:
        raise CounterError(
            f"Permohonan {ticket.service.name} belum dapat dibuka dari tiket; catat melalui formulir layanannya."
        )
    return version


def originals_asked(version: SopVersion, role: str = "") -> list[Any]:
    """The documents whose original the SOP asks to see at the counter (`asli: true`), of the
    visitor's `role` where it is known (`Sop.berkas_for`; else every role's)."""
    return [b for b in parsed(version).berkas_for(role) if b.asli]


def _root(ticket: QueueTicket) -> QueueTicket:
    """The first ticket of a chain of transfers to other services (where the visitor's wait began)."""
    seen = {ticket.pk}
    while ticket.transferred_from_id is not None and ticket.transferred_from_id not in seen:
        ticket = QueueTicket.objects.select_related("service").get(pk=ticket.transferred_from_id)
        seen.add(ticket.pk)
    return ticket


def _actor_of(ticket: QueueTicket, kind: str) -> Any:
    event = TicketEvent.objects.filter(ticket=ticket, kind=kind).select_related("actor").order_by("id").first()
    return event.actor if event else None


def _iso(moment: dt.datetime | None) -> str:
    return moment.isoformat() if moment else ""


@transaction.atomic
def open_request(
    *,
    ticket_id: int,
    counter: Counter,
    actor: Any,
    need: str,
    name: str,
    email: str,
    user_id: str = "",
    nip: str = "",
    phone: str = "",
    agency_id: int | None = None,
    role: str = "",
    files: list[Upload],
    originals_shown: Iterable[str] = (),
    now: dt.datetime | None = None,
) -> Opened:
    """The Helpdesk writes down the request of the visitor served at `counter`.

    Effects, in order, in one transaction: the ticket locked (it must be served at this counter
    by `actor`: a double click or a second tab finds it done and changes nothing); the request
    checked and written as `cases.services.submit_request` does (all its rules, documents
    checked as uploads), on the `loket` channel, handed in when the visitor signed the guest
    book; the steps of the guest book, the ticket and the call recorded as done when they were,
    by whom they were; whether each original the SOP asks for was shown, kept on step 1; the
    ticket done, linked to the case. Any refusal (cases.errors.Invalid) leaves all as it was."""
    now = now or timezone.now()
    ticket = own_ticket(ticket_id, counter, actor, (Status.SERVING,))
    version = version_of(ticket)
    root = _root(ticket)
    entry = ticket.entry
    arrived = entry.arrived_at if entry is not None else root.issued_at
    asked = [b.kode for b in originals_asked(version, role)]
    shown = set(originals_shown)
    earlier = {
        GUEST_BOOK_ACTION: case_services.EarlierStep(
            finished_at=arrived,
            detail={"buku_tamu": entry.pk, "dicatat_oleh": entry.recorded_by.get_username()} if entry else None,
        ),
        TICKET_ACTION: case_services.EarlierStep(
            finished_at=root.issued_at,
            actor=_actor_of(root, TicketEvent.Kind.ISSUED),
            detail={"tiket": root.display},
        ),
        CALL_ACTION: case_services.EarlierStep(
            finished_at=ticket.serving_at or now,
            actor=_actor_of(ticket, TicketEvent.Kind.CALLED) or actor,
            detail={
                "tiket": ticket.display,
                "loket": counter.name,
                "dipanggil": _iso(ticket.called_at),
                "dilayani": _iso(ticket.serving_at),
            },
        ),
    }
    submitted = case_services.submit_request(
        sop_version=version,
        channel=Channel.COUNTER,
        need=need,
        name=name,
        email=email,
        user_id=user_id,
        nip=nip,
        phone=phone,
        agency_id=agency_id,
        role=role,
        files=files,
        actor=actor,
        at=arrived,
        earlier=earlier,
        handed_in={
            "asli_diperlihatkan": [k for k in asked if k in shown],
            "asli_tidak_diperlihatkan": [k for k in asked if k not in shown],
        }
        if asked
        else None,
    )
    close_ticket(ticket, counter, actor, now, case=submitted.case)
    return Opened(ticket, submitted)
