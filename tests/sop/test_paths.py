"""Paths through the five seed SOPs (`loket.sop.paths`): every path, its steps, minutes and waits.

Every expected number below was worked out by hand from the printed SOPs in /work/shared/seeds
(the Waktu column; N/A and blank cells are not timed and count as waits), not by running the code:

- 000 Kaltim reset PPK: 1 N/A, 2 5, 3 5, 4 N/A, 5 10, 6 5, 7 5, 8 10, 9 5.
- 001 Magelang reset PPK: the same times as 000.
- 002 Kaltim registrasi Admin Agency: 1 N/A, 2 N/A, 3 5, 4 5, 5 N/A, 6 15, 7 10, 8 10.
- 003 SBT reset Pokja: 1 N/A, 2 5, 3 5, 4 N/A, 5 15, 6 15, 7 5, 8 10, 9 5.
- 004 KKP reset Admin Agency: 1 N/A, 2 N/A, 3 5, 4 N/A, 5 5, 6 5, 7 N/A, 8 blank, 9 15, 10 10,
  11 5, 12 5, 13 10, 14 5.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from loket.sop import model
from loket.sop.load import load_file, load_text
from loket.sop.model import Sop
from loket.sop.paths import all_paths, happy_path

DEFINITIONS = Path(model.__file__).parent / "definitions"


def sop(kode: str) -> Sop:
    loaded = load_file(DEFINITIONS / f"{kode}.yaml")
    assert loaded.violations == []
    assert loaded.sop is not None
    return loaded.sop


# (steps, minutes, waits, happy, ends_with), in the order all_paths gives them (`ya` first).
RESET_PPK = [
    # happy: 5 + 10 + 5 + 10 + 5 = 35; N/A: step 1
    ((1, 2, 5, 6, 8, 9), 35, 1, True, "arsipkan"),
    # not valid: 5 + 10 + 5 = 20
    ((1, 2, 5, 7), 20, 1, False, "tolak"),
    # incomplete once: 5 + 5 + 5 + 10 + 5 + 10 + 5 = 45; N/A: steps 1 and 4
    ((1, 2, 3, 4, 2, 5, 6, 8, 9), 45, 2, False, "arsipkan"),
    # incomplete once, then not valid: 5 + 5 + 5 + 10 + 5 = 30
    ((1, 2, 3, 4, 2, 5, 7), 30, 2, False, "tolak"),
]

EXPECTED_PATHS = {
    "kaltim-reset-ppk": RESET_PPK,
    "magelang-reset-ppk": RESET_PPK,
    "sbt-reset-pokja": [
        ((1, 2, 5, 6, 8, 9), 50, 1, True, "arsipkan"),  # 5 + 15 + 15 + 10 + 5
        ((1, 2, 5, 7), 25, 1, False, "tolak"),  # 5 + 15 + 5
        ((1, 2, 3, 4, 2, 5, 6, 8, 9), 60, 2, False, "arsipkan"),  # 50 + 5 (3) + 5 (2 again)
        ((1, 2, 3, 4, 2, 5, 7), 35, 2, False, "tolak"),  # 25 + 5 + 5
    ],
    # No refusal in this SOP: the only way out is creating the account.
    "kaltim-registrasi-admin-agency": [
        ((1, 2, 3, 6, 7, 8), 40, 2, True, "arsipkan"),  # 5 + 15 + 10 + 10; N/A: 1, 2
        ((1, 2, 3, 4, 5, 3, 6, 7, 8), 50, 3, False, "arsipkan"),  # 40 + 5 (4) + 5 (3 again); N/A: 1, 2, 5
    ],
    # Step 1 is answered by the system from the channel: in person (ya) -> 2, by e-mail (tidak) -> 4.
    "kkp-reset-admin-agency": [
        # in person: 5 (3) + 5 (5) + 15 (9) + 10 (10) + 5 (12) + 10 (13) + 5 (14) = 55; untimed 1, 2, 4, 8
        ((1, 2, 3, 4, 5, 8, 9, 10, 12, 13, 14), 55, 4, True, "beri-tahu-hasil"),
        ((1, 2, 3, 4, 5, 8, 9, 11), 30, 4, False, "tolak"),  # 5 + 5 + 15 + 5
        ((1, 2, 3, 4, 5, 6, 7, 5, 8, 9, 10, 12, 13, 14), 65, 5, False, "beri-tahu-hasil"),  # 55 + 5 + 5; +7
        ((1, 2, 3, 4, 5, 6, 7, 5, 8, 9, 11), 40, 5, False, "tolak"),  # 30 + 5 + 5
        # by e-mail: 5 (5) + 15 (9) + 10 (10) + 5 (12) + 10 (13) + 5 (14) = 50; untimed 1, 4, 8
        ((1, 4, 5, 8, 9, 10, 12, 13, 14), 50, 3, True, "beri-tahu-hasil"),
        ((1, 4, 5, 8, 9, 11), 25, 3, False, "tolak"),  # 5 + 15 + 5
        ((1, 4, 5, 6, 7, 5, 8, 9, 10, 12, 13, 14), 60, 4, False, "beri-tahu-hasil"),  # 50 + 5 + 5; +7
        ((1, 4, 5, 6, 7, 5, 8, 9, 11), 35, 4, False, "tolak"),  # 25 + 5 + 5
    ],
}


@pytest.mark.parametrize("kode", sorted(EXPECTED_PATHS))
def test_every_path_of_each_seed(kode: str) -> None:
    got = [(p.steps, p.minutes, p.waits, p.happy, p.ends_with) for p in all_paths(sop(kode))]
    assert got == EXPECTED_PATHS[kode]


@pytest.mark.parametrize(
    ("kode", "steps", "minutes"),
    [
        ("kaltim-reset-ppk", (1, 2, 5, 6, 8, 9), 35),
        ("magelang-reset-ppk", (1, 2, 5, 6, 8, 9), 35),
        ("sbt-reset-pokja", (1, 2, 5, 6, 8, 9), 50),
        ("kaltim-registrasi-admin-agency", (1, 2, 3, 6, 7, 8), 40),
        ("kkp-reset-admin-agency", (1, 2, 3, 4, 5, 8, 9, 10, 12, 13, 14), 55),
    ],
)
def test_the_happy_path_of_each_seed(kode: str, steps: tuple[int, ...], minutes: int) -> None:
    path = happy_path(sop(kode))
    assert path is not None
    assert path.steps == steps
    assert path.minutes == minutes
    assert path.happy


def test_kaltim_reset_ppk_has_exactly_four_paths() -> None:
    paths = all_paths(sop("kaltim-reset-ppk"))
    assert [p.steps for p in paths] == [
        (1, 2, 5, 6, 8, 9),
        (1, 2, 5, 7),
        (1, 2, 3, 4, 2, 5, 6, 8, 9),
        (1, 2, 3, 4, 2, 5, 7),
    ]
    assert [p.answers for p in paths] == [
        ((2, "ya"), (5, "ya")),
        ((2, "ya"), (5, "tidak")),
        ((2, "tidak"), (2, "ya"), (5, "ya")),
        ((2, "tidak"), (2, "ya"), (5, "tidak")),
    ]


def test_kkp_has_two_happy_paths_counter_and_email() -> None:
    paths = all_paths(sop("kkp-reset-admin-agency"))
    happy = [p for p in paths if p.happy]
    assert [(p.steps, p.minutes) for p in happy] == [
        ((1, 2, 3, 4, 5, 8, 9, 10, 12, 13, 14), 55),
        ((1, 4, 5, 8, 9, 10, 12, 13, 14), 50),
    ]
    # The system's answer on the channel does not make the e-mail path unhappy; the staff say ya.
    assert happy[0].answers == ((1, "ya"), (5, "ya"), (9, "ya"))
    assert happy[1].answers == ((1, "tidak"), (5, "ya"), (9, "ya"))
    # happy_path gives the first: at the counter.
    assert happy_path(sop("kkp-reset-admin-agency")) == happy[0]


@pytest.mark.parametrize("kode", sorted(EXPECTED_PATHS))
def test_refusal_paths_end_with_tolak(kode: str) -> None:
    s = sop(kode)
    refusals = {k.no for k in s.kegiatan if k.aksi == "tolak"}
    for path in all_paths(s):
        refused = any(s.step(no).aksi == "periksa-keabsahan" and a == "tidak" for no, a in path.answers)
        assert refused == (path.steps[-1] in refusals), path
        assert refused == (path.ends_with == "tolak"), path
        if refused:
            assert not path.happy


@pytest.mark.parametrize("kode", sorted(EXPECTED_PATHS))
def test_each_loop_is_taken_at_most_once(kode: str) -> None:
    for path in all_paths(sop(kode)):
        transitions = list(zip(path.steps, path.steps[1:], strict=False))
        assert len(transitions) == len(set(transitions)), path
        assert max(path.steps.count(n) for n in path.steps) <= 2, path
        assert path.happy == (len(set(path.steps)) == len(path.steps) and path.happy)


@pytest.mark.parametrize("kode", sorted(EXPECTED_PATHS))
def test_waits_counts_the_untimed_steps(kode: str) -> None:
    s = sop(kode)
    for path in all_paths(s):
        untimed = [no for no in path.steps if s.step(no).waktu is None]
        timed = [s.step(no).waktu or 0 for no in path.steps]
        assert path.waits == len(untimed)
        assert path.minutes == sum(timed)


def test_the_kkp_handover_step_8_is_untimed_and_counted_as_a_wait() -> None:
    # Step 8's Waktu cell is blank in the seed: it adds no minutes and one wait.
    s = sop("kkp-reset-admin-agency")
    assert s.step(8).waktu is None
    happy = happy_path(s)
    assert happy is not None and 8 in happy.steps
    assert happy.waits == 4  # steps 1, 2, 4 (N/A) and 8 (blank)


def test_as_dict() -> None:
    path = happy_path(sop("kaltim-reset-ppk"))
    assert path is not None
    assert path.as_dict() == {
        "steps": [1, 2, 5, 6, 8, 9],
        "minutes": 35,
        "waits": 1,
        "happy": True,
        "ends_with": "arsipkan",
    }


SMALL = """\
kode: kecil
versi: 1
layanan: reset-akun
peran_akun: [PPK]
unit: kaltim
nomor: "1"
nama: Kecil
pelaksana: [PPK, Admin]
berkas: []
kegiatan:
  - {no: 1, uraian: a, pelaksana: PPK, waktu: null, aksi: ajukan-berkas, lanjut: 2}
  - {no: 2, uraian: b, pelaksana: Admin, waktu: 3, aksi: periksa-kelengkapan,
     keputusan: {pertanyaan: lengkap, ya: selesai, tidak: 3}}
  - {no: 3, uraian: c, pelaksana: PPK, waktu: null, aksi: lengkapi-berkas, lanjut: 2}
"""


def test_a_decision_may_end_the_flow_and_its_loop_is_taken_once() -> None:
    loaded = load_text(SMALL)
    assert loaded.violations == [] and loaded.sop is not None
    got = [(p.steps, p.minutes, p.waits, p.happy, p.ends_with) for p in all_paths(loaded.sop)]
    assert got == [
        ((1, 2), 3, 1, True, "periksa-kelengkapan"),
        ((1, 2, 3, 2), 6, 2, False, "periksa-kelengkapan"),
    ]


def test_no_step_1_gives_no_paths() -> None:
    loaded = load_text(SMALL.replace("{no: 1,", "{no: 4,"))
    assert loaded.sop is not None
    assert all_paths(loaded.sop) == []
    assert happy_path(loaded.sop) is None


def test_a_flow_where_every_staff_decision_must_say_tidak_has_no_happy_path() -> None:
    text = SMALL.replace("ya: selesai, tidak: 3", "ya: 3, tidak: selesai")
    loaded = load_text(text)
    assert loaded.sop is not None
    paths = all_paths(loaded.sop)
    assert [(p.steps, p.answers, p.happy) for p in paths] == [
        ((1, 2, 3, 2), ((2, "ya"), (2, "tidak")), False),
        ((1, 2), ((2, "tidak"),), False),
    ]
    assert happy_path(loaded.sop) is None


def test_a_loop_that_turns_back_before_a_single_exit_step_is_still_listed():
    """1 → 2, and 2's `tidak` goes back to 1: the loop 1 → 2 → 1 → 2 is one path, taken once."""

    text = """\
kode: contoh-putaran
versi: 1
layanan: reset-akun
peran_akun: [PPK]
unit: kaltim
nomor: "1"
nama: Contoh
pelaksana: [PPK, Admin Agency]
berkas: []
kegiatan:
  - {no: 1, uraian: Ajukan, pelaksana: PPK, waktu: null, aksi: ajukan-berkas, lanjut: 2}
  - no: 2
    uraian: Periksa
    pelaksana: Admin Agency
    waktu: 5
    aksi: periksa-kelengkapan
    keputusan: {pertanyaan: Lengkap?, ya: selesai, tidak: 1}
"""
    sop = load_text(text).sop
    assert sop is not None
    assert [(p.steps, p.minutes, p.happy) for p in all_paths(sop)] == [((1, 2), 5, True), ((1, 2, 1, 2), 10, False)]
