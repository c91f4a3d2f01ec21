"""`loket unit add|list|show`: add (or with --update, change) a unit, list the units, and show one
unit's identity as its pages and documents print it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from loket.cli_output import write_table
from loket.units.models import Unit
from loket.units.services import IDENTITY_FIELDS, STANDARD_FIELDS, UnitRefused, save_unit, unit_identity

# What each Standar Pelayanan flag (units.services.STANDARD_FIELDS) sets, for --help.
STANDARD_HELP = {
    "sp_dasar_hukum": "dasar hukum tambahan, dicetak setelah dasar hukum SOP",
    "sp_biaya": "biaya/tarif (bawaan: Tidak dipungut biaya)",
    "sp_pengaduan": "saluran pengaduan, saran dan masukan (bawaan: e-mail, telepon, alamat unit dan SP4N-LAPOR!)",
    "sp_sarana_prasarana": "sarana, prasarana dan/atau fasilitas",
    "sp_kompetensi_pelaksana": "kompetensi pelaksana (bawaan: kualifikasi pelaksana SOP)",
    "sp_pengawasan_internal": "pengawasan internal (bawaan: atasan langsung dan APIP)",
    "sp_jumlah_pelaksana": "jumlah pelaksana, mis. '3 orang' (bawaan: dihitung dari petugas unit)",
    "sp_jaminan_pelayanan": "jaminan pelayanan",
    "sp_jaminan_keamanan": "jaminan keamanan dan keselamatan pelayanan",
    "sp_evaluasi_kinerja": "evaluasi kinerja pelaksana (bawaan: SKM sekali setahun dan laporan mutu baku)",
    "sp_tempat_penetapan": "kota tempat standar pelayanan ditetapkan, mis. Samarinda",
}


class Command(BaseCommand):
    help = "Tambah atau ubah unit (LPSE/UKPBJ), atau daftar unit."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        p = sub.add_parser("add", help="tambah unit baru (atau ubah dengan --update)", called_from_command_line=True)
        p.add_argument("kode", metavar="KODE", help="kode singkat, huruf kecil dan tanda hubung, mis. kaltim")
        p.add_argument("--name", metavar="NAMA", help="nama unit seperti tertulis di kop SOP")
        p.add_argument(
            "--timezone", metavar="ZONA", help="zona waktu: WIB, WITA, WIT atau nama IANA (mis. Asia/Makassar)"
        )
        p.add_argument("--hours", metavar="JJ:MM-JJ:MM", help="jam kerja waktu setempat (bawaan 08:00-16:00)")
        p.add_argument(
            "--directory",
            choices=["lokal", "spse"],
            help="tempat akun SPSE unit: lokal (bawaan; Loket mengatur password) atau spse "
            "(akun di SPSE; petugas mengatur password di SPSE, Loket mengirimkannya)",
        )
        p.add_argument(
            "--logo",
            metavar="BERKAS",
            help='berkas gambar (PNG, JPEG atau SVG) untuk kop dokumen SOP; "" menghapusnya',
        )
        identity = p.add_argument_group(
            "identitas unit", 'dicetak di kaki halaman, tanda terima, surat dan arsip; "" mengosongkannya'
        )
        identity.add_argument(
            "--letterhead",
            metavar="BARIS",
            help='baris-baris kop, dipisah "|", mis. "PEMERINTAH PROVINSI KALIMANTAN TIMUR|BIRO PENGADAAN BARANG/JASA"',
        )
        identity.add_argument("--address", metavar="ALAMAT", help='alamat kantor; "|" memulai baris baru')
        identity.add_argument("--phone", metavar="TELEPON", help="nomor telepon, mis. (0541) 733333")
        identity.add_argument("--email", metavar="SUREL", help="alamat e-mail kontak unit")
        identity.add_argument("--website", metavar="URL", help="situs web unit, mis. https://lpse.kaltimprov.go.id")
        identity.add_argument(
            "--opening-hours",
            metavar="TEKS",
            help="jam layanan seperti dibaca pemohon; kosong: dari --hours dan zona waktu (Senin–Jumat 08.00–16.00 WITA)",
        )
        standard = p.add_argument_group(
            "standar pelayanan",
            'komponen yang tidak ada di SOP; satu baris satu butir, "|" memulai baris baru; "" kembali ke bawaan',
        )
        for field, flag in STANDARD_FIELDS.items():
            standard.add_argument(flag, metavar="TEKS", help=STANDARD_HELP[field])
        p.add_argument("--update", action="store_true", help="ubah unit yang sudah ada")

        sub.add_parser("list", help="daftar unit", called_from_command_line=True)
        p = sub.add_parser("show", help="identitas unit seperti dicetak", called_from_command_line=True)
        p.add_argument("kode", metavar="KODE")

    def handle(self, *args: Any, **opts: Any) -> None:
        getattr(self, "do_" + opts["action"])(**opts)

    def do_add(
        self,
        kode: str,
        name: str | None,
        timezone: str | None,
        hours: str | None,
        update: bool,
        directory: str | None = None,
        logo: str | None = None,
        **opts: Any,
    ) -> None:
        flags = {name: _option(flag) for name, flag in IDENTITY_FIELDS.items()}
        try:
            unit, created = save_unit(
                actor=None,
                kode=kode,
                nama=name,
                zona_waktu=timezone,
                jam_kerja=hours,
                direktori=directory,
                logo=logo,
                update=update,
                **{name: opts.get(option) for name, option in flags.items()},
                standard={name: opts.get(_option(flag)) for name, flag in STANDARD_FIELDS.items()},
            )
        except UnitRefused as exc:
            raise CommandError(str(exc)) from exc
        state = _("ditambahkan") if created else _("diperbarui")
        self.stdout.write(
            _("Unit %(kode)s %(state)s: %(nama)s, %(zona)s, jam kerja %(jam)s, direktori %(dir)s.")
            % {
                "kode": unit.kode,
                "state": state,
                "nama": unit.nama,
                "zona": unit.zona_waktu,
                "jam": unit.jam_kerja,
                "dir": unit.direktori,
            }
        )

    def do_show(self, kode: str, **_opts: Any) -> None:
        unit = Unit.objects.filter(kode=kode).first()
        if unit is None:
            raise CommandError(_("Unit %(kode)s tidak dikenal; lihat `loket unit list`.") % {"kode": kode})
        identity = unit_identity(unit)
        rows = [
            (_("nama"), identity.nama),
            (_("kop"), " / ".join(identity.kop)),
            (_("alamat"), identity.address_line),
            (_("telepon"), identity.telepon),
            (_("e-mail kontak"), identity.surel),
            (_("situs web"), identity.situs),
            (_("jam layanan"), identity.jam_layanan),
            (_("logo"), identity.logo),
        ]
        for label, value in rows:
            self.stdout.write(f"{label}: {value or '-'}")
        self.stdout.write(_("standar pelayanan (kosong: bawaan):"))
        for field, flag in STANDARD_FIELDS.items():
            value = " / ".join(line for line in getattr(unit, field).splitlines() if line.strip())
            self.stdout.write(f"  {flag}: {value or _('(bawaan)')}")

    def do_list(self, **_opts: Any) -> None:
        units = list(Unit.objects.order_by("kode"))
        if not units:
            self.stdout.write(
                _("Belum ada unit. Tambahkan dengan `loket unit add` atau `loket sop install --builtin`.")
            )
            return
        write_table(
            self,
            [_("kode"), _("zona waktu"), _("jam kerja"), _("direktori"), _("nama")],
            [[u.kode, u.zona_waktu, u.jam_kerja, u.direktori, u.nama] for u in units],
        )


def _option(flag: str) -> str:
    """The argparse destination of a flag: --opening-hours -> opening_hours."""
    return flag.removeprefix("--").replace("-", "_")
