"""The engine (`loket.engine.flow`) walking the five built-in SOPs: where a new request waits, which
staff steps one person answers together, the automatic steps each answer runs and in what order,
the incomplete-file loop, refusal, and the answers the engine refuses."""

from __future__ import annotations

import pytest

from loket.engine.flow import EngineError, Facts, advance, allowed_answers, by_of, staff_run

from .walking import builtin, effects, moves, nos, reply, submit, waiting_no

# The three reset SOPs of the same shape: 1 request, 2 complete?, 3 ask for the rest, 4 requester
# completes, 5 valid?, 6 reset/user ID, 7 refuse, 8 notify, 9 archive.
SAME_SHAPE = ["kaltim-reset-ppk", "magelang-reset-ppk", "sbt-reset-pokja"]


# --- submission and the happy path -------------------------------------------------------------


@pytest.mark.parametrize("kode", SAME_SHAPE)
def test_a_new_request_waits_at_the_completeness_check(kode: str) -> None:
    sop = builtin(kode)
    result = submit(sop)
    assert moves(result) == [(1, "lanjut", "pemohon")]
    assert waiting_no(result) == 2
    assert result.outcome is None
    assert result.effects == []


@pytest.mark.parametrize("kode", SAME_SHAPE)
def test_one_admin_agency_answers_both_checks_on_one_page(kode: str) -> None:
    sop = builtin(kode)
    assert nos(staff_run(sop, 2)) == [2, 5]
    # From the validity check on, nothing is left for the same person to answer.
    assert nos(staff_run(sop, 5)) == [5]


@pytest.mark.parametrize("kode", SAME_SHAPE)
def test_the_happy_path_resets_notifies_and_archives_then_ends(kode: str) -> None:
    sop = builtin(kode)
    result = submit(sop)
    result = reply(result, sop, "ya")
    assert moves(result) == [(2, "ya", "staf")]
    assert waiting_no(result) == 5
    assert result.effects == []

    result = reply(result, sop, "ya")
    assert moves(result) == [
        (5, "ya", "staf"),
        (6, "lanjut", "sistem"),
        (8, "lanjut", "sistem"),
        (9, "lanjut", "sistem"),
    ]
    assert effects(result) == ["reset-atau-user-id", "beri-tahu-hasil", "arsipkan"]
    assert [move.by for move in result.effects] == ["sistem", "sistem", "sistem"]
    assert result.waiting is None
    assert result.outcome == "selesai"


@pytest.mark.parametrize("channel", ["web", "email", "api"])
def test_kkp_request_from_afar_goes_straight_to_the_helpdesk(channel: str) -> None:
    sop = builtin("kkp-reset-admin-agency")
    result = submit(sop, channel)
    # The system answers step 1 ("handed in at the counter?") from the channel.
    assert moves(result) == [(1, "tidak", "pemohon")]
    assert waiting_no(result) == 4
    assert result.waiting is not None and by_of(result.waiting) == "staf"


def test_kkp_request_at_the_counter_waits_for_the_guest_book() -> None:
    sop = builtin("kkp-reset-admin-agency")
    result = submit(sop, "loket")
    assert moves(result) == [(1, "ya", "pemohon")]
    assert waiting_no(result) == 2
    assert result.waiting is not None and by_of(result.waiting) == "pemohon"

    result = reply(result, sop, "lanjut", "loket", by="pemohon")
    assert moves(result) == [(2, "lanjut", "pemohon")]
    assert waiting_no(result) == 3
    # The Front Office hands out the ticket alone; the Helpdesk takes over at step 4.
    assert nos(staff_run(sop, 3)) == [3]

    result = reply(result, sop, "lanjut", "loket")
    assert moves(result) == [(3, "lanjut", "staf")]
    assert waiting_no(result) == 4


@pytest.mark.parametrize("channel", ["web", "email"])
def test_kkp_happy_path_passes_helpdesk_then_admin_ppe(channel: str) -> None:
    sop = builtin("kkp-reset-admin-agency")
    result = submit(sop, channel)
    assert nos(staff_run(sop, 4)) == [4, 5]

    result = reply(result, sop, "lanjut", channel)
    assert moves(result) == [(4, "lanjut", "staf")]
    assert waiting_no(result) == 5

    result = reply(result, sop, "ya", channel)
    assert moves(result) == [(5, "ya", "staf"), (8, "lanjut", "sistem")]
    assert effects(result) == ["teruskan"]
    assert waiting_no(result) == 9
    assert result.waiting is not None and result.waiting.pelaksana == "Admin PPE"
    assert nos(staff_run(sop, 9)) == [9]

    result = reply(result, sop, "ya", channel)
    assert moves(result) == [
        (9, "ya", "staf"),
        (10, "lanjut", "sistem"),
        (12, "lanjut", "sistem"),
        (13, "lanjut", "sistem"),
        (14, "lanjut", "sistem"),
    ]
    assert effects(result) == ["reset-atau-user-id", "teruskan", "arsipkan", "beri-tahu-hasil"]
    assert [move.by for move in result.effects] == ["sistem"] * 4
    assert result.waiting is None
    assert result.outcome == "selesai"


def test_registration_passes_disposition_then_admin_ppe_creates_the_account() -> None:
    sop = builtin("kaltim-registrasi-admin-agency")
    result = submit(sop)
    assert waiting_no(result) == 2
    # The Kepala LPSE only records the disposition; the Admin PPE answers 3 and 6 together.
    assert nos(staff_run(sop, 2)) == [2]
    assert nos(staff_run(sop, 3)) == [3, 6]

    result = reply(result, sop, "lanjut")
    assert waiting_no(result) == 3
    result = reply(result, sop, "ya")
    assert moves(result) == [(3, "ya", "staf")]
    assert waiting_no(result) == 6  # buat-akun is a staff task, not an automatic effect
    assert result.effects == []

    result = reply(result, sop, "lanjut")
    assert moves(result) == [(6, "lanjut", "staf"), (7, "lanjut", "sistem"), (8, "lanjut", "sistem")]
    assert effects(result) == ["beri-tahu-hasil", "arsipkan"]
    assert result.outcome == "selesai"


def test_staff_run_is_empty_from_a_step_no_staff_member_answers() -> None:
    sop = builtin("kaltim-reset-ppk")
    assert staff_run(sop, 1) == []  # the requester's
    assert staff_run(sop, 4) == []  # the requester's
    assert staff_run(sop, 6) == []  # the system's


# --- the incomplete-file loop ------------------------------------------------------------------


@pytest.mark.parametrize("kode", SAME_SHAPE)
def test_an_incomplete_file_goes_back_to_the_requester_and_round_again(kode: str) -> None:
    sop = builtin(kode)
    result = submit(sop)
    for _ in range(2):
        result = reply(result, sop, "tidak")
        assert moves(result) == [(2, "tidak", "staf"), (3, "lanjut", "sistem")]
        assert effects(result) == ["minta-kelengkapan"]
        assert waiting_no(result) == 4
        assert result.waiting is not None and by_of(result.waiting) == "pemohon"
        assert result.waiting.aksi == "lengkapi-berkas"
        assert result.outcome is None

        result = reply(result, sop, "lanjut", by="pemohon")
        assert moves(result) == [(4, "lanjut", "pemohon")]
        assert waiting_no(result) == 2
        assert result.effects == []

    result = reply(result, sop, "ya")
    assert waiting_no(result) == 5
    result = reply(result, sop, "ya")
    assert result.outcome == "selesai"


@pytest.mark.parametrize("channel", ["web", "loket"])
def test_kkp_incomplete_file_loops_through_the_admin_agency(channel: str) -> None:
    sop = builtin("kkp-reset-admin-agency")
    result = advance(sop, 4, "lanjut", Facts(channel), by="staf")
    for _ in range(2):
        result = reply(result, sop, "tidak", channel)
        assert moves(result) == [(5, "tidak", "staf"), (6, "lanjut", "sistem")]
        assert effects(result) == ["minta-kelengkapan"]
        assert waiting_no(result) == 7
        assert result.waiting is not None and by_of(result.waiting) == "pemohon"

        result = reply(result, sop, "lanjut", channel, by="pemohon")
        assert moves(result) == [(7, "lanjut", "pemohon")]
        assert waiting_no(result) == 5


def test_registration_incomplete_file_is_completed_by_the_admin_agency() -> None:
    sop = builtin("kaltim-registrasi-admin-agency")
    result = advance(sop, 3, "tidak", Facts("web"), by="staf")
    assert moves(result) == [(3, "tidak", "staf"), (4, "lanjut", "sistem")]
    assert effects(result) == ["minta-kelengkapan"]
    assert waiting_no(result) == 5
    assert result.waiting is not None and result.waiting.pelaksana == "Admin Agency"
    assert by_of(result.waiting) == "pemohon"

    result = reply(result, sop, "lanjut", by="pemohon")
    assert waiting_no(result) == 3


# --- refusal -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kode", SAME_SHAPE)
def test_an_invalid_file_is_refused_and_the_case_ends(kode: str) -> None:
    sop = builtin(kode)
    result = advance(sop, 5, "tidak", Facts("web"), by="staf")
    assert moves(result) == [(5, "tidak", "staf"), (7, "lanjut", "sistem")]
    assert effects(result) == ["tolak"]
    assert result.waiting is None
    assert result.outcome == "ditolak"


def test_kkp_invalid_file_is_refused_by_the_admin_ppe() -> None:
    sop = builtin("kkp-reset-admin-agency")
    result = advance(sop, 9, "tidak", Facts("email"), by="staf")
    assert moves(result) == [(9, "tidak", "staf"), (11, "lanjut", "sistem")]
    assert effects(result) == ["tolak"]
    assert result.waiting is None
    assert result.outcome == "ditolak"


def test_a_refusal_after_a_round_of_the_loop_still_ends_refused() -> None:
    sop = builtin("kaltim-reset-ppk")
    result = submit(sop)
    result = reply(result, sop, "tidak")
    result = reply(result, sop, "lanjut", by="pemohon")
    result = reply(result, sop, "ya")
    result = reply(result, sop, "tidak")
    assert effects(result) == ["tolak"]
    assert result.outcome == "ditolak"


# --- answers the engine refuses ----------------------------------------------------------------


@pytest.mark.parametrize("answer", ["mungkin", "lanjut", "Ya", ""])
def test_it_refuses_an_answer_a_decision_does_not_take(answer: str) -> None:
    sop = builtin("kaltim-reset-ppk")
    with pytest.raises(EngineError, match="langkah 2"):
        advance(sop, 2, answer, Facts("web"), by="staf")


def test_it_refuses_no_answer_to_a_staff_decision() -> None:
    # Only a system decision may be answered by the system; a staff decision needs ya or tidak.
    sop = builtin("kaltim-reset-ppk")
    with pytest.raises(EngineError):
        advance(sop, 5, None, Facts("web"), by="staf")


@pytest.mark.parametrize("answer", ["ya", "tidak", "selesai"])
def test_it_refuses_a_decision_answer_to_a_plain_step(answer: str) -> None:
    sop = builtin("kaltim-reset-ppk")
    with pytest.raises(EngineError, match="langkah 1"):
        advance(sop, 1, answer, Facts("web"), by="pemohon")
    with pytest.raises(EngineError, match="langkah 4"):
        advance(sop, 4, answer, Facts("web"), by="pemohon")


def test_it_refuses_a_wrong_answer_to_kkp_channel_decision() -> None:
    sop = builtin("kkp-reset-admin-agency")
    with pytest.raises(EngineError, match="langkah 1"):
        advance(sop, 1, "lanjut", Facts("loket"), by="pemohon")
    with pytest.raises(EngineError, match="langkah 1"):
        advance(sop, 1, "web", Facts("web"), by="pemohon")


# --- who answers what --------------------------------------------------------------------------


def test_who_completes_each_step_of_kkp() -> None:
    sop = builtin("kkp-reset-admin-agency")
    assert [by_of(step) for step in sorted(sop.kegiatan, key=lambda k: k.no)] == [
        "pemohon",  # 1 hands in; the system only picks the branch from the channel
        "pemohon",  # 2 guest book
        "staf",  # 3 queue ticket
        "staf",  # 4 call the queue / open the e-mail
        "staf",  # 5 complete?
        "sistem",  # 6 ask for the rest
        "pemohon",  # 7 complete the file
        "sistem",  # 8 hand over to Admin PPE
        "staf",  # 9 valid?
        "sistem",  # 10 reset / user ID
        "sistem",  # 11 refuse
        "sistem",  # 12 hand the result to the Helpdesk
        "sistem",  # 13 archive
        "sistem",  # 14 notify
    ]


def test_allowed_answers_of_decisions_and_plain_steps() -> None:
    sop = builtin("kkp-reset-admin-agency")
    assert allowed_answers(sop.step(1)) == ("ya", "tidak")
    assert allowed_answers(sop.step(5)) == ("ya", "tidak")
    assert allowed_answers(sop.step(2)) == ("lanjut",)
    assert allowed_answers(sop.step(14)) == ("lanjut",)
