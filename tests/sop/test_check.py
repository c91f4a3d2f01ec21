"""The SOP checker (`loket.sop.check`, `loket.sop.load`): one test per rule of docs/sop-format.md.

Every test starts from `VALID`, a small valid SOP written out below with its line numbers, breaks one
thing on a stated line, and asserts the rule, the line of the fault and the key words of the
Indonesian message (the step number and the remedy). The checker must never raise: garbage input
becomes violations.
"""

from __future__ import annotations

import pytest

from loket.sop.check import check_file, check_text
from loket.sop.load import Violation, load_text

# A valid SOP: request, completeness check with its loop through `lengkapi-berkas`, validity check,
# reset, refusal, archive. The line numbers in the comments on the right are used by every test.
VALID = """\
kode: contoh-reset
versi: 1
layanan: reset-akun
peran_akun: [PPK]
unit: kaltim
nomor: 001/SOP/2024
nama: Contoh Reset Password PPK
pelaksana:
  - PPK
  - Admin Agency
berkas:
  - kode: surat-permohonan
    nama: Surat permohonan
  - kode: sk-pengangkatan
    nama: SK pengangkatan sebagai PPK
kegiatan:
  - no: 1
    uraian: Menyampaikan berkas
    pelaksana: PPK
    waktu: null
    aksi: ajukan-berkas
    lanjut: 2
  - no: 2
    uraian: Memeriksa kelengkapan
    pelaksana: Admin Agency
    waktu: 5
    output: hasil periksa
    aksi: periksa-kelengkapan
    keputusan:
      pertanyaan: Lengkap?
      ya: 5
      tidak: 3
  - no: 3
    uraian: Meminta kelengkapan
    pelaksana: Admin Agency
    waktu: 5
    output: pemberitahuan
    aksi: minta-kelengkapan
    lanjut: 4
  - no: 4
    uraian: Melengkapi berkas
    pelaksana: PPK
    waktu: null
    output: berkas lengkap
    aksi: lengkapi-berkas
    lanjut: 2
  - no: 5
    uraian: Memeriksa kebenaran
    pelaksana: Admin Agency
    waktu: 10
    output: hasil periksa
    aksi: periksa-keabsahan
    keputusan: {pertanyaan: Apakah berkas benar, ya: 6, tidak: 7}
  - no: 6
    uraian: Reset password
    pelaksana: Admin Agency
    waktu: 5
    output: password sementara
    aksi: reset-atau-user-id
    lanjut: 8
  - no: 7
    uraian: Menolak permohonan
    pelaksana: Admin Agency
    waktu: 5
    output: pemberitahuan ditolak
    aksi: tolak
    lanjut: selesai
  - no: 8
    uraian: Arsipkan
    pelaksana: Admin Agency
    waktu: 5
    output: arsip
    aksi: arsipkan
    lanjut: selesai
"""
# Line map of VALID (1-based):
#  1 kode            8 pelaksana:        16 kegiatan:
#  5 unit           10   - Admin Agency  17 step 1   23 step 2 (29 keputusan:, 31 ya, 32 tidak)
#  6 nomor          12   - kode: surat-  33 step 3   40 step 4 (45 aksi)   47 step 5 (51 output, 53 keputusan)
#  7 nama           14   - kode: sk-     54 step 6 (59 aksi, 60 lanjut)    61 step 7 (63 pelaksana, 64 waktu)
#                                        68 step 8 (72 output, 74 lanjut); 75 is the first line after the end

# A step appended after step 8: it starts on line 75.
EXTRA_STEP = """\
  - no: {no}
    uraian: Langkah tambahan
    pelaksana: Admin Agency
    waktu: 5
    aksi: kerjakan
    lanjut: selesai
"""


def edit(line: int, old: str, new: str, text: str = VALID) -> str:
    """`text` with line `line` (1-based), which must read `old`, replaced by `new` (may be several lines)."""
    lines = text.split("\n")
    assert lines[line - 1] == old, f"line {line} is {lines[line - 1]!r}, not {old!r}"
    lines[line - 1] = new
    return "\n".join(lines)


def check(text: str, **kwargs: object) -> list[Violation]:
    return check_text(text, "contoh.yaml", **kwargs).violations  # type: ignore[arg-type]


def only(violations: list[Violation], rule: str) -> Violation:
    """The single violation of `rule` (fails if there is none or more than one)."""
    found = [v for v in violations if v.rule == rule]
    assert len(found) == 1, violations
    return found[0]


def rules(violations: list[Violation]) -> list[tuple[str, int | None]]:
    return sorted((v.rule, v.line) for v in violations)  # type: ignore[arg-type]


# --- the valid base ------------------------------------------------------------------------------


def test_the_base_sop_is_valid() -> None:
    loaded = check_text(VALID, "contoh.yaml", known_units=["kaltim"])
    assert loaded.violations == []
    assert loaded.sop is not None
    assert [k.no for k in loaded.sop.kegiatan] == [1, 2, 3, 4, 5, 6, 7, 8]


def test_the_line_map_of_the_base_is_right() -> None:
    lines = VALID.split("\n")
    assert lines[0] == "kode: contoh-reset"
    assert lines[16] == "  - no: 1"
    assert lines[22] == "  - no: 2"
    assert lines[46] == "  - no: 5"
    assert lines[53] == "  - no: 6"
    assert lines[67] == "  - no: 8"
    assert lines[73] == "    lanjut: selesai"
    assert lines[74] == ""  # the appended EXTRA_STEP starts on line 75


def test_a_loop_through_lengkapi_berkas_is_not_reported() -> None:
    # 2 -> 3 -> 4 -> 2 passes through step 4 (lengkapi-berkas, the requester): a valid loop.
    violations = check(VALID)
    assert not [v for v in violations if v.rule in ("putaran", "tak-berakhir")]


def test_a_loop_through_a_step_waiting_on_an_outside_event_is_not_reported() -> None:
    # panggil-antrian waits (next ticket or next e-mail): a loop back to it cannot spin by itself.
    text = edit(45, "    aksi: lengkapi-berkas", "    aksi: panggil-antrian")
    assert check(text) == []


# --- yaml ----------------------------------------------------------------------------------------


def test_it_reports_malformed_yaml_with_its_line() -> None:
    text = edit(7, "nama: Contoh Reset Password PPK", "nama: Contoh: Reset Password")
    violations = check(text)
    assert len(violations) == 1
    v = violations[0]
    assert (v.file, v.line, v.rule) == ("contoh.yaml", 7, "yaml")
    assert "YAML tidak dapat dibaca" in v.message
    assert "mapping values are not allowed here" in v.message
    assert "periksa indentasi, titik dua dan tanda kutip" in v.message


def test_it_reports_a_tab_indent_with_its_line() -> None:
    text = edit(64, "    waktu: 5", "\twaktu: 5")
    v = only(check(text), "yaml")
    assert v.line == 64
    assert "'\\t'" in v.message


def test_it_reports_an_unclosed_flow_mapping() -> None:
    text = edit(
        53, "    keputusan: {pertanyaan: Apakah berkas benar, ya: 6, tidak: 7}", "    keputusan: {ya: 6, tidak: 7"
    )
    v = only(check(text), "yaml")
    # The parser notices the missing `}` where the next step starts, on the line after.
    assert v.line == 54
    assert "YAML tidak dapat dibaca: expected ',' or '}'" in v.message


def test_it_reports_a_file_that_is_a_list_not_a_mapping() -> None:
    violations = check("- kode: contoh-reset\n- versi: 1\n")
    assert len(violations) == 1
    v = violations[0]
    assert (v.line, v.rule) == (1, "yaml")
    assert "pemetaan kunci" in v.message
    assert "bukan daftar" in v.message


def test_it_reports_an_empty_file() -> None:
    v = only(check(""), "yaml")
    assert v.line == 1
    assert "berkas kosong" in v.message
    assert "docs/sop-files.md" in v.message


# --- keys ----------------------------------------------------------------------------------------


def test_it_reports_an_unknown_key_with_its_line() -> None:
    text = edit(72, "    output: arsip", "    catatan: arsip")
    violations = check(text)
    v = only(violations, "kunci-asing")
    assert v.line == 72
    assert "kunci `catatan` tidak dikenal di kegiatan[no 8]" in v.message
    assert "hapus atau perbaiki ejaannya" in v.message
    assert len(violations) == 1


def test_it_reports_a_misspelled_top_level_key_as_unknown_and_the_real_one_as_missing() -> None:
    text = edit(6, "nomor: 001/SOP/2024", "nomer: 001/SOP/2024")
    violations = check(text)
    assert rules(violations) == [("kunci-asing", 6), ("kunci-wajib", 1)]
    assert "kunci `nomer` tidak dikenal di tingkat atas" in only(violations, "kunci-asing").message
    assert (
        "kunci wajib `nomor` tidak ada di tingkat atas; tambahkan `nomor: ...`"
        in only(violations, "kunci-wajib").message
    )


def test_it_reports_a_key_written_twice() -> None:
    text = edit(58, "    output: password sementara", "    waktu: 7")
    loaded = check_text(text, "contoh.yaml")
    v = only(loaded.violations, "kunci-ganda")
    assert v.line == 58
    assert "kunci `waktu` ditulis dua kali (pertama di baris 57)" in v.message
    assert "hapus salah satunya" in v.message
    assert len(loaded.violations) == 1
    # The first value is the one read; the second is reported, not silently taken.
    assert loaded.sop is not None
    assert loaded.sop.step(6).waktu == 5


def test_it_reports_a_missing_required_key_of_a_step() -> None:
    text = edit(55, "    uraian: Reset password", "    # uraian dihapus")
    violations = check(text)
    v = only(violations, "kunci-wajib")
    assert v.line == 54  # the step's first line
    assert "kunci wajib `uraian` tidak ada di kegiatan[no 6]" in v.message
    assert "tambahkan `uraian: ...`" in v.message
    assert len(violations) == 1


def test_it_reports_a_missing_waktu_as_a_missing_required_key() -> None:
    # `waktu` is required: null is N/A, absent is a fault.
    text = edit(64, "    waktu: 5", "    # waktu dihapus")
    v = only(check(text), "kunci-wajib")
    assert v.line == 61
    assert "kunci wajib `waktu` tidak ada di kegiatan[no 7]" in v.message


# --- types ---------------------------------------------------------------------------------------


def test_it_reports_a_wrong_type_for_waktu() -> None:
    text = edit(64, "    waktu: 5", "    waktu: 5 menit")
    violations = check(text)
    assert len(violations) == 1
    v = violations[0]
    assert (v.line, v.rule) == (64, "tipe")
    assert "`kegiatan[no 7].waktu` harus jumlah menit (bilangan bulat ≥ 0)" in v.message
    assert "`null` untuk N/A" in v.message


def test_it_reports_a_negative_waktu() -> None:
    text = edit(64, "    waktu: 5", "    waktu: -5")
    v = only(check(text), "tipe")
    assert v.line == 64
    assert "`kegiatan[no 7].waktu` harus jumlah menit" in v.message


def test_it_rejects_a_boolean_waktu() -> None:
    # YAML 1.2 reads `true` as a boolean; it is not a number of minutes and must not become 1.
    text = edit(64, "    waktu: 5", "    waktu: true")
    v = only(check(text), "tipe")
    assert v.line == 64
    assert "`kegiatan[no 7].waktu` harus jumlah menit" in v.message


def test_it_rejects_a_boolean_step_number() -> None:
    # `no: true` must not be read as step 1.
    text = edit(17, "  - no: 1", "  - no: true")
    violations = check(text)
    assert len(violations) == 1
    v = violations[0]
    assert (v.line, v.rule) == (17, "tipe")
    assert ".no`" in v.message


def test_it_reports_a_wrong_type_for_lanjut_once() -> None:
    # `lanjut` is int | "selesai": both union members fail, but the author sees one violation.
    text = edit(39, "    lanjut: 4", "    lanjut: empat")
    violations = check(text)
    assert len(violations) == 1
    v = violations[0]
    assert (v.line, v.rule) == (39, "tipe")
    assert "`kegiatan[no 3].lanjut` harus nomor langkah (bilangan bulat) atau `selesai`" in v.message


def test_it_reports_a_capitalised_selesai_as_a_wrong_type() -> None:
    text = edit(67, "    lanjut: selesai", "    lanjut: Selesai")
    v = only(check(text), "tipe")
    assert v.line == 67
    assert "`kegiatan[no 7].lanjut` harus nomor langkah" in v.message


def test_it_reports_a_wrong_type_for_a_decision_branch() -> None:
    text = edit(31, "      ya: 5", "      ya: lima")
    violations = check(text)
    assert len(violations) == 1
    v = violations[0]
    assert (v.line, v.rule) == (31, "tipe")
    assert "`kegiatan[no 2].keputusan.ya` harus nomor langkah (bilangan bulat) atau `selesai`" in v.message


def test_it_reports_a_bad_kode() -> None:
    text = edit(1, "kode: contoh-reset", "kode: Contoh_Reset")
    violations = check(text)
    assert len(violations) == 1
    v = violations[0]
    assert (v.line, v.rule) == (1, "tipe")
    assert "`kode` harus huruf kecil, angka dan tanda hubung saja" in v.message
    assert "misalnya `contoh-reset`" in v.message  # the value as written, made to fit


def test_it_reports_a_bad_berkas_kode() -> None:
    text = edit(14, "  - kode: sk-pengangkatan", "  - kode: SK pengangkatan")
    v = only(check(text), "tipe")
    assert v.line == 14
    assert "`berkas[2].kode` harus huruf kecil, angka dan tanda hubung saja" in v.message


def test_it_reports_an_unknown_layanan() -> None:
    text = edit(3, "layanan: reset-akun", "layanan: reset-password")
    v = only(check(text), "tipe")
    assert v.line == 3
    assert "`layanan` harus salah satu dari 'reset-akun' or 'registrasi-akun'" in v.message


def test_it_reports_an_empty_lane_list() -> None:
    text = edit(4, "peran_akun: [PPK]", "peran_akun: []")
    v = only(check(text), "kosong")
    assert v.line == 4
    assert "`peran_akun` tidak boleh kosong" in v.message


# --- steps and targets ---------------------------------------------------------------------------


def test_it_reports_a_duplicate_step_number() -> None:
    text = VALID + EXTRA_STEP.format(no=5)
    violations = check(text)
    v = only(violations, "langkah-ganda")
    assert v.line == 75
    assert "nomor langkah 5 dipakai dua kali (juga di baris 47)" in v.message
    assert "beri nomor yang unik" in v.message
    # The graph rules are not run on top of it (the duplicate would also read as unreachable).
    assert len(violations) == 1


def test_it_reports_a_missing_target() -> None:
    text = edit(60, "    lanjut: 8", "    lanjut: 9")
    violations = check(text)
    v = only(violations, "target")
    assert v.line == 60
    assert "langkah 6 menuju langkah 9 yang tidak ada" in v.message
    assert "(1, 2, 3, 4, 5, 6, 7, 8) atau `selesai`" in v.message
    # Step 8 is now unreachable, but that is the same fault: not reported twice.
    assert len(violations) == 1


def test_it_reports_a_missing_target_of_a_decision_branch() -> None:
    text = edit(32, "      tidak: 3", "      tidak: 30")
    violations = check(text)
    v = only(violations, "target")
    assert v.line == 32
    assert "langkah 2 menuju langkah 30 yang tidak ada" in v.message
    assert len(violations) == 1


def test_it_reports_an_unreachable_step() -> None:
    text = VALID + EXTRA_STEP.format(no=9)
    violations = check(text)
    v = only(violations, "tak-tercapai")
    assert v.line == 75
    assert "langkah 9 tidak dapat dicapai dari langkah 1" in v.message
    assert "atau hapus langkah ini" in v.message
    assert len(violations) == 1


def test_a_quoted_step_number_keeps_its_line() -> None:
    # `no: "9"` (a string) is either refused as a wrong type or read as step 9 and then unreachable;
    # either way every violation about it must carry its line.
    text = VALID + EXTRA_STEP.format(no='"9"')
    violations = check(text)
    assert violations
    assert [v.line for v in violations] == [75] * len(violations)
    assert {v.rule for v in violations} <= {"tipe", "tak-tercapai"}


def test_it_reports_a_path_that_never_ends() -> None:
    # Step 8 goes back to step 6 instead of ending: 6 -> 8 -> 6 forever, two staff steps, no exit.
    text = edit(74, "    lanjut: selesai", "    lanjut: 6")
    violations = check(text)
    never = sorted((v for v in violations if v.rule == "tak-berakhir"), key=lambda v: v.line or 0)
    assert [v.line for v in never] == [54, 68]
    assert "dari langkah 6 alur tidak pernah sampai `selesai` (berputar tanpa jalan keluar)" in never[0].message
    assert "dari langkah 8 alur tidak pernah sampai `selesai`" in never[1].message
    assert "`lanjut` menuju langkah akhir atau `selesai`" in never[0].message
    # Steps 1-5 and 7 still reach `selesai` (through the refusal); the loop itself has no requester step.
    assert rules(violations) == [("putaran", 54), ("tak-berakhir", 54), ("tak-berakhir", 68)]


def test_it_reports_a_loop_without_a_requester_step() -> None:
    # Step 4 becomes a manual staff task: 2 -> 3 -> 4 -> 2 can spin by itself, though 2 still exits to 5.
    text = edit(45, "    aksi: lengkapi-berkas", "    aksi: kerjakan")
    violations = check(text)
    assert len(violations) == 1
    v = violations[0]
    assert (v.line, v.rule) == (23, "putaran")
    assert "alur berputar tanpa langkah pemohon: 2 → 3 → 4 → 2" in v.message
    assert "aksi `lengkapi-berkas`" in v.message


def test_it_reports_a_step_that_loops_on_itself() -> None:
    text = edit(60, "    lanjut: 8", "    lanjut: 6")
    violations = check(text)
    assert ("putaran", 54) in rules(violations)
    assert "alur berputar tanpa langkah pemohon: 6 → 6" in only(violations, "putaran").message


def test_it_reports_a_decision_missing_a_branch() -> None:
    text = edit(32, "      tidak: 3", "      # tidak dihapus")
    violations = check(text)
    assert len(violations) == 1
    v = violations[0]
    assert (v.line, v.rule) == (29, "cabang-hilang")
    assert "keputusan langkah 2 tidak punya cabang `tidak`" in v.message
    assert "tambahkan `tidak: <no langkah>` atau `tidak: selesai`" in v.message


def test_it_reports_a_flow_style_decision_missing_its_ya_branch() -> None:
    text = edit(
        53,
        "    keputusan: {pertanyaan: Apakah berkas benar, ya: 6, tidak: 7}",
        "    keputusan: {pertanyaan: Apakah berkas benar, tidak: 7}",
    )
    v = only(check(text), "cabang-hilang")
    assert v.line == 53
    assert "keputusan langkah 5 tidak punya cabang `ya`" in v.message
    assert "tambahkan `ya: <no langkah>` atau `ya: selesai`" in v.message


# --- lanes, vocabulary, decisions ----------------------------------------------------------------


def test_it_reports_an_actor_not_in_the_lanes() -> None:
    text = edit(63, "    pelaksana: Admin Agency", "    pelaksana: Admin Agensi")
    violations = check(text)
    assert len(violations) == 1
    v = violations[0]
    assert (v.line, v.rule) == (63, "pelaksana")
    assert "pelaksana `Admin Agensi` pada langkah 7 tidak ada di daftar `pelaksana` (PPK, Admin Agency)" in v.message
    assert "tambahkan ke daftar atau perbaiki ejaannya" in v.message


def test_it_reports_an_unknown_aksi() -> None:
    text = edit(59, "    aksi: reset-atau-user-id", "    aksi: reset-pasword")
    violations = check(text)
    assert len(violations) == 1
    v = violations[0]
    assert (v.line, v.rule) == (59, "aksi")
    assert "aksi `reset-pasword` pada langkah 6 tidak dikenal; pilih salah satu: ajukan-berkas," in v.message
    assert "reset-password" in v.message
    assert "lengkapi-berkas" in v.message


def test_it_reports_a_decision_aksi_without_keputusan() -> None:
    text = edit(59, "    aksi: reset-atau-user-id", "    aksi: periksa-keabsahan")
    violations = check(text)
    assert len(violations) == 1
    v = violations[0]
    assert (v.line, v.rule) == (59, "keputusan-hilang")
    assert "aksi `periksa-keabsahan` pada langkah 6 adalah keputusan" in v.message
    assert "tambahkan `keputusan: {pertanyaan: ..., ya: <no>, tidak: <no>}`" in v.message


def test_it_reports_both_lanjut_and_keputusan() -> None:
    text = edit(51, "    output: hasil periksa", "    lanjut: 6")
    violations = check(text)
    assert len(violations) == 1
    v = violations[0]
    assert (v.line, v.rule) == (51, "lanjut-dan-keputusan")
    assert "langkah 5 punya `lanjut` dan `keputusan` sekaligus" in v.message
    assert "hapus `lanjut`" in v.message


def test_it_reports_a_step_with_neither_lanjut_nor_keputusan() -> None:
    text = edit(60, "    lanjut: 8", "    keterangan: tanpa lanjut")
    violations = check(text)
    v = only(violations, "tanpa-lanjut")
    assert v.line == 54
    assert "langkah 6 tidak punya `lanjut` maupun `keputusan`" in v.message
    assert "tambahkan `lanjut: <no langkah>` atau `lanjut: selesai`" in v.message
    # The dead end also never reaches `selesai`, and step 8 is no longer reached.
    assert rules(violations) == [("tak-berakhir", 54), ("tak-tercapai", 68), ("tanpa-lanjut", 54)]


def test_it_reports_the_same_target_on_both_branches() -> None:
    text = edit(
        53,
        "    keputusan: {pertanyaan: Apakah berkas benar, ya: 6, tidak: 7}",
        "    keputusan: {pertanyaan: Apakah berkas benar, ya: 6, tidak: 6}",
    )
    violations = check(text)
    v = only(violations, "cabang-sama")
    assert v.line == 53
    assert "kedua cabang keputusan langkah 5 menuju 6" in v.message
    assert "arahkan `ya` dan `tidak` ke langkah berbeda" in v.message
    assert rules(violations) == [("cabang-sama", 53), ("tak-tercapai", 61)]


def test_it_reports_a_system_decision_with_an_unknown_syarat() -> None:
    text = edit(
        53,
        "    keputusan: {pertanyaan: Apakah berkas benar, ya: 6, tidak: 7}",
        "    keputusan: {pertanyaan: Lewat loket, ya: 6, tidak: 7, oleh: sistem, syarat: kanal-web}",
    )
    violations = check(text)
    assert len(violations) == 1
    v = violations[0]
    assert (v.line, v.rule) == (53, "syarat")
    assert "keputusan langkah 5 dijawab sistem tetapi `syarat` `kanal-web` tidak dikenal" in v.message
    assert "pilih salah satu: kanal-langsung" in v.message


def test_it_reports_a_system_decision_without_syarat() -> None:
    text = edit(32, "      tidak: 3", "      tidak: 3\n      oleh: sistem")
    violations = check(text)
    assert len(violations) == 1
    v = violations[0]
    assert (v.line, v.rule) == (29, "syarat")
    assert "keputusan langkah 2 dijawab sistem tetapi `syarat` tidak ada" in v.message


def test_it_reports_a_staff_decision_with_a_syarat() -> None:
    text = edit(32, "      tidak: 3", "      tidak: 3\n      syarat: kanal-langsung")
    violations = check(text)
    assert len(violations) == 1
    v = violations[0]
    assert (v.line, v.rule) == (33, "syarat")
    assert "keputusan langkah 2 punya `syarat` tetapi dijawab staf" in v.message
    assert "tambahkan `oleh: sistem` atau hapus `syarat`" in v.message


def test_a_system_decision_with_a_known_syarat_is_valid() -> None:
    text = edit(32, "      tidak: 3", "      tidak: 3\n      oleh: sistem\n      syarat: kanal-langsung")
    assert check(text) == []


def test_it_reports_an_unknown_unit_when_units_are_given() -> None:
    text = edit(5, "unit: kaltim", "unit: jakarta")
    violations = check(text, known_units=["sbt", "kaltim", "magelang"])
    assert len(violations) == 1
    v = violations[0]
    assert (v.line, v.rule) == (5, "unit")
    assert "unit `jakarta` tidak dikenal; pilih salah satu: kaltim, magelang, sbt" in v.message
    # Without a list of units the unit is not checked.
    assert check(text) == []


def test_it_reports_a_duplicate_lane() -> None:
    text = edit(10, "  - Admin Agency", "  - Admin Agency\n  - Admin Agency")
    violations = check(text)
    assert len(violations) == 1
    v = violations[0]
    assert (v.line, v.rule) == (11, "pelaksana-ganda")
    assert "pelaksana `Admin Agency` ditulis dua kali di daftar `pelaksana`" in v.message


# `lingkup_instansi` goes after line 10 (the last lane); its entries are on lines 11, 12, ...
def with_scope(*lanes: str) -> str:
    return edit(10, "  - Admin Agency", "  - Admin Agency\nlingkup_instansi:" + "".join(f"\n  - {x}" for x in lanes))


def test_an_agency_scoped_staff_lane_is_valid() -> None:
    loaded = check_text(with_scope("Admin Agency"), "contoh.yaml")
    assert loaded.violations == []
    assert loaded.sop is not None and loaded.sop.lingkup_instansi == ["Admin Agency"]


def test_it_reports_a_scoped_lane_not_in_the_lanes() -> None:
    v = only(check(with_scope("Admin Agensi")), "lingkup")
    assert v.line == 12
    assert "`Admin Agensi` yang tidak ada di daftar `pelaksana` (PPK, Admin Agency)" in v.message
    assert "perbaiki ejaannya" in v.message


def test_it_reports_a_scoped_lane_that_no_staff_member_works_in() -> None:
    # PPK is the requester's lane: nobody on the staff completes a step there.
    v = only(check(with_scope("PPK")), "lingkup")
    assert v.line == 12
    assert "`PPK` di `lingkup_instansi` bukan lajur petugas" in v.message
    assert "lajur petugas: Admin Agency" in v.message and "hapus dari `lingkup_instansi`" in v.message


def test_a_lane_of_system_steps_only_is_no_staff_lane() -> None:
    text = edit(10, "  - Admin Agency", "  - Admin Agency\n  - Sistem\nlingkup_instansi: [Sistem]")
    text = edit(63 + 2, "    pelaksana: Admin Agency", "    pelaksana: Sistem", text)  # step 7, `tolak`
    v = only(check(text), "lingkup")
    assert v.line == 12 and "`Sistem` di `lingkup_instansi` bukan lajur petugas" in v.message


def test_it_reports_a_scoped_lane_listed_twice() -> None:
    v = only(check(with_scope("Admin Agency", "Admin Agency")), "lingkup")
    assert v.line == 13
    assert "`Admin Agency` ditulis dua kali di `lingkup_instansi`" in v.message


def test_it_reports_a_duplicate_berkas_kode() -> None:
    text = edit(14, "  - kode: sk-pengangkatan", "  - kode: surat-permohonan")
    violations = check(text)
    assert len(violations) == 1
    v = violations[0]
    assert (v.line, v.rule) == (14, "berkas-ganda")
    assert "kode berkas `surat-permohonan` dipakai dua kali; beri kode yang unik" in v.message


def test_it_reports_a_flow_without_step_1() -> None:
    text = edit(17, "  - no: 1", "  - no: 9")
    violations = check(text)
    assert len(violations) == 1
    v = violations[0]
    assert (v.line, v.rule) == (16, "langkah-1")
    assert "tidak ada langkah no 1; alur selalu dimulai dari langkah 1" in v.message


# --- YAML 1.2 booleans ---------------------------------------------------------------------------


def test_no_1_unquoted_is_read_as_a_number() -> None:
    loaded = load_text(VALID)
    assert loaded.violations == []
    first = loaded.data["kegiatan"][0]
    assert "no" in first and False not in first  # the key is the string "no", not the boolean False
    assert first["no"] == 1 and type(first["no"]) is int
    assert loaded.sop is not None and loaded.sop.step(1).aksi == "ajukan-berkas"


def test_yes_on_and_off_stay_strings() -> None:
    text = edit(24, "    uraian: Memeriksa kelengkapan", "    uraian: yes")
    text = edit(30, "      pertanyaan: Lengkap?", "      pertanyaan: on", text)
    text = edit(72, "    output: arsip", "    output: off", text)
    text = edit(4, "peran_akun: [PPK]", "peran_akun: [no, Yes]", text)
    loaded = check_text(text)
    assert loaded.violations == []
    assert loaded.sop is not None
    assert loaded.sop.step(2).uraian == "yes"
    assert loaded.sop.step(2).keputusan is not None
    assert loaded.sop.step(2).keputusan.pertanyaan == "on"
    assert loaded.sop.step(8).output == "off"
    assert loaded.sop.peran_akun == ["no", "Yes"]


def test_true_and_false_are_booleans() -> None:
    text = edit(15, "    nama: SK pengangkatan sebagai PPK", "    nama: SK pengangkatan sebagai PPK\n    wajib: false")
    loaded = check_text(text)
    assert loaded.violations == []
    assert loaded.sop is not None
    assert [b.wajib for b in loaded.sop.berkas] == [True, False]


def test_the_flow_style_decision_of_the_format_example_loads() -> None:
    # Verbatim from the example in docs/sop-format.md: a question mark inside a flow mapping. YAML 1.2
    # allows `?` inside a plain scalar; the file must not be refused for copying the documented form.
    text = edit(
        53,
        "    keputusan: {pertanyaan: Apakah berkas benar, ya: 6, tidak: 7}",
        "    keputusan: {pertanyaan: Apakah berkas permohonan lengkap?, ya: 6, tidak: 7}",
    )
    loaded = check_text(text)
    assert loaded.violations == []
    assert loaded.sop is not None
    assert loaded.sop.step(5).keputusan is not None
    assert loaded.sop.step(5).keputusan.pertanyaan == "Apakah berkas permohonan lengkap?"


# --- files ---------------------------------------------------------------------------------------


def test_check_file_names_the_file_in_each_violation(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "rusak.yaml"
    path.write_text(edit(60, "    lanjut: 8", "    lanjut: 9"), encoding="utf-8")
    v = only(check_file(path).violations, "target")
    assert v.file == str(path)
    assert str(v) == f"{path}:60: [target] {v.message}"


def test_check_file_reports_a_missing_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    violations = check_file(tmp_path / "tidak-ada.yaml").violations
    assert [(v.rule, v.line) for v in violations] == [("berkas", None)]
    assert "berkas tidak ditemukan" in violations[0].message


def test_check_file_reports_a_file_that_is_not_utf8(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "latin1.yaml"
    path.write_bytes("nama: Pengadaan Barang/Jasa ¾\n".encode("latin-1"))
    violations = check_file(path).violations
    assert [(v.rule, v.line) for v in violations] == [("berkas", None)]
    assert "bukan teks UTF-8" in violations[0].message


def test_check_file_does_not_raise_on_a_binary_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "biner.yaml"
    path.write_bytes(b"\x00\x01\x02kode: x\n")  # valid UTF-8, but not YAML text
    loaded = check_file(path)
    assert loaded.sop is None
    assert [v.rule for v in loaded.violations] == ["yaml"]


# --- never a traceback ---------------------------------------------------------------------------

GARBAGE = {
    "empty": "",
    "blank": "   \n\n",
    "only-comment": "# hanya komentar\n",
    "bare-scalar": "halo",
    "bare-number": "42",
    "list": "- a\n- b\n",
    "binary-ish": "\x00\x01\x02biner\x7f\ufffe",
    "unclosed-list": "kode: [\n",
    "two-documents": "kode: a\n---\nkode: b\n",
    "kegiatan-is-a-number": "kegiatan: 5\n",
    "kegiatan-of-numbers": VALID.split("kegiatan:")[0] + "kegiatan: [1, 2, 3]\n",
    "step-is-a-string": VALID.replace("  - no: 8\n", "  - halo\n  - no: 8\n"),
    "keputusan-is-a-list": VALID.replace("{pertanyaan: Apakah berkas benar, ya: 6, tidak: 7}", "[6, 7]"),
    "nested-wrong-types": "kode: {a: {b: [1, {c: d}]}}\nversi: [x]\npelaksana: {PPK: 1}\nkegiatan: {no: 1}\n",
    "wrong-everything": "kode: 1\nversi: -1\nlayanan: 2\nperan_akun: 3\nunit: []\nnomor: {}\nnama: null\n"
    "pelaksana: 4\nberkas: 5\nkegiatan: []\ntanggal: {pembuatan: kemarin}\n",
    "unknown-tag": "kode: !!python/object:os.system x\n",
    "bad-int-tag": "versi: !!int satu\n",
    "bad-float-tag": "versi: !!float satu\n",
    "bad-timestamp-tag": "tanggal: {pembuatan: !!timestamp kemarin}\n",
    "bad-bool-tag": "kode: !!bool ya\n",
    "merge-key": "a: &a {x: 1}\nb:\n  <<: *a\n",
    "null-key": "null: 1\n",
    "integer-key": "1: 2\n",
    "integer-key-in-step": VALID.replace("    uraian: Arsipkan", "    8: Arsipkan"),
    "list-key": "? [a, b]\n: 1\n",
    "flow-list-key": "{[1, 2]: x}\n",
    "mapping-key": "? {a: 1}\n: 2\n",
    "recursive-alias": "a: &x [*x]\n",
}


@pytest.mark.parametrize("text", list(GARBAGE.values()), ids=list(GARBAGE))
def test_garbage_gives_violations_and_no_exception(text: str) -> None:
    loaded = check_text(text, "sampah.yaml")
    assert loaded.violations, "garbage must be reported"
    assert loaded.sop is None
    for v in loaded.violations:
        assert v.file == "sampah.yaml"
        assert v.rule and v.message


def test_every_broken_sop_in_this_module_is_checked_without_exception() -> None:
    # Each single-line break of the base, in every position, must be reported without a traceback.
    lines = VALID.split("\n")
    for i in range(len(lines) - 1):
        for replacement in ("", "x", "  - ", "    lanjut: 99", ": :", "    aksi: [", "    no: 1"):
            text = "\n".join(lines[:i] + [replacement] + lines[i + 1 :])
            check_text(text)


# --- delivering a password set by hand -----------------------------------------------------------


def test_a_person_s_step_between_the_reset_and_its_delivery_is_refused() -> None:
    """The one-time link lives only as long as the change that set the password: a staff step
    (say an approval) between the reset and `beri-tahu-hasil` would leave nothing to deliver."""
    text = (
        edit(60, "    lanjut: 8", "    lanjut: 9")
        + EXTRA_STEP.format(no=9).replace("lanjut: selesai", "lanjut: 10")
        + (
            "  - no: 10\n    uraian: Mengirim hasil\n    pelaksana: Admin Agency\n    waktu: 5\n"
            "    aksi: beri-tahu-hasil\n    lanjut: 8\n"
        )
    )
    violation = only(check(text), "hasil")
    assert violation.line == 54
    assert "langkah 6 mengatur password, tetapi langkah 9 dikerjakan orang" in violation.message
    # Straight on to the delivery through the system's own steps is fine.
    direct = edit(60, "    lanjut: 8", "    lanjut: 10") + (
        "  - no: 10\n    uraian: Mengirim hasil\n    pelaksana: Admin Agency\n    waktu: 5\n"
        "    aksi: beri-tahu-hasil\n    lanjut: 8\n"
    )
    assert not [v for v in check(direct) if v.rule == "hasil"]


def test_an_unknown_action_after_a_reset_is_reported_not_a_crash() -> None:
    violation = only(check(edit(73, "    aksi: arsipkan", "    aksi: kirim-sms")), "aksi")
    assert "kirim-sms" in violation.message
