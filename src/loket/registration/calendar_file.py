"""The calendar file (.ics, RFC 5545) sent with a training invitation, so the candidate's mail
program offers to put the session in their calendar (icalendar writes and escapes it)."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from .models import TrainingSeat


def invitation_ics(seat: TrainingSeat) -> str:
    session = seat.session
    calendar = Calendar()
    calendar.add("prodid", "-//Loket//Undangan pelatihan//ID")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    # One UID per seat: a second invitation to the same session updates the same calendar entry.
    host = settings.LOKET_BASE_URL.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "loket"
    event.add("uid", f"pelatihan-{session.pk}-{seat.registration_id}@{host}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", f"{session.title} ({session.unit.nama})")
    where = ", ".join(part for part in (session.place, session.online_url) if part)
    if where:
        event.add("location", where)
    if session.online_url:
        event.add("url", session.online_url)
    event.add(
        "description",
        f"Pelatihan penggunaan aplikasi untuk {seat.registration.candidate_name}, "
        f"permohonan {seat.registration.case.reference}. Akun Anda diaktifkan setelah Anda hadir.",
    )
    calendar.add_component(event)
    return calendar.to_ical().decode()
