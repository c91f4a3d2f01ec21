"""The engine knows no particular SOP: a new SOP written here (another unit, other lanes, a manual
task, a hand-over, a system decision in the middle of the flow) runs by its `aksi` and `keputusan`
alone."""

from __future__ import annotations

import pytest

from loket.engine.flow import EngineError, Facts, advance, by_of, staff_run
from loket.sop.check import check_text
from loket.sop.load import load_text
from loket.sop.model import Sop

from .walking import effects, moves, nos, reply, submit, waiting_no

# 1 request; 2 Helpdesk records it by hand; 3 complete?; 4 ask for the rest; 5 requester completes;
# 6 hand over to Admin PPE; 7 valid?; 8 look up the user ID; 9 the system asks "at the counter?":
# yes -> 10 the Helpdesk hands the printout over by hand, no -> 11 notify; 12 refuse; 13 archive.
NEW_SOP = """\
kode: pusat-informasi-user-id
versi: 3
layanan: reset-akun
peran_akun: [Pejabat Pengadaan]
unit: pusat
nomor: 7/SOP/LPSE-PUSAT/2025
nama: Pemberian Informasi User ID Pejabat Pengadaan
pelaksana: [Pemohon, Helpdesk, Admin PPE]
berkas:
  - {kode: surat-permohonan, nama: Surat permohonan informasi user ID}
kegiatan:
  - {no: 1, uraian: Menyampaikan permohonan, pelaksana: Pemohon, waktu: null, aksi: ajukan-berkas, lanjut: 2}
  - {no: 2, uraian: Mencatat permohonan di buku register, pelaksana: Helpdesk, waktu: 5, aksi: kerjakan, lanjut: 3}
  - no: 3
    uraian: Memeriksa kelengkapan berkas
    pelaksana: Helpdesk
    waktu: 5
    aksi: periksa-kelengkapan
    keputusan: {pertanyaan: Apakah berkas lengkap?, ya: 6, tidak: 4}
  - {no: 4, uraian: Meminta kelengkapan berkas, pelaksana: Helpdesk, waktu: 5, aksi: minta-kelengkapan, lanjut: 5}
  - {no: 5, uraian: Melengkapi berkas, pelaksana: Pemohon, waktu: null, aksi: lengkapi-berkas, lanjut: 3}
  - {no: 6, uraian: Menyerahkan berkas ke Admin PPE, pelaksana: Helpdesk, waktu: null, aksi: teruskan, lanjut: 7}
  - no: 7
    uraian: Memeriksa kebenaran berkas
    pelaksana: Admin PPE
    waktu: 15
    aksi: periksa-keabsahan
    keputusan: {pertanyaan: Apakah berkas benar?, ya: 8, tidak: 12}
  - {no: 8, uraian: Mencari user ID, pelaksana: Admin PPE, waktu: 10, aksi: cari-user-id, lanjut: 9}
  - no: 9
    uraian: Memeriksa apakah pemohon menunggu di loket
    pelaksana: Admin PPE
    waktu: null
    aksi: kerjakan
    keputusan:
      pertanyaan: Apakah permohonan disampaikan langsung di loket?
      ya: 10
      tidak: 11
      oleh: sistem
      syarat: kanal-langsung
  - {no: 10, uraian: Menyerahkan cetakan user ID, pelaksana: Helpdesk, waktu: 5, aksi: kerjakan, lanjut: 11}
  - {no: 11, uraian: Memberitahukan user ID, pelaksana: Helpdesk, waktu: 5, aksi: beri-tahu-hasil, lanjut: 13}
  - {no: 12, uraian: Menolak permohonan, pelaksana: Admin PPE, waktu: 5, aksi: tolak, lanjut: selesai}
  - {no: 13, uraian: Mengarsipkan berkas, pelaksana: Helpdesk, waktu: 5, aksi: arsipkan, lanjut: selesai}
"""


@pytest.fixture
def sop() -> Sop:
    loaded = check_text(NEW_SOP, "pusat-informasi-user-id.yaml")
    assert [str(v) for v in loaded.violations] == []
    assert loaded.sop is not None
    return loaded.sop


def test_who_completes_each_step(sop: Sop) -> None:
    assert [by_of(sop.step(no)) for no in range(1, 14)] == [
        "pemohon",
        "staf",  # a manual task
        "staf",
        "sistem",
        "pemohon",
        "sistem",
        "staf",
        "sistem",
        "sistem",  # a manual task whose decision the system answers
        "staf",
        "sistem",
        "sistem",
        "sistem",
    ]


def test_the_helpdesk_records_and_checks_on_one_page(sop: Sop) -> None:
    assert nos(staff_run(sop, 2)) == [2, 3]
    assert nos(staff_run(sop, 7)) == [7]
    assert nos(staff_run(sop, 10)) == [10]


def test_a_web_request_is_told_its_user_id_without_the_counter_step(sop: Sop) -> None:
    result = submit(sop, "web")
    assert moves(result) == [(1, "lanjut", "pemohon")]
    assert waiting_no(result) == 2

    result = reply(result, sop, "lanjut")
    assert moves(result) == [(2, "lanjut", "staf")]
    assert waiting_no(result) == 3

    result = reply(result, sop, "ya")
    assert moves(result) == [(3, "ya", "staf"), (6, "lanjut", "sistem")]
    assert effects(result) == ["teruskan"]
    assert waiting_no(result) == 7

    result = reply(result, sop, "ya")
    assert moves(result) == [
        (7, "ya", "staf"),
        (8, "lanjut", "sistem"),
        (9, "tidak", "sistem"),
        (11, "lanjut", "sistem"),
        (13, "lanjut", "sistem"),
    ]
    # The system decision is recorded as a step but runs no effect of its own.
    assert effects(result) == ["cari-user-id", "beri-tahu-hasil", "arsipkan"]
    assert result.waiting is None
    assert result.outcome == "selesai"


def test_a_request_at_the_counter_stops_for_the_helpdesk_to_hand_over_the_printout(sop: Sop) -> None:
    result = advance(sop, 7, "ya", Facts("loket"), by="staf")
    assert moves(result) == [(7, "ya", "staf"), (8, "lanjut", "sistem"), (9, "ya", "sistem")]
    assert effects(result) == ["cari-user-id"]
    assert waiting_no(result) == 10
    assert result.waiting is not None and result.waiting.pelaksana == "Helpdesk"

    result = reply(result, sop, "lanjut", "loket")
    assert moves(result) == [(10, "lanjut", "staf"), (11, "lanjut", "sistem"), (13, "lanjut", "sistem")]
    assert effects(result) == ["beri-tahu-hasil", "arsipkan"]
    assert result.outcome == "selesai"


def test_the_incomplete_loop_and_the_refusal(sop: Sop) -> None:
    result = advance(sop, 3, "tidak", Facts("email"), by="staf")
    assert moves(result) == [(3, "tidak", "staf"), (4, "lanjut", "sistem")]
    assert effects(result) == ["minta-kelengkapan"]
    assert waiting_no(result) == 5

    result = reply(result, sop, "lanjut", "email", by="pemohon")
    assert waiting_no(result) == 3

    result = advance(sop, 7, "tidak", Facts("email"), by="staf")
    assert moves(result) == [(7, "tidak", "staf"), (12, "lanjut", "sistem")]
    assert effects(result) == ["tolak"]
    assert result.waiting is None
    assert result.outcome == "ditolak"


def test_it_refuses_to_spin_on_a_loop_of_automatic_steps() -> None:
    # The checker rejects such a file (rule `putaran`); the engine must still not hang on it.
    text = NEW_SOP.replace(
        "{no: 13, uraian: Mengarsipkan berkas, pelaksana: Helpdesk, waktu: 5, aksi: arsipkan, lanjut: selesai}",
        "{no: 13, uraian: Mengarsipkan berkas, pelaksana: Helpdesk, waktu: 5, aksi: arsipkan, lanjut: 11}",
    )
    assert text != NEW_SOP
    assert "putaran" in [v.rule for v in check_text(text).violations]
    broken = load_text(text).sop
    assert broken is not None
    with pytest.raises(EngineError, match="berputar"):
        advance(broken, 7, "ya", Facts("web"), by="staf")
