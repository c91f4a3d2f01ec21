"""Documents of one role (`peran` on a `berkas`, docs/sop-files.md): the one rule
(`Sop.berkas_for`), the checker's rule `peran` with its lines, and the built-in Magelang SOP
(versi 4), which asks the PPK, the PP and the Pokja member each for their own decree."""

from __future__ import annotations

from pathlib import Path

from loket.sop import model
from loket.sop.check import check_file, check_text

MAGELANG = Path(model.__file__).parent / "definitions" / "magelang-reset-ppk.yaml"

# A small SOP of three roles, each with its own decree; the line numbers are used below.
PER_ROLE = """\
kode: contoh-per-peran
versi: 1
layanan: reset-akun
peran_akun: [PPK, PP, Pokja Pemilihan]
unit: kaltim
nomor: 001/SOP/2026
nama: Contoh Reset Password PPK/PP/Pokja
pelaksana: [Pemohon, Admin Agency]
berkas:
  - kode: surat-permohonan
    nama: Surat permohonan
  - kode: sk-ppk
    nama: SK pengangkatan sebagai PPK
    peran: [PPK]
  - kode: sk-pp
    nama: SK pengangkatan sebagai PP
    peran: [PP]
  - kode: sk-pokja
    nama: SK pengangkatan sebagai anggota Pokja Pemilihan
    peran: [Pokja Pemilihan]
kegiatan:
  - {no: 1, uraian: Menyampaikan berkas, pelaksana: Pemohon, waktu: null, aksi: ajukan-berkas, lanjut: 2}
  - no: 2
    uraian: Memeriksa kelengkapan
    pelaksana: Admin Agency
    waktu: 5
    aksi: periksa-kelengkapan
    keputusan: {pertanyaan: Lengkap?, ya: 3, tidak: 4}
  - {no: 3, uraian: Mengarsipkan, pelaksana: Admin Agency, waktu: 5, aksi: arsipkan, lanjut: selesai}
  - {no: 4, uraian: Menolak, pelaksana: Admin Agency, waktu: 5, aksi: tolak, lanjut: selesai}
"""
PP_ROLE_LINE = 17  # "    peran: [PP]"


def checked(text: str):  # type: ignore[no-untyped-def]
    return check_text(text, "per-peran.yaml", known_units=["kaltim"])


def test_the_per_role_sop_checks_clean_and_asks_each_role_its_own_decree() -> None:
    loaded = checked(PER_ROLE)
    assert [str(v) for v in loaded.violations] == []
    sop = loaded.sop
    assert sop is not None and sop.roles_differ
    assert [b.kode for b in sop.berkas_for("PP")] == ["surat-permohonan", "sk-pp"]
    assert [b.kode for b in sop.berkas_for("PPK")] == ["surat-permohonan", "sk-ppk"]
    assert [b.kode for b in sop.berkas_for("Pokja Pemilihan")] == ["surat-permohonan", "sk-pokja"]
    # A requester whose role is not known (an older case, an unread mail) is asked for all.
    assert [b.kode for b in sop.berkas_for("")] == ["surat-permohonan", "sk-ppk", "sk-pp", "sk-pokja"]


def test_a_role_not_in_peran_akun_is_refused_with_its_line_and_the_roles_to_choose() -> None:
    loaded = checked(PER_ROLE.replace("    peran: [PP]\n", "    peran: [Bupati]\n"))
    assert [(v.line, v.rule) for v in loaded.violations] == [(PP_ROLE_LINE, "peran")]
    message = loaded.violations[0].message
    assert "`Bupati`" in message and "sk-pp" in message
    assert "PPK, PP, Pokja Pemilihan" in message and "peran_akun" in message


def test_a_role_named_twice_or_an_empty_list_is_refused() -> None:
    twice = checked(PER_ROLE.replace("    peran: [PP]\n", "    peran: [PP, PP]\n"))
    assert [(v.line, v.rule) for v in twice.violations] == [(PP_ROLE_LINE, "peran")]
    assert "dua kali" in twice.violations[0].message
    empty = checked(PER_ROLE.replace("    peran: [PP]\n", "    peran: []\n"))
    assert [(v.line, v.rule) for v in empty.violations] == [(PP_ROLE_LINE, "peran")]
    assert "kosong" in empty.violations[0].message


def test_a_role_left_without_its_decree_is_refused() -> None:
    text = PER_ROLE.replace(
        "  - kode: sk-pokja\n    nama: SK pengangkatan sebagai anggota Pokja Pemilihan\n    peran: [Pokja Pemilihan]\n",
        "",
    )
    loaded = checked(text)
    assert [(v.line, v.rule) for v in loaded.violations] == [(9, "peran")]
    message = loaded.violations[0].message
    assert "`Pokja Pemilihan`" in message and "peran: [Pokja Pemilihan]" in message


def test_a_berkas_without_peran_is_asked_of_every_role() -> None:
    loaded = checked(PER_ROLE.replace("    peran: [PP]\n", "    peran: [PP, Pokja Pemilihan]\n"))
    assert loaded.violations == []
    assert loaded.sop is not None
    assert [b.kode for b in loaded.sop.berkas_for("Pokja Pemilihan")] == ["surat-permohonan", "sk-pp", "sk-pokja"]


def test_an_sop_of_one_role_needs_no_role_said() -> None:
    text = PER_ROLE.replace("peran_akun: [PPK, PP, Pokja Pemilihan]", "peran_akun: [PPK]")
    text = text.replace("    peran: [PP]\n", "    peran: [PPK]\n").replace(
        "    peran: [Pokja Pemilihan]\n", "    peran: [PPK]\n"
    )
    loaded = checked(text)
    assert loaded.violations == []
    assert loaded.sop is not None
    assert [b.kode for b in loaded.sop.berkas_for("")] == ["surat-permohonan", "sk-ppk", "sk-pp", "sk-pokja"]


def test_magelang_versi_4_asks_each_role_for_its_own_decree() -> None:
    loaded = check_file(MAGELANG, known_units=["kaltim", "magelang", "sbt", "kkp"])
    assert [str(v) for v in loaded.violations] == []
    sop = loaded.sop
    assert sop is not None and sop.versi == 5  # versi 4 asked per role; versi 5 adds `pengawas`
    names = {role: [b.nama for b in sop.berkas_for(role)] for role in sop.peran_akun}
    assert names == {
        # The seed's wording for the PPK.
        "PPK": ["Surat Permohonan Reset Password dan Info User ID", "Surat keputusan/SK pengangkatan sebagai PPK"],
        "PP": ["Surat Permohonan Reset Password dan Info User ID", "Surat keputusan/SK pengangkatan sebagai PP"],
        "Pokja Pemilihan": [
            "Surat Permohonan Reset Password dan Info User ID",
            "Surat keputusan/SK pengangkatan sebagai anggota Pokja Pemilihan",
        ],
    }
    assert all(b.asli and b.wajib for b in sop.berkas if b.peran)
