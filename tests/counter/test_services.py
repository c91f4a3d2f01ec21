"""The queue's rules: numbers per service per day with the service's prefix, call-next order,
recall, no-show, transfer, done, and the day's close."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from django.core.management import call_command

from loket.counter import services
from loket.counter.lanes import queue_lanes
from loket.counter.models import QueueTicket, ServiceQueue, Status, TicketEvent
from loket.counter.selectors import board_state

pytestmark = pytest.mark.django_db


def guest(desk, when, name="Rina Wulandari"):  # type: ignore[no-untyped-def]
    return services.record_guest(
        unit=desk.unit,
        service=desk.service,
        name=name,
        agency="Direktorat Jenderal Perikanan Tangkap",
        id_number="199204172018011003",
        phone="081234567890",
        actor=desk.front,
        arrived_at=when,
    )


def ticket(desk, when, service=None):  # type: ignore[no-untyped-def]
    return services.issue_ticket(service=service or desk.service, actor=desk.front, now=when)


def test_lanes_and_services_come_from_the_sop(desk):
    lanes = queue_lanes(desk.unit)
    assert lanes.front_office == {"Front Office"} and lanes.counter == {"Helpdesk"}
    assert [s.ticket_minutes for s in lanes.services] == [5]
    assert desk.service.prefix == "A" and desk.service.sop_kode == lanes.services[0].kode


def test_numbers_run_per_service_per_local_day_with_the_prefix(desk):
    other = ServiceQueue.objects.create(unit=desk.unit, sop_kode="lain", name="Layanan lain", prefix="B")
    first = ticket(desk, desk.at(8, 5))
    second = ticket(desk, desk.at(8, 6))
    b1 = ticket(desk, desk.at(8, 7), other)
    assert [first.display, second.display, b1.display] == ["A-001", "A-002", "B-001"]
    # 23:30 UTC of the day before is 06:30 WIB of the day itself: the unit's local day counts.
    tomorrow = ticket(desk, desk.at(8, 1, dt.date(2026, 12, 3)))
    assert tomorrow.display == "A-001" and tomorrow.day == dt.date(2026, 12, 3)
    assert len({first.code, second.code, b1.code, tomorrow.code}) == 4


def test_the_ticket_within_5_minutes_of_the_guest_book_is_measured(desk):
    entry = guest(desk, desk.at(9, 0))
    t = services.issue_ticket(service=desk.service, entry=entry, actor=desk.front, now=desk.at(9, 7))
    assert t.minutes_to_ticket == 7
    with pytest.raises(services.CounterError, match="sudah mendapat"):
        services.issue_ticket(service=desk.service, entry=entry, actor=desk.front, now=desk.at(9, 8))


def test_call_next_takes_the_oldest_waiting_ticket_of_the_counters_services(desk):
    one, two = desk.counters
    a1 = ticket(desk, desk.at(9, 0))
    a2 = ticket(desk, desk.at(9, 1))
    services.sign_in(one, desk.helpdesk)
    services.sign_in(two, desk.helpdesk2)
    with pytest.raises(services.CounterError, match="tidak sedang menjaga"):
        services.call_next(one, desk.helpdesk2, now=desk.at(9, 2))
    assert services.call_next(one, desk.helpdesk, now=desk.at(9, 2)).pk == a1.pk
    with pytest.raises(services.CounterError, match="Selesaikan dulu"):
        services.call_next(one, desk.helpdesk, now=desk.at(9, 2))
    assert services.call_next(two, desk.helpdesk2, now=desk.at(9, 3)).pk == a2.pk
    a1.refresh_from_db()
    assert a1.status == Status.CALLED and a1.counter == one and a1.called_at == desk.at(9, 2)


def test_a_counter_that_does_not_serve_the_service_does_not_call_it(desk):
    one, _two = desk.counters
    one.services.clear()
    ticket(desk, desk.at(9, 0))
    services.sign_in(one, desk.helpdesk)
    assert services.call_next(one, desk.helpdesk, now=desk.at(9, 1)) is None


def test_recall_serve_done(desk):
    one = desk.counters[0]
    t = ticket(desk, desk.at(9, 0))
    services.sign_in(one, desk.helpdesk)
    services.call_next(one, desk.helpdesk, now=desk.at(9, 1))
    services.recall(t.pk, one, desk.helpdesk, now=desk.at(9, 3))
    services.start_serving(t.pk, one, desk.helpdesk, now=desk.at(9, 4))
    with pytest.raises(services.CounterError):
        services.recall(t.pk, one, desk.helpdesk, now=desk.at(9, 5))
    services.finish(t.pk, one, desk.helpdesk, note="hanya bertanya", now=desk.at(9, 20))
    t.refresh_from_db()
    assert (t.status, t.recalls, t.recalled_at, t.serving_at, t.done_at) == (
        Status.DONE,
        1,
        desk.at(9, 3),
        desk.at(9, 4),
        desk.at(9, 20),
    )
    kinds = list(TicketEvent.objects.filter(ticket=t).values_list("kind", flat=True))
    assert kinds == ["terbit", "panggil", "panggil-ulang", "layani", "selesai"]


def test_no_show_only_after_the_configured_minutes_and_kept_on_record(desk, settings):
    settings.LOKET_COUNTER_NO_SHOW_MINUTES = 5
    one = desk.counters[0]
    t = ticket(desk, desk.at(9, 0))
    services.sign_in(one, desk.helpdesk)
    services.call_next(one, desk.helpdesk, now=desk.at(9, 1))
    with pytest.raises(services.CounterError, match="5 menit"):
        services.no_show(t.pk, one, desk.helpdesk, now=desk.at(9, 4))
    services.recall(t.pk, one, desk.helpdesk, now=desk.at(9, 4))
    assert services.expire_no_shows(desk.unit, now=desk.at(9, 8)) == 0  # 4 minutes after the recall
    services.no_show(t.pk, one, desk.helpdesk, now=desk.at(9, 9))
    t.refresh_from_db()
    assert t.status == Status.NO_SHOW and t.no_show_at == desk.at(9, 9)
    # The next one not served is marked by the housekeeping itself.
    t2 = ticket(desk, desk.at(9, 10))
    services.call_next(one, desk.helpdesk, now=desk.at(9, 11))
    assert services.expire_no_shows(desk.unit, now=desk.at(9, 16)) == 1
    t2.refresh_from_db()
    assert t2.status == Status.NO_SHOW
    assert QueueTicket.objects.filter(status=Status.NO_SHOW).count() == 2


def test_transfer_to_another_counter_waits_for_that_counter_first(desk):
    one, two = desk.counters
    t = ticket(desk, desk.at(9, 0))
    earlier_for_two = ticket(desk, desk.at(9, 1))
    services.sign_in(one, desk.helpdesk)
    services.sign_in(two, desk.helpdesk2)
    services.call_next(one, desk.helpdesk, now=desk.at(9, 2))
    moved = services.transfer(t.pk, one, desk.helpdesk, to_counter=two, now=desk.at(9, 3))
    assert moved.pk == t.pk and moved.status == Status.WAITING and moved.counter == two
    assert services.call_next(one, desk.helpdesk, now=desk.at(9, 4)).pk == earlier_for_two.pk
    assert services.call_next(two, desk.helpdesk2, now=desk.at(9, 4)).pk == t.pk


def test_transfer_to_another_service_gives_a_new_number_and_keeps_the_old_one(desk):
    one = desk.counters[0]
    other = ServiceQueue.objects.create(unit=desk.unit, sop_kode="lain", name="Layanan lain", prefix="B")
    one.services.add(other)
    entry = guest(desk, desk.at(9, 0))
    t = services.issue_ticket(service=desk.service, entry=entry, actor=desk.front, now=desk.at(9, 0))
    services.sign_in(one, desk.helpdesk)
    services.call_next(one, desk.helpdesk, now=desk.at(9, 1))
    services.start_serving(t.pk, one, desk.helpdesk, now=desk.at(9, 2))
    new = services.transfer(t.pk, one, desk.helpdesk, to_service=other, now=desk.at(9, 5))
    t.refresh_from_db()
    assert t.status == Status.TRANSFERRED and new.display == "B-001" and new.transferred_from == t
    assert new.entry_id == entry.pk and new.status == Status.WAITING


def test_the_day_closes_at_the_end_of_working_hours(desk, settings):
    t = ticket(desk, desk.at(15, 0))
    assert services.close_day(desk.unit, now=desk.at(15, 59)) == 0
    with pytest.raises(services.CounterError, match="ditutup"):
        ticket(desk, desk.at(16, 0))
    assert services.close_day(desk.unit, now=desk.at(16, 0)) == 1
    t.refresh_from_db()
    assert t.status == Status.CLOSED and t.closed_at == desk.at(16, 0)
    settings.LOKET_COUNTER_CLOSES_AT = {"kkp": "17:30"}
    assert ticket(desk, desk.at(17, 0)).display == "A-002"
    settings.LOKET_COUNTER_CLOSES_AT = "off"
    assert ticket(desk, desk.at(23, 0)).display == "A-003"
    # The next morning the tickets of yesterday left waiting are closed.
    assert services.close_day(desk.unit, now=desk.at(8, 0, dt.date(2026, 12, 3))) == 2


def test_the_board_state_has_numbers_and_counters_only(desk):
    one = desk.counters[0]
    entry = guest(desk, desk.at(9, 0), name="Nama Rahasia")
    services.issue_ticket(service=desk.service, entry=entry, actor=desk.front, now=desk.at(9, 0))
    services.sign_in(one, desk.helpdesk)
    services.call_next(one, desk.helpdesk, now=desk.at(9, 1))
    state = board_state(desk.unit, now=desk.at(9, 1))
    assert state["counters"][0] == {"name": "Loket 1", "number": "A-001"}
    assert state["calls"][0]["spoken"] == "Nomor antrian A-001, silakan menuju loket 1"
    assert state["calls"][0]["at"] == "09:01"
    text = repr(state)
    assert "Nama Rahasia" not in text and "199204172018011003" not in text and "0812" not in text


def _settings_with(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Start Django's settings in a fresh interpreter with `env` and print the counter's and the
    mailbox's settings as JSON."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.LOKET_COUNTER_NO_SHOW_MINUTES, s.LOKET_COUNTER_CLOSES_AT, "
        "s.LOKET_MAILBOX_BATCH, s.LOKET_MAILBOX_MAX_ATTEMPTS, s.LOKET_MAILBOX_TIMEOUT]))"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith(("LOKET_COUNTER", "LOKET_MAILBOX"))}
    base.update(DJANGO_SETTINGS_MODULE="loket.settings", LOKET_DEBUG="1", LOKET_ENV_FILE="/nonexistent/loket.env")
    return subprocess.run(
        [sys.executable, "-c", code], env={**base, **env}, capture_output=True, text=True, timeout=60, check=False
    )


def test_the_counter_and_mailbox_settings_come_from_the_environment():
    defaults = _settings_with({})
    assert defaults.returncode == 0, defaults.stderr
    assert json.loads(defaults.stdout) == [10, None, 50, 3, 30.0]

    given = _settings_with(
        {
            "LOKET_COUNTER_NO_SHOW_MINUTES": "7",
            "LOKET_COUNTER_CLOSES_AT": "kkp=15:30, lpse=off",
            "LOKET_MAILBOX_BATCH": "20",
            "LOKET_MAILBOX_MAX_ATTEMPTS": "5",
            "LOKET_MAILBOX_TIMEOUT": "12.5",
        }
    )
    assert given.returncode == 0, given.stderr
    assert json.loads(given.stdout) == [7, {"kkp": "15:30", "lpse": "off"}, 20, 5, 12.5]
    assert json.loads(_settings_with({"LOKET_COUNTER_CLOSES_AT": "off"}).stdout)[1] == "off"

    wrong = _settings_with({"LOKET_COUNTER_CLOSES_AT": "jam 4"})
    assert wrong.returncode != 0 and "LOKET_COUNTER_CLOSES_AT" in wrong.stderr


def test_a_closing_time_from_the_environment_closes_the_queue_then(desk, settings):
    # The value as settings.py reads LOKET_COUNTER_CLOSES_AT=kkp=15:30.
    settings.LOKET_COUNTER_CLOSES_AT = {"kkp": "15:30"}
    waiting = ticket(desk, desk.at(15, 0))
    assert services.close_day(desk.unit, now=desk.at(15, 29)) == 0
    with pytest.raises(services.CounterError, match="ditutup"):
        ticket(desk, desk.at(15, 30))
    assert services.close_day(desk.unit, now=desk.at(15, 30)) == 1
    waiting.refresh_from_db()
    assert waiting.status == Status.CLOSED


def test_the_worker_closes_yesterday_and_marks_no_shows_with_no_page_open(desk, settings, monkeypatch):
    # Thursday 3 December 2026, 10:00 at the unit; the no-show minutes are the default 10.
    thursday = dt.date(2026, 12, 3)
    one, two = desk.counters
    services.sign_in(one, desk.helpdesk)
    services.sign_in(two, desk.helpdesk2)
    late = ticket(desk, desk.at(9, 0, thursday))
    recent = ticket(desk, desk.at(9, 1, thursday))
    waiting = ticket(desk, desk.at(9, 2, thursday))
    assert services.call_next(one, desk.helpdesk, now=desk.at(9, 30, thursday)) == late
    assert services.call_next(two, desk.helpdesk2, now=desk.at(9, 55, thursday)) == recent
    yesterday = ticket(desk, desk.at(15, 0))  # Wednesday, left waiting when the queue closed
    monkeypatch.setattr("django.utils.timezone.now", lambda: desk.at(10, 0, thursday))
    assert "loket.counter.tasks.tidy_queues" in settings.LOKET_PERIODIC_JOBS

    call_command("worker", "--once")  # the configured periodic jobs, as the worker runs them

    statuses = {t: QueueTicket.objects.get(pk=t.pk).status for t in (late, recent, waiting, yesterday)}
    assert statuses == {
        late: Status.NO_SHOW,  # called 30 minutes ago
        recent: Status.CALLED,  # called 5 minutes ago
        waiting: Status.WAITING,
        yesterday: Status.CLOSED,
    }
    late.refresh_from_db()
    assert late.no_show_at == desk.at(10, 0, thursday)
    assert TicketEvent.objects.filter(ticket=yesterday, kind=TicketEvent.Kind.CLOSED).exists()
