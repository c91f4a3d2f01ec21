"""`loket staff add|list`: give a user a staff role in a unit (creating the user), list staff.

The rules live in loket.staff.services; this command reads the password and prints results.
"""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from loket.cli_output import write_table
from loket.staff import selectors
from loket.staff.errors import StaffError
from loket.staff.models import STAFF_ROLES
from loket.staff.services import add_staff_role, password_problems

PROMPT_ATTEMPTS = 3


class Command(BaseCommand):
    help = "Tambah peran petugas di sebuah unit, atau daftar petugas."
    stealth_options = ("stdin",)  # tests hand the password in through call_command(stdin=...)

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        p = sub.add_parser(
            "add",
            help="beri pengguna peran petugas di unit (pengguna dibuat bila belum ada)",
            called_from_command_line=True,
        )
        p.add_argument("username")
        p.add_argument("--unit", required=True, metavar="KODE", help="kode unit, lihat `loket unit list`")
        p.add_argument("--role", required=True, metavar="PERAN", help="salah satu dari: " + ", ".join(STAFF_ROLES))
        p.add_argument("--agency", metavar="NAMA", help="instansi (wajib untuk Admin Agency)")
        p.add_argument(
            "--create-agency", action="store_true", help="daftarkan instansi itu di unit bila belum terdaftar"
        )
        p.add_argument(
            "--password-stdin", action="store_true", help="baca password pengguna baru dari baris pertama stdin"
        )
        p.add_argument("--admin", action="store_true", help="boleh masuk ke halaman admin (is_staff)")

        p = sub.add_parser("list", help="daftar petugas dan perannya", called_from_command_line=True)
        p.add_argument("--unit", metavar="KODE")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            getattr(self, "do_" + opts["action"])(**opts)
        except StaffError as exc:
            raise CommandError(str(exc)) from exc

    def do_add(
        self,
        username: str,
        unit: str,
        role: str,
        agency: str | None,
        create_agency: bool,
        password_stdin: bool,
        admin: bool,
        **opts: Any,
    ) -> None:
        password = None
        if not selectors.user_exists(username):
            password = self._read_password(username, opts.get("stdin") or sys.stdin, from_stdin=password_stdin)
        elif password_stdin:
            self.stderr.write(_("Pengguna %(u)s sudah ada; passwordnya tidak diubah.") % {"u": username})
        result = add_staff_role(
            actor=None,
            username=username,
            unit=unit,
            role=role,
            agency=agency,
            create_agency=create_agency,
            password=password,
            admin=admin,
        )
        r = result.role
        if result.user_created:
            self.stdout.write(_("Pengguna %(u)s dibuat.") % {"u": username})
        scope = _(" untuk instansi %(a)s") % {"a": r.agency.name} if r.agency else ""
        self.stdout.write(
            _("%(u)s kini %(role)s di unit %(kode)s%(scope)s.")
            % {"u": username, "role": r.role, "kode": r.unit.kode, "scope": scope}
        )

    def _read_password(self, username: str, stdin: Any, *, from_stdin: bool) -> str:
        if from_stdin:
            password = stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError(_("Tidak ada password di stdin."))
            return str(password)
        for _attempt in range(PROMPT_ATTEMPTS):
            password = getpass.getpass(_("Password untuk %(u)s: ") % {"u": username})
            if password != getpass.getpass(_("Ulangi password: ")):
                self.stderr.write(_("Kedua password tidak sama. Coba lagi."))
                continue
            problems = password_problems(username=username, password=password)
            if not problems:
                return password
            for problem in problems:
                self.stderr.write(problem)
        raise CommandError(_("Password tidak diterima; pengguna tidak dibuat."))

    def do_list(self, unit: str | None, **_opts: Any) -> None:
        rows = [
            [
                r.unit.kode,
                r.user.get_username(),
                r.role,
                r.agency.name if r.agency else "",
                _("ya") if r.user.is_staff else "",
                "" if r.user.is_active else _("nonaktif"),
            ]
            for r in selectors.staff_roles(unit=unit)
        ]
        if not rows:
            self.stdout.write(_("Belum ada petugas."))
            return
        write_table(self, [_("unit"), _("pengguna"), _("peran"), _("instansi"), _("admin"), _("status")], rows)
