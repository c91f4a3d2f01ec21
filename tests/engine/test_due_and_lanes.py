"""When a step is due (`due_at`), and the rules a
system decision may name (`CONDITION_RULES`)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from loket.engine.flow import CONDITION_RULES, Facts, advance, by_of, due_at, staff_run

from .walking import builtin

STARTED = dt.datetime(2024, 3, 4, 9, 30, tzinfo=ZoneInfo("Asia/Makassar"))


def plain_minutes(start: dt.datetime, minutes: int) -> dt.datetime:
    return start + dt.timedelta(minutes=minutes)


def test_an_untimed_staff_step_has_no_due_time() -> None:
    sop = builtin("kkp-reset-admin-agency")
    assert sop.step(4).waktu is None  # call the queue / open the e-mail: N/A
    assert due_at(sop.step(4), STARTED, plain_minutes) is None
    assert sop.step(8).waktu is None  # hand-over: blank in the printed SOP
    assert due_at(sop.step(8), STARTED, plain_minutes) is None


def test_a_requester_step_has_no_due_time_even_with_a_time_standard() -> None:
    sop = builtin("kaltim-reset-ppk")
    for no in (1, 4):
        timed = sop.step(no).model_copy(update={"waktu": 30})
        assert due_at(timed, STARTED, plain_minutes) is None


@pytest.mark.parametrize(
    ("kode", "no", "due"),
    [
        ("kaltim-reset-ppk", 2, dt.datetime(2024, 3, 4, 9, 35, tzinfo=ZoneInfo("Asia/Makassar"))),
        ("kaltim-reset-ppk", 5, dt.datetime(2024, 3, 4, 9, 40, tzinfo=ZoneInfo("Asia/Makassar"))),
        ("sbt-reset-pokja", 6, dt.datetime(2024, 3, 4, 9, 45, tzinfo=ZoneInfo("Asia/Makassar"))),
        ("kkp-reset-admin-agency", 9, dt.datetime(2024, 3, 4, 9, 45, tzinfo=ZoneInfo("Asia/Makassar"))),
    ],
)
def test_a_timed_step_is_due_its_minutes_after_it_started(kode: str, no: int, due: dt.datetime) -> None:
    assert due_at(builtin(kode).step(no), STARTED, plain_minutes) == due


def test_the_due_time_is_counted_by_the_given_calendar() -> None:
    # The unit's working-hours calendar decides: here one that counts each "minute" as an hour.
    step = builtin("kaltim-reset-ppk").step(5)  # waktu 10
    seen: list[tuple[dt.datetime, int]] = []

    def hours(start: dt.datetime, minutes: int) -> dt.datetime:
        seen.append((start, minutes))
        return start + dt.timedelta(hours=minutes)

    assert due_at(step, STARTED, hours) == dt.datetime(2024, 3, 4, 19, 30, tzinfo=ZoneInfo("Asia/Makassar"))
    assert seen == [(STARTED, 10)]


@pytest.mark.parametrize(("channel", "direct"), [("loket", True), ("web", False), ("email", False), ("api", False)])
def test_only_a_request_at_the_counter_is_direct(channel: str, direct: bool) -> None:
    assert CONDITION_RULES["kanal-langsung"](Facts(channel)) is direct


def test_with_an_assisted_directory_the_reset_is_the_staff_s_own_step_on_the_same_page() -> None:
    sop = builtin("kaltim-reset-ppk")  # 5 validity (Admin Agency) -> 6 reset-atau-user-id -> 8 notify
    by_hand = Facts("web", assisted=True, needs_password=True)
    assert by_of(sop.step(6)) == "sistem"
    assert by_of(sop.step(6), by_hand) == "staf"
    # Only the password needs a person: a user-ID request is still answered by the system.
    assert by_of(sop.step(6), Facts("web", assisted=True, needs_password=False)) == "sistem"
    assert [k.no for k in staff_run(sop, 2, by_hand)] == [2, 5, 6]
    assert [k.no for k in staff_run(sop, 2)] == [2, 5]
    done = advance(sop, 6, None, by_hand, by="staf")
    assert [(m.step.no, m.by, m.effect) for m in done.moves] == [
        (6, "staf", "reset-atau-user-id"),
        (8, "sistem", "beri-tahu-hasil"),
        (9, "sistem", "arsipkan"),
    ]
