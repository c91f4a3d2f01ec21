"""`loket unit add|list`: add (or with --update, change) a unit, and list the units."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from loket.cli_output import write_table
from loket.units.models import Unit
from loket.units.services import UnitRefused, save_unit


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
        p.add_argument("--update", action="store_true", help="ubah unit yang sudah ada")

        sub.add_parser("list", help="daftar unit", called_from_command_line=True)

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
        **_opts: Any,
    ) -> None:
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
