"""A unit no built-in SOP knows (UKPBJ Papua) and an SOP file for it written here, with lanes no
built-in SOP uses: Petugas Layanan, Verifikator Instansi (agency-scoped) and Kepala UKPBJ."""

from __future__ import annotations

from loket.catalog.services import Installed, install_sop
from loket.units.services import save_unit

LANES = ["Kepala UKPBJ", "Petugas Layanan", "Verifikator Instansi"]

SOP = """\
kode: papua-reset-ppk
versi: 1
layanan: reset-akun
peran_akun: [PPK]
unit: papua
nomor: 001/SOP/UKPBJ/2026
nama: Reset Password PPK Papua
pelaksana:
  - PPK
  - Petugas Layanan
  - Verifikator Instansi
  - Kepala UKPBJ
lingkup_instansi: [Verifikator Instansi]
berkas:
  - kode: surat-permohonan
    nama: Surat permohonan
kegiatan:
  - no: 1
    uraian: Menyampaikan berkas
    pelaksana: PPK
    waktu: null
    aksi: ajukan-berkas
    lanjut: 2
  - no: 2
    uraian: Memeriksa kelengkapan
    pelaksana: Petugas Layanan
    waktu: 5
    aksi: periksa-kelengkapan
    keputusan: {pertanyaan: Lengkap?, ya: 4, tidak: 3}
  - no: 3
    uraian: Meminta kelengkapan
    pelaksana: Petugas Layanan
    waktu: 5
    aksi: minta-kelengkapan
    lanjut: 8
  - no: 4
    uraian: Memeriksa kebenaran terhadap data instansi
    pelaksana: Verifikator Instansi
    waktu: 10
    aksi: periksa-keabsahan
    keputusan: {pertanyaan: Benar?, ya: 5, tidak: 6}
  - no: 5
    uraian: Menyetujui
    pelaksana: Kepala UKPBJ
    waktu: 5
    aksi: kerjakan
    lanjut: 7
  - no: 6
    uraian: Menolak
    pelaksana: Verifikator Instansi
    waktu: 5
    aksi: tolak
    lanjut: selesai
  - no: 7
    uraian: Mengarsipkan
    pelaksana: Petugas Layanan
    waktu: 5
    aksi: arsipkan
    lanjut: selesai
  - no: 8
    uraian: Melengkapi berkas
    pelaksana: PPK
    waktu: null
    aksi: lengkapi-berkas
    lanjut: 2
"""


def add_unit(kode: str = "papua") -> None:
    save_unit(actor=None, kode=kode, nama="UKPBJ Provinsi Papua", zona_waktu="WIT", jam_kerja="07:30-15:30")


def install(text: str = SOP) -> Installed:
    return install_sop(text=text, source="papua-reset-ppk.yaml")


def other_sop(*, kode: str, scoped: bool) -> str:
    """A second SOP of the unit with the Verifikator Instansi lane, scoped or not."""
    text = SOP.replace("kode: papua-reset-ppk", f"kode: {kode}")
    if not scoped:
        text = text.replace("lingkup_instansi: [Verifikator Instansi]\n", "")
    return text
