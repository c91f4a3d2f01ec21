"""`loket demo`: the demo's people and where to go. Refuses outside debug mode.

Creates (once; running it again changes nothing) the administrator, staff of every role in the
four built-in units (each with a NIP), the units' identity (letterhead, address, contact, opening
hours: only where a unit has none yet), agencies and directory accounts of every role, the Kalimantan Timur reply
letter's settings and a training session under way (so a registration can be walked to the end
in one sitting), four months of past requests (`loket.web.demo_history`, for the reports), then
prints the addresses and the sign-ins. The units and SOPs come from `loket sop install --builtin`
before it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from loket.directory.models import Account, Agency
from loket.registration.models import LetterSettings, TrainingSession
from loket.staff.models import StaffProfile, StaffRole
from loket.units.models import Unit

DEMO_ADMIN = "admin"
DEMO_PASSWORD = "Loket-demo-2026!"
# The accounts' old SPSE password (they have "lost" it; the demo resets it).
ACCOUNT_PASSWORD = "Spse-Lama-2026!"

# (username, unit, role, agency or None)
STAFF = [
    ("aa-kaltim-pupr", "kaltim", "Admin Agency", "Dinas Pekerjaan Umum dan Penataan Ruang"),
    ("aa-kaltim-dinkes", "kaltim", "Admin Agency", "Dinas Kesehatan"),
    ("kepala-kaltim", "kaltim", "Kepala LPSE", None),
    ("adminppe-kaltim", "kaltim", "Admin PPE", None),
    ("aa-magelang", "magelang", "Admin Agency", "Dinas Pendidikan dan Kebudayaan"),
    ("aa-sbt", "sbt", "Admin Agency", "Dinas Perhubungan"),
    ("frontoffice-kkp", "kkp", "Front Office", None),
    ("helpdesk-kkp", "kkp", "Helpdesk", None),
    ("adminppe-kkp", "kkp", "Admin PPE", None),
    # The heads who review the deviations of their unit's SOPs (each SOP's `pengawas`).
    ("kepala-magelang", "magelang", "Kepala Bagian Pengadaan Barang/Jasa", None),
    ("sekda-sbt", "sbt", "Sekretaris Daerah", None),
    ("kepala-kkp", "kkp", "Kepala Biro Umum dan PBJ", None),
]

# The demo staff's NIPs (made-up numbers of a NIP's shape), printed beside their names on archives.
STAFF_NIP = {
    "aa-kaltim-pupr": "198406102009011002",
    "aa-kaltim-dinkes": "198912032014022001",
    "kepala-kaltim": "197205282005021001",
    "adminppe-kaltim": "198701152010011003",
    "aa-magelang": "198503302010012004",
    "aa-sbt": "199004212015031001",
    "frontoffice-kkp": "199305082019022002",
    "helpdesk-kkp": "199108172017011004",
    "adminppe-kkp": "198611252011011005",
    "kepala-magelang": "197308121998031006",
    "sekda-sbt": "196905041994031007",
    "kepala-kkp": "197110231997032001",
}

# The units' identity as their offices print it (the letterheads as on the seeds' SOP headers; the
# addresses those of the offices; phone numbers and mailboxes made up, under example.go.id).
UNIT_IDENTITY = {
    "kaltim": {
        "kop": "PEMERINTAH PROVINSI KALIMANTAN TIMUR\nSEKRETARIAT DAERAH\nBIRO PENGADAAN BARANG/JASA",
        "alamat": "Kantor Gubernur Kalimantan Timur, Jl. Gajah Mada No. 2\nSamarinda 75121",
        "telepon": "(0541) 733333",
        "surel": "lpse@kaltimprov.example.go.id",
        "situs": "https://lpse.kaltimprov.example.go.id",
    },
    "magelang": {
        "kop": "PEMERINTAH KOTA MAGELANG\nSEKRETARIAT DAERAH\nBAGIAN PENGADAAN BARANG/JASA",
        "alamat": "Jl. Sarwo Edie Wibowo No. 2\nMagelang 56117",
        "telepon": "(0293) 362022",
        "surel": "lpse@magelangkota.example.go.id",
        "situs": "https://lpse.magelangkota.example.go.id",
    },
    "sbt": {
        "kop": "PEMERINTAH KABUPATEN SERAM BAGIAN TIMUR\nSEKRETARIAT DAERAH\nUNIT KERJA PENGADAAN BARANG/JASA",
        "alamat": "Kompleks Perkantoran Bupati Seram Bagian Timur\nBula 97554, Maluku",
        "telepon": "(0915) 21001",
        "surel": "ukpbj@serambagiantimurkab.example.go.id",
        "situs": "",
        "jam_layanan": "Senin–Jumat 08.00–16.00 WIT (istirahat 12.00–13.00)",
    },
    "kkp": {
        "kop": "KEMENTERIAN KELAUTAN DAN PERIKANAN\nSEKRETARIAT JENDERAL\nBIRO UMUM DAN PENGADAAN BARANG JASA",
        "alamat": "Gedung Mina Bahari I, Jl. Medan Merdeka Timur No. 16\nJakarta Pusat 10110",
        "telepon": "(021) 3519070",
        "surel": "lpse@kkp.example.go.id",
        "situs": "https://lpse.kkp.example.go.id",
    },
}

# (unit, user_id, name, nip, role, agency)
ACCOUNTS = [
    ("kaltim", "ppk.pupr01", "Siti Rahmawati", "198503122010012001", "PPK", "Dinas Pekerjaan Umum dan Penataan Ruang"),
    ("kaltim", "pp.pupr02", "Andi Pratama", "199001052015031002", "PP", "Dinas Pekerjaan Umum dan Penataan Ruang"),
    (
        "kaltim",
        "pokja.pupr03",
        "Dewi Lestari",
        "198811202014022003",
        "Pokja Pemilihan",
        "Dinas Pekerjaan Umum dan Penataan Ruang",
    ),
    ("kaltim", "ppk.dinkes01", "Budi Santoso", "197907172005011004", "PPK", "Dinas Kesehatan"),
    (
        "kaltim",
        "aa.pupr",
        "Rina Kartika",
        "198602142009012005",
        "Admin Agency",
        "Dinas Pekerjaan Umum dan Penataan Ruang",
    ),
    ("magelang", "ppk.dikbud01", "Agus Wibowo", "198204032008011006", "PPK", "Dinas Pendidikan dan Kebudayaan"),
    ("sbt", "pokja.sbt07", "Maria Latuconsina", "199203152019032007", "Pokja Pemilihan", "Dinas Perhubungan"),
    ("kkp", "aa.djpt", "Hendra Gunawan", "198709092012121008", "Admin Agency", "Direktorat Jenderal Perikanan Tangkap"),
]


# Staff with an address on record: the copy (tembusan) of a new account's mail goes there.
STAFF_EMAIL = {
    "kepala-kaltim": "kepala-lpse@kaltimprov.example.go.id",
    "adminppe-kaltim": "admin-ppe@kaltimprov.example.go.id",
}

# The reply letter of the Kalimantan Timur registration (seed 002), as the Biro would print it.
KALTIM_LETTER = {
    "letterhead": "PEMERINTAH PROVINSI KALIMANTAN TIMUR\nSEKRETARIAT DAERAH\nBIRO PENGADAAN BARANG/JASA\n"
    "Jl. Gajah Mada No. 2, Samarinda 75121",
    "city": "Samarinda",
    "number_pattern": "000.3/{no:04d}/BPLPSE/B.PBJ/{bulan}/{tahun}",
    "signer_name": "Buyung Dodi Gunawan, S.T., M.M.",
    "signer_nip": "19720528 200502 1 001",
    "signer_position": "Kepala Biro Pengadaan Barang dan Jasa",
    "user_id_pattern": "aa.{instansi}.{nama}",
}


def _email(user_id: str) -> str:
    return f"{user_id.replace('.', '-')}@instansi.example.go.id"


@transaction.atomic
def seed() -> None:
    User = get_user_model()
    admin, created = User.objects.get_or_create(username=DEMO_ADMIN, defaults={"is_staff": True, "is_superuser": True})
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save(update_fields=["password"])
    units = {unit.kode: unit for unit in Unit.objects.all()}
    for username, unit_kode, role, agency_name in STAFF:
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if created and username in STAFF_EMAIL:
            user.email = STAFF_EMAIL[username]
            user.save(update_fields=["email"])
        agency = Agency.objects.get_or_create(unit=units[unit_kode], name=agency_name)[0] if agency_name else None
        StaffRole.objects.get_or_create(user=user, unit=units[unit_kode], role=role, agency=agency)
        if username in STAFF_NIP:
            StaffProfile.objects.get_or_create(user=user, defaults={"nip": STAFF_NIP[username]})
    _identity_setup(units)
    _registration_setup(units["kaltim"])
    _counter_setup(units["kkp"])
    for unit_kode, user_id, name, nip, role, agency_name in ACCOUNTS:
        agency = Agency.objects.get_or_create(unit=units[unit_kode], name=agency_name)[0]
        Account.objects.get_or_create(
            unit=units[unit_kode],
            user_id=user_id,
            defaults={
                "name": name,
                "nip": nip,
                "email": _email(user_id),
                "phone": "0812" + nip[-8:],
                "role": role,
                "agency": agency,
                "satker": "Sekretariat",
                "sk_number": f"800/{nip[-3:]}/{unit_kode.upper()}/2026",
                "password": make_password(ACCOUNT_PASSWORD),
            },
        )


def _identity_setup(units: dict[str, Unit]) -> None:
    """Each demo unit's identity, where it has none yet (an operator's own is kept)."""
    for kode, identity in UNIT_IDENTITY.items():
        unit = units.get(kode)
        if unit is None or unit.alamat or unit.kop:
            continue
        for field, value in identity.items():
            setattr(unit, field, value)
        unit.full_clean()
        unit.save(update_fields=list(identity))


def _registration_setup(unit: Unit) -> None:
    """The reply letter's settings, and a training session that started an hour ago (attendance
    can be recorded at once) and one next week, at a unit that has none yet."""
    from loket.registration.letters import default_config

    if not LetterSettings.objects.filter(unit=unit).exists():
        LetterSettings.objects.create(unit=unit, body=default_config(unit).body, **KALTIM_LETTER)
    if not TrainingSession.objects.filter(unit=unit).exists():
        now = timezone.now().replace(minute=0, second=0, microsecond=0)
        for starts, title in (
            (now - dt.timedelta(hours=1), "Pelatihan penggunaan aplikasi SPSE (sesi demo, sedang berlangsung)"),
            (now + dt.timedelta(days=7), "Pelatihan penggunaan aplikasi SPSE"),
        ):
            TrainingSession.objects.create(
                unit=unit,
                title=title,
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=3),
                place="Ruang Rapat Biro PBJ Lt. 2, Kantor Gubernur Kalimantan Timur",
                online_url="https://zoom.example.go.id/j/pelatihan-spse",
                capacity=20,
            )


def _board_token() -> str:
    from loket.counter.models import Board

    board = Board.objects.filter(unit__kode="kkp").first()
    return board.token if board else ""


def _counter_setup(unit: Unit) -> None:
    """The unit's queue services from its SOPs, two counters and a display board (kept if present)."""
    from loket.counter import services as counter_services
    from loket.counter.models import Board

    counter_services.setup_services(unit)
    counter_services.setup_counters(unit, 2)
    if not Board.objects.filter(unit=unit).exists():
        Board.objects.create(unit=unit)


class Command(BaseCommand):
    help = "Siapkan data demo (petugas, akun, instansi) dan cetak alamat serta cara masuk."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000")

    def handle(self, *args: Any, url: str, **opts: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("`loket demo` hanya untuk mode demo (LOKET_DEBUG=1): passwordnya tercetak di sini")
        if not Unit.objects.exists():
            raise CommandError("Belum ada unit. Jalankan dulu: loket sop install --builtin")
        seed()
        from loket.web.demo_history import answer_for_the_past, seed_history

        history = seed_history(after_case=answer_for_the_past)
        staff_lines = [
            f"    {u:<18} {role} — {unit}{f' ({agency})' if agency else ''}" for u, unit, role, agency in STAFF
        ]
        account_lines = [f"    {unit:<9} {uid:<14} {role:<16} {name}" for unit, uid, name, _nip, role, _a in ACCOUNTS]
        self.stdout.write(
            "\n".join(
                [
                    "",
                    "Loket demo siap.",
                    f"  Portal pemohon:  {url}/permohonan/",
                    f"  Konsol petugas:  {url}/konsol/   (password semua petugas: {DEMO_PASSWORD})",
                    *staff_lines,
                    f"  Admin:           {url}/admin/  (masuk: {DEMO_ADMIN} / {DEMO_PASSWORD})",
                    f"  Kotak keluar:    {url}/konsol/kotak-keluar/  (sebagai admin: e-mail demo, termasuk tautan)",
                    f"  Pelatihan:       {url}/konsol/pelatihan/  (adminppe-kaltim: sesi demo sedang berlangsung)",
                    f"  Antrian KKP:     {url}/konsol/antrian/  (frontoffice-kkp: buku tamu dan tiket; helpdesk-kkp: loket)",
                    f"  Papan antrian:   {url}/papan/{_board_token()}/  (layar ruang tunggu; klik 'Aktifkan suara')",
                    "  Registrasi Admin Agency (Kaltim): lihat README, 'Try it: a head of agency asks'",
                    f"  Masuk SPSE (simulasi): {url}/akun/masuk/   akun direktori:",
                    *account_lines,
                    f"  Katalog SOP:     {url}/sop/",
                    f"  Laporan:         {url}/konsol/laporan/mutu-baku/  (kepala-kaltim; riwayat demo: "
                    + (f"{history} permohonan dibuat, " if history else "")
                    + "empat bulan terakhir)",
                    "  E-mail demo juga tersimpan di var/mail/; pekerja (loket worker) berjalan bersama server.",
                    "  Berhenti:        Ctrl+C",
                    "",
                ]
            )
        )
