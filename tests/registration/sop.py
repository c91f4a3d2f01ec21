"""A registration SOP of a test unit, written here (none of the built-in file's text): the shape
of a head's request for a new account, with lanes named unlike any built-in SOP's.

    1 ajukan-berkas (Pimpinan Dinas) -> 2 terima-disposisi (Ketua Layanan) -> 3 periksa-kelengkapan
    (Pengelola Akun; ya -> 6, tidak -> 4) ; 4 minta-kelengkapan -> 5 lengkapi-berkas (Calon
    Pengelola) -> 3 ; 6 buat-akun [tunggu: pelatihan] -> 7 beri-tahu-hasil [tembusan: Ketua
    Layanan] -> 8 arsipkan -> selesai
"""

from __future__ import annotations

HEAD = "Pimpinan Dinas"
CANDIDATE_LANE = "Calon Pengelola"
CHIEF = "Ketua Layanan"
ADMIN = "Pengelola Akun"
ROLE = "Admin Agency"


def registration_sop(
    *, unit: str = "uji", kode: str | None = None, gated: bool = True, versi: int = 1, refusal: bool = False
) -> str:
    """The SOP's text; `refusal`: an incomplete file is refused (step 9 `tolak`) instead of being
    asked for again."""
    gate = "    tunggu: pelatihan\n" if gated else ""
    loop = (
        ""
        if refusal
        else f"""  - no: 4
    uraian: Pengelola akun meminta kekurangan berkas
    pelaksana: {ADMIN}
    waktu: 5
    aksi: minta-kelengkapan
    lanjut: 5
  - no: 5
    uraian: Calon melengkapi berkas
    pelaksana: {CANDIDATE_LANE}
    waktu: null
    aksi: lengkapi-berkas
    lanjut: 3
"""
    )
    incomplete = 9 if refusal else 4
    refuse = (
        f"""  - no: 9
    uraian: Pengelola akun menyampaikan penolakan kepada pimpinan dinas
    pelaksana: {ADMIN}
    waktu: 5
    aksi: tolak
    lanjut: selesai
"""
        if refusal
        else ""
    )
    return f"""kode: {kode or unit + "-akun-baru"}
versi: {versi}
layanan: registrasi-akun
peran_akun: [{ROLE}]
unit: {unit}
nomor: 800/REG/{unit.upper()}
nama: Pendaftaran Pengelola Akun Instansi
pelaksana: [{HEAD}, {CANDIDATE_LANE}, {CHIEF}, {ADMIN}]
berkas:
  - kode: formulir-daftar
    nama: Formulir pendaftaran pengelola akun
    formulir: true
  - kode: sk-tugas
    nama: SK penugasan pengelola akun
  - kode: surat-pimpinan
    nama: Surat pimpinan dinas
kegiatan:
  - no: 1
    uraian: Pimpinan dinas mengirim berkas pendaftaran
    pelaksana: {HEAD}
    waktu: null
    aksi: ajukan-berkas
    lanjut: 2
  - no: 2
    uraian: Ketua layanan menerima berkas, menjawab surat dan menugaskan pengelola akun
    pelaksana: {CHIEF}
    waktu: null
    aksi: terima-disposisi
    lanjut: 3
  - no: 3
    uraian: Pengelola akun memeriksa kelengkapan berkas. Lengkap?
    pelaksana: {ADMIN}
    kelengkapan: [Berkas lengkap, Salinan sesuai aslinya]
    waktu: 5
    aksi: periksa-kelengkapan
    keputusan: {{pertanyaan: Lengkap?, ya: 6, tidak: {incomplete}}}
{loop}  - no: 6
    uraian: Pengelola akun membuat akun
    pelaksana: {ADMIN}
    waktu: 15
    aksi: buat-akun
{gate}    lanjut: 7
  - no: 7
    uraian: Pengelola akun mengirim informasi akun dengan tembusan kepada ketua layanan
    pelaksana: {ADMIN}
    waktu: 10
    aksi: beri-tahu-hasil
    tembusan: [{CHIEF}]
    lanjut: 8
  - no: 8
    uraian: Pengelola akun mengarsipkan berkas
    pelaksana: {ADMIN}
    waktu: 10
    aksi: arsipkan
    lanjut: selesai
{refuse}"""
