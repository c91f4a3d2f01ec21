"""The defaults of the Standar Pelayanan components an SOP cannot give, in one place.

Each applies where the unit's own setting (units.Unit `sp_*`, set in the admin or with
`loket unit add KODE --update --fee ...`) is empty. The texts are Indonesian, as the printed
standard is, and name no unit, SOP or lane: what is particular to a service (its approver, its
lanes, the unit's contact) is filled in by the builder (`builder.standard_for`).
"""

from __future__ import annotations

# Biaya/tarif: these services are free of charge (Permenpan RB 15/2014 asks for it to be said).
BIAYA = ["Tidak dipungut biaya."]

# The national complaint channel (Perpres 76/2013, SP4N-LAPOR!), after the unit's own channels.
LAPOR = "Aplikasi SP4N-LAPOR! di https://www.lapor.go.id"
PENGADUAN_PENGANTAR = "Pengaduan, saran dan masukan dapat disampaikan melalui:"
PENGADUAN_PENUTUP = "Sebutkan nomor registrasi permohonan agar pengaduan dapat ditelusuri dan ditanggapi."

# Where the unit's setting adds nothing: the legal basis of a Standar Pelayanan itself.
DASAR_HUKUM = [
    "Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik",
    "Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor 15 Tahun 2014 tentang Pedoman Standar Pelayanan",
]

SARANA_PRASARANA = [
    "Ruang pelayanan dengan meja layanan",
    "Komputer, printer dan pemindai (scanner) dengan jaringan internet untuk mengakses aplikasi SPSE",
    "Aplikasi Loket: portal permohonan, pelacakan status dan arsip elektronik berkas",
    "Telepon dan e-mail layanan",
]
# Added when the SOP receives requesters at a counter (a guest book, queue numbers or a call).
SARANA_LOKET = "Ruang tunggu, buku tamu dan nomor antrian"

# Where the SOP has no Kualifikasi Pelaksana: one line per staff lane.
KOMPETENSI_PER_PELAKSANA = (
    "{pelaksana}: memahami SOP ini, ketentuan pengadaan barang/jasa pemerintah dan penggunaan aplikasi SPSE"
)

# "{atasan}": the SOP's approver (Disahkan oleh) where it names one, else ATASAN (also the signer
# of a standard whose SOP names no approver); "{peninjau}": the SOP's `pengawas` lane (who reviews
# the deviations from the mutu baku, loket.deviations), else PENINJAU.
PENGAWASAN_INTERNAL = [
    "Pengawasan oleh atasan langsung ({atasan}) dan Aparat Pengawasan Intern Pemerintah (APIP)",
    "Waktu setiap langkah dicatat dan dibandingkan dengan mutu baku SOP; setiap penyimpangan dijelaskan pelaksananya dan ditinjau oleh {peninjau}",
]
# Who reviews the deviations where the SOP names no `pengawas` lane.
PENINJAU = "atasan langsung"
ATASAN = "Kepala {unit}"

JUMLAH_PELAKSANA = "{total} orang"
JUMLAH_PER_PELAKSANA = "{pelaksana}: {n} orang"
JUMLAH_KOSONG = "Belum ada petugas yang ditetapkan"

JAMINAN_PELAYANAN = [
    "Pelayanan diberikan sesuai Standar Pelayanan ini dan SOP yang menjadi dasarnya",
    "Setiap langkah dicatat beserta pelaksana dan waktunya; pemohon dapat menelusuri status permohonan dengan nomor registrasi",
    "Apabila pelayanan tidak sesuai standar, pemohon dapat menyampaikan pengaduan melalui saluran penanganan pengaduan",
]

JAMINAN_KEAMANAN = [
    "Berkas dan data pribadi pemohon dilindungi sesuai Undang-Undang Nomor 27 Tahun 2022 tentang Pelindungan Data Pribadi: hanya petugas yang berwenang dapat mengaksesnya dan setiap pengolahan dicatat",
    "Hasil layanan (user ID dan/atau password sementara) hanya disampaikan kepada pemilik akun, password melalui tautan sekali pakai yang wajib diganti saat masuk pertama kali",
    "Berkas permohonan diarsipkan sesuai SOP pengarsipan",
]

EVALUASI_KINERJA = [
    "Survei Kepuasan Masyarakat (SKM) paling sedikit satu kali dalam setahun sesuai Permenpan RB Nomor 14 Tahun 2017",
    "Laporan mutu baku: waktu setiap langkah dibandingkan dengan waktu SOP, ditinjau secara berkala oleh atasan langsung",
    "Hasil evaluasi ditindaklanjuti untuk perbaikan pelayanan",
]
